package metadata

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

const responseHead = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope ` +
	`xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" ` +
	`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`

const responseTail = `</soapenv:Body></soapenv:Envelope>`

func soapResponse(inner string) string {
	return responseHead + inner + responseTail
}

const invalidSessionFault = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope ` +
	`xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata" ` +
	`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>` +
	`<faultcode>sf:INVALID_SESSION_ID</faultcode>` +
	`<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring>` +
	`<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault">` +
	`<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>` +
	`<sf:exceptionMessage>Invalid Session ID found in SessionHeader: Illegal Session</sf:exceptionMessage>` +
	`</sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`

// stubTokens hands out token-1, token-2, ... and counts refreshes.
type stubTokens struct {
	mu          sync.Mutex
	instanceURL string
	current     int
	refreshes   int
}

func (s *stubTokens) Token(context.Context) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("token-%d", s.current+1), s.instanceURL, nil
}

func (s *stubTokens) Refresh(_ context.Context, rejected string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	if rejected == fmt.Sprintf("token-%d", s.current+1) {
		s.current++
	}
	return fmt.Sprintf("token-%d", s.current+1), nil
}

// soapRequest is one request the fake server received.
type soapRequest struct {
	header    http.Header
	path      string
	raw       []byte
	envelope  *xmltree.Element
	operation *xmltree.Element // the first child of Body
}

func (r soapRequest) sessionID() string {
	text, _ := r.envelope.Child("Header").Child("SessionHeader").ChildText("sessionId")
	return text
}

func (r soapRequest) texts(name string) []string {
	var out []string
	for _, c := range r.operation.ChildrenNamed(name) {
		out = append(out, c.Text)
	}
	return out
}

// soapServer records each request and sends the status and body that
// respond returns for it.
type soapServer struct {
	mu       sync.Mutex
	requests []soapRequest
}

func newSOAPServer(t *testing.T, respond func(soapRequest) (int, string)) (*soapServer, *Client, *stubTokens) {
	t.Helper()
	ss := &soapServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		env, err := xmltree.ParseBytes(raw)
		if err != nil {
			t.Errorf("request is not XML: %v", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		req := soapRequest{header: r.Header, path: r.URL.Path, raw: raw, envelope: env}
		if body := env.Child("Body"); body != nil && len(body.Children) > 0 {
			req.operation = body.Children[0]
		}
		ss.mu.Lock()
		ss.requests = append(ss.requests, req)
		ss.mu.Unlock()

		status, body := respond(req)
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	tokens := &stubTokens{instanceURL: srv.URL}
	doer := transport.New(tokens, transport.Options{HTTPClient: srv.Client(), Retry: fastRetry})
	client := New(doer, "68.0")
	client.SetRetry(fastRetry)
	return ss, client, tokens
}

func testApp(name string) *xmltree.Element {
	return &xmltree.Element{Name: "ConnectedApp", Children: []*xmltree.Element{
		xmltree.NewText("fullName", name),
		xmltree.NewText("contactEmail", "ops@example.com"),
		xmltree.NewText("label", "Example & Co"),
		{Name: "oauthConfig", Children: []*xmltree.Element{
			xmltree.NewText("callbackUrl", "https://app.example.com/callback"),
			xmltree.NewText("scopes", "Api"),
			xmltree.NewText("scopes", "RefreshToken"),
		}},
	}}
}

func saveResults(operation string, names []string) string {
	var b strings.Builder
	b.WriteString("<" + operation + "Response>")
	for _, n := range names {
		b.WriteString("<result><fullName>" + n + "</fullName><success>true</success></result>")
	}
	b.WriteString("</" + operation + "Response>")
	return soapResponse(b.String())
}

// fullNamesOf returns the fullName of each metadata element in a create or
// update request, or the fullNames of a read or delete request.
func fullNamesOf(r soapRequest) []string {
	if names := r.texts("fullNames"); names != nil {
		return names
	}
	var out []string
	for _, m := range r.operation.ChildrenNamed("metadata") {
		name, _ := m.ChildText("fullName")
		out = append(out, name)
	}
	return out
}

func TestCreateEnvelopeShape(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(r soapRequest) (int, string) {
		return http.StatusOK, saveResults("createMetadata", fullNamesOf(r))
	})
	results, err := c.Create(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("App_One")})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if len(results) != 1 || !results[0].Success || results[0].Err() != nil {
		t.Fatalf("results = %+v", results)
	}

	r := ss.requests[0]
	if r.path != "/services/Soap/m/68.0" {
		t.Errorf("path = %q", r.path)
	}
	if got := r.header.Get("Content-Type"); got != "text/xml; charset=UTF-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got, ok := r.header["Soapaction"]; !ok || len(got) != 1 || got[0] != `""` {
		t.Errorf("SOAPAction = %q, want one empty quoted string", got)
	}
	if got := r.sessionID(); got != "token-1" {
		t.Errorf("sessionId = %q", got)
	}
	header := r.envelope.Child("Header")
	if got, _ := header.Child("CallOptions").ChildText("client"); got != ClientName {
		t.Errorf("CallOptions client = %q", got)
	}
	if got, _ := header.Child("AllOrNoneHeader").ChildText("allOrNone"); got != "true" {
		t.Errorf("allOrNone = %q, want true", got)
	}
	if r.operation.Name != "createMetadata" {
		t.Fatalf("operation = %q", r.operation.Name)
	}

	metadataEls := r.operation.ChildrenNamed("metadata")
	if len(metadataEls) != 1 {
		t.Fatalf("metadata elements = %d, want 1", len(metadataEls))
	}
	got := metadataEls[0]
	if got.Type != "ConnectedApp" {
		t.Errorf("xsi:type = %q, want ConnectedApp (bound to the XSI namespace)", got.Type)
	}
	want := testApp("App_One")
	want.Name, want.Type = "metadata", "ConnectedApp"
	if !xmltree.Equal(got, want) {
		t.Errorf("component = %s, want %s", got, want)
	}
	checkNamespaces(t, r.raw)
}

