package transport

import (
	"context"
	"sync"
)

// maxRenewalsPerCall bounds how often one call renews the session and is
// repeated. Each renewal after the first needs the renewed token to have
// worked for other calls, so every renewal lets some call finish, and the
// bound matters only when many calls use up short-lived tokens together.
const maxRenewalsPerCall = 50

// maxTrackedTokens bounds how many tokens tokenUses keeps. An older token
// was replaced that many times, and no call still uses it.
const maxTrackedTokens = 64

// tokenUses counts, per access token, the calls in flight with it and the
// calls it was accepted for, so that a call whose renewed token is rejected
// can tell a token that other calls used up from one that Salesforce rejects
// outright.
type tokenUses struct {
	mu      sync.Mutex
	uses    map[string]*tokenUse
	order   []string      // tokens in the order first seen
	changed chan struct{} // closed and replaced whenever a call ends
}

type tokenUse struct {
	inFlight int
	accepted int
}

func newTokenUses() tokenUses {
	return tokenUses{uses: map[string]*tokenUse{}, changed: make(chan struct{})}
}

// begin records a call sent with token.
func (u *tokenUses) begin(token string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	use, ok := u.uses[token]
	if !ok {
		use = &tokenUse{}
		u.uses[token] = use
		u.order = append(u.order, token)
		if len(u.order) > maxTrackedTokens {
			delete(u.uses, u.order[0])
			u.order = u.order[1:]
		}
	}
	use.inFlight++
}

// end records the end of a call sent with token, and whether Salesforce
// accepted the token for it.
func (u *tokenUses) end(token string, accepted bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if use, ok := u.uses[token]; ok {
		use.inFlight--
		if accepted {
			use.accepted++
		}
	}
	close(u.changed)
	u.changed = make(chan struct{})
}

// worked reports whether Salesforce accepted token for any call. While it
// accepted none and calls with token are in flight, worked waits for them,
// or for ctx to end. A token no longer tracked counts as one that worked,
// because maxTrackedTokens renewals happened since.
func (u *tokenUses) worked(ctx context.Context, token string) bool {
	for {
		u.mu.Lock()
		use, ok := u.uses[token]
		if !ok || use.accepted > 0 {
			u.mu.Unlock()
			return true
		}
		if use.inFlight == 0 {
			u.mu.Unlock()
			return false
		}
		changed := u.changed
		u.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}
