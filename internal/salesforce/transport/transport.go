// Package transport sends Salesforce API requests with the session's access
// token. It retries transient failures of calls that are safe to repeat and
// renews the session when Salesforce rejects the token. It bounds the
// requests in flight, records the org's API usage from the Sforce-Limit-Info
// header, stops sending once Salesforce reports the daily request limit, and
// masks the session's secrets in its log lines.
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
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

	// Idempotent marks a call that is safe to repeat, such as a read, a
	// query or listMetadata. Only such calls are retried after a transient
	// failure that the server may have seen.
	Idempotent bool

	// ErrorCode returns the Salesforce error code and message of an error
	// response: the exception code of a SOAP fault, or the first errorCode
	// of a REST error array. It returns empty strings when the body has
	// none. Nil means the retry rules use the HTTP status alone.
	ErrorCode func(resp *Response) (code, message string)

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

// Options configure a Client.
type Options struct {
	HTTPClient *http.Client // http.DefaultClient when nil
	UserAgent  string       // User-Agent header; empty sends Go's default
	Retry      Retry        // retries of transient failures; see Retry for the defaults
	// MaxConcurrent bounds the requests in flight at once, across all
	// callers of the Client; zero or less means no bound.
	MaxConcurrent int
}

// Client is the Doer that talks to Salesforce. It is safe for concurrent
// use.
type Client struct {
	tokens TokenSource
	http   *http.Client
	agent  string
	retry  Retry

	usageMu    sync.Mutex
	usageUsed  int
	usageLimit int
	usageSeen  bool

	limitMu  sync.Mutex
	limitErr *DailyLimitError // set once Salesforce reported the daily limit

	renewals      atomic.Int64
	renewalMu     sync.Mutex
	renewedTokens []string // the tokens of the last counted renewals, at most maxTrackedTokens
	sessions      tokenUses
}

// New returns a Client that takes tokens from tokens.
func New(tokens TokenSource, opts Options) *Client {
	hc := opts.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	c := &Client{
		tokens:   tokens,
		agent:    opts.UserAgent,
		retry:    opts.Retry.WithDefaults(),
		sessions: newTokenUses(),
	}
	c.http = limitConcurrency(withLimitGate(hc, c), opts.MaxConcurrent)
	return c
}

// Do sends req with the current token and returns its response, of any
// HTTP status.
//
// Transient failures (HTTP 420, 429, 502, 503 and 504, SERVER_UNAVAILABLE,
// the ConcurrentRequests limit and failed connections) are retried with
// back-off when req.Idempotent is set. A call that failed before the
// request was written is retried whatever it is. When req.SessionRejected
// matches the response, Do refreshes the token and sends req again. When
// the new token is rejected too, Do renews again only if that token worked
// for another call, and otherwise returns the rejection as the response.
//
// Do returns an error when no response arrived (a *SendError, or the
// context's error), and a *DailyLimitError when Salesforce reported the
// daily request limit, on this call or on an earlier one of this Client.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if err := c.limitReached(req.Operation); err != nil {
		return nil, err
	}
	token, instanceURL, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	ctx = c.maskSecrets(ctx)
	for attempt := 1; ; attempt++ {
		c.sessions.begin(token)
		resp, err := c.send(ctx, req, token, instanceURL)
		rejected := err == nil && req.SessionRejected != nil && req.SessionRejected(resp)
		c.sessions.end(token, err == nil && !rejected)
		if !rejected {
			return resp, err
		}
		// The first rejection is renewed. A rejected renewed token is renewed
		// again only when it worked for other calls, because then it was used
		// up or expired rather than refused.
		if attempt > maxRenewalsPerCall || (attempt > 1 && !c.sessions.worked(ctx, token)) {
			return resp, nil
		}

		tflog.Debug(ctx, "Salesforce rejected the access token; refreshing it and repeating the call",
			map[string]any{"operation": req.Operation, "attempt": attempt + 1})
		renewed, err := c.tokens.Refresh(ctx, token)
		if err != nil {
			return nil, fmt.Errorf("%s: Salesforce rejected the session (INVALID_SESSION_ID), and refreshing the "+
				"access token failed: %w", req.Operation, err)
		}
		ctx = c.maskSecrets(ctx) // adds the new token
		if renewals, first := c.countRenewal(renewed); first {
			tflog.Info(ctx, "Renewed the Salesforce session after INVALID_SESSION_ID", map[string]any{
				"operation": req.Operation, "session_renewals": renewals,
			})
		}
		token, instanceURL, err = c.tokens.Token(ctx)
		if err != nil {
			return nil, err
		}
	}
}

