package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"salesforce": providerserver.NewProtocol6WithError(New("test")()),
}

// Fixture names of the simulated org. In a live run they come from
// SALESFORCE_TEST_PROFILE and SALESFORCE_TEST_PERMISSION_SET.
const (
	simProfile        = "System Administrator"
	simProfileSlash   = "Field Ops Manager/Supervisor"
	simPermissionSet  = "Integration_Users"
	simManagedPermSet = "vendor__Vendor_Access"
)

// testOrg is the org an acceptance test runs against: a simulated org started
// for the test, or, with SALESFORCE_ACC_LIVE=1, the real org that the
// SALESFORCE_* environment variables sign in to.
type testOrg struct {
	live   bool
	server *orgsim.Server
	token  string
	client *salesforce.Client
}

func isLive() bool { return os.Getenv("SALESFORCE_ACC_LIVE") == "1" }

// newTestOrg returns the org for one test. Without TF_ACC the test is skipped,
// as resource.Test would skip it.
func newTestOrg(t *testing.T) *testOrg {
	t.Helper()
	return newTestOrgWith(t, nil)
}

// newTestOrgWith is newTestOrg with edit applied to the simulated org's
// options, such as latency or injected faults. A live org ignores edit.
func newTestOrgWith(t *testing.T, edit func(*orgsim.Options)) *testOrg {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run only with TF_ACC set; make test sets it")
	}
	ctx := context.Background()

	if isLive() {
		settings, diags := providerModel{}.settings(os.Getenv)
		if diags.HasError() {
			t.Fatalf("live org configuration: %v", diags)
		}
		client, err := salesforce.New(ctx, settings.client("test"))
		if err != nil {
			t.Fatalf("signing in to the live org: %v", err)
		}
		return &testOrg{live: true, client: client}
	}

	token := "00DSIM!" + randomHex(t, 24)
	opts := orgsim.Options{
		AccessTokens:              []string{token},
		AllowConnectedAppCreation: true,
	}
	if edit != nil {
		edit(&opts)
	}
	server, err := orgsim.Start(opts)
	if err != nil {
		t.Fatalf("starting the simulated org: %v", err)
	}
	t.Cleanup(server.Close)
	server.Org.AddProfile("Admin", simProfile)
	server.Org.AddProfile("Field Ops Manager%2FSupervisor", simProfileSlash)
	server.Org.AddPermissionSet(simPermissionSet, "Integration Users", "")
	server.Org.AddPermissionSet("Vendor_Access", "Vendor Access", "vendor")

	client, err := salesforce.New(ctx, salesforce.Config{
		Auth:       authConfig(server.URL, token),
		APIVersion: DefaultAPIVersion,
	})
	if err != nil {
		t.Fatalf("signing in to the simulated org: %v", err)
	}
	return &testOrg{server: server, token: token, client: client}
}

// providerConfig returns the provider block for the org.
func (o *testOrg) providerConfig() string {
	if o.live {
		return "provider \"salesforce\" {}\n"
	}
	return fmt.Sprintf(`provider "salesforce" {
  login_url    = %q
  instance_url = %q
  access_token = %q
}
`, o.server.URL, o.server.URL, o.token)
}

// run runs the test case: in parallel against a simulated org, one at a time
// against a live org, whose fixtures the tests share.
func (o *testOrg) run(t *testing.T, tc resource.TestCase) {
	t.Helper()
	tc.ProtoV6ProviderFactories = testAccProtoV6ProviderFactories
	if o.live {
		resource.Test(t, tc)
		return
	}
	resource.ParallelTest(t, tc)
}

func (o *testOrg) profile() string {
	if o.live {
		return envOr("SALESFORCE_TEST_PROFILE", simProfile)
	}
	return simProfile
}

func (o *testOrg) permissionSet(t *testing.T) string {
	if o.live {
		name := os.Getenv("SALESFORCE_TEST_PERMISSION_SET")
		if name == "" {
			t.Skip("set SALESFORCE_TEST_PERMISSION_SET to a permission set of the live org")
		}
		return name
	}
	return simPermissionSet
}

