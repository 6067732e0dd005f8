package orgsim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// session is an access token and what it allows.
type session struct {
	user *user
	// expires is zero for tokens that never expire by time.
	expires time.Time
	uses    int
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

// issueSession creates an access token for u with the org's TTL. The caller
// holds o.mu.
func (o *Org) issueSession(u *user) string {
	token := o.orgID[:15] + "!AQ" + randomString(94, tokenAlphabet)
	s := &session{user: u}
	if o.tokenTTL > 0 {
		s.expires = o.now().Add(o.tokenTTL)
	}
	o.sessions[token] = s
	return token
}

// authenticate returns the session of token and counts one use of it, or
// nil when the token is unknown, expired or used up. The caller holds o.mu.
func (o *Org) authenticate(token string) *session {
	if token == "" {
		return nil
	}
	s, ok := o.sessions[token]
	if !ok {
		return nil
	}
	if !s.expires.IsZero() && !o.now().Before(s.expires) {
		delete(o.sessions, token)
		return nil
	}
	if o.tokenMaxUses > 0 && s.uses >= o.tokenMaxUses {
		delete(o.sessions, token)
		return nil
	}
	s.uses++
	return s
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return ""
	}
	return strings.TrimSpace(h[len(prefix):])
}

// dailyLimitMessage is the message of REQUEST_LIMIT_EXCEEDED when the daily
// API request allocation is used up.
const dailyLimitMessage = "TotalRequests Limit exceeded."

// setLimitInfo sets the Sforce-Limit-Info header to the org's API usage.
// The caller holds o.mu.
//
// NOTE: Salesforce documents the header on REST responses. That Metadata
// API SOAP responses carry it too is unconfirmed; the org sends it on both.
func (o *Org) setLimitInfo(w http.ResponseWriter) {
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", o.apiUsage, o.dailyLimit))
}

// consumeAPIRequest counts one API request against the daily allocation and
// reports whether the allocation allowed it. The caller holds o.mu.
func (o *Org) consumeAPIRequest() bool {
	if o.apiUsage >= o.dailyLimit {
		return false
	}
	o.apiUsage++
	return true
}
