package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
)

var (
	_ resource.Resource                = &connectedAppResource{}
	_ resource.ResourceWithConfigure   = &connectedAppResource{}
	_ resource.ResourceWithImportState = &connectedAppResource{}
	_ resource.ResourceWithModifyPlan  = &connectedAppResource{}
)

// Consumer keys and secrets supplied at creation are 8 to 256 letters and
// digits, as the Metadata API documents. Keys that Salesforce generates also
// contain dots and underscores, which storedKeyPattern accepts, and
// retrieved apps may hold an empty key.
var (
	credentialPattern = regexp.MustCompile(`^[A-Za-z0-9]{8,256}$`)
	storedKeyPattern  = regexp.MustCompile(`^[A-Za-z0-9._]*$`)
)

// Default timeouts of the connected app's operations.
const (
	connectedAppTimeout     = 10 * time.Minute
	connectedAppReadTimeout = 5 * time.Minute
)

// NewConnectedAppResource returns the salesforce_connected_app resource.
func NewConnectedAppResource() resource.Resource {
	return &connectedAppResource{}
}

type connectedAppResource struct {
	client *salesforce.Client
	// apiVersion is the provider's api_version as a number, or 0 before
	// Configure.
	apiVersion float64
}

func (r *connectedAppResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app"
}

func (r *connectedAppResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The app's API name, as `name`.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "API name of the app: a letter first, then letters, digits and single " +
				"underscores, at most 80 characters, with two underscores in a row only after a namespace " +
				"prefix. Changing it renames the app in place with `renameMetadata`. " + elementNote("fullName"),
			Validators: []validator.String{apiName()},
		},
		"label": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Name of the app as Setup and the App Launcher show it. " + elementNote("label"),
			Validators:          []validator.String{notBlank()},
		},
		"contact_email": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Contact address of the app's owner. Required to create an app; an app that " +
				"holds none, such as one saved with `xsi:nil`, can still be managed. " + elementNote("contactEmail"),
			Validators: []validator.String{emailAddress()},
		},
		"contact_phone": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Contact phone number of the app's owner, as free text. " + elementNote("contactPhone"),
			Validators:          []validator.String{notBlank()},
		},
		"description": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Description of the app. " + elementNote("description"),
			Validators:          []validator.String{notBlank()},
		},
		"icon_url": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "URL of the app's icon; the Metadata API reserves the element for future " +
				"use. " + elementNote("iconUrl"),
			Validators: []validator.String{absoluteURL(urlRules{})},
		},
		"info_url": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "URL of a page that describes the app. " + elementNote("infoUrl"),
			Validators:          []validator.String{absoluteURL(urlRules{})},
		},
		"logo_url": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "HTTPS URL of the app's logo, at most 125 pixels high and 200 pixels wide. " +
				elementNote("logoUrl"),
			Validators: []validator.String{absoluteURL(urlRules{httpsOnly: true, reject: true})},
		},
		"custom_attributes": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Custom attributes, from key to formula, such as `{ email = \"$User.Email\" }`. " +
				"SAML assertions and ID tokens can carry them. The org's order of the entries is kept. " +
				elementNote("attributes"),
			Validators: []validator.Map{
				mapvalidator.KeysAre(noSurroundingSpace()),
				mapvalidator.ValueStringsAre(notBlank()),
			},
		},
		"deletion_protection": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
			MarkdownDescription: "When `true` (the default), destroying the resource fails: a deleted " +
				"connected app usually cannot be created again, because most orgs refuse new connected " +
				"apps since Spring '26. Set it to `false` and apply before destroying. Kept in state only.",
		},
	}
	for _, b := range nestedBlocks {
		attrs[b.attribute] = blockSchema(b)
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "A connected app (Metadata API type `ConnectedApp`): the settings a developer edits " +
			"in Setup's App Manager. Access policies belong to `salesforce_connected_app_policy` and grants to " +
			"`salesforce_connected_app_assignment`; this resource keeps them, and every element it does not " +
			"model, exactly as the org has them.\n\n" +
			"Since Spring '26 most orgs cannot create connected apps unless Salesforce Support enables it. " +
			"Adopt an existing app with `terraform import` instead.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// blockSchema returns the nested attribute of a block from its table.
func blockSchema(b elementBlock) schema.SingleNestedAttribute {
	attrs := map[string]schema.Attribute{}
	for _, f := range b.fields {
		attrs[f.attribute] = fieldSchema(f)
	}
	for _, sub := range b.blocks {
		attrs[sub.attribute] = blockSchema(sub)
	}
	if b.attribute == oauthConfigBlock.attribute {
		for name, a := range oauthOwnSchema() {
			attrs[name] = a
		}
	}
	return schema.SingleNestedAttribute{Optional: true, MarkdownDescription: b.markdown(), Attributes: attrs}
}

func fieldSchema(f elementField) schema.Attribute {
	switch f.kind {
	case boolElement:
		if f.required {
			return schema.BoolAttribute{Required: true, MarkdownDescription: f.markdown()}
		}
		// An omitted flag keeps the org's value: adopting an app must not
		// switch off a setting such as PKCE that the configuration does not
		// mention.
		return schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: f.markdown(),
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	case intElement:
		return schema.Int64Attribute{
			Required:            f.required,
			Optional:            !f.required,
			MarkdownDescription: f.markdown(),
			Validators:          f.int64Validators,
		}
	case enumSetElement:
		return schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: f.markdown(),
			Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(f.enum...))},
		}
	default:
		validators := []validator.String{notBlank()}
		if len(f.enum) > 0 {
			validators = append(validators, stringvalidator.OneOf(f.enum...))
		}
		return schema.StringAttribute{
			Required:            f.required,
			Optional:            !f.required,
			MarkdownDescription: f.markdown(),
			Validators:          append(validators, f.stringValidators...),
		}
	}
}

