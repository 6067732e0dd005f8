package orgsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func jwtOrg(t *testing.T, key jwtKey, opts Options) *Server {
	t.Helper()
	opts.Clients = append(opts.Clients, Client{
		ID:                "3MVG9TestConsumerKey",
		JWTCertificatePEM: key.certPEM,
		JWTUsernames:      []string{"ci@example.com"},
	})
	return startOrg(t, opts)
}

func jwtForm(assertion string) url.Values {
	return url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
}

func TestJWTBearerIssuesToken(t *testing.T) {
	key := newJWTKey(t)
	srv := jwtOrg(t, key, Options{})
	assertion := key.sign(t, map[string]any{
		"iss": "3MVG9TestConsumerKey", "sub": "ci@example.com",
		"aud": "https://login.salesforce.com", "exp": time.Now().Add(2 * time.Minute).Unix(),
	})
	status, body := postToken(t, srv, jwtForm(assertion), "", "")
	if status != http.StatusOK {
		t.Fatalf("HTTP %d, body %v", status, body)
	}
	if !strings.HasPrefix(body["access_token"], "00D000000000001!") {
		t.Errorf("access_token = %q, want prefix 00D000000000001!", body["access_token"])
	}
	if body["instance_url"] != srv.URL {
		t.Errorf("instance_url = %q, want %q", body["instance_url"], srv.URL)
	}
	if !strings.HasPrefix(body["id"], srv.URL+"/id/"+DefaultOrgID+"/005") {
		t.Errorf("id = %q", body["id"])
	}
	if body["token_type"] != "Bearer" {
		t.Errorf("token_type = %q", body["token_type"])
	}
	if _, ok := body["refresh_token"]; ok {
		t.Errorf("JWT flow returned a refresh_token")
	}
	for _, field := range []string{"issued_at", "signature", "scope"} {
		if body[field] == "" {
			t.Errorf("%s is empty", field)
		}
	}

	var identity map[string]any
	idPath := strings.TrimPrefix(body["id"], srv.URL)
	if status := restGet(t, srv, body["access_token"], idPath, &identity); status != http.StatusOK {
		t.Fatalf("identity: HTTP %d", status)
	}
	if identity["username"] != "ci@example.com" {
		t.Errorf("identity username = %v", identity["username"])
	}
	if identity["organization_id"] != DefaultOrgID {
		t.Errorf("identity organization_id = %v", identity["organization_id"])
	}

	var versions []map[string]string
	if status := restGet(t, srv, body["access_token"], "/services/data/v63.0/query?q="+url.QueryEscape("SELECT Id FROM Organization"), nil); status != http.StatusOK {
		t.Errorf("query with issued token: HTTP %d", status)
	}
	if status := restGet(t, srv, "", "/services/data/", &versions); status != http.StatusOK || len(versions) == 0 {
		t.Errorf("versions: HTTP %d, %d versions", status, len(versions))
	}
}

