package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// withAPIVersion sets api_version in the provider block of config.
func withAPIVersion(config, version string) string {
	return strings.Replace(config, `provider "salesforce" {`, fmt.Sprintf("provider \"salesforce\" {\n  api_version = %q", version), 1)
}

// removedBlock removes the test resource from state without deleting the app.
const removedBlock = `
removed {
  from = salesforce_connected_app.test
  lifecycle {
    destroy = false
  }
}
`

// loadFixture loads a committed fixture into the simulated org under a new
// name and returns the name.
func loadFixture(t *testing.T, org *testOrg, file string, props orgsim.LoadProps) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, file)) //nolint:gosec // a committed fixture the test names
	if err != nil {
		t.Fatal(err)
	}
	name := "Fixture_" + acctest.RandStringFromCharSet(8, acctest.CharSetAlphaNum)
	if err := org.server.Org.LoadConnectedApp(name, data, props); err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	return name
}

func testFullConnectedAppConfig(name, label string) string {
	return fmt.Sprintf(`
resource "salesforce_connected_app" "test" {
  name                = %[1]q
  label               = %[2]q
  contact_email       = "owner@example.com"
  contact_phone       = "+1 555 0100"
  description         = "Every setting"
  icon_url            = "https://static.example.com/icon.png"
  info_url            = "https://www.example.com/info"
  logo_url            = "https://static.example.com/logo.png"
  deletion_protection = false
  custom_attributes = {
    email = "$User.Email"
    org   = "\"org-\" & $Organization.Id"
  }
  oauth_config = {
    callback_urls                     = ["https://app.example.com/cb", "myapp://callback"]
    scopes                            = ["Api", "Email", "OfflineAccess", "OpenID"]
    consumer_key                      = "FULLKEY%[3]s"
    consumer_secret_wo                = "Secret0123456789"
    consumer_secret_wo_version        = 1
    single_logout_url                 = "https://app.example.com/logout"
    is_pkce_required                  = true
    is_client_credential_enabled      = true
    is_refresh_token_rotation_enabled = true
    is_secret_required_for_refresh_token = false
    id_token_config = {
      audience         = "https://aud.example.com"
      include_attributes = true
      validity_minutes = 15
    }
    asset_token_config = {
      audiences                  = "https://devices.example.com"
      include_attributes         = true
      include_custom_permissions = false
      signing_certificate_id     = "0P1000000000001"
      validity_seconds           = 600
    }
  }
  saml_config = {
    acs_url           = "https://sp.example.com/acs"
    entity_url        = "urn:example:sp"
    subject_type      = "Username"
    name_id_format    = "EmailAddress"
    signing_algorithm = "SHA256"
  }
  canvas_config = {
    access_method = "Post"
    canvas_url    = "https://canvas.example.com/"
    locations     = ["Visualforce", "Aura"]
    options       = ["HideHeader"]
  }
  mobile_app_config = {
    device_platform = "android"
    version         = "1.0"
    private_app     = true
  }
}
`, name, label, strings.ReplaceAll(name, "_", ""))
}

