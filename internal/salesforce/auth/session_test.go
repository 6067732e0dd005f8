package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// tokenServer is a fake Salesforce token endpoint. handle gets each
// request's form and returns the status and JSON body to send.
type tokenServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	forms    []url.Values
	handle   func(form url.Values) (int, any)
}

func newTokenServer(t *testing.T, handle func(form url.Values) (int, any)) *tokenServer {
	t.Helper()
	ts := &tokenServer{handle: handle}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/services/oauth2/token" || r.Method != http.MethodPost {
			http.Error(w, "unexpected request", http.StatusNotFound)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ts.mu.Lock()
		ts.requests = append(ts.requests, r)
		ts.forms = append(ts.forms, r.PostForm)
		ts.mu.Unlock()

		status, body := ts.handle(r.PostForm)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) count() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return len(ts.forms)
}

func (ts *tokenServer) form(i int) url.Values {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.forms[i]
}

func (ts *tokenServer) tokenBody(accessToken string) map[string]any {
	return map[string]any{
		"access_token": accessToken,
		"instance_url": ts.URL,
		"id":           ts.URL + "/id/00Dxx0000000001/005xx0000000001",
		"token_type":   "Bearer",
		"issued_at":    "1712345678901",
		"signature":    "c2lnbmF0dXJl",
	}
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func pkcs1PEM(key *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

func pkcs8PEM(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// verifyAssertion checks a JWT bearer assertion's RS256 signature with pub
// and returns its header and claims.
func verifyAssertion(assertion string, pub *rsa.PublicKey) (header, claims map[string]any, err error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("assertion has %d parts, want 3", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, nil, fmt.Errorf("signature: %w", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return nil, nil, fmt.Errorf("RS256 signature: %w", err)
	}
	for i, out := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, nil, err
		}
	}
	return header, claims, nil
}

func TestJWTBearerFlow(t *testing.T) {
	key := newRSAKey(t)
	cases := []struct {
		name     string
		pem      []byte
		audience string
		wantAud  string
	}{
		{"pkcs1 default audience", pkcs1PEM(key), "", ProductionAudience},
		{"pkcs8 explicit audience", pkcs8PEM(t, key), "https://example.my.site.com", "https://example.my.site.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var checkErr error
			ts := newTokenServer(t, nil)
			ts.handle = func(form url.Values) (int, any) {
				checkErr = checkJWTRequest(form, &key.PublicKey, tc.wantAud)
				if checkErr != nil {
					return http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "test"}
				}
				return http.StatusOK, ts.tokenBody("00Dxx!jwt-token")
			}
			s, err := NewSession(Config{
				LoginURL: ts.URL, ClientID: "3MVG9consumerkey", Username: "integration@example.com",
				PrivateKeyPEM: tc.pem, Audience: tc.audience, HTTPClient: ts.Client(),
			})
			if err != nil {
				t.Fatalf("NewSession: %v", err)
			}
			token, instance, err := s.Token(context.Background())
			if checkErr != nil {
				t.Fatalf("token request: %v", checkErr)
			}
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if token != "00Dxx!jwt-token" { //nolint:gosec // test fixture, not a credential
				t.Errorf("token = %q", token)
			}
			if instance != ts.URL {
				t.Errorf("instance URL = %q, want %q", instance, ts.URL)
			}
		})
	}
}

func checkJWTRequest(form url.Values, pub *rsa.PublicKey, wantAud string) error {
	if got := form.Get("grant_type"); got != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		return fmt.Errorf("grant_type = %q", got)
	}
	if form.Has("client_secret") {
		return errors.New("JWT bearer request carries client_secret")
	}
	header, claims, err := verifyAssertion(form.Get("assertion"), pub)
	if err != nil {
		return err
	}
	if header["alg"] != "RS256" {
		return fmt.Errorf("alg = %v", header["alg"])
	}
	if claims["iss"] != "3MVG9consumerkey" {
		return fmt.Errorf("iss = %v", claims["iss"])
	}
	if claims["sub"] != "integration@example.com" {
		return fmt.Errorf("sub = %v", claims["sub"])
	}
	if claims["aud"] != wantAud {
		return fmt.Errorf("aud = %v, want %s", claims["aud"], wantAud)
	}
	exp, ok := claims["exp"].(float64)
	if !ok {
		return fmt.Errorf("exp = %v", claims["exp"])
	}
	until := time.Until(time.Unix(int64(exp), 0))
	if until <= 0 || until > 3*time.Minute+5*time.Second {
		return fmt.Errorf("exp is %v from now, want within 3 minutes", until)
	}
	return nil
}

