package provider

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

type connectedAppPolicyModel struct {
	ID                           types.String   `tfsdk:"id"`
	ConnectedApp                 types.String   `tfsdk:"connected_app"`
	PermittedUsers               types.String   `tfsdk:"permitted_users"`
	IPRelaxation                 types.String   `tfsdk:"ip_relaxation"`
	RefreshTokenPolicy           types.String   `tfsdk:"refresh_token_policy"`
	RefreshTokenValidityPeriod   types.Int64    `tfsdk:"refresh_token_validity_period"`
	RefreshTokenValidityUnit     types.String   `tfsdk:"refresh_token_validity_unit"`
	HighAssuranceSessionRequired types.Bool     `tfsdk:"high_assurance_session_required"`
	HighAssuranceAction          types.String   `tfsdk:"high_assurance_action"`
	SessionTimeoutMinutes        types.Int64    `tfsdk:"session_timeout_minutes"`
	ClientCredentialsRunAs       types.String   `tfsdk:"client_credentials_run_as"`
	IPRanges                     types.Set      `tfsdk:"ip_ranges"`
	StartURL                     types.String   `tfsdk:"start_url"`
	MobileStartURL               types.String   `tfsdk:"mobile_start_url"`
	Plugin                       types.String   `tfsdk:"plugin"`
	PluginExecutionUser          types.String   `tfsdk:"plugin_execution_user"`
	SingleLogoutURL              types.String   `tfsdk:"single_logout_url"`
	TokenExchangeFlowEnabled     types.Bool     `tfsdk:"token_exchange_flow_enabled"`
	AllowSelfLockout             types.Bool     `tfsdk:"allow_self_lockout"`
	ResetOnDestroy               types.Bool     `tfsdk:"reset_on_destroy"`
	Timeouts                     timeouts.Value `tfsdk:"timeouts"`
}

type ipRangeModel struct {
	Start       types.String `tfsdk:"start"`
	End         types.String `tfsdk:"end"`
	Description types.String `tfsdk:"description"`
}

var ipRangeAttrTypes = map[string]attr.Type{
	"start":       types.StringType,
	"end":         types.StringType,
	"description": types.StringType,
}

// optionalTexts pairs the optional top-level text attributes with their
// elements.
func (m *connectedAppPolicyModel) optionalTexts() []struct {
	attribute string
	element   string
	value     *types.String
} {
	return []struct {
		attribute string
		element   string
		value     *types.String
	}{
		{"start_url", connectedapp.ElementStartURL, &m.StartURL},
		{"mobile_start_url", connectedapp.ElementMobileStartURL, &m.MobileStartURL},
		{"plugin", connectedapp.ElementPlugin, &m.Plugin},
		{"plugin_execution_user", connectedapp.ElementPluginExecutionUser, &m.PluginExecutionUser},
	}
}

// enumMapping pairs Terraform values with the Metadata API values they stand
// for, in the order the documentation lists them.
type enumMapping [][2]string

func (m enumMapping) terraform() []string {
	out := make([]string, len(m))
	for i, pair := range m {
		out[i] = pair[0]
	}
	return out
}

func (m enumMapping) toAPI(v string) string {
	for _, pair := range m {
		if pair[0] == v {
			return pair[1]
		}
	}
	return v
}

// fromAPI maps an org value back. A value the provider does not know is shown
// in lower case, so that the plan shows it as a change.
func (m enumMapping) fromAPI(v string) string {
	for _, pair := range m {
		if pair[1] == v {
			return pair[0]
		}
	}
	return strings.ToLower(v)
}

