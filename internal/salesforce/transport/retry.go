package transport

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Defaults of Retry.
const (
	DefaultMaxRetries   = 10
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
)

// maxEdgeRoutingRetries caps the retries of HTTP 420, because Salesforce's
// edge network keeps returning 420 for an org that was deleted.
//
// NOTE: that a deleted org returns 420 for good comes from client libraries'
// notes, not from Salesforce's documentation.
const maxEdgeRoutingRetries = 2

// Retry is the schedule for sending a call again after a transient
// failure: exponential back-off from WaitMin, doubling on each retry up to
// WaitMax, with jitter.
type Retry struct {
	// MaxRetries is how many times a call is sent again after its first
	// attempt: DefaultMaxRetries when zero, none when negative.
	MaxRetries int
	// WaitMin is the wait before the first retry; DefaultRetryWaitMin when zero.
	WaitMin time.Duration
	// WaitMax caps one wait; DefaultRetryWaitMax when zero.
	WaitMax time.Duration
}

// WithDefaults returns r with its zero fields set to the defaults.
func (r Retry) WithDefaults() Retry {
	if r.MaxRetries == 0 {
		r.MaxRetries = DefaultMaxRetries
	}
	if r.MaxRetries < 0 {
		r.MaxRetries = 0
	}
	if r.WaitMin <= 0 {
		r.WaitMin = DefaultRetryWaitMin
	}
	if r.WaitMax <= 0 {
		r.WaitMax = DefaultRetryWaitMax
	}
	if r.WaitMax < r.WaitMin {
		r.WaitMax = r.WaitMin
	}
	return r
}

// Wait returns the wait before retry n, counted from 1: WaitMin doubled
// n-1 times and capped at WaitMax, of which a random part of up to half is
// dropped so that clients retrying together spread out.
func (r Retry) Wait(n int) time.Duration {
	r = r.WithDefaults()
	d := r.WaitMin
	for i := 1; i < n && d < r.WaitMax; i++ {
		d *= 2
	}
	d = min(d, r.WaitMax)
	half := d / 2
	//nolint:gosec // Jitter needs no cryptographic randomness.
	return d - half + rand.N(half+1)
}

// Sleep waits d and returns ctx.Err() when ctx ends first.
func Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryAfter returns the wait that a Retry-After header requests, in
// seconds or as an HTTP date, or zero when there is none.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(v); err == nil && seconds > 0 {
		return time.Duration(seconds) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}
