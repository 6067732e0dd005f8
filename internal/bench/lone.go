package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
)

// LoneReads is how long single reads waited for company before their
// readMetadata call was sent.
type LoneReads struct {
	Held []time.Duration // one per read, sorted
}

// Max returns the longest wait.
func (l LoneReads) Max() time.Duration {
	if len(l.Held) == 0 {
		return 0
	}
	return l.Held[len(l.Held)-1]
}

// Median returns the middle wait.
func (l LoneReads) Median() time.Duration {
	if len(l.Held) == 0 {
		return 0
	}
	return l.Held[len(l.Held)/2]
}

// sendRecorder notes when the first readMetadata request of a client
// reaches the HTTP transport.
type sendRecorder struct {
	base http.RoundTripper

	mu     sync.Mutex
	sentAt time.Time
}

func (s *sendRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && strings.Contains(req.URL.Path, "/services/Soap/m/") {
		// The client also lists the org's apps with its first read, so only
		// a readMetadata body counts.
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, []byte("<readMetadata>")) {
			s.mu.Lock()
			if s.sentAt.IsZero() {
				s.sentAt = time.Now()
			}
			s.mu.Unlock()
		}
	}
	return s.base.RoundTrip(req)
}

// MeasureLoneReads reads each of the apps with a new client that has
// shared reads on, one at a time, so that every read is alone, and
// measures the time from FindConnectedApp to the readMetadata request.
func MeasureLoneReads(ctx context.Context, org *Org, apps []string) (LoneReads, error) {
	var out LoneReads
	for _, name := range apps {
		rec := &sendRecorder{base: http.DefaultTransport}
		client, err := salesforce.New(ctx, salesforce.Config{
			Auth: auth.Config{
				LoginURL: org.URL, ClientID: org.ClientID, ClientSecret: org.ClientSecret,
				HTTPClient: &http.Client{Transport: rec, Timeout: time.Minute},
			},
			BatchReads: true,
		})
		if err != nil {
			return out, fmt.Errorf("signing in to the benchmark org: %w", err)
		}
		start := time.Now()
		if _, err := client.FindConnectedApp(ctx, name); err != nil {
			return out, fmt.Errorf("reading %s: %w", name, err)
		}
		rec.mu.Lock()
		out.Held = append(out.Held, rec.sentAt.Sub(start))
		rec.mu.Unlock()
	}
	sort.Slice(out.Held, func(i, j int) bool { return out.Held[i] < out.Held[j] })
	return out, nil
}
