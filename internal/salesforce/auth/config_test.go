package auth

import (
	"strings"
	"testing"
)

var testKeyPEM = []byte("-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----\n")

func TestSelectFlowComplete(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want Flow
	}{
		{"access token", Config{AccessToken: "tok", InstanceURL: "https://example.my.salesforce.com"}, FlowAccessToken},
		{"access token wins over JWT", Config{
			AccessToken: "tok", InstanceURL: "https://example.my.salesforce.com",
			ClientID: "id", Username: "u@example.com", PrivateKeyPEM: testKeyPEM,
		}, FlowAccessToken},
		{"jwt", Config{ClientID: "id", Username: "u@example.com", PrivateKeyPEM: testKeyPEM}, FlowJWTBearer},
		{"jwt wins over refresh", Config{
			ClientID: "id", Username: "u@example.com", PrivateKeyPEM: testKeyPEM, RefreshToken: "rt",
		}, FlowJWTBearer},
		{"refresh without secret", Config{ClientID: "id", RefreshToken: "rt"}, FlowRefreshToken},
		{"refresh with secret", Config{ClientID: "id", RefreshToken: "rt", ClientSecret: "s"}, FlowRefreshToken},
		{"refresh with stray username", Config{ClientID: "id", RefreshToken: "rt", Username: "u"}, FlowRefreshToken},
		{"client credentials", Config{
			ClientID: "id", ClientSecret: "s", LoginURL: "https://example.my.salesforce.com",
		}, FlowClientCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SelectFlow(tc.cfg)
			if err != nil {
				t.Fatalf("SelectFlow: %v", err)
			}
			if got != tc.want {
				t.Errorf("SelectFlow = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSelectFlowPartialJWT sets every subset of the JWT bearer settings that
// selects that flow without completing it.
func TestSelectFlowPartialJWT(t *testing.T) {
	type attr struct {
		name string
		set  func(*Config)
	}
	attrs := []attr{
		{attrClientID, func(c *Config) { c.ClientID = "id" }},
		{attrUsername, func(c *Config) { c.Username = "u@example.com" }},
		{attrPrivateKey, func(c *Config) { c.PrivateKeyPEM = testKeyPEM }},
	}
	tested := 0
	for mask := 1; mask < 1<<len(attrs)-1; mask++ {
		var cfg Config
		var present, absent []string
		for i, a := range attrs {
			if mask&(1<<i) != 0 {
				a.set(&cfg)
				present = append(present, a.name)
			} else {
				absent = append(absent, a.name)
			}
		}
		if cfg.Username == "" && len(cfg.PrivateKeyPEM) == 0 {
			continue // client_id alone selects no flow; TestSelectFlowNoFlow covers it
		}
		tested++
		t.Run(strings.Join(present, "+"), func(t *testing.T) {
			_, err := SelectFlow(cfg)
			if err == nil {
				t.Fatal("SelectFlow returned no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, "JWT bearer") {
				t.Errorf("error %q does not name the JWT bearer flow", msg)
			}
			want := "needs: " + strings.Join(absent, ", ")
			if !strings.HasSuffix(msg, want) {
				t.Errorf("error %q does not end with %q", msg, want)
			}
		})
	}
	if tested != 5 {
		t.Errorf("tested %d subsets, want 5", tested)
	}
}

func TestSelectFlowPartialOthers(t *testing.T) {
	cases := []struct {
		name     string
		cfg      Config
		flowName string
		missing  string
	}{
		{"access token without instance", Config{AccessToken: "tok"}, "access_token", attrInstanceURL},
		{"refresh without client id", Config{RefreshToken: "rt"}, "refresh token flow", attrClientID},
		{"refresh with secret without client id", Config{RefreshToken: "rt", ClientSecret: "s"},
			"refresh token flow", attrClientID},
		{"client secret without client id", Config{ClientSecret: "s", LoginURL: "https://example.my.salesforce.com"},
			"client credentials flow", attrClientID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SelectFlow(tc.cfg)
			if err == nil {
				t.Fatal("SelectFlow returned no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.flowName) {
				t.Errorf("error %q does not name %q", msg, tc.flowName)
			}
			if !strings.HasSuffix(msg, "needs: "+tc.missing) {
				t.Errorf("error %q does not end with the missing attribute %q", msg, tc.missing)
			}
		})
	}
}

func TestSelectFlowNoFlow(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"nothing set", Config{}},
		{"client id alone", Config{ClientID: "id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SelectFlow(tc.cfg)
			if err == nil {
				t.Fatal("SelectFlow returned no error")
			}
			msg := err.Error()
			for _, want := range []string{"JWT bearer", "refresh token flow", "client credentials flow",
				"username", "private_key or private_key_file", "refresh_token", "client_secret"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
		})
	}
}

func TestSelectFlowClientCredentialsHost(t *testing.T) {
	cases := []struct {
		loginURL string
		wantErr  bool
	}{
		{"", true},
		{"https://login.salesforce.com", true},
		{"https://LOGIN.salesforce.com/", true},
		{"https://test.salesforce.com", true},
		{"https://example.my.salesforce.com", false},
		{"https://example--dev.sandbox.my.salesforce.com", false},
	}
	for _, tc := range cases {
		t.Run(tc.loginURL, func(t *testing.T) {
			_, err := SelectFlow(Config{ClientID: "id", ClientSecret: "s", LoginURL: tc.loginURL})
			if tc.wantErr {
				if err == nil {
					t.Fatal("SelectFlow returned no error")
				}
				if !strings.Contains(err.Error(), "My Domain") {
					t.Errorf("error %q does not mention My Domain", err)
				}
				return
			}
			if err != nil {
				t.Errorf("SelectFlow: %v", err)
			}
		})
	}
}

func TestSelectFlowChecksURLs(t *testing.T) {
	_, err := SelectFlow(Config{LoginURL: "http://login.example.com", ClientID: "id", RefreshToken: "rt"})
	if err == nil || !strings.Contains(err.Error(), "login_url") {
		t.Errorf("plain http login_url: error = %v, want one naming login_url", err)
	}
	_, err = SelectFlow(Config{AccessToken: "tok", InstanceURL: "http://example.my.salesforce.com"})
	if err == nil || !strings.Contains(err.Error(), "instance_url") {
		t.Errorf("plain http instance_url: error = %v, want one naming instance_url", err)
	}
}

func TestCheckURL(t *testing.T) {
	cases := []struct {
		raw     string
		wantErr bool
	}{
		{"https://login.salesforce.com", false},
		{"https://example.my.salesforce.com/", false},
		{"http://127.0.0.1:8080", false},
		{"http://127.1.2.3", false},
		{"http://[::1]:9000", false},
		{"http://localhost:9000", false},
		{"http://LocalHost", false},
		{"http://login.salesforce.com", true},
		{"http://10.0.0.1", true},
		{"http://localhost.example.com", true},
		{"ftp://example.com", true},
		{"login.salesforce.com", true},
		{"/services/oauth2/token", true},
		{"https://", true},
		{"https://user:pass@example.com", true},
		{"://bad", true},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			err := CheckURL("login_url", tc.raw)
			if tc.wantErr && err == nil {
				t.Fatal("CheckURL returned no error")
			}
			if !tc.wantErr && err != nil {
				t.Fatalf("CheckURL: %v", err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "login_url") {
				t.Errorf("error %q does not start with the attribute name", err)
			}
			if err != nil && strings.Contains(err.Error(), "pass") {
				t.Errorf("error %q repeats the URL's password", err)
			}
		})
	}
}

func TestDefaultAudience(t *testing.T) {
	cases := []struct {
		loginURL string
		want     string
	}{
		{"https://login.salesforce.com", ProductionAudience},
		{"https://test.salesforce.com", SandboxAudience},
		{"https://TEST.salesforce.com/", SandboxAudience},
		{"https://example--dev.sandbox.my.salesforce.com", SandboxAudience},
		{"https://example.my.salesforce.com", ProductionAudience},
		{"https://sandbox.my.salesforce.com.example.com", ProductionAudience},
		{"http://127.0.0.1:1234", ProductionAudience},
	}
	for _, tc := range cases {
		t.Run(tc.loginURL, func(t *testing.T) {
			if got := DefaultAudience(tc.loginURL); got != tc.want {
				t.Errorf("DefaultAudience = %q, want %q", got, tc.want)
			}
		})
	}
}
