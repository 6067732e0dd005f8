package auth

import (
	"errors"
	"strings"
	"sync"
)

// minSecretLength is the length below which a value is not masked. Salesforce
// tokens, secrets and keys are far longer, and masking a short value would
// also mask ordinary words in log lines.
const minSecretLength = 8

// maxRecentTokens bounds how many issued access and refresh tokens a
// secretSet keeps besides the configured secrets. A token older than that
// has been replaced that many times, and Salesforce no longer accepts it.
const maxRecentTokens = 16

// secretSet is the secret values a Session has seen: the configured ones
// and the tokens issued since. It is safe for concurrent use.
type secretSet struct {
	mu         sync.Mutex
	configured []string
	recent     []string // issued tokens, oldest first, at most maxRecentTokens
}

// addConfigured adds the secret values of cfg: client_secret, refresh_token,
// access_token and the private key, whole and line by line, because a log
// line may carry the PEM text with its newlines escaped.
func (s *secretSet) addConfigured(cfg Config) {
	values := []string{cfg.ClientSecret, cfg.RefreshToken, cfg.AccessToken}
	if key := strings.TrimSpace(string(cfg.PrivateKeyPEM)); key != "" {
		values = append(values, key)
		var body strings.Builder
		for _, line := range strings.Split(key, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "-----") || strings.Contains(line, ":") {
				continue
			}
			values = append(values, line)
			body.WriteString(line)
		}
		values = append(values, body.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) >= minSecretLength && !contains(s.configured, v) {
			s.configured = append(s.configured, v)
		}
	}
}

// addIssued adds tokens from a token response.
func (s *secretSet) addIssued(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range tokens {
		if len(v) < minSecretLength || contains(s.configured, v) || contains(s.recent, v) {
			continue
		}
		s.recent = append(s.recent, v)
		if len(s.recent) > maxRecentTokens {
			s.recent = s.recent[1:]
		}
	}
}

func (s *secretSet) values() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.configured)+len(s.recent))
	out = append(out, s.configured...)
	return append(out, s.recent...)
}

// redact replaces every secret value in text with "***".
func (s *secretSet) redact(text string) string {
	for _, v := range s.values() {
		text = strings.ReplaceAll(text, v, "***")
	}
	return text
}

func contains(values []string, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// Secrets returns the secret values the session holds: the configured
// client secret, refresh token, access token and private key, and the
// tokens issued since. The transport masks them in every log line.
func (s *Session) Secrets() []string {
	return s.secrets.values()
}

// tokenFailure turns a failed token request into the error Session
// returns. A response that was empty, HTML or malformed JSON gives a
// *TokenError whose Body describes it, and any other failure the error of
// tokenError. A secret quoted in the error, as an echoing proxy might send
// it, is replaced.
func (s *Session) tokenFailure(err error, recorder *tokenResponseRecorder) error {
	if status, problem, ok := recorder.describe(); ok {
		return &TokenError{Flow: s.flow, Status: status, Body: problem, ClientID: s.cfg.ClientID, Username: s.cfg.Username}
	}
	err = tokenError(s.flow, s.cfg, s.cfg.tokenURL(), err)
	var tokenErr *TokenError
	if errors.As(err, &tokenErr) {
		tokenErr.Code = s.secrets.redact(tokenErr.Code)
		tokenErr.Description = s.secrets.redact(tokenErr.Description)
	}
	return s.secrets.redactError(err)
}

// redactError returns err, or, when its message quotes a secret, an error
// with the secret replaced that still unwraps to err.
func (s *secretSet) redactError(err error) error {
	msg := err.Error()
	if redacted := s.redact(msg); redacted != msg {
		return &redactedError{msg: redacted, err: err}
	}
	return err
}

// redactedError is an error whose message has its secrets replaced.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