func TestJWTBearerRejections(t *testing.T) {
	key := newJWTKey(t)
	otherKey := newJWTKey(t)
	srv := jwtOrg(t, key, Options{})
	valid := func() map[string]any {
		return map[string]any{
			"iss": "3MVG9TestConsumerKey", "sub": "ci@example.com",
			"aud": "https://test.salesforce.com", "exp": time.Now().Add(time.Minute).Unix(),
		}
	}
	cases := []struct {
		name      string
		edit      func(map[string]any)
		signer    jwtKey
		wantError string
		wantDesc  string
	}{
		{"bad audience", func(c map[string]any) { c["aud"] = "https://evil.example.com" }, key, "invalid_grant", "audience is invalid"},
		{"unknown user", func(c map[string]any) { c["sub"] = "someone@example.com" }, key, "invalid_grant", "user hasn't approved this consumer"},
		{"expired", func(c map[string]any) { c["exp"] = time.Now().Add(-5 * time.Minute).Unix() }, key, "invalid_grant", "expired authorization code"},
		{"too far ahead", func(c map[string]any) { c["exp"] = time.Now().Add(time.Hour).Unix() }, key, "invalid_grant", "invalid assertion"},
		{"missing exp", func(c map[string]any) { delete(c, "exp") }, key, "invalid_grant", "invalid assertion"},
		{"wrong key", func(map[string]any) {}, otherKey, "invalid_grant", "invalid assertion"},
		{"unknown issuer", func(c map[string]any) { c["iss"] = "3MVG9Unknown" }, key, "invalid_client_id", "client identifier invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			claims := valid()
			tc.edit(claims)
			status, body := postToken(t, srv, jwtForm(tc.signer.sign(t, claims)), "", "")
			if status != http.StatusBadRequest {
				t.Errorf("HTTP %d, want 400", status)
			}
			if body["error"] != tc.wantError {
				t.Errorf("error = %q, want %q", body["error"], tc.wantError)
			}
			if body["error_description"] != tc.wantDesc {
				t.Errorf("error_description = %q, want %q", body["error_description"], tc.wantDesc)
			}
			if body["access_token"] != "" {
				t.Errorf("a rejected assertion returned an access token")
			}
		})
	}

	t.Run("garbage assertion", func(t *testing.T) {
		status, body := postToken(t, srv, jwtForm("not.a.jwt"), "", "")
		if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("HTTP %d, error %q; want 400 invalid_grant", status, body["error"])
		}
	})
	t.Run("tampered payload", func(t *testing.T) {
		parts := strings.Split(key.sign(t, valid()), ".")
		claims := valid()
		claims["sub"] = "ci@example.com "
		forged := strings.Split(key.sign(t, claims), ".")
		status, body := postToken(t, srv, jwtForm(parts[0]+"."+forged[1]+"."+parts[2]), "", "")
		if status != http.StatusBadRequest || body["error_description"] != "invalid assertion" {
			t.Errorf("HTTP %d, %v; want 400 invalid assertion", status, body)
		}
	})
}

func TestRefreshTokenFlow(t *testing.T) {
	srv := startOrg(t, Options{Clients: []Client{
		{ID: "withSecret", Secret: "s3cret", RefreshTokens: []string{"5Aep861good"}},
		{ID: "public", RefreshTokens: []string{"5Aep861public"}},
	}})
	form := func(client, secret, token string) url.Values {
		v := url.Values{"grant_type": {"refresh_token"}, "client_id": {client}, "refresh_token": {token}}
		if secret != "" {
			v.Set("client_secret", secret)
		}
		return v
	}

	status, body := postToken(t, srv, form("withSecret", "s3cret", "5Aep861good"), "", "")
	if status != http.StatusOK || body["access_token"] == "" {
		t.Fatalf("HTTP %d, %v", status, body)
	}
	if _, ok := body["refresh_token"]; ok {
		t.Errorf("refresh flow returned a new refresh_token")
	}

	cases := []struct {
		name, client, secret, token, wantError string
	}{
		{"missing secret", "withSecret", "", "5Aep861good", "invalid_client"},
		{"wrong secret", "withSecret", "nope", "5Aep861good", "invalid_client"},
		{"unknown token", "withSecret", "s3cret", "5Aep861bad", "invalid_grant"},
		{"unknown client", "nobody", "", "5Aep861good", "invalid_client_id"},
		{"token of other client", "public", "", "5Aep861good", "invalid_grant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postToken(t, srv, form(tc.client, tc.secret, tc.token), "", "")
			if status != http.StatusBadRequest || body["error"] != tc.wantError {
				t.Errorf("HTTP %d, error %q; want 400 %q", status, body["error"], tc.wantError)
			}
		})
	}

	status, body = postToken(t, srv, form("public", "", "5Aep861public"), "", "")
	if status != http.StatusOK {
		t.Errorf("public client refresh: HTTP %d, %v", status, body)
	}
}

