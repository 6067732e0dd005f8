package orgsim

import "sort"

// IssuedTokens returns every access token the org has issued or was started
// with, including expired ones that no call has presented since. Tests use
// it to search logs for leaked tokens.
func (o *Org) IssuedTokens() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	tokens := make([]string, 0, len(o.sessions))
	for token := range o.sessions {
		tokens = append(tokens, token)
	}
	sort.Strings(tokens)
	return tokens
}
