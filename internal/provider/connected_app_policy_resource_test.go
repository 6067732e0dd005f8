package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// policyElements are the elements the policy resource owns.
var (
	policyTopElements   = []string{"oauthPolicy", "sessionPolicy"}
	policyOAuthElements = []string{"isAdminApproved"}
)

func TestAccConnectedAppPolicy_recommended(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)
	const address = "salesforce_connected_app_policy.test"
	before := org.readApp(t, name)
	recommended := org.providerConfig() + testPolicyConfig(name, `
  permitted_users                 = "admin_approved"
  ip_relaxation                   = "enforce"
  refresh_token_policy            = "valid_until_revoked"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
`)

	org.run(t, resource.TestCase{
		CheckDestroy: checkPolicyLeftInOrg(t, org, name),
		Steps: []resource.TestStep{
			{
				Config: recommended,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("permitted_users"), knownvalue.StringExact("admin_approved")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("ip_relaxation"), knownvalue.StringExact("enforce")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("refresh_token_policy"), knownvalue.StringExact("valid_until_revoked")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("high_assurance_session_required"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("high_assurance_action"), knownvalue.StringExact("raise_session_level")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("session_timeout_minutes"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					app := org.readApp(t, name)
					if !app.IsAdminApproved() || app.IPRelaxation() != "ENFORCE" || !app.HighAssuranceRequired() {
						return fmt.Errorf("org holds %s", app.Element())
					}
					if action, _ := app.PolicyAction(); action != "RaiseSessionLevel" {
						return fmt.Errorf("org holds policyAction %q, want RaiseSessionLevel", action)
					}
					return checkUnchangedExcept(before, app, policyTopElements, policyOAuthElements)
				},
			},
			{
				Config: recommended,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
			{
				Config: org.providerConfig() + testPolicyConfig(name, `
  permitted_users               = "admin_approved"
  ip_relaxation                 = "enforce_relax_refresh"
  refresh_token_policy          = "expire_if_unused"
  refresh_token_validity_period = 30
  refresh_token_validity_unit   = "days"
  session_timeout_minutes       = 120
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("refresh_token_validity_period"), knownvalue.Int64Exact(30)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("high_assurance_action"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					app := org.readApp(t, name)
					policy, err := app.RefreshTokenPolicy()
					if err != nil || policy.String() != "specific_inactivity:30:DAYS" {
						return fmt.Errorf("org holds refresh token policy %v (%w)", policy, err)
					}
					if app.HighAssuranceRequired() {
						return fmt.Errorf("org still requires high assurance")
					}
					if timeout, _ := app.SessionTimeout(); timeout != 120 {
						return fmt.Errorf("org holds session timeout %d, want 120", timeout)
					}
					return nil
				},
			},
			{
				// Drift: IP relaxation changed in Setup shows as a planned update.
				PreConfig: func() {
					org.changeApp(t, name, func(app *connectedapp.App) {
						policy, _ := app.RefreshTokenPolicy()
						app.SetOAuthPolicy(connectedapp.IPRelaxationBypass, policy)
					})
				},
				Config: org.providerConfig() + testPolicyConfig(name, `
  permitted_users               = "admin_approved"
  ip_relaxation                 = "enforce_relax_refresh"
  refresh_token_policy          = "expire_if_unused"
  refresh_token_validity_period = 30
  refresh_token_validity_unit   = "days"
  session_timeout_minutes       = 120
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if got := org.readApp(t, name).IPRelaxation(); got != "ENFORCE_RELAXREFRESH" {
						return fmt.Errorf("apply did not restore ip_relaxation: org holds %s", got)
					}
					return nil
				},
			},
		},
	})
}

func TestAccConnectedAppPolicy_resetOnDestroy(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)

	org.run(t, resource.TestCase{
		CheckDestroy: func(*terraform.State) error {
			app := org.readApp(t, name)
			policy, _ := app.RefreshTokenPolicy()
			_, hasTimeout := app.SessionTimeout()
			if app.IsAdminApproved() || app.IPRelaxation() != "ENFORCE" || policy.Kind != "infinite" ||
				app.HighAssuranceRequired() || hasTimeout {
				return fmt.Errorf("destroy with reset_on_destroy left %s", app.Element())
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: org.providerConfig() + testPolicyConfig(name, `
  permitted_users                 = "admin_approved"
  refresh_token_policy            = "expire_immediately"
  high_assurance_session_required = true
  high_assurance_action           = "block"
  reset_on_destroy                = true
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesforce_connected_app_policy.test", tfjsonpath.New("ip_relaxation"),
						knownvalue.StringExact("enforce")),
				},
			},
		},
	})
}

func TestAccConnectedAppPolicy_disappears(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("deleting a connected app out of band would delete a real app")
	}
	name := org.existingApp(t)
	config := org.providerConfig() + testPolicyConfig(name, `permitted_users = "admin_approved"`)

	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					return org.client.DeleteConnectedApp(t.Context(), name)
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// The app is gone, so planning the policy again fails at apply with a clear error.
				Config:      config,
				ExpectError: regexp.MustCompile(`No connected app named`),
			},
		},
	})
}

func TestAccConnectedAppPolicy_invalid(t *testing.T) {
	org := newTestOrg(t)
	cases := map[string]struct {
		body string
		want string
	}{
		"period without expiry":   {`refresh_token_validity_period = 3`, `applies only when\s+refresh_token_policy`},
		"expiry without period":   {`refresh_token_policy = "expire_after"`, `needs\s+refresh_token_validity_period`},
		"action without required": {`high_assurance_action = "block"`, `applies only when\s+high_assurance_session_required`},
		"required without action": {`high_assurance_session_required = true`, `high_assurance_action must say`},
		"unknown ip relaxation":   {`ip_relaxation = "bypass"`, `ip_relaxation`},
		"odd session timeout":     {`session_timeout_minutes = 45`, `session_timeout_minutes`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			org.run(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      org.providerConfig() + testPolicyConfig("Any_App", tc.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func TestAccConnectedAppPolicy_noOAuth(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs an app without OAuth settings, which the simulated org provides")
	}
	name := "Acc_NoOAuth_" + randomHex(t, 8)
	xml := `<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><contactEmail>a@example.com</contactEmail><label>No OAuth</label></ConnectedApp>`
	if err := org.server.Org.LoadConnectedApp(name, []byte(xml), orgsim.LoadProps{}); err != nil {
		t.Fatal(err)
	}
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      org.providerConfig() + testPolicyConfig(name, `permitted_users = "admin_approved"`),
			ExpectError: regexp.MustCompile(`Enable OAuth settings first`),
		}},
	})
}

// managedAppXML is the true state of a vendor app installed from a managed
// package: admin-approved, high assurance required.
const managedAppXML = `<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>support@vendor.example.com</contactEmail>
    <label>Vendor App</label>
    <oauthConfig>
        <callbackUrl>https://vendor.example.com/cb</callbackUrl>
        <consumerKey>3MVG9VENDORMANAGEDAPP</consumerKey>
        <isAdminApproved>true</isAdminApproved>
        <scopes>Api</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>ENFORCE</ipRelaxation>
        <refreshTokenPolicy>infinite</refreshTokenPolicy>
    </oauthPolicy>
    <sessionPolicy>
        <policyAction>RaiseSessionLevel</policyAction>
        <sessionLevel>HIGH_ASSURANCE</sessionLevel>
    </sessionPolicy>
</ConnectedApp>`

func TestAccConnectedAppPolicy_managedPackage(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs a managed-package app, which the simulated org provides")
	}
	name := "vendor__Vendor_App"
	if err := org.server.Org.LoadConnectedApp(name, []byte(managedAppXML), orgsim.LoadProps{NamespacePrefix: "vendor", ManageableState: "installed"}); err != nil {
		t.Fatal(err)
	}
	const address = "salesforce_connected_app_policy.test"
	matching := org.providerConfig() + testPolicyConfig(name, `
  permitted_users                 = "admin_approved"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
`)
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      org.providerConfig() + testPolicyConfig(name, `permitted_users = "all_users"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)permitted_users: the org has admin_approved.*Manage Connected Apps`),
			},
			{
				Config: matching,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("permitted_users"), knownvalue.StringExact("admin_approved")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("high_assurance_session_required"), knownvalue.Bool(true)),
				},
			},
			{
				Config: matching,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
				// The org does not show these for an installed app, so an import cannot read them.
				ImportStateVerifyIgnore: []string{"high_assurance_action", "ip_relaxation", "refresh_token_policy"},
			},
		},
	})
	calls := org.server.Org.Calls()
	if n := calls["metadata.updateMetadata"] + calls["metadata.createMetadata"] + calls["metadata.deleteMetadata"]; n != 0 {
		t.Errorf("%d Metadata API writes reached the org for a managed-package app, want none", n)
	}
}

func testPolicyConfig(app, body string) string {
	return fmt.Sprintf(`
resource "salesforce_connected_app_policy" "test" {
  connected_app = %q
  %s
}
`, app, body)
}

// checkPolicyLeftInOrg checks that destroying a policy without
// reset_on_destroy left the org's settings as they were.
func checkPolicyLeftInOrg(t *testing.T, org *testOrg, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		app := org.readApp(t, name)
		if got := app.IPRelaxation(); got != "ENFORCE_RELAXREFRESH" {
			return fmt.Errorf("destroy changed ip_relaxation to %s; it should leave the org's settings", got)
		}
		return nil
	}
}

// checkUnchangedExcept fails when after differs from before in any element
// other than the named ones. Both are compared in schema order, the order in
// which the provider writes a component, so a hand-made app whose elements
// were out of order passes once the write has put them in order.
func checkUnchangedExcept(before, after *connectedapp.App, top, oauth []string) error {
	want := componentWithout(before.ForCreate(), top, oauth)
	got := componentWithout(after.ForCreate(), top, oauth)
	if !xmltree.Equal(want, got) {
		return fmt.Errorf("elements the resource does not own changed:\nbefore %s\nafter  %s", want, got)
	}
	return nil
}

func TestAccConnectedAppPolicy_oauthInstalled(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs an app installed from another org, which the simulated org provides")
	}
	name := "Vendor_Backup"
	if err := org.server.Org.LoadConnectedApp(name, []byte(managedAppXML), orgsim.LoadProps{OAuthInstalled: true}); err != nil {
		t.Fatal(err)
	}
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      org.providerConfig() + testPolicyConfig(name, `permitted_users = "all_users"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)installed from another org.*permitted_users: the org has admin_approved`),
			},
			{
				Config: org.providerConfig() + testPolicyConfig(name, `
  permitted_users                 = "admin_approved"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
`),
			},
		},
	})
	if n := org.server.Org.Calls()["metadata.updateMetadata"]; n != 0 {
		t.Errorf("%d updateMetadata calls for an app installed from another org, want none", n)
	}
}
