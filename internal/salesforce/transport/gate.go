package transport

import (
	"context"
	"net/http"
)

// limitGate is the innermost http.RoundTripper of a Client. It checks the
// daily limit latch right before each request goes out, after the request
// got its slot among the requests in flight. A call that waited for a slot
// while another call hit the limit is then not sent.
type limitGate struct {
	base   http.RoundTripper
	client *Client
}

func (g *limitGate) RoundTrip(r *http.Request) (*http.Response, error) {
	operation, _ := r.Context().Value(operationKey{}).(string)
	if err := g.client.limitReached(operation); err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	return g.base.RoundTrip(r)
}

// operationKey is the context key of a call's operation name, for the
// error of limitGate.
type operationKey struct{}

func withOperation(ctx context.Context, operation string) context.Context {
	return context.WithValue(ctx, operationKey{}, operation)
}

// withLimitGate returns a copy of hc whose transport passes through the
// daily limit latch of c.
func withLimitGate(hc *http.Client, c *Client) *http.Client {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	gated := *hc
	gated.Transport = &limitGate{base: base, client: c}
	return &gated
}
