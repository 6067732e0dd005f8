package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

func TestAccConnectedApp_createUpdateImport(t *testing.T) {
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
				Config: org.providerConfig() + testConnectedAppConfig(name, "Orders Sync", `["Api", "Profile"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("label"), knownvalue.StringExact("Orders Sync")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("scopes"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Api"), knownvalue.StringExact("Profile")})),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("consumer_key"),
						knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{8,}$`))),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
				},
				Check: func(*terraform.State) error {
					app := org.readApp(t, name)
					if got := connectedapp.NormalizeScopes(app.Scopes()); fmt.Sprint(got) != "[Basic Api]" {
						return fmt.Errorf("org holds scopes %v, want [Basic Api]", got)
					}
					return nil
				},
			},
			{
				Config: org.providerConfig() + testConnectedAppConfig(name, "Orders Sync", `["Api", "Profile"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
				// deletion_protection lives only in state, and an import has no
				// prior spelling to keep, so it reads the alias Profile as Basic.
				ImportStateVerifyIgnore: []string{"deletion_protection", "oauth_config.scopes"},
			},
			{
				Config: org.providerConfig() + testConnectedAppConfig(name, "Orders Sync v2", `["Api", "RefreshToken"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("label"), knownvalue.StringExact("Orders Sync v2")),
				},
				Check: func(*terraform.State) error {
					if got := org.readApp(t, name).Label(); got != "Orders Sync v2" {
						return fmt.Errorf("org holds label %q, want %q", got, "Orders Sync v2")
					}
					return nil
				},
			},
			{
				// Drift: a label changed in Setup shows in the plan.
				PreConfig: func() {
					org.changeApp(t, name, func(app *connectedapp.App) { app.SetLabel("Renamed in Setup") })
				},
				Config:             org.providerConfig() + testConnectedAppConfig(name, "Orders Sync v2", `["Api", "RefreshToken"]`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccConnectedApp_adoptExisting(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)
	const address = "salesforce_connected_app.test"
	before := org.readApp(t, name)
	config := org.providerConfig() + fmt.Sprintf(`
import {
  to = salesforce_connected_app.test
  id = %[1]q
}

resource "salesforce_connected_app" "test" {
  name          = %[1]q
  label         = %[2]q
  contact_email = %[3]q
  description   = "Synchronises orders with the vendor"
  oauth_config = {
    callback_urls = %[4]s
    scopes        = ["Basic", "Api", "RefreshToken"]
  }
}
`, name, before.Label(), before.ContactEmail(), hclList(before.CallbackURLs()))

	org.run(t, resource.TestCase{
		CheckDestroy: checkConnectedAppKept(org, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("oauth_config").AtMapKey("consumer_key"),
						knownvalue.StringExact(before.ConsumerKey())),
				},
				Check: func(*terraform.State) error {
					after := org.readApp(t, name)
					if !after.Equal(before) {
						return fmt.Errorf("adopting changed the component:\nbefore %s\nafter  %s",
							before.Element(), after.Element())
					}
					return nil
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Destroy is refused while deletion_protection is true.
				Config:      config,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`deletion_protection`),
			},
			{
				// Forget the app without deleting it.
				Config: org.providerConfig() + `
removed {
  from = salesforce_connected_app.test
  lifecycle {
    destroy = false
  }
}
`,
			},
		},
	})
}

func TestAccConnectedApp_disappears(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("deleting a connected app out of band would delete a real app")
	}
	name := "Acc_" + acctest.RandStringFromCharSet(10, acctest.CharSetAlphaNum)
	config := org.providerConfig() + testConnectedAppConfig(name, "Gone", `["Api"]`)

	org.run(t, resource.TestCase{
		CheckDestroy: checkConnectedAppDestroyed(org),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					return org.client.DeleteConnectedApp(context.Background(), name)
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("salesforce_connected_app.test", plancheck.ResourceActionCreate),
					},
				},
			},
		},
	})
}

