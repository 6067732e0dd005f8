package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// fakeTokens hands out token-1, token-2, ... and counts refreshes.
type fakeTokens struct {
	mu          sync.Mutex
	instanceURL string
	current     int
	refreshes   int
	refreshErr  error
}

func (f *fakeTokens) Token(context.Context) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current == 0 {
		f.current = 1
	}
	return tokenName(f.current), f.instanceURL, nil
}

func (f *fakeTokens) Refresh(_ context.Context, rejected string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshes++
	if f.refreshErr != nil {
		return "", f.refreshErr
	}
	if rejected == tokenName(f.current) {
		f.current++
	}
	return tokenName(f.current), nil
}

// refreshCount returns how many new tokens Refresh handed out.
func (f *fakeTokens) refreshCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current - 1
}

func tokenName(n int) string {
	return fmt.Sprintf("token-%d", n)
}

// recorder is a server that returns 401 while the Authorization header
// contains a token in reject, and records every request.
type recorder struct {
	mu      sync.Mutex
	auth    []string
	bodies  []string
	reject  map[string]bool
	limitHd string
}

func (rec *recorder) handler(w http.ResponseWriter, r *http.Request) {
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	rec.mu.Lock()
	rec.auth = append(rec.auth, r.Header.Get("Authorization"))
	rec.bodies = append(rec.bodies, body.String())
	rejected := rec.reject[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	rec.mu.Unlock()
	if rec.limitHd != "" {
		w.Header().Set("Sforce-Limit-Info", rec.limitHd)
	}
	if rejected {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
		return
	}
	_, _ = w.Write([]byte(`{}`))
}

func newRecorder(t *testing.T, reject ...string) (*recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{reject: map[string]bool{}}
	for _, tok := range reject {
		rec.reject[tok] = true
	}
	srv := httptest.NewServer(http.HandlerFunc(rec.handler))
	t.Cleanup(srv.Close)
	return rec, srv
}

func restRequest() *Request {
	return &Request{
		Method:          http.MethodGet,
		Path:            "/services/data/v68.0/query?q=SELECT+Id+FROM+Profile",
		Bearer:          true,
		SessionRejected: func(resp *Response) bool { return resp.Status == http.StatusUnauthorized },
		Operation:       "query",
	}
}

func TestDoRefreshesOnceOnRejection(t *testing.T) {
	rec, srv := newRecorder(t, "token-1")
	tokens := &fakeTokens{instanceURL: srv.URL}
	c := New(tokens, Options{HTTPClient: srv.Client()})

	resp, err := c.Do(context.Background(), restRequest())
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.Status)
	}
	if tokens.refreshes != 1 {
		t.Errorf("refreshes = %d, want 1", tokens.refreshes)
	}
	want := []string{"Bearer token-1", "Bearer token-2"}
	if strings.Join(rec.auth, ",") != strings.Join(want, ",") {
		t.Errorf("Authorization headers = %q, want %q", rec.auth, want)
	}
}

func TestDoReturnsSecondRejection(t *testing.T) {
	rec, srv := newRecorder(t, "token-1", "token-2")
	tokens := &fakeTokens{instanceURL: srv.URL}
	c := New(tokens, Options{HTTPClient: srv.Client()})

	resp, err := c.Do(context.Background(), restRequest())
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("status = %d, want the second 401", resp.Status)
	}
	if tokens.refreshes != 1 {
		t.Errorf("refreshes = %d, want 1", tokens.refreshes)
	}
	if len(rec.auth) != 2 {
		t.Errorf("requests = %d, want 2", len(rec.auth))
	}
}

// usesServer accepts each token for a fixed number of requests, as the
// simulated org's TokenMaxUses does, and returns 401 after that.
type usesServer struct {
	mu      sync.Mutex
	maxUses int
	uses    map[string]int
}

func (s *usesServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	s.uses[token]++
	expired := s.uses[token] > s.maxUses
	s.mu.Unlock()
	if expired {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
		return
	}
	_, _ = w.Write([]byte(`{}`))
}

