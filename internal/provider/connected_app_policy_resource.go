package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

var (
	_ resource.Resource                   = &connectedAppPolicyResource{}
	_ resource.ResourceWithConfigure      = &connectedAppPolicyResource{}
	_ resource.ResourceWithImportState    = &connectedAppPolicyResource{}
	_ resource.ResourceWithModifyPlan     = &connectedAppPolicyResource{}
	_ resource.ResourceWithValidateConfig = &connectedAppPolicyResource{}
)

// NewConnectedAppPolicyResource returns the salesforce_connected_app_policy
// resource.
func NewConnectedAppPolicyResource() resource.Resource {
	return &connectedAppPolicyResource{}
}

type connectedAppPolicyResource struct {
	client *salesforce.Client
	// clientID is the consumer key the provider signs in with.
	clientID string
	// apiVersion is the provider's configured API version.
	apiVersion string
}

// Default timeouts of the policy resource's operations.
const (
	policyWriteTimeout = 10 * time.Minute
	policyReadTimeout  = 5 * time.Minute
)

func (r *connectedAppPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app_policy"
}

func (r *connectedAppPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The access policies of an existing connected app: what an admin sets under Setup > " +
			"Connected Apps > Manage Connected Apps > Edit Policies. It maps to `oauthConfig.isAdminApproved`, " +
			"`oauthPolicy` and `sessionPolicy` of the app's `ConnectedApp` component and leaves every other " +
			"element as the org has it.\n\n" +
			"Creating this resource adopts the app's policies; destroying it leaves them in the org as they " +
			"are, unless `reset_on_destroy` is `true`.\n\n" +
			"**Apps installed from a managed package.** No documented API writes their policies and the " +
			"Metadata API does not return their component, so for such an app the resource is a check: it " +
			"compares `permitted_users`, `high_assurance_session_required`, `start_url` and `mobile_start_url` " +
			"with what the `ConnectedApplication` object shows, fails at plan time naming each setting that " +
			"differs and where Setup changes it, and never writes. The other settings cannot be read for such " +
			"apps and are not checked.\n\n" +
			"**Idle refresh token limit.** An app's developer can cap idle refresh tokens at 30 days. Setup " +
			"then shows \"Expire refresh token if not used for 30 days\" while the metadata still says " +
			"valid until revoked, and Salesforce enforces the cap without changing the metadata. The provider " +
			"reads the metadata, so this shows no drift, and the org behaves as if `refresh_token_policy` were " +
			"`expire_if_unused` for 30 days.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The app's API name, as `connected_app`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connected_app": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "API name (`fullName`) of the connected app. The app must have OAuth settings enabled.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthAtMost(80),
					stringvalidator.LengthAtLeast(1),
				},
			},
			"permitted_users": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString("all_users"),
				MarkdownDescription: "Permitted Users: `all_users` (all users may self-authorize, the default) or " +
					"`admin_approved` (admin approved users are pre-authorized: only users whose profile or " +
					"permission set is assigned to the app may use it).",
				Validators: []validator.String{stringvalidator.OneOf(permittedUsersValues.terraform()...)},
			},
			"ip_relaxation": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString("enforce"),
				MarkdownDescription: "IP Relaxation: `enforce` (enforce IP restrictions, the default), " +
					"`enforce_relax_refresh` (enforce, but relax for refresh tokens), `relax_with_second_factor` " +
					"(relax IP restrictions with a second factor) or `relax` (relax IP restrictions). The JWT " +
					"bearer flow enforces IP restrictions whatever the value.",
				Validators: []validator.String{stringvalidator.OneOf(ipRelaxationValues.terraform()...)},
			},
			"refresh_token_policy": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString("valid_until_revoked"),
				MarkdownDescription: "Refresh Token Policy: `valid_until_revoked` (the default), " +
					"`expire_immediately`, `expire_after` (expire N units after issue) or `expire_if_unused` " +
					"(expire after N units without use). The last two need `refresh_token_validity_period` " +
					"and `refresh_token_validity_unit`.",
				Validators: []validator.String{stringvalidator.OneOf(refreshTokenPolicyValues.terraform()...)},
			},
			"refresh_token_validity_period": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "N for `expire_after` and `expire_if_unused`: a positive whole number.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"refresh_token_validity_unit": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Unit of `refresh_token_validity_period`: `hours`, `days` or `months`.",
				Validators:          []validator.String{stringvalidator.OneOf(refreshTokenUnitValues.terraform()...)},
			},
			"high_assurance_session_required": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "High assurance session required (`sessionPolicy.sessionLevel` " +
					"`HIGH_ASSURANCE`). Salesforce then blocks flows that have no user approval step, such as " +
					"JWT bearer and client credentials, whatever `high_assurance_action` says.",
			},
			"high_assurance_action": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "What happens to a session below high assurance: `raise_session_level` " +
					"(users verify their identity to raise the session level) or `block`. Required when " +
					"`high_assurance_session_required` is `true`, and not allowed otherwise.",
				Validators: []validator.String{stringvalidator.OneOf(policyActionValues.terraform()...)},
			},
			"session_timeout_minutes": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Timeout of the app's sessions in minutes (`sessionPolicy.sessionTimeout`): " +
					"one of 15, 30, 60, 120, 240, 480, 720 and 1440. Unset means the user's profile or the " +
					"org's session settings apply.",
				// NOTE: the allowed values are those of Setup's Timeout Value picklist; the Metadata API
				// types the element as a plain integer and documents no range.
				Validators: []validator.Int64{int64validator.OneOf(15, 30, 60, 120, 240, 480, 720, 1440)},
			},
			"client_credentials_run_as": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Username the client credentials flow runs as " +
					"(`oauthConfig.oauthClientCredentialUser`, API 56.0). The app must have the client " +
					"credentials flow enabled, and the user needs the API Only permission. " + unmanagedNote,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ip_ranges": schema.SetNestedAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Trusted IP ranges of the app (`ipRanges`). Order does not matter. " +
					"Omit to leave the org's ranges unmanaged; an empty set removes them all.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"start": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "First address of the range, inclusive.",
						},
						"end": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "Last address of the range, inclusive.",
						},
						"description": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Description of the range (API 31.0).",
						},
					},
				},
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
			"start_url": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Page users land on after authorizing the app (`startUrl`). " + unmanagedNote,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"mobile_start_url": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Start page on mobile devices (`mobileStartUrl`). " + unmanagedNote,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"plugin": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Apex class that extends `Auth.ConnectedAppPlugin`, the custom connected app " +
					"handler (`plugin`). " + unmanagedNote,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"plugin_execution_user": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Username the handler runs as (`pluginExecutionUser`, API 46.0). Salesforce " +
					"drops a user who is not in the org. " + unmanagedNote,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"single_logout_url": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "HTTPS URL to which Salesforce sends logout requests when single logout is " +
					"on (`oauthPolicy.singleLogoutUrl`). " + unmanagedNote,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^(|https://\S+)$`),
					"must be an https:// URL, or empty to remove it")},
			},
			"token_exchange_flow_enabled": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Admin switch for the OAuth 2.0 token exchange flow " +
					"(`oauthPolicy.isTokenExchangeFlowEnabled`, API 60.0). Omit to leave it as the org has it.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"allow_self_lockout": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Requiring high assurance blocks the JWT bearer and client credentials flows. " +
					"When the app is the one this provider signs in with, planning that fails unless this is " +
					"`true`, because the next run could no longer sign in.",
			},
			"reset_on_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, destroying the resource restores Salesforce's defaults: " +
					"all users may self-authorize, IP restrictions enforced, refresh tokens valid until " +
					"revoked, no high assurance requirement and no app session timeout. When `false` (the " +
					"default), destroy leaves the org's settings as they are.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// unmanagedNote is appended to the descriptions of optional settings that
