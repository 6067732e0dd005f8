package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

var (
	_ datasource.DataSource              = &connectedAppsDataSource{}
	_ datasource.DataSourceWithConfigure = &connectedAppsDataSource{}
)

// NewConnectedAppsDataSource returns the salesforce_connected_apps data
// source.
func NewConnectedAppsDataSource() datasource.DataSource {
	return &connectedAppsDataSource{}
}

type connectedAppsDataSource struct {
	client *salesforce.Client
}

type connectedAppsDataSourceModel struct {
	ID   types.String `tfsdk:"id"`
	Apps types.List   `tfsdk:"apps"`
}

// connectedAppsEntry is one element of apps.
type connectedAppsEntry struct {
	Name                 types.String `tfsdk:"name"`
	Label                types.String `tfsdk:"label"`
	ID                   types.String `tfsdk:"id"`
	NamespacePrefix      types.String `tfsdk:"namespace_prefix"`
	ManageableState      types.String `tfsdk:"manageable_state"`
	InstalledFromPackage types.Bool   `tfsdk:"installed_from_package"`
	MetadataReadable     types.Bool   `tfsdk:"metadata_readable"`
}

var connectedAppsEntryTypes = map[string]attr.Type{
	"name":                   types.StringType,
	"label":                  types.StringType,
	"id":                     types.StringType,
	"namespace_prefix":       types.StringType,
	"manageable_state":       types.StringType,
	"installed_from_package": types.BoolType,
	"metadata_readable":      types.BoolType,
}

func (d *connectedAppsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connected_apps"
}

func (d *connectedAppsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every connected app of the org, as `listMetadata` returns them, sorted by API " +
			"name: apps created in the org and apps installed from a package alike. Labels come from each " +
			"app's component, read in batches of 10, and for apps the Metadata API cannot read from " +
			"`ConnectedApplication.Name`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Always `connected_apps`.",
			},
			"apps": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The org's connected apps.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":  schema.StringAttribute{Computed: true, MarkdownDescription: "API name (`fullName`)."},
					"label": schema.StringAttribute{Computed: true, MarkdownDescription: "Name as Setup shows it, or null when no API returns it."},
					"id": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "`ConnectedApplication` Id, from `listMetadata`.",
					},
					"namespace_prefix": schema.StringAttribute{Computed: true, MarkdownDescription: "Namespace prefix, or null."},
					"manageable_state": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "The `manageableState` of `listMetadata`, or null.",
					},
					"installed_from_package": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "`true` when the app was installed from a package, `false` when it was created in the org.",
					},
					"metadata_readable": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "`true` when `readMetadata` returns the app's component, so `salesforce_connected_app` can manage it.",
					},
				}},
			},
		},
	}
}

func (d *connectedAppsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *connectedAppsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	const summary = "Error reading connected apps (all)"
	list, err := d.client.ListConnectedApps(ctx)
	if err != nil {
		resp.Diagnostics.AddError(summary, apiErrorDetail(err, ""))
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i].FullName < list[j].FullName })

	var readable []string
	for _, p := range list {
		if salesforce.MetadataReadable(p) {
			readable = append(readable, p.FullName)
		}
	}
	apps, err := d.client.FindConnectedApps(ctx, readable)
	if err != nil {
		resp.Diagnostics.AddError(summary, apiErrorDetail(err, ""))
		return
	}
	var rowNames map[string]string
	if len(apps) < len(list) {
		rowNames, err = d.connectedApplicationNames(ctx)
		if err != nil {
			resp.Diagnostics.AddError(summary, apiErrorDetail(err, ""))
			return
		}
	}

	entries := make([]connectedAppsEntry, 0, len(list))
	for _, p := range list {
		e := connectedAppsEntry{
			Name:                 types.StringValue(p.FullName),
			Label:                types.StringNull(),
			ID:                   stringOrNull(p.ID),
			NamespacePrefix:      stringOrNull(p.NamespacePrefix),
			ManageableState:      stringOrNull(p.ManageableState),
			InstalledFromPackage: types.BoolValue(salesforce.InstalledFromPackage(p)),
			MetadataReadable:     types.BoolValue(false),
		}
		if app, ok := apps[p.FullName]; ok {
			e.MetadataReadable = types.BoolValue(true)
			if label, ok := app.Text("label"); ok {
				e.Label = types.StringValue(label)
			}
		} else if name, ok := rowNames[salesforce.ShortID(p.ID)]; ok {
			e.Label = stringOrNull(name)
		}
		entries = append(entries, e)
	}

	appsValue, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: connectedAppsEntryTypes}, entries)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m := connectedAppsDataSourceModel{ID: types.StringValue("connected_apps"), Apps: appsValue}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// connectedApplicationNames returns ConnectedApplication.Name by the first
// 15 characters of each record's Id.
func (d *connectedAppsDataSource) connectedApplicationNames(ctx context.Context) (map[string]string, error) {
	rows, err := d.client.ConnectedApplications(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[salesforce.ShortID(r.ID)] = r.Name
	}
	return out, nil
}