// oauthOwnSchema returns the oauth_config attributes that the element
// tables do not describe.
func oauthOwnSchema() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"callback_urls": schema.ListAttribute{
			ElementType: types.StringType,
			Required:    true,
			MarkdownDescription: "OAuth redirect URLs, in order, stored one per line. A list equal to the org's " +
				"keeps the org's line breaks, LF or CRLF. Custom schemes and wildcard hosts are accepted. " +
				elementNote("oauthConfig.callbackUrl"),
			Validators: []validator.List{
				listvalidator.SizeAtLeast(1),
				listvalidator.ValueStringsAre(callbackURL()),
			},
		},
		"scopes": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "OAuth scopes, such as `Api`, `RefreshToken` and `Web`. Salesforce returns " +
				"`Profile`, `Email`, `Address` and `Phone` as `Basic`, and `OfflineAccess` as `RefreshToken`; " +
				"either spelling plans no change. Scopes newer than the provider's `api_version` are rejected. " +
				elementNote("oauthConfig.scopes"),
			Validators: []validator.Set{
				setvalidator.ValueStringsAre(stringvalidator.OneOf(connectedapp.Scopes()...)),
			},
		},
		"certificate": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "X.509 certificate that verifies JWT bearer assertions, PEM or bare base64. " +
				"Armour lines and whitespace are ignored when comparing with the org's value. " +
				elementNote("oauthConfig.certificate"),
			Validators: []validator.String{certificateValue()},
		},
		"consumer_key": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "OAuth consumer key, the `client_id` of the app. Salesforce generates it unless " +
				"one is set when the app is created (8 to 256 letters and digits). It is never sent on update, " +
				"and a change after creation fails at plan time. " + elementNote("oauthConfig.consumerKey"),
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators: []validator.String{
				stringvalidator.RegexMatches(storedKeyPattern, "must contain only letters, digits, dots and underscores"),
			},
		},
		"consumer_secret_wo": schema.StringAttribute{
			Optional:  true,
			WriteOnly: true,
			Sensitive: true,
			MarkdownDescription: "OAuth consumer secret to set when the app is created, 8 to 256 letters and " +
				"digits; Salesforce generates one otherwise. Write-only (Terraform 1.11 and later): it is " +
				"never stored in state, and Salesforce never returns it. " + elementNote("oauthConfig.consumerSecret"),
			Validators: []validator.String{
				stringvalidator.RegexMatches(credentialPattern, "must be 8 to 256 letters and digits"),
			},
		},
		"consumer_secret_wo_version": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Version of `consumer_secret_wo`, kept in state. Salesforce accepts a consumer " +
				"secret only when an app is created, so a change after creation fails at plan time; rotate " +
				"the secret in Setup instead.",
		},
	}
}

