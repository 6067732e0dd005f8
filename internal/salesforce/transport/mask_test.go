package transport

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// secretTokens is a token source that lists secrets besides its tokens,
// such as a client secret, and rejects its first token once.
type secretTokens struct {
	mu          sync.Mutex
	instanceURL string
	tokens      []string // the current token is the last
	extra       []string
}

func (s *secretTokens) Token(context.Context) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[len(s.tokens)-1], s.instanceURL, nil
}

func (s *secretTokens) Refresh(_ context.Context, rejected string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rejected == s.tokens[len(s.tokens)-1] {
		s.tokens = append(s.tokens, "00Dxx0000000001!renewed-session-token-2")
	}
	return s.tokens[len(s.tokens)-1], nil
}

func (s *secretTokens) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(append([]string(nil), s.tokens...), s.extra...)
}

func TestCallLogsMaskSecrets(t *testing.T) {
	const (
		firstToken   = "00Dxx0000000001!first-session-token-1" //nolint:gosec // test fixture, not a credential
		clientSecret = "client-secret-value-9d2f"              //nolint:gosec // test fixture, not a credential
	)
	rec := &recorder{reject: map[string]bool{firstToken: true}}
	srv := httptest.NewServer(http.HandlerFunc(rec.handler))
	defer srv.Close()
	tokens := &secretTokens{instanceURL: srv.URL, tokens: []string{firstToken}, extra: []string{clientSecret}}
	c := New(tokens, Options{Retry: Retry{MaxRetries: -1}})

	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	_, err := c.Do(ctx, &Request{
		Method: http.MethodPost,
		Path:   "/services/data/v68.0/sobjects/SetupEntityAccess",
		Bearer: true,
		Body:   func(token string) ([]byte, error) { return []byte(`{"secret":"` + clientSecret + `"}`), nil },
		SessionRejected: func(resp *Response) bool {
			return resp.Status == http.StatusUnauthorized
		},
		Operation: "create",
		// A field that a careless change might add: it must be masked.
		LogFields: map[string]any{"request_body": "secret=" + clientSecret, "note": "token " + firstToken},
	})
	if err != nil {
		t.Fatal(err)
	}

	output := logs.String()
	if !strings.Contains(output, "Salesforce API call") || !strings.Contains(output, "Renewed the Salesforce session") {
		t.Fatalf("the calls logged nothing, so the search below would prove nothing:\n%s", output)
	}
	for _, secret := range []string{firstToken, "00Dxx0000000001!renewed-session-token-2", clientSecret} {
		if strings.Contains(output, secret) {
			t.Errorf("the log contains %q:\n%s", secret, output)
		}
	}
	if !strings.Contains(output, `"request_body":"secret=***"`) {
		t.Errorf("the leaked field is not masked in place:\n%s", output)
	}
}

func TestMaskSecretsCoversMessagesAndKeys(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	ctx = MaskSecrets(ctx, []string{"s3cr3t-value-1234", ""})
	tflog.Info(ctx, "message with s3cr3t-value-1234 inside", map[string]any{
		"access_token":  "any value under this key",
		"Authorization": "Bearer anything",
		"private_key":   "-----BEGIN PRIVATE KEY-----",
		"plain":         "x s3cr3t-value-1234 y",
	})
	output := logs.String()
	for _, leaked := range []string{"s3cr3t-value-1234", "any value under this key", "Bearer anything", "BEGIN PRIVATE KEY"} {
		if strings.Contains(output, leaked) {
			t.Errorf("the log contains %q:\n%s", leaked, output)
		}
	}
	if !strings.Contains(output, "message with *** inside") || !strings.Contains(output, `"plain":"x *** y"`) {
		t.Errorf("the masks did not replace the secret in place:\n%s", output)
	}
}
