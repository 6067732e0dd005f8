package orgsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// requestRecord wraps the response of one request to note its status and
// operation for the request log.
type requestRecord struct {
	http.ResponseWriter
	status    int
	operation string
}

func (rec *requestRecord) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *requestRecord) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (rec *requestRecord) Unwrap() http.ResponseWriter {
	return rec.ResponseWriter
}

// Handler returns the HTTP handler that serves the org's endpoints:
//
//	POST /services/oauth2/token                 OAuth 2.0 token endpoint
//	GET  /id/{orgId}/{userId}                   identity URL
//	POST /services/Soap/m/{version}[/{orgId}]   Metadata API (SOAP 1.1)
//	GET  /services/data/                        REST API versions
//	     /services/data/v{version}/...          REST API: query, sobjects
//	GET  /_orgsim/calls                         call counts as JSON, unauthenticated
func (o *Org) Handler() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request, *requestRecord)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			rec, ok := w.(*requestRecord)
			if !ok {
				rec = &requestRecord{ResponseWriter: w}
			}
			h(rec, r, rec)
		})
	}
	handle("POST /services/oauth2/token", o.handleToken)
	handle("GET /id/{orgId}/{userId}", o.handleIdentity)
	handle("POST /services/Soap/m/{version}", o.handleSOAP)
	handle("POST /services/Soap/m/{version}/{orgId}", o.handleSOAP)
	handle("GET /services/data/{$}", o.handleVersions)
	handle("/services/data/{version}/{rest...}", o.handleREST)
	handle("GET /_orgsim/calls", o.handleCalls)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &requestRecord{ResponseWriter: w}
		r.Body = http.MaxBytesReader(rec, r.Body, maxRequestBytes)
		if !o.wait(r) {
			return
		}
		mux.ServeHTTP(rec, r)
		if o.logf != nil {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			operation := rec.operation
			if operation == "" {
				operation = "-"
			}
			o.logf("orgsim: request method=%s path=%s operation=%s status=%d", r.Method, r.URL.Path, operation, status)
		}
	})
}

// wait sleeps for the configured latency and reports whether the request
// should still be handled: false when its context ended first. The
// unauthenticated /_orgsim/ endpoints are not delayed.
func (o *Org) wait(r *http.Request) bool {
	if o.latency <= 0 || strings.HasPrefix(r.URL.Path, "/_orgsim/") {
		return true
	}
	timer := time.NewTimer(o.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// countCall records one call of operation.
func (o *Org) countCall(rec *requestRecord, operation string) {
	rec.operation = operation
	o.mu.Lock()
	o.calls[operation]++
	o.mu.Unlock()
}

func (o *Org) handleCalls(w http.ResponseWriter, _ *http.Request, _ *requestRecord) {
	writeJSON(w, http.StatusOK, o.Calls())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "orgsim: encoding the response failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}
