package orgsim

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// schemaViolation is a request that the SOAP layer rejects before any
// component is processed: an unknown, misplaced or repeated element.
//
// NOTE: that Salesforce rejects these with a soapenv:Client fault reading
// "Element {ns}x invalid at this location in type T" is unconfirmed.
type schemaViolation struct {
	message string
}

func (e *schemaViolation) Error() string { return e.message }

func invalidAtLocation(name, typeName string) *schemaViolation {
	return &schemaViolation{fmt.Sprintf("Element {%s}%s invalid at this location in type %s", metadataNamespace, name, typeName)}
}

// checkStructure checks that the children of el follow the XSD sequence of
// typeName at every level for the API version. echo is the stored
// counterpart of el, or nil. An element identical to one that echo holds
// is accepted even where the schema does not know it, so that data an org
// already holds can be written back as read. Its position among known
// elements is still checked.
func checkStructure(el *xmltree.Element, typeName string, version float64, echo *xmltree.Element) error {
	seq := complexTypes[typeName]
	last := -1
	for _, c := range el.Children {
		idx := findElementDef(seq, c.Name)
		echoed := hasEqualChild(echo, c)
		if idx < 0 || seq[idx].since > version {
			if echoed {
				continue
			}
			return invalidAtLocation(c.Name, typeName)
		}
		if idx < last || (idx == last && !seq[idx].repeated) {
			return invalidAtLocation(c.Name, typeName)
		}
		last = idx
		def := seq[idx]
		if echoed {
			continue
		}
		if def.kind != kindComplex {
			if len(c.Children) > 0 {
				return invalidAtLocation(c.Children[0].Name, c.Name)
			}
			continue
		}
		if err := checkStructure(c, def.typeName, version, echo.Child(c.Name)); err != nil {
			return err
		}
	}
	return nil
}

// hasValue reports whether el exists and is not xsi:nil.
func hasValue(el *xmltree.Element) bool {
	return el != nil && !el.Nil
}

func hasEqualChild(parent, child *xmltree.Element) bool {
	for _, c := range parent.ChildrenNamed(child.Name) {
		if xmltree.Equal(c, child) {
			return true
		}
	}
	return false
}

// appWrite is a ConnectedApp from createMetadata or updateMetadata after
// validation and normalisation.
type appWrite struct {
	fullName string
	// tree holds the component without fullName, consumerSecret,
	// profileName and permissionSetName.
	tree *xmltree.Element

	consumerKey       string
	hasConsumerKey    bool
	consumerSecret    string
	hasConsumerSecret bool

	profileNames          []string
	hasProfileNames       bool
	permissionSetNames    []string
	hasPermissionSetNames bool
}

var fullNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// validateFullName checks the developer-name rules for a ConnectedApp
// fullName.
//
// NOTE: the 80-character maximum is the usual developer-name limit and is
// unconfirmed for ConnectedApp.
func validateFullName(name string) *saveError {
	if name == "" {
		return &saveError{"REQUIRED_FIELD_MISSING", "Required field is missing: fullName", []string{"fullName"}}
	}
	if len(name) > 80 || !fullNamePattern.MatchString(name) || strings.Contains(name, "__") || strings.HasSuffix(name, "_") {
		return &saveError{"FIELD_INTEGRITY_EXCEPTION", fmt.Sprintf(
			"invalid fullName %q: the name must begin with a letter, contain only letters, digits and underscores, "+
				"contain no two consecutive underscores, not end with an underscore and have at most 80 characters", name),
			[]string{"fullName"}}
	}
	return nil
}

// normalizeWrite validates a component that passed checkStructure and
// returns it in the form the org stores. Leaf text is trimmed of leading and
// trailing white space, elements with xsi:nil or empty text are dropped
// (except an empty profileName or permissionSetName, which clears the
// list), and scopes are renamed, de-duplicated and sorted as reads return
// them. stored is the app's current tree for an update, or nil: elements
// identical to stored ones are kept as they are without value checks, and a
// required element that stored lacks too is not required.
func normalizeWrite(md *xmltree.Element, version float64, stored *xmltree.Element) (*appWrite, []saveError) {
	w := &appWrite{}
	var errs []saveError
	root := &xmltree.Element{Name: "ConnectedApp"}
	for _, c := range md.Children {
		switch c.Name {
		case "fullName":
			w.fullName = strings.TrimSpace(c.Text)
			continue
		case "profileName":
			w.hasProfileNames = true
			w.profileNames = append(w.profileNames, strings.TrimSpace(c.Text))
			continue
		case "permissionSetName":
			w.hasPermissionSetNames = true
			w.permissionSetNames = append(w.permissionSetNames, strings.TrimSpace(c.Text))
			continue
		}
		root.Children = append(root.Children, c)
	}
	w.tree, errs = normalizeElement(root, "ConnectedApp", version, stored)

	if oauth := w.tree.Child("oauthConfig"); oauth != nil {
		if key := oauth.Child("consumerKey"); key != nil {
			w.consumerKey, w.hasConsumerKey = key.Text, true
		}
		if secret := oauth.Child("consumerSecret"); secret != nil {
			w.consumerSecret, w.hasConsumerSecret = secret.Text, true
			oauth.RemoveChildren("consumerSecret")
		}
		var scopes []string
		for _, s := range oauth.ChildrenNamed("scopes") {
			scopes = append(scopes, s.Text)
		}
		if len(scopes) > 0 {
			replaceRun(oauth, "ConnectedAppOauthConfig", "scopes", textElements("scopes", canonicalScopes(scopes)))
		}
	}
	errs = append(errs, checkNameList("profileName", w.profileNames)...)
	errs = append(errs, checkNameList("permissionSetName", w.permissionSetNames)...)
	if isBlankList(w.profileNames) {
		w.profileNames = nil
	}
	if isBlankList(w.permissionSetNames) {
		w.permissionSetNames = nil
	}
	return w, errs
}