// checkNamespaces checks that the envelope is SOAP 1.1 and that the
// operation element is in the Metadata API namespace.
func checkNamespaces(t *testing.T, raw []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("no createMetadata element: %v", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "Envelope", "Header", "Body":
			if start.Name.Space != "http://schemas.xmlsoap.org/soap/envelope/" {
				t.Errorf("%s namespace = %q", start.Name.Local, start.Name.Space)
			}
		case "createMetadata", "SessionHeader":
			if start.Name.Space != Namespace {
				t.Errorf("%s namespace = %q", start.Name.Local, start.Name.Space)
			}
			if start.Name.Local == "createMetadata" {
				return
			}
		}
	}
}

func TestReadHasNoAllOrNoneHeader(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusOK, soapResponse("<readMetadataResponse><result/></readMetadataResponse>")
	})
	if _, err := c.Read(context.Background(), "ConnectedApp", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	r := ss.requests[0]
	if r.envelope.Child("Header").Child("AllOrNoneHeader") != nil {
		t.Error("readMetadata carries AllOrNoneHeader")
	}
	if got := r.texts("type"); len(got) != 1 || got[0] != "ConnectedApp" {
		t.Errorf("type = %q", got)
	}
}

// readResponder returns one record per requested name; names containing
// "Missing" come back as xsi:nil records, or are left out when omit is set.
func readResponder(omit bool) func(soapRequest) (int, string) {
	return func(r soapRequest) (int, string) {
		var b strings.Builder
		b.WriteString("<readMetadataResponse><result>")
		for _, name := range r.texts("fullNames") {
			switch {
			case strings.Contains(name, "Missing") && omit:
			case strings.Contains(name, "Missing"):
				b.WriteString(`<records xsi:nil="true"/>`)
			default:
				b.WriteString(`<records xsi:type="ConnectedApp"><fullName>` + name + `</fullName>` +
					`<label>L</label><futureElement><x>1</x></futureElement></records>`)
			}
		}
		b.WriteString("</result></readMetadataResponse>")
		return http.StatusOK, soapResponse(b.String())
	}
}

func TestReadNilSlotsAndBatches(t *testing.T) {
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprintf("omit=%v", omit), func(t *testing.T) {
			ss, c, _ := newSOAPServer(t, readResponder(omit))
			var names []string
			for i := range 23 {
				if i%4 == 1 {
					names = append(names, fmt.Sprintf("Missing_%d", i))
				} else {
					names = append(names, fmt.Sprintf("App_%d", i))
				}
			}
			records, err := c.Read(context.Background(), "ConnectedApp", names)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(records) != len(names) {
				t.Fatalf("slots = %d, want %d", len(records), len(names))
			}
			for i, name := range names {
				rec := records[i]
				if strings.HasPrefix(name, "Missing") {
					if rec != nil {
						t.Errorf("slot %d (%s) = %s, want nil", i, name, rec)
					}
					continue
				}
				if rec == nil {
					t.Errorf("slot %d (%s) is nil", i, name)
					continue
				}
				if got, _ := rec.ChildText("fullName"); got != name {
					t.Errorf("slot %d fullName = %q, want %q", i, got, name)
				}
				if rec.Name != "ConnectedApp" || rec.Type != "" {
					t.Errorf("slot %d element = %q type %q, want ConnectedApp without xsi:type", i, rec.Name, rec.Type)
				}
				if rec.Child("futureElement").Child("x") == nil {
					t.Errorf("slot %d lost the unknown element: %s", i, rec)
				}
			}

			var sizes []int
			for _, r := range ss.requests {
				sizes = append(sizes, len(r.texts("fullNames")))
			}
			if fmt.Sprint(sizes) != "[10 10 3]" {
				t.Errorf("names per call = %v, want [10 10 3]", sizes)
			}
		})
	}
}

