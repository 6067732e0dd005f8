package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

type connectedAppPolicyModel struct {
	ID                           types.String `tfsdk:"id"`
	ConnectedApp                 types.String `tfsdk:"connected_app"`
	PermittedUsers               types.String `tfsdk:"permitted_users"`
	IPRelaxation                 types.String `tfsdk:"ip_relaxation"`
	RefreshTokenPolicy           types.String `tfsdk:"refresh_token_policy"`
	RefreshTokenValidityPeriod   types.Int64  `tfsdk:"refresh_token_validity_period"`
	RefreshTokenValidityUnit     types.String `tfsdk:"refresh_token_validity_unit"`
	HighAssuranceSessionRequired types.Bool   `tfsdk:"high_assurance_session_required"`
	HighAssuranceAction          types.String `tfsdk:"high_assurance_action"`
	SessionTimeoutMinutes        types.Int64  `tfsdk:"session_timeout_minutes"`
	ResetOnDestroy               types.Bool   `tfsdk:"reset_on_destroy"`
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

// fromAPI maps an org value back; a value the provider does not know is
// shown in lower case, so that the plan shows it as a change.
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
	return diags
}

type policyDifference struct {
	attribute, want, got string
}

// differences lists the managed attributes whose values in got differ from
// m, the plan.
func (m *connectedAppPolicyModel) differences(got *connectedAppPolicyModel) []policyDifference {
	var out []policyDifference
	add := func(name string, want, have fmt.Stringer) {
		if want.String() != have.String() {
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
	return out
}

// defaultPolicy is the policy of a connected app that nobody changed, which
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
	}
}