func TestClientCredentialsFlow(t *testing.T) {
	srv := startOrg(t, Options{Clients: []Client{
		{ID: "cc", Secret: "ccsecret", RunAsUsername: "integration@example.com"},
		{ID: "norunas", Secret: "x1234567"},
	}})
	grant := url.Values{"grant_type": {"client_credentials"}}

	status, body := postToken(t, srv, grant, "cc", "ccsecret")
	if status != http.StatusOK {
		t.Fatalf("basic auth: HTTP %d, %v", status, body)
	}
	var identity map[string]any
	restGet(t, srv, body["access_token"], strings.TrimPrefix(body["id"], srv.URL), &identity)
	if identity["username"] != "integration@example.com" {
		t.Errorf("run-as username = %v", identity["username"])
	}

	formAuth := url.Values{"grant_type": {"client_credentials"}, "client_id": {"cc"}, "client_secret": {"ccsecret"}}
	if status, body := postToken(t, srv, formAuth, "", ""); status != http.StatusOK {
		t.Errorf("form auth: HTTP %d, %v", status, body)
	}
	if status, body := postToken(t, srv, grant, "cc", "wrong"); status != http.StatusBadRequest || body["error"] != "invalid_client" {
		t.Errorf("wrong secret: HTTP %d, %v", status, body)
	}
	if status, body := postToken(t, srv, grant, "norunas", "x1234567"); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("no run-as user: HTTP %d, %v", status, body)
	}
	if status, body := postToken(t, srv, url.Values{"grant_type": {"password"}}, "", ""); status != http.StatusBadRequest || body["error"] != "unsupported_grant_type" {
		t.Errorf("password grant: HTTP %d, %v", status, body)
	}
	if got := srv.Org.Calls()["oauth.token"]; got != 5 {
		t.Errorf("oauth.token calls = %d, want 5", got)
	}
}

func issueClientToken(t *testing.T, srv *Server) string {
	t.Helper()
	status, body := postToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, "cc", "ccsecret")
	if status != http.StatusOK {
		t.Fatalf("token: HTTP %d, %v", status, body)
	}
	return body["access_token"]
}

func TestTokenTTLExpiry(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	srv := startOrg(t, Options{
		TokenTTL: 10 * time.Minute,
		Now:      func() time.Time { return now },
		Clients:  []Client{{ID: "cc", Secret: "ccsecret", RunAsUsername: "integration@example.com"}},
	})
	token := issueClientToken(t, srv)
	read := "<readMetadata><type>ConnectedApp</type><fullNames>Missing</fullNames></readMetadata>"
	if res := soapCall(t, srv, "63.0", token, "", read); res.status != http.StatusOK {
		t.Fatalf("fresh token: HTTP %d\n%s", res.status, res.raw)
	}

	now = now.Add(10 * time.Minute)
	res := soapCall(t, srv, "63.0", token, "", read)
	if res.status != http.StatusInternalServerError || res.faultCode() != "sf:INVALID_SESSION_ID" {
		t.Errorf("expired token over SOAP: HTTP %d, faultcode %q", res.status, res.faultCode())
	}
	if !strings.Contains(res.faultString(), "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session") {
		t.Errorf("faultstring = %q", res.faultString())
	}
	var errs restErrors
	if status := restGet(t, srv, token, "/services/data/v63.0/query?q=SELECT+Id+FROM+Profile", &errs); status != http.StatusUnauthorized {
		t.Errorf("expired token over REST: HTTP %d, want 401", status)
	}
	if len(errs) != 1 || errs[0].ErrorCode != "INVALID_SESSION_ID" {
		t.Errorf("REST error = %+v", errs)
	}
	if res := soapCall(t, srv, "63.0", testToken, "", read); res.status != http.StatusOK {
		t.Errorf("pre-issued token after TTL: HTTP %d", res.status)
	}
}

