package salesforce

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// Credentials of the secrets tests. Each is long and distinct, so that a
// search of logs and errors for it cannot match by chance.
const (
	secretsClientID       = "3MVG9SECRETSTEST"
	secretsClientSecret   = "ClientSecretF00dCafe7788"     //nolint:gosec // test fixture, not a credential
	secretsRefreshToken   = "5Aep861RefreshTokenBeef4455"  //nolint:gosec // test fixture, not a credential
	secretsAccessToken    = "00DSECRETS!AQAccessToken6633" //nolint:gosec // test fixture, not a credential
	secretsConsumerSecret = "ConsumerSecret9A8B7C6D5E4F"   //nolint:gosec // test fixture, not a credential
	secretsUsername       = "terraform@example.com"
)

// jwtKeyPair returns a PEM RSA key and the self-signed certificate that a
// connected app holds to check JWT bearer assertions signed with it.
func jwtKeyPair(t *testing.T) (keyPEM, certPEM []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "secrets-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// secretsOrg starts a simulated org that accepts every flow, with opts
// applied, and the app Reliable_App and the permission set Sync_Users.
func secretsOrg(t *testing.T, certPEM []byte, opts orgsim.Options) (*orgsim.Server, string) {
	t.Helper()
	opts.Clients = []orgsim.Client{{
		ID:                secretsClientID,
		Secret:            secretsClientSecret,
		RefreshTokens:     []string{secretsRefreshToken},
		JWTCertificatePEM: certPEM,
		JWTUsernames:      []string{secretsUsername},
		RunAsUsername:     "integration@example.com",
	}}
	opts.AccessTokens = append(opts.AccessTokens, secretsAccessToken)
	opts.JWTAudiences = []string{"https://login.salesforce.com"}
	return startReliabilityOrg(t, opts)
}

// flowConfigs returns the auth settings of each flow against loginURL.
func flowConfigs(loginURL string, keyPEM []byte) map[string]auth.Config {
	return map[string]auth.Config{
		"access token": {LoginURL: loginURL, InstanceURL: loginURL, AccessToken: secretsAccessToken},
		"JWT bearer":   {LoginURL: loginURL, ClientID: secretsClientID, Username: secretsUsername, PrivateKeyPEM: keyPEM},
		"refresh token": {LoginURL: loginURL, ClientID: secretsClientID, ClientSecret: secretsClientSecret,
			RefreshToken: secretsRefreshToken},
		"client credentials": {LoginURL: loginURL, ClientID: secretsClientID, ClientSecret: secretsClientSecret},
	}
}

// secretValues returns every secret of the tests and of the org: the
// configured ones, the private key line by line, and each access token the
// org issued.
func secretValues(srv *orgsim.Server, keyPEM []byte) map[string]string {
	values := map[string]string{
		"client secret":   secretsClientSecret,
		"refresh token":   secretsRefreshToken,
		"access token":    secretsAccessToken,
		"consumer secret": secretsConsumerSecret,
	}
	for i, line := range strings.Split(strings.TrimSpace(string(keyPEM)), "\n") {
		if !strings.HasPrefix(line, "-----") {
			values["private key line "+string(rune('a'+i%26))+strings.Repeat("'", i/26)] = line
		}
	}
	for _, token := range srv.Org.IssuedTokens() {
		values["issued token "+token[:12]] = token
	}
	return values
}

// TestClientLogsNoSecret runs reads, writes, grants, session renewals and
// injected faults through the client with each flow, logging through
// tflog at trace level, and searches the output for every secret.
func TestClientLogsNoSecret(t *testing.T) {
	keyPEM, certPEM := jwtKeyPair(t)
	for flow := range flowConfigs("", nil) {
		t.Run(flow, func(t *testing.T) {
			opts := orgsim.Options{AllowConnectedAppCreation: true, FaultRate: 0.15, FaultAfterCommit: 0.5, Seed: 7}
			if flow != "access token" {
				// The access token flow cannot renew, so only the others
				// run with tokens that expire.
				opts.TokenMaxUses = 3
			}
			srv, permSetID := secretsOrg(t, certPEM, opts)
			var logs bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &logs)
			c, err := New(ctx, Config{Auth: flowConfigs(srv.URL, keyPEM)[flow], Retry: quickRetry})
			if err != nil {
				t.Fatalf("New: %v", err)
			}

			runSecretsWorkflow(ctx, t, c, permSetID)

			output := logs.String()
			if !strings.Contains(output, "Salesforce API call") {
				t.Fatal("the client logged no call, so the search below would prove nothing")
			}
			if opts.TokenMaxUses > 0 && c.SessionRenewals() == 0 {
				t.Error("no session was renewed, so the renewal log lines were not searched")
			}
			for label, secret := range secretValues(srv, keyPEM) {
				if strings.Contains(output, secret) {
					t.Errorf("the log contains the %s", label)
				}
			}
		})
	}
}