var (
	permittedUsersValues = enumMapping{{"all_users", "false"}, {"admin_approved", "true"}}
	ipRelaxationValues   = enumMapping{
		{"enforce", connectedapp.IPRelaxationEnforce},
		{"enforce_relax_refresh", connectedapp.IPRelaxationEnforceRelaxRefresh},
		{"relax_with_second_factor", connectedapp.IPRelaxationBypassSecondFactor},
		{"relax", connectedapp.IPRelaxationBypass},
	}
	refreshTokenPolicyValues = enumMapping{
		{"valid_until_revoked", connectedapp.RefreshTokenInfinite},
		{"expire_immediately", connectedapp.RefreshTokenZero},
		{"expire_after", connectedapp.RefreshTokenSpecificLifetime},
		{"expire_if_unused", connectedapp.RefreshTokenSpecificInactivity},
	}
	refreshTokenUnitValues = enumMapping{{"hours", "HOURS"}, {"days", "DAYS"}, {"months", "MONTHS"}}
	policyActionValues     = enumMapping{
		{"raise_session_level", connectedapp.PolicyActionRaiseLevel},
		{"block", connectedapp.PolicyActionBlock},
	}
)

// validate checks the rules that tie attributes together. Unknown values are
// skipped; they are checked again when known.
func (m *connectedAppPolicyModel) validate() diag.Diagnostics {
	var diags diag.Diagnostics
	const summary = "Invalid connected app policy"

	policy := m.RefreshTokenPolicy
	if !policy.IsUnknown() {
		needsPeriod := policy.ValueString() == "expire_after" || policy.ValueString() == "expire_if_unused"
		shown := policy.ValueString()
		if policy.IsNull() {
			shown = "valid_until_revoked"
		}
		for _, a := range []struct {
			name string
			null bool
			unk  bool
		}{
			{"refresh_token_validity_period", m.RefreshTokenValidityPeriod.IsNull(), m.RefreshTokenValidityPeriod.IsUnknown()},
			{"refresh_token_validity_unit", m.RefreshTokenValidityUnit.IsNull(), m.RefreshTokenValidityUnit.IsUnknown()},
		} {
			switch {
			case a.unk:
			case needsPeriod && a.null:
				diags.AddAttributeError(path.Root(a.name), summary, fmt.Sprintf("refresh_token_policy = %q needs "+
					"%s. Set refresh_token_validity_period (a positive whole number) and "+
					"refresh_token_validity_unit (hours, days or months).", shown, a.name))
			case !needsPeriod && !a.null:
				diags.AddAttributeError(path.Root(a.name), summary, fmt.Sprintf("%s applies only when "+
					"refresh_token_policy is \"expire_after\" or \"expire_if_unused\", but it is %q. Remove %s "+
					"or change refresh_token_policy.", a.name, shown, a.name))
			}
		}
	}

	diags.Append(m.validateIPRanges(context.Background())...)

	required := m.HighAssuranceSessionRequired
	action := m.HighAssuranceAction
	if !required.IsUnknown() && !action.IsUnknown() {
		switch {
		case required.ValueBool() && action.IsNull():
			diags.AddAttributeError(path.Root("high_assurance_action"), summary, "high_assurance_session_required "+
				"is true, so high_assurance_action must say what happens to a session below high assurance: "+
				"\"raise_session_level\" or \"block\".")
		case !required.ValueBool() && !action.IsNull():
			diags.AddAttributeError(path.Root("high_assurance_action"), summary, fmt.Sprintf("high_assurance_action "+
				"= %q applies only when high_assurance_session_required is true. Remove high_assurance_action "+
				"or set high_assurance_session_required = true.", action.ValueString()))
		}
	}
	return diags
}