func TestTokenMaxUses(t *testing.T) {
	srv := startOrg(t, Options{
		TokenMaxUses: 2,
		Clients:      []Client{{ID: "cc", Secret: "ccsecret", RunAsUsername: "integration@example.com"}},
	})
	token := issueClientToken(t, srv)
	path := "/services/data/v63.0/query?q=SELECT+Id+FROM+Organization"
	for i := 1; i <= 2; i++ {
		if status := restGet(t, srv, token, path, nil); status != http.StatusOK {
			t.Fatalf("call %d: HTTP %d", i, status)
		}
	}
	if status := restGet(t, srv, token, path, nil); status != http.StatusUnauthorized {
		t.Errorf("third call: HTTP %d, want 401", status)
	}
	res := soapCall(t, srv, "63.0", token, "", "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")
	if res.faultCode() != "sf:INVALID_SESSION_ID" {
		t.Errorf("SOAP after max uses: faultcode %q", res.faultCode())
	}
}

func TestMissingSessionFaults(t *testing.T) {
	srv := startOrg(t, Options{})
	read := "<readMetadata><type>ConnectedApp</type><fullNames>X</fullNames></readMetadata>"
	for _, session := range []string{"", "00D000000000001!bogus"} {
		res := soapCall(t, srv, "63.0", session, "", read)
		if res.status != http.StatusInternalServerError || res.faultCode() != "sf:INVALID_SESSION_ID" {
			t.Errorf("session %q: HTTP %d, faultcode %q", session, res.status, res.faultCode())
		}
		code, _ := res.body.Child("detail").Child("UnexpectedErrorFault").ChildText("exceptionCode")
		if code != "INVALID_SESSION_ID" {
			t.Errorf("session %q: detail exceptionCode = %q", session, code)
		}
	}
	var errs restErrors
	if status := restGet(t, srv, "", "/services/data/v63.0/query?q=SELECT+Id+FROM+Profile", &errs); status != http.StatusUnauthorized {
		t.Errorf("REST without token: HTTP %d", status)
	}
	if len(errs) != 1 || errs[0].Message != "Session expired or invalid" {
		t.Errorf("REST error = %+v", errs)
	}
}

func TestDailyLimit(t *testing.T) {
	srv := startOrg(t, Options{DailyLimit: 2})
	path := "/services/data/v63.0/query?q=SELECT+Id+FROM+Organization"
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got := resp.Header.Get("Sforce-Limit-Info"); got != "api-usage=1/2" {
		t.Errorf("Sforce-Limit-Info = %q, want api-usage=1/2", got)
	}
	if res := soapCall(t, srv, "63.0", testToken, "", "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>"); res.status != http.StatusOK {
		t.Fatalf("second call: HTTP %d", res.status)
	}
	var errs restErrors
	if status := restGet(t, srv, testToken, path, &errs); status != http.StatusForbidden {
		t.Errorf("over limit: HTTP %d, want 403", status)
	}
	if len(errs) != 1 || errs[0].ErrorCode != "REQUEST_LIMIT_EXCEEDED" {
		t.Errorf("REST error = %+v", errs)
	}
	res := soapCall(t, srv, "63.0", testToken, "", "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")
	if res.faultCode() != "sf:REQUEST_LIMIT_EXCEEDED" {
		t.Errorf("SOAP over limit: faultcode %q", res.faultCode())
	}
}

func TestRequestLogOmitsSecrets(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logged := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(lines, "\n")
	}
	key := newJWTKey(t)
	srv := jwtOrg(t, key, Options{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}})
	assertion := key.sign(t, map[string]any{
		"iss": "3MVG9TestConsumerKey", "sub": "ci@example.com",
		"aud": "https://login.salesforce.com", "exp": time.Now().Add(time.Minute).Unix(),
	})

	_, body := postToken(t, srv, jwtForm(assertion), "", "")
	soapCall(t, srv, "63.0", body["access_token"], "", "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")
	// The server logs after the response is sent, so wait for the last line.
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logged(), "metadata.listMetadata") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	joined := logged()
	for _, secret := range []string{assertion, body["access_token"], testToken} {
		if strings.Contains(joined, secret) {
			t.Errorf("the request log contains a token or assertion")
		}
	}
	if !strings.Contains(joined, "metadata.listMetadata") || !strings.Contains(joined, "oauth.token") {
		t.Errorf("the request log lacks operation names:\n%s", joined)
	}
}
