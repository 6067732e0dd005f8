package provider

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
)

func TestProviderSettingsFromEnvironment(t *testing.T) {
	env := map[string]string{
		"SALESFORCE_LOGIN_URL":     "https://example.my.salesforce.com",
		"SALESFORCE_CLIENT_ID":     "3MVG9ENVCLIENT",
		"SALESFORCE_CLIENT_SECRET": "env-secret",
		"SALESFORCE_API_VERSION":   "60.0",
	}
	m := providerModel{ClientSecret: types.StringValue("config-secret")}
	s, diags := m.settings(func(k string) string { return env[k] })
	if diags.HasError() {
		t.Fatalf("settings: %v", diags)
	}
	if s.flow != auth.FlowClientCredentials {
		t.Errorf("flow %s, want client_credentials", s.flow)
	}
	if s.auth.ClientSecret != "config-secret" {
		t.Error("configuration did not win over the environment")
	}
	if s.auth.ClientID != "3MVG9ENVCLIENT" || s.apiVersion != "60.0" {
		t.Errorf("environment not applied: %+v %s", s.auth.ClientID, s.apiVersion)
	}
}

func TestProviderSettingsDefaults(t *testing.T) {
	s, diags := providerModel{AccessToken: types.StringValue("x"), InstanceURL: types.StringValue("https://a.my.salesforce.com")}.
		settings(func(string) string { return "" })
	if diags.HasError() {
		t.Fatalf("settings: %v", diags)
	}
	if s.auth.LoginURL != "https://login.salesforce.com" || s.apiVersion != DefaultAPIVersion {
		t.Errorf("defaults %q %q", s.auth.LoginURL, s.apiVersion)
	}
}

func TestProviderSettingsErrors(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "missing.key")
	cases := map[string]struct {
		model providerModel
		want  string
	}{
		"nothing set":      {providerModel{}, "client_id"},
		"jwt without key":  {providerModel{ClientID: types.StringValue("c"), Username: types.StringValue("u")}, "private_key"},
		"old api version":  {providerModel{APIVersion: types.StringValue("48.0")}, "49.0"},
		"bad api version":  {providerModel{APIVersion: types.StringValue("v60")}, "api_version"},
		"http login url":   {providerModel{LoginURL: types.StringValue("http://login.example.com")}, "https"},
		"unreadable key":   {providerModel{PrivateKeyFile: types.StringValue(keyFile)}, "Cannot read the private key file"},
		"both key sources": {providerModel{PrivateKey: types.StringValue("k"), PrivateKeyFile: types.StringValue(keyFile)}, "only one"},
		"client credentials on login host": {providerModel{
			ClientID: types.StringValue("c"), ClientSecret: types.StringValue("s"),
		}, "My Domain"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, diags := tc.model.settings(func(string) string { return "" })
			if !diags.HasError() {
				t.Fatal("no error")
			}
			text := fmt.Sprint(diags)
			if !strings.Contains(text, tc.want) {
				t.Errorf("error %s does not mention %q", text, tc.want)
			}
		})
	}
}

func TestCheckAPIVersion(t *testing.T) {
	for _, v := range []string{"49.0", "63.0", "68.0"} {
		if err := checkAPIVersion(v); err != nil {
			t.Errorf("checkAPIVersion(%q) = %v", v, err)
		}
	}
	for _, v := range []string{"48.0", "68", "v68.0", "latest", ""} {
		if err := checkAPIVersion(v); err == nil {
			t.Errorf("checkAPIVersion(%q) accepted", v)
		}
	}
}

