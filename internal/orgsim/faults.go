package orgsim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// faultKind is one transient failure the org can inject into an API call.
type faultKind int

const (
	// faultServerUnavailable is the SOAP fault sf:SERVER_UNAVAILABLE with
	// HTTP 500, or HTTP 503 with the REST error code SERVER_UNAVAILABLE.
	faultServerUnavailable faultKind = iota
	// faultConcurrentLimit is REQUEST_LIMIT_EXCEEDED with a message naming
	// the ConcurrentRequests limit.
	faultConcurrentLimit
	// faultBadGateway is HTTP 502 with an HTML page, as an edge proxy sends
	// when it cannot reach the instance.
	faultBadGateway
	// faultGatewayTimeout is HTTP 504 with an HTML page.
	faultGatewayTimeout
	// faultMaintenancePage is HTTP 503 with an HTML page and no SOAP fault
	// or JSON error body.
	faultMaintenancePage
	// faultConnectionReset closes the connection without a response, as a
	// timeout or a dropped connection looks to the client.
	faultConnectionReset
)

var faultNames = map[faultKind]string{
	faultServerUnavailable: "server_unavailable",
	faultConcurrentLimit:   "concurrent_requests",
	faultBadGateway:        "bad_gateway",
	faultGatewayTimeout:    "gateway_timeout",
	faultMaintenancePage:   "maintenance_page",
	faultConnectionReset:   "connection_reset",
}

func (k faultKind) String() string { return faultNames[k] }

// Fault kinds that an injected fault picks from. The concurrent-request
// limit rejects a call before it runs, so it never follows a committed
// write.
var (
	faultsBeforeCommit = []faultKind{
		faultServerUnavailable, faultConcurrentLimit, faultBadGateway,
		faultGatewayTimeout, faultMaintenancePage, faultConnectionReset,
	}
	faultsAfterCommit = []faultKind{
		faultServerUnavailable, faultBadGateway, faultGatewayTimeout,
		faultMaintenancePage, faultConnectionReset,
	}
)

// apiKind is the wire format of a faulted call.
type apiKind int

const (
	apiSOAP apiKind = iota
	apiREST
)

// writeOperations are the counted operations that change org state.
var writeOperations = map[string]bool{
	"metadata.createMetadata": true,
	"metadata.updateMetadata": true,
	"metadata.deleteMetadata": true,
	"metadata.renameMetadata": true,
	"rest.sobjects.create":    true,
	"rest.sobjects.delete":    true,
}

// faultInjector picks the calls that fail, from a seeded generator so that
// a run with the same seed and the same call order fails the same calls.
type faultInjector struct {
	mu          sync.Mutex
	rate        float64
	afterCommit float64
	rng         *rand.Rand
	injected    map[string]int
}

func newFaultInjector(rate, afterCommit float64, seed uint64) *faultInjector {
	//nolint:gosec // A seed must repeat the same faults, so the generator is deterministic on purpose.
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &faultInjector{rate: rate, afterCommit: afterCommit, rng: rng, injected: map[string]int{}}
}

// faultPlan is the fault chosen for one call.
type faultPlan struct {
	kind        faultKind
	afterCommit bool
}

// pick decides whether the call fails and how. Only writes fail after
// committing; for a read the distinction has no effect.
func (f *faultInjector) pick(write bool) (faultPlan, bool) {
	if f.rate <= 0 {
		return faultPlan{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.Float64() >= f.rate {
		return faultPlan{}, false
	}
	plan := faultPlan{}
	kinds := faultsBeforeCommit
	if write && f.rng.Float64() < f.afterCommit {
		plan.afterCommit = true
		kinds = faultsAfterCommit
	}
	plan.kind = kinds[f.rng.IntN(len(kinds))]
	key := plan.kind.String()
	if plan.afterCommit {
		key += "_after_commit"
	}
	f.injected[key]++
	return plan, true
}

// InjectedFaults returns the number of faults injected so far, keyed by
// kind: server_unavailable, concurrent_requests, bad_gateway,
// gateway_timeout, maintenance_page and connection_reset, with the suffix
// _after_commit for faults returned after a write took effect.
func (o *Org) InjectedFaults() map[string]int {
	f := o.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.injected))
	for k, v := range f.injected {
		out[k] = v
	}
	return out
}