// stay as the org has them when the configuration omits them.
const unmanagedNote = "Omit to leave the org's value unmanaged; set `\"\"` to remove it."

func (r *connectedAppPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := configureResourceData(req, resp); pd != nil {
		r.client, r.clientID, r.apiVersion = pd.client, pd.clientID, pd.apiVersion
	}
}

func (r *connectedAppPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg connectedAppPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(cfg.validate()...)
}

func (r *connectedAppPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var plan connectedAppPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.ConnectedApp.IsUnknown() {
		return
	}
	name := plan.ConnectedApp.ValueString()
	resp.Diagnostics.Append(checkPolicyVersions(ctx, req, r.apiVersion)...)
	if resp.Diagnostics.HasError() {
		return
	}

	props, err := r.client.FindConnectedAppProperties(ctx, name)
	if isNotFound(err) {
		// The app may be created by the same apply; Create reports a missing app.
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("planning", "connected app policy", name), apiErrorDetail(err, ""))
		return
	}
	if origin, appID, err := r.managedApp(ctx, name); err == nil && origin != "" {
		resp.Diagnostics.Append(r.planManaged(ctx, &plan, appID, origin)...)
		return
	}

	if req.State.Raw.IsNull() {
		r.warnAdoptionChanges(ctx, &plan, resp)
	}
	if plan.HighAssuranceSessionRequired.ValueBool() && !highAssuranceInState(ctx, req) {
		r.checkHighAssurance(ctx, &plan, resp)
	}
	if plan.PermittedUsers.ValueString() == "all_users" {
		r.warnUnusedGrants(ctx, name, props.ID, resp)
	} else if !adminApprovedInState(ctx, req) {
		r.warnNoGrants(ctx, name, props.ID, resp)
		r.warnOwnApp(ctx, name, resp)
	}
}