// testAppXML is an app as one made in Setup before Spring '26 looks when
// retrieved: policies far from the recommended ones and no grants.
const testAppXML = `<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>admin@example.com</contactEmail>
    <description>Synchronises orders with the vendor</description>
    <label>Vendor Sync</label>
    <oauthConfig>
        <callbackUrl>https://vendor.example.com/oauth/callback&#13;
https://vendor.example.com/oauth/alt</callbackUrl>
        <consumerKey>3MVG9SIMULATEDKEY%s</consumerKey>
        <isAdminApproved>false</isAdminApproved>
        <isConsumerSecretOptional>false</isConsumerSecretOptional>
        <isIntrospectAllTokens>false</isIntrospectAllTokens>
        <scopes>Basic</scopes>
        <scopes>Api</scopes>
        <scopes>RefreshToken</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>BYPASS</ipRelaxation>
        <refreshTokenPolicy>zero</refreshTokenPolicy>
    </oauthPolicy>
    <sessionPolicy>
        <sessionTimeout>15</sessionTimeout>
    </sessionPolicy>
    <startUrl>https://vendor.example.com/start</startUrl>
</ConnectedApp>
`

// existingApp returns the name of a connected app that already exists in the
// org. A simulated org gets a new one loaded as existing state. A live org
// offers the app named by SALESFORCE_TEST_CONNECTED_APP, whose component is
// restored when the test ends; it is never deleted.
func (o *testOrg) existingApp(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	if o.live {
		name := os.Getenv("SALESFORCE_TEST_CONNECTED_APP")
		if name == "" {
			t.Skip("set SALESFORCE_TEST_CONNECTED_APP to an existing connected app of the live org")
		}
		original, err := o.client.FindConnectedApp(ctx, name)
		if err != nil {
			t.Fatalf("reading %s before the test: %v", name, err)
		}
		t.Cleanup(func() {
			if err := o.client.UpdateConnectedApp(ctx, original); err != nil {
				t.Errorf("restoring %s: %v", name, err)
			}
		})
		return name
	}

	name := "Acc_" + acctest.RandStringFromCharSet(10, acctest.CharSetAlphaNum)
	suffix := strings.ToUpper(acctest.RandStringFromCharSet(12, acctest.CharSetAlphaNum))
	if err := o.server.Org.LoadConnectedApp(name, []byte(fmt.Sprintf(testAppXML, suffix)), orgsim.LoadProps{}); err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return name
}

// canCreateApps reports whether tests may create connected apps: always in a
// simulated org, in a live org only with SALESFORCE_TEST_ALLOW_CREATE=true.
func (o *testOrg) canCreateApps() bool {
	return !o.live || os.Getenv("SALESFORCE_TEST_ALLOW_CREATE") == "true"
}

// changeApp edits the app in the org through the Metadata API, as an admin
// editing it in Setup would.
func (o *testOrg) changeApp(t *testing.T, name string, edit func(*connectedapp.App)) {
	t.Helper()
	ctx := context.Background()
	app, err := o.client.FindConnectedApp(ctx, name)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	edit(app)
	if err := o.client.UpdateConnectedApp(ctx, app); err != nil {
		t.Fatalf("changing %s out of band: %v", name, err)
	}
}

// readApp returns the app's component as the org holds it.
func (o *testOrg) readApp(t *testing.T, name string) *connectedapp.App {
	t.Helper()
	app, err := o.client.FindConnectedApp(context.Background(), name)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return app
}

// checkEach runs check on every resource of the type in state and fails when
// there is none, so that a destroy check never passes by matching nothing.
func checkEach(resourceType string, check func(*terraform.ResourceState) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		seen := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			seen++
			if err := check(rs); err != nil {
				return err
			}
		}
		if seen == 0 {
			return fmt.Errorf("no %s in state to check", resourceType)
		}
		return nil
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// componentWithout returns the app's element tree without the named
// top-level and oauthConfig children, for comparing what a resource must
// leave unchanged.
func componentWithout(app *connectedapp.App, top []string, oauth []string) *xmltree.Element {
	el := app.Element().Clone()
	for _, n := range top {
		el.RemoveChildren(n)
	}
	if o := el.Child("oauthConfig"); o != nil {
		for _, n := range oauth {
			o.RemoveChildren(n)
		}
	}
	return el
}

func authConfig(url, token string) auth.Config {
	return auth.Config{LoginURL: url, InstanceURL: url, AccessToken: token}
}
