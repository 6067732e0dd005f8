package auth

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"
)

// jwtLifetime is the exp claim's distance from now. Salesforce rejects a
// JWT bearer assertion whose exp is more than three minutes away.
const jwtLifetime = 3 * time.Minute

// Session holds one access token for the life of the provider and fetches a
// new one only when Salesforce rejects the current one. It is safe for
// concurrent use.
type Session struct {
	cfg  Config
	flow Flow

	mu           sync.Mutex // held across token requests, so concurrent callers fetch once
	accessToken  string
	instanceURL  string
	refreshToken string // the current one; refresh token rotation replaces it on every use

	secrets secretSet // every secret value seen, for masking in logs
}

// NewSession selects the flow for cfg and checks its private key. It sends
// no request: the first Token call fetches the token.
func NewSession(cfg Config) (*Session, error) {
	flow, err := SelectFlow(cfg)
	if err != nil {
		return nil, err
	}
	if flow == FlowJWTBearer {
		if err := checkPrivateKey(cfg.PrivateKeyPEM); err != nil {
			return nil, err
		}
	}
	s := &Session{cfg: cfg, flow: flow, refreshToken: cfg.RefreshToken}
	s.secrets.addConfigured(cfg)
	if flow == FlowAccessToken {
		s.accessToken = cfg.AccessToken
		s.instanceURL = cfg.InstanceURL
	}
	return s, nil
}

// Flow returns the flow the session uses.
func (s *Session) Flow() Flow {
	return s.flow
}

// Token returns the current access token and instance URL, fetching them on
// the first call.
func (s *Session) Token(ctx context.Context) (accessToken, instanceURL string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.accessToken == "" {
		if err := s.fetch(ctx); err != nil {
			return "", "", err
		}
	}
	return s.accessToken, s.instanceURL, nil
}

// Refresh returns a new access token after Salesforce rejected the token
// rejected. When another caller has already replaced rejected, Refresh
// returns the current token without a request, so concurrent callers that
// saw the same rejection refresh once. The access_token flow cannot refresh,
// and returns an error.
func (s *Session) Refresh(ctx context.Context, rejected string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.accessToken != "" && s.accessToken != rejected {
		return s.accessToken, nil
	}
	if s.flow == FlowAccessToken {
		return "", errors.New("access_token rejected: Salesforce no longer accepts it (expired or revoked); " +
			"supply a new access_token, or configure a flow that can refresh: JWT bearer, refresh token " +
			"or client credentials")
	}
	if err := s.fetch(ctx); err != nil {
		return "", err
	}
	return s.accessToken, nil
}

// fetch requests a token with the session's flow and stores it. The caller
// holds s.mu.
func (s *Session) fetch(ctx context.Context) error {
	hc := s.cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	hc, recorder := recordTokenResponses(hc)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)

	var tok *oauth2.Token
	var err error
	switch s.flow {
	case FlowJWTBearer:
		tok, err = s.jwtConfig().TokenSource(ctx).Token()
	case FlowRefreshToken:
		tok, err = s.refreshTokenSource(ctx).Token()
	case FlowClientCredentials:
		tok, err = s.clientCredentialsConfig().Token(ctx)
	default:
		return fmt.Errorf("flow %q does not request tokens", s.flow)
	}
	if err != nil {
		return s.tokenFailure(err, recorder)
	}
	s.secrets.addIssued(tok.AccessToken, tok.RefreshToken)
	if tok.AccessToken == "" {
		return fmt.Errorf("the Salesforce token response (%s flow) has no access_token", s.flow.description())
	}

	instanceURL, err := s.instanceURLFrom(tok)
	if err != nil {
		return s.secrets.redactError(err)
	}
	s.accessToken = tok.AccessToken
	s.instanceURL = instanceURL
	if tok.RefreshToken != "" {
		s.refreshToken = tok.RefreshToken
	}
	return nil
}

func (s *Session) instanceURLFrom(tok *oauth2.Token) (string, error) {
	if s.cfg.InstanceURL != "" {
		return s.cfg.InstanceURL, nil
	}
	raw, _ := tok.Extra("instance_url").(string)
	if raw == "" {
		return "", fmt.Errorf("the Salesforce token response (%s flow) has no instance_url; set instance_url", s.flow.description())
	}
	if err := CheckURL("instance_url in the token response", raw); err != nil {
		return "", err
	}
	return raw, nil
}

// jwtConfig signs an RS256 assertion with iss = client_id, sub = username,
// aud and exp, the claims the Salesforce JWT bearer flow reads. The jwt
// package also adds iat and prn (a copy of sub).
func (s *Session) jwtConfig() *jwt.Config {
	return &jwt.Config{
		Email:      s.cfg.ClientID,
		Subject:    s.cfg.Username,
		PrivateKey: s.cfg.PrivateKeyPEM,
		TokenURL:   s.cfg.tokenURL(),
		Audience:   s.cfg.audience(),
		Expires:    jwtLifetime,
	}
}

// refreshTokenSource returns a source that always requests a new token,
// because it starts from a token with no access token. Salesforce sends no
// expires_in, so a source that cached tokens would never refresh.
func (s *Session) refreshTokenSource(ctx context.Context) oauth2.TokenSource {
	conf := &oauth2.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.cfg.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: s.cfg.tokenURL(), AuthStyle: oauth2.AuthStyleInParams},
	}
	return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: s.refreshToken})
}

func (s *Session) clientCredentialsConfig() *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.cfg.ClientSecret,
		TokenURL:     s.cfg.tokenURL(),
		AuthStyle:    oauth2.AuthStyleInParams,
	}
}

// checkPrivateKey returns an error unless pemBytes is an unencrypted PEM
// RSA key in PKCS#1 or PKCS#8 form. The error never quotes the key.
func checkPrivateKey(pemBytes []byte) error {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return errors.New("private_key is not PEM-encoded; expected a block such as -----BEGIN PRIVATE KEY-----")
	}
	//nolint:staticcheck // IsEncryptedPEMBlock only detects the legacy encryption it names.
	if x509.IsEncryptedPEMBlock(block) || block.Type == "ENCRYPTED PRIVATE KEY" {
		return errors.New("private_key is encrypted; supply the RSA key without a passphrase")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("private_key (PEM type %q) is not an RSA private key in PKCS#1 or PKCS#8 form", block.Type)
	}
	if _, ok := key.(*rsa.PrivateKey); !ok {
		return fmt.Errorf("private_key is a %T key; the JWT bearer flow signs with RS256 and needs an RSA key", key)
	}
	return nil
}