// warnOwnApp warns when the app limited to admin-approved users is the one
// the provider signs in with, since the provider's own user then needs a
// grant.
//
// NOTE: the provider does not look up its user's profile and permission
// sets, so it cannot tell whether the grants include that user.
func (r *connectedAppPolicyResource) warnOwnApp(ctx context.Context, name string, resp *resource.ModifyPlanResponse) {
	if r.clientID == "" {
		return
	}
	app, err := r.client.FindConnectedApp(ctx, name)
	if err != nil || app.ConsumerKey() != r.clientID {
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("permitted_users"), "The provider signs in through this app",
		fmt.Sprintf("%q is the connected app this provider signs in with (its consumer key is the provider's "+
			"client_id). With permitted_users = \"admin_approved\", the provider's own user needs its profile or "+
			"a permission set assigned to the app, or the next run cannot sign in.", name))
}

// adminApprovedInState reports whether the prior state already limits the
// app to admin-approved users.
func adminApprovedInState(ctx context.Context, req resource.ModifyPlanRequest) bool {
	if req.State.Raw.IsNull() {
		return false
	}
	var permitted types.String
	req.State.GetAttribute(ctx, path.Root("permitted_users"), &permitted)
	return permitted.ValueString() == "admin_approved"
}

// warnNoGrants warns when an app is limited to admin-approved users while no
// profile or permission set has access to it, so that no user could use it.
func (r *connectedAppPolicyResource) warnNoGrants(ctx context.Context, name, appID string, resp *resource.ModifyPlanResponse) {
	if appID == "" {
		return
	}
	grants, err := r.client.FindGrants(ctx, appID)
	if err != nil || len(grants) > 0 {
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("permitted_users"), "No user may use the app",
		fmt.Sprintf("permitted_users = \"admin_approved\" limits %q to users whose profile or permission set "+
			"is assigned to it, and none is assigned yet. Unless this configuration also creates "+
			"salesforce_connected_app_assignment resources for it, every user loses access, and the JWT bearer "+
			"flow fails with \"user hasn't approved this consumer\".", name))
}

// policyAttributeVersions are the policy attributes newer than the oldest
// API version the provider accepts, with the element's version.
var policyAttributeVersions = []struct {
	attribute string
	element   string
	inferred  bool
}{
	{"client_credentials_run_as", "oauthConfig.oauthClientCredentialUser", false},
	// NOTE: the Metadata API guide gives no version for
	// oauthPolicy.isTokenExchangeFlowEnabled. It is absent from the 51.0 WSDL
	// and present in 63.0; 60.0, the version of the app-side token exchange
	// flag, is an inference, so a lower api_version only warns.
	{"token_exchange_flow_enabled", "oauthPolicy.isTokenExchangeFlowEnabled", true},
}