// validateIPRanges checks that each range has two addresses of one family,
// the start not after the end.
func (m *connectedAppPolicyModel) validateIPRanges(ctx context.Context) diag.Diagnostics {
	var diags diag.Diagnostics
	if m.IPRanges.IsNull() || m.IPRanges.IsUnknown() {
		return diags
	}
	var ranges []ipRangeModel
	diags.Append(m.IPRanges.ElementsAs(ctx, &ranges, false)...)
	for _, r := range ranges {
		if r.Start.IsUnknown() || r.End.IsUnknown() {
			continue
		}
		start, errStart := netip.ParseAddr(r.Start.ValueString())
		end, errEnd := netip.ParseAddr(r.End.ValueString())
		switch {
		case errStart != nil:
			diags.AddAttributeError(path.Root("ip_ranges"), "Invalid IP range", fmt.Sprintf("start = %q is "+
				"not an IP address. Write it as an IPv4 or IPv6 address, such as 203.0.113.10.", r.Start.ValueString()))
		case errEnd != nil:
			diags.AddAttributeError(path.Root("ip_ranges"), "Invalid IP range", fmt.Sprintf("end = %q is "+
				"not an IP address. Write it as an IPv4 or IPv6 address, such as 203.0.113.20.", r.End.ValueString()))
		case start.Is4() != end.Is4():
			diags.AddAttributeError(path.Root("ip_ranges"), "Invalid IP range", fmt.Sprintf("The range %s to %s "+
				"mixes IPv4 and IPv6. Give both ends in one family.", start, end))
		case end.Less(start):
			diags.AddAttributeError(path.Root("ip_ranges"), "Invalid IP range", fmt.Sprintf("The range starts at "+
				"%s, after its end %s. Swap start and end.", start, end))
		}
	}
	return diags
}

func (m *connectedAppPolicyModel) refreshPolicy() connectedapp.RefreshTokenPolicy {
	p := connectedapp.RefreshTokenPolicy{Kind: refreshTokenPolicyValues.toAPI(m.RefreshTokenPolicy.ValueString())}
	if p.Kind == connectedapp.RefreshTokenSpecificLifetime || p.Kind == connectedapp.RefreshTokenSpecificInactivity {
		p.Period = int(m.RefreshTokenValidityPeriod.ValueInt64())
		p.Unit = refreshTokenUnitValues.toAPI(m.RefreshTokenValidityUnit.ValueString())
	}
	return p
}

// applyTo writes the policy into the component.
func (m *connectedAppPolicyModel) applyTo(app *connectedapp.App) {
	app.SetAdminApproved(m.PermittedUsers.ValueString() == "admin_approved")
	app.SetOAuthPolicy(ipRelaxationValues.toAPI(m.IPRelaxation.ValueString()), m.refreshPolicy())

	var timeout *int
	if !m.SessionTimeoutMinutes.IsNull() {
		t := int(m.SessionTimeoutMinutes.ValueInt64())
		timeout = &t
	}
	app.SetSessionPolicy(m.HighAssuranceSessionRequired.ValueBool(),
		policyActionValues.toAPI(m.HighAssuranceAction.ValueString()), timeout)

	for _, t := range m.optionalTexts() {
		if v, ok := managedText(*t.value); ok {
			app.SetTopText(t.element, v)
		}
	}
	if v, ok := managedText(m.ClientCredentialsRunAs); ok {
		app.SetClientCredentialUser(v)
	}
	if v, ok := managedText(m.SingleLogoutURL); ok {
		app.SetPolicySingleLogoutURL(v)
	}
	if !m.TokenExchangeFlowEnabled.IsNull() && !m.TokenExchangeFlowEnabled.IsUnknown() {
		app.SetTokenExchangeFlowEnabled(m.TokenExchangeFlowEnabled.ValueBool())
	}
	if !m.IPRanges.IsNull() && !m.IPRanges.IsUnknown() {
		var ranges []ipRangeModel
		m.IPRanges.ElementsAs(context.Background(), &ranges, false)
		out := make([]connectedapp.IPRange, len(ranges))
		for i, r := range ranges {
			out[i] = connectedapp.IPRange{Start: r.Start.ValueString(), End: r.End.ValueString(),
				Description: r.Description.ValueString()}
		}
		app.SetIPRanges(out)
	}
}

