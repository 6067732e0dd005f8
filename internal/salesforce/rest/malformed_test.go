package rest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "responses", name)) //nolint:gosec // a fixture of this package
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// restCalls are the decoders of the REST client, each run as one call
// against a fixed response.
var restCalls = map[string]func(c *Client) error{
	"query": func(c *Client) error {
		return c.Query(context.Background(), "SELECT Id FROM SetupEntityAccess", func(json.RawMessage) error { return nil })
	},
	"get": func(c *Client) error {
		var record map[string]any
		return c.Get(context.Background(), "SetupEntityAccess", "0J0Hs000001AbCdKAK", &record)
	},
	"create": func(c *Client) error {
		_, err := c.Create(context.Background(), "SetupEntityAccess", map[string]string{"ParentId": "0PS", "SetupEntityId": "0H4"})
		return err
	},
}

func TestMalformedSuccessResponsesGiveClearErrors(t *testing.T) {
	cases := []struct {
		name        string
		contentType string
		body        []byte
		want        string
	}{
		{"empty body", "application/json", nil, "(HTTP 200) is empty instead of a JSON document"},
		{"blank body", "application/json", []byte("\n  "), "is empty instead of a JSON document"},
		{"JSON null", "application/json", readFixture(t, "null.json"), "is JSON null instead of a JSON document"},
		{"maintenance page", "text/html;charset=UTF-8", readFixture(t, "maintenance.html"),
			`is an HTML page titled "Salesforce - Scheduled Maintenance" instead of a JSON document`},
		{"maintenance page served as JSON", "application/json", readFixture(t, "maintenance.html"), "is an HTML page"},
		{"truncated page", "application/json", readFixture(t, "truncated-query.json"),
			"is truncated or malformed instead of a JSON document: unexpected end of JSON input"},
		{"XML instead of JSON", "application/xml", []byte(`<?xml version="1.0"?><QueryResult/>`),
			"is truncated or malformed instead of a JSON document"},
	}
	for _, tc := range cases {
		for operation, call := range restCalls {
			t.Run(tc.name+"/"+operation, func(t *testing.T) {
				c, _ := newFixedClient(http.StatusOK, tc.contentType, tc.body)
				err := call(c)
				if err == nil {
					t.Fatal("no error")
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not contain %q", err, tc.want)
				}
				if !strings.HasPrefix(err.Error(), operation+": ") {
					t.Errorf("error %q does not start with the operation %s", err, operation)
				}
				var bodyErr *transport.BodyError
				if !errors.As(err, &bodyErr) || !bodyErr.Transient() {
					t.Errorf("error %v is not a transient *transport.BodyError", err)
				}
			})
		}
	}
}

func TestMalformedErrorResponsesGiveClearErrors(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        []byte
		want        string
		transient   bool
	}{
		{"maintenance page", http.StatusServiceUnavailable, "text/html", readFixture(t, "maintenance.html"),
			`HTTP 503 with no error details: the body is an HTML page titled "Salesforce - Scheduled Maintenance"`, true},
		{"bad gateway page", http.StatusBadGateway, "text/html", readFixture(t, "bad-gateway.html"),
			`the body is an HTML page titled "502 Bad Gateway"`, true},
		{"empty body", http.StatusBadRequest, "application/json", nil, "HTTP 400 with no error details: the body is empty", false},
		{"truncated error array", http.StatusBadRequest, "application/json", readFixture(t, "errors-invalid-field.json")[:40],
			"HTTP 400 with no error details", false},
	}
	for _, tc := range cases {
		for operation, call := range restCalls {
			t.Run(tc.name+"/"+operation, func(t *testing.T) {
				c, _ := newFixedClient(tc.status, tc.contentType, tc.body)
				err := call(c)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("error %v is not an *APIError", err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not contain %q", err, tc.want)
				}
				if got := apiErr.Transient(); got != tc.transient {
					t.Errorf("Transient = %v, want %v", got, tc.transient)
				}
			})
		}
	}
}

func TestQueryPageWithoutDoneIsAnError(t *testing.T) {
	for _, body := range [][]byte{readFixture(t, "query-no-done.json"), []byte(`{}`), []byte(`{"done":true}`)} {
		c, _ := newFixedClient(http.StatusOK, "application/json", body)
		err := c.Query(context.Background(), "SELECT Id FROM Organization", func(json.RawMessage) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "has no done or records field") {
			t.Errorf("body %s: error = %v, want one about the missing fields", body, err)
		}
	}
}

func TestQueryStopsOnRepeatedPage(t *testing.T) {
	c, doer := newFixedClient(http.StatusOK, "application/json", readFixture(t, "query-self-link.json"))
	err := c.Query(context.Background(), "SELECT Id FROM SetupEntityAccess", func(json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "names itself as the next page") {
		t.Errorf("error = %v, want one about the repeated page", err)
	}
	// The fixture's nextRecordsUrl is the query's own path, so the first
	// page already names itself.
	if len(doer.paths) != 1 {
		t.Errorf("%d requests, want 1", len(doer.paths))
	}
}

func TestQueryNotDoneWithoutNextPage(t *testing.T) {
	c, _ := newFixedClient(http.StatusOK, "application/json", []byte(`{"totalSize":5,"done":false,"records":[]}`))
	err := c.Query(context.Background(), "SELECT Id FROM SetupEntityAccess", func(json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "is not the last one") {
		t.Errorf("error = %v, want one about the missing next page", err)
	}
}

func TestRESTFixturesDecode(t *testing.T) {
	ctx := context.Background()

	c, _ := newFixedClient(http.StatusOK, "application/json", readFixture(t, "query-last-page.json"))
	var ids []string
	err := c.Query(ctx, "SELECT Id FROM SetupEntityAccess", func(raw json.RawMessage) error {
		var rec struct{ Id string } //nolint:revive // the field name is Salesforce's
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		ids = append(ids, rec.Id)
		return nil
	})
	if err != nil || len(ids) != 1 || ids[0] != "0J0Hs000001AbCfKAK" {
		t.Errorf("ids %v, error %v", ids, err)
	}

	c, _ = newFixedClient(http.StatusCreated, "application/json", readFixture(t, "create-success.json"))
	if id, err := c.Create(ctx, "SetupEntityAccess", map[string]string{}); err != nil || id != "0J0Hs000001AbCgKAK" {
		t.Errorf("create: id %q, error %v", id, err)
	}

	for name, code := range map[string]string{
		"errors-invalid-field.json":   "INVALID_FIELD",
		"errors-invalid-session.json": "INVALID_SESSION_ID",
		"errors-daily-limit.json":     "REQUEST_LIMIT_EXCEEDED",
		"errors-oauth-form.json":      "invalid_grant",
	} {
		apiErr := parseAPIError(&transport.Response{Status: http.StatusBadRequest, Body: readFixture(t, name)})
		if !apiErr.hasCode(code) {
			t.Errorf("%s: errors %+v lack %s", name, apiErr.Errors, code)
		}
	}
}
