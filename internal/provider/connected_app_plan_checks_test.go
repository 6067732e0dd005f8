package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// modelFromXML returns the model that importing the component gives.
func modelFromXML(t *testing.T, doc string) *connectedAppModel {
	t.Helper()
	return modelOf(t, parseApp(t, []byte(doc)))
}

// withOAuthValue returns m with one oauth_config attribute replaced.
func withOAuthValue(t *testing.T, m connectedAppModel, name string, v attr.Value) connectedAppModel {
	t.Helper()
	values := map[string]attr.Value{}
	for k, old := range m.OAuthConfig.Attributes() {
		values[k] = old
	}
	values[name] = v
	obj, diags := types.ObjectValue(blockAttrTypes(oauthConfigBlock), values)
	if diags.HasError() {
		t.Fatal(diags)
	}
	m.OAuthConfig = obj
	return m
}

func summaries(diags diag.Diagnostics) string {
	var out []string
	for _, d := range diags {
		out = append(out, d.Severity().String()+": "+d.Summary()+": "+d.Detail())
	}
	return strings.Join(out, "\n")
}

const planCheckApp = `<ConnectedApp><contactEmail>a@example.com</contactEmail><label>L</label>
<oauthConfig><callbackUrl>https://a.example.com/cb</callbackUrl><consumerKey>3MVG9.key_1</consumerKey>
<isPkceRequired>false</isPkceRequired><scopes>Api</scopes></oauthConfig></ConnectedApp>`

func TestCheckAPIVersions(t *testing.T) {
	base := *modelFromXML(t, planCheckApp)
	saml := *modelFromXML(t, `<ConnectedApp><label>L</label><samlConfig><acsUrl>https://a</acsUrl><entityUrl>e</entityUrl>`+
		`<samlSigningAlgoType>SHA256</samlSigningAlgoType><samlSubjectType>Username</samlSubjectType></samlConfig></ConnectedApp>`)
	type versionCase struct {
		name    string
		model   connectedAppModel
		version float64
		errors  int
		warns   int
	}
	cases := []versionCase{
		{"every element exists", base, 68, 0, 0},
		{"flag at its default", base, 55, 0, 0},
		{"flag set above the version", withOAuthValue(t, base, "is_pkce_required", types.BoolValue(true)), 58, 1, 0},
		{"flag set at its version", withOAuthValue(t, base, "is_pkce_required", types.BoolValue(true)), 59, 0, 0},
		{"default true set to false", withOAuthValue(t, base, "is_secret_required_for_refresh_token", types.BoolValue(false)), 50, 1, 0},
		{"documented scope too new", withOAuthValue(t, base, "scopes", setOf([]string{"Api", "ForgotPassword"})), 56, 1, 0},
		{"documented scope at its version", withOAuthValue(t, base, "scopes", setOf([]string{"ForgotPassword"})), 57, 0, 0},
		{"inferred scope too new", withOAuthValue(t, base, "scopes", setOf([]string{"MCP"})), 63, 0, 1},
		{"alias of an old scope", withOAuthValue(t, base, "scopes", setOf([]string{"OfflineAccess", "Profile"})), 49, 0, 0},
		{"nested element too new", saml, 49, 1, 0},
		{"nested element at its version", saml, 50, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := checkAPIVersions(&c.model, c.version)
			if diags.ErrorsCount() != c.errors || diags.WarningsCount() != c.warns {
				t.Errorf("%d errors and %d warnings, want %d and %d:\n%s",
					diags.ErrorsCount(), diags.WarningsCount(), c.errors, c.warns, summaries(diags))
			}
		})
	}
}

func TestCheckCredentials(t *testing.T) {
	state := *modelFromXML(t, planCheckApp)
	create := withOAuthValue(t, state, "consumer_key", types.StringValue("ValidKey0123"))
	badCreate := withOAuthValue(t, state, "consumer_key", types.StringValue("3MVG9.key_1"))
	changedKey := withOAuthValue(t, state, "consumer_key", types.StringValue("OtherKey0123"))
	unsetKey := withOAuthValue(t, state, "consumer_key", types.StringNull())
	versioned := withOAuthValue(t, state, "consumer_secret_wo_version", types.Int64Value(1))
	bumped := withOAuthValue(t, state, "consumer_secret_wo_version", types.Int64Value(2))

	cases := []struct {
		name          string
		config, state *connectedAppModel
		wantErr       string
	}{
		{"create with a valid key", &create, nil, ""},
		{"create with a generated-style key", &badCreate, nil, "must be 8 to 256 letters and digits"},
		{"same key", &state, &state, ""},
		{"key left unset", &unsetKey, &state, ""},
		{"changed key", &changedKey, &state, "Salesforce fixes the consumer key"},
		{"secret version unchanged", &versioned, &versioned, ""},
		{"secret version added after creation", &versioned, &state, "from null to 1"},
		{"secret version changed", &bumped, &versioned, "from 1 to 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := checkCredentials(c.config, c.state)
			got := summaries(diags)
			if c.wantErr == "" && diags.HasError() {
				t.Errorf("unexpected error:\n%s", got)
			}
			if c.wantErr != "" && !strings.Contains(got, c.wantErr) {
				t.Errorf("error %q not reported:\n%s", c.wantErr, got)
			}
		})
	}
}

func TestCheckCreatableAndOAuthRemoval(t *testing.T) {
	withEmail := *modelFromXML(t, planCheckApp)
	noEmail := withEmail
	noEmail.ContactEmail = types.StringNull()
	if diags := checkCreatable(&withEmail); diags.HasError() {
		t.Errorf("an app with a contact email cannot be created: %s", summaries(diags))
	}
	if diags := checkCreatable(&noEmail); !strings.Contains(summaries(diags), "contact_email is required") {
		t.Errorf("an app without a contact email can be created: %s", summaries(diags))
	}

	noOAuth := withEmail
	noOAuth.OAuthConfig = types.ObjectNull(blockAttrTypes(oauthConfigBlock))
	if diags := warnOAuthRemoval(&noOAuth, &withEmail); diags.WarningsCount() != 1 {
		t.Errorf("removing oauth_config gave %d warnings, want 1", diags.WarningsCount())
	}
	if diags := warnOAuthRemoval(&withEmail, &withEmail); len(diags) != 0 {
		t.Errorf("keeping oauth_config warned: %s", summaries(diags))
	}
}
