package orgsim

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// jwtClockSkew is how long after its exp claim an assertion is still
// accepted, and how far exp may lie beyond the documented three minutes.
//
// NOTE: Salesforce's clock-skew allowance is unconfirmed, and 30 seconds is
// a strict guess.
const jwtClockSkew = 30 * time.Second

// jwtMaxLifetime is the documented limit on how far in the future exp may
// be ("within 3 minutes").
const jwtMaxLifetime = 3 * time.Minute

// oauthError is an error response of the token endpoint.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

// NOTE: the error codes follow Salesforce's documented token errors; the
// wording of the descriptions is unconfirmed.
var (
	errInvalidClientID     = &oauthError{"invalid_client_id", "client identifier invalid"}
	errInvalidClientSecret = &oauthError{"invalid_client", "invalid client credentials"}
	errInvalidAssertion    = &oauthError{"invalid_grant", "invalid assertion"}
	errInvalidAudience     = &oauthError{"invalid_grant", "audience is invalid"}
	errExpiredAssertion    = &oauthError{"invalid_grant", "expired authorization code"}
	errUserNotApproved     = &oauthError{"invalid_grant", "user hasn't approved this consumer"}
	errExpiredRefreshToken = &oauthError{"invalid_grant", "expired access/refresh token"}
	errNoRunAsUser         = &oauthError{"invalid_grant", "no client credentials user enabled"}
	errUnsupportedGrant    = &oauthError{"unsupported_grant_type", "grant type not supported"}
)

// tokenResponse is the JSON body of a successful token request, fields in
// the order Salesforce sends them.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Signature   string `json:"signature"`
	Scope       string `json:"scope"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at"`
}