// checkNameList checks a written profileName or permissionSetName list:
// either one empty element, which clears the list, or non-empty names.
func checkNameList(field string, names []string) []saveError {
	if len(names) == 0 || isBlankList(names) {
		return nil
	}
	for _, n := range names {
		if n == "" {
			return []saveError{{"FIELD_INTEGRITY_EXCEPTION",
				field + ": an empty entry is allowed only as the single element that clears the list", []string{field}}}
		}
	}
	return nil
}

// normalizeElement returns a normalised copy of el, an element of complex
// type typeName, and the value errors found in it. stored is the stored
// counterpart of el, or nil.
func normalizeElement(el *xmltree.Element, typeName string, version float64, stored *xmltree.Element) (*xmltree.Element, []saveError) {
	seq := complexTypes[typeName]
	out := &xmltree.Element{Name: el.Name, Type: el.Type}
	var errs []saveError
	for _, c := range el.Children {
		idx := findElementDef(seq, c.Name)
		if idx < 0 || hasEqualChild(stored, c) {
			// Data the org already holds, written back as read.
			out.Children = append(out.Children, c.Clone())
			continue
		}
		def := seq[idx]
		if c.Nil {
			continue
		}
		if def.kind == kindComplex {
			child, childErrs := normalizeElement(c, def.typeName, version, stored.Child(c.Name))
			out.Children = append(out.Children, child)
			errs = append(errs, childErrs...)
			continue
		}
		value := strings.TrimSpace(c.Text)
		if value == "" {
			continue
		}
		if err := checkValue(typeName, def, value, version); err != nil {
			errs = append(errs, *err)
		}
		out.Children = append(out.Children, xmltree.NewText(c.Name, value))
	}
	for _, def := range seq {
		if stored != nil && !hasValue(stored.Child(def.name)) {
			continue
		}
		if def.required && def.since <= version && out.Child(def.name) == nil {
			errs = append(errs, saveError{"REQUIRED_FIELD_MISSING", "Required field is missing: " + def.name, []string{def.name}})
		}
	}
	if typeName == "ConnectedAppIpRange" {
		errs = append(errs, checkIPRange(out)...)
	}
	return out, errs
}

func invalidValue(field, value, expected string) *saveError {
	return &saveError{"FIELD_INTEGRITY_EXCEPTION",
		fmt.Sprintf("%s: invalid value %q; expected %s", field, value, expected), []string{field}}
}

// Value sets of string-typed fields that the XSD does not restrict.
var (
	ipRelaxationValues = []string{"ENFORCE", "ENFORCE_RELAXREFRESH", "BYPASS_2FACTOR", "BYPASS"}
	policyActionValues = []string{"Block", "RaiseSessionLevel"}
	// NOTE: the literals sessionLevel accepts are unconfirmed; these are
	// the SessionSecurityLevel values STANDARD and HIGH_ASSURANCE.
	sessionLevelValues = []string{"STANDARD", "HIGH_ASSURANCE"}
	// NOTE: the session timeouts the API accepts are unconfirmed; these are
	// the Setup choices in minutes, which include every value seen in
	// retrieved files.
	sessionTimeoutValues = []string{"15", "30", "60", "120", "240", "480", "720", "1440"}
)

var refreshTokenPolicyPattern = regexp.MustCompile(`^(specific_lifetime|specific_inactivity):([1-9][0-9]*):(HOURS|DAYS|MONTHS)$`)

