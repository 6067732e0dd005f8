package transport

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// SecretSource lists the secret values of a session: tokens, client
// secrets, refresh tokens and private keys. *auth.Session implements it.
// When the TokenSource of a Client implements it, the Client masks those
// values in every log line of its calls.
type SecretSource interface {
	Secrets() []string
}

// sensitiveLogKeys are log field keys whose values are masked whatever they
// hold.
var sensitiveLogKeys = []string{
	"access_token", "refresh_token", "client_secret", "consumer_secret", "private_key", "assertion",
	"authorization", "Authorization", "session_id", "sessionId", "password",
}

// MaskSecrets returns ctx with tflog masks for secrets, in messages and in
// string field values, and for the values of fields with a sensitive key
// such as access_token. The masks apply to every log call made with the
// returned context or one derived from it.
func MaskSecrets(ctx context.Context, secrets []string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, sensitiveLogKeys...)
	var values []string
	for _, s := range secrets {
		if s != "" {
			values = append(values, s)
		}
	}
	if len(values) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, values...)
	return tflog.MaskMessageStrings(ctx, values...)
}

// maskSecrets returns ctx with masks for the current secrets of c's token
// source.
func (c *Client) maskSecrets(ctx context.Context) context.Context {
	var secrets []string
	if source, ok := c.tokens.(SecretSource); ok {
		secrets = source.Secrets()
	}
	return MaskSecrets(ctx, secrets)
}
