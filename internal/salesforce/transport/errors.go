package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// SendError is a call that got no HTTP response: the connection failed,
// timed out or closed before a response was read.
type SendError struct {
	Operation string
	Method    string
	Path      string // without the query string, which can hold SOQL
	// Unsent is true when the connection failed before the request was
	// written, such as a refused connection or a failed DNS lookup, so the
	// server never received the request.
	Unsent bool
	Err    error
}

func (e *SendError) Error() string {
	return fmt.Sprintf("%s: sending %s %s: %v", e.Operation, e.Method, e.Path, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// Transient reports whether sending again may succeed. A rejected TLS
// certificate will not change on a retry.
func (e *SendError) Transient() bool {
	return !isCertificateError(e.Err)
}

// DailyLimitError is the org's daily API request allocation used up: Salesforce
// returned REQUEST_LIMIT_EXCEEDED for the TotalRequests limit. Once a Client
// has seen it, every later call returns it without a request.
type DailyLimitError struct {
	Operation string
	Message   string // Salesforce's message, such as "TotalRequests Limit exceeded."
	// Used and Limit are the last api-usage values of Sforce-Limit-Info,
	// valid when UsageKnown is true.
	Used, Limit int
	UsageKnown  bool
}

func (e *DailyLimitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the org's daily API request allowance is used up (REQUEST_LIMIT_EXCEEDED", e.Operation)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	b.WriteString("). Salesforce counts API requests over a rolling 24-hour window, so requests become " +
		"available again as the calls of the last 24 hours age out. ")
	if e.UsageKnown {
		fmt.Fprintf(&b, "The last usage reported in Sforce-Limit-Info was %d/%d requests. ", e.Used, e.Limit)
	} else {
		b.WriteString("No response reported the usage in Sforce-Limit-Info before the limit was reached. ")
	}
	b.WriteString("The provider sends no further API calls in this run; run again later, reduce other " +
		"integrations' use of the org, or ask Salesforce for a higher allocation.")
	return b.String()
}

// IsTransient reports whether err is a failure that Salesforce documents as
// passing, such as SERVER_UNAVAILABLE, the concurrent-request limit, HTTP
// 502, 503 or 504, or a call that got no response. For a write, such a
// failure leaves it unknown whether the write took effect. Errors of the
// Metadata and REST clients report this through a Transient method.
func IsTransient(err error) bool {
	var t interface{ Transient() bool }
	return errors.As(err, &t) && t.Transient()
}

// IsDailyLimit reports whether err is, or wraps, a *DailyLimitError.
func IsDailyLimit(err error) bool {
	var limitErr *DailyLimitError
	return errors.As(err, &limitErr)
}

// Salesforce error codes the retry rules depend on.
const (
	CodeServerUnavailable    = "SERVER_UNAVAILABLE"
	CodeRequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
	CodeInvalidSessionID     = "INVALID_SESSION_ID"
)

// StatusEdgeRouting is HTTP 420, which Salesforce's edge network returns when
// it cannot route a request to the org's instance.
const StatusEdgeRouting = 420

// IsTransientStatus reports whether an HTTP status is one Salesforce
// documents as passing: 420, 429, 502, 503 and 504.
func IsTransientStatus(status int) bool {
	switch status {
	case StatusEdgeRouting, http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// IsTransientCode reports whether a Salesforce error code and message name
// a passing condition: SERVER_UNAVAILABLE, or REQUEST_LIMIT_EXCEEDED for the
// ConcurrentRequests limit. Every other code, the daily TotalRequests
// limit included, is not transient.
func IsTransientCode(code, message string) bool {
	switch code {
	case CodeServerUnavailable:
		return true
	case CodeRequestLimitExceeded:
		return strings.Contains(message, "ConcurrentRequests")
	}
	return false
}

// isDailyLimitCode reports whether a code and message are the daily limit.
//
// NOTE: Salesforce also uses REQUEST_LIMIT_EXCEEDED for other limits. Only
// a message naming TotalRequests is taken as the daily allocation.
func isDailyLimitCode(code, message string) bool {
	return code == CodeRequestLimitExceeded && strings.Contains(message, "TotalRequests")
}

// isUnsent reports whether a transport error happened while connecting, so
// that the request was never written.
func isUnsent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Op == "dial" || opErr.Op == "proxyconnect"
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

func isCertificateError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		invalid          x509.CertificateInvalidError
		hostname         x509.HostnameError
		verification     *tls.CertificateVerificationError
	)
	return errors.As(err, &unknownAuthority) || errors.As(err, &invalid) || errors.As(err, &hostname) ||
		errors.As(err, &verification)
}