func TestCreateBatches(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(r soapRequest) (int, string) {
		return http.StatusOK, saveResults("createMetadata", fullNamesOf(r))
	})
	var comps []*xmltree.Element
	for i := range 12 {
		comps = append(comps, testApp(fmt.Sprintf("App_%d", i)))
	}
	results, err := c.Create(context.Background(), "ConnectedApp", comps)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 12 || results[11].FullName != "App_11" {
		t.Errorf("results = %+v", results)
	}
	if len(ss.requests) != 2 {
		t.Errorf("calls = %d, want 2", len(ss.requests))
	}
}

func TestFaultParsing(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		wantCode string
		wantMsg  string
	}{
		{"metadata namespace with detail", invalidSessionFault, "INVALID_SESSION_ID",
			"Invalid Session ID found in SessionHeader: Illegal Session"},
		{"partner fault namespace", `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope ` +
			`xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">` +
			`<soapenv:Body><soapenv:Fault><faultcode>sf:INSUFFICIENT_ACCESS</faultcode>` +
			`<faultstring>INSUFFICIENT_ACCESS: insufficient access rights on cross-reference id</faultstring>` +
			`<detail><sf:ApiFault><sf:exceptionCode>INSUFFICIENT_ACCESS</sf:exceptionCode>` +
			`<sf:exceptionMessage>insufficient access rights on cross-reference id</sf:exceptionMessage>` +
			`</sf:ApiFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
			"INSUFFICIENT_ACCESS", "insufficient access rights on cross-reference id"},
		{"enterprise namespace without detail", `<soapenv:Envelope ` +
			`xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.enterprise.soap.sforce.com">` +
			`<soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_TYPE</faultcode>` +
			`<faultstring>INVALID_TYPE: This type of metadata is not available for this organization</faultstring>` +
			`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
			"INVALID_TYPE", "INVALID_TYPE: This type of metadata is not available for this organization"},
		{"soap server code", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>` +
			`<faultcode>s:Server</faultcode><faultstring>UNKNOWN_EXCEPTION: An unexpected error occurred</faultstring>` +
			`</s:Fault></s:Body></s:Envelope>`,
			"Server", "UNKNOWN_EXCEPTION: An unexpected error occurred"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
				return http.StatusInternalServerError, tc.body
			})
			_, err := c.List(context.Background(), "ConnectedApp")
			var fault *Fault
			if !errors.As(err, &fault) {
				t.Fatalf("error %v (%T) is not a *Fault", err, err)
			}
			if fault.Code != tc.wantCode {
				t.Errorf("Code = %q, want %q", fault.Code, tc.wantCode)
			}
			if fault.Message != tc.wantMsg {
				t.Errorf("Message = %q, want %q", fault.Message, tc.wantMsg)
			}
			if !strings.Contains(err.Error(), tc.wantCode) {
				t.Errorf("error %q does not contain the code", err)
			}
		})
	}
}

func TestRefreshOnceOnInvalidSession(t *testing.T) {
	ss, c, tokens := newSOAPServer(t, func(r soapRequest) (int, string) {
		if r.sessionID() == "token-1" {
			return http.StatusInternalServerError, invalidSessionFault
		}
		return http.StatusOK, saveResults("updateMetadata", fullNamesOf(r))
	})
	results, err := c.Update(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("App_One")})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if len(results) != 1 || !results[0].Success {
		t.Errorf("results = %+v", results)
	}
	if tokens.refreshes != 1 {
		t.Errorf("refreshes = %d, want 1", tokens.refreshes)
	}
	if len(ss.requests) != 2 {
		t.Fatalf("requests = %d, want 2", len(ss.requests))
	}
	if got := ss.requests[1].sessionID(); got != "token-2" {
		t.Errorf("retry sessionId = %q, want token-2", got)
	}
	if !xmltree.Equal(ss.requests[0].operation, ss.requests[1].operation) {
		t.Error("retry sent a different operation body")
	}
}