// SessionRenewals returns how many new access tokens Do obtained after
// Salesforce rejected the current one. Calls rejected together share one
// renewal, and it counts once.
func (c *Client) SessionRenewals() int {
	return int(c.renewals.Load())
}

// countRenewal counts the renewal that produced token, unless a call
// rejected at the same time counted it already, and returns the count and
// whether this call counted it.
func (c *Client) countRenewal(token string) (int, bool) {
	c.renewalMu.Lock()
	defer c.renewalMu.Unlock()
	if slices.Contains(c.renewedTokens, token) {
		return int(c.renewals.Load()), false
	}
	c.renewedTokens = append(c.renewedTokens, token)
	if len(c.renewedTokens) > maxTrackedTokens {
		c.renewedTokens = c.renewedTokens[1:]
	}
	return int(c.renewals.Add(1)), true
}

// send sends req with token, retrying as Do describes, through
// go-retryablehttp with a retry policy that reads Salesforce's error code.
func (c *Client) send(ctx context.Context, req *Request, token, instanceURL string) (*Response, error) {
	httpReq, err := c.newHTTPRequest(ctx, req, token, instanceURL)
	if err != nil {
		return nil, err
	}
	call := &callState{client: c, ctx: ctx, req: req}
	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryMax:     c.retry.MaxRetries,
		RetryWaitMin: c.retry.WaitMin,
		RetryWaitMax: c.retry.WaitMax,
		CheckRetry:   call.checkRetry,
		Backoff:      call.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(retryablehttp.Logger, *http.Request, int) {
			call.start = time.Now()
		},
		PrepareRetry: func(*http.Request) error {
			// Another call may have hit the daily limit during the wait.
			if err := c.limitReached(req.Operation); err != nil {
				return err
			}
			return nil
		},
	}
	_, doErr := rc.Do(httpReq)

	var limitErr *DailyLimitError
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s: %s %s: %w", req.Operation, req.Method, pathOnly(req.Path), ctx.Err())
	case errors.As(doErr, &limitErr):
		return nil, limitErr
	case call.err != nil:
		return nil, call.err
	case call.resp == nil:
		return nil, fmt.Errorf("%s: sending %s %s: %w", req.Operation, req.Method, pathOnly(req.Path), unwrapURLError(doErr))
	case isDailyLimitCode(call.code, call.message):
		return nil, c.reachLimit(req.Operation, call.message)
	}
	return call.resp, nil
}

