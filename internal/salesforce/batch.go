package salesforce

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

const (
	// coalesceWindow is how long a pending batch waits for another read
	// to join it. The batch is sent once no read has joined for this long,
	// once it is full, or at maxHold, so a lone read waits coalesceWindow.
	// Terraform's default -parallelism starts up to 10 reads at once, and
	// in a plan measured on a 2-CPU machine they reached the provider over
	// about 20 ms, a few milliseconds apart. 10 ms is 5 percent of a 200 ms
	// Metadata API round trip.
	coalesceWindow = 10 * time.Millisecond

	// maxHold bounds how long the first read of a batch waits while other
	// reads keep joining.
	maxHold = 20 * time.Millisecond

	// readAheadThreshold is the number of distinct apps a run must have
	// requested before the reader fetches apps that the run has not
	// requested. Below it, a run reads only what it requests.
	readAheadThreshold = 10

	// maxReadAheadCalls caps the read-ahead readMetadata calls in flight at
	// once.
	maxReadAheadCalls = 5

	// cacheTTL bounds the age of a cached component or grant list. A
	// Terraform operation starts its own provider process and configures a
	// new Client, so the bound matters only to longer-lived clients.
	cacheTTL = 5 * time.Minute
)

// componentReader serves reads of ConnectedApp components from as few
// readMetadata calls as it can. Reads that arrive within coalesceWindow of
// each other share one call of up to metadata.MaxBatch names. A component
// read once is served again from a cache. Once a run has requested
// readAheadThreshold apps, the reader also fetches apps from listMetadata
// that the run has not requested yet.
//
// Read-ahead fills the free slots of every call that requested reads send,
// which costs no call. It sends calls of its own only while the apps read
// ahead and not requested since are fewer than the apps requested. Those
// calls therefore carry at most n apps that the run requests later and n
// that it never requests, where n is the number of apps requested: at most
// n/5 + 1 calls, whatever the size of the org.
type componentReader struct {
	// read fetches components by name, one slot per name, nil for a
	// missing or unreadable app.
	read func(ctx context.Context, names []string) ([]*xmltree.Element, error)
	// listNames returns the fullNames of every connected app in the org.
	listNames func(ctx context.Context) ([]string, error)
	window    time.Duration // coalesceWindow, changed by tests
	maxHold   time.Duration // maxHold, changed by tests
	now       func() time.Time

	mu         sync.Mutex
	cache      map[string]componentEntry   // by lower-case name
	generation map[string]uint64           // invalidations per lower-case name
	inFlight   map[string]*componentResult // reads that a cached read may join
	pending    *componentBatch             // the batch that collects reads, not sent yet
	requested  map[string]bool             // lower-case names that FindConnectedApp was called with
	aheadOpen  map[string]bool             // names read ahead and not requested since
	aheadCalls int                         // read-ahead calls in flight
	candidates []string                    // listMetadata names in list order, nil until listed
	nextIndex  int                         // index of the first candidate not yet considered
	listing    bool                        // listNames was started
}

type componentEntry struct {
	element *xmltree.Element // nil for a missing or unreadable app
	fetched time.Time
}

// componentResult is the outcome of one name of a readMetadata call. done
// is closed once element and err are set.
type componentResult struct {
	done    chan struct{}
	element *xmltree.Element
	err     error
}

// componentBatch is one readMetadata call being assembled or sent.
type componentBatch struct {
	ctx         context.Context
	opened      time.Time
	sendAt      time.Time // when the timer sends the batch unless more reads join
	timer       *time.Timer
	names       []string
	results     []*componentResult
	generations []uint64
	ahead       []bool // names added by read-ahead
	byKey       map[string]*componentResult
}

func newComponentReader(read func(context.Context, []string) ([]*xmltree.Element, error),
	listNames func(context.Context) ([]string, error)) *componentReader {
	return &componentReader{
		read:       read,
		listNames:  listNames,
		window:     coalesceWindow,
		maxHold:    maxHold,
		now:        time.Now,
		cache:      map[string]componentEntry{},
		generation: map[string]uint64{},
		inFlight:   map[string]*componentResult{},
		requested:  map[string]bool{},
		aheadOpen:  map[string]bool{},
	}
}