func TestAccConnectedApp_consumerKeyFixed(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)
	app := org.readApp(t, name)
	config := func(key string) string {
		return org.providerConfig() + fmt.Sprintf(`
import {
  to = salesforce_connected_app.test
  id = %[1]q
}

resource "salesforce_connected_app" "test" {
  name          = %[1]q
  label         = %[2]q
  contact_email = %[3]q
  description   = "Synchronises orders with the vendor"
  oauth_config = {
    callback_urls = %[4]s
    scopes        = ["Basic", "Api", "RefreshToken"]
    consumer_key  = %[5]q
  }
}
`, name, app.Label(), app.ContactEmail(), hclList(app.CallbackURLs()), key)
	}

	org.run(t, resource.TestCase{
		CheckDestroy: checkConnectedAppKept(org, name),
		Steps: []resource.TestStep{
			{Config: config(app.ConsumerKey())},
			{
				Config:      config("3MVG9CHANGEDKEY000000000"),
				ExpectError: regexp.MustCompile(`Salesforce fixes\s+the consumer key`),
			},
			{
				Config: org.providerConfig() + `
removed {
  from = salesforce_connected_app.test
  lifecycle {
    destroy = false
  }
}
`,
			},
		},
	})
}

func testConnectedAppConfig(name, label, scopes string) string {
	return fmt.Sprintf(`
resource "salesforce_connected_app" "test" {
  name                = %[1]q
  label               = %[2]q
  contact_email       = "integrations@example.com"
  description         = "Managed by Terraform"
  deletion_protection = false
  oauth_config = {
    callback_urls = ["https://app.example.com/oauth/callback", "https://app.example.com/oauth/alt"]
    scopes        = %[3]s
  }
}
`, name, label, scopes)
}

// checkConnectedAppDestroyed checks that destroy deleted every app in state.
func checkConnectedAppDestroyed(org *testOrg) resource.TestCheckFunc {
	return checkEach("salesforce_connected_app", func(rs *terraform.ResourceState) error {
		_, err := org.client.FindConnectedApp(context.Background(), rs.Primary.ID)
		if err == nil {
			return fmt.Errorf("connected app %s still exists after destroy", rs.Primary.ID)
		}
		if !errors.Is(err, salesforce.ErrNotFound) {
			return err
		}
		return nil
	})
}

// checkConnectedAppKept checks that the app outlived the test, as a removed
// block or a refused destroy leaves it.
func checkConnectedAppKept(org *testOrg, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := org.client.FindConnectedApp(context.Background(), name); err != nil {
			return fmt.Errorf("connected app %s should still exist: %w", name, err)
		}
		return nil
	}
}

func hclList(values []string) string {
	out := "["
	for i, v := range values {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", v)
	}
	return out + "]"
}

func TestAccConnectedApp_protectedDestroyWritesNothing(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("counts the simulated org's writes")
	}
	name := org.existingApp(t)
	app := org.readApp(t, name)
	config := org.providerConfig() + fmt.Sprintf(`
import {
  to = salesforce_connected_app.test
  id = %[1]q
}

resource "salesforce_connected_app" "test" {
  name          = %[1]q
  label         = %[2]q
  contact_email = %[3]q
  description   = "Synchronises orders with the vendor"
  oauth_config = {
    callback_urls = %[4]s
    scopes        = ["Basic", "Api", "RefreshToken"]
  }
}

resource "salesforce_connected_app_policy" "test" {
  connected_app    = salesforce_connected_app.test.name
  permitted_users  = "admin_approved"
  reset_on_destroy = true
}
`, name, app.Label(), app.ContactEmail(), hclList(app.CallbackURLs()))
	var writes int
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					writes = org.server.Org.Calls()["metadata.updateMetadata"]
					return nil
				},
			},
			{
				Config:      config,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`deletion_protection is true`),
				Check: func(*terraform.State) error {
					return nil
				},
			},
			{
				PreConfig: func() {
					if got := org.server.Org.Calls()["metadata.updateMetadata"]; got != writes {
						t.Errorf("the refused destroy sent %d updateMetadata calls, want none", got-writes)
					}
					if !org.readApp(t, name).IsAdminApproved() {
						t.Error("the refused destroy reset the policy")
					}
				},
				Config: org.providerConfig() + `
removed {
  from = salesforce_connected_app.test
  lifecycle {
    destroy = false
  }
}

removed {
  from = salesforce_connected_app_policy.test
  lifecycle {
    destroy = false
  }
}
`,
			},
		},
	})
}

func TestAccConnectedApp_namespacedNameNotCreated(t *testing.T) {
	org := newTestOrg(t)
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      org.providerConfig() + testConnectedAppConfig("sfdxhardismonitoring_myorg__amm3", "Monitoring", `["Api"]`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`two underscores in a row`),
		}},
	})
}