func (r *connectedAppResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	pd := providerDataFrom(req.ProviderData, &resp.Diagnostics)
	if pd == nil {
		return
	}
	r.client = pd.client
	r.apiVersion = parseAPIVersion(pd.apiVersion)
}

func (r *connectedAppResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectedAppModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	timeout, timeoutDiags := plan.Timeouts.Create(ctx, connectedAppTimeout)
	resp.Diagnostics.Append(timeoutDiags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	app := connectedapp.New(name)
	plan.applyTo(app)
	if key := plan.consumerKey(); !key.IsNull() && !key.IsUnknown() {
		app.SetConsumerKey(key.ValueString())
	}
	if !plan.OAuthConfig.IsNull() {
		var secret types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx,
			path.Root("oauth_config").AtName("consumer_secret_wo"), &secret)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if !secret.IsNull() && !secret.IsUnknown() {
			app.SetConsumerSecret(secret.ValueString())
		}
	}

	unlock := r.client.LockApp(name)
	defer unlock()

	tflog.Debug(ctx, "Creating connected app", map[string]any{"name": name})
	if err := r.client.CreateConnectedApp(ctx, app); err != nil {
		resp.Diagnostics.AddError(errorSummary("creating", "connected app", name), apiErrorDetail(err, createErrorHint(err, name)))
		return
	}

	r.readBack(ctx, "creating", name, &plan, &resp.State, &resp.Diagnostics)
}

func (r *connectedAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectedAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	timeout, timeoutDiags := state.Timeouts.Read(ctx, connectedAppReadTimeout)
	resp.Diagnostics.Append(timeoutDiags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

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

	resp.Diagnostics.Append(state.fromApp(app)...)
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
	timeout, timeoutDiags := plan.Timeouts.Update(ctx, connectedAppTimeout)
	resp.Diagnostics.Append(timeoutDiags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

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

	app, err := r.client.FindConnectedAppFresh(ctx, name)
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("updating", "connected app", name), apiErrorDetail(err, ""))
		return
	}
	before := app.Clone()
	plan.applyTo(app)

	if !app.Equal(before) {
		tflog.Debug(ctx, "Updating connected app", map[string]any{"name": name})
		if err := r.client.UpdateConnectedApp(ctx, app); err != nil {
			resp.Diagnostics.AddError(errorSummary("updating", "connected app", name), apiErrorDetail(err, ""))
			return
		}
	}

	r.readBack(ctx, "updating", name, &plan, &resp.State, &resp.Diagnostics)
}

func (r *connectedAppResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectedAppModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	timeout, timeoutDiags := state.Timeouts.Delete(ctx, connectedAppTimeout)
	resp.Diagnostics.Append(timeoutDiags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if state.DeletionProtection.IsNull() || state.DeletionProtection.ValueBool() {
		resp.Diagnostics.AddError(errorSummary("deleting", "connected app", name), deletionProtectionDetail)
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

// ImportState accepts the app's API name, "id:" and its ConnectedApplication
// Id, or "consumer_key:" and its consumer key. Apps that the Metadata API
// cannot read are rejected here, with the resources that manage what an
// admin controls for them.
func (r *connectedAppResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, diags := r.findImportedApp(ctx, req.ID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("deletion_protection"), true)...)
}

// ModifyPlan plans the id from the name and checks what needs the prior
// state or the provider configuration: the consumer key and secret, which
// Salesforce fixes at creation, the elements newer than api_version, and
// what creation requires.
func (r *connectedAppResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		resp.Diagnostics.Append(checkDestroyAllowed(ctx, req)...)
		return
	}
	var config connectedAppModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *connectedAppModel
	if !req.State.Raw.IsNull() {
		state = &connectedAppModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	// The id is the API name, so a rename plans the new one.
	if !config.Name.IsNull() && !config.Name.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), config.Name)...)
	}

	resp.Diagnostics.Append(checkCredentials(&config, state)...)
	if state == nil {
		resp.Diagnostics.Append(checkCreatable(&config)...)
	} else {
		resp.Diagnostics.Append(warnOAuthRemoval(&config, state)...)
	}
	if r.apiVersion > 0 {
		resp.Diagnostics.Append(checkAPIVersions(&config, r.apiVersion)...)
	}
}