// managedText returns the value to write for an optional text attribute:
// ok is false when the attribute is not managed (unknown or null), and a nil
// value with ok true means "remove the element".
func managedText(v types.String) (*string, bool) {
	if v.IsNull() || v.IsUnknown() {
		return nil, false
	}
	if v.ValueString() == "" {
		return nil, true
	}
	s := v.ValueString()
	return &s, true
}

// textFromApp maps an optional element to state: its text when present, the
// prior empty string when the element is absent because the plan removed it,
// and null otherwise.
func textFromApp(prior types.String, text string, present bool) types.String {
	if present && text != "" {
		return keepIfEqualString(prior, text)
	}
	if !prior.IsNull() && !prior.IsUnknown() && prior.ValueString() == "" {
		return prior
	}
	return types.StringNull()
}

// fromApp sets the model from the org's component.
func (m *connectedAppPolicyModel) fromApp(app *connectedapp.App) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(app.FullName())
	m.ConnectedApp = types.StringValue(app.FullName())
	if m.ResetOnDestroy.IsNull() || m.ResetOnDestroy.IsUnknown() {
		m.ResetOnDestroy = types.BoolValue(false)
	}

	if app.IsAdminApproved() {
		m.PermittedUsers = types.StringValue("admin_approved")
	} else {
		m.PermittedUsers = types.StringValue("all_users")
	}
	m.IPRelaxation = types.StringValue(ipRelaxationValues.fromAPI(app.IPRelaxation()))

	refresh, err := app.RefreshTokenPolicy()
	if err != nil {
		diags.AddAttributeWarning(path.Root("refresh_token_policy"), "Unrecognised refresh token policy",
			fmt.Sprintf("The org holds a refresh token policy the provider cannot parse: %s. The plan shows it "+
				"as a change.", err))
		m.RefreshTokenPolicy = types.StringValue("unrecognised")
	} else {
		m.RefreshTokenPolicy = types.StringValue(refreshTokenPolicyValues.fromAPI(refresh.Kind))
	}
	if refresh.Period > 0 {
		m.RefreshTokenValidityPeriod = types.Int64Value(int64(refresh.Period))
		m.RefreshTokenValidityUnit = types.StringValue(refreshTokenUnitValues.fromAPI(refresh.Unit))
	} else {
		m.RefreshTokenValidityPeriod = types.Int64Null()
		m.RefreshTokenValidityUnit = types.StringNull()
	}

	m.HighAssuranceSessionRequired = types.BoolValue(app.HighAssuranceRequired())
	if action, ok := app.PolicyAction(); ok && app.HighAssuranceRequired() {
		m.HighAssuranceAction = types.StringValue(policyActionValues.fromAPI(action))
	} else {
		m.HighAssuranceAction = types.StringNull()
	}
	if timeout, ok := app.SessionTimeout(); ok {
		m.SessionTimeoutMinutes = types.Int64Value(int64(timeout))
	} else {
		m.SessionTimeoutMinutes = types.Int64Null()
	}

	for _, t := range m.optionalTexts() {
		text, ok := app.TopText(t.element)
		*t.value = textFromApp(*t.value, text, ok)
	}
	user, ok := app.ClientCredentialUser()
	m.ClientCredentialsRunAs = textFromApp(m.ClientCredentialsRunAs, user, ok)
	logout, ok := app.PolicySingleLogoutURL()
	m.SingleLogoutURL = textFromApp(m.SingleLogoutURL, logout, ok)
	m.TokenExchangeFlowEnabled = types.BoolValue(app.TokenExchangeFlowEnabled())
	if m.AllowSelfLockout.IsNull() || m.AllowSelfLockout.IsUnknown() {
		m.AllowSelfLockout = types.BoolValue(false)
	}
	diags.Append(m.ipRangesFromApp(app)...)
	return diags
}

