package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// fixedDoer returns one response to every call and records the paths.
type fixedDoer struct {
	resp  transport.Response
	paths []string
}

func (d *fixedDoer) Do(_ context.Context, req *transport.Request) (*transport.Response, error) {
	d.paths = append(d.paths, req.Path)
	resp := d.resp
	return &resp, nil
}

// newFixedClient returns a client whose every call gets status, contentType
// and body, and that sends nothing again after a lock conflict.
func newFixedClient(status int, contentType string, body []byte) (*Client, *fixedDoer) {
	doer := &fixedDoer{resp: transport.Response{
		Status: status,
		Header: http.Header{"Content-Type": {contentType}},
		Body:   body,
	}}
	c := New(doer, "68.0")
	c.SetRetry(transport.Retry{MaxRetries: -1})
	return c, doer
}

// responseFixture is one file of testdata/responses with the status and
// Content-Type it is served with.
type responseFixture struct {
	name        string
	status      int
	contentType string
	body        []byte
}

// responseFixtures reads testdata/responses. Error arrays come with the
// status Salesforce sends them with; HTML pages come with 503 and with 200.
func responseFixtures(tb testing.TB) []responseFixture {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "responses", "*"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures in testdata/responses: %v", err)
	}
	errorStatus := map[string]int{
		"errors-invalid-field.json":   http.StatusBadRequest,
		"errors-invalid-session.json": http.StatusUnauthorized,
		"errors-daily-limit.json":     http.StatusForbidden,
		"errors-lock.json":            http.StatusBadRequest,
		"errors-duplicate.json":       http.StatusBadRequest,
		"errors-oauth-form.json":      http.StatusBadRequest,
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
		case errorStatus[name] != 0:
			out = append(out, responseFixture{name, errorStatus[name], "application/json;charset=UTF-8", body})
		default:
			out = append(out, responseFixture{name, http.StatusOK, "application/json;charset=UTF-8", body})
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

func FuzzQuery(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = httpStatus(status)
		c, doer := newFixedClient(status, contentType, body)
		records := 0
		err := c.Query(context.Background(), "SELECT Id FROM SetupEntityAccess", func(raw json.RawMessage) error {
			records++
			return nil
		})
		checkOutcome(t, status, contentType, body, err)
		// Every page is the same body, so a query that follows its
		// nextRecordsUrl must stop at the second page.
		if len(doer.paths) > 2 {
			t.Fatalf("the query sent %d requests for one repeated page", len(doer.paths))
		}
	})
}

func FuzzErrorArray(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = httpStatus(status)
		resp := &transport.Response{Status: status, Header: http.Header{"Content-Type": {contentType}}, Body: body}
		apiErr := parseAPIError(resp)
		if apiErr.Status != status {
			t.Fatalf("status %d, want %d", apiErr.Status, status)
		}
		if apiErr.Error() == "" {
			t.Fatal("an error with an empty message")
		}
		_ = apiErr.Transient()
		_ = IsNotFound(apiErr)
	})
}

func FuzzCreateResponse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = httpStatus(status)
		c, _ := newFixedClient(status, contentType, body)
		id, err := c.Create(context.Background(), "SetupEntityAccess", map[string]string{
			"ParentId": "0PSHs000000AbCdOAK", "SetupEntityId": "0H4Hs000000XyZaKAK",
		})
		checkOutcome(t, status, contentType, body, err)
		if err == nil && id == "" {
			t.Fatal("a create succeeded without an id")
		}

		var record map[string]any
		err = c.Get(context.Background(), "SetupEntityAccess", "0J0Hs000001AbCdKAK", &record)
		checkOutcome(t, status, contentType, body, err)
	})
}