func TestJWTBearerRejectsBadKeys(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		pem  []byte
		want string
	}{
		{"not pem", []byte("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), "not PEM-encoded"},
		{"ec key", pkcs8PEM(t, ecKey), "needs an RSA key"},
		{"garbage block", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("xx")}), "not an RSA private key"},
		{"encrypted", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("xx")}), "encrypted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSession(Config{ClientID: "id", Username: "u", PrivateKeyPEM: tc.pem})
			if err == nil {
				t.Fatal("NewSession returned no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "MII") {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

func TestRefreshTokenFlowRotation(t *testing.T) {
	ts := newTokenServer(t, nil)
	ts.handle = func(form url.Values) (int, any) {
		n := ts.count()
		body := ts.tokenBody(fmt.Sprintf("access-%d", n))
		body["refresh_token"] = fmt.Sprintf("rotated-%d", n)
		return http.StatusOK, body
	}
	s, err := NewSession(Config{
		LoginURL: ts.URL, ClientID: "cid", ClientSecret: "csecret", RefreshToken: "initial-rt",
		HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, _, err := s.Token(ctx)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	second, err := s.Refresh(ctx, first)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if first != "access-1" || second != "access-2" {
		t.Errorf("tokens = %q, %q; want access-1, access-2", first, second)
	}

	f := ts.form(0)
	for field, want := range map[string]string{
		"grant_type": "refresh_token", "refresh_token": "initial-rt", "client_id": "cid", "client_secret": "csecret",
	} {
		if got := f.Get(field); got != want {
			t.Errorf("first request %s = %q, want %q", field, got, want)
		}
	}
	if got := ts.requests[0].Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization header = %q, want credentials in the form only", got)
	}
	if got := ts.form(1).Get("refresh_token"); got != "rotated-1" {
		t.Errorf("second request refresh_token = %q, want the rotated rotated-1", got)
	}
}

func TestClientCredentialsFlow(t *testing.T) {
	ts := newTokenServer(t, nil)
	ts.handle = func(url.Values) (int, any) { return http.StatusOK, ts.tokenBody("cc-token") }
	s, err := NewSession(Config{LoginURL: ts.URL, ClientID: "cid", ClientSecret: "csecret", HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if token != "cc-token" {
		t.Errorf("token = %q", token)
	}
	f := ts.form(0)
	for field, want := range map[string]string{
		"grant_type": "client_credentials", "client_id": "cid", "client_secret": "csecret",
	} {
		if got := f.Get(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}

func TestRefreshConcurrentCallersFetchOnce(t *testing.T) {
	ts := newTokenServer(t, nil)
	ts.handle = func(url.Values) (int, any) {
		return http.StatusOK, ts.tokenBody(fmt.Sprintf("access-%d", ts.count()))
	}
	s, err := NewSession(Config{LoginURL: ts.URL, ClientID: "cid", RefreshToken: "rt", HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, _, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	results := make([]string, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = s.Refresh(ctx, first) })
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("Refresh %d: %v", i, errs[i])
		}
		if results[i] != "access-2" {
			t.Errorf("Refresh %d = %q, want access-2", i, results[i])
		}
	}
	if got := ts.count(); got != 2 {
		t.Errorf("token requests = %d, want 2 (first token and one refresh)", got)
	}
}

func TestAccessTokenFlow(t *testing.T) {
	s, err := NewSession(Config{AccessToken: "given-token", InstanceURL: "https://example.my.salesforce.com"})
	if err != nil {
		t.Fatal(err)
	}
	token, instance, err := s.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if token != "given-token" || instance != "https://example.my.salesforce.com" {
		t.Errorf("Token = %q, %q", token, instance)
	}

	_, err = s.Refresh(context.Background(), "given-token")
	if err == nil {
		t.Fatal("Refresh returned no error")
	}
	for _, want := range []string{"rejected", "access_token", "supply a new", "flow that can refresh"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "given-token") {
		t.Errorf("error %q contains the token", err)
	}
}

func TestInstanceURL(t *testing.T) {
	ts := newTokenServer(t, nil)
	withInstance := true
	ts.handle = func(url.Values) (int, any) {
		body := ts.tokenBody("tok")
		if !withInstance {
			delete(body, "instance_url")
		}
		return http.StatusOK, body
	}
	ctx := context.Background()

	s, _ := NewSession(Config{LoginURL: ts.URL, ClientID: "c", RefreshToken: "r",
		InstanceURL: "https://override.my.salesforce.com", HTTPClient: ts.Client()})
	if _, instance, err := s.Token(ctx); err != nil || instance != "https://override.my.salesforce.com" {
		t.Errorf("configured instance_url: Token = %q, %v", instance, err)
	}

	withInstance = false
	s, _ = NewSession(Config{LoginURL: ts.URL, ClientID: "c", RefreshToken: "r", HTTPClient: ts.Client()})
	_, _, err := s.Token(ctx)
	if err == nil || !strings.Contains(err.Error(), "instance_url") {
		t.Errorf("missing instance_url: error = %v, want one naming instance_url", err)
	}
}

func TestTokenErrorMapping(t *testing.T) {
	key := newRSAKey(t)
	jwtConfig := func(loginURL string) Config {
		return Config{LoginURL: loginURL, ClientID: "cid", Username: "u@example.com", PrivateKeyPEM: pkcs1PEM(key)}
	}
	refreshConfig := func(loginURL string) Config {
		return Config{ //nolint:gosec // test fixture, not a credential
			LoginURL: loginURL, ClientID: "cid", ClientSecret: "top-secret-value", RefreshToken: "5Aep-refresh",
		}
	}
	ccConfig := func(loginURL string) Config {
		return Config{LoginURL: loginURL, ClientID: "cid", ClientSecret: "top-secret-value"}
	}
	cases := []struct {
		name        string
		cfg         func(string) Config
		code, desc  string
		status      int
		wantFlow    Flow
		wantInError []string
	}{
		{"jwt not approved", jwtConfig, "invalid_grant", "user hasn't approved this consumer", 400, FlowJWTBearer,
			[]string{"invalid_grant", "Pre-authorize", "profile or a permission set", "approve the app once"}},
		{"jwt audience", jwtConfig, "invalid_grant", "audience is invalid", 400, FlowJWTBearer,
			[]string{"audience", "login_url"}},
		{"jwt other grant", jwtConfig, "invalid_grant", "invalid assertion", 400, FlowJWTBearer,
			[]string{"certificate", "username"}},
		{"client id", jwtConfig, "invalid_client_id", "client identifier invalid", 400, FlowJWTBearer,
			[]string{"client_id"}},
		{"refresh expired", refreshConfig, "invalid_grant", "expired access/refresh token", 400, FlowRefreshToken,
			[]string{"expired access/refresh token", "invalidated on first use", "cannot be reused by another run",
				"use JWT bearer or client credentials in pipelines"}},
		{"client secret", refreshConfig, "invalid_client", "invalid client credentials", 400, FlowRefreshToken,
			[]string{"client_secret"}},
		{"client secret cc", ccConfig, "invalid_client_credentials", "client secret invalid", 400,
			FlowClientCredentials, []string{"client_secret"}},
		{"inactive user", refreshConfig, "inactive_user", "user is inactive", 400, FlowRefreshToken,
			[]string{"inactive", "activate"}},
		{"inactive org", refreshConfig, "inactive_org", "organization is locked", 400, FlowRefreshToken,
			[]string{"login_url"}},
		{"unsupported grant", ccConfig, "unsupported_grant_type", "grant type not supported", 400,
			FlowClientCredentials, []string{"enable the client credentials flow"}},
		{"rate limit", ccConfig, "rate_limit_exceeded", "rate limit exceeded", 400, FlowClientCredentials,
			[]string{"wait"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTokenServer(t, func(url.Values) (int, any) {
				return tc.status, map[string]string{"error": tc.code, "error_description": tc.desc}
			})
			cfg := tc.cfg(ts.URL)
			cfg.HTTPClient = ts.Client()
			s, err := NewSession(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = s.Token(context.Background())
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("error %v (%T) is not a *TokenError", err, err)
			}
			if te.Code != tc.code || te.Description != tc.desc || te.Flow != tc.wantFlow || te.Status != tc.status {
				t.Errorf("TokenError = %+v", te)
			}
			msg := err.Error()
			for _, want := range tc.wantInError {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			for _, secret := range []string{"top-secret-value", "5Aep-refresh", "PRIVATE KEY", ts.form(0).Get("assertion")} {
				if secret != "" && strings.Contains(msg, secret) {
					t.Errorf("error %q contains a credential", msg)
				}
			}
		})
	}
}

func TestTokenErrorWithoutOAuthBody(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	}))
	defer ts.Close()
	s, err := NewSession(Config{LoginURL: ts.URL, ClientID: "c", RefreshToken: "r", HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Token(context.Background())
	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *TokenError", err)
	}
	if te.Status != http.StatusBadGateway || te.Code != "" {
		t.Errorf("TokenError = %+v", te)
	}
	if !strings.Contains(err.Error(), "502") {
		t.Errorf("error %q does not give the HTTP status", err)
	}
}

func TestTokenErrorInstallAndApprovalHints(t *testing.T) {
	cases := []struct {
		err  TokenError
		want string
	}{
		{TokenError{Code: "invalid_client", Description: "app must be installed into org", Flow: FlowJWTBearer},
			"Connected Apps OAuth Usage"},
		{TokenError{Code: "OAUTH_APPROVAL_ERROR_GENERIC", Flow: FlowJWTBearer}, "blocked the app"},
		{TokenError{Code: "invalid_grant", Description: "user hasn't approved this consumer", Flow: FlowJWTBearer,
			ClientID: "3MVG9KEY", Username: "ci@example.com"}, `"ci@example.com" for the connected app with consumer key "3MVG9KEY"`},
		{TokenError{Code: "invalid_client", Description: "invalid client credentials", Flow: FlowClientCredentials},
			"Check client_secret"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); !strings.Contains(got, tc.want) {
			t.Errorf("%s %q: message %q lacks %q", tc.err.Code, tc.err.Description, got, tc.want)
		}
	}
}