func (c *Client) newHTTPRequest(ctx context.Context, req *Request, token, instanceURL string) (*retryablehttp.Request, error) {
	var body []byte
	if req.Body != nil {
		b, err := req.Body(token)
		if err != nil {
			return nil, fmt.Errorf("%s: building the request body: %w", req.Operation, err)
		}
		body = b
	}
	target := strings.TrimRight(instanceURL, "/") + req.Path
	var rawBody any
	if body != nil {
		rawBody = body
	}
	httpReq, err := retryablehttp.NewRequestWithContext(withOperation(ctx, req.Operation), req.Method, target, rawBody)
	if err != nil {
		return nil, fmt.Errorf("%s: building the request: %w", req.Operation, unwrapURLError(err))
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

// callState is one call across its attempts: the outcome of the last
// attempt and what the retry policy needs to remember.
type callState struct {
	client *Client
	ctx    context.Context
	req    *Request

	start       time.Time
	edgeRetries int
	resp        *Response
	err         error
	code        string // Salesforce error code of the last attempt, or a network error label
	message     string
	lastStatus  int
}

// checkRetry is the go-retryablehttp CheckRetry policy. It records the
// attempt's outcome, reading the body so that the Salesforce error code
// can decide, and reports whether to send the call again.
func (s *callState) checkRetry(ctx context.Context, httpResp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		s.client.logCall(ctx, s.req, 0, time.Since(s.start), "")
		return false, ctx.Err()
	}
	var limitErr *DailyLimitError
	if errors.As(err, &limitErr) {
		// limitGate stopped the request before it was sent.
		s.resp, s.err = nil, limitErr
		return false, nil
	}
	if err != nil {
		s.client.logCall(ctx, s.req, 0, time.Since(s.start), "network_error")
		unsent := isUnsent(err)
		s.resp, s.lastStatus, s.code, s.message = nil, 0, "network_error", ""
		s.err = &SendError{Operation: s.req.Operation, Method: s.req.Method, Path: pathOnly(s.req.Path),
			Unsent: unsent, Err: unwrapURLError(err)}
		if isCertificateError(err) {
			return false, nil
		}
		return unsent || s.req.Idempotent, nil
	}

	body, readErr := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes))
	_ = httpResp.Body.Close()
	httpResp.Body = io.NopCloser(bytes.NewReader(body))
	s.client.recordUsage(httpResp.Header.Get("Sforce-Limit-Info"))
	s.lastStatus = httpResp.StatusCode
	if readErr != nil {
		s.client.logCall(ctx, s.req, httpResp.StatusCode, time.Since(s.start), "network_error")
		s.resp, s.code, s.message = nil, "network_error", ""
		s.err = fmt.Errorf("%s: reading the response to %s %s: %w", s.req.Operation, s.req.Method, pathOnly(s.req.Path), readErr)
		return s.req.Idempotent, nil
	}

	s.err = nil
	s.resp = &Response{Status: httpResp.StatusCode, Header: httpResp.Header, Body: body}
	s.code, s.message = "", ""
	if s.req.ErrorCode != nil && (httpResp.StatusCode < 200 || httpResp.StatusCode > 299) {
		s.code, s.message = s.req.ErrorCode(s.resp)
	}
	s.client.logCall(ctx, s.req, httpResp.StatusCode, time.Since(s.start), s.code)

	switch {
	case isDailyLimitCode(s.code, s.message):
		_ = s.client.reachLimit(s.req.Operation, s.message)
		return false, nil
	case !s.req.Idempotent:
		return false, nil
	case httpResp.StatusCode == StatusEdgeRouting:
		s.edgeRetries++
		return s.edgeRetries <= maxEdgeRoutingRetries, nil
	}
	return IsTransientStatus(httpResp.StatusCode) || IsTransientCode(s.code, s.message), nil
}

// backoff is the go-retryablehttp Backoff: the Retry schedule, or the
// Retry-After of a 429 or 503 when that is longer, capped at WaitMax. It
// logs the retry.
func (s *callState) backoff(_, _ time.Duration, attemptNum int, httpResp *http.Response) time.Duration {
	retry := s.client.retry
	wait := retry.Wait(attemptNum + 1)
	if httpResp != nil && (httpResp.StatusCode == http.StatusTooManyRequests || httpResp.StatusCode == http.StatusServiceUnavailable) {
		if after := retryAfter(httpResp.Header, time.Now()); after > wait {
			wait = min(after, retry.WaitMax)
		}
	}
	tflog.Info(s.ctx, "Retrying Salesforce API call after a transient failure", map[string]any{
		"operation":   s.req.Operation,
		"attempt":     attemptNum + 2,
		"wait_ms":     wait.Milliseconds(),
		"error_code":  s.code,
		"http_status": s.lastStatus,
	})
	return wait
}

// reachLimit latches the daily limit, so that no later call is sent, and
// returns the error for operation.
func (c *Client) reachLimit(operation, message string) *DailyLimitError {
	used, limit, known := c.APIUsage()
	c.limitMu.Lock()
	if c.limitErr == nil {
		c.limitErr = &DailyLimitError{Message: message, Used: used, Limit: limit, UsageKnown: known}
	}
	latched := *c.limitErr
	c.limitMu.Unlock()
	latched.Operation = operation
	return &latched
}

// limitReached returns the daily limit error for operation once the limit
// was reported, else nil.
func (c *Client) limitReached(operation string) error {
	c.limitMu.Lock()
	defer c.limitMu.Unlock()
	if c.limitErr == nil {
		return nil
	}
	latched := *c.limitErr
	latched.Operation = operation
	return &latched
}

// logCall logs one HTTP exchange at debug level. Bodies, headers and the
// query string (which holds SOQL) are left out.
func (c *Client) logCall(ctx context.Context, req *Request, status int, elapsed time.Duration, errorCode string) {
	fields := map[string]any{
		"operation":   req.Operation,
		"http_method": req.Method,
		"path":        pathOnly(req.Path),
		"http_status": status,
		"duration_ms": elapsed.Milliseconds(),
	}
	if errorCode != "" {
		fields["error_code"] = errorCode
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
