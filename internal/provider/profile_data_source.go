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
	_ datasource.DataSource              = &profileDataSource{}
	_ datasource.DataSourceWithConfigure = &profileDataSource{}
)

// NewProfileDataSource returns the salesforce_profile data source.
func NewProfileDataSource() datasource.DataSource {
	return &profileDataSource{}
}

type profileDataSource struct {
	client *salesforce.Client
}

type profileDataSourceModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

func (d *profileDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_profile"
}

func (d *profileDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a profile by the name Setup shows, such as `System Administrator`, whose " +
			"metadata name is `Admin`. Fails when the org has no such profile.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Profile name as Setup > Profiles shows it.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The profile's Id.",
			},
		},
	}
}

func (d *profileDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *profileDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg profileDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := cfg.Name.ValueString()

	profile, err := d.client.FindProfileByName(ctx, name)
	if isNotFound(err) {
		resp.Diagnostics.AddError(errorSummary("reading", "profile", name), fmt.Sprintf("No profile named %q "+
			"exists in the org. Use the name Setup > Profiles shows, such as \"System Administrator\" rather "+
			"than the metadata name \"Admin\".", name))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(errorSummary("reading", "profile", name), apiErrorDetail(err, ""))
		return
	}

	cfg.ID = types.StringValue(profile.ID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
