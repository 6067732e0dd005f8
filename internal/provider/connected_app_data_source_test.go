package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
)

// vendorAppXML holds the true settings of an app installed from a managed
// package, which the simulated org exposes only through ConnectedApplication.
const vendorAppXML = `<ConnectedApp>
    <contactEmail>vendor@example.com</contactEmail>
    <label>Vendor Connector</label>
    <oauthConfig>
        <callbackUrl>https://vendor.example.com/cb</callbackUrl>
        <consumerKey>3MVG9VENDORKEY000001</consumerKey>
        <isAdminApproved>true</isAdminApproved>
        <scopes>Api</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>BYPASS</ipRelaxation>
        <refreshTokenPolicy>specific_inactivity:30:DAYS</refreshTokenPolicy>
    </oauthPolicy>
    <profileName>System Administrator</profileName>
    <sessionPolicy>
        <sessionLevel>HIGH_ASSURANCE</sessionLevel>
        <policyAction>Block</policyAction>
    </sessionPolicy>
    <startUrl>https://vendor.example.com/start</startUrl>
</ConnectedApp>`

func TestAccConnectedAppDataSources(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("the apps are loaded into a simulated org")
	}
	local := org.existingApp(t)
	localApp := org.readApp(t, local)
	props, err := org.client.FindConnectedAppProperties(context.Background(), local)
	if err != nil {
		t.Fatal(err)
	}
	managed := "vendor__Connector" + acctest.RandStringFromCharSet(6, acctest.CharSetAlpha)
	if err := org.server.Org.LoadConnectedApp(managed, []byte(vendorAppXML), orgsim.LoadProps{NamespacePrefix: "vendor"}); err != nil {
		t.Fatal(err)
	}
	const localAddr, managedAddr, listAddr = "data.salesforce_connected_app.local",
		"data.salesforce_connected_app.managed", "data.salesforce_connected_apps.all"

	entry := func(name string, checks map[string]knownvalue.Check) knownvalue.Check {
		checks["name"] = knownvalue.StringExact(name)
		return knownvalue.ObjectPartial(checks)
	}

	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: org.providerConfig() + fmt.Sprintf(`
data "salesforce_connected_app" "local" {
  name = %q
}

data "salesforce_connected_app" "managed" {
  name = %q
}

data "salesforce_connected_apps" "all" {}
`, local, managed),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("id"), knownvalue.StringExact(props.ID)),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("label"), knownvalue.StringExact(localApp.Label())),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("metadata_readable"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("installed_from_package"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("consumer_key"), knownvalue.StringExact(localApp.ConsumerKey())),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("ip_relaxation"), knownvalue.StringExact("relax")),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("refresh_token_policy"), knownvalue.StringExact("expire_immediately")),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("session_timeout_minutes"), knownvalue.Int64Exact(15)),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("start_url"), knownvalue.StringExact("https://vendor.example.com/start")),
				statecheck.ExpectKnownValue(localAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("Basic"), knownvalue.StringExact("Api"), knownvalue.StringExact("RefreshToken"),
				})),

				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("metadata_readable"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("installed_from_package"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("namespace_prefix"), knownvalue.StringExact("vendor")),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("label"), knownvalue.StringExact("Vendor Connector")),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("permitted_users"), knownvalue.StringExact("admin_approved")),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("high_assurance_session_required"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("refresh_token_policy"), knownvalue.StringExact("expire_if_unused")),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("refresh_token_validity_period"), knownvalue.Int64Exact(30)),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("refresh_token_validity_unit"), knownvalue.Null()),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("ip_relaxation"), knownvalue.Null()),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("high_assurance_action"), knownvalue.Null()),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("consumer_key"), knownvalue.Null()),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("start_url"), knownvalue.StringExact("https://vendor.example.com/start")),
				statecheck.ExpectKnownValue(managedAddr, tfjsonpath.New("profiles"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(simProfile)})),

				statecheck.ExpectKnownValue(listAddr, tfjsonpath.New("apps"), knownvalue.ListExact([]knownvalue.Check{
					entry(local, map[string]knownvalue.Check{
						"label":                  knownvalue.StringExact(localApp.Label()),
						"id":                     knownvalue.StringExact(props.ID),
						"installed_from_package": knownvalue.Bool(false),
						"metadata_readable":      knownvalue.Bool(true),
						"namespace_prefix":       knownvalue.Null(),
					}),
					entry(managed, map[string]knownvalue.Check{
						"label":                  knownvalue.StringExact("Vendor Connector"),
						"installed_from_package": knownvalue.Bool(true),
						"metadata_readable":      knownvalue.Bool(false),
						"namespace_prefix":       knownvalue.StringExact("vendor"),
						"manageable_state":       knownvalue.StringExact("installed"),
					}),
				})),
			},
		}},
	})
}
