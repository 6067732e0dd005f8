package connectedapp

import (
	"sort"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// elementOrder lists the children of each complex type in the order the
// Metadata API WSDL (version 63.0) declares them. A setter inserts a new
// element before the first sibling that comes later in this order; elements
// missing from the list, such as ones from newer API versions, keep their
// place.
var elementOrder = map[string][]string{
	"ConnectedApp": {
		"fullName", "attributes", "canvas", "canvasConfig", "contactEmail", "contactPhone",
		"description", "iconUrl", "infoUrl", "ipRanges", "label", "logoUrl",
		"mobileAppConfig", "mobileStartUrl", "oauthConfig", "oauthPolicy",
		"permissionSetName", "plugin", "pluginExecutionUser", "profileName", "samlConfig",
		"sessionPolicy", "startUrl",
	},
	"oauthConfig": {
		"assetTokenConfig", "callbackUrl", "certificate", "consumerKey", "consumerSecret",
		"idTokenConfig", "isAdminApproved", "isClientCredentialEnabled",
		"isCodeCredentialEnabled", "isCodeCredentialPostOnly", "isConsumerSecretOptional",
		"isIntrospectAllTokens", "isNamedUserJwtEnabled", "isPkceRequired",
		"isRefreshTokenRotationEnabled", "isSecretRequiredForRefreshToken",
		"isSecretRequiredForTokenExchange", "isTokenExchangeEnabled",
		"oauthClientCredentialUser", "scopes", "singleLogoutUrl",
	},
	"oauthPolicy":   {"ipRelaxation", "isTokenExchangeFlowEnabled", "refreshTokenPolicy", "singleLogoutUrl"},
	"sessionPolicy": {"policyAction", "sessionLevel", "sessionTimeout"},
	"attributes":    {"formula", "key"},
	"ipRanges":      {"description", "end", "start"},
	"canvasConfig": {
		"accessMethod", "canvasUrl", "lifecycleClass", "locations", "options", "samlInitiationMethod",
	},
	"mobileAppConfig": {
		"applicationBinaryFile", "applicationBinaryFileName", "applicationBundleIdentifier",
		"applicationFileLength", "applicationIconFile", "applicationIconFileName",
		"applicationInstallUrl", "devicePlatform", "deviceType", "minimumOsVersion", "privateApp",
		"version",
	},
	"samlConfig": {
		"acsUrl", "certificate", "encryptionCertificate", "encryptionType", "entityUrl", "issuer",
		"samlIdpSLOBindingEnum", "samlNameIdFormat", "samlSigningAlgoType", "samlSloUrl",
		"samlSubjectCustomAttr", "samlSubjectType",
	},
	"idTokenConfig": {
		"idTokenAudience", "idTokenIncludeAttributes", "idTokenIncludeCustomPerms",
		"idTokenIncludeStandardClaims", "idTokenValidity",
	},
	"assetTokenConfig": {
		"assetAudiences", "assetIncludeAttributes", "assetIncludeCustomPerms", "assetSigningCertId",
		"assetValidityPeriod",
	},
}

func rank(parent, name string) int {
	for i, n := range elementOrder[parent] {
		if n == name {
			return i
		}
	}
	return -1
}

// insertionIndex returns where a new child named name goes in parent: after
// the last child that the schema orders before it.
func insertionIndex(parent *xmltree.Element, name string) int {
	want := rank(parent.Name, name)
	if want < 0 {
		return len(parent.Children)
	}
	at := 0
	for i, c := range parent.Children {
		r := rank(parent.Name, c.Name)
		if r >= 0 && r <= want {
			at = i + 1
		}
	}
	return at
}

// child returns the first child named name, creating it in schema order
// when it is missing.
func child(parent *xmltree.Element, name string) *xmltree.Element {
	if c := parent.Child(name); c != nil {
		return c
	}
	c := &xmltree.Element{Name: name}
	insertAt(parent, insertionIndex(parent, name), c)
	return c
}

func insertAt(parent *xmltree.Element, at int, els ...*xmltree.Element) {
	tail := append([]*xmltree.Element{}, parent.Children[at:]...)
	parent.Children = append(append(parent.Children[:at], els...), tail...)
}

// setText sets the text of the first child named name, creating it when
// needed. It keeps the text unchanged when value already equals it.
func setText(parent *xmltree.Element, name, value string) {
	c := child(parent, name)
	c.Nil = false
	c.Text = value
}

// removeChild deletes every child named name.
func removeChild(parent *xmltree.Element, name string) {
	if parent != nil {
		parent.RemoveChildren(name)
	}
}

// setList replaces every child named name with one leaf per value, placed
// where the first old one stood, or in schema order when there was none.
func setList(parent *xmltree.Element, name string, values []string) {
	at := -1
	for i, c := range parent.Children {
		if c.Name == name {
			at = i
			break
		}
	}
	parent.RemoveChildren(name)
	if at < 0 {
		at = insertionIndex(parent, name)
	}
	els := make([]*xmltree.Element, len(values))
	for i, v := range values {
		els[i] = xmltree.NewText(name, v)
	}
	insertAt(parent, at, els...)
}

// sortChildren orders the children of el, and of its known complex children,
// as the schema declares them. An element the schema does not list keeps its
// place after the known element it followed. Repeated elements keep their
// relative order.
func sortChildren(el *xmltree.Element, typeName string) {
	if _, ok := elementOrder[typeName]; !ok || len(el.Children) < 2 {
		return
	}
	ranks := make([]int, len(el.Children))
	last := -1
	for i, c := range el.Children {
		if r := rank(typeName, c.Name); r >= 0 {
			last = r
		}
		ranks[i] = last
	}
	idx := make([]int, len(el.Children))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ranks[idx[a]] < ranks[idx[b]] })
	sorted := make([]*xmltree.Element, len(idx))
	for i, j := range idx {
		sorted[i] = el.Children[j]
	}
	el.Children = sorted
	for _, c := range el.Children {
		if _, ok := elementOrder[c.Name]; ok {
			sortChildren(c, c.Name)
		}
	}
}
