package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// maskComponentSecrets returns ctx with the consumer secret of app, when it
// carries one, masked in every log line.
func maskComponentSecrets(ctx context.Context, app *connectedapp.App) context.Context {
	secret, ok := app.Element().Child("oauthConfig").ChildText("consumerSecret")
	if !ok || strings.TrimSpace(secret) == "" {
		return ctx
	}
	return transport.MaskSecrets(ctx, []string{secret})
}

// MaskSecrets returns ctx with the session's tokens, client secret, refresh
// token and private key masked in every log line made with it.
func (c *Client) MaskSecrets(ctx context.Context) context.Context {
	return transport.MaskSecrets(ctx, c.session.Secrets())
}

// maxRedirects is how many redirects one request follows, as Go's default.
const maxRedirects = 10

// checkRedirect is the redirect policy of the default HTTP client. It
// rejects a redirect to plain http on a host that is not loopback, because
// following it would send the session id of a SOAP body, or a form with
// credentials, without TLS.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if err := auth.CheckURL("the redirect target", req.URL.String()); err != nil {
		return errors.New("rejected a redirect to " + req.URL.Redacted() + ": only https, or http on a loopback host, is followed")
	}
	return nil
}
