package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

var (
	_ resource.Resource                = &connectedAppResource{}
	_ resource.ResourceWithConfigure   = &connectedAppResource{}
	_ resource.ResourceWithImportState = &connectedAppResource{}
	_ resource.ResourceWithModifyPlan  = &connectedAppResource{}
)

// apiNamePattern is the rule Salesforce applies to API names: a letter
// first, then letters, digits and single underscores, not ending in one.
var apiNamePattern = regexp.MustCompile(`^[A-Za-z](?:[A-Za-z0-9]|_[A-Za-z0-9])*$`)

// consumerKeyPattern is the documented form of a consumer key supplied at
// creation: 8 to 256 letters and digits. Keys that Salesforce generates also
// contain dots and underscores, which storedKeyPattern accepts.
var (
	consumerKeyPattern = regexp.MustCompile(`^[A-Za-z0-9]{8,256}$`)
	storedKeyPattern   = regexp.MustCompile(`^[A-Za-z0-9._]+$`)
)

// NewConnectedAppResource returns the salesforce_connected_app resource.
func NewConnectedAppResource() resource.Resource {
	return &connectedAppResource{}
}

type connectedAppResource struct {
	client *salesforce.Client
}

func (r *connectedAppResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app"
}

func (r *connectedAppResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A connected app (Metadata API type `ConnectedApp`): the settings a developer edits " +
			"in Setup's App Manager. Access policies belong to `salesforce_connected_app_policy` and grants to " +
			"`salesforce_connected_app_assignment`; this resource keeps them, and every element it does not " +
			"model, exactly as the org has them.\n\n" +
			"Since Spring '26 most orgs cannot create connected apps unless Salesforce Support enables it. " +
			"Adopt an existing app with `terraform import` instead.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The app's API name, as `name`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "API name of the app (`fullName`). Changing it renames the app in place " +
					"with `renameMetadata`.",
				Validators: []validator.String{
					stringvalidator.LengthAtMost(80),
					stringvalidator.RegexMatches(apiNamePattern, "must start with a letter and contain only "+
						"letters, digits and single underscores, and must not end with an underscore "+
						"(two underscores in a row mark a namespace prefix)"),
				},
			},
			"label": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the app as Setup and the App Launcher show it (`label`).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"contact_email": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Contact address of the app's owner (`contactEmail`).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Description of the app (`description`).",
			},
			"oauth_config": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "OAuth settings (`oauthConfig`). Present means *Enable OAuth Settings* is on; " +
					"removing the block turns OAuth off for the app.",
				Attributes: oauthConfigSchema(),
			},
			"deletion_protection": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "When `true` (the default), destroying the resource fails: a deleted " +
					"connected app usually cannot be created again, because most orgs refuse new connected " +
					"apps since Spring '26. Set it to `false` and apply before destroying.",
			},
		},
	}
}

func oauthConfigSchema() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"callback_urls": schema.ListAttribute{
			ElementType: types.StringType,
			Required:    true,
			MarkdownDescription: "OAuth redirect URLs, in order (`callbackUrl`, stored one per line). A value " +
				"equal to the org's keeps the org's own line breaks.",
			Validators: []validator.List{
				listvalidator.SizeAtLeast(1),
				listvalidator.ValueStringsAre(stringvalidator.RegexMatches(
					regexp.MustCompile(`^\S+$`), "must be one URL with no spaces or line breaks")),
			},
		},
		"scopes": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "OAuth scopes (`scopes`), such as `Api`, `RefreshToken` and `Web`. Salesforce " +
				"returns `Profile`, `Email`, `Address` and `Phone` as `Basic`, and `OfflineAccess` as " +
				"`RefreshToken`; either spelling plans no change.",
			Validators: []validator.Set{
				setvalidator.ValueStringsAre(stringvalidator.OneOf(connectedapp.Scopes()...)),
			},
		},
		"certificate": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "X.509 certificate that verifies JWT bearer assertions (`certificate`), PEM or " +
				"bare base64. Armour lines and whitespace are ignored when comparing with the org's value.",
		},
		"consumer_key": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "OAuth consumer key (`consumerKey`), the `client_id` of the app. Salesforce " +
				"generates it unless one is set when the app is created (8 to 256 letters and digits); it " +
				"cannot be changed afterwards.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators: []validator.String{
				stringvalidator.RegexMatches(storedKeyPattern, "must contain only letters, digits, dots and underscores"),
			},
		},
	}
}

func (r *connectedAppResource) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureResource(ctx, req, resp)
}

