// Package auth turns the provider's authentication settings into a
// Salesforce access token, through the OAuth 2.0 flows of golang.org/x/oauth2,
// and keeps that token for the life of the provider.
package auth

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// DefaultLoginURL is the login host used when Config.LoginURL is empty.
const DefaultLoginURL = "https://login.salesforce.com"

// JWT audiences that Salesforce accepts for the JWT bearer flow.
const (
	ProductionAudience = "https://login.salesforce.com"
	SandboxAudience    = "https://test.salesforce.com"
)

// Config is the provider's authentication configuration. Attribute names in
// error messages use the Terraform spelling given beside each field.
type Config struct {
	LoginURL    string // login_url; DefaultLoginURL when empty
	InstanceURL string // instance_url; when empty, the instance_url of the token response

	ClientID     string // client_id: the connected app's consumer key
	ClientSecret string // client_secret: the consumer secret
	Username     string // username: the user a JWT bearer token is issued for

	// PrivateKeyPEM is private_key or the content of private_key_file: a
	// PEM-encoded RSA key, PKCS#1 or PKCS#8, without a passphrase.
	PrivateKeyPEM []byte

	// Audience is the JWT aud claim; DefaultAudience(LoginURL) when empty.
	Audience string

	RefreshToken string // refresh_token
	AccessToken  string // access_token, used as it is

	// HTTPClient sends the token requests; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Flow is the way a Session obtains its access token.
type Flow string

// The flows in the order SelectFlow tries them.
const (
	FlowAccessToken       Flow = "access_token"
	FlowJWTBearer         Flow = "jwt_bearer"
	FlowRefreshToken      Flow = "refresh_token"
	FlowClientCredentials Flow = "client_credentials"
)

// description returns the flow's name as messages spell it.
func (f Flow) description() string {
	switch f {
	case FlowAccessToken:
		return "access token"
	case FlowJWTBearer:
		return "JWT bearer"
	case FlowRefreshToken:
		return "refresh token"
	case FlowClientCredentials:
		return "client credentials"
	}
	return string(f)
}

// Terraform attribute names, as error messages spell them.
const (
	attrInstanceURL  = "instance_url"
	attrClientID     = "client_id"
	attrUsername     = "username"
	attrPrivateKey   = "private_key or private_key_file"
	attrRefreshToken = "refresh_token"
	attrClientSecret = "client_secret"
	attrLoginURL     = "login_url"
)

// noFlowMessage describes what each flow needs; SelectFlow returns it when
// no credential is set at all.
const noFlowMessage = "no Salesforce credentials are configured. Set one of: " +
	"access_token and instance_url; " +
	"client_id, username and private_key or private_key_file (JWT bearer flow); " +
	"client_id and refresh_token, plus client_secret when the connected app requires it (refresh token flow); " +
	"client_id and client_secret with login_url set to the org's My Domain (client credentials flow)"

// SelectFlow returns the first flow whose settings c contains, trying them
// in the order access token, JWT bearer, refresh token, client credentials.
// It also checks login_url and instance_url with CheckURL. When c holds only
// part of a flow's settings, the error names that flow and lists the missing
// attributes.
func SelectFlow(c Config) (Flow, error) {
	if err := CheckURL(attrLoginURL, c.loginURL()); err != nil {
		return "", err
	}
	if c.InstanceURL != "" {
		if err := CheckURL(attrInstanceURL, c.InstanceURL); err != nil {
			return "", err
		}
	}

	hasKey := len(c.PrivateKeyPEM) > 0
	switch {
	case c.AccessToken != "":
		return flowIfComplete(FlowAccessToken, "access_token", missing(attrInstanceURL, c.InstanceURL != ""))
	case hasKey || (c.Username != "" && c.RefreshToken == ""):
		return flowIfComplete(FlowJWTBearer, "the JWT bearer flow",
			missing(attrClientID, c.ClientID != ""),
			missing(attrUsername, c.Username != ""),
			missing(attrPrivateKey, hasKey))
	case c.RefreshToken != "":
		return flowIfComplete(FlowRefreshToken, "the refresh token flow", missing(attrClientID, c.ClientID != ""))
	case c.ClientSecret != "":
		flow, err := flowIfComplete(FlowClientCredentials, "the client credentials flow",
			missing(attrClientID, c.ClientID != ""))
		if err != nil {
			return "", err
		}
		return flow, checkClientCredentialsHost(c.loginURL())
	case c.ClientID != "":
		return "", errors.New("client_id is set, but no flow is complete. For the JWT bearer flow also set " +
			"username and private_key or private_key_file; for the refresh token flow set refresh_token; " +
			"for the client credentials flow set client_secret and set login_url to the org's My Domain")
	default:
		return "", errors.New(noFlowMessage)
	}
}

// missing returns name when present is false, else "".
func missing(name string, present bool) string {
	if present {
		return ""
	}
	return name
}

func flowIfComplete(flow Flow, description string, missingAttrs ...string) (Flow, error) {
	var names []string
	for _, name := range missingAttrs {
		if name != "" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return flow, nil
	}
	return "", fmt.Errorf("the settings given select %s, which also needs: %s", description, strings.Join(names, ", "))
}

// checkClientCredentialsHost rejects the shared login hosts, which Salesforce
// does not serve the client credentials flow on.
func checkClientCredentialsHost(loginURL string) error {
	u, err := url.Parse(loginURL)
	if err != nil {
		return fmt.Errorf("login_url %q is not a valid URL: %w", loginURL, err)
	}
	host := strings.ToLower(u.Hostname())
	if host == "login.salesforce.com" || host == "test.salesforce.com" {
		return fmt.Errorf("the client credentials flow needs login_url set to the org's My Domain "+
			"(such as https://example.my.salesforce.com), because Salesforce does not serve this flow on %s", host)
	}
	return nil
}

func (c Config) loginURL() string {
	if c.LoginURL == "" {
		return DefaultLoginURL
	}
	return c.LoginURL
}

func (c Config) tokenURL() string {
	return strings.TrimRight(c.loginURL(), "/") + "/services/oauth2/token"
}

func (c Config) audience() string {
	if c.Audience != "" {
		return c.Audience
	}
	return DefaultAudience(c.loginURL())
}

// DefaultAudience returns the JWT aud claim for a login URL: SandboxAudience
// for test.salesforce.com and sandbox My Domain hosts (ending in
// .sandbox.my.salesforce.com), else ProductionAudience.
func DefaultAudience(loginURL string) string {
	u, err := url.Parse(loginURL)
	if err != nil {
		return ProductionAudience
	}
	host := strings.ToLower(u.Hostname())
	if host == "test.salesforce.com" || strings.HasSuffix(host, ".sandbox.my.salesforce.com") {
		return SandboxAudience
	}
	return ProductionAudience
}

// CheckURL returns an error, naming the attribute attr, unless raw is an
// absolute https URL with a host and no user information. Plain http is
// accepted only for loopback hosts (127.0.0.0/8, ::1 and localhost).
func CheckURL(attr, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s %q is not a valid URL: %w", attr, raw, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%s %q must be an absolute URL such as https://example.my.salesforce.com", attr, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s must not contain user information", attr)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%s %q must use https; plain http is accepted only for loopback hosts "+
			"(127.0.0.0/8, ::1, localhost)", attr, raw)
	default:
		return fmt.Errorf("%s %q must use https", attr, raw)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
