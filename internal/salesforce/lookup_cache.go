package salesforce

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// lookupCache keeps the profiles or permission sets found by name for the
// life of a Client, because the provider never creates, renames or deletes
// them. Concurrent lookups of one name share one query. Errors, including
// not-found, are not kept, so a later lookup queries again.
type lookupCache[T any] struct {
	mu      sync.Mutex
	found   map[string]*T
	flights singleflight.Group
}

func newLookupCache[T any]() *lookupCache[T] {
	return &lookupCache[T]{found: map[string]*T{}}
}

// get returns the kept value of name, or calls query once for all current
// callers and keeps its result. Callers get their own copy.
func (l *lookupCache[T]) get(ctx context.Context, name string, query func(context.Context) (*T, error)) (*T, error) {
	l.mu.Lock()
	v, ok := l.found[name]
	l.mu.Unlock()
	if ok {
		c := *v
		return &c, nil
	}

	ch := l.flights.DoChan(name, func() (any, error) {
		v, err := query(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		l.found[name] = v
		l.mu.Unlock()
		return v, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		found, _ := res.Val.(*T)
		c := *found
		return &c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