func (r *connectedAppResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectedAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()

	app := connectedapp.New(name)
	oauth, diags := plan.oauthConfig(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.applyTo(app, oauth)
	if oauth != nil && !oauth.ConsumerKey.IsNull() && !oauth.ConsumerKey.IsUnknown() {
		app.SetConsumerKey(oauth.ConsumerKey.ValueString())
	}

	unlock := r.client.LockApp(name)
	defer unlock()

	tflog.Debug(ctx, "Creating connected app", map[string]any{"name": name})
	if err := r.client.CreateConnectedApp(ctx, app); err != nil {
		resp.Diagnostics.AddError(errorSummary("creating", "connected app", name), apiErrorDetail(err,
			"Since Spring '26 most orgs refuse new connected apps, through Setup and the Metadata API alike, "+
				"unless Salesforce Support enables creation. To manage an app that already exists, import it: "+
				fmt.Sprintf("terraform import salesforce_connected_app.NAME %s. ", name)+
				"New integrations are built as External Client Apps."))
		return
	}

	r.readBack(ctx, name, &plan, &resp.State, &resp.Diagnostics)
}

func (r *connectedAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectedAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()

	app, err := r.client.FindConnectedApp(ctx, name)
	if isNotFound(err) {
		resp.Diagnostics.AddWarning(errorSummary("reading", "connected app", name),
			"The connected app no longer exists in the org, so it is removed from the state. "+
				"The next plan shows it to be created again.")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("reading", "connected app", name), apiErrorDetail(err, ""))
		return
	}

	resp.Diagnostics.Append(state.fromApp(ctx, app)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *connectedAppResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state connectedAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	oldName, name := state.Name.ValueString(), plan.Name.ValueString()

	unlock := r.client.LockApp(oldName)
	defer unlock()
	if name != oldName {
		unlockNew := r.client.LockApp(name)
		defer unlockNew()
		tflog.Debug(ctx, "Renaming connected app", map[string]any{"name": oldName, "new_name": name})
		if err := r.client.RenameConnectedApp(ctx, oldName, name); err != nil {
			resp.Diagnostics.AddError(errorSummary("renaming", "connected app", oldName), apiErrorDetail(err,
				fmt.Sprintf("Check that no other connected app is named %q.", name)))
			return
		}
	}

	app, err := r.client.FindConnectedApp(ctx, name)
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("updating", "connected app", name), apiErrorDetail(err, ""))
		return
	}
	oauth, diags := plan.oauthConfig(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	before := app.Clone()
	plan.applyTo(app, oauth)

	if !app.Equal(before) {
		tflog.Debug(ctx, "Updating connected app", map[string]any{"name": name})
		if err := r.client.UpdateConnectedApp(ctx, app); err != nil {
			resp.Diagnostics.AddError(errorSummary("updating", "connected app", name), apiErrorDetail(err, ""))
			return
		}
	}

	r.readBack(ctx, name, &plan, &resp.State, &resp.Diagnostics)
}

func (r *connectedAppResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectedAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()

	if state.DeletionProtection.IsNull() || state.DeletionProtection.ValueBool() {
		resp.Diagnostics.AddError(errorSummary("deleting", "connected app", name),
			"deletion_protection is true. A deleted connected app usually cannot be created again, because "+
				"most orgs refuse new connected apps since Spring '26, and every integration that uses its "+
				"consumer key stops working. To delete it anyway, set deletion_protection = false, apply, "+
				"then destroy. To stop managing it without deleting it, use terraform state rm.")
		return
	}

	unlock := r.client.LockApp(name)
	defer unlock()

	tflog.Debug(ctx, "Deleting connected app", map[string]any{"name": name})
	err := r.client.DeleteConnectedApp(ctx, name)
	if err != nil && !isNotFound(err) {
		resp.Diagnostics.AddError(errorSummary("deleting", "connected app", name), apiErrorDetail(err, ""))
	}
}

func (r *connectedAppResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !apiNamePattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("The import ID %q is not a connected app API name. Use the app's API name (fullName), "+
				"as Setup > App Manager shows it under API Name, such as My_Integration.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("deletion_protection"), true)...)
}

// ModifyPlan rejects a changed consumer key, which Salesforce fixes when the
// app is created.
func (r *connectedAppResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	keyPath := path.Root("oauth_config").AtName("consumer_key")
	var configKey, stateKey types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, keyPath, &configKey)...)
	if resp.Diagnostics.HasError() || configKey.IsNull() || configKey.IsUnknown() {
		return
	}
	if req.State.Raw.IsNull() {
		if !consumerKeyPattern.MatchString(configKey.ValueString()) {
			resp.Diagnostics.AddAttributeError(keyPath, "Invalid consumer key", fmt.Sprintf("A consumer key "+
				"supplied at creation must be 8 to 256 letters and digits, but %q is not. Remove consumer_key "+
				"to let Salesforce generate one.", configKey.ValueString()))
		}
		return
	}
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, keyPath, &stateKey)...)
	if resp.Diagnostics.HasError() || stateKey.IsNull() {
		return
	}
	if configKey.ValueString() != stateKey.ValueString() {
		resp.Diagnostics.AddAttributeError(keyPath, "Consumer key cannot be changed",
			fmt.Sprintf("The app's consumer key is %q. Salesforce fixes the consumer key when a connected app "+
				"is created, so it cannot become %q. Remove consumer_key from the configuration or set it to "+
				"the current value.", stateKey.ValueString(), configKey.ValueString()))
	}
}

// readBack reads the app after a write and stores it in state, keeping the
// planned spelling of values that Salesforce returns in another form.
func (r *connectedAppResource) readBack(ctx context.Context, name string, plan *connectedAppModel,
	state *tfsdk.State, diags *diag.Diagnostics) {
	app, err := r.client.FindConnectedApp(ctx, name)
	if err != nil {
		diags.AddError(errorSummary("reading", "connected app", name),
			apiErrorDetail(err, "The write succeeded, but the app could not be read back. Run terraform "+
				"apply again to refresh the state."))
		return
	}
	diags.Append(plan.fromApp(ctx, app)...)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, plan)...)
}
