// Package transport sends Salesforce API requests with the session's access
// token, refreshes the token once when Salesforce rejects it, and records
// the org's API usage from the Sforce-Limit-Info header.
package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxResponseBytes caps how much of a response body is read.
const maxResponseBytes = 64 << 20

// TokenSource supplies access tokens. *auth.Session implements it.
type TokenSource interface {
	// Token returns the current access token and the instance URL.
	Token(ctx context.Context) (accessToken, instanceURL string, err error)
	// Refresh returns a new access token after Salesforce rejected rejected.
	Refresh(ctx context.Context, rejected string) (string, error)
}

// Doer sends one API request. The SOAP and REST clients depend on this
// interface, so tests can replace the transport.
type Doer interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

// Request is one API call.
type Request struct {
	Method string
	// Path is the URL path and query below the instance URL, starting
	// with "/", such as /services/data/v68.0/query?q=...
	Path   string
	Header http.Header

	// Body returns the request body for an access token. The SOAP client
	// puts the token inside the envelope, so Do calls Body again with the
	// new token when it repeats a call. Nil sends no body.
	Body func(accessToken string) ([]byte, error)

	// Bearer sends the token in an Authorization: Bearer header (REST).
	Bearer bool

	// SessionRejected reports whether a response means Salesforce rejected
	// the token (INVALID_SESSION_ID). Nil means never.
	SessionRejected func(resp *Response) bool

	// Operation names the call in logs, such as readMetadata or query.
	Operation string
	// LogFields are extra log fields: component names, sObject, record id.
	// They must hold no secret.
	LogFields map[string]any
}

// Response is an API response of any HTTP status.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// RetryPolicy decides whether Do sends a request again after attempt
// (counted from 1) ended in resp or err, and how long it waits first.
type RetryPolicy func(attempt int, resp *Response, err error) (retry bool, wait time.Duration)

// NoRetry is a RetryPolicy that never retries.
//
// TODO: retry transient failures with back-off: SOAP faults
// SERVER_UNAVAILABLE and the concurrent-request limit, HTTP 502, 503, 504
// and 429, and HTTP 420 at most twice. Until a policy does, those failures
// go back to the caller on the first attempt.
func NoRetry(int, *Response, error) (bool, time.Duration) {
	return false, 0
}

// Options configure a Client.
type Options struct {
	HTTPClient *http.Client // http.DefaultClient when nil
	UserAgent  string       // User-Agent header; empty sends Go's default
	Retry      RetryPolicy  // NoRetry when nil
}

// Client is the Doer that talks to Salesforce.
type Client struct {
	tokens TokenSource
	http   *http.Client
	agent  string
	retry  RetryPolicy

	usageMu    sync.Mutex
	usageUsed  int
	usageLimit int
	usageSeen  bool
}

// New returns a Client that takes tokens from tokens.
func New(tokens TokenSource, opts Options) *Client {
	c := &Client{tokens: tokens, http: opts.HTTPClient, agent: opts.UserAgent, retry: opts.Retry}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if c.retry == nil {
		c.retry = NoRetry
	}
	return c
}

// Do sends req with the current token. When req.SessionRejected matches
// the response, Do refreshes the token once and sends req once more. A
// second rejection comes back as the response, for the caller to report.
// Do returns an error only when no response arrived.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	token, instanceURL, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.sendWithRetry(ctx, req, token, instanceURL)
	if err != nil || req.SessionRejected == nil || !req.SessionRejected(resp) {
		return resp, err
	}

	tflog.Debug(ctx, "Salesforce rejected the access token; refreshing it and repeating the call once",
		map[string]any{"operation": req.Operation})
	if _, err := c.tokens.Refresh(ctx, token); err != nil {
		return nil, fmt.Errorf("%s: Salesforce rejected the session (INVALID_SESSION_ID), and refreshing the "+
			"access token failed: %w", req.Operation, err)
	}
	token, instanceURL, err = c.tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	return c.sendWithRetry(ctx, req, token, instanceURL)
}