// checkDestroyAllowed fails a destroy plan while deletion_protection is on,
// so that no other resource of the configuration is destroyed first.
func checkDestroyAllowed(ctx context.Context, req resource.ModifyPlanRequest) diag.Diagnostics {
	var diags diag.Diagnostics
	if req.State.Raw.IsNull() {
		return diags
	}
	var protection types.Bool
	var name types.String
	diags.Append(req.State.GetAttribute(ctx, path.Root("deletion_protection"), &protection)...)
	diags.Append(req.State.GetAttribute(ctx, path.Root("name"), &name)...)
	if diags.HasError() || (!protection.IsNull() && !protection.ValueBool()) {
		return diags
	}
	diags.AddAttributeError(path.Root("deletion_protection"), errorSummary("planning the deletion of", "connected app", name.ValueString()),
		deletionProtectionDetail)
	return diags
}

// deletionProtectionDetail explains a refused destroy and the ways out.
const deletionProtectionDetail = "deletion_protection is true. A deleted connected app usually cannot be " +
	"created again, because most orgs refuse new connected apps since Spring '26, and every integration that " +
	"uses its consumer key stops working. To delete it anyway, set deletion_protection = false, apply, then " +
	"destroy. To stop managing it without deleting it, use a removed block with destroy = false, or terraform " +
	"state rm."

// createErrorHint returns the next step for a refused createMetadata: the
// Spring '26 restriction when the org refused the creation itself, and the
// attribute to change when Salesforce named a field.
func createErrorHint(err error, name string) string {
	var save *metadata.SaveError
	if errors.As(err, &save) {
		for _, e := range save.Errors {
			for _, f := range e.Fields {
				switch f {
				case "consumerKey":
					return "Salesforce rejected oauth_config.consumer_key. Remove consumer_key from the " +
						"configuration to let Salesforce generate a key, or choose another: keys are unique " +
						"across Salesforce."
				case "consumerSecret":
					return "Salesforce rejected oauth_config.consumer_secret_wo. Remove it to let Salesforce " +
						"generate a secret, or choose another."
				case "fullName":
					return "Salesforce rejected name. Choose another API name."
				}
			}
			if e.StatusCode != "INSUFFICIENT_ACCESS" {
				return ""
			}
		}
	}
	return "Since Spring '26 most orgs refuse new connected apps, through Setup and the Metadata API alike, " +
		"unless Salesforce Support enables creation. To manage an app that already exists, import it: " +
		fmt.Sprintf("terraform import <address> %s, or an import block. ", name) +
		"New integrations are built as External Client Apps."
}

// readBack reads the app after a write and stores it in state, keeping the
// planned spelling of values that Salesforce returns in another form. It
// reports every planned setting the org did not keep.
func (r *connectedAppResource) readBack(ctx context.Context, action, name string, plan *connectedAppModel,
	state *tfsdk.State, diags *diag.Diagnostics) {
	app, err := r.client.FindConnectedAppFresh(ctx, name)
	if err != nil {
		diags.AddError(errorSummary("reading", "connected app", name),
			apiErrorDetail(err, "The write succeeded, but the app could not be read back. Run terraform "+
				"apply again to refresh the state."))
		return
	}
	got := *plan
	diags.Append(got.fromApp(app)...)
	if diags.HasError() {
		return
	}
	if lost := plan.differences(&got); len(lost) > 0 {
		diags.AddError(errorSummary(action, "connected app", name), "Salesforce accepted the write but does "+
			"not hold every planned setting:\n  - "+strings.Join(lost, "\n  - ")+"\n\nCheck the app in Setup > "+
			"App Manager. A setting may need an org feature or permission that the signed-in user lacks, or "+
			"an api_version that has the element.")
	}
	diags.Append(state.Set(ctx, &got)...)
}

