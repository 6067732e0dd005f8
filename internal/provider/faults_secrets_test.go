package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
)

// Secrets of TestFaults_lifecycleSecrets, long and distinct so that a
// search of the log and the state cannot match by chance.
const (
	lifecycleClientSecret   = "LifecycleClientSecret8E7D6C"  //nolint:gosec // test fixture, not a credential
	lifecycleRefreshToken   = "5Aep861LifecycleRefresh4B3A2" //nolint:gosec // test fixture, not a credential
	lifecycleAccessToken    = "00DLIFE!AQLifecycleAccess91F" //nolint:gosec // test fixture, not a credential
	lifecycleConsumerSecret = "LifecycleConsumerSecret5D4C"  //nolint:gosec // test fixture, not a credential
	lifecycleUsername       = "terraform@example.com"
	lifecycleCreatedApp     = "Secrets_Created"
	lifecycleExistingApp    = "Secrets_Existing"
)

// lifecycleFlow is one auth flow of TestFaults_lifecycleSecrets: the
// provider block's settings and the variables that carry its secrets.
type lifecycleFlow struct {
	name      string
	settings  string            // provider block lines
	variables map[string]string // variable name to value, passed as TF_VAR_
}

func lifecycleFlows(keyFile string) []lifecycleFlow {
	return []lifecycleFlow{
		{
			name:      "access_token",
			settings:  "  instance_url = var.login_url\n  access_token = var.access_token\n",
			variables: map[string]string{"access_token": lifecycleAccessToken},
		},
		{
			name: "jwt_bearer",
			settings: fmt.Sprintf("  client_id        = %q\n  username         = %q\n  private_key_file = %q\n",
				faultClientID, lifecycleUsername, keyFile),
		},
		{
			name: "refresh_token",
			settings: fmt.Sprintf("  client_id     = %q\n  client_secret = var.client_secret\n"+
				"  refresh_token = var.refresh_token\n", faultClientID),
			variables: map[string]string{"client_secret": lifecycleClientSecret, "refresh_token": lifecycleRefreshToken},
		},
		{
			name:      "client_credentials",
			settings:  fmt.Sprintf("  client_id     = %q\n  client_secret = var.client_secret\n", faultClientID),
			variables: map[string]string{"client_secret": lifecycleClientSecret},
		},
	}
}

// config returns the configuration of one lifecycle step: a created app
// with a consumer secret, its policy and a grant, and from the import step
// on the policy of an existing app.
func (f lifecycleFlow) config(label, ipRelaxation string, withExisting bool) string {
	var b strings.Builder
	b.WriteString(strings.Replace(faultTerraformBlock, "provider \"salesforce\" {}\n", "", 1))
	b.WriteString("\nvariable \"login_url\" {\n  type = string\n}\n")
	names := make([]string, 0, len(f.variables))
	for name := range f.variables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "\nvariable %q {\n  type      = string\n  sensitive = true\n}\n", name)
	}
	b.WriteString("\nvariable \"consumer_secret\" {\n  type      = string\n  sensitive = true\n}\n")
	fmt.Fprintf(&b, "\nprovider \"salesforce\" {\n  login_url = var.login_url\n%s}\n", f.settings)
	fmt.Fprintf(&b, `
resource "salesforce_connected_app" "created" {
  name                = %[1]q
  label               = %[2]q
  contact_email       = "secrets@example.com"
  deletion_protection = false
  oauth_config = {
    callback_urls              = ["https://secrets.example.com/oauth/callback"]
    scopes                     = ["Api"]
    consumer_secret_wo         = var.consumer_secret
    consumer_secret_wo_version = 1
  }
}

resource "salesforce_connected_app_policy" "created" {
  connected_app        = salesforce_connected_app.created.name
  permitted_users      = "admin_approved"
  ip_relaxation        = %[3]q
  refresh_token_policy = "valid_until_revoked"
}

resource "salesforce_connected_app_assignment" "created" {
  connected_app = salesforce_connected_app_policy.created.connected_app
  profile       = %[4]q
}
`, lifecycleCreatedApp, label, ipRelaxation, faultProfiles[0])
	if withExisting {
		fmt.Fprintf(&b, `
resource "salesforce_connected_app_policy" "existing" {
  connected_app   = %q
  permitted_users = "admin_approved"
}
`, lifecycleExistingApp)
	}
	return b.String()
}

