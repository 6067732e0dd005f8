package orgsim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawResponse is what a client saw for one request: a status and body, or
// a transport error when the connection closed without a response.
type rawResponse struct {
	status int
	header http.Header
	body   string
	err    error
}

// send posts or gets without failing the test on a dropped connection.
func send(t *testing.T, srv *Server, method, path string, header http.Header, body string) rawResponse {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rawResponse{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: string(raw), err: err}
}

func soapEnvelope(operation string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Header>` +
		"<SessionHeader><sessionId>" + testToken + "</sessionId></SessionHeader></soapenv:Header><soapenv:Body>" +
		operation + "</soapenv:Body></soapenv:Envelope>"
}

func sendSOAP(t *testing.T, srv *Server, operation string) rawResponse {
	t.Helper()
	header := http.Header{"Content-Type": {"text/xml; charset=UTF-8"}, "Soapaction": {`""`}}
	return send(t, srv, http.MethodPost, "/services/Soap/m/63.0", header, soapEnvelope(operation))
}

// sendProfileQuery queries the org's profiles through REST.
func sendProfileQuery(t *testing.T, srv *Server) rawResponse {
	t.Helper()
	header := http.Header{"Authorization": {"Bearer " + testToken}}
	return send(t, srv, http.MethodGet, "/services/data/v63.0/query?q="+url.QueryEscape("SELECT Id FROM Profile"), header, "")
}

// faultKindOf names the documented fault a response shows, or "" for a
// response that is not one.
func faultKindOf(r rawResponse) string {
	switch {
	case r.err != nil:
		return "connection_reset"
	case r.status == http.StatusInternalServerError && strings.Contains(r.body, "<faultcode>sf:SERVER_UNAVAILABLE</faultcode>"):
		return "server_unavailable"
	case r.status == http.StatusServiceUnavailable && strings.Contains(r.body, `"errorCode":"SERVER_UNAVAILABLE"`):
		return "server_unavailable"
	case strings.Contains(r.body, "REQUEST_LIMIT_EXCEEDED") && strings.Contains(r.body, "ConcurrentRequests"):
		return "concurrent_requests"
	case r.status == http.StatusBadGateway && strings.Contains(r.body, "<html>"):
		return "bad_gateway"
	case r.status == http.StatusGatewayTimeout && strings.Contains(r.body, "<html>"):
		return "gateway_timeout"
	case r.status == http.StatusServiceUnavailable && strings.Contains(r.body, "<html>"):
		return "maintenance_page"
	}
	return ""
}

const readOp = "<readMetadata><type>ConnectedApp</type><fullNames>Faulty</fullNames></readMetadata>"

func TestFaultRateOneFaultsEveryCall(t *testing.T) {
	srv := startOrg(t, Options{FaultRate: 1, Seed: 7})
	kinds := map[string]int{}
	const calls = 120
	for i := range calls {
		var r rawResponse
		if i%2 == 0 {
			r = sendSOAP(t, srv, readOp)
		} else {
			r = sendProfileQuery(t, srv)
		}
		kind := faultKindOf(r)
		if kind == "" {
			t.Fatalf("call %d: not a documented fault: HTTP %d %q (%v)", i, r.status, r.body, r.err)
		}
		kinds[kind]++
	}
	for _, kind := range []string{
		"server_unavailable", "concurrent_requests", "bad_gateway", "gateway_timeout", "maintenance_page", "connection_reset",
	} {
		if kinds[kind] == 0 {
			t.Errorf("kind %s never injected in %d calls: %v", kind, calls, kinds)
		}
	}
	total := 0
	for _, n := range srv.Org.InjectedFaults() {
		total += n
	}
	// net/http sends a GET again by itself when a reused connection drops,
	// so the org can see more calls than the test made.
	if total < calls {
		t.Errorf("InjectedFaults total = %d, want at least %d", total, calls)
	}
}

func TestFaultRateZeroInjectsNothing(t *testing.T) {
	srv := startOrg(t, Options{})
	for i := range 20 {
		if r := sendSOAP(t, srv, readOp); r.err != nil || r.status != http.StatusOK {
			t.Fatalf("call %d: HTTP %d %v", i, r.status, r.err)
		}
	}
	if n := len(srv.Org.InjectedFaults()); n != 0 {
		t.Errorf("InjectedFaults = %v, want none", srv.Org.InjectedFaults())
	}
}

func TestFaultRateFractionFaultsSome(t *testing.T) {
	srv := startOrg(t, Options{FaultRate: 0.3, Seed: 11})
	faulted := 0
	const calls = 200
	for range calls {
		if faultKindOf(sendProfileQuery(t, srv)) != "" {
			faulted++
		}
	}
	// 0.3 of 200 is 60; the bounds leave room for the generator's spread.
	if faulted < 30 || faulted > 90 {
		t.Errorf("faulted %d of %d calls at rate 0.3", faulted, calls)
	}
}

func TestFaultSeedRepeatsSequence(t *testing.T) {
	sequence := func(seed uint64) []string {
		srv := startOrg(t, Options{FaultRate: 0.5, Seed: seed})
		var kinds []string
		for range 40 {
			kinds = append(kinds, faultKindOf(sendSOAP(t, srv, readOp)))
		}
		return kinds
	}
	first, second, other := sequence(3), sequence(3), sequence(4)
	if strings.Join(first, ",") != strings.Join(second, ",") {
		t.Errorf("seed 3 gave two sequences:\n%v\n%v", first, second)
	}
	if strings.Join(first, ",") == strings.Join(other, ",") {
		t.Errorf("seeds 3 and 4 gave the same sequence %v", first)
	}
}

func labelOf(t *testing.T, srv *Server, name string) string {
	t.Helper()
	srv.Org.mu.Lock()
	defer srv.Org.mu.Unlock()
	app := srv.Org.state.lookup(name)
	if app == nil {
		t.Fatalf("app %s missing", name)
	}
	label, _ := app.text("label")
	return label
}

func TestFaultAfterCommitAppliesWrite(t *testing.T) {
	for _, tc := range []struct {
		name        string
		afterCommit float64
		wantLabel   string
	}{
		{"before commit", 0, "Faulty Label"},
		{"after commit", 1, "Changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startOrg(t, Options{FaultRate: 1, FaultAfterCommit: tc.afterCommit, AllowConnectedAppCreation: true, Seed: 5})
			if err := srv.Org.LoadConnectedApp("Faulty", []byte(`<ConnectedApp><contactEmail>a@example.com</contactEmail>`+
				`<label>Faulty Label</label></ConnectedApp>`), LoadProps{}); err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				update := updateOp("<fullName>Faulty</fullName><contactEmail>a@example.com</contactEmail><label>Changed</label>")
				r := sendSOAP(t, srv, update)
				if faultKindOf(r) == "" {
					t.Fatalf("update %d: not a fault: HTTP %d %s", i, r.status, r.body)
				}
				if got := labelOf(t, srv, "Faulty"); got != tc.wantLabel {
					t.Fatalf("update %d: label = %q, want %q", i, got, tc.wantLabel)
				}
			}
			counts := srv.Org.InjectedFaults()
			for kind := range counts {
				if after := strings.HasSuffix(kind, "_after_commit"); after != (tc.afterCommit == 1) {
					t.Errorf("fault %s with FaultAfterCommit %v", kind, tc.afterCommit)
				}
			}
			if counts["concurrent_requests_after_commit"] != 0 {
				t.Errorf("the concurrent-request limit was injected after a commit: %v", counts)
			}
		})
	}
}

func TestFaultAfterCommitNeverOnReads(t *testing.T) {
	srv := startOrg(t, Options{FaultRate: 1, FaultAfterCommit: 1, Seed: 9})
	for range 20 {
		sendSOAP(t, srv, readOp)
	}
	for kind := range srv.Org.InjectedFaults() {
		if strings.HasSuffix(kind, "_after_commit") {
			t.Errorf("read got fault %s", kind)
		}
	}
}

func TestLatencyDelaysEveryCall(t *testing.T) {
	const latency = 150 * time.Millisecond
	srv := startOrg(t, Options{Latency: latency})
	start := time.Now()
	if r := sendProfileQuery(t, srv); r.status != http.StatusOK {
		t.Fatalf("query: HTTP %d %v", r.status, r.err)
	}
	if elapsed := time.Since(start); elapsed < latency {
		t.Errorf("query returned after %v, before the latency of %v", elapsed, latency)
	}
}

func TestLatencyEndsWithCancelledRequest(t *testing.T) {
	const latency = 5 * time.Second
	srv := startOrg(t, Options{Latency: latency})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		srv.URL+"/services/data/v63.0/query?q="+url.QueryEscape("SELECT Id FROM Profile"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)

	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("query answered HTTP %d, want a cancelled request", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed >= latency {
		t.Errorf("cancelled query returned after %v, not before the latency of %v", elapsed, latency)
	}

	// The handler stops waiting when the client goes away, so the query is
	// never counted.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) && srv.Org.Calls()["rest.query"] == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Org.Calls()["rest.query"]; n != 0 {
		t.Errorf("rest.query counted %d times after the client cancelled", n)
	}
}

// fakeClock is a clock that tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const lockedApp = `<ConnectedApp><contactEmail>a@example.com</contactEmail><label>Locked</label></ConnectedApp>`

func lockedUpdate(label string) string {
	return updateOp("<fullName>Locked_App</fullName><contactEmail>a@example.com</contactEmail><label>" + label + "</label>")
}

func TestLockWritesRejectsFirstWrites(t *testing.T) {
	srv := startOrg(t, Options{LockComponent: "Locked_App", LockWrites: 2})
	if err := srv.Org.LoadConnectedApp("Locked_App", []byte(lockedApp), LoadProps{}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"UNABLE_TO_LOCK_ROW", "UNABLE_TO_LOCK_ROW", ""} {
		results := saveResults(t, soapCall(t, srv, "63.0", testToken, "", lockedUpdate("Try")))
		if got := strings.Join(resultCodes(results[0]), ","); got != want {
			t.Errorf("update %d: status codes %q, want %q", i+1, got, want)
		}
	}
	if got := labelOf(t, srv, "Locked_App"); got != "Try" {
		t.Errorf("label = %q after the lock ended, want Try", got)
	}
}

func TestLockDurationRejectsUntilExpiry(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	srv := startOrg(t, Options{LockComponent: "Locked_App", LockDuration: time.Minute, Now: clock.Now})
	if err := srv.Org.LoadConnectedApp("Locked_App", []byte(lockedApp), LoadProps{}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "UNABLE_TO_LOCK_ROW"},
		{30 * time.Second, "UNABLE_TO_LOCK_ROW"},
		{31 * time.Second, ""},
	}
	for i, step := range steps {
		clock.Advance(step.advance)
		results := saveResults(t, soapCall(t, srv, "63.0", testToken, "", lockedUpdate("Try")))
		if got := strings.Join(resultCodes(results[0]), ","); got != step.want {
			t.Errorf("step %d: status codes %q, want %q", i, got, step.want)
		}
	}
}

func TestLockLeavesOtherAppsWritable(t *testing.T) {
	srv := startOrg(t, Options{LockComponent: "Locked_App"})
	for _, name := range []string{"Locked_App", "Free_App"} {
		if err := srv.Org.LoadConnectedApp(name, []byte(lockedApp), LoadProps{}); err != nil {
			t.Fatal(err)
		}
	}
	op := updateOp("<fullName>Free_App</fullName><contactEmail>a@example.com</contactEmail><label>Free</label>")
	if r := saveResults(t, soapCall(t, srv, "63.0", testToken, "", op)); !resultSuccess(r[0]) {
		t.Errorf("update of an unlocked app failed: %s", r[0])
	}
	for i := range 3 {
		r := saveResults(t, soapCall(t, srv, "63.0", testToken, "", lockedUpdate("Try")))
		if got := strings.Join(resultCodes(r[0]), ","); got != "UNABLE_TO_LOCK_ROW" {
			t.Errorf("update %d of the app locked for good: %q", i, got)
		}
	}
	del := "<deleteMetadata><type>ConnectedApp</type><fullNames>Locked_App</fullNames></deleteMetadata>"
	if r := saveResults(t, soapCall(t, srv, "63.0", testToken, "", del)); strings.Join(resultCodes(r[0]), ",") != "UNABLE_TO_LOCK_ROW" {
		t.Errorf("delete of a locked app: %s", r[0])
	}
}

func TestLockRejectsGrantCreate(t *testing.T) {
	srv := startOrg(t, Options{LockComponent: "Locked_App", LockWrites: 1})
	if err := srv.Org.LoadConnectedApp("Locked_App", []byte(lockedApp), LoadProps{}); err != nil {
		t.Fatal(err)
	}
	psID := srv.Org.AddPermissionSet("Users", "Users", "")
	appRows := query(t, srv, "SELECT Id FROM ConnectedApplication")
	appID := stringOf(t, appRows.Records[0]["Id"])
	body := map[string]string{"ParentId": psID, "SetupEntityId": appID}

	var errs restErrors
	status := restDo(t, srv, http.MethodPost, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess", body, &errs)
	if status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != "UNABLE_TO_LOCK_ROW" {
		t.Errorf("first create: HTTP %d %+v, want 400 UNABLE_TO_LOCK_ROW", status, errs)
	}
	var created map[string]any
	status = restDo(t, srv, http.MethodPost, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess", body, &created)
	if status != http.StatusCreated {
		t.Errorf("second create: HTTP %d %v, want 201", status, created)
	}
}

func TestDailyLimitOnBothAPIs(t *testing.T) {
	srv := startOrg(t, Options{DailyLimit: 2})
	steps := []struct {
		name       string
		call       func() rawResponse
		wantStatus int
		wantLimit  bool
		wantUsage  string
	}{
		{"soap within the limit", func() rawResponse { return sendSOAP(t, srv, readOp) }, http.StatusOK, false, "api-usage=1/2"},
		{"rest within the limit", func() rawResponse { return sendProfileQuery(t, srv) }, http.StatusOK, false, "api-usage=2/2"},
		{"soap over the limit", func() rawResponse { return sendSOAP(t, srv, readOp) }, http.StatusInternalServerError, true, "api-usage=2/2"},
		{"rest over the limit", func() rawResponse { return sendProfileQuery(t, srv) }, http.StatusForbidden, true, "api-usage=2/2"},
	}
	for _, step := range steps {
		r := step.call()
		if r.status != step.wantStatus {
			t.Errorf("%s: HTTP %d, want %d: %s", step.name, r.status, step.wantStatus, r.body)
		}
		limited := strings.Contains(r.body, "REQUEST_LIMIT_EXCEEDED") && strings.Contains(r.body, "TotalRequests")
		if limited != step.wantLimit {
			t.Errorf("%s: REQUEST_LIMIT_EXCEEDED TotalRequests in body = %v, want %v: %s", step.name, limited, step.wantLimit, r.body)
		}
		if got := r.header.Get("Sforce-Limit-Info"); got != step.wantUsage {
			t.Errorf("%s: Sforce-Limit-Info = %q, want %q", step.name, got, step.wantUsage)
		}
	}
}

func TestNewRejectsInvalidFaultOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"fault rate above one", Options{FaultRate: 1.5}},
		{"negative fault rate", Options{FaultRate: -0.1}},
		{"after commit above one", Options{FaultAfterCommit: 2}},
		{"negative latency", Options{Latency: -time.Second}},
		{"lock writes without component", Options{LockWrites: 3}},
		{"lock duration without component", Options{LockDuration: time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.opts); err == nil {
				t.Errorf("New(%+v) succeeded, want an error", tc.opts)
			}
		})
	}
}
