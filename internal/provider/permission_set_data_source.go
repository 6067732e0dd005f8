package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

var (
	_ datasource.DataSource              = &permissionSetDataSource{}
	_ datasource.DataSourceWithConfigure = &permissionSetDataSource{}
)

// NewPermissionSetDataSource returns the salesforce_permission_set data
// source.
func NewPermissionSetDataSource() datasource.DataSource {
	return &permissionSetDataSource{}
}

type permissionSetDataSource struct {
	client *salesforce.Client
}

type permissionSetDataSourceModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Label           types.String `tfsdk:"label"`
	NamespacePrefix types.String `tfsdk:"namespace_prefix"`
}

func (d *permissionSetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission_set"
}

func (d *permissionSetDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a permission set by its API name. Permission sets that profiles own are " +
			"not found. Fails when the org has no such permission set.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "API name of the permission set, with its namespace prefix where it has " +
					"one (`ns__Name`).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The permission set's Id.",
			},
			"label": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The permission set's label, as Setup shows it.",
			},
			"namespace_prefix": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Namespace of the managed package the permission set came from, or null. " +
					"Such permission sets cannot be granted apps.",
			},
		},
	}
}

func (d *permissionSetDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *permissionSetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg permissionSetDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := cfg.Name.ValueString()

	ps, err := d.client.FindPermissionSetByName(ctx, name)
	if isNotFound(err) {
		resp.Diagnostics.AddError(errorSummary("reading", "permission set", name), fmt.Sprintf("No permission "+
			"set with the API name %q exists in the org. Use the API Name that Setup > Permission Sets shows, "+
			"with its namespace prefix (ns__Name) where it has one.", name))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("reading", "permission set", name), apiErrorDetail(err, ""))
		return
	}

	cfg.ID = types.StringValue(ps.ID)
	cfg.Label = types.StringValue(ps.Label)
	cfg.NamespacePrefix = types.StringNull()
	if ps.NamespacePrefix != "" {
		cfg.NamespacePrefix = types.StringValue(ps.NamespacePrefix)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
