package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// ccAppXML is an app with the client credentials flow enabled and a trusted
// IP range, for the optional policy settings.
const ccAppXML = `<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>admin@example.com</contactEmail>
    <ipRanges>
        <end>198.51.100.20</end>
        <start>198.51.100.10</start>
    </ipRanges>
    <label>Warehouse</label>
    <oauthConfig>
        <callbackUrl>https://warehouse.example.com/cb</callbackUrl>
        <consumerKey>%s</consumerKey>
        <isAdminApproved>true</isAdminApproved>
        <isClientCredentialEnabled>true</isClientCredentialEnabled>
        <oauthClientCredentialUser>integration@example.com</oauthClientCredentialUser>
        <scopes>Api</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>ENFORCE</ipRelaxation>
        <refreshTokenPolicy>infinite</refreshTokenPolicy>
    </oauthPolicy>
    <startUrl>https://warehouse.example.com/start</startUrl>
</ConnectedApp>`

func TestAccConnectedAppPolicy_optionalSettings(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs an app with the client credentials flow, which the simulated org provides")
	}
	name := "Acc_CC_" + randomHex(t, 8)
	if err := org.server.Org.LoadConnectedApp(name, []byte(fmt.Sprintf(ccAppXML, "3MVG9CCAPP"+randomHex(t, 12))), orgsim.LoadProps{}); err != nil {
		t.Fatal(err)
	}
	const address = "salesforce_connected_app_policy.test"
	before := org.readApp(t, name)

	org.run(t, tfresource.TestCase{
		Steps: []tfresource.TestStep{
			{
				// Omitted optional settings stay as the org has them.
				Config: org.providerConfig() + testPolicyConfig(name, `permitted_users = "admin_approved"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("start_url"), knownvalue.StringExact("https://warehouse.example.com/start")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("client_credentials_run_as"), knownvalue.StringExact("integration@example.com")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("ip_ranges"), knownvalue.SetSizeExact(1)),
				},
				Check: func(*terraform.State) error {
					return checkUnchangedExcept(before, org.readApp(t, name), policyTopElements, policyOAuthElements)
				},
			},
			{
				Config: org.providerConfig() + testPolicyConfig(name, `
  permitted_users             = "admin_approved"
  start_url                   = ""
  mobile_start_url            = "https://m.warehouse.example.com"
  client_credentials_run_as   = "robot@example.com"
  single_logout_url           = "https://warehouse.example.com/logout"
  token_exchange_flow_enabled = true
  ip_ranges = [
    { start = "203.0.113.1", end = "203.0.113.9", description = "office" },
    { start = "198.51.100.10", end = "198.51.100.20" },
  ]
`),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					app := org.readApp(t, name)
					if _, ok := app.TopText(connectedapp.ElementStartURL); ok {
						return fmt.Errorf("start_url = \"\" left startUrl in the org")
					}
					if v, _ := app.ClientCredentialUser(); v != "robot@example.com" {
						return fmt.Errorf("org holds run-as user %q", v)
					}
					if len(app.IPRanges()) != 2 || !app.TokenExchangeFlowEnabled() {
						return fmt.Errorf("org holds %s", app.Element())
					}
					return nil
				},
			},
			{
				// The same ranges in another order plan no change.
				Config: org.providerConfig() + testPolicyConfig(name, `
  permitted_users             = "admin_approved"
  start_url                   = ""
  mobile_start_url            = "https://m.warehouse.example.com"
  client_credentials_run_as   = "robot@example.com"
  single_logout_url           = "https://warehouse.example.com/logout"
  token_exchange_flow_enabled = true
  ip_ranges = [
    { start = "198.51.100.10", end = "198.51.100.20" },
    { start = "203.0.113.1", end = "203.0.113.9", description = "office" },
  ]
`),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"start_url"},
			},
		},
	})
}

func TestAccConnectedAppPolicy_rejectedBeforeWrite(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("counts the simulated org's calls")
	}
	name := org.existingApp(t)
	cases := map[string]struct {
		body string
		want string
	}{
		"bad address":          {`ip_ranges = [{ start = "10.0.0.300", end = "10.0.0.1" }]`, `not an IP address`},
		"reversed range":       {`ip_ranges = [{ start = "10.0.0.9", end = "10.0.0.1" }]`, `after its end`},
		"mixed families":       {`ip_ranges = [{ start = "10.0.0.1", end = "::1" }]`, `mixes IPv4 and IPv6`},
		"http logout url":      {`single_logout_url = "http://x.example.com"`, `https://`},
		"run-as without flow":  {`client_credentials_run_as = "robot@example.com"`, `client credentials flow enabled`},
		"unknown permitted to": {`permitted_users = "admins"`, `permitted_users`},
	}
	for label, tc := range cases {
		t.Run(label, func(t *testing.T) {
			writes := org.server.Org.Calls()["metadata.updateMetadata"]
			org.run(t, tfresource.TestCase{
				Steps: []tfresource.TestStep{{
					Config:      org.providerConfig() + testPolicyConfig(name, tc.body),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if got := org.server.Org.Calls()["metadata.updateMetadata"]; got != writes {
				t.Errorf("%d updateMetadata calls reached the org, want none", got-writes)
			}
		})
	}
}

func TestAccConnectedAppPolicy_selfLockout(t *testing.T) {
	if isLive() {
		t.Skip("signs in through an app of the simulated org")
	}
	newTestOrg(t)
	key := "3MVG9SELF" + randomHex(t, 12)
	secret := "SECRET" + randomHex(t, 16)
	server, err := orgsim.Start(orgsim.Options{Clients: []orgsim.Client{{
		ID: key, Secret: secret, RunAsUsername: "integration@example.com",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	name := "Acc_Self_" + randomHex(t, 6)
	if err := server.Org.LoadConnectedApp(name, []byte(fmt.Sprintf(ccAppXML, key)), orgsim.LoadProps{}); err != nil {
		t.Fatal(err)
	}
	provider := fmt.Sprintf("provider \"salesforce\" {\n  login_url = %q\n  client_id = %q\n  client_secret = %q\n}\n",
		server.URL, key, secret)
	highAssurance := `
  permitted_users                 = "admin_approved"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
`
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config:      provider + testPolicyConfig(name, highAssurance),
				ExpectError: regexp.MustCompile(`(?s)signs in through.*allow_self_lockout`),
			},
			{
				Config: provider + testPolicyConfig(name, highAssurance+"  allow_self_lockout = true\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesforce_connected_app_policy.test",
						tfjsonpath.New("high_assurance_session_required"), knownvalue.Bool(true)),
				},
			},
		},
	})
	if got := server.Org.Calls()["metadata.updateMetadata"]; got != 1 {
		t.Errorf("updateMetadata called %d times, want 1 (the refused plan must not write)", got)
	}
}

func TestPolicyWarnings(t *testing.T) {
	r := &connectedAppPolicyResource{}
	plan := defaultPolicy("Vendor_App")
	plan.HighAssuranceSessionRequired = types.BoolValue(true)
	resp := &resource.ModifyPlanResponse{}
	r.checkHighAssurance(context.Background(), &plan, resp)
	if resp.Diagnostics.WarningsCount() != 1 || resp.Diagnostics.HasError() {
		t.Fatalf("diagnostics %v, want one warning", resp.Diagnostics)
	}
	if text := resp.Diagnostics.Warnings()[0].Detail(); !strings.Contains(text, "JWT bearer and client credentials") {
		t.Errorf("warning %q does not name the blocked flows", text)
	}
}

func TestAccPolicyWarnsAboutUnusedGrants(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)
	ctx := context.Background()
	props, err := org.client.FindConnectedAppProperties(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := org.client.FindPermissionSetByName(ctx, org.permissionSet(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.client.CreateGrant(ctx, ps.ID, props.ID); err != nil {
		t.Fatal(err)
	}
	r := &connectedAppPolicyResource{client: org.client}
	resp := &resource.ModifyPlanResponse{}
	r.warnUnusedGrants(ctx, name, props.ID, resp)
	if resp.Diagnostics.WarningsCount() != 1 || !strings.Contains(resp.Diagnostics.Warnings()[0].Detail(), "all_users") {
		t.Errorf("diagnostics %v, want a warning about all_users", resp.Diagnostics)
	}
}

func TestAccPolicyWarnsAboutAdoptionChanges(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("expects the simulated app's settings")
	}
	name := org.existingApp(t)
	r := &connectedAppPolicyResource{client: org.client}
	plan := defaultPolicy(name)
	resp := &resource.ModifyPlanResponse{}
	r.warnAdoptionChanges(context.Background(), &plan, resp)
	if resp.Diagnostics.WarningsCount() != 1 {
		t.Fatalf("diagnostics %v, want one warning", resp.Diagnostics)
	}
	detail := resp.Diagnostics.Warnings()[0].Detail()
	for _, want := range []string{`ip_relaxation: "relax" in the org, "enforce" after apply`, "refresh_token_policy", "terraform import"} {
		if !strings.Contains(detail, want) {
			t.Errorf("warning %q lacks %q", detail, want)
		}
	}
}

func TestAccPolicyWarnsAboutNoGrants(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("expects the simulated app to have no grants")
	}
	name := org.existingApp(t)
	props, err := org.client.FindConnectedAppProperties(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	r := &connectedAppPolicyResource{client: org.client}
	resp := &resource.ModifyPlanResponse{}
	r.warnNoGrants(context.Background(), name, props.ID, resp)
	if resp.Diagnostics.WarningsCount() != 1 || !strings.Contains(resp.Diagnostics.Warnings()[0].Detail(), "none is assigned") {
		t.Errorf("diagnostics %v, want a warning that no grant exists", resp.Diagnostics)
	}
}
