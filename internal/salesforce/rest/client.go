// Package rest is a client for the parts of the Salesforce REST API the
// provider uses: SOQL queries and sObject create, get and delete.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// Doer sends API requests; *transport.Client implements it.
type Doer = transport.Doer

// Client calls the REST API at <instance>/services/data/v<apiVersion>.
type Client struct {
	doer  Doer
	base  string          // /services/data/vNN.N
	retry transport.Retry // schedule of lock-conflict retries of writes
}

// New returns a client for the API version apiVersion, such as "68.0".
func New(doer Doer, apiVersion string) *Client {
	return &Client{doer: doer, base: "/services/data/v" + apiVersion, retry: transport.Retry{}.WithDefaults()}
}

// SetRetry sets the schedule for sending a create or delete again after
// UNABLE_TO_LOCK_ROW; transport.Retry{} with its defaults until then.
func (c *Client) SetRetry(r transport.Retry) {
	c.retry = r.WithDefaults()
}

// ErrorItem is one entry of a REST error response.
type ErrorItem struct {
	ErrorCode string   `json:"errorCode"`
	Message   string   `json:"message"`
	Fields    []string `json:"fields,omitempty"`
}

// APIError is a REST response with an error status. Errors holds the
// entries of the JSON error array, and is empty when the body was not one.
type APIError struct {
	Status int
	Errors []ErrorItem
	// Body describes an empty or HTML body, such as "is an HTML page", and
	// is empty for other bodies.
	Body string
}

// Transient reports whether the error is one Salesforce documents as
// passing: HTTP 420, 429, 502, 503 or 504, SERVER_UNAVAILABLE, or the
// ConcurrentRequests limit.
func (e *APIError) Transient() bool {
	if transport.IsTransientStatus(e.Status) {
		return true
	}
	for _, item := range e.Errors {
		if transport.IsTransientCode(item.ErrorCode, item.Message) {
			return true
		}
	}
	return false
}

// hasCode reports whether one of the error's items has the error code.
func (e *APIError) hasCode(code string) bool {
	for _, item := range e.Errors {
		if item.ErrorCode == code {
			return true
		}
	}
	return false
}

func (e *APIError) Error() string {
	if len(e.Errors) == 0 && e.Body != "" {
		return fmt.Sprintf("Salesforce REST API returned HTTP %d with no error details: the body %s", e.Status, e.Body)
	}
	if len(e.Errors) == 0 {
		return fmt.Sprintf("Salesforce REST API returned HTTP %d with no error details", e.Status)
	}
	parts := make([]string, len(e.Errors))
	for i, item := range e.Errors {
		parts[i] = item.ErrorCode + ": " + item.Message
		if len(item.Fields) > 0 {
			parts[i] += " (fields: " + strings.Join(item.Fields, ", ") + ")"
		}
	}
	return fmt.Sprintf("Salesforce REST API returned HTTP %d: %s", e.Status, strings.Join(parts, "; "))
}

// IsNotFound reports whether err is an *APIError for a record or resource
// that does not exist: HTTP 404, or the ENTITY_IS_DELETED error code.
func IsNotFound(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	if apiErr.Status == http.StatusNotFound {
		return true
	}
	for _, item := range apiErr.Errors {
		if item.ErrorCode == "ENTITY_IS_DELETED" {
			return true
		}
	}
	return false
}

// queryPage is one page of a query response. Done and Records are pointers
// so that a page without them is detected instead of read as the last page
// of an empty result.
type queryPage struct {
	Done           *bool              `json:"done"`
	NextRecordsURL string             `json:"nextRecordsUrl"`
	Records        *[]json.RawMessage `json:"records"`
}

// Query runs soql and calls each with every record, following
// nextRecordsUrl until a response has done set. An error from each stops
// the query and is returned.
func (c *Client) Query(ctx context.Context, soql string, each func(json.RawMessage) error) error {
	path := c.base + "/query?" + url.Values{"q": {soql}}.Encode()
	for page := 1; ; page++ {
		var resp queryPage
		if err := c.call(ctx, "query", http.MethodGet, path, nil, &resp, map[string]any{"page": page}); err != nil {
			return err
		}
		if resp.Done == nil || resp.Records == nil {
			return fmt.Errorf("query: page %d of the response has no done or records field", page)
		}
		for _, rec := range *resp.Records {
			if err := each(rec); err != nil {
				return err
			}
		}
		if *resp.Done {
			return nil
		}
		if !strings.HasPrefix(resp.NextRecordsURL, "/services/data/") {
			return fmt.Errorf("query: page %d is not the last one, but its nextRecordsUrl %q is not a "+
				"/services/data/ path", page, resp.NextRecordsURL)
		}
		if resp.NextRecordsURL == path {
			return fmt.Errorf("query: page %d names itself as the next page (%s)", page, resp.NextRecordsURL)
		}
		path = resp.NextRecordsURL
	}
}

// createResponse is the body of a successful sObject create.
type createResponse struct {
	ID      string      `json:"id"`
	Success bool        `json:"success"`
	Errors  []ErrorItem `json:"errors"`
}