func TestAccProvider_invalidConfig(t *testing.T) {
	newTestOrg(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "salesforce" {
  login_url   = "http://login.example.com"
  api_version = "45.0"
}

resource "salesforce_connected_app_policy" "test" {
  connected_app = "Any"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)login_url.*HTTPS|api_version.*too old`),
		}},
	})
}

// jwtFixture is an RSA key and the self-signed certificate a connected app
// holds to verify JWT bearer assertions.
type jwtFixture struct {
	keyPEM  string
	certPEM []byte
}

func newJWTFixture(t *testing.T) jwtFixture {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "terraform-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return jwtFixture{
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}
}

// TestAccProvider_secretsNotLogged runs every auth flow that carries a secret
// with TF_LOG=trace and searches the provider's and Terraform's logs for each
// secret value.
func TestAccProvider_secretsNotLogged(t *testing.T) {
	if os.Getenv("TF_ACC") == "" || isLive() {
		t.Skip("runs against a simulated org with TF_ACC set")
	}
	jwt := newJWTFixture(t)
	clientSecret := "CLIENTSECRET" + randomHex(t, 16)
	refreshToken := "5Aep" + randomHex(t, 24)
	clientID := "3MVG9LOGTEST" + randomHex(t, 8)
	server, err := orgsim.Start(orgsim.Options{
		Clients: []orgsim.Client{{
			ID:                clientID,
			Secret:            clientSecret,
			RefreshTokens:     []string{refreshToken},
			JWTCertificatePEM: jwt.certPEM,
			JWTUsernames:      []string{"terraform@example.com"},
			RunAsUsername:     "integration@example.com",
		}},
		JWTAudiences: []string{"https://login.salesforce.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	app := "Log_" + randomHex(t, 8)
	if err := server.Org.LoadConnectedApp(app, []byte(fmt.Sprintf(testAppXML, "LOGTEST")), orgsim.LoadProps{}); err != nil {
		t.Fatal(err)
	}

	flows := map[string]string{
		"jwt": fmt.Sprintf(`
  client_id   = %q
  username    = "terraform@example.com"
  private_key = %q
`, clientID, jwt.keyPEM),
		"refresh": fmt.Sprintf(`
  client_id     = %q
  client_secret = %q
  refresh_token = %q
`, clientID, clientSecret, refreshToken),
		"client_credentials": fmt.Sprintf(`
  client_id     = %q
  client_secret = %q
`, clientID, clientSecret),
	}
	for name, credentials := range flows {
		t.Run(name, func(t *testing.T) {
			logFile := filepath.Join(t.TempDir(), "provider.log")
			t.Setenv("TF_LOG", "trace")
			t.Setenv("TF_ACC_LOG_PATH", logFile)
			t.Setenv("TF_LOG_PATH", filepath.Join(t.TempDir(), "terraform.log"))
			config := fmt.Sprintf("provider \"salesforce\" {\n  login_url = %q\n%s}\n", server.URL, credentials) +
				testPolicyConfig(app, `permitted_users = "admin_approved"`)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: config}},
			})

			raw, err := os.ReadFile(logFile) //nolint:gosec // the log file this test asked for
			if err != nil {
				t.Fatalf("reading the provider log: %v", err)
			}
			logs, harness := splitHarnessLog(string(raw))
			if !strings.Contains(logs, "Salesforce session established") {
				t.Fatalf("the provider log has no session message; the search below would prove nothing")
			}
			// The test harness logs the configuration it writes, secrets
			// included, which shows that the search finds a secret that is there.
			if !strings.Contains(harness, clientID) {
				t.Fatalf("the harness entries do not show the configuration; the log format changed")
			}
			secrets := map[string]string{
				"client secret": clientSecret,
				"refresh token": refreshToken,
				"private key":   strings.Split(jwt.keyPEM, "\n")[1],
			}
			for _, token := range server.Org.IssuedTokens() {
				secrets["access token "+token[:8]] = token
			}
			for label, secret := range secrets {
				if strings.Contains(logs, secret) {
					t.Errorf("the %s appears in the TF_LOG=trace provider log", label)
				}
			}
		})
	}
}

// logEntryStart matches the first line of an hclog entry.
var logEntryStart = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\S+ \[[A-Z]+\] `)

// splitHarnessLog separates the entries that terraform-plugin-testing's own
// logger (sdk.helper_resource) writes from everything the provider, the
// framework and the plugin protocol write.
func splitHarnessLog(log string) (provider, harness string) {
	var p, h strings.Builder
	inHarness := false
	for _, line := range strings.SplitAfter(log, "\n") {
		if m := logEntryStart.FindString(line); m != "" {
			inHarness = strings.HasPrefix(line[len(m):], "sdk.helper_resource:")
		}
		if inHarness {
			h.WriteString(line)
		} else {
			p.WriteString(line)
		}
	}
	return p.String(), h.String()
}

func TestAccProvider_unservedAPIVersion(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("uses the simulated org's version list")
	}
	config := fmt.Sprintf(`
provider "salesforce" {
  login_url    = %q
  instance_url = %q
  access_token = %q
  api_version  = "99.0"
}

data "salesforce_profile" "test" {
  name = "System Administrator"
}
`, org.server.URL, org.server.URL, org.token)
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)does not serve API version 99.0.*newest it serves is 68.0`),
		}},
	})
}

func TestProviderSettingsWarnsAboutUnusedCredentials(t *testing.T) {
	m := providerModel{
		AccessToken:  types.StringValue("00Dx!token"),
		InstanceURL:  types.StringValue("https://example.my.salesforce.com"),
		ClientID:     types.StringValue("3MVG9KEY"),
		Username:     types.StringValue("ci@example.com"),
		PrivateKey:   types.StringValue("garbage"),
		RefreshToken: types.StringValue("5Aep"),
	}
	s, diags := m.settings(func(string) string { return "" })
	if diags.HasError() {
		t.Fatalf("settings: %v", diags)
	}
	if s.flow != auth.FlowAccessToken {
		t.Fatalf("flow %s, want access_token", s.flow)
	}
	if diags.WarningsCount() != 1 {
		t.Fatalf("diagnostics %v, want one warning", diags)
	}
	detail := diags.Warnings()[0].Detail()
	for _, name := range []string{"username", "private_key", "refresh_token"} {
		if !strings.Contains(detail, name) {
			t.Errorf("warning %q does not name %s", detail, name)
		}
	}
	if strings.Contains(detail, "00Dx!token") || strings.Contains(detail, "garbage") {
		t.Errorf("warning %q contains a secret", detail)
	}
}