func TestSecondInvalidSessionIsReturned(t *testing.T) {
	ss, c, tokens := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusInternalServerError, invalidSessionFault
	})
	_, err := c.Read(context.Background(), "ConnectedApp", []string{"App_One"})
	var fault *Fault
	if !errors.As(err, &fault) || fault.Code != "INVALID_SESSION_ID" {
		t.Fatalf("error = %v, want the INVALID_SESSION_ID fault", err)
	}
	if tokens.refreshes != 1 || len(ss.requests) != 2 {
		t.Errorf("refreshes = %d, requests = %d; want 1 and 2", tokens.refreshes, len(ss.requests))
	}
}

func TestSaveResultErrors(t *testing.T) {
	_, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusOK, soapResponse(`<createMetadataResponse><result>` +
			`<errors><fields>contactEmail</fields><fields>label</fields>` +
			`<message>Required fields are missing: [contactEmail, label]</message>` +
			`<statusCode>REQUIRED_FIELD_MISSING</statusCode></errors>` +
			`<errors><message>second problem</message><statusCode>FIELD_INTEGRITY_EXCEPTION</statusCode></errors>` +
			`<fullName>App_One</fullName><success>false</success></result></createMetadataResponse>`)
	})
	results, err := c.Create(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("App_One")})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Success || r.FullName != "App_One" || len(r.Errors) != 2 {
		t.Fatalf("result = %+v", r)
	}
	first := r.Errors[0]
	if first.StatusCode != "REQUIRED_FIELD_MISSING" || first.Message != "Required fields are missing: [contactEmail, label]" ||
		strings.Join(first.Fields, ",") != "contactEmail,label" {
		t.Errorf("first error = %+v", first)
	}
	var saveErr *SaveError
	if !errors.As(r.Err(), &saveErr) || saveErr.FullName != "App_One" || len(saveErr.Errors) != 2 {
		t.Fatalf("Err() = %v", r.Err())
	}
	msg := r.Err().Error()
	for _, want := range []string{"App_One", "REQUIRED_FIELD_MISSING", "contactEmail, label", "FIELD_INTEGRITY_EXCEPTION"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if IsNotFound(r.Err()) {
		t.Error("IsNotFound is true for a validation error")
	}
}

func TestDeleteNotFound(t *testing.T) {
	cases := []struct {
		name    string
		code    string
		message string
		want    bool
	}{
		{"missing component", "INVALID_CROSS_REFERENCE_KEY", "In field: fullName - no ConnectedApp named Missing_App found", true},
		{"other cross reference", "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", false},
		{"other code", "INSUFFICIENT_ACCESS", "no ConnectedApp named Missing_App found", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
				return http.StatusOK, soapResponse(`<deleteMetadataResponse><result><errors><message>` + tc.message +
					`</message><statusCode>` + tc.code + `</statusCode></errors><fullName>Missing_App</fullName>` +
					`<success>false</success></result></deleteMetadataResponse>`)
			})
			results, err := c.Delete(context.Background(), "ConnectedApp", []string{"Missing_App"})
			if err != nil {
				t.Fatal(err)
			}
			if got := IsNotFound(results[0].Err()); got != tc.want {
				t.Errorf("IsNotFound = %v, want %v", got, tc.want)
			}
			if got := ss.requests[0].texts("fullNames"); len(got) != 1 || got[0] != "Missing_App" {
				t.Errorf("fullNames = %q", got)
			}
			if ss.requests[0].envelope.Child("Header").Child("AllOrNoneHeader") == nil {
				t.Error("deleteMetadata lacks AllOrNoneHeader")
			}
		})
	}
}

func TestRename(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusOK, soapResponse(`<renameMetadataResponse><result><fullName>New_Name</fullName>` +
			`<success>true</success></result></renameMetadataResponse>`)
	})
	result, err := c.Rename(context.Background(), "ConnectedApp", "Old_Name", "New_Name")
	if err != nil {
		t.Fatal(err)
	}
	if !result.Success || result.FullName != "New_Name" {
		t.Errorf("result = %+v", result)
	}
	op := ss.requests[0].operation
	var order []string
	for _, ch := range op.Children {
		order = append(order, ch.Name+"="+ch.Text)
	}
	if got := strings.Join(order, " "); got != "type=ConnectedApp oldFullName=Old_Name newFullName=New_Name" {
		t.Errorf("renameMetadata children = %s", got)
	}
}