func TestAccConnectedApp_everySetting(t *testing.T) {
	org := newTestOrg(t)
	if !org.canCreateApps() {
		t.Skip("creating connected apps needs SALESFORCE_TEST_ALLOW_CREATE=true in a live org")
	}
	name := "Acc_" + acctest.RandStringFromCharSet(10, acctest.CharSetAlphaNum)
	const address = "salesforce_connected_app.test"

	org.run(t, resource.TestCase{
		CheckDestroy: checkConnectedAppDestroyed(org),
		Steps: []resource.TestStep{
			{
				Config: org.providerConfig() + testFullConnectedAppConfig(name, "Every Setting"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("consumer_key"),
						knownvalue.StringExact("FULLKEY"+strings.ReplaceAll(name, "_", ""))),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("consumer_secret_wo"),
						knownvalue.Null()),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("consumer_secret_wo_version"),
						knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("is_introspect_all_tokens"),
						knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("id_token_config").
						AtMapKey("include_standard_claims"), knownvalue.Bool(false)),
				},
				Check: func(*terraform.State) error {
					if err := checkConsumerSecret(org, name, "Secret0123456789"); err != nil {
						return err
					}
					return checkElements(org.readApp(t, name), map[string]string{
						"contactPhone":                                         "+1 555 0100",
						"attributes.key":                                       "email",
						"oauthConfig.isPkceRequired":                           "true",
						"oauthConfig.isSecretRequiredForRefreshToken":          "false",
						"oauthConfig.singleLogoutUrl":                          "https://app.example.com/logout",
						"oauthConfig.idTokenConfig.idTokenValidity":            "15",
						"oauthConfig.assetTokenConfig.assetIncludeCustomPerms": "false",
						"samlConfig.samlNameIdFormat":                          "EmailAddress",
						"canvasConfig.accessMethod":                            "Post",
						"mobileAppConfig.privateApp":                           "true",
					}, []string{"oauthConfig.isIntrospectAllTokens", "oauthConfig.idTokenConfig.idTokenIncludeStandardClaims"})
				},
			},
			{
				Config: org.providerConfig() + testFullConnectedAppConfig(name, "Every Setting"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
				// deletion_protection and the secret version live only in state;
				// an import has no prior spelling, so it reads the scope aliases
				// as Salesforce returns them.
				ImportStateVerifyIgnore: []string{"deletion_protection", "oauth_config.consumer_secret_wo_version",
					"oauth_config.scopes"},
			},
			{
				// Salesforce accepts a consumer secret only at creation.
				Config: org.providerConfig() + strings.Replace(testFullConnectedAppConfig(name, "Every Setting"),
					"consumer_secret_wo_version        = 1", "consumer_secret_wo_version        = 2", 1),
				ExpectError: wrappedText("consumer_secret_wo_version changes from 1 to 2, but Salesforce accepts a consumer secret only when a connected app is created. Rotate the secret in Setup"),
			},
			{
				// Removing nested blocks removes their elements.
				Config: org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app" "test" {
  name                = %q
  label               = "Every Setting"
  contact_email       = "owner@example.com"
  deletion_protection = false
  oauth_config = {
    callback_urls              = ["https://app.example.com/cb"]
    consumer_secret_wo_version = 1
  }
}
`, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					// Omitted flags keep the values the org holds.
					return checkElements(org.readApp(t, name), map[string]string{
						"oauthConfig.callbackUrl":                     "https://app.example.com/cb",
						"oauthConfig.isPkceRequired":                  "true",
						"oauthConfig.isSecretRequiredForRefreshToken": "false",
					}, []string{"samlConfig", "canvasConfig", "mobileAppConfig", "attributes", "contactPhone",
						"oauthConfig.idTokenConfig", "oauthConfig.assetTokenConfig", "oauthConfig.scopes"})
				},
			},
		},
	})
}

// checkConsumerSecret checks that the org holds secret as the app's
// consumer secret, which it never returns: an update that sends the same
// secret is accepted and one that sends another is rejected.
func checkConsumerSecret(org *testOrg, name, secret string) error {
	ctx := context.Background()
	send := func(s string) error {
		app, err := org.client.FindConnectedAppFresh(ctx, name)
		if err != nil {
			return err
		}
		update := app.ForUpdate()
		update.SetConsumerSecret(s)
		results, err := org.client.Metadata().Update(ctx, connectedapp.MetadataType,
			[]*xmltree.Element{update.Element()})
		if err != nil {
			return err
		}
		return results[0].Err()
	}
	if err := send(secret); err != nil {
		return fmt.Errorf("the org does not hold the consumer secret set at creation: %w", err)
	}
	if err := send(secret + "Other"); err == nil {
		return errors.New("the org accepted another consumer secret, so it holds none from creation")
	}
	return nil
}

// wrappedText matches text in Terraform's output, which wraps long lines.
func wrappedText(text string) *regexp.Regexp {
	return regexp.MustCompile(strings.Join(strings.Fields(regexp.QuoteMeta(text)), `\s+`))
}

// checkElements checks the text of elements of the component, and that the
// elements in absent do not exist.
func checkElements(app *connectedapp.App, want map[string]string, absent []string) error {
	for path, value := range want {
		if got, ok := app.Text(path); !ok || got != value {
			return fmt.Errorf("%s = %q (present %t), want %q in %s", path, got, ok, value, app.Element())
		}
	}
	for _, path := range absent {
		if app.HasBlock(path) {
			return fmt.Errorf("%s is present, want it absent, in %s", path, app.Element())
		}
	}
	return nil
}

func TestAccConnectedApp_importIDs(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("the import IDs are checked against apps loaded into a simulated org")
	}
	name := org.existingApp(t)
	app := org.readApp(t, name)
	props, err := org.client.FindConnectedAppProperties(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	managed := "vendor__App" + acctest.RandStringFromCharSet(8, acctest.CharSetAlphaNum)
	if err := org.server.Org.LoadConnectedApp(managed, []byte(
		`<ConnectedApp><developerName>vendor__App</developerName><label>Vendor</label><version>2</version></ConnectedApp>`),
		orgsim.LoadProps{NamespacePrefix: "vendor"}); err != nil {
		t.Fatal(err)
	}
	oauthInstalled := loadFixture(t, org, "mobile-plugin.xml", orgsim.LoadProps{OAuthInstalled: true})

	model := modelOf(t, app)
	config := org.providerConfig() + connectedAppHCL(t, "salesforce_connected_app.test", model)
	importWith := func(id string) string {
		return org.providerConfig() + fmt.Sprintf("import {\n  to = salesforce_connected_app.test\n  id = %q\n}\n", id)
	}
	step := func(id string) resource.TestStep {
		return resource.TestStep{
			Config:                 importWith(id),
			ResourceName:           "salesforce_connected_app.test",
			ImportState:            true,
			ImportStateId:          id,
			ImportStateKind:        resource.ImportBlockWithID,
			ImportStateConfigExact: true,
			GenerateConfig:         true,
		}
	}
	short := salesforce.ShortID(props.ID)
	failing := func(message string) resource.TestStep {
		return resource.TestStep{ExpectError: wrappedText(message)}
	}

	for _, tc := range []struct {
		id    string
		check resource.TestStep
	}{
		{id: "id:" + props.ID},
		{id: "id:" + short},
		{id: "consumer_key:" + app.ConsumerKey()},
		{id: "id:0H4Hs000000000NOPE", check: failing(`No connected app with the Id 0H4Hs000000000NOPE`)},
		{id: "consumer_key:NOSUCHKEY", check: failing(`No connected app that the Metadata API can read has the consumer key "NOSUCHKEY"`)},
		{id: "id:12345", check: failing(`"12345" is not a Salesforce Id`)},
		{id: "Bad__", check: failing(`The import ID "Bad__" is not a connected app API name`)},
		{id: "Missing_App", check: failing(`No connected app named "Missing_App" exists in the org`)},
		{id: managed, check: failing(`was installed from a managed package (namespace vendor, manageable state installed)`)},
		{id: oauthInstalled, check: failing(`is listed by listMetadata, but readMetadata returns no component for it, as for apps installed from Setup > Connected Apps OAuth Usage`)},
	} {
		t.Run(tc.id, func(t *testing.T) {
			s := step(tc.id)
			s.ExpectError = tc.check.ExpectError
			org.run(t, resource.TestCase{Steps: []resource.TestStep{s}})
		})
	}
	t.Run("then manage", func(t *testing.T) {
		org.run(t, resource.TestCase{
			Steps: []resource.TestStep{
				{
					Config: config + fmt.Sprintf("import {\n  to = salesforce_connected_app.test\n  id = %q\n}\n", "consumer_key:"+app.ConsumerKey()),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("salesforce_connected_app.test", plancheck.ResourceActionNoop)},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("salesforce_connected_app.test", tfjsonpath.New("name"), knownvalue.StringExact(name)),
					},
				},
				{Config: org.providerConfig() + removedBlock},
			},
		})
	})
}

func TestAccConnectedApp_apiVersionGates(t *testing.T) {
	org := newTestOrg(t)
	if !org.canCreateApps() {
		t.Skip("creating connected apps needs SALESFORCE_TEST_ALLOW_CREATE=true in a live org")
	}
	name := "Acc_" + acctest.RandStringFromCharSet(10, acctest.CharSetAlphaNum)
	config := func(extra, scopes string) string {
		return withAPIVersion(org.providerConfig(), "55.0") + fmt.Sprintf(`
resource "salesforce_connected_app" "test" {
  name                = %q
  label               = "Old API"
  contact_email       = "owner@example.com"
  deletion_protection = false
  oauth_config = {
    callback_urls = ["https://app.example.com/cb"]
    scopes        = %s
    %s
  }
}
`, name, scopes, extra)
	}

	org.run(t, resource.TestCase{
		CheckDestroy: checkConnectedAppDestroyed(org),
		Steps: []resource.TestStep{
			{
				Config:      config("is_pkce_required = true", `["Api"]`),
				ExpectError: wrappedText("oauth_config.is_pkce_required sets the element oauthConfig.isPkceRequired, which exists from API version 59.0"),
			},
			{
				Config:      config("", `["Api", "ForgotPassword"]`),
				ExpectError: wrappedText(`The scope "ForgotPassword" exists from API version 57.0`),
			},
			{
				Config:      config(`id_token_config = { validity_minutes = 721 }`, `["Api"]`),
				ExpectError: wrappedText("oauth_config.id_token_config.validity_minutes value must be between 0 and 720, got: 721"),
			},
			{
				// A boolean set to its default means the same as the absent
				// element, so the old version accepts it.
				Config: config("is_pkce_required = false\n    is_consumer_secret_optional = true", `["Api", "Chatbot"]`),
				Check: func(*terraform.State) error {
					app := org.readApp(t, name)
					return checkElements(app, map[string]string{"oauthConfig.isConsumerSecretOptional": "true"},
						[]string{"oauthConfig.isPkceRequired"})
				},
			},
		},
	})
}

func TestAccConnectedApp_keepsUnknownAndNewerElements(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("the elements are loaded into a simulated org")
	}
	name := loadFixture(t, org, "unknown-and-newer.xml", orgsim.LoadProps{})
	tokens := loadFixture(t, org, "oauth-tokens.xml", orgsim.LoadProps{})
	before, beforeTokens := org.readApp(t, name), org.readApp(t, tokens)

	// At API 58.0 the org hides isPkceRequired and the other elements of
	// 59.0 and later, which an update must keep.
	oldProvider := withAPIVersion(org.providerConfig(), "58.0")
	oldClient := newClientAt(t, org, "58.0")
	oldTokens, err := oldClient.FindConnectedApp(context.Background(), tokens)
	if err != nil {
		t.Fatal(err)
	}
	if oldTokens.HasBlock("oauthConfig.isTokenExchangeEnabled") {
		t.Fatal("the simulated org shows isTokenExchangeEnabled at API 58.0")
	}

	model := modelOf(t, before)
	changed := *model
	changed.Label = types.StringValue("Future Elements v2")
	tokensModel := modelOf(t, oldTokens)
	tokensChanged := *tokensModel
	tokensChanged.Label = types.StringValue("Token Settings v2")

	importBlocks := fmt.Sprintf(`
import {
  to = salesforce_connected_app.test
  id = %q
}

import {
  to = salesforce_connected_app.tokens
  id = %q
}
`, name, tokens)
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: oldProvider + importBlocks + connectedAppHCL(t, "salesforce_connected_app.test", model) +
					connectedAppHCL(t, "salesforce_connected_app.tokens", tokensModel),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("salesforce_connected_app.test", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("salesforce_connected_app.tokens", plancheck.ResourceActionNoop),
					},
				},
			},
			{
				Config: oldProvider + connectedAppHCL(t, "salesforce_connected_app.test", &changed) +
					connectedAppHCL(t, "salesforce_connected_app.tokens", &tokensChanged),
				Check: func(*terraform.State) error {
					if err := checkKeptExceptLabel(before, org.readApp(t, name)); err != nil {
						return err
					}
					return checkKeptExceptLabel(beforeTokens, org.readApp(t, tokens))
				},
			},
			{Config: oldProvider + removedBlock + strings.ReplaceAll(removedBlock, ".test", ".tokens")},
		},
	})
}

// checkKeptExceptLabel checks that every element but the label is unchanged.
// The consumer key is compared on its own: an update does not send it, and
// the org puts it back at its schema position, which may move it past an
// element that the schema does not know.
func checkKeptExceptLabel(before, after *connectedapp.App) error {
	if after.ConsumerKey() != before.ConsumerKey() {
		return fmt.Errorf("consumer key %q, want %q", after.ConsumerKey(), before.ConsumerKey())
	}
	return checkUnchangedExcept(before, after, []string{"label"}, []string{"consumerKey"})
}

// newClientAt signs in to the simulated org with another API version.
func newClientAt(t *testing.T, org *testOrg, version string) *salesforce.Client {
	t.Helper()
	client, err := salesforce.New(context.Background(), salesforce.Config{
		Auth:       authConfig(org.server.URL, org.token),
		APIVersion: version,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestAccConnectedApp_rename(t *testing.T) {
	org := newTestOrg(t)
	if !org.canCreateApps() {
		t.Skip("creating connected apps needs SALESFORCE_TEST_ALLOW_CREATE=true in a live org")
	}
	name := "Acc_" + acctest.RandStringFromCharSet(10, acctest.CharSetAlphaNum)
	renamed := name + "_Renamed"
	var before *connectedapp.App

	org.run(t, resource.TestCase{
		CheckDestroy: checkConnectedAppDestroyed(org),
		Steps: []resource.TestStep{
			{
				Config: org.providerConfig() + testConnectedAppConfig(name, "Rename Me", `["Api"]`),
				Check: func(*terraform.State) error {
					before = org.readApp(t, name)
					return nil
				},
			},
			{
				Config: org.providerConfig() + testConnectedAppConfig(renamed, "Rename Me", `["Api"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("salesforce_connected_app.test", plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesforce_connected_app.test", tfjsonpath.New("id"), knownvalue.StringExact(renamed)),
				},
				Check: func(*terraform.State) error {
					_, err := org.client.FindConnectedAppFresh(context.Background(), name)
					switch {
					case err == nil:
						return fmt.Errorf("the old name %s still reads after the rename", name)
					case !errors.Is(err, salesforce.ErrNotFound):
						return fmt.Errorf("reading the old name %s: %w", name, err)
					}
					after := org.readApp(t, renamed)
					if after.ConsumerKey() != before.ConsumerKey() {
						return fmt.Errorf("renaming changed the consumer key from %q to %q", before.ConsumerKey(), after.ConsumerKey())
					}
					return checkUnchangedExcept(before, after, []string{"fullName"}, nil)
				},
			},
		},
	})
}