// checkValue checks one trimmed leaf value against its XSD type and the
// documented value rules of its field.
//
// NOTE: Salesforce may reject a bad XSD-typed value (enum, boolean, int)
// with a SOAP parse fault instead of a SaveResult error. That is
// unconfirmed, so the org reports all of them as SaveResult errors.
func checkValue(typeName string, def elementDef, value string, version float64) *saveError {
	switch def.kind {
	case kindBoolean:
		if value != "true" && value != "false" {
			return invalidValue(def.name, value, "true or false")
		}
	case kindInt:
		if _, err := strconv.ParseInt(value, 10, 32); err != nil {
			return invalidValue(def.name, value, "an integer")
		}
	case kindBase64:
		if _, err := base64.StdEncoding.DecodeString(value); err != nil {
			return invalidValue(def.name, value, "base64 data")
		}
	case kindEnum:
		if !contains(def.enum, value) {
			return invalidValue(def.name, value, "one of "+strings.Join(def.enum, ", "))
		}
		if def.name == "scopes" && scopeSince[value] > version {
			return invalidValue(def.name, value, fmt.Sprintf("a scope that API version %.1f has", version))
		}
	}
	return checkFieldRule(typeName, def.name, value)
}

// checkFieldRule applies the rules of individual fields beyond their XSD
// type.
func checkFieldRule(typeName, name, value string) *saveError {
	switch typeName + "." + name {
	case "ConnectedApp.contactEmail":
		if !looksLikeEmail(value) {
			// NOTE: the exact text of Salesforce's email check is unconfirmed.
			return &saveError{"INVALID_EMAIL_ADDRESS", fmt.Sprintf("contactEmail: invalid email address: %s", value), []string{name}}
		}
	case "ConnectedApp.logoUrl":
		if !strings.HasPrefix(value, "https://") {
			return invalidValue(name, value, "an https:// URL")
		}
	case "ConnectedAppOauthPolicy.ipRelaxation":
		if !contains(ipRelaxationValues, value) {
			return invalidValue(name, value, "one of "+strings.Join(ipRelaxationValues, ", "))
		}
	case "ConnectedAppOauthPolicy.refreshTokenPolicy":
		if value != "zero" && value != "infinite" && !refreshTokenPolicyPattern.MatchString(value) {
			// NOTE: the allowed range of N is unconfirmed; any positive
			// integer is accepted.
			return invalidValue(name, value, "zero, infinite, specific_lifetime:N:UNIT or specific_inactivity:N:UNIT "+
				"with N a positive integer and UNIT one of HOURS, DAYS, MONTHS")
		}
	case "ConnectedAppSessionPolicy.policyAction":
		if !contains(policyActionValues, value) {
			return invalidValue(name, value, "one of "+strings.Join(policyActionValues, ", "))
		}
	case "ConnectedAppSessionPolicy.sessionLevel":
		if !contains(sessionLevelValues, value) {
			return invalidValue(name, value, "one of "+strings.Join(sessionLevelValues, ", "))
		}
	case "ConnectedAppSessionPolicy.sessionTimeout":
		if !contains(sessionTimeoutValues, value) {
			return invalidValue(name, value, "one of "+strings.Join(sessionTimeoutValues, ", ")+" minutes")
		}
	case "ConnectedAppOauthIdToken.idTokenValidity":
		// NOTE: the documentation gives 1-720 minutes, but retrieved files
		// hold 0, so 0 is accepted as well.
		if n, _ := strconv.Atoi(value); n < 0 || n > 720 {
			return invalidValue(name, value, "0 to 720 minutes")
		}
	case "ConnectedAppOauthAssetToken.assetValidityPeriod":
		if n, _ := strconv.Atoi(value); n <= 0 {
			return invalidValue(name, value, "a positive number of seconds")
		}
	case "ConnectedAppMobileDetailConfig.applicationFileLength":
		if n, _ := strconv.Atoi(value); n < 0 {
			return invalidValue(name, value, "a non-negative length")
		}
	case "ConnectedAppIpRange.start", "ConnectedAppIpRange.end":
		if _, err := netip.ParseAddr(value); err != nil {
			return invalidValue(name, value, "an IPv4 or IPv6 address")
		}
	}
	return nil
}

// checkIPRange checks that start is not after end. Both parsed already, or
// an error was recorded for them.
//
// NOTE: the status code and text for a reversed or mixed-family range are
// unconfirmed.
func checkIPRange(r *xmltree.Element) []saveError {
	startText, _ := r.ChildText("start")
	endText, _ := r.ChildText("end")
	start, errStart := netip.ParseAddr(startText)
	end, errEnd := netip.ParseAddr(endText)
	if errStart != nil || errEnd != nil {
		return nil
	}
	if start.Is4() != end.Is4() || start.Compare(end) > 0 {
		return []saveError{{"FIELD_INTEGRITY_EXCEPTION",
			fmt.Sprintf("ipRanges: start %s must not be after end %s, and both must be of one address family", start, end),
			[]string{"start", "end"}}}
	}
	return nil
}

func looksLikeEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t\r\n,;<>") {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// isCredentialValue reports whether s is 8 to 256 letters and digits, the
// documented form of a supplied consumer key or secret.
func isCredentialValue(s string) bool {
	if len(s) < 8 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlphanumeric(s[i]) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
