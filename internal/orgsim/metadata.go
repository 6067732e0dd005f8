package orgsim

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// The CRUD call limits of the Metadata API for ConnectedApp.
const (
	maxComponentsPerCall = 10
	maxListQueries       = 3
)

// requestTypes lists the children of each Metadata API call's request
// element in WSDL order. A metadata element is checked against the type its
// xsi:type names, so it has no typeName here.
var requestTypes = map[string][]elementDef{
	"readMetadata":   {{name: "type", kind: kindString, required: true}, {name: "fullNames", kind: kindString, repeated: true}},
	"deleteMetadata": {{name: "type", kind: kindString, required: true}, {name: "fullNames", kind: kindString, repeated: true}},
	"renameMetadata": {
		{name: "type", kind: kindString, required: true},
		{name: "oldFullName", kind: kindString, required: true},
		{name: "newFullName", kind: kindString, required: true},
	},
	"createMetadata": {{name: "metadata", kind: kindComplex, repeated: true}},
	"updateMetadata": {{name: "metadata", kind: kindComplex, repeated: true}},
	"listMetadata":   {{name: "queries", kind: kindComplex, typeName: "ListMetadataQuery", repeated: true}, {name: "asOfVersion", kind: kindString}},
}

func init() {
	complexTypes["ListMetadataQuery"] = []elementDef{{name: "folder", kind: kindString}, {name: "type", kind: kindString, required: true}}
}

var soapVersionPattern = regexp.MustCompile(`^([0-9]{1,2})\.0$`)

// metadataCall is one Metadata API request being served.
type metadataCall struct {
	version   float64
	allOrNone bool
	session   *session
}

// handleSOAP serves the Metadata API endpoint.
func (o *Org) handleSOAP(w http.ResponseWriter, r *http.Request, rec *requestRecord) {
	if fault := checkSOAPTransport(r); fault != nil {
		writeSOAPFault(w, fault)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		writeSOAPFault(w, clientFault("Unable to read the request body: %v", err))
		return
	}
	req, fault := parseSOAPRequest(raw)
	if fault != nil {
		writeSOAPFault(w, fault)
		return
	}
	seq, known := requestTypes[req.operation]
	if !known {
		writeSOAPFault(w, clientFault("No operation available for request {%s}%s", metadataNamespace, req.operation))
		return
	}
	operation := "metadata." + req.operation
	o.countCall(rec, operation)
	o.serveWithFaults(w, apiSOAP, operation, func(w http.ResponseWriter) {
		o.serveSOAP(w, r, req, seq)
	})
}