// TestAccConnectedApp_withPolicy applies the app and its policy in one run.
// Each writes only its own elements, so neither undoes the other.
func TestAccConnectedApp_withPolicy(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)
	before := org.readApp(t, name)
	model := modelOf(t, before)
	changed := *model
	changed.Description = types.StringValue("Changed with the policy")
	config := org.providerConfig() + fmt.Sprintf(`
import {
  to = salesforce_connected_app.test
  id = %[1]q
}

resource "salesforce_connected_app_policy" "test" {
  connected_app   = salesforce_connected_app.test.name
  permitted_users = "admin_approved"
  ip_relaxation   = "enforce"
}
`, name) + connectedAppHCL(t, "salesforce_connected_app.test", &changed)

	org.run(t, resource.TestCase{
		CheckDestroy: checkConnectedAppKept(org, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					after := org.readApp(t, name)
					if err := checkElements(after, map[string]string{
						"description":                 "Changed with the policy",
						"oauthConfig.isAdminApproved": "true",
						"oauthPolicy.ipRelaxation":    "ENFORCE",
					}, nil); err != nil {
						return err
					}
					return checkUnchangedExcept(before, after, []string{"description", "oauthPolicy", "sessionPolicy"}, []string{"isAdminApproved"})
				},
			},
			{
				Config: org.providerConfig() + removedBlock + strings.ReplaceAll(removedBlock, "salesforce_connected_app.test",
					"salesforce_connected_app_policy.test"),
			},
		},
	})
}
