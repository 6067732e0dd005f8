package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
)

var (
	_ datasource.DataSource              = &connectedAppDataSource{}
	_ datasource.DataSourceWithConfigure = &connectedAppDataSource{}
)

// NewConnectedAppDataSource returns the salesforce_connected_app data source.
func NewConnectedAppDataSource() datasource.DataSource {
	return &connectedAppDataSource{}
}

type connectedAppDataSource struct {
	client *salesforce.Client
}

type connectedAppDataSourceModel struct {
	Name                         types.String `tfsdk:"name"`
	ID                           types.String `tfsdk:"id"`
	Label                        types.String `tfsdk:"label"`
	NamespacePrefix              types.String `tfsdk:"namespace_prefix"`
	ManageableState              types.String `tfsdk:"manageable_state"`
	InstalledFromPackage         types.Bool   `tfsdk:"installed_from_package"`
	MetadataReadable             types.Bool   `tfsdk:"metadata_readable"`
	ContactEmail                 types.String `tfsdk:"contact_email"`
	Description                  types.String `tfsdk:"description"`
	ConsumerKey                  types.String `tfsdk:"consumer_key"`
	CallbackURLs                 types.List   `tfsdk:"callback_urls"`
	Scopes                       types.Set    `tfsdk:"scopes"`
	PermittedUsers               types.String `tfsdk:"permitted_users"`
	IPRelaxation                 types.String `tfsdk:"ip_relaxation"`
	RefreshTokenPolicy           types.String `tfsdk:"refresh_token_policy"`
	RefreshTokenValidityPeriod   types.Int64  `tfsdk:"refresh_token_validity_period"`
	RefreshTokenValidityUnit     types.String `tfsdk:"refresh_token_validity_unit"`
	HighAssuranceSessionRequired types.Bool   `tfsdk:"high_assurance_session_required"`
	HighAssuranceAction          types.String `tfsdk:"high_assurance_action"`
	SessionTimeoutMinutes        types.Int64  `tfsdk:"session_timeout_minutes"`
	StartURL                     types.String `tfsdk:"start_url"`
	MobileStartURL               types.String `tfsdk:"mobile_start_url"`
	Profiles                     types.Set    `tfsdk:"profiles"`
	PermissionSets               types.Set    `tfsdk:"permission_sets"`
}

func (d *connectedAppDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_app"
}

// unreadableNote ends the description of every attribute that only the
// Metadata API returns.
const unreadableNote = " Null when `metadata_readable` is `false`."

func (d *connectedAppDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one connected app by API name, with its policy state as far as the APIs " +
			"expose it. For an app created in the org, everything comes from its `ConnectedApp` component. " +
			"For an app that the Metadata API cannot read, such as one installed from a managed package, " +
			"the values come from the read-only `ConnectedApplication` object: permitted users, the high " +
			"assurance flag, the refresh token validity and the start URLs. The attributes that no API " +
			"exposes for such an app are null, as their descriptions say. Grants come from " +
			"`SetupEntityAccess` for every app.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "API name (`fullName`) of the app, with its namespace prefix if it has one.",
				Validators:          []validator.String{apiName()},
			},
			"id":               computed("The app's `ConnectedApplication` Id, from `listMetadata`."),
			"label":            computed("Name of the app as Setup shows it. For an app the Metadata API cannot read, `ConnectedApplication.Name`."),
			"namespace_prefix": computed("Namespace prefix of the package the app came from, or null."),
			"manageable_state": computed("The `manageableState` that `listMetadata` reports, such as `unmanaged` or `installed`, or null."),
			"installed_from_package": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "`true` when the app was installed from a package, `false` when it was created in the org.",
			},
			"metadata_readable": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "`true` when `readMetadata` returns the app's component. It is `false` for " +
					"apps installed from a managed package and for apps installed from Setup > Connected Apps " +
					"OAuth Usage, which `salesforce_connected_app` cannot manage.",
			},
			"contact_email": computed("Contact address of the app's owner." + unreadableNote),
			"description":   computed("Description of the app." + unreadableNote),
			"consumer_key":  computed("OAuth consumer key." + unreadableNote),
			"callback_urls": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "OAuth callback URLs, in the org's order." + unreadableNote,
			},
			"scopes": schema.SetAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "OAuth scopes, as Salesforce returns them." + unreadableNote,
			},
			"permitted_users": computed("`all_users` or `admin_approved`, as for `salesforce_connected_app_policy`. " +
				"Null for an app without OAuth settings."),
			"ip_relaxation": computed("`enforce`, `enforce_relax_refresh`, `relax_with_second_factor` or `relax`." +
				unreadableNote + " No other API exposes it."),
			"refresh_token_policy": computed("`valid_until_revoked`, `expire_immediately`, `expire_after` or " +
				"`expire_if_unused`. For an app the Metadata API cannot read, only `expire_after` and " +
				"`expire_if_unused` can be told apart, from `ConnectedApplication`; otherwise it is null."),
			"refresh_token_validity_period": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "N of `expire_after` and `expire_if_unused`, or null.",
			},
			"refresh_token_validity_unit": computed("`hours`, `days` or `months`, or null. `ConnectedApplication` " +
				"does not expose the unit, so it is null for an app the Metadata API cannot read."),
			"high_assurance_session_required": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the app requires a high assurance session.",
			},
			"high_assurance_action": computed("`raise_session_level` or `block`, or null." + unreadableNote),
			"session_timeout_minutes": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "App session timeout in minutes, or null." + unreadableNote,
			},
			"start_url":        computed("Start URL, or null."),
			"mobile_start_url": computed("Mobile start URL, or null."),
			"profiles": schema.SetAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Profiles granted the app, by the name Setup shows.",
			},
			"permission_sets": schema.SetAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Permission sets granted the app, by API name (`ns__Name` for namespaced ones).",
			},
		},
	}
}