// find returns the component of the app name, or nil when the org has no
// readable app of that name. The element is shared and must not be
// changed. With fresh set, the component comes from a readMetadata call
// sent after find was called, so neither the cache nor a call already in
// flight serves it.
func (r *componentReader) find(ctx context.Context, name string, fresh bool) (*xmltree.Element, error) {
	key := strings.ToLower(name)

	r.mu.Lock()
	var res *componentResult
	if !fresh {
		r.noteRequest(ctx, key)
		if entry, ok := r.cache[key]; ok && r.now().Sub(entry.fetched) < cacheTTL {
			r.mu.Unlock()
			return entry.element, nil
		}
		res = r.inFlight[key]
	}
	if res == nil {
		res = r.enqueue(ctx, name, key)
	}
	r.mu.Unlock()

	select {
	case <-res.done:
		return res.element, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// invalidate drops the cached components of names, so that the next find
// reads them again. A call in flight for one of them no longer serves new
// reads, and its result is not cached. Every write of an app calls it.
func (r *componentReader) invalidate(names ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range names {
		key := strings.ToLower(name)
		r.generation[key]++
		delete(r.cache, key)
		delete(r.inFlight, key)
		delete(r.aheadOpen, key)
	}
}

// requestedCount returns how many distinct apps find was asked for.
func (r *componentReader) requestedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requested)
}

// noteRequest records a request for key and starts read-ahead when the run
// has requested enough apps. The first request also starts listing the
// org's apps, so that the list is there when read-ahead starts. The policy
// and assignment resources need that list anyway, and the client keeps it.
// The caller holds r.mu.
func (r *componentReader) noteRequest(ctx context.Context, key string) {
	if r.requested[key] {
		return
	}
	r.requested[key] = true
	delete(r.aheadOpen, key)
	r.startListing(ctx)
	r.readAhead(ctx)
}

