package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// normaliseApp is a component in the forms real orgs return: a CRLF
// callback list, a bare certificate, untrimmed text, aliases folded and
// absent booleans.
const normaliseApp = "<ConnectedApp xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" +
	"<attributes><formula> $User.Email </formula><key>email</key></attributes>" +
	"<canvasConfig><accessMethod>Post</accessMethod><canvasUrl>https://c.example.com</canvasUrl>" +
	"<locations>PageLayout</locations><locations>Aura</locations></canvasConfig>" +
	"<contactEmail xsi:nil=\"true\"/><description> Orders sync </description><label>Orders</label>" +
	"<oauthConfig><callbackUrl>https://b.example.com/cb&#13;\nhttps://a.example.com/cb</callbackUrl>" +
	"<certificate>MIIBODY==</certificate><consumerKey></consumerKey>" +
	"<isIntrospectAllTokens>false</isIntrospectAllTokens><scopes>Basic</scopes><scopes>RefreshToken</scopes></oauthConfig>" +
	"</ConnectedApp>"

// priorWith returns the imported model with the attribute at name, a path
// of attribute names, replaced by v.
func priorWith(t *testing.T, name []string, v attr.Value) connectedAppModel {
	t.Helper()
	m := *modelFromXML(t, normaliseApp)
	switch name[0] {
	case "description":
		s, ok := v.(types.String)
		if !ok {
			t.Fatalf("description value %s is not a string", v)
		}
		m.Description = s
	case "custom_attributes":
		attrs, ok := v.(types.Map)
		if !ok {
			t.Fatalf("custom_attributes value %s is not a map", v)
		}
		m.CustomAttributes = attrs
	case "canvas_config":
		values := map[string]attr.Value{}
		for k, old := range m.CanvasConfig.Attributes() {
			values[k] = old
		}
		values[name[1]] = v
		m.CanvasConfig = types.ObjectValueMust(blockAttrTypes(canvasConfigBlock), values)
	case "oauth_config":
		m = withOAuthValue(t, m, name[1], v)
	}
	return m
}

// valueAt returns the attribute at name of m.
func valueAt(m *connectedAppModel, name []string) attr.Value {
	switch name[0] {
	case "description":
		return m.Description
	case "contact_email":
		return m.ContactEmail
	case "custom_attributes":
		return m.CustomAttributes
	case "canvas_config":
		return m.CanvasConfig.Attributes()[name[1]]
	default:
		return m.OAuthConfig.Attributes()[name[1]]
	}
}

// TestReadKeepsPriorSpelling checks each rule by which a value that means
// the same as the org's keeps the configuration's spelling, so the plan
// shows no change, and that a value that differs shows the org's.
func TestReadKeepsPriorSpelling(t *testing.T) {
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\nODY==\n-----END CERTIFICATE-----\n"
	cases := []struct {
		rule      string
		attribute []string
		prior     attr.Value
		want      attr.Value
	}{
		{"scope aliases fold", []string{"oauth_config", "scopes"},
			setOf([]string{"Email", "OfflineAccess"}), setOf([]string{"Email", "OfflineAccess"})},
		{"scopes that differ show the org's", []string{"oauth_config", "scopes"},
			setOf([]string{"Api"}), setOf([]string{"Basic", "RefreshToken"})},
		{"certificate without armour", []string{"oauth_config", "certificate"},
			types.StringValue(pem), types.StringValue(pem)},
		{"certificate that differs shows the org's", []string{"oauth_config", "certificate"},
			types.StringValue("MIIOTHER=="), types.StringValue("MIIBODY==")},
		{"text compared trimmed", []string{"description"},
			types.StringValue("Orders sync"), types.StringValue("Orders sync")},
		{"text that differs shows the org's", []string{"description"},
			types.StringValue("Orders"), types.StringValue(" Orders sync ")},
		{"custom attribute formula compared trimmed", []string{"custom_attributes"},
			types.MapValueMust(types.StringType, map[string]attr.Value{"email": types.StringValue("$User.Email")}),
			types.MapValueMust(types.StringType, map[string]attr.Value{"email": types.StringValue("$User.Email")})},
		{"canvas locations compared as a set", []string{"canvas_config", "locations"},
			setOf([]string{"Aura", "PageLayout"}), setOf([]string{"Aura", "PageLayout"})},
		{"canvas locations that differ show the org's", []string{"canvas_config", "locations"},
			setOf([]string{"Aura"}), setOf([]string{"Aura", "PageLayout"})},
	}
	app := parseApp(t, []byte(normaliseApp))
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			m := priorWith(t, c.attribute, c.prior)
			if diags := m.fromApp(app); diags.HasError() {
				t.Fatal(diags)
			}
			if got := valueAt(&m, c.attribute); !got.Equal(c.want) {
				t.Errorf("%v = %s, want %s", c.attribute, got, c.want)
			}
		})
	}
}

