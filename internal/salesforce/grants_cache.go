package salesforce

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"
)

// grantsCache serves FindGrants from the SetupEntityAccess rows of the run.
// While the run has asked about only one app, it queries that app's rows.
// Once it has requested the grants or the components of a second app, one
// paged query fetches the rows of every connected app in the org and serves
// all later requests. An app whose grants or component changed is queried
// on its own again.
type grantsCache struct {
	queryApp func(ctx context.Context, appID string) ([]Grant, error)
	queryAll func(ctx context.Context) ([]Grant, error)
	// componentApps returns how many apps' components the run requested.
	// When it is nil, none count.
	componentApps func() int
	window        time.Duration
	now           func() time.Time

	mu          sync.Mutex
	byApp       map[string]grantsEntry // by ConnectedApplication id
	snapshotAt  time.Time              // start of the org-wide query that filled byApp, zero when none
	snapshotSeq uint64                 // seq when that query started
	seq         uint64                 // counts invalidations
	invalidated map[string]uint64      // seq of each app's last invalidation
	clearedSeq  uint64                 // seq of the last invalidateAll
	requested   map[string]bool
	manyApps    chan struct{} // closed when grants of a second app are requested

	flights singleflight.Group
}

type grantsEntry struct {
	grants  []Grant
	fetched time.Time
}

// allAppsFlight is the singleflight key of the org-wide query. App keys
// are ids, which never contain "*".
const allAppsFlight = "*"

func newGrantsCache(queryApp func(context.Context, string) ([]Grant, error),
	queryAll func(context.Context) ([]Grant, error)) *grantsCache {
	return &grantsCache{
		queryApp:    queryApp,
		queryAll:    queryAll,
		window:      coalesceWindow,
		now:         time.Now,
		byApp:       map[string]grantsEntry{},
		invalidated: map[string]uint64{},
		requested:   map[string]bool{},
		manyApps:    make(chan struct{}),
	}
}

// find returns the grants of the app appID. With fresh set, it queries
// that app's rows now.
func (g *grantsCache) find(ctx context.Context, appID string, fresh bool) ([]Grant, error) {
	if fresh {
		return g.queryAndStore(ctx, appID)
	}

	g.mu.Lock()
	if !g.requested[appID] {
		g.requested[appID] = true
		if len(g.requested) == 2 {
			close(g.manyApps)
		}
	}
	grants, ok := g.cached(appID)
	snapshotTaken := !g.snapshotAt.IsZero()
	g.mu.Unlock()
	if ok {
		return grants, nil
	}

	if !g.manyAppsRequested() && !snapshotTaken {
		// The reads of a plan arrive together, so a second app gets the
		// window to request its grants and one org-wide query serves both.
		timer := time.NewTimer(g.window)
		select {
		case <-g.manyApps:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
		timer.Stop()
	}

	many := g.manyAppsRequested()
	g.mu.Lock()
	useAll := many && !g.snapshotValid()
	g.mu.Unlock()
	if useAll {
		if err := g.fetchAll(ctx); err != nil {
			return nil, err
		}
		g.mu.Lock()
		grants, ok = g.cached(appID)
		g.mu.Unlock()
		if ok {
			return grants, nil
		}
	}
	return g.fetchApp(ctx, appID)
}

// manyAppsRequested reports whether the run asked for the grants or the
// components of at least two apps.
func (g *grantsCache) manyAppsRequested() bool {
	g.mu.Lock()
	grantApps := len(g.requested)
	g.mu.Unlock()
	return grantApps >= 2 || (g.componentApps != nil && g.componentApps() >= 2)
}

// invalidate makes the next find of appID query its rows again.
func (g *grantsCache) invalidate(appID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	g.invalidated[appID] = g.seq
	delete(g.byApp, appID)
}

// invalidateAll drops every row, for writes whose app id is not known.
func (g *grantsCache) invalidateAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	g.clearedSeq = g.seq
	g.byApp = map[string]grantsEntry{}
	g.snapshotAt = time.Time{}
	g.invalidated = map[string]uint64{}
}