func TestDoRenewsTokensUsedUpByConcurrentCalls(t *testing.T) {
	srv := httptest.NewServer(&usesServer{maxUses: 3, uses: map[string]int{}})
	defer srv.Close()
	tokens := &fakeTokens{instanceURL: srv.URL}
	c := New(tokens, Options{HTTPClient: srv.Client(), MaxConcurrent: 10})

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Do(context.Background(), restRequest())
			switch {
			case err != nil:
				errs <- err
			case resp.Status != http.StatusOK:
				errs <- fmt.Errorf("status %d", resp.Status)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a call failed: %v", err)
	}
	// 100 calls on tokens of 3 uses need at least 33 new tokens, and
	// concurrent rejections of one token share one renewal.
	if got := c.SessionRenewals(); got < 33 || got != tokens.refreshCount() {
		t.Errorf("renewals = %d, token fetches = %d; want at least 33 and equal", got, tokens.refreshCount())
	}
}

func TestDoRefreshFailure(t *testing.T) {
	_, srv := newRecorder(t, "token-1")
	tokens := &fakeTokens{instanceURL: srv.URL, refreshErr: errors.New("refresh not possible")}
	c := New(tokens, Options{HTTPClient: srv.Client()})

	_, err := c.Do(context.Background(), restRequest())
	if err == nil {
		t.Fatal("Do returned no error")
	}
	if !strings.Contains(err.Error(), "INVALID_SESSION_ID") || !strings.Contains(err.Error(), "refresh not possible") {
		t.Errorf("error %q does not explain the rejection and the refresh failure", err)
	}
}

func TestDoRebuildsBodyWithNewToken(t *testing.T) {
	rec, srv := newRecorder(t)
	tokens := &fakeTokens{instanceURL: srv.URL}
	c := New(tokens, Options{HTTPClient: srv.Client()})

	calls := 0
	req := &Request{
		Method: http.MethodPost,
		Path:   "/services/Soap/m/68.0",
		Body:   func(token string) ([]byte, error) { return []byte("<sessionId>" + token + "</sessionId>"), nil },
		SessionRejected: func(*Response) bool {
			calls++
			return calls == 1
		},
		Operation: "readMetadata",
	}
	if _, err := c.Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	want := []string{"<sessionId>token-1</sessionId>", "<sessionId>token-2</sessionId>"}
	if strings.Join(rec.bodies, ",") != strings.Join(want, ",") {
		t.Errorf("bodies = %q, want %q", rec.bodies, want)
	}
	if rec.auth[0] != "" {
		t.Errorf("Authorization = %q on a request without Bearer", rec.auth[0])
	}
}

func TestAPIUsage(t *testing.T) {
	rec, srv := newRecorder(t)
	c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client()})
	if _, _, ok := c.APIUsage(); ok {
		t.Error("APIUsage ok before any response")
	}

	rec.limitHd = "api-usage=10018/100000"
	if _, err := c.Do(context.Background(), restRequest()); err != nil {
		t.Fatal(err)
	}
	used, limit, ok := c.APIUsage()
	if !ok || used != 10018 || limit != 100000 {
		t.Errorf("APIUsage = %d, %d, %v; want 10018, 100000, true", used, limit, ok)
	}

	rec.limitHd = "per-app-api-usage=1/10(appName=x)"
	if _, err := c.Do(context.Background(), restRequest()); err != nil {
		t.Fatal(err)
	}
	if used, _, _ := c.APIUsage(); used != 10018 {
		t.Errorf("APIUsage used = %d after a header without api-usage, want the last value 10018", used)
	}

	rec.limitHd = "api-usage=25/5000; per-app-api-usage=17/250(appName=sample)"
	if _, err := c.Do(context.Background(), restRequest()); err != nil {
		t.Fatal(err)
	}
	if used, limit, _ := c.APIUsage(); used != 25 || limit != 5000 {
		t.Errorf("APIUsage = %d, %d from a header with both entries, want 25, 5000", used, limit)
	}
}

func TestLogsOmitTokensAndQuery(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	_, srv := newRecorder(t, "token-1")
	c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client()})

	req := restRequest()
	req.LogFields = map[string]any{"sobject": "Profile"}
	if _, err := c.Do(ctx, req); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, `"operation":"query"`) || !strings.Contains(out, `"http_status":401`) ||
		!strings.Contains(out, `"sobject":"Profile"`) || !strings.Contains(out, "duration_ms") {
		t.Errorf("logs lack the call fields:\n%s", out)
	}
	for _, secret := range []string{"token-1", "token-2", "SELECT", "Session expired"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
}
