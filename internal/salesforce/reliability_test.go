package salesforce

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// quickRetry keeps back-off in these tests to milliseconds.
var quickRetry = transport.Retry{MaxRetries: 8, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond}

// Credentials of the simulated org in these tests.
const (
	reliabilityToken = "00DRELIABLE!AQ-test-session-token" //nolint:gosec // test fixture, not a credential
	ccSecret         = "cc-secret-value"                   //nolint:gosec // test fixture, not a credential
	rtSecret         = "rt-secret-value"                   //nolint:gosec // test fixture, not a credential
	rtRefresh        = "5Aep-refresh"                      //nolint:gosec // test fixture, not a credential
)

const reliabilityAppXML = `<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>ops@example.com</contactEmail>
    <label>Reliable</label>
    <oauthConfig>
        <callbackUrl>https://reliable.example.com/callback</callbackUrl>
        <consumerKey>3MVG9RELIABLEKEY</consumerKey>
        <scopes>Api</scopes>
    </oauthConfig>
</ConnectedApp>
`

// startReliabilityOrg starts a simulated org with opts, the app Reliable_App
// and the permission set Sync_Users, and returns it with that permission
// set's Id.
func startReliabilityOrg(t *testing.T, opts orgsim.Options) (*orgsim.Server, string) {
	t.Helper()
	opts.AccessTokens = append(opts.AccessTokens, reliabilityToken)
	srv, err := orgsim.Start(opts)
	if err != nil {
		t.Fatalf("starting the simulated org: %v", err)
	}
	t.Cleanup(srv.Close)
	if err := srv.Org.LoadConnectedApp("Reliable_App", []byte(reliabilityAppXML), orgsim.LoadProps{}); err != nil {
		t.Fatal(err)
	}
	return srv, srv.Org.AddPermissionSet("Sync_Users", "Sync Users", "")
}

