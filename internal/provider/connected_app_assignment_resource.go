package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

var (
	_ resource.Resource                     = &connectedAppAssignmentResource{}
	_ resource.ResourceWithConfigure        = &connectedAppAssignmentResource{}
	_ resource.ResourceWithImportState      = &connectedAppAssignmentResource{}
	_ resource.ResourceWithConfigValidators = &connectedAppAssignmentResource{}
)

// NewConnectedAppAssignmentResource returns the
// salesforce_connected_app_assignment resource.
func NewConnectedAppAssignmentResource() resource.Resource {
	return &connectedAppAssignmentResource{}
}

type connectedAppAssignmentResource struct {
	client *salesforce.Client
}

type connectedAppAssignmentModel struct {
	ID            types.String   `tfsdk:"id"`
	ConnectedApp  types.String   `tfsdk:"connected_app"`
	Profile       types.String   `tfsdk:"profile"`
	PermissionSet types.String   `tfsdk:"permission_set"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (r *connectedAppAssignmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app_assignment"
}

func (r *connectedAppAssignmentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Gives one profile or one permission set access to a connected app, as Setup's " +
			"Manage Profiles and Manage Permission Sets buttons on the app do. A grant is stored whether or not " +
			"the app is admin-approved, but takes effect only when the app's `permitted_users` is " +
			"`admin_approved`.\n\n" +
			"Profile grants are written through the app's `profileName` metadata list; permission set grants " +
			"as `SetupEntityAccess` rows. Both are read back from `SetupEntityAccess`, so a grant removed in " +
			"Setup shows as drift and the next apply grants it again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`APP/profile/NAME` or `APP/permission_set/NAME`, the form `terraform import` " +
					"takes.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connected_app": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "API name of the connected app. Set it from the policy resource's " +
					"`connected_app` attribute, so that the grant is written after the policy.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Profile name as Setup shows it, such as `System Administrator` (whose " +
					"metadata name is `Admin`). Exactly one of `profile` and `permission_set` is set.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"permission_set": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "API name of the permission set, with its namespace prefix where it has " +
					"one (`ns__Name`).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}
}

func (r *connectedAppAssignmentResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("profile"), path.MatchRoot("permission_set")),
	}
}

func (r *connectedAppAssignmentResource) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureResource(ctx, req, resp)
}

func (r *connectedAppAssignmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectedAppAssignmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g := plan.grant()
	summary := errorSummary("creating", "connected app assignment", g.id())
	timeout, diags := plan.Timeouts.Create(ctx, assignmentsTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	unlock := r.client.LockApp(g.app)
	defer unlock()

	var err error
	if g.kind == grantProfile {
		err = r.grantProfile(ctx, g)
	} else {
		err = r.grantPermissionSet(ctx, g)
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, grantErrorDetail(err, g))
		return
	}

	found, err := r.findGrant(ctx, g)
	if err != nil {
		resp.Diagnostics.AddError(summary, grantErrorDetail(err, g))
		return
	}
	if !found {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Salesforce accepted the grant of %s, but it does not "+
			"appear among the app's SetupEntityAccess rows. Check the app in Setup > Manage Connected Apps.", g.subject()))
		return
	}
	plan.ID = types.StringValue(g.id())
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *connectedAppAssignmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectedAppAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g := state.grant()
	timeout, diags := state.Timeouts.Read(ctx, assignmentsTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	row, err := findAssignment(ctx, r.client, g.app, g.kind, g.name)
	found := row != nil
	if err != nil && !isNotFound(err) {
		resp.Diagnostics.AddError(errorSummary("reading", "connected app assignment", g.id()), grantErrorDetail(err, g))
		return
	}
	if !found {
		resp.Diagnostics.AddWarning(errorSummary("reading", "connected app assignment", g.id()),
			fmt.Sprintf("In the org, %s no longer has access to the connected app %q, so the grant is removed "+
				"from the state. The next apply grants it again.", g.subject(), g.app))
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(g.id())
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update is never called with a change: every attribute forces a new grant.
func (r *connectedAppAssignmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan connectedAppAssignmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *connectedAppAssignmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectedAppAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g := state.grant()
	timeout, diags := state.Timeouts.Delete(ctx, assignmentsTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	unlock := r.client.LockApp(g.app)
	defer unlock()

	var err error
	if g.kind == grantProfile {
		err = r.revokeProfile(ctx, g)
	} else {
		err = r.revokePermissionSet(ctx, g)
	}
	if err != nil && !isNotFound(err) {
		resp.Diagnostics.AddError(errorSummary("deleting", "connected app assignment", g.id()), grantErrorDetail(err, g))
	}
}

func (r *connectedAppAssignmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	g, err := parseGrantID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", "The "+err.Error()+".")
		return
	}
	checkImportedApp(ctx, r.client, "salesforce_connected_app_assignment", g.app, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	m := connectedAppAssignmentModel{
		ID:            types.StringValue(g.id()),
		ConnectedApp:  types.StringValue(g.app),
		Profile:       types.StringNull(),
		PermissionSet: types.StringNull(),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "delete": types.StringType,
		})},
	}
	if g.kind == grantProfile {
		m.Profile = types.StringValue(g.name)
	} else {
		m.PermissionSet = types.StringValue(g.name)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// grantProfile adds the profile to the app's profileName list, the
// documented route for profiles. The caller holds the app's lock.
func (r *connectedAppAssignmentResource) grantProfile(ctx context.Context, g grant) error {
	profile, err := r.client.FindProfileByName(ctx, g.name)
	if err != nil {
		return fmt.Errorf("profile lookup: %w", err)
	}
	// The org's spelling goes into the list, whatever case the configuration uses.
	g.name = profile.Name
	props, err := r.client.FindConnectedAppProperties(ctx, g.app)
	if err != nil {
		return fmt.Errorf("connected app lookup: %w", err)
	}
	if managedPackageNamespace(props.NamespacePrefix, props.ManageableState) != "" {
		return r.grantProfileRow(ctx, g, props.ID)
	}
	app, err := r.client.FindConnectedAppFresh(ctx, g.app)
	if err != nil {
		return fmt.Errorf("connected app lookup: %w", err)
	}
	profiles := app.Profiles()
	for _, p := range profiles {
		if strings.EqualFold(p, g.name) {
			tflog.Debug(ctx, "Profile already granted", map[string]any{"connected_app": g.app, "profile": g.name})
			return nil
		}
	}
	app.SetProfiles(append(profiles, g.name))
	tflog.Debug(ctx, "Granting profile", map[string]any{"connected_app": g.app, "profile": g.name})
	return r.client.UpdateConnectedApp(ctx, app)
}

func (r *connectedAppAssignmentResource) revokeProfile(ctx context.Context, g grant) error {
	props, err := r.client.FindConnectedAppProperties(ctx, g.app)
	if err != nil {
		return err
	}
	if managedPackageNamespace(props.NamespacePrefix, props.ManageableState) != "" {
		row, err := r.findGrantRow(ctx, g)
		if err != nil || row == nil {
			return err
		}
		return r.client.DeleteGrant(ctx, row.ID)
	}
	app, err := r.client.FindConnectedAppFresh(ctx, g.app)
	if err != nil {
		return err
	}
	profiles := app.Profiles()
	kept := profiles[:0]
	for _, p := range profiles {
		if !strings.EqualFold(p, g.name) {
			kept = append(kept, p)
		}
	}
	if len(kept) == len(app.Profiles()) {
		return nil
	}
	app.SetProfiles(kept)
	tflog.Debug(ctx, "Revoking profile", map[string]any{"connected_app": g.app, "profile": g.name})
	return r.client.UpdateConnectedApp(ctx, app)
}

// grantProfileRow inserts a SetupEntityAccess row under the permission set
// the profile owns. Apps installed from a managed package have no readable
// component whose profileName list could be written, so this is the only
// route for them.
//
// NOTE: Salesforce documents SetupEntityAccess inserts for connected apps,
// but not under a profile's own permission set. Check 4 of make probe-live
// tries it on a live org.
func (r *connectedAppAssignmentResource) grantProfileRow(ctx context.Context, g grant, appID string) error {
	parentID, err := r.client.FindProfilePermissionSetID(ctx, g.name)
	if err != nil {
		return fmt.Errorf("profile lookup: %w", err)
	}
	if row, err := r.findGrantRow(ctx, g); err == nil && row != nil {
		return nil
	}
	tflog.Debug(ctx, "Granting profile through its permission set", map[string]any{"connected_app": g.app, "profile": g.name})
	_, err = r.client.CreateGrant(ctx, parentID, appID)
	return err
}

// grantPermissionSet inserts a SetupEntityAccess row. A grant that already
// exists is adopted. The caller holds the app's lock.
func (r *connectedAppAssignmentResource) grantPermissionSet(ctx context.Context, g grant) error {
	ps, err := r.client.FindPermissionSetByName(ctx, g.name)
	if err != nil {
		return fmt.Errorf("permission set lookup: %w", err)
	}
	if ps.NamespacePrefix != "" {
		return &managedPermissionSetError{name: g.name, namespace: ps.NamespacePrefix}
	}
	props, err := r.client.FindConnectedAppProperties(ctx, g.app)
	if err != nil {
		return fmt.Errorf("connected app lookup: %w", err)
	}
	grants, err := r.client.FindGrantsFresh(ctx, props.ID)
	if err != nil {
		return err
	}
	for _, existing := range grants {
		if existing.ParentID == ps.ID {
			tflog.Debug(ctx, "Permission set already granted", map[string]any{"connected_app": g.app, "permission_set": g.name})
			return nil
		}
	}
	tflog.Debug(ctx, "Granting permission set", map[string]any{"connected_app": g.app, "permission_set": g.name})
	_, err = r.client.CreateGrant(ctx, ps.ID, props.ID)
	return err
}

func (r *connectedAppAssignmentResource) revokePermissionSet(ctx context.Context, g grant) error {
	row, err := r.findGrantRow(ctx, g)
	if err != nil || row == nil {
		return err
	}
	tflog.Debug(ctx, "Revoking permission set", map[string]any{"connected_app": g.app, "permission_set": g.name})
	return r.client.DeleteGrant(ctx, row.ID)
}

// findGrant reports whether the org holds the grant. A missing app returns
// false and no error.
func (r *connectedAppAssignmentResource) findGrant(ctx context.Context, g grant) (bool, error) {
	row, err := r.findGrantRow(ctx, g)
	if isNotFound(err) {
		return false, nil
	}
	return row != nil, err
}

// findGrantRow looks the grant up afresh, for writers and for the check
// after a write.
func (r *connectedAppAssignmentResource) findGrantRow(ctx context.Context, g grant) (*salesforce.Grant, error) {
	return findAssignmentIn(ctx, r.client.FindGrantsFresh, r.client, g)
}

// findAssignment returns the SetupEntityAccess row that gives the profile or
// permission set access to the app, or nil when there is none.
func findAssignment(ctx context.Context, client *salesforce.Client, app string, kind grantKind, name string) (*salesforce.Grant, error) {
	return findAssignmentIn(ctx, client.FindGrants, client, grant{app: app, kind: kind, name: name})
}

func findAssignmentIn(ctx context.Context, findGrants func(context.Context, string) ([]salesforce.Grant, error),
	client *salesforce.Client, g grant) (*salesforce.Grant, error) {
	app, kind, name := g.app, g.kind, g.name
	props, err := client.FindConnectedAppProperties(ctx, app)
	if err != nil {
		return nil, err
	}
	grants, err := findGrants(ctx, props.ID)
	if err != nil {
		return nil, err
	}
	for i := range grants {
		if grantMatches(grants[i], kind, name) {
			return &grants[i], nil
		}
	}
	return nil, nil
}

type managedPermissionSetError struct {
	name, namespace string
}

func (e *managedPermissionSetError) Error() string {
	return fmt.Sprintf("the permission set %q belongs to the managed package with namespace %q, and "+
		"Salesforce does not let subscribers change managed permission sets (Setup shows \"Cannot Modify "+
		"Managed Component\"). Grant the app to a permission set created in the org, and assign that "+
		"permission set to the users", e.name, e.namespace)
}

func grantErrorDetail(err error, g grant) string {
	if isNotFound(err) {
		switch {
		case strings.HasPrefix(err.Error(), "profile lookup"):
			return fmt.Sprintf("No profile named %q exists in the org. Use the profile name as Setup > Profiles "+
				"shows it, such as \"System Administrator\" rather than its metadata name \"Admin\".", g.name)
		case strings.HasPrefix(err.Error(), "permission set lookup"):
			return fmt.Sprintf("No permission set with the API name %q exists in the org. Use the API Name "+
				"that Setup > Permission Sets shows, with its namespace prefix (ns__Name) where it has one.", g.name)
		}
		return fmt.Sprintf("No connected app named %q exists in the org. Check its API name under Setup > "+
			"App Manager.", g.app)
	}
	var managed *managedPermissionSetError
	if errors.As(err, &managed) {
		return "Refusing to write: " + managed.Error() + "."
	}
	return apiErrorDetail(err, "")
}
