package salesforce

import (
	"crypto/tls"
	"net/http"
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// newHTTPTransport returns the transport of the default HTTP client: Go's
// default transport, with the proxy taken from HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY (and their lower-case forms) as the client is made, and TLS
// verified against the system's certificate store.
//
// http.ProxyFromEnvironment applies the same golang.org/x/net/http/httpproxy
// rules but reads the variables only once per process. Reading them here
// lets each client, and each test, see the current environment.
func newHTTPTransport() *http.Transport {
	tr := cloneDefaultTransport()
	proxy := httpproxy.FromEnvironment().ProxyFunc()
	tr.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	// A nil RootCAs selects the system certificate store.
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return tr
}

func cloneDefaultTransport() *http.Transport {
	if tr, ok := http.DefaultTransport.(*http.Transport); ok {
		return tr.Clone()
	}
	return &http.Transport{}
}
