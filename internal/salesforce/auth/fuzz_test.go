package auth

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Credentials of the fuzz and malformed-response tests. The fixture
// error-echoes-secret.json quotes fuzzClientSecret and fuzzRefreshToken.
const (
	fuzzClientID     = "3MVG9FUZZCLIENT"
	fuzzClientSecret = "fuzz-client-secret-7f3a9c2e"  //nolint:gosec // test fixture, not a credential
	fuzzRefreshToken = "5Aep-fuzz-refresh-token-41d8" //nolint:gosec // test fixture, not a credential
	fuzzLoginURL     = "https://example.my.salesforce.com"
)

// fixedTransport returns one response to every request and sends nothing.
type fixedTransport struct {
	status      int
	contentType string
	body        []byte
}

func (f fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: f.status,
		Status:     http.StatusText(f.status),
		Header:     http.Header{"Content-Type": {f.contentType}},
		Body:       io.NopCloser(bytes.NewReader(f.body)),
		Request:    r,
	}, nil
}

// fuzzFlows are the flows that request tokens, each with its settings.
func fuzzFlows(keyPEM []byte) []Config {
	return []Config{
		{LoginURL: fuzzLoginURL, ClientID: fuzzClientID, ClientSecret: fuzzClientSecret, RefreshToken: fuzzRefreshToken},
		{LoginURL: fuzzLoginURL, ClientID: fuzzClientID, ClientSecret: fuzzClientSecret},
		{LoginURL: fuzzLoginURL, ClientID: fuzzClientID, Username: "ci@example.com", PrivateKeyPEM: keyPEM},
	}
}

// tokenFixtures reads testdata/responses: successes with 200, errors with
// 400, HTML pages with 503 and with 200.
func tokenFixtures(tb testing.TB) []fixedTransport {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "responses", "*"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures in testdata/responses: %v", err)
	}
	var out []fixedTransport
	for _, p := range paths {
		body, err := os.ReadFile(p) //nolint:gosec // a fixture of this package
		if err != nil {
			tb.Fatal(err)
		}
		name := filepath.Base(p)
		switch {
		case strings.HasSuffix(name, ".html"):
			out = append(out, fixedTransport{http.StatusServiceUnavailable, "text/html", body},
				fixedTransport{http.StatusOK, "text/html", body})
		case strings.HasSuffix(name, ".txt"):
			out = append(out, fixedTransport{http.StatusOK, "application/x-www-form-urlencoded", body})
		case strings.HasPrefix(name, "error-"):
			out = append(out, fixedTransport{http.StatusBadRequest, "application/json;charset=UTF-8", body})
		default:
			out = append(out, fixedTransport{http.StatusOK, "application/json;charset=UTF-8", body})
		}
	}
	return out
}

// httpStatus maps any fuzzed integer to a status from 100 to 599.
func httpStatus(n int) int {
	if n >= 100 && n <= 599 {
		return n
	}
	if n < 0 {
		n = -(n + 1)
	}
	return 100 + n%500
}

func FuzzTokenResponse(f *testing.F) {
	for _, fx := range tokenFixtures(f) {
		for flow := range 3 {
			f.Add(uint8(flow), fx.status, fx.contentType, fx.body)
		}
	}
	keyPEM := pkcs1PEM(newRSAKeyFor(f))
	flows := fuzzFlows(keyPEM)
	f.Fuzz(func(t *testing.T, flow uint8, status int, contentType string, body []byte) {
		cfg := flows[int(flow)%len(flows)]
		cfg.HTTPClient = &http.Client{Transport: fixedTransport{httpStatus(status), contentType, body}}
		s, err := NewSession(cfg)
		if err != nil {
			t.Fatalf("NewSession: %v", err)
		}
		token, instanceURL, err := s.Token(context.Background())
		if err == nil {
			if token == "" {
				t.Fatal("a token request succeeded without an access token")
			}
			if err := CheckURL("instance_url", instanceURL); err != nil {
				t.Fatalf("a token request succeeded with an unusable instance URL: %v", err)
			}
			return
		}
		msg := err.Error()
		if msg == "" {
			t.Fatal("an error with an empty message")
		}
		// Only the secrets of the session's own flow are known to it.
		secrets := []string{cfg.ClientSecret, cfg.RefreshToken}
		if len(cfg.PrivateKeyPEM) > 0 {
			secrets = append(secrets, strings.Split(string(cfg.PrivateKeyPEM), "\n")[1])
		}
		for _, secret := range secrets {
			if secret != "" && strings.Contains(msg, secret) {
				t.Fatalf("the error quotes a secret: %s", msg)
			}
		}
	})
}