// enqueue adds name to the pending batch, opening one when there is none,
// and sends the batch when it is full. The caller holds r.mu.
func (r *componentReader) enqueue(ctx context.Context, name, key string) *componentResult {
	b := r.pending
	if b == nil {
		b = &componentBatch{ctx: context.WithoutCancel(ctx), opened: r.now(), byKey: map[string]*componentResult{}}
		r.pending = b
		b.sendAt = b.opened.Add(r.window)
		b.timer = time.AfterFunc(r.window, func() { r.sendPending(b) })
	}
	if res, ok := b.byKey[key]; ok {
		return res
	}
	res := b.add(name, key, false)
	if len(b.names) == metadata.MaxBatch {
		r.send(b)
		return res
	}
	b.sendAt = minTime(r.now().Add(r.window), b.opened.Add(r.maxHold))
	return res
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (b *componentBatch) add(name, key string, ahead bool) *componentResult {
	res := &componentResult{done: make(chan struct{})}
	b.names = append(b.names, name)
	b.results = append(b.results, res)
	b.ahead = append(b.ahead, ahead)
	b.byKey[key] = res
	return res
}

// sendPending sends b when its window ends, unless it was sent full. A
// read that joined since the timer was set moved sendAt, so the timer is
// set again for the rest.
func (r *componentReader) sendPending(b *componentBatch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending != b {
		return
	}
	if wait := b.sendAt.Sub(r.now()); wait > 0 {
		b.timer = time.AfterFunc(wait, func() { r.sendPending(b) })
		return
	}
	r.send(b)
}

// send fills b's free slots with read-ahead names once read-ahead is
// active and starts its readMetadata call. The caller holds r.mu.
func (r *componentReader) send(b *componentBatch) {
	r.pending = nil
	b.timer.Stop()
	requested := len(b.names)
	if free := metadata.MaxBatch - len(b.names); free > 0 && r.readAheadActive() {
		// The call goes anyway, so filling it costs no call.
		for _, name := range r.takeCandidates(free, false) {
			r.aheadOpen[strings.ToLower(name)] = true
			b.add(name, strings.ToLower(name), true)
		}
	}
	tflog.Debug(b.ctx, "Reading connected apps", map[string]any{
		"requested":  requested,
		"read_ahead": len(b.names) - requested,
		"held_ms":    r.now().Sub(b.opened).Milliseconds(),
	})
	r.start(b)
}

// start registers b's names as in flight and calls readMetadata in the
// background. The caller holds r.mu.
func (r *componentReader) start(b *componentBatch) {
	b.generations = make([]uint64, len(b.names))
	for i, name := range b.names {
		key := strings.ToLower(name)
		b.generations[i] = r.generation[key]
		r.inFlight[key] = b.results[i]
	}
	go r.complete(b)
}

// complete sends b's call, caches what it returned and wakes its readers.
func (r *componentReader) complete(b *componentBatch) {
	elements, err := r.read(b.ctx, b.names)

	r.mu.Lock()
	now := r.now()
	for i, name := range b.names {
		key := strings.ToLower(name)
		res := b.results[i]
		if err != nil {
			res.err = err
		} else {
			res.element = elements[i]
		}
		if r.inFlight[key] == res {
			delete(r.inFlight, key)
		}
		switch {
		case err == nil && r.generation[key] == b.generations[i]:
			r.cache[key] = componentEntry{element: res.element, fetched: now}
		case b.ahead[i]:
			// Nothing cached the name, so it no longer counts against the budget.
			delete(r.aheadOpen, key)
		}
	}
	if isReadAheadOnly(b) {
		r.aheadCalls--
		if err != nil {
			tflog.Debug(b.ctx, "Reading connected apps ahead failed", map[string]any{"error": err.Error()})
		}
	}
	r.readAhead(b.ctx)
	r.mu.Unlock()

	for _, res := range b.results {
		close(res.done)
	}
}

func isReadAheadOnly(b *componentBatch) bool {
	for _, ahead := range b.ahead {
		if !ahead {
			return false
		}
	}
	return len(b.ahead) > 0
}

// readAheadActive reports whether the run has requested enough apps to
// read ahead. The caller holds r.mu.
func (r *componentReader) readAheadActive() bool {
	return len(r.requested) >= readAheadThreshold
}

// aheadBudget is how many more names may be read ahead now. The caller
// holds r.mu.
func (r *componentReader) aheadBudget() int {
	return len(r.requested) - len(r.aheadOpen)
}

// readAhead starts read-ahead calls of metadata.MaxBatch names while the
// budget and maxReadAheadCalls allow. A smaller remainder is left to fill
// the free slots of batches that requested reads send. Until the org's
// apps are listed it does nothing, and the listing calls it again. The
// caller holds r.mu.
func (r *componentReader) readAhead(ctx context.Context) {
	if !r.readAheadActive() || r.candidates == nil {
		return
	}
	for r.aheadCalls < maxReadAheadCalls {
		names := r.takeCandidates(min(metadata.MaxBatch, r.aheadBudget()), true)
		if len(names) == 0 {
			return
		}
		b := &componentBatch{ctx: context.WithoutCancel(ctx), opened: r.now(), byKey: map[string]*componentResult{}}
		for _, name := range names {
			key := strings.ToLower(name)
			r.aheadOpen[key] = true
			b.add(name, key, true)
		}
		r.aheadCalls++
		tflog.Debug(b.ctx, "Reading connected apps ahead", map[string]any{"read_ahead": len(names)})
		r.start(b)
	}
}

// startListing fetches the candidate names once, in the background. The
// caller holds r.mu.
func (r *componentReader) startListing(ctx context.Context) {
	if r.listing {
		return
	}
	r.listing = true
	ctx = context.WithoutCancel(ctx)
	go func() {
		names, err := r.listNames(ctx)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			// Requested reads go on as before, because only read-ahead
			// needs the list.
			tflog.Debug(ctx, "Listing connected apps for read-ahead failed", map[string]any{"error": err.Error()})
			r.candidates = []string{}
			return
		}
		r.candidates = append([]string{}, names...)
		r.readAhead(ctx)
	}()
}

// takeCandidates returns up to limit listed names that are neither
// requested, cached, in flight nor pending, and consumes them. With
// wholeBatch set it returns nothing unless it found a full batch or the
// last candidates of the list. The caller holds r.mu.
func (r *componentReader) takeCandidates(limit int, wholeBatch bool) []string {
	if limit <= 0 {
		return nil
	}
	var names []string
	i := r.nextIndex
	for ; i < len(r.candidates) && len(names) < limit; i++ {
		key := strings.ToLower(r.candidates[i])
		if r.requested[key] || r.inFlight[key] != nil || r.aheadOpen[key] {
			continue
		}
		if _, cached := r.cache[key]; cached {
			continue
		}
		if r.pending != nil && r.pending.byKey[key] != nil {
			continue
		}
		names = append(names, r.candidates[i])
	}
	if wholeBatch && len(names) < metadata.MaxBatch && i < len(r.candidates) {
		return nil
	}
	r.nextIndex = i
	return names
}
