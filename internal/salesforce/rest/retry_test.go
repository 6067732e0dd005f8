package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// fastRetry keeps the tests' back-off short.
var fastRetry = transport.Retry{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}

const serverUnavailable = `[{"message":"Server unavailable","errorCode":"SERVER_UNAVAILABLE"}]`

func TestQueryRetriesTransientErrors(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		requests int
	}{
		{"server unavailable", http.StatusServiceUnavailable, serverUnavailable, 4},
		{"bad gateway html", http.StatusBadGateway, "<html>502</html>", 4},
		{"concurrent limit", http.StatusForbidden,
			`[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`, 4},
		{"edge routing", transport.StatusEdgeRouting, "<html>420</html>", 3},
		{"malformed query", http.StatusBadRequest, `[{"message":"unexpected token","errorCode":"MALFORMED_QUERY"}]`, 1},
		{"insufficient access", http.StatusForbidden, `[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			err := c.Query(context.Background(), "SELECT Id FROM Profile", func(json.RawMessage) error { return nil })
			if err == nil {
				t.Fatal("Query succeeded against a failing server")
			}
			if len(*seen) != tc.requests {
				t.Errorf("requests = %d, want %d", len(*seen), tc.requests)
			}
		})
	}
}

func TestCreateNotRetriedOnServerUnavailable(t *testing.T) {
	c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, serverUnavailable)
	})
	_, err := c.Create(context.Background(), "SetupEntityAccess", map[string]string{"ParentId": "0PS", "SetupEntityId": "0H4"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
		t.Fatalf("error = %v, want the 503 APIError", err)
	}
	if !transport.IsTransient(err) {
		t.Errorf("IsTransient = false for %v", err)
	}
	if len(*seen) != 1 {
		t.Errorf("requests = %d, want 1: the create may have been applied", len(*seen))
	}
}

func TestCreateRetriesLockConflict(t *testing.T) {
	var calls atomic.Int32
	c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `[{"message":"unable to obtain exclusive access to this record","errorCode":"UNABLE_TO_LOCK_ROW"}]`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"0J0000000000001AAA","success":true,"errors":[]}`)
	})
	id, err := c.Create(context.Background(), "SetupEntityAccess", map[string]string{"ParentId": "0PS", "SetupEntityId": "0H4"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if id != "0J0000000000001AAA" {
		t.Errorf("id = %q", id)
	}
	if len(*seen) != 3 {
		t.Errorf("requests = %d, want 3", len(*seen))
	}
	for i, req := range *seen {
		if !strings.Contains(req.body, `"ParentId":"0PS"`) {
			t.Errorf("request %d body = %q, want the record", i, req.body)
		}
	}
}

func TestDailyLimitLatchesREST(t *testing.T) {
	c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sforce-Limit-Info", "api-usage=15000/15000")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`)
	})
	err := c.Query(context.Background(), "SELECT Id FROM Profile", func(json.RawMessage) error { return nil })
	var limitErr *transport.DailyLimitError
	if !errors.As(err, &limitErr) {
		t.Fatalf("error = %v, want a *transport.DailyLimitError", err)
	}
	if !limitErr.UsageKnown || limitErr.Used != 15000 || limitErr.Limit != 15000 {
		t.Errorf("usage = %d/%d known %v, want 15000/15000 from the limit response", limitErr.Used, limitErr.Limit, limitErr.UsageKnown)
	}
	if err := c.Delete(context.Background(), "SetupEntityAccess", "0J0"); !transport.IsDailyLimit(err) {
		t.Errorf("call after the limit: %v, want the daily limit error", err)
	}
	if len(*seen) != 1 {
		t.Errorf("requests = %d, want 1", len(*seen))
	}
}