// runSecretsWorkflow creates an app with a consumer secret, updates it,
// grants and revokes a permission set, and deletes the app.
func runSecretsWorkflow(ctx context.Context, t *testing.T, c *Client, permSetID string) {
	t.Helper()
	app := connectedapp.New("Secret_App")
	app.SetLabel("Secret App")
	app.SetContactEmail("ops@example.com")
	app.SetCallbackURLs([]string{"https://secret.example.com/callback"})
	app.SetScopes([]string{"Api"})
	app.SetConsumerSecret(secretsConsumerSecret)
	if err := c.CreateConnectedApp(ctx, app); err != nil {
		t.Fatalf("create: %v", err)
	}

	created, err := c.FindConnectedApp(ctx, "Secret_App")
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	created.SetLabel("Secret App 2")
	if err := c.UpdateConnectedApp(ctx, created); err != nil {
		t.Fatalf("update: %v", err)
	}

	props, err := c.FindConnectedAppProperties(ctx, "Secret_App")
	if err != nil {
		t.Fatalf("listing: %v", err)
	}
	grantID, err := c.CreateGrant(ctx, permSetID, props.ID)
	if err != nil {
		t.Fatalf("grant: %v", err)
	}
	if _, err := c.FindGrants(ctx, props.ID); err != nil {
		t.Fatalf("reading grants: %v", err)
	}
	if err := c.DeleteGrant(ctx, grantID); err != nil {
		t.Fatalf("revoking: %v", err)
	}

	if err := c.DeleteConnectedApp(ctx, "Secret_App"); err != nil {
		t.Fatalf("delete: %v", err)
	}
}

// TestAuthFailuresQuoteNoSecret makes each flow fail with a wrong
// credential and searches the error for every credential sent.
func TestAuthFailuresQuoteNoSecret(t *testing.T) {
	_, certPEM := jwtKeyPair(t)
	otherKeyPEM, _ := jwtKeyPair(t)
	srv, _ := secretsOrg(t, certPEM, orgsim.Options{})
	const (
		wrongAccessToken  = "00DSECRETS!AQWrongAccessToken4411" //nolint:gosec // test fixture, not a credential
		wrongSecret       = "WrongClientSecret5522AB"           //nolint:gosec // test fixture, not a credential
		wrongRefreshToken = "5Aep861WrongRefreshToken3300"      //nolint:gosec // test fixture, not a credential
	)
	cases := map[string]struct {
		cfg     auth.Config
		secrets []string
		want    string
	}{
		"access token": {
			cfg:     auth.Config{LoginURL: srv.URL, InstanceURL: srv.URL, AccessToken: wrongAccessToken},
			secrets: []string{wrongAccessToken},
			want:    "access_token rejected",
		},
		"JWT bearer with a key the app does not know": {
			cfg:     auth.Config{LoginURL: srv.URL, ClientID: secretsClientID, Username: secretsUsername, PrivateKeyPEM: otherKeyPEM},
			secrets: pemLines(otherKeyPEM),
			want:    "invalid_grant",
		},
		"JWT bearer with a key that is no PEM": {
			cfg: auth.Config{LoginURL: srv.URL, ClientID: secretsClientID, Username: secretsUsername,
				PrivateKeyPEM: []byte("MIIEpAIBAAKCAQEAnotPEMatAllButKeyMaterial")},
			secrets: []string{"MIIEpAIBAAKCAQEAnotPEMatAllButKeyMaterial"},
			want:    "not PEM-encoded",
		},
		"refresh token": {
			cfg: auth.Config{LoginURL: srv.URL, ClientID: secretsClientID, ClientSecret: secretsClientSecret,
				RefreshToken: wrongRefreshToken},
			secrets: []string{wrongRefreshToken, secretsClientSecret},
			want:    "invalid_grant",
		},
		"client credentials": {
			cfg:     auth.Config{LoginURL: srv.URL, ClientID: secretsClientID, ClientSecret: wrongSecret},
			secrets: []string{wrongSecret},
			want:    "invalid_client",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c, err := New(ctx, Config{Auth: tc.cfg, Retry: quickRetry})
			if err == nil {
				// The access token flow sends nothing until the first call.
				_, err = c.FindConnectedApp(ctx, "Reliable_App")
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			for _, secret := range tc.secrets {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes the secret %q: %s", secret, err)
				}
			}
		})
	}
}

func pemLines(keyPEM []byte) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(keyPEM)), "\n") {
		if !strings.HasPrefix(line, "-----") {
			out = append(out, line)
		}
	}
	return out
}

func TestCheckRedirect(t *testing.T) {
	for target, allowed := range map[string]bool{
		"https://example.my.salesforce.com/services/oauth2/token": true,
		"http://127.0.0.1:8080/services/oauth2/token":             true,
		"http://localhost/services/Soap/m/68.0":                   true,
		"http://example.my.salesforce.com/services/Soap/m/68.0":   false,
		"ftp://example.my.salesforce.com/":                        false,
	} {
		u, err := url.Parse(target)
		if err != nil {
			t.Fatal(err)
		}
		err = checkRedirect(&http.Request{URL: u}, []*http.Request{{}})
		if allowed && err != nil {
			t.Errorf("%s: %v", target, err)
		}
		if !allowed && (err == nil || !strings.Contains(err.Error(), "rejected a redirect")) {
			t.Errorf("%s: error = %v, want a rejected redirect", target, err)
		}
	}
	if err := checkRedirect(&http.Request{URL: &url.URL{Scheme: "https", Host: "a.example.com"}},
		make([]*http.Request, maxRedirects)); err == nil {
		t.Error("the redirect limit did not apply")
	}
}

// TestNoInsecureSkipVerify fails when any non-test source file of the module
// turns off TLS certificate verification.
func TestNoInsecureSkipVerify(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path) //nolint:gosec // a source file of this module
		if err != nil {
			return err
		}
		checked++
		if bytes.Contains(src, []byte("InsecureSkipVerify")) {
			t.Errorf("%s sets InsecureSkipVerify", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Errorf("only %d source files checked; the walk missed the module", checked)
	}
}