func TestReadOrgForms(t *testing.T) {
	m := modelFromXML(t, normaliseApp)
	oauth := m.OAuthConfig.Attributes()
	cases := []struct {
		rule string
		got  attr.Value
		want attr.Value
	}{
		{"callback URLs split on CRLF in the org's order", oauth["callback_urls"],
			listOf([]string{"https://b.example.com/cb", "https://a.example.com/cb"})},
		{"absent boolean reads as its default true", oauth["is_secret_required_for_refresh_token"], types.BoolValue(true)},
		{"absent boolean reads as its default false", oauth["is_pkce_required"], types.BoolValue(false)},
		{"present boolean reads as held", oauth["is_introspect_all_tokens"], types.BoolValue(false)},
		{"empty consumer key is kept", oauth["consumer_key"], types.StringValue("")},
		{"xsi:nil contact email is null", m.ContactEmail, types.StringNull()},
		{"absent block is null", m.SAMLConfig, types.ObjectNull(blockAttrTypes(samlConfigBlock))},
		{"write-only secret is never read", oauth["consumer_secret_wo"], types.StringNull()},
	}
	for _, c := range cases {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: got %s, want %s", c.rule, c.got, c.want)
		}
	}
}

// TestWriteKeepsOrgForm checks that values meaning the same as the org's
// leave the org's text, and that changed ones are written.
func TestWriteKeepsOrgForm(t *testing.T) {
	app := parseApp(t, []byte(normaliseApp))
	same := priorWith(t, []string{"oauth_config", "scopes"}, setOf([]string{"Profile", "OfflineAccess"}))
	same = withOAuthValue(t, same, "certificate", types.StringValue("-----BEGIN CERTIFICATE-----\nMIIBODY==\n-----END CERTIFICATE-----"))
	same.Description = types.StringValue("Orders sync")
	after := app.Clone()
	same.applyTo(after)
	if !after.Equal(app) {
		t.Errorf("equal values changed the component:\nbefore %s\nafter  %s", app.Element(), after.Element())
	}

	changed := withOAuthValue(t, same, "callback_urls", listOf([]string{"https://a.example.com/cb", "https://b.example.com/cb"}))
	changed = withOAuthValue(t, changed, "is_secret_required_for_refresh_token", types.BoolValue(false))
	changed.applyTo(after)
	if text, _ := after.Text("oauthConfig.callbackUrl"); text != "https://a.example.com/cb\nhttps://b.example.com/cb" {
		t.Errorf("reordered callback URLs written as %q", text)
	}
	if text, _ := after.Text("oauthConfig.isSecretRequiredForRefreshToken"); text != "false" {
		t.Errorf("a flag set away from its default written as %q", text)
	}
	if after.HasBlock("oauthConfig.isPkceRequired") {
		t.Error("a flag at its default was added")
	}
}

func TestDifferencesNameLostSettings(t *testing.T) {
	planned := *modelFromXML(t, normaliseApp)
	planned = withOAuthValue(t, planned, "consumer_key", types.StringUnknown())
	got := *modelFromXML(t, normaliseApp)
	if d := planned.differences(&got); len(d) != 0 {
		t.Errorf("an unknown planned consumer key counts as a difference: %v", d)
	}

	planned.Description = types.StringValue("Planned")
	planned = withOAuthValue(t, planned, "is_pkce_required", types.BoolValue(true))
	d := planned.differences(&got)
	if len(d) != 2 {
		t.Fatalf("differences %v, want description and oauth_config.is_pkce_required", d)
	}
	if d[0] != `description: planned "Planned", the org holds " Orders sync "` {
		t.Errorf("first difference %q", d[0])
	}
	if d[1] != "oauth_config.is_pkce_required: planned true, the org holds false" {
		t.Errorf("second difference %q", d[1])
	}
}