// serveWithFaults runs serve, unless the fault injector picks this call.
// A fault before commit is written without running serve. A fault after
// commit runs serve, discards its response and writes the fault instead.
func (o *Org) serveWithFaults(w http.ResponseWriter, api apiKind, operation string, serve func(http.ResponseWriter)) {
	plan, ok := o.faults.pick(writeOperations[operation])
	if !ok {
		serve(w)
		return
	}
	if plan.afterCommit {
		serve(&discardResponse{header: http.Header{}})
	}
	if o.logf != nil {
		o.logf("orgsim: injected fault kind=%s operation=%s after_commit=%t", plan.kind, operation, plan.afterCommit)
	}
	writeFault(w, api, plan.kind)
}

// Fault texts. NOTE: the exact texts Salesforce sends for
// SERVER_UNAVAILABLE and for its edge errors are unconfirmed.
const (
	serverUnavailableMessage = "Server unavailable, please try again later."
	concurrentLimitMessage   = "ConcurrentRequests (Concurrent API Requests) Limit exceeded."
)

func writeFault(w http.ResponseWriter, api apiKind, kind faultKind) {
	switch kind {
	case faultServerUnavailable:
		if api == apiSOAP {
			writeSOAPFault(w, apiFault("SERVER_UNAVAILABLE", serverUnavailableMessage))
			return
		}
		writeRESTError(w, http.StatusServiceUnavailable, "SERVER_UNAVAILABLE", serverUnavailableMessage)
	case faultConcurrentLimit:
		if api == apiSOAP {
			writeSOAPFault(w, apiFault("REQUEST_LIMIT_EXCEEDED", concurrentLimitMessage))
			return
		}
		// NOTE: that REST reports the concurrent-request limit with HTTP 403,
		// as it does the daily limit, is unconfirmed.
		writeRESTError(w, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", concurrentLimitMessage)
	case faultBadGateway:
		writeHTMLPage(w, http.StatusBadGateway)
	case faultGatewayTimeout:
		writeHTMLPage(w, http.StatusGatewayTimeout)
	case faultMaintenancePage:
		writeHTMLPage(w, http.StatusServiceUnavailable)
	case faultConnectionReset:
		closeConnection(w)
	}
}

func writeHTMLPage(w http.ResponseWriter, status int) {
	text := http.StatusText(status)
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%d %s</title></head><body><h1>%s</h1>"+
		"<p>The service is temporarily unable to handle the request.</p></body></html>", status, text, text)
}

// closeConnection drops the client's connection without writing a
// response. When the connection cannot be taken over, it writes HTTP 504
// instead, which the client treats the same way.
func closeConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeHTMLPage(w, http.StatusGatewayTimeout)
		return
	}
	_ = conn.Close()
}

// discardResponse is the ResponseWriter of a call whose response is
// replaced by a fault.
type discardResponse struct {
	header http.Header
}

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardResponse) WriteHeader(int)             {}

// componentLocked reports whether a write of the component fullName fails
// with UNABLE_TO_LOCK_ROW, and counts the rejection. The lock starts at the
// first write of the component. It holds while fewer than LockWrites
// writes were rejected or while LockDuration has not passed, whichever
// options are set, and for good when neither is. The caller holds o.mu.
func (o *Org) componentLocked(fullName string) bool {
	if o.lockComponent == "" || !strings.EqualFold(strings.TrimSpace(fullName), o.lockComponent) {
		return false
	}
	now := o.now()
	if o.lockStart.IsZero() {
		o.lockStart = now
	}
	byCount := o.lockWrites > 0 && o.lockRejected < o.lockWrites
	byTime := o.lockDuration > 0 && now.Before(o.lockStart.Add(o.lockDuration))
	forever := o.lockWrites == 0 && o.lockDuration == 0
	if !byCount && !byTime && !forever {
		return false
	}
	o.lockRejected++
	return true
}

// lockError is the SaveResult error of a write to a locked component.
func lockError(app *connectedApp) saveError {
	id := "(new)"
	if app != nil {
		id = app.id
	}
	return saveError{"UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records: " + id, nil}
}
