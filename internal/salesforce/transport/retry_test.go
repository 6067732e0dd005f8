package transport

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

var fastRetry = Retry{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}

// restErrorCode reads the first errorCode of a REST error array, as the
// REST client's ErrorCode does.
func restErrorCode(resp *Response) (string, string) {
	body := string(resp.Body)
	code := between(body, `"errorCode":"`, `"`)
	return code, between(body, `"message":"`, `"`)
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return ""
}

func getRequest() *Request {
	req := restRequest()
	req.Idempotent = true
	req.ErrorCode = restErrorCode
	return req
}

func postRequest() *Request {
	return &Request{
		Method:    http.MethodPost,
		Path:      "/services/data/v68.0/sobjects/SetupEntityAccess",
		Bearer:    true,
		Body:      func(string) ([]byte, error) { return []byte(`{"ParentId":"0PS"}`), nil },
		ErrorCode: restErrorCode,
		Operation: "create",
	}
}

// statusServer writes status and body for every request and counts them.
func statusServer(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func TestRetryRulesByStatusAndCode(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		request  func() *Request
		requests int32
	}{
		{"get 503 retried", 503, `[{"errorCode":"SERVER_UNAVAILABLE","message":"down"}]`, getRequest, 4},
		{"get 502 retried", 502, "<html></html>", getRequest, 4},
		{"get 504 retried", 504, "<html></html>", getRequest, 4},
		{"get 429 retried", 429, "<html></html>", getRequest, 4},
		{"get 420 retried twice", 420, "<html></html>", getRequest, 3},
		{"get concurrent limit retried", 403,
			`[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded."}]`,
			getRequest, 4},
		{"get 500 caller error not retried", 500, `[{"errorCode":"INVALID_TYPE","message":"no"}]`, getRequest, 1},
		{"get 400 not retried", 400, `[{"errorCode":"MALFORMED_QUERY","message":"no"}]`, getRequest, 1},
		{"post 503 not retried", 503, `[{"errorCode":"SERVER_UNAVAILABLE","message":"down"}]`, postRequest, 1},
		{"post 502 not retried", 502, "<html></html>", postRequest, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, count := statusServer(t, tc.status, tc.body)
			c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client(), Retry: fastRetry})
			resp, err := c.Do(context.Background(), tc.request())
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.Status != tc.status {
				t.Errorf("status = %d, want the last response's %d", resp.Status, tc.status)
			}
			if got := count.Load(); got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
		})
	}
}

func TestRetryStopsAtSuccess(t *testing.T) {
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"done":true}`))
	}))
	t.Cleanup(srv.Close)
	c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client(), Retry: fastRetry})
	resp, err := c.Do(context.Background(), getRequest())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK || string(resp.Body) != `{"done":true}` {
		t.Errorf("response = %d %q, want the third attempt's", resp.Status, resp.Body)
	}
	if count.Load() != 3 {
		t.Errorf("requests = %d, want 3", count.Load())
	}
}

// closingServer reads each request and drops the connection without a
// response, as a timeout after the server got the request looks.
func closingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func TestDroppedConnectionRetriedOnlyForReads(t *testing.T) {
	for _, tc := range []struct {
		name     string
		request  func() *Request
		requests int32
	}{
		{"read", getRequest, 4},
		{"write", postRequest, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, count := closingServer(t)
			// A fresh connection per request keeps net/http from repeating
			// the GET on its own.
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: client, Retry: fastRetry})
			_, err := c.Do(context.Background(), tc.request())
			var sendErr *SendError
			if !errors.As(err, &sendErr) {
				t.Fatalf("error = %v, want a *SendError", err)
			}
			if sendErr.Unsent {
				t.Errorf("Unsent = true for a request the server read")
			}
			if !IsTransient(err) {
				t.Errorf("IsTransient = false for a dropped connection")
			}
			if got := count.Load(); got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
		})
	}
}

func TestUnsentWriteRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now, so every dial is refused

	var dials atomic.Int32
	dialer := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, address)
		},
	}}
	c := New(&fakeTokens{instanceURL: "http://" + addr}, Options{HTTPClient: client, Retry: fastRetry})
	_, err = c.Do(context.Background(), postRequest())
	var sendErr *SendError
	if !errors.As(err, &sendErr) || !sendErr.Unsent {
		t.Fatalf("error = %v, want a *SendError with Unsent set", err)
	}
	if got := dials.Load(); got != 4 {
		t.Errorf("dials = %d, want 4: a write that never reached the server is safe to repeat", got)
	}
}

func TestRetriesLogAttemptWaitAndCode(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	srv, _ := statusServer(t, 503, `[{"errorCode":"SERVER_UNAVAILABLE","message":"down"}]`)
	c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client(), Retry: fastRetry})
	if _, err := c.Do(ctx, getRequest()); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if n := strings.Count(out, "Retrying Salesforce API call after a transient failure"); n != 3 {
		t.Errorf("retry log lines = %d, want 3:\n%s", n, out)
	}
	for _, field := range []string{`"attempt":2`, `"attempt":4`, `"wait_ms":`, `"error_code":"SERVER_UNAVAILABLE"`, `"http_status":503`} {
		if !strings.Contains(out, field) {
			t.Errorf("logs lack %s:\n%s", field, out)
		}
	}
	if strings.Contains(out, "token-1") {
		t.Errorf("logs contain the access token:\n%s", out)
	}
}

func TestDailyLimitLatchesClient(t *testing.T) {
	for _, tc := range []struct {
		name      string
		header    string
		wantUsage string
	}{
		{"usage known", "api-usage=15000/15000", "15000/15000"},
		{"usage unknown", "", "No response reported the usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var count atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				count.Add(1)
				if tc.header != "" {
					w.Header().Set("Sforce-Limit-Info", tc.header)
				}
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]`))
			}))
			t.Cleanup(srv.Close)
			c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client(), Retry: fastRetry})

			_, err := c.Do(context.Background(), getRequest())
			var limitErr *DailyLimitError
			if !errors.As(err, &limitErr) {
				t.Fatalf("error = %v, want a *DailyLimitError", err)
			}
			msg := err.Error()
			for _, want := range []string{"daily API request allowance is used up", "rolling 24-hour window", tc.wantUsage,
				"REQUEST_LIMIT_EXCEEDED", "no further API calls"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q: %s", want, msg)
				}
			}

			for _, req := range []*Request{getRequest(), postRequest()} {
				if _, err := c.Do(context.Background(), req); !IsDailyLimit(err) {
					t.Errorf("%s after the limit: error = %v, want the daily limit", req.Operation, err)
				}
			}
			if got := count.Load(); got != 1 {
				t.Errorf("requests = %d, want 1: no retry and no call after the limit", got)
			}
		})
	}
}