// newReliabilityClient signs in to instanceURL with the pre-issued token.
func newReliabilityClient(t *testing.T, instanceURL string, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Auth:  auth.Config{LoginURL: instanceURL, InstanceURL: instanceURL, AccessToken: reliabilityToken},
		Retry: quickRetry,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func relabel(t *testing.T, c *Client, name, label string) error {
	t.Helper()
	app, err := c.FindConnectedApp(context.Background(), name)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	app.SetLabel(label)
	return c.UpdateConnectedApp(context.Background(), app)
}

func TestWritesConvergeUnderRandomFaults(t *testing.T) {
	afterCommit := 0
	for _, seed := range []uint64{1, 2, 3, 4, 5, 6} {
		srv, permSetID := startReliabilityOrg(t, orgsim.Options{
			FaultRate: 0.3, FaultAfterCommit: 0.5, Seed: seed, AllowConnectedAppCreation: true,
		})
		c := newReliabilityClient(t, srv.URL, nil)
		ctx := context.Background()

		for i, label := range []string{"One", "Two", "Three", "Four"} {
			if err := relabel(t, c, "Reliable_App", label); err != nil {
				t.Fatalf("seed %d: update %d: %v", seed, i, err)
			}
			if got := c.mustRead(t, "Reliable_App").Label(); got != label {
				t.Errorf("seed %d: label = %q after update %d, want %q", seed, got, i, label)
			}
		}

		created := connectedapp.New("Created_App")
		created.SetLabel("Created")
		created.SetContactEmail("ops@example.com")
		if err := c.CreateConnectedApp(ctx, created); err != nil {
			t.Fatalf("seed %d: create: %v", seed, err)
		}
		if err := c.RenameConnectedApp(ctx, "Created_App", "Renamed_App"); err != nil {
			t.Fatalf("seed %d: rename: %v", seed, err)
		}
		if got := c.mustRead(t, "Renamed_App").Label(); got != "Created" {
			t.Errorf("seed %d: renamed app label = %q", seed, got)
		}

		props, err := c.FindConnectedAppProperties(ctx, "Reliable_App")
		if err != nil {
			t.Fatalf("seed %d: listing: %v", seed, err)
		}
		grantID, err := c.CreateGrant(ctx, permSetID, props.ID)
		if err != nil {
			t.Fatalf("seed %d: grant: %v", seed, err)
		}
		grants, err := c.FindGrants(ctx, props.ID)
		if err != nil {
			t.Fatalf("seed %d: reading grants: %v", seed, err)
		}
		if len(grants) != 1 || grants[0].ID != grantID {
			t.Errorf("seed %d: grants = %+v, want one with id %s", seed, grants, grantID)
		}
		if err := c.DeleteGrant(ctx, grantID); err != nil {
			t.Fatalf("seed %d: deleting the grant: %v", seed, err)
		}
		if err := c.DeleteConnectedApp(ctx, "Renamed_App"); err != nil {
			t.Fatalf("seed %d: deleting the app: %v", seed, err)
		}
		if _, err := c.FindConnectedApp(ctx, "Renamed_App"); !errors.Is(err, ErrNotFound) {
			t.Errorf("seed %d: deleted app read: %v, want ErrNotFound", seed, err)
		}

		for kind, n := range srv.Org.InjectedFaults() {
			if strings.HasSuffix(kind, "_after_commit") {
				afterCommit += n
			}
		}
	}
	if afterCommit == 0 {
		t.Error("no fault came after a commit, so the read-back path never ran")
	}
}

func (c *Client) mustRead(t *testing.T, name string) *connectedapp.App {
	t.Helper()
	app, err := c.FindConnectedApp(context.Background(), name)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return app
}

// lossyProxy forwards requests to an org, and makes the first request that
// a rule matches fail with HTTP 503: before forwarding it, or after the org
// handled it, as a response lost on the way back looks.
type lossyProxy struct {
	forward *httputil.ReverseProxy
	mu      sync.Mutex
	rules   []*lossRule
}

type lossRule struct {
	match       func(method, path, body string) bool
	afterCommit bool
	left        int
}

func newLossyProxy(t *testing.T, target string, rules ...*lossRule) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &lossyProxy{forward: httputil.NewSingleHostReverseProxy(u), rules: rules}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

func (p *lossyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var rule *lossRule
	p.mu.Lock()
	for _, candidate := range p.rules {
		if candidate.left > 0 && candidate.match(r.Method, r.URL.Path, string(body)) {
			candidate.left--
			rule = candidate
			break
		}
	}
	p.mu.Unlock()

	switch {
	case rule == nil:
		p.forward.ServeHTTP(w, r)
		return
	case rule.afterCommit:
		p.forward.ServeHTTP(httptest.NewRecorder(), r)
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, "<html><body>Service Unavailable</body></html>")
}

func soapOperation(op string) func(method, path, body string) bool {
	return func(_, path, body string) bool {
		return strings.HasPrefix(path, "/services/Soap/") && strings.Contains(body, "<"+op+">")
	}
}

func restCall(method, pathPrefix string) func(string, string, string) bool {
	return func(m, path, _ string) bool {
		return m == method && strings.HasPrefix(path, pathPrefix)
	}
}

func TestWriteReadsBackAfterLostResponse(t *testing.T) {
	type setup struct {
		c         *Client
		permSetID string
		appID     string
		grantID   string
	}
	cases := []struct {
		name      string
		operation string // orgsim call count name
		match     func(method, path, body string) bool
		prepare   func(t *testing.T, s *setup)
		write     func(s *setup) error
		check     func(t *testing.T, s *setup)
	}{
		{
			name: "update", operation: "metadata.updateMetadata", match: soapOperation("updateMetadata"),
			write: func(s *setup) error { return relabel(t, s.c, "Reliable_App", "Changed") },
			check: func(t *testing.T, s *setup) {
				if got := s.c.mustRead(t, "Reliable_App").Label(); got != "Changed" {
					t.Errorf("label = %q, want Changed", got)
				}
			},
		},
		{
			name: "create", operation: "metadata.createMetadata", match: soapOperation("createMetadata"),
			write: func(s *setup) error {
				app := connectedapp.New("Created_App")
				app.SetLabel("Created")
				app.SetContactEmail("ops@example.com")
				return s.c.CreateConnectedApp(context.Background(), app)
			},
			check: func(t *testing.T, s *setup) { s.c.mustRead(t, "Created_App") },
		},
		{
			name: "rename", operation: "metadata.renameMetadata", match: soapOperation("renameMetadata"),
			write: func(s *setup) error { return s.c.RenameConnectedApp(context.Background(), "Reliable_App", "Moved_App") },
			check: func(t *testing.T, s *setup) { s.c.mustRead(t, "Moved_App") },
		},
		{
			name: "delete", operation: "metadata.deleteMetadata", match: soapOperation("deleteMetadata"),
			write: func(s *setup) error { return s.c.DeleteConnectedApp(context.Background(), "Reliable_App") },
			check: func(t *testing.T, s *setup) {
				if _, err := s.c.FindConnectedApp(context.Background(), "Reliable_App"); !errors.Is(err, ErrNotFound) {
					t.Errorf("read after delete: %v, want ErrNotFound", err)
				}
			},
		},
		{
			name: "grant create", operation: "rest.sobjects.create",
			match: restCall(http.MethodPost, "/services/data/v68.0/sobjects/SetupEntityAccess"),
			write: func(s *setup) error {
				id, err := s.c.CreateGrant(context.Background(), s.permSetID, s.appID)
				s.grantID = id
				return err
			},
			check: func(t *testing.T, s *setup) {
				grants, err := s.c.FindGrants(context.Background(), s.appID)
				if err != nil {
					t.Fatal(err)
				}
				if len(grants) != 1 || grants[0].ID != s.grantID || s.grantID == "" {
					t.Errorf("grants = %+v, returned id %q; want one row with that id", grants, s.grantID)
				}
			},
		},
		{
			name: "grant delete", operation: "rest.sobjects.delete",
			match: restCall(http.MethodDelete, "/services/data/v68.0/sobjects/SetupEntityAccess/"),
			prepare: func(t *testing.T, s *setup) {
				id, err := s.c.CreateGrant(context.Background(), s.permSetID, s.appID)
				if err != nil {
					t.Fatal(err)
				}
				s.grantID = id
			},
			write: func(s *setup) error { return s.c.DeleteGrant(context.Background(), s.grantID) },
			check: func(t *testing.T, s *setup) {
				grants, err := s.c.FindGrants(context.Background(), s.appID)
				if err != nil {
					t.Fatal(err)
				}
				if len(grants) != 0 {
					t.Errorf("grants = %+v after delete, want none", grants)
				}
			},
		},
	}
	for _, tc := range cases {
		for _, mode := range []struct {
			name        string
			afterCommit bool
			wantWrites  int
		}{
			// A response lost after the write took effect: the read back finds
			// the change, so the write is not sent again.
			{"lost after commit", true, 1},
			// A failure before the write reached the org: the read back finds
			// nothing, so the write is sent again.
			{"failed before commit", false, 1},
		} {
			t.Run(tc.name+" "+mode.name, func(t *testing.T) {
				srv, permSetID := startReliabilityOrg(t, orgsim.Options{AllowConnectedAppCreation: true})
				rule := &lossRule{match: tc.match, afterCommit: mode.afterCommit, left: 1}
				s := &setup{c: newReliabilityClient(t, newLossyProxy(t, srv.URL, rule), nil), permSetID: permSetID}
				props, err := s.c.FindConnectedAppProperties(context.Background(), "Reliable_App")
				if err != nil {
					t.Fatal(err)
				}
				s.appID = props.ID
				if tc.prepare != nil {
					tc.prepare(t, s)
				}
				srv.Org.ResetCalls()

				if err := tc.write(s); err != nil {
					t.Fatalf("write: %v", err)
				}
				if rule.left != 0 {
					t.Fatal("the proxy never failed the write")
				}
				// The org counts only the calls that reached it.
				if got := srv.Org.Calls()[tc.operation]; got != mode.wantWrites {
					t.Errorf("%s calls that reached the org = %d, want %d", tc.operation, got, mode.wantWrites)
				}
				tc.check(t, s)
			})
		}
	}
}

func TestCallerErrorNotReadBack(t *testing.T) {
	srv, _ := startReliabilityOrg(t, orgsim.Options{})
	c := newReliabilityClient(t, srv.URL, nil)
	srv.Org.ResetCalls()
	err := c.DeleteConnectedApp(context.Background(), "Missing_App")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error = %v, want ErrNotFound", err)
	}
	calls := srv.Org.Calls()
	if calls["metadata.deleteMetadata"] != 1 || calls["metadata.readMetadata"] != 0 {
		t.Errorf("calls = %v, want one delete and no read back", calls)
	}
}

