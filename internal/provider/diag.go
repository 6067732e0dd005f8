package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/rest"
)

// errorSummary builds the summary line of an error diagnostic: the action,
// the object and its identifier, such as
// "Error updating connected app policy (OrgKit)".
func errorSummary(action, object, id string) string {
	return fmt.Sprintf("Error %s %s (%s)", action, object, id)
}

// apiErrorDetail renders a Salesforce error with its status code and
// message, then the next step when there is one.
func apiErrorDetail(err error, next string) string {
	var b strings.Builder
	b.WriteString("Salesforce returned: ")
	b.WriteString(describeAPIError(err))
	if next != "" {
		b.WriteString("\n\n")
		b.WriteString(next)
	}
	return b.String()
}

func describeAPIError(err error) string {
	var save *metadata.SaveError
	if errors.As(err, &save) {
		var parts []string
		for _, e := range save.Errors {
			part := e.StatusCode + ": " + e.Message
			if len(e.Fields) > 0 {
				part += " (fields: " + strings.Join(e.Fields, ", ") + ")"
			}
			parts = append(parts, part)
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	var fault *metadata.Fault
	if errors.As(err, &fault) {
		return fault.Code + ": " + fault.Message
	}
	var apiErr *rest.APIError
	if errors.As(err, &apiErr) {
		var parts []string
		for _, e := range apiErr.Errors {
			parts = append(parts, e.ErrorCode+": "+e.Message)
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	return err.Error()
}

// providerDataFrom converts what Configure passed on, returning nil quietly
// when the provider is not configured yet.
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data type",
			fmt.Sprintf("Expected *provider.providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd
}

// configureResource is the Configure method body shared by the resources.
func configureResource(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) *salesforce.Client {
	pd := providerDataFrom(req.ProviderData, &resp.Diagnostics)
	if pd == nil {
		return nil
	}
	return pd.client
}

// configureResourceData is configureResource for resources that also need
// what the provider signs in with.
func configureResourceData(req resource.ConfigureRequest, resp *resource.ConfigureResponse) *providerData {
	return providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// isNotFound reports whether err means the object does not exist in the org.
func isNotFound(err error) bool {
	return errors.Is(err, salesforce.ErrNotFound)
}

// importedAppPattern accepts the API name of an app created in the org and
// of one installed from a package, whose name carries a namespace prefix.
var importedAppPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// checkImportedApp reports, as diagnostics of an import, an ID that is not an
// app's API name and an app the org does not list.
func checkImportedApp(ctx context.Context, client *salesforce.Client, resourceType, app string, diags *diag.Diagnostics) {
	if !importedAppPattern.MatchString(app) {
		diags.AddError("Invalid import ID", fmt.Sprintf("The import ID of %s is the API name of a connected app, "+
			"such as Vendor_Sync, but %q is not one.", resourceType, app))
		return
	}
	if client == nil {
		return
	}
	if _, err := client.FindConnectedAppProperties(ctx, app); isNotFound(err) {
		diags.AddError("Cannot import "+resourceType, fmt.Sprintf("No connected app named %q exists in the org. "+
			"Check the API name under Setup > App Manager.", app))
	} else if err != nil {
		diags.AddError("Cannot import "+resourceType, apiErrorDetail(err, ""))
	}
}
