package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

// An app installed from a managed package has no readable or writable
// component, so the policy resource checks it instead: it compares what the
// ConnectedApplication sObject shows with the configuration and never writes.
//
// NOTE: the ConnectedApplication object is documented to show these options,
// but no live org has shown them for an app installed from a managed
// package. make probe-live checks it.

// managedSetupPath is the Setup page on which an admin sets the policies of
// an installed app.
const managedSetupPath = "Setup > Connected Apps > Manage Connected Apps > %s > Edit Policies"

// managedUncheckedAttributes are the settings the ConnectedApplication
// object does not show, so a check cannot compare them.
var managedUncheckedAttributes = []string{
	"ip_relaxation", "refresh_token_policy", "refresh_token_validity_period", "refresh_token_validity_unit",
	"high_assurance_action", "session_timeout_minutes", "client_credentials_run_as", "ip_ranges", "plugin",
	"plugin_execution_user", "single_logout_url", "token_exchange_flow_enabled",
}

// managedDifference is one checked setting whose org value differs from the
// configuration.
type managedDifference struct {
	attribute, setupLabel, want, got string
}

// checkManaged compares the plan with what the org shows for an installed
// app and returns the settings that differ.
func checkManaged(plan *connectedAppPolicyModel, row *salesforce.ConnectedApplication) []managedDifference {
	var out []managedDifference
	if v := plan.PermittedUsers; !v.IsUnknown() && !v.IsNull() {
		got := "all_users"
		if row.OptionsAllowAdminApprovedUsersOnly {
			got = "admin_approved"
		}
		if got != v.ValueString() {
			out = append(out, managedDifference{"permitted_users", "OAuth Policies > Permitted Users", v.ValueString(), got})
		}
	}
	if v := plan.HighAssuranceSessionRequired; !v.IsUnknown() && !v.IsNull() && v.ValueBool() != row.OptionsHasSessionLevelPolicy {
		out = append(out, managedDifference{"high_assurance_session_required",
			"Session Policies > High assurance session required",
			fmt.Sprint(v.ValueBool()), fmt.Sprint(row.OptionsHasSessionLevelPolicy)})
	}
	for _, f := range []struct {
		attribute, label string
		want             types.String
		got              string
	}{
		{"start_url", "Basic Information > Start URL", plan.StartURL, row.StartURL},
		{"mobile_start_url", "Mobile Integration > Mobile Start URL", plan.MobileStartURL, row.MobileStartURL},
	} {
		if !f.want.IsUnknown() && !f.want.IsNull() && f.want.ValueString() != f.got {
			out = append(out, managedDifference{f.attribute, f.label, f.want.ValueString(), f.got})
		}
	}
	return out
}

// planManaged runs the check at plan time: an error naming each setting
// that differs and where to set it, and a warning naming what is not checked.
func (r *connectedAppPolicyResource) planManaged(ctx context.Context, plan *connectedAppPolicyModel, appID, origin string) diag.Diagnostics {
	var diags diag.Diagnostics
	name := plan.ConnectedApp.ValueString()
	row, err := r.client.FindConnectedApplication(ctx, appID)
	if err != nil {
		diags.AddError(errorSummary("planning", "connected app policy", name), apiErrorDetail(err,
			"The app was not created in the org, so its policies are read from the "+
				"ConnectedApplication object, and that read failed."))
		return diags
	}
	if diffs := checkManaged(plan, row); len(diffs) > 0 {
		var lines []string
		for _, d := range diffs {
			lines = append(lines, fmt.Sprintf("- %s: the org has %s, the configuration %s (Setup: %s)",
				d.attribute, d.got, d.want, d.setupLabel))
		}
		diags.AddAttributeError(path.Root("connected_app"), errorSummary("checking", "connected app policy", name),
			fmt.Sprintf("%q was installed from %s. No documented API writes its policies, so "+
				"this resource only checks them, and these differ:\n%s\n\nSet them in "+managedSetupPath+
				", or change the configuration to match.", name, origin, strings.Join(lines, "\n"), row.Name))
		return diags
	}
	diags.AddAttributeWarning(path.Root("connected_app"), "Policy of an installed app is only checked",
		fmt.Sprintf("%q was installed from %s. The provider checks permitted_users, "+
			"high_assurance_session_required, start_url and mobile_start_url against the org and never writes. "+
			"The org does not show %s, so those are not checked.", name, origin,
			strings.Join(managedUncheckedAttributes, ", ")))
	return diags
}

// fromConnectedApplication updates the checked attributes of a state from
// the org and resolves the others that are still unknown to null.
func (m *connectedAppPolicyModel) fromConnectedApplication(row *salesforce.ConnectedApplication) {
	m.ID = m.ConnectedApp
	m.PermittedUsers = types.StringValue("all_users")
	if row.OptionsAllowAdminApprovedUsersOnly {
		m.PermittedUsers = types.StringValue("admin_approved")
	}
	m.HighAssuranceSessionRequired = types.BoolValue(row.OptionsHasSessionLevelPolicy)
	m.StartURL = textFromApp(m.StartURL, row.StartURL, row.StartURL != "")
	m.MobileStartURL = textFromApp(m.MobileStartURL, row.MobileStartURL, row.MobileStartURL != "")
	for _, s := range []*types.String{&m.ClientCredentialsRunAs, &m.Plugin, &m.PluginExecutionUser, &m.SingleLogoutURL} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	if m.TokenExchangeFlowEnabled.IsUnknown() {
		m.TokenExchangeFlowEnabled = types.BoolNull()
	}
	if m.IPRanges.IsUnknown() {
		m.IPRanges = types.SetNull(types.ObjectType{AttrTypes: ipRangeAttrTypes})
	}
	if m.ResetOnDestroy.IsNull() || m.ResetOnDestroy.IsUnknown() {
		m.ResetOnDestroy = types.BoolValue(false)
	}
	if m.AllowSelfLockout.IsNull() || m.AllowSelfLockout.IsUnknown() {
		m.AllowSelfLockout = types.BoolValue(false)
	}
}

// managedApp returns, for an app whose component the Metadata API does not
// return, where it came from (such as `the managed package "ns"`) and its
// ConnectedApplication Id. origin is empty for an app created in the org.
// Apps installed from a managed package carry a namespace in listMetadata;
// apps installed from another org through Connected Apps OAuth Usage are
// listed without one, but readMetadata returns nil for them.
func (r *connectedAppPolicyResource) managedApp(ctx context.Context, name string) (origin, appID string, err error) {
	props, err := r.client.FindConnectedAppProperties(ctx, name)
	if err != nil {
		return "", "", err
	}
	if ns := managedPackageNamespace(props.NamespacePrefix, props.ManageableState); ns != "" {
		return fmt.Sprintf("the managed package %q", ns), props.ID, nil
	}
	if _, err := r.client.FindConnectedApp(ctx, name); isNotFound(err) {
		return "another org, through Setup > Connected Apps OAuth Usage", props.ID, nil
	}
	return "", props.ID, nil
}