func TestLockedComponentRetried(t *testing.T) {
	for _, tc := range []struct {
		name        string
		lockWrites  int
		wantErr     bool
		wantUpdates int
	}{
		{"lock passes", 2, false, 3},
		{"lock holds", 0, true, 1 + quickRetry.MaxRetries},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := startReliabilityOrg(t, orgsim.Options{LockComponent: "Reliable_App", LockWrites: tc.lockWrites})
			c := newReliabilityClient(t, srv.URL, nil)
			srv.Org.ResetCalls()
			err := relabel(t, c, "Reliable_App", "Unlocked")
			var saveErr *metadata.SaveError
			switch {
			case tc.wantErr && (!errors.As(err, &saveErr) || saveErr.Errors[0].StatusCode != "UNABLE_TO_LOCK_ROW"):
				t.Errorf("error = %v, want UNABLE_TO_LOCK_ROW after the retries", err)
			case !tc.wantErr && err != nil:
				t.Errorf("update: %v", err)
			}
			if got := srv.Org.Calls()["metadata.updateMetadata"]; got != tc.wantUpdates {
				t.Errorf("updateMetadata calls = %d, want %d", got, tc.wantUpdates)
			}
		})
	}
}

func TestLockedGrantCreateRetried(t *testing.T) {
	srv, permSetID := startReliabilityOrg(t, orgsim.Options{LockComponent: "Reliable_App", LockWrites: 2})
	c := newReliabilityClient(t, srv.URL, nil)
	props, err := c.FindConnectedAppProperties(context.Background(), "Reliable_App")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGrant(context.Background(), permSetID, props.ID); err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	if got := srv.Org.Calls()["rest.sobjects.create"]; got != 3 {
		t.Errorf("creates = %d, want 3", got)
	}
}

