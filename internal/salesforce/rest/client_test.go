package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// stubTokens hands out token-1, token-2, ... and counts refreshes.
type stubTokens struct {
	mu          sync.Mutex
	instanceURL string
	current     int
	refreshes   int
}

func (s *stubTokens) Token(context.Context) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("token-%d", s.current+1), s.instanceURL, nil
}

func (s *stubTokens) Refresh(_ context.Context, rejected string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	if rejected == fmt.Sprintf("token-%d", s.current+1) {
		s.current++
	}
	return fmt.Sprintf("token-%d", s.current+1), nil
}

type seenRequest struct {
	method, uri, auth, contentType, body string
}

func newRESTServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*Client, *[]seenRequest, *stubTokens) {
	t.Helper()
	var mu sync.Mutex
	var seen []seenRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, seenRequest{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"),
			r.Header.Get("Content-Type"), string(body)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	tokens := &stubTokens{instanceURL: srv.URL}
	client := New(transport.New(tokens, transport.Options{HTTPClient: srv.Client(), Retry: fastRetry}), "68.0")
	client.SetRetry(fastRetry)
	return client, &seen, tokens
}

func TestQueryFollowsNextRecordsURL(t *testing.T) {
	c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/services/data/v68.0/query":
			_, _ = io.WriteString(w, `{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v68.0/query/01gxx-2000",`+
				`"records":[{"attributes":{"type":"Profile","url":"/services/data/v68.0/sobjects/Profile/00exx1"},"Id":"00exx1"},`+
				`{"attributes":{"type":"Profile"},"Id":"00exx2"}]}`)
		case "/services/data/v68.0/query/01gxx-2000":
			_, _ = io.WriteString(w, `{"totalSize":3,"done":true,"records":[{"attributes":{"type":"Profile"},"Id":"00exx3"}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]`)
		}
	})
	var ids []string
	err := c.Query(context.Background(), "SELECT Id FROM Profile WHERE Name = 'O\\'Brien'", func(rec json.RawMessage) error {
		var row struct{ Id string }
		if err := json.Unmarshal(rec, &row); err != nil {
			return err
		}
		ids = append(ids, row.Id)
		return nil
	})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if strings.Join(ids, ",") != "00exx1,00exx2,00exx3" {
		t.Errorf("ids = %v", ids)
	}
	if len(*seen) != 2 {
		t.Fatalf("requests = %d, want 2", len(*seen))
	}
	first := (*seen)[0]
	if first.method != http.MethodGet || first.auth != "Bearer token-1" {
		t.Errorf("first request = %+v", first)
	}
	if !strings.HasPrefix(first.uri, "/services/data/v68.0/query?q=SELECT+Id+FROM+Profile+WHERE+Name+%3D+%27O%5C%27Brien%27") {
		t.Errorf("query URI = %q", first.uri)
	}
}

func TestQueryStopsOnCallbackError(t *testing.T) {
	c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"done":false,"nextRecordsUrl":"/services/data/v68.0/query/next","records":[{"Id":"1"}]}`)
	})
	stop := errors.New("stop")
	err := c.Query(context.Background(), "SELECT Id FROM Profile", func(json.RawMessage) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("error = %v, want the callback's error", err)
	}
	if len(*seen) != 1 {
		t.Errorf("requests = %d, want 1", len(*seen))
	}
}

func TestErrorArrays(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		body      string
		wantItems []ErrorItem
		notFound  bool
	}{
		{"malformed query", 400,
			`[{"message":"unexpected token: FORM","errorCode":"MALFORMED_QUERY"}]`,
			[]ErrorItem{{ErrorCode: "MALFORMED_QUERY", Message: "unexpected token: FORM"}}, false},
		{"two items with fields", 400,
			`[{"message":"Required fields are missing: [ParentId]","errorCode":"REQUIRED_FIELD_MISSING","fields":["ParentId"]},` +
				`{"message":"bad id","errorCode":"INVALID_CROSS_REFERENCE_KEY","fields":[]}]`,
			[]ErrorItem{{ErrorCode: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [ParentId]",
				Fields: []string{"ParentId"}}, {ErrorCode: "INVALID_CROSS_REFERENCE_KEY", Message: "bad id", Fields: []string{}}},
			false},
		{"not found", 404, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`,
			[]ErrorItem{{ErrorCode: "NOT_FOUND", Message: "The requested resource does not exist"}}, true},
		{"entity deleted", 400, `[{"errorCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}]`,
			[]ErrorItem{{ErrorCode: "ENTITY_IS_DELETED", Message: "entity is deleted", Fields: []string{}}}, true},
		{"concurrent request limit", 403,
			`[{"message":"ConcurrentRequests (Concurrent API Requests) Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`,
			[]ErrorItem{{ErrorCode: "REQUEST_LIMIT_EXCEEDED", Message: "ConcurrentRequests (Concurrent API Requests) Limit exceeded."}},
			false},
		{"html body", 503, `<html>Service Unavailable</html>`, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			err := c.Delete(context.Background(), "SetupEntityAccess", "0J0xx0000000001")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *APIError", err, err)
			}
			if apiErr.Status != tc.status {
				t.Errorf("Status = %d, want %d", apiErr.Status, tc.status)
			}
			if fmt.Sprint(apiErr.Errors) != fmt.Sprint(tc.wantItems) {
				t.Errorf("Errors = %+v, want %+v", apiErr.Errors, tc.wantItems)
			}
			if IsNotFound(err) != tc.notFound {
				t.Errorf("IsNotFound = %v, want %v", IsNotFound(err), tc.notFound)
			}
			for _, item := range tc.wantItems {
				if !strings.Contains(err.Error(), item.ErrorCode) || !strings.Contains(err.Error(), item.Message) {
					t.Errorf("error %q does not quote %s: %s", err, item.ErrorCode, item.Message)
				}
			}
		})
	}
}