func (d *connectedAppDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *connectedAppDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg connectedAppDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := cfg.Name.ValueString()
	summary := errorSummary("reading", "connected app", name)

	props, err := d.client.FindConnectedAppProperties(ctx, name)
	if isNotFound(err) {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("No connected app named %q is listed by the Metadata "+
			"API. Check the API name in Setup > App Manager, with the namespace prefix if the app has one.", name))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, apiErrorDetail(err, ""))
		return
	}

	m := emptyConnectedAppData(name, props)
	var app *connectedapp.App
	if salesforce.MetadataReadable(*props) {
		app, err = d.client.FindConnectedApp(ctx, props.FullName)
		if err != nil && !isNotFound(err) {
			resp.Diagnostics.AddError(summary, apiErrorDetail(err, ""))
			return
		}
	}
	if app != nil {
		m.fromComponent(app)
	} else if props.ID != "" {
		row, err := d.client.FindConnectedApplication(ctx, props.ID)
		if err != nil && !isNotFound(err) {
			resp.Diagnostics.AddError(summary, apiErrorDetail(err, ""))
			return
		}
		if row != nil {
			m.fromConnectedApplication(row)
		}
	}
	if props.ID != "" {
		grants, err := d.client.FindGrants(ctx, props.ID)
		if err != nil {
			resp.Diagnostics.AddError(summary, apiErrorDetail(err, ""))
			return
		}
		m.Profiles, m.PermissionSets = grantNames(grants)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// emptyConnectedAppData returns the model with the values listMetadata
// returns and every other attribute null.
func emptyConnectedAppData(name string, props *metadata.FileProperties) connectedAppDataSourceModel {
	return connectedAppDataSourceModel{
		Name:                         types.StringValue(name),
		ID:                           stringOrNull(props.ID),
		Label:                        types.StringNull(),
		NamespacePrefix:              stringOrNull(props.NamespacePrefix),
		ManageableState:              stringOrNull(props.ManageableState),
		InstalledFromPackage:         types.BoolValue(salesforce.InstalledFromPackage(*props)),
		MetadataReadable:             types.BoolValue(false),
		ContactEmail:                 types.StringNull(),
		Description:                  types.StringNull(),
		ConsumerKey:                  types.StringNull(),
		CallbackURLs:                 types.ListNull(types.StringType),
		Scopes:                       types.SetNull(types.StringType),
		PermittedUsers:               types.StringNull(),
		IPRelaxation:                 types.StringNull(),
		RefreshTokenPolicy:           types.StringNull(),
		RefreshTokenValidityPeriod:   types.Int64Null(),
		RefreshTokenValidityUnit:     types.StringNull(),
		HighAssuranceSessionRequired: types.BoolNull(),
		HighAssuranceAction:          types.StringNull(),
		SessionTimeoutMinutes:        types.Int64Null(),
		StartURL:                     types.StringNull(),
		MobileStartURL:               types.StringNull(),
		Profiles:                     types.SetValueMust(types.StringType, nil),
		PermissionSets:               types.SetValueMust(types.StringType, nil),
	}
}

// fromComponent sets the attributes that the app's component holds.
func (m *connectedAppDataSourceModel) fromComponent(app *connectedapp.App) {
	m.MetadataReadable = types.BoolValue(true)
	text := func(path string) types.String {
		v, ok := app.Text(path)
		if !ok {
			return types.StringNull()
		}
		return types.StringValue(v)
	}
	m.Label = text("label")
	m.ContactEmail = text("contactEmail")
	m.Description = text("description")
	m.StartURL = text("startUrl")
	m.MobileStartURL = text("mobileStartUrl")

	m.HighAssuranceSessionRequired = types.BoolValue(app.HighAssuranceRequired())
	if action, ok := app.PolicyAction(); ok && app.HighAssuranceRequired() {
		m.HighAssuranceAction = types.StringValue(policyActionValues.fromAPI(action))
	}
	if timeout, ok := app.SessionTimeout(); ok {
		m.SessionTimeoutMinutes = types.Int64Value(int64(timeout))
	}
	if !app.HasOAuth() {
		return
	}

	key, _ := app.Element().Child("oauthConfig").ChildText("consumerKey")
	m.ConsumerKey = types.StringValue(key)
	if urls := app.CallbackURLs(); len(urls) > 0 {
		m.CallbackURLs = listOf(urls)
	}
	if scopes := connectedapp.NormalizeScopes(app.Scopes()); len(scopes) > 0 {
		m.Scopes = setOf(scopes)
	}
	m.PermittedUsers = types.StringValue(permittedUsersValues.fromAPI(fmt.Sprint(app.IsAdminApproved())))
	m.IPRelaxation = types.StringValue(ipRelaxationValues.fromAPI(app.IPRelaxation()))
	if refresh, err := app.RefreshTokenPolicy(); err == nil {
		m.RefreshTokenPolicy = types.StringValue(refreshTokenPolicyValues.fromAPI(refresh.Kind))
		if refresh.Period > 0 {
			m.RefreshTokenValidityPeriod = types.Int64Value(int64(refresh.Period))
			m.RefreshTokenValidityUnit = types.StringValue(refreshTokenUnitValues.fromAPI(refresh.Unit))
		}
	}
}

// fromConnectedApplication sets what the ConnectedApplication object shows
// of an app whose component cannot be read.
func (m *connectedAppDataSourceModel) fromConnectedApplication(row *salesforce.ConnectedApplication) {
	m.Label = stringOrNull(row.Name)
	m.PermittedUsers = types.StringValue(permittedUsersValues.fromAPI(fmt.Sprint(row.OptionsAllowAdminApprovedUsersOnly)))
	m.HighAssuranceSessionRequired = types.BoolValue(row.OptionsHasSessionLevelPolicy)
	if row.RefreshTokenValidityPeriod != nil {
		kind := connectedapp.RefreshTokenSpecificLifetime
		if row.OptionsRefreshTokenValidityMetric {
			kind = connectedapp.RefreshTokenSpecificInactivity
		}
		m.RefreshTokenPolicy = types.StringValue(refreshTokenPolicyValues.fromAPI(kind))
		m.RefreshTokenValidityPeriod = types.Int64Value(int64(*row.RefreshTokenValidityPeriod))
	}
	m.StartURL = stringOrNull(row.StartURL)
	m.MobileStartURL = stringOrNull(row.MobileStartURL)
}

// grantNames splits SetupEntityAccess rows into profile names and
// permission set API names.
func grantNames(grants []salesforce.Grant) (profiles, permissionSets types.Set) {
	var p, ps []string
	for _, g := range grants {
		switch {
		case g.IsOwnedByProfile && g.ProfileName != "":
			p = append(p, g.ProfileName)
		case g.IsOwnedByProfile:
		case g.ParentNamespacePrefix != "":
			ps = append(ps, g.ParentNamespacePrefix+"__"+g.ParentName)
		default:
			ps = append(ps, g.ParentName)
		}
	}
	sort.Strings(p)
	sort.Strings(ps)
	return setOf(p), setOf(ps)
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
