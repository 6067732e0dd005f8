package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newRSAKeyFor(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

func readTokenFixture(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "responses", name)) //nolint:gosec // a fixture of this package
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestMalformedTokenResponsesGiveClearErrors(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        []byte
		want        string
		// namesFlow is set for the responses that are no OAuth document,
		// whose error names the flow.
		namesFlow bool
	}{
		{"empty body", http.StatusOK, "application/json", nil, "with HTTP 200, and the response is empty instead of a JSON token response", true},
		{"maintenance page with 200", http.StatusOK, "text/html", readTokenFixture(t, "maintenance.html"),
			`with HTTP 200, and the response is an HTML page titled "Salesforce - Scheduled Maintenance"`, true},
		{"maintenance page with 503", http.StatusServiceUnavailable, "text/html;charset=UTF-8", readTokenFixture(t, "maintenance.html"),
			`with HTTP 503, and the response is an HTML page titled "Salesforce - Scheduled Maintenance"`, true},
		{"bad gateway page", http.StatusBadGateway, "text/html", readTokenFixture(t, "bad-gateway.html"),
			`is an HTML page titled "502 Bad Gateway"`, true},
		{"truncated JSON", http.StatusOK, "application/json;charset=UTF-8", readTokenFixture(t, "truncated.json"),
			"is truncated or malformed JSON instead of a JSON token response", true},
		{"token without access token", http.StatusOK, "application/json", readTokenFixture(t, "error-missing-access-token.json"),
			"access_token", false},
		{"token without instance URL", http.StatusOK, "application/json", readTokenFixture(t, "token-no-instance-url.json"),
			"has no instance_url", true},
		{"token with a plain http instance URL", http.StatusOK, "application/json",
			readTokenFixture(t, "token-http-instance-url.json"), "must use https", false},
	}
	keyPEM := pkcs1PEM(newRSAKeyFor(t))
	for _, tc := range cases {
		for _, cfg := range fuzzFlows(keyPEM) {
			t.Run(tc.name+"/"+string(mustFlow(t, cfg)), func(t *testing.T) {
				cfg.HTTPClient = &http.Client{Transport: fixedTransport{tc.status, tc.contentType, tc.body}}
				s, err := NewSession(cfg)
				if err != nil {
					t.Fatal(err)
				}
				token, _, err := s.Token(context.Background())
				if err == nil {
					t.Fatalf("no error; access token %q", token)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not contain %q", err, tc.want)
				}
				if tc.namesFlow && !strings.Contains(err.Error(), s.Flow().description()) {
					t.Errorf("error %q does not name the %s flow", err, s.Flow().description())
				}
			})
		}
	}
}

func mustFlow(t *testing.T, cfg Config) Flow {
	t.Helper()
	flow, err := SelectFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return flow
}

func TestTokenFixturesDecode(t *testing.T) {
	flows := fuzzFlows(pkcs1PEM(newRSAKeyFor(t)))
	for name, flowIndex := range map[string]int{
		"token-refresh.json":            0,
		"token-refresh-rotated.json":    0,
		"token-client-credentials.json": 1,
		"token-jwt-bearer.json":         2,
		"token-form.txt":                1,
	} {
		cfg := flows[flowIndex]
		contentType := "application/json;charset=UTF-8"
		if strings.HasSuffix(name, ".txt") {
			contentType = "application/x-www-form-urlencoded"
		}
		cfg.HTTPClient = &http.Client{Transport: fixedTransport{http.StatusOK, contentType, readTokenFixture(t, name)}}
		s, err := NewSession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		token, instanceURL, err := s.Token(context.Background())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.HasPrefix(token, "00DHs0000000AbC!AQ4AQFixture") || instanceURL != "https://example.my.salesforce.com" {
			t.Errorf("%s: token %q, instance URL %q", name, token, instanceURL)
		}
	}
}

func TestTokenErrorRedactsEchoedSecrets(t *testing.T) {
	cfg := fuzzFlows(nil)[0]
	cfg.HTTPClient = &http.Client{Transport: fixedTransport{http.StatusBadRequest, "application/json",
		readTokenFixture(t, "error-echoes-secret.json")}}
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Token(context.Background())
	var tokenErr *TokenError
	if !errors.As(err, &tokenErr) || tokenErr.Code != "invalid_client" {
		t.Fatalf("error %v, want an invalid_client *TokenError", err)
	}
	for _, secret := range []string{fuzzClientSecret, fuzzRefreshToken} {
		if strings.Contains(err.Error(), secret) || strings.Contains(tokenErr.Description, secret) {
			t.Errorf("the error quotes %q: %s", secret, err)
		}
	}
	if !strings.Contains(err.Error(), "client_secret *** is not valid") {
		t.Errorf("error %q does not show where the secret was replaced", err)
	}
}

func TestSecretsListsEveryCredential(t *testing.T) {
	keyPEM := pkcs1PEM(newRSAKeyFor(t))
	keyLine := strings.Split(string(keyPEM), "\n")[1]
	ts := newTokenServer(t, func(url.Values) (int, any) {
		//nolint:gosec // test fixture, not a credential
		return http.StatusOK, map[string]any{
			"access_token": "00Dxx0000000001!issued-access-token", "refresh_token": "5Aep-rotated-refresh-token",
			"instance_url": "https://example.my.salesforce.com",
		}
	})
	s, err := NewSession(Config{
		LoginURL: ts.URL, ClientID: fuzzClientID, ClientSecret: fuzzClientSecret, RefreshToken: fuzzRefreshToken,
		HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	secrets := strings.Join(s.Secrets(), "\n")
	for _, want := range []string{fuzzClientSecret, fuzzRefreshToken, "00Dxx0000000001!issued-access-token",
		"5Aep-rotated-refresh-token"} {
		if !strings.Contains(secrets, want) {
			t.Errorf("Secrets lacks %q", want)
		}
	}
	if strings.Contains(secrets, fuzzClientID) {
		t.Error("Secrets lists the client id, which is no secret")
	}

	jwt, err := NewSession(Config{LoginURL: fuzzLoginURL, ClientID: fuzzClientID, Username: "ci@example.com", PrivateKeyPEM: keyPEM})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(jwt.Secrets(), "\n"); !strings.Contains(got, keyLine) ||
		!strings.Contains(got, strings.TrimSpace(string(keyPEM))) {
		t.Error("Secrets lacks the private key, whole or line by line")
	}
}

func TestSecretsKeepsRecentTokensOnly(t *testing.T) {
	var set secretSet
	for i := range maxRecentTokens + 5 {
		set.addIssued(strings.Repeat("t", minSecretLength) + string(rune('a'+i)))
	}
	if got := len(set.values()); got != maxRecentTokens {
		t.Errorf("%d values kept, want %d", got, maxRecentTokens)
	}
	set.addIssued("short")
	for _, v := range set.values() {
		if v == "short" {
			t.Error("a value shorter than minSecretLength was kept")
		}
	}
}