// checkPolicyVersions rejects configured attributes whose element is newer
// than the provider's api_version, because a read at that version hides the
// element and a write would be refused.
func checkPolicyVersions(ctx context.Context, req resource.ModifyPlanRequest, apiVersion string) diag.Diagnostics {
	var diags diag.Diagnostics
	configured, err := strconv.ParseFloat(apiVersion, 64)
	if err != nil {
		return diags
	}
	for _, a := range policyAttributeVersions {
		var value attr.Value
		if a.attribute == "token_exchange_flow_enabled" {
			var v types.Bool
			diags.Append(req.Config.GetAttribute(ctx, path.Root(a.attribute), &v)...)
			value = v
		} else {
			var v types.String
			diags.Append(req.Config.GetAttribute(ctx, path.Root(a.attribute), &v)...)
			value = v
		}
		if value.IsNull() || value.IsUnknown() {
			continue
		}
		since := connectedapp.Since(a.element)
		if a.inferred {
			since = 60
		}
		if configured >= since {
			continue
		}
		detail := fmt.Sprintf("%s (%s) needs API version %.1f or later, and the provider's api_version is %s. "+
			"Raise api_version or remove %s.", a.attribute, a.element, since, apiVersion, a.attribute)
		if a.inferred {
			diags.AddAttributeWarning(path.Root(a.attribute), "Attribute may need a newer API version", detail)
		} else {
			diags.AddAttributeError(path.Root(a.attribute), "Attribute needs a newer API version", detail)
		}
	}
	return diags
}

// warnAdoptionChanges lists, when the resource is created, the org's current
// settings that the apply will change, because the create plan shows only
// the configured values and not what they replace.
func (r *connectedAppPolicyResource) warnAdoptionChanges(ctx context.Context, plan *connectedAppPolicyModel, resp *resource.ModifyPlanResponse) {
	name := plan.ConnectedApp.ValueString()
	app, err := r.client.FindConnectedApp(ctx, name)
	if err != nil || !app.HasOAuth() {
		return
	}
	current := *plan
	current.fromApp(app)
	diffs := plan.differences(&current)
	if len(diffs) == 0 {
		return
	}
	var lines []string
	for _, d := range diffs {
		lines = append(lines, fmt.Sprintf("- %s: %s in the org, %s after apply", d.attribute, d.got, d.want))
	}
	resp.Diagnostics.AddWarning("Creating the policy changes the app's current settings",
		fmt.Sprintf("%q already has policies, and applying this resource changes these:\n%s\n\nTo keep a "+
			"current value, set it in the configuration. To start from the org's values, import the policy "+
			"first: terraform import <address> %s", name, strings.Join(lines, "\n"), name))
}

// highAssuranceInState reports whether the prior state already requires high
// assurance, so that the warning shows when the requirement is turned on
// rather than on every plan.
func highAssuranceInState(ctx context.Context, req resource.ModifyPlanRequest) bool {
	if req.State.Raw.IsNull() {
		return false
	}
	var required types.Bool
	req.State.GetAttribute(ctx, path.Root("high_assurance_session_required"), &required)
	return required.ValueBool()
}

// checkHighAssurance warns that high assurance blocks the flows without a
// user approval step, and rejects it on the app the provider signs in with
// unless allow_self_lockout is true.
func (r *connectedAppPolicyResource) checkHighAssurance(ctx context.Context, plan *connectedAppPolicyModel, resp *resource.ModifyPlanResponse) {
	name := plan.ConnectedApp.ValueString()
	resp.Diagnostics.AddAttributeWarning(path.Root("high_assurance_session_required"),
		"High assurance blocks flows without user approval",
		fmt.Sprintf("While %q requires a high assurance session, Salesforce blocks its JWT bearer and client "+
			"credentials flows, whatever high_assurance_action says, because they have no step in which a "+
			"user could raise the session level. Integrations that sign in through this app with those flows "+
			"stop working.", name))
	if r.clientID == "" || plan.AllowSelfLockout.ValueBool() {
		return
	}
	app, err := r.client.FindConnectedApp(ctx, name)
	if err != nil {
		return
	}
	if app.ConsumerKey() != "" && app.ConsumerKey() == r.clientID {
		resp.Diagnostics.AddAttributeError(path.Root("high_assurance_session_required"),
			errorSummary("planning", "connected app policy", name),
			fmt.Sprintf("The provider signs in through %q (its consumer key is the provider's client_id). "+
				"Requiring high assurance would block that sign-in, so this apply would succeed and every "+
				"later run would fail. Sign the provider in through another connected app, or set "+
				"allow_self_lockout = true if you will undo it in Setup.", name))
	}
}