// serveSOAP checks the version, session and daily limit of a parsed
// request, and runs its operation.
func (o *Org) serveSOAP(w http.ResponseWriter, r *http.Request, req *soapRequest, seq []elementDef) {
	version, ok := parseSOAPVersion(r.PathValue("version"))
	if !ok {
		writeSOAPFault(w, apiFault("UNSUPPORTED_API_VERSION", "Invalid Api version specified on URL"))
		return
	}
	if orgID := r.PathValue("orgId"); orgID != "" && !sameID(orgID, o.orgID) {
		writeSOAPFault(w, errInvalidSession)
		return
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.authenticate(req.sessionID)
	allowed := s != nil && o.consumeAPIRequest()
	o.setLimitInfo(w)
	if s == nil {
		writeSOAPFault(w, errInvalidSession)
		return
	}
	if !allowed {
		writeSOAPFault(w, apiFault("REQUEST_LIMIT_EXCEEDED", dailyLimitMessage))
		return
	}
	if err := checkRequestStructure(req.body, seq); err != nil {
		writeSOAPFault(w, clientFault("%s", err.Error()))
		return
	}
	call := &metadataCall{version: version, allOrNone: req.allOrNone, session: s}
	var resp *xmltree.Element
	var fault *soapFault
	switch req.operation {
	case "readMetadata":
		resp, fault = o.readMetadata(call, req.body)
	case "createMetadata":
		resp, fault = o.saveMetadata(call, req.body, true)
	case "updateMetadata":
		resp, fault = o.saveMetadata(call, req.body, false)
	case "deleteMetadata":
		resp, fault = o.deleteMetadata(call, req.body)
	case "renameMetadata":
		resp, fault = o.renameMetadata(call, req.body)
	case "listMetadata":
		resp, fault = o.listMetadata(req.body)
	}
	if fault != nil {
		writeSOAPFault(w, fault)
		return
	}
	writeSOAPResponse(w, resp)
}

// parseSOAPVersion accepts versions 31.0 to 68.0. Older versions are
// retired and newer ones do not exist yet.
func parseSOAPVersion(s string) (float64, bool) {
	m := soapVersionPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	major, _ := strconv.Atoi(m[1])
	if major < minAPIVersion || major > maxAPIVersion {
		return 0, false
	}
	return float64(major), true
}

// checkRequestStructure checks the children of a call element and the
// presence of its required ones.
func checkRequestStructure(body *xmltree.Element, seq []elementDef) error {
	last := -1
	for _, c := range body.Children {
		idx := findElementDef(seq, c.Name)
		if idx < 0 || idx < last || (idx == last && !seq[idx].repeated) {
			return invalidAtLocation(c.Name, body.Name)
		}
		last = idx
		if def := seq[idx]; def.kind == kindComplex && def.typeName != "" {
			if err := checkStructure(c, def.typeName, maxAPIVersion, nil); err != nil {
				return err
			}
		} else if def.kind != kindComplex && len(c.Children) > 0 {
			return invalidAtLocation(c.Children[0].Name, c.Name)
		}
	}
	for _, def := range seq {
		if def.required && body.Child(def.name) == nil {
			return &schemaViolation{fmt.Sprintf("Required element {%s}%s is missing in %s", metadataNamespace, def.name, body.Name)}
		}
	}
	return nil
}

// checkMetadataType faults for every type but ConnectedApp.
//
// NOTE: real orgs support many more metadata types. The simulated org has
// only ConnectedApp and rejects others as an org without the type would.
func checkMetadataType(typeName string) *soapFault {
	if strings.TrimSpace(typeName) != "ConnectedApp" {
		return apiFault("INVALID_TYPE", "This type of metadata is not available for this organization")
	}
	return nil
}

// tooManyComponents is the fault for a call over the per-call limit.
//
// NOTE: the exception code and text for exceeding the limit are
// unconfirmed.
func tooManyComponents(limit int, unit string) *soapFault {
	return apiFault("EXCEEDED_ID_LIMIT", fmt.Sprintf("record limit reached. cannot submit more than %d %s in this operation", limit, unit))
}

func (o *Org) readMetadata(call *metadataCall, body *xmltree.Element) (*xmltree.Element, *soapFault) {
	typeName, _ := body.ChildText("type")
	if fault := checkMetadataType(typeName); fault != nil {
		return nil, fault
	}
	names := body.ChildrenNamed("fullNames")
	if len(names) > maxComponentsPerCall {
		return nil, tooManyComponents(maxComponentsPerCall, "records")
	}
	result := &xmltree.Element{Name: "result"}
	for _, n := range names {
		app := o.state.lookup(strings.TrimSpace(n.Text))
		if app == nil || app.readOnly() {
			result.Children = append(result.Children, &xmltree.Element{Name: "records", Nil: true})
			continue
		}
		result.Children = append(result.Children, o.state.renderApp(app, call.version))
	}
	return &xmltree.Element{Name: "readMetadataResponse", Children: []*xmltree.Element{result}}, nil
}

// lookup returns the app named fullName, or nil.
//
// NOTE: the org treats fullNames as case-insensitive, as Salesforce does for
// developer names; that this holds for ConnectedApp is unconfirmed.
func (s *orgState) lookup(fullName string) *connectedApp {
	return s.apps[strings.ToLower(fullName)]
}

// saveResult builds a SaveResult or DeleteResult element.
func saveResult(fullName string, errs []saveError) *xmltree.Element {
	res := &xmltree.Element{Name: "result"}
	for _, e := range errs {
		el := &xmltree.Element{Name: "errors"}
		for _, f := range e.fields {
			el.Children = append(el.Children, xmltree.NewText("fields", f))
		}
		el.Children = append(el.Children, xmltree.NewText("message", e.message), xmltree.NewText("statusCode", e.statusCode))
		res.Children = append(res.Children, el)
	}
	res.Children = append(res.Children,
		xmltree.NewText("fullName", fullName),
		xmltree.NewText("success", strconv.FormatBool(len(errs) == 0)))
	return res
}

// rolledBack is the error given to components that were valid in an
// all-or-none call that failed elsewhere.
//
// NOTE: the status code and text Salesforce uses for them are unconfirmed.
var rolledBack = saveError{"ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all records were valid and the request was using AllOrNone header", nil}

// runComponents applies op to each component on a copy of the org state and
// keeps the copy unless the call is all-or-none and a component failed.
func (o *Org) runComponents(call *metadataCall, n int, op func(i int, work *orgState) (string, []saveError)) []*xmltree.Element {
	work := o.state.clone()
	names := make([]string, n)
	errs := make([][]saveError, n)
	failed := false
	for i := 0; i < n; i++ {
		names[i], errs[i] = op(i, work)
		failed = failed || len(errs[i]) > 0
	}
	if call.allOrNone && failed {
		for i := range errs {
			if len(errs[i]) == 0 {
				errs[i] = []saveError{rolledBack}
			}
		}
	} else {
		o.state = work
	}
	results := make([]*xmltree.Element, n)
	for i := range results {
		results[i] = saveResult(names[i], errs[i])
	}
	return results
}

func notFoundError(fullName string) saveError {
	return saveError{"INVALID_CROSS_REFERENCE_KEY", fmt.Sprintf("In field: fullName - no ConnectedApp named %s found", fullName), []string{"fullName"}}
}

// managedAppError is the error for changing an app of an installed managed
// package.
//
// NOTE: the status code and text are unconfirmed.
func managedAppError(app *connectedApp) saveError {
	if app.oauthInstalled {
		return saveError{"INSUFFICIENT_ACCESS", fmt.Sprintf("Cannot modify %s: the connected app was created in another org", app.fullName), nil}
	}
	return saveError{"INSUFFICIENT_ACCESS", fmt.Sprintf("Cannot modify managed object: %s belongs to the installed package %s", app.fullName, app.namespacePrefix), nil}
}

func (o *Org) deleteMetadata(call *metadataCall, body *xmltree.Element) (*xmltree.Element, *soapFault) {
	typeName, _ := body.ChildText("type")
	if fault := checkMetadataType(typeName); fault != nil {
		return nil, fault
	}
	names := body.ChildrenNamed("fullNames")
	if len(names) > maxComponentsPerCall {
		return nil, tooManyComponents(maxComponentsPerCall, "records")
	}
	results := o.runComponents(call, len(names), func(i int, work *orgState) (string, []saveError) {
		name := strings.TrimSpace(names[i].Text)
		app := work.lookup(name)
		switch {
		case app == nil:
			return name, []saveError{notFoundError(name)}
		case app.readOnly():
			return app.fullName, []saveError{managedAppError(app)}
		case o.componentLocked(app.fullName):
			return app.fullName, []saveError{lockError(app)}
		}
		work.deleteApp(app)
		return app.fullName, nil
	})
	return &xmltree.Element{Name: "deleteMetadataResponse", Children: results}, nil
}

// renameMetadata renames one app. The call takes no AllOrNoneHeader.
//
// NOTE: DUPLICATE_DEVELOPER_NAME for a taken new name is unconfirmed.
func (o *Org) renameMetadata(call *metadataCall, body *xmltree.Element) (*xmltree.Element, *soapFault) {
	typeName, _ := body.ChildText("type")
	if fault := checkMetadataType(typeName); fault != nil {
		return nil, fault
	}
	oldName, _ := body.ChildText("oldFullName")
	newName, _ := body.ChildText("newFullName")
	oldName, newName = strings.TrimSpace(oldName), strings.TrimSpace(newName)
	results := o.runComponents(&metadataCall{version: call.version, session: call.session}, 1, func(_ int, work *orgState) (string, []saveError) {
		app := work.lookup(oldName)
		switch {
		case app == nil:
			return newName, []saveError{notFoundError(oldName)}
		case app.readOnly():
			return newName, []saveError{managedAppError(app)}
		case o.componentLocked(app.fullName):
			return newName, []saveError{lockError(app)}
		}
		if e := validateFullName(newName); e != nil {
			return newName, []saveError{*e}
		}
		if other := work.lookup(newName); other != nil && other != app {
			return newName, []saveError{{"DUPLICATE_DEVELOPER_NAME",
				fmt.Sprintf("A ConnectedApp named %s already exists", other.fullName), []string{"fullName"}}}
		}
		delete(work.apps, strings.ToLower(app.fullName))
		app.fullName = newName
		app.modified, app.modifiedBy = o.now(), call.session.user
		work.apps[strings.ToLower(newName)] = app
		return newName, nil
	})
	return &xmltree.Element{Name: "renameMetadataResponse", Children: results}, nil
}