// invalidateRow invalidates the app that the cached row rowID grants, or
// everything when no cached row has that id.
func (g *grantsCache) invalidateRow(rowID string) {
	g.mu.Lock()
	appID := ""
	for id, entry := range g.byApp {
		for _, row := range entry.grants {
			if row.ID == rowID {
				appID = id
			}
		}
	}
	g.mu.Unlock()
	if appID == "" {
		g.invalidateAll()
		return
	}
	g.invalidate(appID)
}

// changedSince reports whether appID was invalidated after seq. The caller
// holds g.mu.
func (g *grantsCache) changedSince(appID string, seq uint64) bool {
	return g.clearedSeq > seq || g.invalidated[appID] > seq
}

// cached returns a copy of the known grants of appID. An app that the
// org-wide query did not return has none, unless it changed since that
// query started. The caller holds g.mu.
func (g *grantsCache) cached(appID string) ([]Grant, bool) {
	if entry, ok := g.byApp[appID]; ok && g.now().Sub(entry.fetched) < cacheTTL {
		return append([]Grant(nil), entry.grants...), true
	}
	if g.snapshotValid() && !g.changedSince(appID, g.snapshotSeq) {
		return nil, true
	}
	return nil, false
}

// snapshotValid reports whether an org-wide query filled byApp within
// cacheTTL. The caller holds g.mu.
func (g *grantsCache) snapshotValid() bool {
	return !g.snapshotAt.IsZero() && g.now().Sub(g.snapshotAt) < cacheTTL
}

// fetchAll runs the org-wide query once for all concurrent callers and
// stores its rows, except those of apps invalidated while it ran.
func (g *grantsCache) fetchAll(ctx context.Context) error {
	ch := g.flights.DoChan(allAppsFlight, func() (any, error) {
		g.mu.Lock()
		startSeq, startAt := g.seq, g.now()
		g.mu.Unlock()

		tflog.Debug(ctx, "Querying the access grants of all connected apps")
		rows, err := g.queryAll(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		byApp := map[string][]Grant{}
		for _, row := range rows {
			byApp[row.SetupEntityID] = append(byApp[row.SetupEntityID], row)
		}

		g.mu.Lock()
		defer g.mu.Unlock()
		if g.clearedSeq > startSeq {
			// Every row may have changed while the query ran.
			return nil, nil
		}
		for appID, grants := range byApp {
			if !g.changedSince(appID, startSeq) {
				g.byApp[appID] = grantsEntry{grants: grants, fetched: startAt}
			}
		}
		g.snapshotAt, g.snapshotSeq = startAt, startSeq
		return nil, nil
	})
	select {
	case res := <-ch:
		return res.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fetchApp queries the rows of appID once for all concurrent callers.
func (g *grantsCache) fetchApp(ctx context.Context, appID string) ([]Grant, error) {
	ch := g.flights.DoChan(appID, func() (any, error) {
		return g.queryAndStore(context.WithoutCancel(ctx), appID)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		grants, _ := res.Val.([]Grant)
		return append([]Grant(nil), grants...), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// queryAndStore queries the rows of appID and stores them unless the app
// was invalidated while the query ran.
func (g *grantsCache) queryAndStore(ctx context.Context, appID string) ([]Grant, error) {
	g.mu.Lock()
	startSeq, startAt := g.seq, g.now()
	g.mu.Unlock()

	tflog.Debug(ctx, "Querying the access grants of one connected app", map[string]any{"connected_app_id": appID})
	grants, err := g.queryApp(ctx, appID)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	if !g.changedSince(appID, startSeq) {
		g.byApp[appID] = grantsEntry{grants: append([]Grant(nil), grants...), fetched: startAt}
	}
	g.mu.Unlock()
	return grants, nil
}