// warnUnusedGrants warns when an app that all users may self-authorize has
// grants, which then have no effect.
func (r *connectedAppPolicyResource) warnUnusedGrants(ctx context.Context, name, appID string, resp *resource.ModifyPlanResponse) {
	if appID == "" {
		return
	}
	grants, err := r.client.FindGrants(ctx, appID)
	if err != nil || len(grants) == 0 {
		return
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("permitted_users"), "Grants have no effect",
		fmt.Sprintf("%s assigned to %q, but permitted_users is \"all_users\", "+
			"so every user may self-authorize and the assignments change nothing. Set permitted_users = "+
			"\"admin_approved\" to limit the app to them.", grantCount(len(grants)), name))
}

func (r *connectedAppPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectedAppPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, policyWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r.write(ctx, "creating", &plan, &resp.State, &resp.Diagnostics)
}

func (r *connectedAppPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectedAppPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ConnectedApp.ValueString()
	timeout, diags := state.Timeouts.Read(ctx, policyReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	origin, appID, err := r.managedApp(ctx, name)
	if err == nil && origin != "" {
		row, err := r.client.FindConnectedApplication(ctx, appID)
		if err != nil {
			resp.Diagnostics.AddError(errorSummary("reading", "connected app policy", name), apiErrorDetail(err, ""))
			return
		}
		state.fromConnectedApplication(row)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}

	app, err := r.client.FindConnectedApp(ctx, name)
	if isNotFound(err) {
		resp.Diagnostics.AddWarning(errorSummary("reading", "connected app policy", name),
			"The connected app no longer exists in the org, so its policy is removed from the state.")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("reading", "connected app policy", name), apiErrorDetail(err, ""))
		return
	}

	resp.Diagnostics.Append(state.fromApp(app)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *connectedAppPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan connectedAppPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, policyWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r.write(ctx, "updating", &plan, &resp.State, &resp.Diagnostics)
}

func (r *connectedAppPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectedAppPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ConnectedApp.ValueString()
	timeout, diags := state.Timeouts.Delete(ctx, policyWriteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if !state.ResetOnDestroy.ValueBool() {
		tflog.Info(ctx, "Leaving connected app policy in the org", map[string]any{"connected_app": name})
		return
	}

	unlock := r.client.LockApp(name)
	defer unlock()

	if origin, _, err := r.managedApp(ctx, name); err == nil && origin != "" {
		resp.Diagnostics.AddWarning(errorSummary("resetting", "connected app policy", name),
			fmt.Sprintf("%q was installed from %s, and no documented API writes its policies, so "+
				"reset_on_destroy changed nothing. Reset them in "+managedSetupPath+".", name, origin, name))
		return
	}

	app, err := r.client.FindConnectedAppFresh(ctx, name)
	if isNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("resetting", "connected app policy", name), apiErrorDetail(err, ""))
		return
	}
	defaults := defaultPolicy(name)
	if err := r.apply(ctx, app, &defaults); err != nil {
		resp.Diagnostics.AddError(errorSummary("resetting", "connected app policy", name), apiErrorDetail(err, ""))
	}
}

func (r *connectedAppPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	checkImportedApp(ctx, r.client, "salesforce_connected_app_policy", req.ID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("connected_app"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("reset_on_destroy"), false)...)
}

