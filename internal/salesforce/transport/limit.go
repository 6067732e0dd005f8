package transport

import (
	"io"
	"net/http"
	"sync"
)

// limitedTransport lets at most cap(slots) requests be in flight at once. A
// request holds its slot from the moment it is sent until its response
// body is closed, and waits for a slot no longer than its context allows.
type limitedTransport struct {
	base  http.RoundTripper
	slots chan struct{}
}

func (t *limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	select {
	case t.slots <- struct{}{}:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	release := sync.OnceFunc(func() { <-t.slots })
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releasingBody frees the request's slot when the body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// limitConcurrency returns a copy of hc whose transport lets at most n
// requests be in flight, or hc itself when n is not positive.
func limitConcurrency(hc *http.Client, n int) *http.Client {
	if n <= 0 {
		return hc
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	limited := *hc
	limited.Transport = &limitedTransport{base: base, slots: make(chan struct{}, n)}
	return &limited
}
