package connectedapp

import (
	"strconv"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// Label returns the display name of the app.
func (a *App) Label() string {
	text, _ := a.root.ChildText("label")
	return text
}

// SetLabel sets the display name of the app.
func (a *App) SetLabel(v string) { setTextIfChanged(a.root, "label", v) }

// ContactEmail returns the contact address of the app.
func (a *App) ContactEmail() string {
	text, _ := a.root.ChildText("contactEmail")
	return text
}

// SetContactEmail sets the contact address of the app.
func (a *App) SetContactEmail(v string) { setTextIfChanged(a.root, "contactEmail", v) }

// Description returns the description and whether the element is present.
func (a *App) Description() (string, bool) {
	return optionalText(a.root, "description")
}

// SetDescription sets the description; nil removes the element.
func (a *App) SetDescription(v *string) { setOptionalText(a.root, "description", v) }

// HasOAuth reports whether the app has OAuth settings enabled, which the
// Metadata API shows as the presence of oauthConfig.
func (a *App) HasOAuth() bool {
	return a.root.Child("oauthConfig") != nil
}

// RemoveOAuth deletes oauthConfig and with it the app's OAuth settings.
func (a *App) RemoveOAuth() {
	removeChild(a.root, "oauthConfig")
}

func (a *App) oauth() *xmltree.Element {
	return child(a.root, "oauthConfig")
}

// CallbackURLs returns the callback URLs, split on line breaks (LF or CRLF)
// in the order the org stores them.
func (a *App) CallbackURLs() []string {
	text, _ := a.root.Child("oauthConfig").ChildText("callbackUrl")
	return SplitCallbackURLs(text)
}

// SetCallbackURLs stores urls one per line. When they equal what the org
// holds, the org's text, with its own line breaks, is kept.
func (a *App) SetCallbackURLs(urls []string) {
	if equalStrings(a.CallbackURLs(), urls) && (len(urls) == 0 || a.root.Child("oauthConfig").Child("callbackUrl") != nil) {
		return
	}
	setText(a.oauth(), "callbackUrl", strings.Join(urls, "\n"))
}

// Scopes returns the OAuth scopes as the org lists them.
func (a *App) Scopes() []string {
	return texts(a.root.Child("oauthConfig").ChildrenNamed("scopes"))
}

// SetScopes stores scopes. When they name the same set as the org's list once
// aliases are folded, the org's list is kept. Otherwise they are written in
// the order of the scope enumeration.
func (a *App) SetScopes(scopes []string) {
	if equalStrings(setOf(NormalizeScopes(a.Scopes())), setOf(NormalizeScopes(scopes))) {
		return
	}
	setList(a.oauth(), "scopes", orderScopes(scopes))
}

// Certificate returns the JWT signing certificate and whether it is present.
func (a *App) Certificate() (string, bool) {
	return optionalText(a.root.Child("oauthConfig"), "certificate")
}

// SetCertificate sets the certificate; nil removes one that holds a value,
// as SetText does. A certificate equal to the org's once PEM armour and
// whitespace are ignored keeps the org's text.
func (a *App) SetCertificate(v *string) {
	if v != nil {
		if old, ok := a.Certificate(); ok && NormalizeCertificate(old) == NormalizeCertificate(*v) {
			return
		}
	}
	if v == nil && a.root.Child("oauthConfig") == nil {
		return
	}
	a.SetText("oauthConfig.certificate", v)
}

// ConsumerKey returns the OAuth consumer key (client_id).
func (a *App) ConsumerKey() string {
	text, _ := a.root.Child("oauthConfig").ChildText("consumerKey")
	return text
}

// SetConsumerKey sets the consumer key. Salesforce accepts one only when the
// app is created.
func (a *App) SetConsumerKey(v string) { setText(a.oauth(), "consumerKey", v) }

// SetConsumerSecret sets the consumer secret. Salesforce accepts one only when
// the app is created and never returns it.
func (a *App) SetConsumerSecret(v string) { setText(a.oauth(), "consumerSecret", v) }

// RemoveConsumerSecret deletes a consumer secret from the component, so that
// it is never sent after creation.
func (a *App) RemoveConsumerSecret() {
	removeChild(a.root.Child("oauthConfig"), "consumerSecret")
}

// IsAdminApproved reports oauthConfig.isAdminApproved: true when only users
// whose profile or permission set is granted the app may use it. Absent means
// false, the documented default.
func (a *App) IsAdminApproved() bool {
	return boolText(a.root.Child("oauthConfig"), "isAdminApproved", false)
}

// SetAdminApproved sets oauthConfig.isAdminApproved.
func (a *App) SetAdminApproved(v bool) {
	setBool(a.oauth(), "isAdminApproved", v, false)
}

// Profiles returns the profileName list: profile names as Setup shows them.
func (a *App) Profiles() []string {
	return nonEmpty(texts(a.root.ChildrenNamed("profileName")))
}

// SetProfiles replaces the profileName list. An empty list is written as one
// empty element, which the Metadata API documents as removing every profile.
func (a *App) SetProfiles(names []string) { setGrantList(a.root, "profileName", names) }

// PermissionSets returns the permissionSetName list.
func (a *App) PermissionSets() []string {
	return nonEmpty(texts(a.root.ChildrenNamed("permissionSetName")))
}

// SetPermissionSets replaces the permissionSetName list, as SetProfiles does.
func (a *App) SetPermissionSets(names []string) { setGrantList(a.root, "permissionSetName", names) }

func setGrantList(root *xmltree.Element, name string, values []string) {
	if len(values) == 0 {
		values = []string{""}
	}
	setList(root, name, values)
}

func optionalText(parent *xmltree.Element, name string) (string, bool) {
	c := parent.Child(name)
	if c == nil || c.Nil {
		return "", false
	}
	return c.Text, true
}

func setOptionalText(parent *xmltree.Element, name string, v *string) {
	if v == nil {
		removeChild(parent, name)
		return
	}
	setTextIfChanged(parent, name, *v)
}

// setTextIfChanged leaves the element alone when its text already equals v
// once both are trimmed, because the Metadata API trims strings on save.
func setTextIfChanged(parent *xmltree.Element, name, v string) {
	if c := parent.Child(name); c != nil && !c.Nil && strings.TrimSpace(c.Text) == strings.TrimSpace(v) {
		return
	}
	setText(parent, name, v)
}

func boolText(parent *xmltree.Element, name string, def bool) bool {
	text, ok := parent.ChildText(name)
	if !ok {
		return def
	}
	v, err := strconv.ParseBool(strings.TrimSpace(text))
	if err != nil {
		return def
	}
	return v
}

// setBool writes v unless the element is absent and v is the default, so an
// app that never had the flag keeps not having it.
func setBool(parent *xmltree.Element, name string, v, def bool) {
	if parent.Child(name) == nil && v == def {
		return
	}
	if boolText(parent, name, def) == v && parent.Child(name) != nil {
		return
	}
	setText(parent, name, strconv.FormatBool(v))
}

func texts(els []*xmltree.Element) []string {
	out := make([]string, 0, len(els))
	for _, e := range els {
		out = append(out, e.Text)
	}
	return out
}

func nonEmpty(values []string) []string {
	out := values[:0]
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