func (c *Client) sendWithRetry(ctx context.Context, req *Request, token, instanceURL string) (*Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.send(ctx, req, token, instanceURL)
		retry, wait := c.retry(attempt, resp, err)
		if !retry {
			return resp, err
		}
		tflog.Debug(ctx, "Retrying Salesforce API call", map[string]any{
			"operation": req.Operation, "attempt": attempt, "wait_ms": wait.Milliseconds(),
		})
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (c *Client) send(ctx context.Context, req *Request, token, instanceURL string) (*Response, error) {
	httpReq, err := c.newHTTPRequest(ctx, req, token, instanceURL)
	if err != nil {
		return nil, err
	}

	start := time.Now()
	httpResp, err := c.http.Do(httpReq)
	if err != nil {
		c.logCall(ctx, req, 0, time.Since(start))
		return nil, fmt.Errorf("%s: sending %s %s: %w", req.Operation, req.Method, pathOnly(req.Path), unwrapURLError(err))
	}
	defer func() { _ = httpResp.Body.Close() }()

	body, err := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes))
	c.logCall(ctx, req, httpResp.StatusCode, time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the response to %s %s: %w", req.Operation, req.Method, pathOnly(req.Path), err)
	}
	c.recordUsage(httpResp.Header.Get("Sforce-Limit-Info"))
	return &Response{Status: httpResp.StatusCode, Header: httpResp.Header, Body: body}, nil
}

func (c *Client) newHTTPRequest(ctx context.Context, req *Request, token, instanceURL string) (*http.Request, error) {
	var body io.Reader
	if req.Body != nil {
		b, err := req.Body(token)
		if err != nil {
			return nil, fmt.Errorf("%s: building the request body: %w", req.Operation, err)
		}
		body = bytes.NewReader(b)
	}
	target := strings.TrimRight(instanceURL, "/") + req.Path
	httpReq, err := http.NewRequestWithContext(ctx, req.Method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s: building the request: %w", req.Operation, err)
	}
	for name, values := range req.Header {
		httpReq.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	if req.Bearer {
		httpReq.Header.Set("Authorization", "Bearer "+token)
	}
	if c.agent != "" {
		httpReq.Header.Set("User-Agent", c.agent)
	}
	return httpReq, nil
}

// logCall logs one HTTP exchange at debug level. Bodies, headers and the
// query string (which holds SOQL) are left out.
func (c *Client) logCall(ctx context.Context, req *Request, status int, elapsed time.Duration) {
	fields := map[string]any{
		"operation":   req.Operation,
		"http_method": req.Method,
		"path":        pathOnly(req.Path),
		"http_status": status,
		"duration_ms": elapsed.Milliseconds(),
	}
	for k, v := range req.LogFields {
		fields[k] = v
	}
	tflog.Debug(ctx, "Salesforce API call", fields)
}

// unwrapURLError drops the *url.Error wrapper, whose message repeats the
// full URL, including a SOQL query string.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

func pathOnly(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}

// limitInfoPattern matches the org-wide api-usage entry of Sforce-Limit-Info
// and not per-app-api-usage, which the header can also carry.
var limitInfoPattern = regexp.MustCompile(`(?:^|[\s,;])api-usage=(\d+)/(\d+)`)

func (c *Client) recordUsage(header string) {
	m := limitInfoPattern.FindStringSubmatch(header)
	if m == nil {
		return
	}
	used, err1 := strconv.Atoi(m[1])
	limit, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil {
		return
	}
	c.usageMu.Lock()
	defer c.usageMu.Unlock()
	c.usageUsed, c.usageLimit, c.usageSeen = used, limit, true
}

// APIUsage returns the org's daily API usage from the last Sforce-Limit-Info
// header seen; ok is false before any response carried one.
func (c *Client) APIUsage() (used, limit int, ok bool) {
	c.usageMu.Lock()
	defer c.usageMu.Unlock()
	return c.usageUsed, c.usageLimit, c.usageSeen
}