func TestDailyLimitStopsAllCalls(t *testing.T) {
	srv, _ := startReliabilityOrg(t, orgsim.Options{DailyLimit: 4})
	c := newReliabilityClient(t, srv.URL, nil)
	ctx := context.Background()

	var limitErr error
	for i := range 10 {
		if _, err := c.FindConnectedApp(ctx, "Reliable_App"); err != nil {
			limitErr = err
			if i != 4 {
				t.Errorf("first error on call %d, want call 4 (the fifth)", i)
			}
			break
		}
	}
	if limitErr == nil {
		t.Fatal("no call failed past the daily limit")
	}
	msg := limitErr.Error()
	for _, want := range []string{"daily API request allowance is used up", "rolling 24-hour window", "4/4",
		"REQUEST_LIMIT_EXCEEDED"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}

	before := totalCalls(srv.Org.Calls())
	if _, err := c.FindGrants(ctx, "0H4000000000001AAA"); !transport.IsDailyLimit(err) {
		t.Errorf("query after the limit: %v", err)
	}
	if err := relabel2(c, "Reliable_App"); !transport.IsDailyLimit(err) {
		t.Errorf("update after the limit: %v", err)
	}
	if after := totalCalls(srv.Org.Calls()); after != before {
		t.Errorf("the org got %d calls after the limit was reported", after-before)
	}
}

// relabel2 sends an update without reading first, for calls that must not
// reach the org.
func relabel2(c *Client, name string) error {
	app := connectedapp.New(name)
	app.SetLabel("Any")
	app.SetContactEmail("ops@example.com")
	return c.UpdateConnectedApp(context.Background(), app)
}

func totalCalls(calls map[string]int) int {
	total := 0
	for _, n := range calls {
		total += n
	}
	return total
}

// orgClock is a clock for the simulated org that the test moves by hand.
type orgClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *orgClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *orgClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestSessionExpiryRenewsToken(t *testing.T) {
	clock := &orgClock{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name    string
		opts    orgsim.Options
		advance time.Duration // how far the org's clock moves before each read
	}{
		{"max uses", orgsim.Options{TokenMaxUses: 3}, 0},
		{"ttl", orgsim.Options{TokenTTL: time.Hour, Now: clock.Now}, 25 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Clients = []orgsim.Client{{ID: "cc-client", Secret: ccSecret, RunAsUsername: "ci@example.com"}}
			srv, _ := startReliabilityOrg(t, tc.opts)
			c, err := New(context.Background(), Config{
				Auth:  auth.Config{LoginURL: srv.URL, ClientID: "cc-client", ClientSecret: ccSecret},
				Retry: quickRetry,
			})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			for i := range 12 {
				clock.advance(tc.advance)
				if _, err := c.FindConnectedApp(context.Background(), "Reliable_App"); err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
			}
			if got := c.SessionRenewals(); got < 2 {
				t.Errorf("SessionRenewals = %d, want at least 2", got)
			}
			if got, want := srv.Org.Calls()["oauth.token"], c.SessionRenewals()+1; got != want {
				t.Errorf("token requests = %d, want %d: one at sign-in and one per renewal", got, want)
			}
		})
	}
}

// failingRefresh passes requests through, except that token requests after
// the first get an OAuth error, as when the refresh token was revoked.
type failingRefresh struct {
	tokenRequests atomic.Int32
}