func (o *Org) handleToken(w http.ResponseWriter, r *http.Request, rec *requestRecord) {
	o.countCall(rec, "oauth.token")
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, &oauthError{"invalid_request", "the request body is not a valid form"})
		return
	}
	form := r.PostForm

	o.mu.Lock()
	defer o.mu.Unlock()
	var client *Client
	var u *user
	var err error
	switch grant := form.Get("grant_type"); grant {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		client, u, err = o.jwtBearerGrant(form.Get("assertion"))
	case "refresh_token":
		client, u, err = o.refreshTokenGrant(form.Get("client_id"), form.Get("client_secret"), form.Has("client_secret"), form.Get("refresh_token"))
	case "client_credentials":
		id, secret := form.Get("client_id"), form.Get("client_secret")
		if basicID, basicSecret, ok := r.BasicAuth(); ok {
			id, secret = basicID, basicSecret
		}
		client, u, err = o.clientCredentialsGrant(id, secret)
	default:
		err = errUnsupportedGrant
	}
	if err != nil {
		var oe *oauthError
		if !errors.As(err, &oe) {
			oe = &oauthError{"invalid_request", err.Error()}
		}
		writeJSON(w, http.StatusBadRequest, oe)
		return
	}

	instance := "http://" + r.Host
	issuedAt := strconv.FormatInt(o.now().UnixMilli(), 10)
	idURL := instance + "/id/" + o.orgID + "/" + u.id
	resp := tokenResponse{
		AccessToken: o.issueSession(u),
		Signature:   tokenSignature(client, idURL, issuedAt),
		Scope:       "api",
		InstanceURL: instance,
		ID:          idURL,
		TokenType:   "Bearer",
		IssuedAt:    issuedAt,
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// tokenSignature is an HMAC-SHA256 over the identity URL and issue time.
//
// NOTE: Salesforce keys the HMAC with the consumer secret; the exact input
// is unconfirmed. Clients without a secret use their consumer key here.
func tokenSignature(c *Client, idURL, issuedAt string) string {
	key := c.Secret
	if key == "" {
		key = c.ID
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(idURL + issuedAt))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

type jwtClaims struct {
	Issuer   string          `json:"iss"`
	Subject  string          `json:"sub"`
	Audience json.RawMessage `json:"aud"`
	Expiry   *json.Number    `json:"exp"`
}

// jwtBearerGrant checks an RS256 assertion: signature against the client's
// certificate, then aud, exp and sub. The caller holds o.mu.
func (o *Org) jwtBearerGrant(assertion string) (*Client, *user, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, nil, errInvalidAssertion
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims jwtClaims
	if decodeJWTPart(parts[0], &header) != nil || decodeJWTPart(parts[1], &claims) != nil {
		return nil, nil, errInvalidAssertion
	}

	client := o.clients[claims.Issuer]
	if client == nil {
		return nil, nil, errInvalidClientID
	}
	if header.Alg != "RS256" || len(client.JWTCertificatePEM) == 0 {
		return nil, nil, errInvalidAssertion
	}
	key, err := parseCertificateKey(client.JWTCertificatePEM)
	if err != nil {
		return nil, nil, errInvalidAssertion
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, nil, errInvalidAssertion
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil {
		return nil, nil, errInvalidAssertion
	}

	if !o.audienceAccepted(claims.Audience) {
		return nil, nil, errInvalidAudience
	}
	if claims.Expiry == nil {
		return nil, nil, errInvalidAssertion
	}
	expSeconds, err := claims.Expiry.Int64()
	if err != nil {
		return nil, nil, errInvalidAssertion
	}

	exp := time.Unix(expSeconds, 0)
	now := o.now()
	if !now.Before(exp.Add(jwtClockSkew)) {
		return nil, nil, errExpiredAssertion
	}
	// NOTE: the documentation requires exp within 3 minutes of now. Whether
	// Salesforce rejects a later exp is unconfirmed.
	if exp.After(now.Add(jwtMaxLifetime + jwtClockSkew)) {
		return nil, nil, errInvalidAssertion
	}
	if claims.Subject == "" || !contains(client.JWTUsernames, claims.Subject) {
		return nil, nil, errUserNotApproved
	}
	return client, o.userFor(claims.Subject), nil
}

func decodeJWTPart(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	return dec.Decode(v)
}

// audienceAccepted reports whether aud, a string or an array of strings,
// names an accepted audience.
func (o *Org) audienceAccepted(raw json.RawMessage) bool {
	var single string
	if json.Unmarshal(raw, &single) == nil {
		return contains(o.jwtAudiences, single)
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		return false
	}
	for _, aud := range list {
		if contains(o.jwtAudiences, aud) {
			return true
		}
	}
	return false
}

// parseCertificateKey returns the RSA public key of a PEM certificate.
func parseCertificateKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("JWT certificate: no PEM CERTIFICATE block found")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("JWT certificate: %w", err)
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("JWT certificate: the key is not an RSA key, and RS256 needs one")
	}
	return key, nil
}

// refreshTokenGrant redeems a refresh token. The caller holds o.mu.
//
// NOTE: a real app requires client_secret only when its
// isSecretRequiredForRefreshToken is true, the default. Here a client with a
// Secret always requires it.
func (o *Org) refreshTokenGrant(clientID, secret string, hasSecret bool, refreshToken string) (*Client, *user, error) {
	client := o.clients[clientID]
	if client == nil {
		return nil, nil, errInvalidClientID
	}
	if client.Secret != "" && (!hasSecret || !equalSecret(secret, client.Secret)) {
		return nil, nil, errInvalidClientSecret
	}
	if refreshToken == "" || !contains(client.RefreshTokens, refreshToken) {
		return nil, nil, errExpiredRefreshToken
	}
	return client, o.adminUser, nil
}

// clientCredentialsGrant issues a token for the client's run-as user. The
// caller holds o.mu.
//
// NOTE: Salesforce accepts this flow only on the org's My Domain host. The
// simulator cannot tell hosts apart on loopback, so it accepts any host.
func (o *Org) clientCredentialsGrant(clientID, secret string) (*Client, *user, error) {
	client := o.clients[clientID]
	if client == nil {
		return nil, nil, errInvalidClientID
	}
	if client.Secret == "" || !equalSecret(secret, client.Secret) {
		return nil, nil, errInvalidClientSecret
	}
	if client.RunAsUsername == "" {
		return nil, nil, errNoRunAsUser
	}
	return client, o.userFor(client.RunAsUsername), nil
}

func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// handleIdentity serves the identity URL of a token response.
//
// NOTE: the responses to a bad token (403 Bad_OAuth_Token) and to a
// foreign Id (403 Bad_Id) are unconfirmed.
func (o *Org) handleIdentity(w http.ResponseWriter, r *http.Request, rec *requestRecord) {
	o.countCall(rec, "identity")
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.authenticate(bearerToken(r))
	if s == nil {
		writeText(w, http.StatusForbidden, "Bad_OAuth_Token")
		return
	}
	var target *user
	for _, u := range o.users {
		if sameID(u.id, r.PathValue("userId")) {
			target = u
		}
	}
	if !sameID(o.orgID, r.PathValue("orgId")) || target == nil {
		writeText(w, http.StatusForbidden, "Bad_Id")
		return
	}
	instance := "http://" + r.Host
	writeJSON(w, http.StatusOK, map[string]any{
		"id":              instance + "/id/" + o.orgID + "/" + target.id,
		"asserted_user":   target == s.user,
		"user_id":         target.id,
		"organization_id": o.orgID,
		"username":        target.username,
		"display_name":    target.name,
		"active":          true,
		"user_type":       "STANDARD",
		"urls": map[string]string{
			"metadata": instance + "/services/Soap/m/{version}/" + o.orgID[:15],
			"rest":     instance + "/services/data/v{version}/",
			"sobjects": instance + "/services/data/v{version}/sobjects/",
			"query":    instance + "/services/data/v{version}/query/",
		},
	})
}