func TestMaxConcurrentBoundsInFlight(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)

	for _, tc := range []struct {
		limit    int
		wantPeak int32
	}{{1, 1}, {3, 2}} {
		peak.Store(0)
		c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client(), MaxConcurrent: tc.limit})
		var wg sync.WaitGroup
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Do(context.Background(), getRequest()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := int(peak.Load()); got > tc.limit {
			t.Errorf("MaxConcurrent %d: %d requests in flight at once", tc.limit, got)
		}
		if got := peak.Load(); got < tc.wantPeak {
			t.Errorf("MaxConcurrent %d: at most %d requests in flight, want at least %d", tc.limit, got, tc.wantPeak)
		}
	}
}

// blockingServer holds every request until the client goes away.
func blockingServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCancelEndsCallPromptly(t *testing.T) {
	retryingSrv, _ := statusServer(t, 503, "")
	blocking := blockingServer(t)
	slow := Retry{MaxRetries: 3, WaitMin: time.Minute, WaitMax: time.Minute}
	cases := []struct {
		name    string
		url     string
		client  func(string) *http.Client
		limit   int
		prepare func(c *Client)
	}{
		{name: "waiting for the response", url: blocking.URL},
		{name: "waiting to retry", url: retryingSrv.URL},
		{name: "waiting for a slot", url: blocking.URL, limit: 1, prepare: func(c *Client) {
			// One call holds the only slot until the test ends.
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			go func() { _, _ = c.Do(ctx, getRequest()) }()
			time.Sleep(50 * time.Millisecond)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New(&fakeTokens{instanceURL: tc.url}, Options{Retry: slow, MaxConcurrent: tc.limit})
			if tc.prepare != nil {
				tc.prepare(c)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Do(ctx, getRequest())
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want context.DeadlineExceeded", err)
			}
			if IsTransient(err) {
				t.Errorf("a cancelled call counts as transient: %v", err)
			}
			// Loose bound: far below the server's 10 s hold and the one-minute back-off.
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Do returned after %v", elapsed)
			}
		})
	}
}

func TestSessionRenewalsCounted(t *testing.T) {
	_, srv := newRecorder(t, "token-1", "token-2")
	c := New(&fakeTokens{instanceURL: srv.URL}, Options{HTTPClient: srv.Client()})
	for range 2 {
		if _, err := c.Do(context.Background(), restRequest()); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.SessionRenewals(); got != 2 {
		t.Errorf("SessionRenewals = %d, want 2", got)
	}
}

func TestRetryWaitGrowsWithinBounds(t *testing.T) {
	r := Retry{WaitMin: 100 * time.Millisecond, WaitMax: time.Second}
	cases := []struct {
		retry    int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second},
		{30, 500 * time.Millisecond, time.Second},
	}
	for _, tc := range cases {
		for range 50 {
			if got := r.Wait(tc.retry); got < tc.min || got > tc.max {
				t.Errorf("Wait(%d) = %v, want between %v and %v", tc.retry, got, tc.min, tc.max)
			}
		}
	}
}

func TestRetryDefaults(t *testing.T) {
	r := Retry{}.WithDefaults()
	if r.MaxRetries != DefaultMaxRetries || r.WaitMin != DefaultRetryWaitMin || r.WaitMax != DefaultRetryWaitMax {
		t.Errorf("defaults = %+v", r)
	}
	if none := (Retry{MaxRetries: -1}).WithDefaults(); none.MaxRetries != 0 {
		t.Errorf("MaxRetries -1 gives %d retries, want 0", none.MaxRetries)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"junk", 0},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Retry-After", tc.value)
		}
		if got := retryAfter(h, now); got != tc.want {
			t.Errorf("Retry-After %q: %v, want %v", tc.value, got, tc.want)
		}
	}
}

// BenchmarkCancelDuringResponse measures how long Do takes to return once
// the context of a call that waits for a held response is cancelled. The
// target is well under 100 ms per operation.
func BenchmarkCancelDuringResponse(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := New(&fakeTokens{instanceURL: srv.URL}, Options{})
	const timeout = 10 * time.Millisecond
	b.ResetTimer()
	for range b.N {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, _ = c.Do(ctx, getRequest())
		cancel()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)-float64(timeout.Milliseconds()), "ms-after-cancel/op")
}