func TestCreate(t *testing.T) {
	c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"0J0xx0000000042","success":true,"errors":[]}`)
	})
	id, err := c.Create(context.Background(), "SetupEntityAccess",
		map[string]string{"ParentId": "0PSxx1", "SetupEntityId": "0H4xx1"})
	if err != nil {
		t.Fatal(err)
	}
	if id != "0J0xx0000000042" {
		t.Errorf("id = %q", id)
	}
	req := (*seen)[0]
	if req.method != http.MethodPost || req.uri != "/services/data/v68.0/sobjects/SetupEntityAccess" {
		t.Errorf("request = %s %s", req.method, req.uri)
	}
	if req.contentType != "application/json" || req.body != `{"ParentId":"0PSxx1","SetupEntityId":"0H4xx1"}` {
		t.Errorf("body = %s (%s)", req.body, req.contentType)
	}
}

func TestGet(t *testing.T) {
	c, seen, _ := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"attributes":{"type":"PermissionSet"},"Id":"0PSxx1","Name":"Integration"}`)
	})
	var out struct{ Id, Name string }
	if err := c.Get(context.Background(), "PermissionSet", "0PSxx1", &out); err != nil {
		t.Fatal(err)
	}
	if out.Name != "Integration" {
		t.Errorf("Name = %q", out.Name)
	}
	if got := (*seen)[0].uri; got != "/services/data/v68.0/sobjects/PermissionSet/0PSxx1" {
		t.Errorf("URI = %q", got)
	}
}

func TestRefreshOnceOn401(t *testing.T) {
	c, seen, tokens := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer token-1" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	if err := c.Delete(context.Background(), "SetupEntityAccess", "0J0xx1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if tokens.refreshes != 1 || len(*seen) != 2 {
		t.Errorf("refreshes = %d, requests = %d; want 1 and 2", tokens.refreshes, len(*seen))
	}
	if got := (*seen)[1].auth; got != "Bearer token-2" {
		t.Errorf("retry Authorization = %q", got)
	}
}

func TestSecond401IsReturned(t *testing.T) {
	c, seen, tokens := newRESTServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
	})
	err := c.Query(context.Background(), "SELECT Id FROM Profile", func(json.RawMessage) error { return nil })
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Errors[0].ErrorCode != "INVALID_SESSION_ID" {
		t.Fatalf("error = %v, want the 401 INVALID_SESSION_ID", err)
	}
	if tokens.refreshes != 1 || len(*seen) != 2 {
		t.Errorf("refreshes = %d, requests = %d; want 1 and 2", tokens.refreshes, len(*seen))
	}
}

func TestQuoteString(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"Standard User", `'Standard User'`},
		{"O'Brien", `'O\'Brien'`},
		{`back\slash`, `'back\\slash'`},
		{"line\nbreak", `'line\nbreak'`},
		{"cr\rtab\tff\f", `'cr\rtab\tff\f'`},
		{`say "hi"`, `'say \"hi\"'`},
		{"bell\x07nul\x00", `'bell\u0007nul\u0000'`},
		{"100%_under", `'100%_under'`},
		{"Zoë ünïcode", `'Zoë ünïcode'`},
		{`\' OR Name != '`, `'\\\' OR Name != \''`},
		{"", `''`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := QuoteString(tc.in); got != tc.want {
				t.Errorf("QuoteString(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