func (m *connectedAppPolicyModel) ipRangesFromApp(app *connectedapp.App) diag.Diagnostics {
	ranges := app.IPRanges()
	if len(ranges) == 0 && (m.IPRanges.IsNull() || m.IPRanges.IsUnknown() || len(m.IPRanges.Elements()) > 0) {
		m.IPRanges = types.SetNull(types.ObjectType{AttrTypes: ipRangeAttrTypes})
		return nil
	}
	values := make([]ipRangeModel, len(ranges))
	for i, r := range ranges {
		values[i] = ipRangeModel{Start: types.StringValue(r.Start), End: types.StringValue(r.End), Description: types.StringNull()}
		if r.Description != "" {
			values[i].Description = types.StringValue(r.Description)
		}
	}
	set, diags := types.SetValueFrom(context.Background(), types.ObjectType{AttrTypes: ipRangeAttrTypes}, values)
	m.IPRanges = set
	return diags
}

type policyDifference struct {
	attribute, want, got string
}

// differences lists the managed attributes whose values in got differ from
// m, the plan.
func (m *connectedAppPolicyModel) differences(got *connectedAppPolicyModel) []policyDifference {
	var out []policyDifference
	add := func(name string, want, have attr.Value) {
		if !want.Equal(have) {
			out = append(out, policyDifference{attribute: name, want: want.String(), got: have.String()})
		}
	}
	add("permitted_users", m.PermittedUsers, got.PermittedUsers)
	add("ip_relaxation", m.IPRelaxation, got.IPRelaxation)
	add("refresh_token_policy", m.RefreshTokenPolicy, got.RefreshTokenPolicy)
	add("refresh_token_validity_period", m.RefreshTokenValidityPeriod, got.RefreshTokenValidityPeriod)
	add("refresh_token_validity_unit", m.RefreshTokenValidityUnit, got.RefreshTokenValidityUnit)
	add("high_assurance_session_required", m.HighAssuranceSessionRequired, got.HighAssuranceSessionRequired)
	add("high_assurance_action", m.HighAssuranceAction, got.HighAssuranceAction)
	add("session_timeout_minutes", m.SessionTimeoutMinutes, got.SessionTimeoutMinutes)
	known := func(name string, want, have attr.Value) {
		if !want.IsUnknown() && !want.IsNull() {
			add(name, want, have)
		}
	}
	for i, t := range m.optionalTexts() {
		known(t.attribute, *t.value, *got.optionalTexts()[i].value)
	}
	known("client_credentials_run_as", m.ClientCredentialsRunAs, got.ClientCredentialsRunAs)
	known("single_logout_url", m.SingleLogoutURL, got.SingleLogoutURL)
	known("token_exchange_flow_enabled", m.TokenExchangeFlowEnabled, got.TokenExchangeFlowEnabled)
	known("ip_ranges", m.IPRanges, got.IPRanges)
	return out
}

// defaultPolicy is the policy of a connected app left at Salesforce's defaults, which
// reset_on_destroy restores.
func defaultPolicy(name string) connectedAppPolicyModel {
	return connectedAppPolicyModel{
		ConnectedApp:                 types.StringValue(name),
		PermittedUsers:               types.StringValue("all_users"),
		IPRelaxation:                 types.StringValue("enforce"),
		RefreshTokenPolicy:           types.StringValue("valid_until_revoked"),
		RefreshTokenValidityPeriod:   types.Int64Null(),
		RefreshTokenValidityUnit:     types.StringNull(),
		HighAssuranceSessionRequired: types.BoolValue(false),
		HighAssuranceAction:          types.StringNull(),
		SessionTimeoutMinutes:        types.Int64Null(),
		ClientCredentialsRunAs:       types.StringNull(),
		IPRanges:                     types.SetNull(types.ObjectType{AttrTypes: ipRangeAttrTypes}),
		StartURL:                     types.StringNull(),
		MobileStartURL:               types.StringNull(),
		Plugin:                       types.StringNull(),
		PluginExecutionUser:          types.StringNull(),
		SingleLogoutURL:              types.StringNull(),
		TokenExchangeFlowEnabled:     types.BoolNull(),
	}
}
