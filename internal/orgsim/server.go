package orgsim

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a simulated org served over HTTP on a loopback address.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:40123.
	URL string
	// Org is the org the server serves.
	Org *Org

	listener net.Listener
	server   *http.Server
	done     chan struct{}
}

// Start makes an org from opts and serves it on 127.0.0.1 at a free port.
func Start(opts Options) (*Server, error) {
	return Listen("127.0.0.1:0", opts)
}

// Listen makes an org from opts and serves it on addr, which must be a
// loopback address such as 127.0.0.1:8443 or [::1]:0.
func Listen(addr string, opts Options) (*Server, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	org, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("orgsim: %w", err)
	}
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		Org:      org,
		listener: ln,
		server:   &http.Server{Handler: org.Handler(), ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && org.logf != nil {
			org.logf("orgsim: serving failed: %v", err)
		}
	}()
	return s, nil
}

// checkLoopback rejects listen addresses that are not loopback IPs.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("orgsim: invalid listen address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("orgsim: listen address %q is not a loopback IP; use 127.0.0.1:PORT or [::1]:PORT", addr)
	}
	return nil
}

// Close stops the server and closes its connections.
func (s *Server) Close() {
	_ = s.server.Close()
	<-s.done
}