// Create inserts a record of type sobject with the fields of body, encoded
// as JSON, and returns the new record's id.
func (c *Client) Create(ctx context.Context, sobject string, body any) (string, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("create %s: encoding the record: %w", sobject, err)
	}
	var resp createResponse
	path := c.base + "/sobjects/" + url.PathEscape(sobject)
	if err := c.call(ctx, "create", http.MethodPost, path, payload, &resp, map[string]any{"sobject": sobject}); err != nil {
		return "", err
	}
	if !resp.Success || resp.ID == "" {
		return "", &APIError{Status: http.StatusCreated, Errors: resp.Errors}
	}
	return resp.ID, nil
}

// Get reads the record of type sobject with id id and decodes it into out.
func (c *Client) Get(ctx context.Context, sobject, id string, out any) error {
	path := c.base + "/sobjects/" + url.PathEscape(sobject) + "/" + url.PathEscape(id)
	return c.call(ctx, "get", http.MethodGet, path, nil, out, map[string]any{"sobject": sobject, "id": id})
}

// Delete deletes the record of type sobject with id id. A missing record
// gives an error that matches IsNotFound.
func (c *Client) Delete(ctx context.Context, sobject, id string) error {
	path := c.base + "/sobjects/" + url.PathEscape(sobject) + "/" + url.PathEscape(id)
	return c.call(ctx, "delete", http.MethodDelete, path, nil, nil, map[string]any{"sobject": sobject, "id": id})
}

// call sends one request and decodes a 2xx JSON body into out when out is
// not nil. Other statuses become an *APIError.
func (c *Client) call(ctx context.Context, operation, method, path string, body []byte, out any,
	logFields map[string]any,
) error {
	req := &transport.Request{
		Method:          method,
		Path:            path,
		Header:          http.Header{"Accept": {"application/json"}},
		Bearer:          true,
		SessionRejected: func(resp *transport.Response) bool { return resp.Status == http.StatusUnauthorized },
		Idempotent:      method == http.MethodGet,
		ErrorCode: func(resp *transport.Response) (string, string) {
			if apiErr := parseAPIError(resp); len(apiErr.Errors) > 0 {
				return apiErr.Errors[0].ErrorCode, apiErr.Errors[0].Message
			}
			return "", ""
		},
		Operation: operation,
		LogFields: logFields,
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Body = func(string) ([]byte, error) { return body, nil }
	}

	resp, err := c.sendRetryingLocks(ctx, req)
	if err != nil {
		return err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return parseAPIError(resp)
	}
	if out == nil {
		return nil
	}
	return decodeJSON(operation, resp, out)
}

// decodeJSON decodes the body of a successful response into out. An empty,
// HTML, null, truncated or malformed body is a *transport.BodyError, so
// that it never reads as a record or a page with nothing in it.
func decodeJSON(operation string, resp *transport.Response, out any) error {
	if _, ok := transport.DescribeBody(resp.Header, resp.Body); ok {
		return transport.NewBodyError(operation, resp, "JSON document", nil)
	}
	if string(bytes.TrimSpace(resp.Body)) == "null" {
		return &transport.BodyError{Operation: operation, Status: resp.Status, Format: "JSON document", Problem: "is JSON null"}
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return transport.NewBodyError(operation, resp, "JSON document", err)
	}
	return nil
}

// sendRetryingLocks sends req and, for a write rejected with
// UNABLE_TO_LOCK_ROW, which changed nothing, sends it again with back-off.
func (c *Client) sendRetryingLocks(ctx context.Context, req *transport.Request) (*transport.Response, error) {
	for retry := 1; ; retry++ {
		resp, err := c.doer.Do(ctx, req)
		if err != nil || req.Method == http.MethodGet || resp.Status < 400 || retry > c.retry.MaxRetries {
			return resp, err
		}
		if !parseAPIError(resp).hasCode("UNABLE_TO_LOCK_ROW") {
			return resp, nil
		}
		wait := c.retry.Wait(retry)
		tflog.Info(ctx, "Retrying Salesforce REST call after a lock conflict", map[string]any{
			"operation":   req.Operation,
			"attempt":     retry + 1,
			"wait_ms":     wait.Milliseconds(),
			"error_code":  "UNABLE_TO_LOCK_ROW",
			"max_retries": c.retry.MaxRetries,
		})
		if err := transport.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func parseAPIError(resp *transport.Response) *APIError {
	apiErr := &APIError{Status: resp.Status}
	apiErr.Body, _ = transport.DescribeBody(resp.Header, resp.Body)
	if json.Unmarshal(resp.Body, &apiErr.Errors) == nil {
		return apiErr
	}
	// A body in the OAuth form {"error": ..., "error_description": ...} becomes one item.
	var single struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(resp.Body, &single) == nil && single.Error != "" {
		apiErr.Errors = []ErrorItem{{ErrorCode: single.Error, Message: single.ErrorDescription}}
	}
	return apiErr
}

// QuoteString returns s as a SOQL string literal in single quotes, with the
// escape sequences SOQL defines: \' \" \\ \n \r \t \f, and \uXXXX for other
// control characters.
func QuoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Version is one entry of the REST API's version list.
type Version struct {
	Version string `json:"version"`
	Label   string `json:"label"`
}

// Versions returns the API versions the instance serves, from
// GET /services/data/, which does not count against the org's API limits.
func (c *Client) Versions(ctx context.Context) ([]Version, error) {
	var out []Version
	err := c.call(ctx, "versions", http.MethodGet, "/services/data/", nil, &out, nil)
	return out, err
}