// write applies the planned policy inside the app's lock and stores what the
// org holds afterwards.
func (r *connectedAppPolicyResource) write(ctx context.Context, action string, plan *connectedAppPolicyModel,
	state *tfsdk.State, diags *diag.Diagnostics) {
	name := plan.ConnectedApp.ValueString()
	summary := errorSummary(action, "connected app policy", name)

	unlock := r.client.LockApp(name)
	defer unlock()

	if origin, appID, err := r.managedApp(ctx, name); err == nil && origin != "" {
		r.recordManaged(ctx, plan, appID, origin, state, diags)
		return
	}

	app, err := r.client.FindConnectedAppFresh(ctx, name)
	if isNotFound(err) {
		diags.AddError(summary, fmt.Sprintf("No connected app named %q exists in the org, or it cannot be read "+
			"through the Metadata API. Check the API name under Setup > App Manager.", name))
		return
	}
	if err != nil {
		diags.AddError(summary, apiErrorDetail(err, ""))
		return
	}
	if !app.HasOAuth() {
		diags.AddAttributeError(path.Root("connected_app"), summary, fmt.Sprintf("The connected app %q has no "+
			"OAuth settings, so it has no OAuth policies to set. Enable OAuth settings first: add an "+
			"oauth_config block to its salesforce_connected_app resource, or tick Enable OAuth Settings in "+
			"Setup > App Manager.", name))
		return
	}

	if user := plan.ClientCredentialsRunAs; !user.IsUnknown() && user.ValueString() != "" && !app.ClientCredentialsEnabled() {
		diags.AddAttributeError(path.Root("client_credentials_run_as"), summary, fmt.Sprintf("client_credentials_run_as "+
			"= %q applies only when the app has the client credentials flow enabled, and %q does not. Enable "+
			"it on the app (Enable Client Credentials Flow in App Manager, or its salesforce_connected_app "+
			"resource) or remove client_credentials_run_as.", user.ValueString(), name))
		return
	}

	if err := r.apply(ctx, app, plan); err != nil {
		diags.AddError(summary, apiErrorDetail(err, ""))
		return
	}

	after, err := r.client.FindConnectedAppFresh(ctx, name)
	if err != nil {
		diags.AddError(summary, apiErrorDetail(err, "The update succeeded, but the app could not be read back."))
		return
	}
	got := *plan
	diags.Append(got.fromApp(after)...)
	if diags.HasError() {
		return
	}
	for _, lost := range plan.differences(&got) {
		diags.AddAttributeError(path.Root(lost.attribute), summary, fmt.Sprintf("Salesforce accepted the update "+
			"but kept %s = %s instead of %s. Check the app in Setup > Manage Connected Apps; the setting may "+
			"need a permission or an org feature the signed-in user lacks.", lost.attribute, lost.got, lost.want))
	}
	diags.Append(state.Set(ctx, &got)...)
}

// apply writes the policy into app and sends the update when anything
// changed. The caller holds the app's lock.
func (r *connectedAppPolicyResource) apply(ctx context.Context, app *connectedapp.App, policy *connectedAppPolicyModel) error {
	before := app.Clone()
	policy.applyTo(app)
	if app.Equal(before) {
		tflog.Debug(ctx, "Connected app policy already as planned", map[string]any{"connected_app": app.FullName()})
		return nil
	}
	tflog.Debug(ctx, "Updating connected app policy", map[string]any{"connected_app": app.FullName()})
	return r.client.UpdateConnectedApp(ctx, app)
}

// recordManaged stores the checked policy of an installed app without writing
// anything: the plan already matched the org when it was made, and it is
// compared again here in case the org changed since.
func (r *connectedAppPolicyResource) recordManaged(ctx context.Context, plan *connectedAppPolicyModel, appID, origin string,
	state *tfsdk.State, diags *diag.Diagnostics) {
	name := plan.ConnectedApp.ValueString()
	row, err := r.client.FindConnectedApplication(ctx, appID)
	if err != nil {
		diags.AddError(errorSummary("checking", "connected app policy", name), apiErrorDetail(err, ""))
		return
	}
	if diffs := checkManaged(plan, row); len(diffs) > 0 {
		diags.AddError(errorSummary("checking", "connected app policy", name), fmt.Sprintf("%q, installed from "+
			"%s, changed since the plan: %s is now %s. Plan again.", name, origin, diffs[0].attribute, diffs[0].got))
		return
	}
	got := *plan
	got.fromConnectedApplication(row)
	tflog.Info(ctx, "Checked policy of a managed-package app without writing", map[string]any{"connected_app": name})
	diags.Append(state.Set(ctx, &got)...)
}

// managedPackageNamespace returns the namespace of an app installed from a
// managed package, or an empty string for an app created in the org.
func managedPackageNamespace(namespacePrefix, manageableState string) string {
	if namespacePrefix != "" {
		return namespacePrefix
	}
	if manageableState == "installed" {
		return "(no prefix reported)"
	}
	return ""
}

// grantCount describes n grants for a message, such as "1 profile or
// permission set is".
func grantCount(n int) string {
	if n == 1 {
		return "1 profile or permission set is"
	}
	return fmt.Sprintf("%d profiles or permission sets are", n)
}
