package auth

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sync"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// maxRecordedBody is how much of a token response tokenResponseRecorder
// keeps. Salesforce's token responses are below 2 KiB.
const maxRecordedBody = 64 << 10

// tokenResponseRecorder is an http.RoundTripper that keeps the status, the
// headers and the first maxRecordedBody bytes of the last response, so that
// a token response golang.org/x/oauth2 cannot read can be described. It
// never logs what it keeps.
type tokenResponseRecorder struct {
	base http.RoundTripper

	mu     sync.Mutex
	seen   bool
	status int
	header http.Header
	body   bytes.Buffer
	cut    bool // the body was longer than maxRecordedBody
}

// recordTokenResponses returns a copy of hc whose transport records its
// responses, and the recorder.
func recordTokenResponses(hc *http.Client) (*http.Client, *tokenResponseRecorder) {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	rec := &tokenResponseRecorder{base: base}
	recording := *hc
	recording.Transport = rec
	return &recording, rec
}

func (r *tokenResponseRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.seen, r.status, r.header, r.cut = true, resp.StatusCode, resp.Header.Clone(), false
	r.body.Reset()
	r.mu.Unlock()
	resp.Body = &recordingBody{ReadCloser: resp.Body, recorder: r}
	return resp, nil
}

func (r *tokenResponseRecorder) keep(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	room := maxRecordedBody - r.body.Len()
	if len(p) > room {
		p, r.cut = p[:room], true
	}
	r.body.Write(p)
}

// describe returns the HTTP status and what is wrong with the last response
// when it was empty, HTML, or JSON that does not parse. It returns false for
// any other response and when no response arrived.
func (r *tokenResponseRecorder) describe() (status int, problem string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen {
		return 0, "", false
	}
	body := r.body.Bytes()
	if problem, ok := transport.DescribeBody(r.header, body); ok {
		return r.status, problem, true
	}
	mediaType, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if !r.cut && (mediaType == "application/json" || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))) &&
		!json.Valid(body) {
		return r.status, "is truncated or malformed JSON", true
	}
	return 0, "", false
}

// recordingBody passes reads through and keeps a copy in its recorder.
type recordingBody struct {
	io.ReadCloser
	recorder *tokenResponseRecorder
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.recorder.keep(p[:n])
	}
	return n, err
}
