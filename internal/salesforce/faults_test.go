package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// startCountingTransport counts the requests it sends, and those it sends
// after stopped was set.
type startCountingTransport struct {
	base          http.RoundTripper
	stopped       *atomic.Bool
	sent          atomic.Int64
	sentAfterStop atomic.Int64
}

func (c *startCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.sent.Add(1)
	if c.stopped.Load() {
		c.sentAfterStop.Add(1)
	}
	return c.base.RoundTrip(r)
}

// apiCalls sums the org's counted Metadata and REST calls, which are the
// calls the daily limit counts.
func apiCalls(calls map[string]int) int {
	total := 0
	for op, n := range calls {
		if strings.HasPrefix(op, "metadata.") || strings.HasPrefix(op, "rest.") {
			total += n
		}
	}
	return total
}

// TestDailyLimitStopsConcurrentCalls runs reads and writes from 20
// goroutines until the org reports the daily limit. No request may start
// after any caller saw the limit, the org may get no more calls than the
// limit plus those in flight, and the message must name the limit, the
// rolling window and the last usage.
func TestDailyLimitStopsConcurrentCalls(t *testing.T) {
	const (
		dailyLimit    = 40
		maxConcurrent = 5
		workers       = 20
	)
	srv, permSetID := startReliabilityOrg(t, orgsim.Options{DailyLimit: dailyLimit, Latency: 2 * time.Millisecond})
	var stopped atomic.Bool
	counter := &startCountingTransport{base: http.DefaultTransport, stopped: &stopped}
	c, err := New(context.Background(), Config{
		Auth: auth.Config{LoginURL: srv.URL, InstanceURL: srv.URL, AccessToken: reliabilityToken,
			HTTPClient: &http.Client{Transport: counter}},
		Retry:                 quickRetry,
		MaxConcurrentRequests: maxConcurrent,
	})
	if err != nil {
		t.Fatal(err)
	}
	props, err := c.FindConnectedAppProperties(context.Background(), "Reliable_App")
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := range 100 {
				var err error
				switch (w + i) % 3 {
				case 0:
					_, err = c.FindConnectedApp(ctx, "Reliable_App")
				case 1:
					_, err = c.FindGrants(ctx, props.ID)
				default:
					err = relabel2(c, "Reliable_App")
				}
				if err != nil {
					if transport.IsDailyLimit(err) {
						stopped.Store(true)
					}
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()

	for w, err := range errs {
		if !transport.IsDailyLimit(err) {
			t.Errorf("worker %d ended with %v, want the daily limit", w, err)
		}
	}
	if n := counter.sentAfterStop.Load(); n != 0 {
		t.Errorf("%d requests started after a caller saw the daily limit", n)
	}
	calls := apiCalls(srv.Org.Calls())
	if calls > dailyLimit+maxConcurrent {
		t.Errorf("the org got %d calls; the limit of %d plus %d in flight allows at most %d", calls, dailyLimit,
			maxConcurrent, dailyLimit+maxConcurrent)
	}

	var limitErr *transport.DailyLimitError
	if !errors.As(errs[0], &limitErr) {
		t.Fatalf("error %v is not a *transport.DailyLimitError", errs[0])
	}
	msg := errs[0].Error()
	for _, want := range []string{
		"the org's daily API request allowance is used up", "REQUEST_LIMIT_EXCEEDED", "rolling 24-hour window",
		"sends no further API calls in this run",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q: %s", want, msg)
		}
	}
	// Responses of concurrent calls arrive in any order, so the last usage
	// seen may be from a call that was counted before the last one.
	usage := regexp.MustCompile(fmt.Sprintf(`The last usage reported in Sforce-Limit-Info was (\d+)/%d requests`, dailyLimit))
	m := usage.FindStringSubmatch(msg)
	if m == nil {
		t.Errorf("the message lacks the last usage of the limit %d: %s", dailyLimit, msg)
	} else if used, _ := strconv.Atoi(m[1]); used < dailyLimit-maxConcurrent {
		t.Errorf("the message gives a usage of %d, want at least %d: %s", used, dailyLimit-maxConcurrent, msg)
	}

	// Every later call, of any kind, fails without a request.
	before := counter.sent.Load()
	ctx := context.Background()
	if _, err := c.FindConnectedApp(ctx, "Reliable_App"); !transport.IsDailyLimit(err) {
		t.Errorf("read after the limit: %v", err)
	}
	if _, err := c.CreateGrant(ctx, permSetID, props.ID); !transport.IsDailyLimit(err) {
		t.Errorf("grant after the limit: %v", err)
	}
	if _, err := c.Metadata().List(ctx, "ConnectedApp"); !transport.IsDailyLimit(err) {
		t.Errorf("listMetadata after the limit: %v", err)
	}
	if after := counter.sent.Load(); after != before {
		t.Errorf("%d requests were sent after the limit", after-before)
	}
	appendFaultSummary(t, fmt.Sprintf("%d concurrent callers, %d requests in flight at most: the org counted %d calls "+
		"against a daily limit of %d, %d requests started after a caller saw REQUEST_LIMIT_EXCEEDED",
		workers, maxConcurrent, calls, dailyLimit, counter.sentAfterStop.Load()))
}

// appendFaultSummary logs line and appends it, after the test's name, to
// the file that SALESFORCE_FAULT_SUMMARY names, which make test-faults
// prints.
func appendFaultSummary(t *testing.T, line string) {
	t.Helper()
	line = t.Name() + ": " + line
	t.Log(line)
	path := os.Getenv("SALESFORCE_FAULT_SUMMARY")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600) //nolint:gosec // the path make test-faults sets
	if err != nil {
		t.Errorf("writing the summary: %v", err)
		return
	}
	defer func() { _ = f.Close() }()
	if _, err := fmt.Fprintln(f, line); err != nil {
		t.Errorf("writing the summary: %v", err)
	}
}
