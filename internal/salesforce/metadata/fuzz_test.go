package metadata

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// fixedDoer returns one response to every call, after building the
// request body as the transport would.
type fixedDoer struct {
	resp  transport.Response
	calls int
}

func (d *fixedDoer) Do(_ context.Context, req *transport.Request) (*transport.Response, error) {
	d.calls++
	if req.Body != nil {
		if _, err := req.Body("00Dxx0000000001!fuzz-session"); err != nil {
			return nil, err
		}
	}
	resp := d.resp
	return &resp, nil
}

// newFixedClient returns a client whose every call gets status, contentType
// and body, and that sends nothing again after a lock conflict.
func newFixedClient(status int, contentType string, body []byte) *Client {
	doer := &fixedDoer{resp: transport.Response{
		Status: status,
		Header: http.Header{"Content-Type": {contentType}},
		Body:   body,
	}}
	c := New(doer, "68.0")
	c.SetRetry(transport.Retry{MaxRetries: -1})
	return c
}

// responseFixture is one file of testdata/responses with the status and
// Content-Type it is served with.
type responseFixture struct {
	name        string
	status      int
	contentType string
	body        []byte
}

// responseFixtures reads testdata/responses. Faults come with HTTP 500 as
// Salesforce sends them; HTML pages come twice, with 503 and with 200.
func responseFixtures(tb testing.TB) []responseFixture {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "responses", "*"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures in testdata/responses: %v", err)
	}
	var out []responseFixture
	for _, p := range paths {
		body, err := os.ReadFile(p) //nolint:gosec // a fixture of this package
		if err != nil {
			tb.Fatal(err)
		}
		name := filepath.Base(p)
		switch {
		case strings.HasSuffix(name, ".html"):
			out = append(out,
				responseFixture{name + " (503)", http.StatusServiceUnavailable, "text/html;charset=UTF-8", body},
				responseFixture{name + " (200)", http.StatusOK, "text/html;charset=UTF-8", body})
		case strings.HasPrefix(name, "fault-"):
			out = append(out, responseFixture{name, http.StatusInternalServerError, "text/xml; charset=utf-8", body})
		default:
			out = append(out, responseFixture{name, http.StatusOK, "text/xml; charset=utf-8", body})
		}
	}
	return out
}

func addSeeds(f *testing.F) {
	for _, fx := range responseFixtures(f) {
		f.Add(fx.status, fx.contentType, fx.body)
	}
}

// httpStatus maps any fuzzed integer to a status from 100 to 599.
func httpStatus(n int) int {
	if n >= 100 && n <= 599 {
		return n
	}
	if n < 0 {
		n = -(n + 1)
	}
	return 100 + n%500
}

// checkOutcome fails when a call succeeded on a response that no decoder
// can read: an error status, or an empty or HTML body.
func checkOutcome(t *testing.T, status int, contentType string, body []byte, err error) {
	t.Helper()
	if err != nil {
		if err.Error() == "" {
			t.Fatal("an error with an empty message")
		}
		return
	}
	if status < 200 || status > 299 {
		t.Fatalf("HTTP %d gave no error", status)
	}
	if problem, ok := transport.DescribeBody(http.Header{"Content-Type": {contentType}}, body); ok {
		t.Fatalf("a body that %s gave no error", problem)
	}
}

func FuzzParseEnvelope(f *testing.F) {
	for _, fx := range responseFixtures(f) {
		f.Add(fx.body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		result, fault, err := parseEnvelope(body)
		outcomes := 0
		for _, set := range []bool{result != nil, fault != nil, err != nil} {
			if set {
				outcomes++
			}
		}
		if outcomes != 1 {
			t.Fatalf("result %v, fault %v, error %v: want exactly one", result, fault, err)
		}
		if fault != nil && fault.Error() == "" {
			t.Fatal("a fault with an empty message")
		}
	})
}

func FuzzReadMetadata(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = httpStatus(status)
		c := newFixedClient(status, contentType, body)
		names := []string{"Vendor_Sync", "Billing_Bridge"}
		records, err := c.Read(context.Background(), "ConnectedApp", names)
		checkOutcome(t, status, contentType, body, err)
		if err == nil && len(records) != len(names) {
			t.Fatalf("%d records for %d names", len(records), len(names))
		}
	})
}

func FuzzSaveMetadata(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = httpStatus(status)
		c := newFixedClient(status, contentType, body)
		comps := []*xmltree.Element{testApp("Vendor_Sync"), testApp("Billing_Bridge")}
		results, err := c.Update(context.Background(), "ConnectedApp", comps)
		checkOutcome(t, status, contentType, body, err)
		if err == nil && len(results) != len(comps) {
			t.Fatalf("%d update results for %d components", len(results), len(comps))
		}
		for _, r := range results {
			if err := r.Err(); err != nil && err.Error() == "" {
				t.Fatal("a save error with an empty message")
			}
		}

		deleted, err := c.Delete(context.Background(), "ConnectedApp", []string{"Vendor_Sync", "Billing_Bridge"})
		checkOutcome(t, status, contentType, body, err)
		if err == nil && len(deleted) != 2 {
			t.Fatalf("%d delete results for 2 names", len(deleted))
		}
		for _, r := range deleted {
			_ = IsNotFound(r.Err())
		}
	})
}

func FuzzListMetadata(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = httpStatus(status)
		c := newFixedClient(status, contentType, body)
		props, err := c.List(context.Background(), "ConnectedApp")
		checkOutcome(t, status, contentType, body, err)
		for _, p := range props {
			if p.FullName == "" {
				t.Fatalf("a listMetadata result without fullName was returned: %+v", p)
			}
		}
	})
}
