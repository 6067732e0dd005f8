package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

var (
	_ resource.Resource                = &connectedAppAssignmentsResource{}
	_ resource.ResourceWithConfigure   = &connectedAppAssignmentsResource{}
	_ resource.ResourceWithImportState = &connectedAppAssignmentsResource{}
	_ resource.ResourceWithModifyPlan  = &connectedAppAssignmentsResource{}
)

const assignmentsTimeout = 10 * time.Minute

// NewConnectedAppAssignmentsResource returns the
// salesforce_connected_app_assignments resource.
func NewConnectedAppAssignmentsResource() resource.Resource {
	return &connectedAppAssignmentsResource{}
}

type connectedAppAssignmentsResource struct {
	client *salesforce.Client
}

type connectedAppAssignmentsModel struct {
	ID             types.String   `tfsdk:"id"`
	ConnectedApp   types.String   `tfsdk:"connected_app"`
	Profiles       types.Set      `tfsdk:"profiles"`
	PermissionSets types.Set      `tfsdk:"permission_sets"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *connectedAppAssignmentsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app_assignments"
}

func (r *connectedAppAssignmentsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The complete set of profiles and permission sets that may use one connected app. " +
			"Applying it grants what is listed and revokes every other grant of the app, so a grant added " +
			"in Setup shows as drift. Do not combine it with `salesforce_connected_app_assignment` on the " +
			"same app: the two would undo each other's grants.\n\n" +
			"Grants of permission sets from a managed package cannot be changed by the org, so they are " +
			"rejected in the configuration and left in place when found in the org, with a warning.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The app's API name, as `connected_app`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connected_app": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "API name of the connected app.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"profiles": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, nil)),
				MarkdownDescription: "Profile names as Setup shows them, such as `System Administrator`. " +
					"Defaults to none.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"permission_sets": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, nil)),
				MarkdownDescription: "Permission set API names, with the namespace prefix where they have one. " +
					"Defaults to none.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *connectedAppAssignmentsResource) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureResource(ctx, req, resp)
}

// ModifyPlan warns, when the resource is created, about the grants that the
// apply revokes, because the create plan shows only the configured ones.
func (r *connectedAppAssignmentsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.client == nil || req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return
	}
	var plan connectedAppAssignmentsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.ConnectedApp.IsUnknown() || plan.Profiles.IsUnknown() || plan.PermissionSets.IsUnknown() {
		return
	}
	current, err := r.currentGrants(ctx, plan.ConnectedApp.ValueString(), false)
	if err != nil {
		return
	}
	var revoked []string
	for _, p := range current.profiles {
		if !containsFold(stringsOfSet(plan.Profiles), p) {
			revoked = append(revoked, fmt.Sprintf("profile %q", p))
		}
	}
	for _, ps := range current.permissionSets {
		if !containsFold(stringsOfSet(plan.PermissionSets), ps) {
			revoked = append(revoked, fmt.Sprintf("permission set %q", ps))
		}
	}
	if len(revoked) > 0 {
		resp.Diagnostics.AddWarning("Creating the assignments revokes existing grants",
			fmt.Sprintf("This resource holds the complete set of grants of %q, so applying it revokes: %s. Add "+
				"them to the configuration to keep them.", plan.ConnectedApp.ValueString(), strings.Join(revoked, ", ")))
	}
}

func containsFold(values []string, v string) bool {
	for _, x := range values {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func (r *connectedAppAssignmentsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectedAppAssignmentsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, assignmentsTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r.reconcile(ctx, "creating", &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *connectedAppAssignmentsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectedAppAssignmentsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.ConnectedApp.ValueString()
	timeout, diags := state.Timeouts.Read(ctx, assignmentsTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	current, err := r.currentGrants(ctx, name, false)
	if isNotFound(err) {
		resp.Diagnostics.AddWarning(errorSummary("reading", "connected app assignments", name),
			"The connected app no longer exists in the org, so its assignments are removed from the state.")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("reading", "connected app assignments", name), apiErrorDetail(err, ""))
		return
	}

	state.ID = types.StringValue(name)
	state.Profiles = setOf(keepSpelling(stringsOfSet(state.Profiles), current.profiles))
	state.PermissionSets = setOf(keepSpelling(stringsOfSet(state.PermissionSets), current.permissionSets))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *connectedAppAssignmentsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan connectedAppAssignmentsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, assignmentsTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r.reconcile(ctx, "updating", &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *connectedAppAssignmentsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectedAppAssignmentsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, assignmentsTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	empty := state
	empty.Profiles = types.SetValueMust(types.StringType, nil)
	empty.PermissionSets = types.SetValueMust(types.StringType, nil)
	r.reconcile(ctx, "deleting", &empty, &resp.Diagnostics)
}

func (r *connectedAppAssignmentsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	checkImportedApp(ctx, r.client, "salesforce_connected_app_assignments", req.ID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("connected_app"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// grantSet is the grants of one app: profile names and permission set API
// names, plus the rows behind them.
type grantSet struct {
	appID          string
	profiles       []string
	permissionSets []string
	rows           []salesforce.Grant
}

// currentGrants returns the app's grants. Writers pass fresh, so that the
// rows are read again rather than taken from the run's shared query.
func (r *connectedAppAssignmentsResource) currentGrants(ctx context.Context, app string, fresh bool) (*grantSet, error) {
	props, err := r.client.FindConnectedAppProperties(ctx, app)
	if err != nil {
		return nil, err
	}
	find := r.client.FindGrants
	if fresh {
		find = r.client.FindGrantsFresh
	}
	rows, err := find(ctx, props.ID)
	if err != nil {
		return nil, err
	}
	set := &grantSet{appID: props.ID, rows: rows}
	for _, row := range rows {
		if row.IsOwnedByProfile {
			set.profiles = append(set.profiles, row.ProfileName)
		} else {
			set.permissionSets = append(set.permissionSets, permissionSetAPIName(row.ParentNamespacePrefix, row.ParentName))
		}
	}
	sort.Strings(set.profiles)
	sort.Strings(set.permissionSets)
	return set, nil
}

// reconcile makes the app's grants exactly the planned ones, inside the
// app's lock: profiles through the profileName list, permission sets as
// SetupEntityAccess rows.
func (r *connectedAppAssignmentsResource) reconcile(ctx context.Context, action string, plan *connectedAppAssignmentsModel, diags *diag.Diagnostics) {
	name := plan.ConnectedApp.ValueString()
	summary := errorSummary(action, "connected app assignments", name)

	unlock := r.client.LockApp(name)
	defer unlock()

	wantProfiles := stringsOfSet(plan.Profiles)
	wantPermSets := stringsOfSet(plan.PermissionSets)
	permSets, failed, err := r.resolvePermissionSets(ctx, wantPermSets)
	if err != nil {
		diags.AddAttributeError(path.Root("permission_sets"), summary,
			grantErrorDetail(err, grant{app: name, kind: grantPermissionSet, name: failed}))
		return
	}
	orgProfiles := make([]string, 0, len(wantProfiles))
	var missing []string
	for _, p := range wantProfiles {
		profile, err := r.client.FindProfileByName(ctx, p)
		if isNotFound(err) {
			missing = append(missing, fmt.Sprintf("%q", p))
			continue
		}
		if err != nil {
			diags.AddAttributeError(path.Root("profiles"), summary, apiErrorDetail(err, ""))
			return
		}
		orgProfiles = append(orgProfiles, profile.Name)
	}
	if len(missing) > 0 {
		diags.AddAttributeError(path.Root("profiles"), summary, fmt.Sprintf("No profile named %s exists in "+
			"the org. Use the names Setup > Profiles shows, such as \"System Administrator\" rather than its "+
			"metadata name \"Admin\".", strings.Join(missing, ", ")))
		return
	}

	current, err := r.currentGrants(ctx, name, true)
	if err != nil {
		diags.AddError(summary, apiErrorDetail(err, ""))
		return
	}
	if !equalFoldSets(current.profiles, wantProfiles) {
		if err := r.setProfiles(ctx, name, orgProfiles); err != nil {
			diags.AddError(summary, apiErrorDetail(err, ""))
			return
		}
	}
	diags.Append(r.syncPermissionSets(ctx, name, current, permSets)...)
	if diags.HasError() {
		return
	}

	after, err := r.currentGrants(ctx, name, true)
	if err != nil {
		diags.AddError(summary, apiErrorDetail(err, ""))
		return
	}
	if !equalFoldSets(after.profiles, wantProfiles) || !equalFoldSets(managedFree(after), wantPermSets) {
		diags.AddError(summary, fmt.Sprintf("Salesforce accepted the grants, but the app now has profiles %v and "+
			"permission sets %v instead of %v and %v.", after.profiles, after.permissionSets, wantProfiles, wantPermSets))
		return
	}
	plan.ID = types.StringValue(name)
}

// resolvePermissionSets looks up each permission set by API name and
// returns the name that failed with the error.
func (r *connectedAppAssignmentsResource) resolvePermissionSets(ctx context.Context, names []string) (
	map[string]*salesforce.PermissionSet, string, error) {
	out := make(map[string]*salesforce.PermissionSet, len(names))
	var missing []string
	for _, n := range names {
		ps, err := r.client.FindPermissionSetByName(ctx, n)
		if isNotFound(err) {
			missing = append(missing, n)
			continue
		}
		if err != nil {
			return nil, n, fmt.Errorf("permission set lookup: %w", err)
		}
		if ps.NamespacePrefix != "" {
			return nil, n, &managedPermissionSetError{name: n, namespace: ps.NamespacePrefix}
		}
		out[n] = ps
	}
	if len(missing) > 0 {
		return nil, strings.Join(missing, `", "`), fmt.Errorf("permission set lookup: %w", salesforce.ErrNotFound)
	}
	return out, "", nil
}

func (r *connectedAppAssignmentsResource) setProfiles(ctx context.Context, name string, profiles []string) error {
	app, err := r.client.FindConnectedAppFresh(ctx, name)
	if err != nil {
		return err
	}
	app.SetProfiles(profiles)
	tflog.Debug(ctx, "Setting profile grants", map[string]any{"connected_app": name, "profiles": len(profiles)})
	return r.client.UpdateConnectedApp(ctx, app)
}

// syncPermissionSets inserts the missing rows and deletes the extra ones,
// leaving grants of managed permission sets with a warning.
func (r *connectedAppAssignmentsResource) syncPermissionSets(ctx context.Context, name string, current *grantSet,
	want map[string]*salesforce.PermissionSet) diag.Diagnostics {
	var diags diag.Diagnostics
	summary := errorSummary("updating", "connected app assignments", name)
	have := map[string]bool{}
	for _, row := range current.rows {
		if row.IsOwnedByProfile {
			continue
		}
		apiName := permissionSetAPIName(row.ParentNamespacePrefix, row.ParentName)
		have[strings.ToLower(apiName)] = true
		if wanted(want, apiName) {
			continue
		}
		if row.ParentNamespacePrefix != "" {
			diags.AddWarning(summary, fmt.Sprintf("The permission set %q from the managed package %q has access "+
				"to the app. The org cannot change grants of managed permission sets, so it is left in place.",
				apiName, row.ParentNamespacePrefix))
			continue
		}
		tflog.Debug(ctx, "Revoking permission set", map[string]any{"connected_app": name, "permission_set": apiName})
		if err := r.client.DeleteGrant(ctx, row.ID); err != nil && !isNotFound(err) {
			diags.AddError(summary, apiErrorDetail(err, ""))
			return diags
		}
	}
	for apiName, ps := range want {
		if have[strings.ToLower(apiName)] {
			continue
		}
		tflog.Debug(ctx, "Granting permission set", map[string]any{"connected_app": name, "permission_set": apiName})
		if _, err := r.client.CreateGrant(ctx, ps.ID, current.appID); err != nil {
			diags.AddError(summary, apiErrorDetail(err, ""))
			return diags
		}
	}
	return diags
}

// wanted reports whether the planned permission sets name apiName, in any
// case.
func wanted(want map[string]*salesforce.PermissionSet, apiName string) bool {
	for name := range want {
		if strings.EqualFold(name, apiName) {
			return true
		}
	}
	return false
}

// managedFree returns the permission sets of g that came from no managed
// package.
func managedFree(g *grantSet) []string {
	var out []string
	for _, row := range g.rows {
		if !row.IsOwnedByProfile && row.ParentNamespacePrefix == "" {
			out = append(out, row.ParentName)
		}
	}
	return out
}
