package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
)

// TokenError is an error response of the Salesforce token endpoint. It holds
// the OAuth error code and description and never the credentials sent.
type TokenError struct {
	Code        string // OAuth "error", such as invalid_grant
	Description string // OAuth "error_description"
	Flow        Flow
	Status      int // HTTP status of the token response
	// Body describes a response that is no OAuth document, such as "is an
	// HTML page", and is empty when the response was JSON or form data.
	Body string
	// ClientID and Username name the consumer key and the user of the
	// request, which are identifiers, not secrets.
	ClientID string
	Username string
}

// rotationHint explains why a refresh token that worked before fails now.
const rotationHint = "A refresh token from an app with refresh token rotation is invalidated on first use, " +
	"so it cannot be reused by another run; use JWT bearer or client credentials in pipelines."

func (e *TokenError) Error() string {
	if e.Code == "" && e.Body != "" {
		return fmt.Sprintf("the Salesforce token endpoint answered the %s token request with HTTP %d, and the "+
			"response %s instead of a JSON token response. Salesforce serves such pages during maintenance; "+
			"try again later, and check that login_url is the org's login host or My Domain URL",
			e.Flow.description(), e.Status, e.Body)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Salesforce rejected the %s token request", e.Flow.description())
	switch {
	case e.Code != "" && e.Description != "":
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Description)
	case e.Code != "":
		fmt.Fprintf(&b, ": %s", e.Code)
	default:
		fmt.Fprintf(&b, " with HTTP status %d and no OAuth error code", e.Status)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString(". ")
		b.WriteString(hint)
	}
	return b.String()
}

// hint returns what to change for the common error codes, or "".
func (e *TokenError) hint() string {
	desc := strings.ToLower(e.Description)
	switch e.Code {
	case "invalid_grant":
		return e.invalidGrantHint(desc)
	case "invalid_client_id":
		return "Check client_id: it must be the consumer key of a connected app in this org."
	case "invalid_client", "invalid_client_credentials":
		if strings.Contains(desc, "must be installed") || strings.Contains(desc, "not installed") {
			return "The connected app is not installed in this org. An admin installs it under Setup > Connected " +
				"Apps OAuth Usage, or gives the user the permission Approve Uninstalled Connected Apps."
		}
		return "Check client_secret: it must be the consumer secret of the connected app whose consumer key is client_id."
	case "OAUTH_APPROVAL_ERROR_GENERIC":
		return "Salesforce blocked the app for this user. Check under Setup > Connected Apps OAuth Usage that the " +
			"app is installed and not blocked, and that the user may use it."
	case "inactive_user":
		return "The user is inactive; activate the user or authenticate as another user."
	case "inactive_org":
		return "The org is locked, deleted or inactive; check that login_url points to the intended org."
	case "unsupported_grant_type":
		return "The connected app or the login host does not allow this flow; enable the flow on the connected app " +
			"(for client credentials, enable the client credentials flow and set its run-as user) and check login_url."
	case "rate_limit_exceeded":
		return "Salesforce limits how often one user may request tokens; wait before running again."
	}
	return ""
}

func (e *TokenError) invalidGrantHint(desc string) string {
	switch {
	case strings.Contains(desc, "hasn't approved this consumer") || strings.Contains(desc, "has not approved"):
		return fmt.Sprintf("Pre-authorize the user %q for the connected app with consumer key %q: set the app's "+
			"permitted users to admin-approved and assign the user's profile or a permission set to the app, or "+
			"have the user approve the app once.", e.Username, e.ClientID)
	case strings.Contains(desc, "audience"):
		return "Set audience to https://login.salesforce.com for production orgs or https://test.salesforce.com " +
			"for sandboxes, or set login_url to the org's login host."
	case e.Flow == FlowRefreshToken:
		return "The refresh token is expired, revoked or already used. " + rotationHint
	case e.Flow == FlowJWTBearer:
		return "Check username, and that the certificate on the connected app matches private_key."
	case e.Flow == FlowClientCredentials:
		return "Check that the connected app enables the client credentials flow and names a run-as user."
	}
	return ""
}

// tokenError converts an error from golang.org/x/oauth2 into a *TokenError
// when it carries an OAuth error response. Other errors, such as network
// failures, are wrapped with the flow and the token URL.
func tokenError(flow Flow, cfg Config, tokenURL string, err error) error {
	var retrieve *oauth2.RetrieveError
	if !errors.As(err, &retrieve) {
		return fmt.Errorf("requesting a Salesforce access token (%s flow) from %s: %w", flow.description(), tokenURL, err)
	}
	te := &TokenError{Code: retrieve.ErrorCode, Description: retrieve.ErrorDescription, Flow: flow,
		ClientID: cfg.ClientID, Username: cfg.Username}
	if retrieve.Response != nil {
		te.Status = retrieve.Response.StatusCode
	}
	// The jwt package leaves ErrorCode empty, so the body is parsed here.
	if te.Code == "" {
		var body struct {
			Error            string `json:"error"`
			ErrorDescription string `json:"error_description"`
		}
		if json.Unmarshal(retrieve.Body, &body) == nil {
			te.Code, te.Description = body.Error, body.ErrorDescription
		}
	}
	return te
}