// findImportedApp resolves an import ID to the app's API name and checks that
// the resource can manage the app.
func (r *connectedAppResource) findImportedApp(ctx context.Context, id string) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	const layout = "Use the app's API name (fullName) as Setup > App Manager shows it, such as My_Integration; " +
		"id: and the app's ConnectedApplication Id, such as id:0H4Hs000000XXXXXXX; or consumer_key: and its " +
		"consumer key."
	summary := errorSummary("importing", "connected app", id)

	var props *metadata.FileProperties
	var name string
	var err error
	switch {
	case strings.HasPrefix(id, "id:"):
		appID := strings.TrimPrefix(id, "id:")
		if !salesforce.IsRecordID(appID) {
			diags.AddError("Invalid import ID", fmt.Sprintf("%q is not a Salesforce Id: an Id has 15 or 18 "+
				"letters and digits. %s", appID, layout))
			return "", diags
		}
		props, err = r.client.FindConnectedAppPropertiesByID(ctx, appID)
		if isNotFound(err) {
			diags.AddError(summary, fmt.Sprintf("No connected app with the Id %s is listed by the Metadata API. "+
				"Check the Id in the URL of the app's page in Setup > App Manager.", appID))
			return "", diags
		}
		if err == nil {
			name = props.FullName
		}
	case strings.HasPrefix(id, "consumer_key:"):
		key := strings.TrimPrefix(id, "consumer_key:")
		var app *connectedapp.App
		app, err = r.client.FindConnectedAppByConsumerKey(ctx, key)
		if isNotFound(err) {
			diags.AddError(summary, fmt.Sprintf("No connected app that the Metadata API can read has the "+
				"consumer key %q. Apps installed from a managed package are not searched; import those by "+
				"name to see what manages them.", key))
			return "", diags
		}
		if err == nil {
			return app.FullName(), diags
		}
	default:
		if reason := checkAPIName(id); reason != "" {
			diags.AddError("Invalid import ID", fmt.Sprintf("The import ID %q is not a connected app API name: "+
				"it %s. %s", id, reason, layout))
			return "", diags
		}
		name = id
		props, err = r.client.FindConnectedAppProperties(ctx, name)
		if isNotFound(err) {
			props, err = nil, nil
		}
	}
	if err != nil {
		diags.AddError(summary, apiErrorDetail(err, ""))
		return "", diags
	}
	diags.Append(r.checkImportable(ctx, name, props)...)
	return name, diags
}

// checkImportable rejects an app that the Metadata API cannot read, because
// the resource would build its state from nothing.
func (r *connectedAppResource) checkImportable(ctx context.Context, name string, props *metadata.FileProperties) diag.Diagnostics {
	var diags diag.Diagnostics
	summary := errorSummary("importing", "connected app", name)
	if props != nil && !salesforce.MetadataReadable(*props) {
		diags.AddError(summary, unmanageableAppDetail(name, fmt.Sprintf("was installed from a managed package "+
			"(namespace %s, manageable state %s)", orNone(props.NamespacePrefix), orNone(props.ManageableState))))
		return diags
	}
	_, err := r.client.FindConnectedApp(ctx, name)
	switch {
	case err == nil:
	case isNotFound(err) && props != nil:
		diags.AddError(summary, unmanageableAppDetail(name, "is listed by listMetadata, but readMetadata "+
			"returns no component for it, as for apps installed from Setup > Connected Apps OAuth Usage and "+
			"apps created in another org"))
	case isNotFound(err):
		diags.AddError(summary, fmt.Sprintf("No connected app named %q exists in the org. Check the API name "+
			"in Setup > App Manager.", name))
	default:
		diags.AddError(summary, apiErrorDetail(err, ""))
	}
	return diags
}

// unmanageableAppDetail explains why an app cannot be imported and which
// resources manage what the org's admin controls for it.
func unmanageableAppDetail(name, reason string) string {
	return fmt.Sprintf("The connected app %q %s. The Metadata API cannot read its settings, so "+
		"salesforce_connected_app cannot manage it: the app's developer owns them.\n\n"+
		"What the org's admin controls for it is managed elsewhere: the access policies of Setup > Connected "+
		"Apps > Manage Connected Apps > Edit Policies (permitted users, IP relaxation, refresh token and "+
		"session policies) by salesforce_connected_app_policy, and the profiles and permission sets that may "+
		"use it by salesforce_connected_app_assignment. The data source salesforce_connected_app shows what "+
		"the APIs expose of it.", name, reason)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