func TestList(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusOK, soapResponse(`<listMetadataResponse>` +
			`<result><createdById>005xx0000012345AAA</createdById><createdByName>Admin User</createdByName>` +
			`<createdDate>2024-05-01T12:30:45.000Z</createdDate><fileName>connectedApps/App_One.connectedApp</fileName>` +
			`<fullName>App_One</fullName><id>0H4xx0000004C92CAE</id><lastModifiedById>005xx0000012345AAA</lastModifiedById>` +
			`<lastModifiedByName>Integration User</lastModifiedByName><lastModifiedDate>2024-06-02T08:00:00.000Z</lastModifiedDate>` +
			`<manageableState>unmanaged</manageableState><type>ConnectedApp</type></result>` +
			`<result><createdById>005xx</createdById><createdByName>Pkg</createdByName>` +
			`<createdDate>2023-01-01T00:00:00.000Z</createdDate><fileName>connectedApps/ns__Packaged.connectedApp</fileName>` +
			`<fullName>ns__Packaged</fullName><id>0H4xx0000004C93CAE</id><lastModifiedById>005xx</lastModifiedById>` +
			`<lastModifiedByName>Pkg</lastModifiedByName><lastModifiedDate>2023-01-01T00:00:00.000Z</lastModifiedDate>` +
			`<manageableState>installed</manageableState><namespacePrefix>ns</namespacePrefix><type>ConnectedApp</type></result>` +
			`</listMetadataResponse>`)
	})
	list, err := c.List(context.Background(), "ConnectedApp")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("entries = %d, want 2", len(list))
	}
	want := FileProperties{
		ID: "0H4xx0000004C92CAE", FullName: "App_One", FileName: "connectedApps/App_One.connectedApp",
		Type: "ConnectedApp", ManageableState: "unmanaged", CreatedByName: "Admin User",
		LastModifiedByName: "Integration User",
		CreatedDate:        time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC),
		LastModifiedDate:   time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC),
	}
	if got := list[0]; got.ID != want.ID || got.FullName != want.FullName || got.FileName != want.FileName ||
		got.Type != want.Type || got.ManageableState != want.ManageableState || got.CreatedByName != want.CreatedByName ||
		got.LastModifiedByName != want.LastModifiedByName || !got.CreatedDate.Equal(want.CreatedDate) ||
		!got.LastModifiedDate.Equal(want.LastModifiedDate) || got.NamespacePrefix != "" {
		t.Errorf("entry 0 = %+v\nwant      %+v", got, want)
	}
	if list[1].NamespacePrefix != "ns" || list[1].ManageableState != "installed" {
		t.Errorf("entry 1 = %+v", list[1])
	}

	op := ss.requests[0].operation
	if got, _ := op.Child("queries").ChildText("type"); got != "ConnectedApp" {
		t.Errorf("queries/type = %q", got)
	}
	if got, _ := op.ChildText("asOfVersion"); got != "68.0" {
		t.Errorf("asOfVersion = %q", got)
	}
}

func TestErrorStatusWithoutFault(t *testing.T) {
	_, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusBadGateway, "<html><body>Bad gateway</body></html>"
	})
	_, err := c.List(context.Background(), "ConnectedApp")
	var httpErr *HTTPError
	if !errors.As(err, &httpErr) || httpErr.Status != http.StatusBadGateway || httpErr.Operation != "listMetadata" {
		t.Errorf("error = %v, want an HTTPError for listMetadata with status 502", err)
	}
}

func TestResultCountMismatch(t *testing.T) {
	_, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusOK, soapResponse("<deleteMetadataResponse></deleteMetadataResponse>")
	})
	_, err := c.Delete(context.Background(), "ConnectedApp", []string{"A", "B"})
	if err == nil || !strings.Contains(err.Error(), "expected 2 results, got 0") {
		t.Errorf("error = %v, want a result count mismatch", err)
	}
}

func TestIsNotFoundOnlyForTheComponent(t *testing.T) {
	missingApp := &SaveError{FullName: "Missing_App", Errors: []Error{{
		StatusCode: "INVALID_CROSS_REFERENCE_KEY", Message: "In field: fullName - no ConnectedApp named Missing_App found",
	}}}
	missingProfile := &SaveError{FullName: "My_App", Errors: []Error{{
		StatusCode: "INVALID_CROSS_REFERENCE_KEY", Message: "In field: profileName - no Profile named Sales Rep found",
	}}}
	if !IsNotFound(missingApp) {
		t.Error("a missing app is not reported as not found")
	}
	if IsNotFound(missingProfile) {
		t.Error("a missing profile inside the app is reported as the app not found")
	}
}
