package connectedapp

import (
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// Top-level elements that Manage Connected Apps edits besides the policies.
const (
	ElementStartURL            = "startUrl"
	ElementMobileStartURL      = "mobileStartUrl"
	ElementPlugin              = "plugin"
	ElementPluginExecutionUser = "pluginExecutionUser"
)

// TopText returns a top-level text element and whether it is present.
func (a *App) TopText(name string) (string, bool) {
	return optionalText(a.root, name)
}

// SetTopText sets a top-level text element; nil removes it.
func (a *App) SetTopText(name string, v *string) {
	setOptionalText(a.root, name, v)
}

// ClientCredentialUser returns oauthConfig.oauthClientCredentialUser, the
// user the client credentials flow runs as, and whether it is present.
func (a *App) ClientCredentialUser() (string, bool) {
	return optionalText(a.root.Child("oauthConfig"), "oauthClientCredentialUser")
}

// SetClientCredentialUser sets oauthConfig.oauthClientCredentialUser; nil
// removes it.
func (a *App) SetClientCredentialUser(v *string) {
	if v == nil && a.root.Child("oauthConfig") == nil {
		return
	}
	setOptionalText(a.oauth(), "oauthClientCredentialUser", v)
}

// ClientCredentialsEnabled reports oauthConfig.isClientCredentialEnabled,
// false when absent.
func (a *App) ClientCredentialsEnabled() bool {
	return boolText(a.root.Child("oauthConfig"), "isClientCredentialEnabled", false)
}

// PolicySingleLogoutURL returns oauthPolicy.singleLogoutUrl and whether it
// is present.
func (a *App) PolicySingleLogoutURL() (string, bool) {
	return optionalText(a.root.Child("oauthPolicy"), "singleLogoutUrl")
}

// SetPolicySingleLogoutURL sets oauthPolicy.singleLogoutUrl; nil removes it.
// The caller sets the required oauthPolicy elements with SetOAuthPolicy.
func (a *App) SetPolicySingleLogoutURL(v *string) {
	if v == nil && a.root.Child("oauthPolicy") == nil {
		return
	}
	setOptionalText(child(a.root, "oauthPolicy"), "singleLogoutUrl", v)
}

// TokenExchangeFlowEnabled reports oauthPolicy.isTokenExchangeFlowEnabled,
// false when absent.
func (a *App) TokenExchangeFlowEnabled() bool {
	return boolText(a.root.Child("oauthPolicy"), "isTokenExchangeFlowEnabled", false)
}

// SetTokenExchangeFlowEnabled sets oauthPolicy.isTokenExchangeFlowEnabled.
func (a *App) SetTokenExchangeFlowEnabled(v bool) {
	if a.root.Child("oauthPolicy") == nil && !v {
		return
	}
	setBool(child(a.root, "oauthPolicy"), "isTokenExchangeFlowEnabled", v, false)
}

// IPRange is one trusted IP range of the app (ipRanges), both ends
// inclusive.
type IPRange struct {
	Start, End, Description string
}

// IPRanges returns the app's trusted IP ranges in the order the org lists
// them.
func (a *App) IPRanges() []IPRange {
	var out []IPRange
	for _, el := range a.root.ChildrenNamed("ipRanges") {
		start, _ := el.ChildText("start")
		end, _ := el.ChildText("end")
		desc, _ := el.ChildText("description")
		out = append(out, IPRange{
			Start:       strings.TrimSpace(start),
			End:         strings.TrimSpace(end),
			Description: strings.TrimSpace(desc),
		})
	}
	return out
}

// SetIPRanges replaces the trusted IP ranges. Ranges equal to the org's as a
// set keep the org's elements and order.
func (a *App) SetIPRanges(ranges []IPRange) {
	if sameIPRanges(a.IPRanges(), ranges) {
		return
	}
	at := -1
	for i, c := range a.root.Children {
		if c.Name == "ipRanges" {
			at = i
			break
		}
	}
	a.root.RemoveChildren("ipRanges")
	if at < 0 {
		at = insertionIndex(a.root, "ipRanges")
	}
	els := make([]*xmltree.Element, 0, len(ranges))
	for _, r := range ranges {
		el := &xmltree.Element{Name: "ipRanges"}
		if r.Description != "" {
			el.Children = append(el.Children, xmltree.NewText("description", r.Description))
		}
		el.Children = append(el.Children, xmltree.NewText("end", r.End), xmltree.NewText("start", r.Start))
		els = append(els, el)
	}
	insertAt(a.root, at, els...)
}

func sameIPRanges(a, b []IPRange) bool {
	if len(a) != len(b) {
		return false
	}
	count := make(map[IPRange]int, len(a))
	for _, r := range a {
		count[r]++
	}
	for _, r := range b {
		count[r]--
		if count[r] < 0 {
			return false
		}
	}
	return true
}
