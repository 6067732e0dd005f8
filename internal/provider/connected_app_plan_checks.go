package provider

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// Plan-time checks of salesforce_connected_app that need the prior state or
// the provider's api_version, which attribute validators do not see.

// parseAPIVersion returns an api_version setting such as "68.0" as a number,
// or 0 when it is not one.
func parseAPIVersion(v string) float64 {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return n
}

// checkCredentials checks the consumer key and secret, which Salesforce
// accepts only when an app is created.
func checkCredentials(config, state *connectedAppModel) diag.Diagnostics {
	var diags diag.Diagnostics
	keyPath := path.Root("oauth_config").AtName("consumer_key")
	configKey := config.consumerKey()
	if state == nil {
		if !configKey.IsNull() && !configKey.IsUnknown() && !credentialPattern.MatchString(configKey.ValueString()) {
			diags.AddAttributeError(keyPath, "Invalid consumer key", fmt.Sprintf("A consumer key supplied when "+
				"an app is created must be 8 to 256 letters and digits, but %q is not. Remove consumer_key "+
				"to let Salesforce generate one.", configKey.ValueString()))
		}
		return diags
	}

	stateKey := state.consumerKey()
	if !configKey.IsNull() && !configKey.IsUnknown() && !stateKey.IsNull() && configKey.ValueString() != stateKey.ValueString() {
		diags.AddAttributeError(keyPath, "Consumer key cannot be changed",
			fmt.Sprintf("The app's consumer key is %q. Salesforce fixes the consumer key when a connected app "+
				"is created, so it cannot become %q. Remove consumer_key from the configuration or set it to "+
				"the current value.", stateKey.ValueString(), configKey.ValueString()))
	}

	if config.OAuthConfig.IsNull() || config.OAuthConfig.IsUnknown() {
		return diags
	}
	configVersion, stateVersion := config.consumerSecretVersion(), state.consumerSecretVersion()
	if !configVersion.IsUnknown() && !configVersion.Equal(stateVersion) {
		diags.AddAttributeError(path.Root("oauth_config").AtName("consumer_secret_wo_version"),
			"Consumer secret cannot be changed", fmt.Sprintf("consumer_secret_wo_version changes from %s to %s, "+
				"but Salesforce accepts a consumer secret only when a connected app is created. Rotate the "+
				"secret in Setup > App Manager > the app > View > Manage Consumer Details, then set "+
				"consumer_secret_wo_version back to %s.", int64Text(stateVersion), int64Text(configVersion),
				int64Text(stateVersion)))
	}
	return diags
}

func int64Text(v types.Int64) string {
	if v.IsNull() {
		return "null"
	}
	return strconv.FormatInt(v.ValueInt64(), 10)
}

// checkCreatable checks what the Metadata API requires of a new app beyond
// the schema, which also accepts existing apps that lack it.
func checkCreatable(config *connectedAppModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if name := config.Name; !name.IsUnknown() && strings.Contains(name.ValueString(), "__") {
		diags.AddAttributeError(path.Root("name"), "Invalid connected app name", fmt.Sprintf("name %q contains "+
			"two underscores in a row, which Salesforce reads as a namespace prefix (ns__Name). Only apps "+
			"installed from a package carry one, and those are adopted with terraform import, not created. "+
			"Use single underscores, such as %q.", name.ValueString(), strings.ReplaceAll(name.ValueString(), "__", "_")))
	}
	if config.ContactEmail.IsNull() {
		diags.AddAttributeError(path.Root("contact_email"), "Missing contact email", "contact_email is "+
			"required to create a connected app, because the Metadata API requires contactEmail. Set it to "+
			"the address of the app's owner.")
	}
	return diags
}

// warnOAuthRemoval warns when the plan turns OAuth off for an app that has
// it, which removes more than the app resource's own settings.
func warnOAuthRemoval(config, state *connectedAppModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if config.OAuthConfig.IsNull() && !state.OAuthConfig.IsNull() {
		diags.AddAttributeWarning(path.Root("oauth_config"), "OAuth settings will be removed",
			"oauth_config is no longer set, so the apply deletes the app's oauthConfig element: OAuth is "+
				"turned off, and the consumer key and the policy settings isAdminApproved and "+
				"oauthClientCredentialUser go with it. Integrations that use the app stop working. Keep the "+
				"oauth_config block to keep OAuth on.")
	}
	return diags
}

// checkAPIVersions rejects set values of elements that the provider's
// api_version does not have, since Salesforce neither reads nor writes
// them at that version. An optional boolean set to its default is accepted,
// because it means the same as the absent element. Scopes are checked too;
// a scope whose version the reference does not state only warns.
func checkAPIVersions(config *connectedAppModel, version float64) diag.Diagnostics {
	var diags diag.Diagnostics
	for i, value := range config.blockValues() {
		b := nestedBlocks[i]
		checkBlockVersions(path.Root(b.attribute), b, *value, version, &diags)
	}

	scopes, _ := knownAttributes(config.OAuthConfig)["scopes"].(types.Set)
	for _, scope := range stringsOfSet(scopes) {
		since, documented := connectedapp.ScopeSince(scope)
		if since <= version {
			continue
		}
		p := path.Root("oauth_config").AtName("scopes")
		if documented {
			diags.AddAttributeError(p, "Scope needs a newer API version", fmt.Sprintf("The scope %q exists from "+
				"API version %.1f on, but the provider uses api_version %.1f. Set api_version to %.1f or "+
				"later in the provider block, or remove the scope.", scope, since, version, since))
			continue
		}
		diags.AddAttributeWarning(p, "Scope may need a newer API version", fmt.Sprintf("The scope %q is "+
			"taken to exist from API version %.1f on, but the provider uses api_version %.1f, so Salesforce "+
			"may reject it. The reference states no version for this scope. Set api_version to %.1f or "+
			"later to be sure.", scope, since, version, since))
	}
	return diags
}

func checkBlockVersions(p path.Path, b elementBlock, obj types.Object, version float64, diags *diag.Diagnostics) {
	if obj.IsNull() || obj.IsUnknown() {
		return
	}
	if since := connectedapp.Since(b.element); since > version {
		diags.Append(versionError(p, b.element, since, version))
		return
	}
	values := obj.Attributes()
	for _, f := range b.fields {
		v := values[f.attribute]
		if v == nil || v.IsNull() || v.IsUnknown() || f.since() <= version {
			continue
		}
		if flag, ok := v.(types.Bool); ok && !f.required && flag.ValueBool() == connectedapp.BoolDefault(f.element) {
			continue
		}
		diags.Append(versionError(p.AtName(f.attribute), f.element, f.since(), version))
	}
	for _, sub := range b.blocks {
		if subObj, ok := values[sub.attribute].(types.Object); ok {
			checkBlockVersions(p.AtName(sub.attribute), sub, subObj, version, diags)
		}
	}
}

func versionError(p path.Path, element string, since, version float64) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Attribute needs a newer API version", fmt.Sprintf("%s sets the "+
		"element %s, which exists from API version %.1f on, but the provider uses api_version %.1f, so "+
		"Salesforce would neither read nor write it. Set api_version to %.1f or later in the provider block, "+
		"or remove %s.", p, element, since, version, since, p))
}