// TestFaults_lifecycleSecrets runs create, update, import and destroy at
// TF_LOG=trace with each auth flow, and searches the whole log and the
// state files after each step for every secret: the provider's
// credentials, the private key line by line, the consumer secret and each
// access token the org issued.
func TestFaults_lifecycleSecrets(t *testing.T) {
	skipUnlessFaultTests(t)
	start := time.Now()
	keyPEM, certPEM := func() (string, []byte) {
		fx := newJWTFixture(t)
		return fx.keyPEM, fx.certPEM
	}()
	leaks := 0
	searched := 0
	for _, flow := range lifecycleFlows("") {
		t.Run(flow.name, func(t *testing.T) {
			server, err := orgsim.Start(orgsim.Options{
				AccessTokens:              []string{lifecycleAccessToken},
				AllowConnectedAppCreation: true,
				JWTAudiences:              []string{"https://login.salesforce.com"},
				Clients: []orgsim.Client{{
					ID: faultClientID, Secret: lifecycleClientSecret, RefreshTokens: []string{lifecycleRefreshToken},
					JWTCertificatePEM: certPEM, JWTUsernames: []string{lifecycleUsername},
					RunAsUsername: "integration@example.com",
				}},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			server.Org.AddProfile("Admin", faultProfiles[0])
			if err := server.Org.LoadConnectedApp(lifecycleExistingApp, []byte(fmt.Sprintf(testAppXML, "LIFECYCLE")),
				orgsim.LoadProps{}); err != nil {
				t.Fatal(err)
			}

			keyFile := filepath.Join(t.TempDir(), "jwt.key")
			if err := os.WriteFile(keyFile, []byte(keyPEM), 0o600); err != nil {
				t.Fatal(err)
			}
			flow := flowNamed(lifecycleFlows(keyFile), flow.name)
			env := []string{"TF_VAR_login_url=" + server.URL, "TF_VAR_consumer_secret=" + lifecycleConsumerSecret}
			for name, value := range flow.variables {
				env = append(env, "TF_VAR_"+name+"="+value)
			}
			ws := newWorkspace(t, env...)
			ws.logAll("trace")

			steps := []struct {
				name string
				run  func()
			}{
				{"create", func() {
					ws.writeConfig(flow.config("Secrets Created", "enforce", false))
					ws.apply()
				}},
				{"update", func() {
					ws.writeConfig(flow.config("Secrets Updated", "relax", false))
					ws.apply()
				}},
				{"import", func() {
					ws.writeConfig(flow.config("Secrets Updated", "relax", true))
					if out, code := ws.run("import", "-input=false", "-no-color",
						"salesforce_connected_app_policy.existing", lifecycleExistingApp); code != 0 {
						t.Fatalf("terraform import exited with %d:\n%s", code, out)
					}
					ws.apply()
				}},
				{"destroy", func() {
					if out, code := ws.run("destroy", "-auto-approve", "-input=false", "-no-color"); code != 0 {
						t.Fatalf("terraform destroy exited with %d:\n%s", code, out)
					}
				}},
			}
			for _, step := range steps {
				step.run()
				log := ws.readFile("terraform.log")
				// The log holds the provider's calls with their values, such as
				// the instance URL, so a secret logged the same way would show.
				if !strings.Contains(log, "Salesforce API call") || !strings.Contains(log, server.URL) {
					t.Fatalf("%s: the log has no provider call or instance URL, so the search would prove nothing",
						step.name)
				}
				state := ws.readFile("terraform.tfstate") + ws.readFile("terraform.tfstate.backup")
				if step.name != "destroy" && !strings.Contains(state, lifecycleCreatedApp) {
					t.Fatalf("%s: the state does not hold the app, so the search would prove nothing", step.name)
				}
				for label, secret := range lifecycleSecrets(server, keyPEM) {
					searched++
					if strings.Contains(log, secret) {
						leaks++
						t.Errorf("%s: the TF_LOG=trace log contains the %s", step.name, label)
					}
					if strings.Contains(state, secret) {
						leaks++
						t.Errorf("%s: the state contains the %s", step.name, label)
					}
				}
			}
			if _, err := faultClient(t, server.URL, lifecycleClientSecret).FindConnectedApp(t.Context(), lifecycleCreatedApp); !isNotFound(err) {
				t.Errorf("after destroy, reading %s gave %v, want not found", lifecycleCreatedApp, err)
			}
		})
	}
	reportSummary(t, "create, update, import and destroy at TF_LOG=trace with 4 auth flows: %d secret searches "+
		"of the log and the state, %d found a secret; wall time %s", searched*2, leaks, time.Since(start).Round(time.Second))
}

func flowNamed(flows []lifecycleFlow, name string) lifecycleFlow {
	for _, f := range flows {
		if f.name == name {
			return f
		}
	}
	panic("no lifecycle flow " + name)
}

// lifecycleSecrets returns every secret value of the test: the
// credentials, each line of the private key, the consumer secret and each
// access token the org issued.
func lifecycleSecrets(server *orgsim.Server, keyPEM string) map[string]string {
	secrets := map[string]string{
		"client secret":   lifecycleClientSecret,
		"refresh token":   lifecycleRefreshToken,
		"access token":    lifecycleAccessToken,
		"consumer secret": lifecycleConsumerSecret,
	}
	for i, line := range strings.Split(strings.TrimSpace(keyPEM), "\n") {
		if !strings.HasPrefix(line, "-----") {
			secrets[fmt.Sprintf("private key line %d", i)] = line
		}
	}
	for i, token := range server.Org.IssuedTokens() {
		secrets[fmt.Sprintf("issued access token %d", i)] = token
	}
	return secrets
}
