package connectedapp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// IP relaxation values of oauthPolicy.ipRelaxation.
const (
	IPRelaxationEnforce             = "ENFORCE"
	IPRelaxationEnforceRelaxRefresh = "ENFORCE_RELAXREFRESH"
	IPRelaxationBypassSecondFactor  = "BYPASS_2FACTOR"
	IPRelaxationBypass              = "BYPASS"
)

// Refresh token policy kinds, the first field of oauthPolicy.refreshTokenPolicy.
const (
	RefreshTokenInfinite           = "infinite"
	RefreshTokenZero               = "zero"
	RefreshTokenSpecificLifetime   = "specific_lifetime"
	RefreshTokenSpecificInactivity = "specific_inactivity"
)

// Session policy values.
const (
	SessionLevelHighAssurance = "HIGH_ASSURANCE"
	PolicyActionRaiseLevel    = "RaiseSessionLevel"
	PolicyActionBlock         = "Block"
)

// RefreshTokenPolicy is the parsed form of oauthPolicy.refreshTokenPolicy:
// "infinite", "zero", or "specific_lifetime:N:UNIT" and
// "specific_inactivity:N:UNIT" with UNIT one of HOURS, DAYS and MONTHS.
type RefreshTokenPolicy struct {
	Kind   string
	Period int
	Unit   string
}

// ParseRefreshTokenPolicy parses the metadata form of a refresh token policy.
func ParseRefreshTokenPolicy(s string) (RefreshTokenPolicy, error) {
	s = strings.TrimSpace(s)
	switch s {
	case RefreshTokenInfinite, RefreshTokenZero:
		return RefreshTokenPolicy{Kind: s}, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 || (parts[0] != RefreshTokenSpecificLifetime && parts[0] != RefreshTokenSpecificInactivity) {
		return RefreshTokenPolicy{}, fmt.Errorf("invalid refresh token policy %q: expected infinite, zero, "+
			"specific_lifetime:N:UNIT or specific_inactivity:N:UNIT", s)
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n <= 0 {
		return RefreshTokenPolicy{}, fmt.Errorf("invalid refresh token policy %q: the period must be a positive whole number", s)
	}
	switch parts[2] {
	case "HOURS", "DAYS", "MONTHS":
	default:
		return RefreshTokenPolicy{}, fmt.Errorf("invalid refresh token policy %q: the unit must be HOURS, DAYS or MONTHS", s)
	}
	return RefreshTokenPolicy{Kind: parts[0], Period: n, Unit: parts[2]}, nil
}

// String returns the metadata form of p.
func (p RefreshTokenPolicy) String() string {
	if p.Kind == RefreshTokenSpecificLifetime || p.Kind == RefreshTokenSpecificInactivity {
		return fmt.Sprintf("%s:%d:%s", p.Kind, p.Period, p.Unit)
	}
	return p.Kind
}

// HasOAuthPolicy reports whether the component holds an oauthPolicy element.
// Apps saved before API 49.0 have none, and Salesforce then applies the
// defaults ENFORCE and infinite.
func (a *App) HasOAuthPolicy() bool {
	return a.root.Child("oauthPolicy") != nil
}

// IPRelaxation returns oauthPolicy.ipRelaxation, or ENFORCE, the documented
// default, when it is absent.
func (a *App) IPRelaxation() string {
	text, ok := a.root.Child("oauthPolicy").ChildText("ipRelaxation")
	if !ok || strings.TrimSpace(text) == "" {
		return IPRelaxationEnforce
	}
	return strings.TrimSpace(text)
}

// RefreshTokenPolicy returns the parsed oauthPolicy.refreshTokenPolicy, or
// infinite, the documented default, when it is absent.
func (a *App) RefreshTokenPolicy() (RefreshTokenPolicy, error) {
	text, ok := a.root.Child("oauthPolicy").ChildText("refreshTokenPolicy")
	if !ok || strings.TrimSpace(text) == "" {
		return RefreshTokenPolicy{Kind: RefreshTokenInfinite}, nil
	}
	return ParseRefreshTokenPolicy(text)
}

// SetOAuthPolicy sets both required elements of oauthPolicy, creating the
// block when the app has none. Values that already hold keep the org's text.
func (a *App) SetOAuthPolicy(ipRelaxation string, refresh RefreshTokenPolicy) {
	policy := child(a.root, "oauthPolicy")
	if a.IPRelaxation() != ipRelaxation || policy.Child("ipRelaxation") == nil {
		setText(policy, "ipRelaxation", ipRelaxation)
	}
	current, err := a.RefreshTokenPolicy()
	if err != nil || current != refresh || policy.Child("refreshTokenPolicy") == nil {
		setText(policy, "refreshTokenPolicy", refresh.String())
	}
}

func (a *App) sessionPolicy() *xmltree.Element {
	return a.root.Child("sessionPolicy")
}

// HighAssuranceRequired reports whether sessionPolicy.sessionLevel requires a
// high assurance session.
func (a *App) HighAssuranceRequired() bool {
	text, _ := a.sessionPolicy().ChildText("sessionLevel")
	return strings.TrimSpace(text) == SessionLevelHighAssurance
}

// PolicyAction returns sessionPolicy.policyAction and whether it is present.
func (a *App) PolicyAction() (string, bool) {
	text, ok := optionalText(a.sessionPolicy(), "policyAction")
	return strings.TrimSpace(text), ok && strings.TrimSpace(text) != ""
}

// SessionTimeout returns sessionPolicy.sessionTimeout in minutes and whether
// the app sets one.
func (a *App) SessionTimeout() (int, bool) {
	text, ok := optionalText(a.sessionPolicy(), "sessionTimeout")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return 0, false
	}
	return n, true
}

// SetSessionPolicy sets the high assurance requirement, its action and the
// session timeout. Without high assurance, sessionLevel and policyAction are
// removed, which is how retrieved apps without the requirement look; a
// sessionPolicy left empty is removed too.
//
// NOTE: whether updateMetadata clears an element that the request omits, or
// keeps the stored value, is not documented. The provider always sends the
// whole component, so this is correct if updates replace it.
func (a *App) SetSessionPolicy(highAssurance bool, action string, timeout *int) {
	policy := a.sessionPolicy()
	if policy == nil {
		if !highAssurance && timeout == nil {
			return
		}
		policy = child(a.root, "sessionPolicy")
	}
	if highAssurance {
		if current, _ := a.PolicyAction(); current != action {
			setText(policy, "policyAction", action)
		}
		if !a.HighAssuranceRequired() {
			setText(policy, "sessionLevel", SessionLevelHighAssurance)
		}
	} else {
		removeChild(policy, "policyAction")
		removeChild(policy, "sessionLevel")
	}
	if timeout == nil {
		removeChild(policy, "sessionTimeout")
	} else if current, ok := a.SessionTimeout(); !ok || current != *timeout {
		setText(policy, "sessionTimeout", strconv.Itoa(*timeout))
	}
	if len(policy.Children) == 0 {
		removeChild(a.root, "sessionPolicy")
	}
}