func (f *failingRefresh) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/services/oauth2/token") && f.tokenRequests.Add(1) > 1 {
		body := `{"error":"invalid_grant","error_description":"expired access/refresh token"}`
		return &http.Response{
			StatusCode: http.StatusBadRequest,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(body)),
			Request:    r,
		}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestFailedRenewalStopsWithOAuthError(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(url string) auth.Config
		want []string
	}{
		{"refresh token revoked", func(u string) auth.Config {
			return auth.Config{LoginURL: u, ClientID: "rt-client", ClientSecret: rtSecret, RefreshToken: rtRefresh,
				HTTPClient: &http.Client{Transport: &failingRefresh{}}}
		}, []string{"INVALID_SESSION_ID", "invalid_grant", "expired access/refresh token", "expired, revoked or already used"}},
		{"access token expired", func(u string) auth.Config {
			return auth.Config{LoginURL: u, InstanceURL: u, AccessToken: reliabilityToken}
		}, []string{"INVALID_SESSION_ID", "supply a new access_token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := startReliabilityOrg(t, orgsim.Options{
				TokenMaxUses: 1,
				Clients:      []orgsim.Client{{ID: "rt-client", Secret: rtSecret, RefreshTokens: []string{rtRefresh}}},
			})
			c, err := New(context.Background(), Config{Auth: tc.cfg(srv.URL), Retry: quickRetry})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			ctx := context.Background()
			if _, err := c.FindConnectedApp(ctx, "Reliable_App"); err != nil {
				t.Fatalf("first read: %v", err)
			}
			_, err = c.FindConnectedApp(ctx, "Reliable_App")
			if err == nil {
				t.Fatal("read with an expired session and a failing refresh succeeded")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
			for _, secret := range []string{rtSecret, rtRefresh, reliabilityToken} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error contains the secret %q: %v", secret, err)
				}
			}
			if got := c.SessionRenewals(); got != 0 {
				t.Errorf("SessionRenewals = %d after a failed refresh, want 0", got)
			}
		})
	}
}

// peakCounter is a RoundTripper that records the most requests it saw in
// flight at once.
type peakCounter struct {
	inFlight, peak atomic.Int32
}

func (p *peakCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestMaxConcurrentRequestsBoundsCalls(t *testing.T) {
	for _, tc := range []struct {
		limit, wantAtLeast int32
	}{{1, 1}, {3, 2}} {
		srv, _ := startReliabilityOrg(t, orgsim.Options{Latency: 20 * time.Millisecond})
		counter := &peakCounter{}
		c := newReliabilityClient(t, srv.URL, func(cfg *Config) {
			cfg.MaxConcurrentRequests = int(tc.limit)
			cfg.Auth.HTTPClient = &http.Client{Transport: counter}
		})
		var wg sync.WaitGroup
		for range 9 {
			wg.Go(func() {
				if _, err := c.FindConnectedApp(context.Background(), "Reliable_App"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := counter.peak.Load(); got > tc.limit {
			t.Errorf("MaxConcurrentRequests %d: peak in flight = %d", tc.limit, got)
		}
		// Nine reads against 20 ms of latency overlap, so the bound is reached
		// unless the limiter lets fewer through.
		if got := counter.peak.Load(); got < tc.wantAtLeast {
			t.Errorf("MaxConcurrentRequests %d: peak in flight = %d, want at least %d", tc.limit, got, tc.wantAtLeast)
		}
	}
}

func TestCancelEndsCallDuringLatency(t *testing.T) {
	const latency = 10 * time.Second
	srv, _ := startReliabilityOrg(t, orgsim.Options{Latency: latency})
	c := newReliabilityClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.FindConnectedApp(ctx, "Reliable_App")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed >= latency {
		t.Errorf("the call returned after %v, not before the org's latency of %v", elapsed, latency)
	}
}

func TestDefaultTransportHonoursProxyAndSystemCAs(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("NO_PROXY", "skip.example.invalid")
	tr := newHTTPTransport()
	cases := []struct {
		target string
		want   string
	}{
		{"https://org.example.invalid/services/data/", "http://127.0.0.1:3128"},
		{"https://skip.example.invalid/services/data/", ""},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		proxy, err := tr.Proxy(&http.Request{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if proxy != nil {
			got = proxy.String()
		}
		if got != tc.want {
			t.Errorf("proxy for %s = %q, want %q", tc.target, got, tc.want)
		}
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.RootCAs != nil || tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("TLS config = %+v, want verification against the system store", tr.TLSClientConfig)
	}
}
