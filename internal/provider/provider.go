// Package provider implements the Terraform provider for Salesforce connected
// apps: its configuration and the resources and data sources it serves.
package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
)

// DefaultAPIVersion is the Salesforce API version used when none is set:
// 68.0, the Winter '27 release.
const DefaultAPIVersion = "68.0"

// MinAPIVersion is the oldest API version the provider accepts, the first
// with the oauthPolicy and sessionPolicy elements.
const MinAPIVersion = 49.0

var (
	_ provider.Provider                     = &salesforceProvider{}
	_ provider.ProviderWithConfigValidators = &salesforceProvider{}
	_ provider.ProviderWithValidateConfig   = &salesforceProvider{}
)

type salesforceProvider struct {
	version string
}

// New returns a constructor of the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &salesforceProvider{version: version}
	}
}

func (p *salesforceProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "salesforce"
	resp.Version = p.version
}

func (p *salesforceProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *salesforceProvider) ConfigValidators(_ context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.Conflicting(path.MatchRoot("private_key"), path.MatchRoot("private_key_file")),
	}
}

func (p *salesforceProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	for _, attr := range []struct {
		name  string
		value types.String
	}{{"login_url", cfg.LoginURL}, {"instance_url", cfg.InstanceURL}} {
		if attr.value.IsNull() || attr.value.IsUnknown() {
			continue
		}
		if err := auth.CheckURL(attr.name, attr.value.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root(attr.name), "Invalid provider configuration", err.Error())
		}
	}
	if !cfg.APIVersion.IsNull() && !cfg.APIVersion.IsUnknown() {
		if err := checkAPIVersion(cfg.APIVersion.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("api_version"), "Invalid provider configuration", err.Error())
		}
	}
}

func (p *salesforceProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	settings, diags := cfg.settings(os.Getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	client, err := salesforce.New(ctx, settings.client(p.version))
	if err != nil {
		resp.Diagnostics.AddError("Error configuring the Salesforce provider", configureErrorDetail(err))
		return
	}
	if err := client.CheckAPIVersion(ctx, settings.apiVersion); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("api_version"), "Error configuring the Salesforce provider",
			fmt.Sprintf("Checking api_version %s: %s. Set api_version to a version the org serves, or leave it "+
				"unset to use %s.", settings.apiVersion, err, DefaultAPIVersion))
		return
	}
	if settings.expectedOrgID != "" {
		orgID, err := client.FindOrganizationID(ctx)
		if err != nil {
			resp.Diagnostics.AddError("Error configuring the Salesforce provider", apiErrorDetail(err,
				"The provider could not read the org's Id to compare it with expected_org_id."))
			return
		}
		if !salesforce.SameOrgID(orgID, settings.expectedOrgID) {
			resp.Diagnostics.AddAttributeError(path.Root("expected_org_id"), "Credentials reach another org",
				fmt.Sprintf("The credentials sign in to the org %s, but expected_org_id is %s, so the provider "+
					"stops before any read or write. Check which org the credentials belong to. After a sandbox "+
					"refresh the sandbox has a new Id: set expected_org_id to it.", orgID, settings.expectedOrgID))
			return
		}
	}
	tflog.Info(ctx, "Salesforce session established", map[string]any{
		"flow":         string(settings.flow),
		"instance_url": client.InstanceURL(),
		"api_version":  settings.apiVersion,
	})

	data := &providerData{client: client, clientID: settings.auth.ClientID, apiVersion: settings.apiVersion}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *salesforceProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewConnectedAppResource,
		NewConnectedAppPolicyResource,
		NewConnectedAppAssignmentResource,
		NewConnectedAppAssignmentsResource,
	}
}

func (p *salesforceProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewProfileDataSource,
		NewPermissionSetDataSource,
		NewConnectedAppDataSource,
		NewConnectedAppsDataSource,
	}
}

// providerData is the value Configure passes to every resource and data
// source.
type providerData struct {
	client *salesforce.Client
	// clientID is the consumer key the provider signs in with, or empty for
	// the access token flow.
	clientID string
	// apiVersion is the configured Salesforce API version, such as "68.0".
	apiVersion string
}
