// Package salesforce is the client the Terraform provider calls: it
// authenticates once, and offers finders and writes for connected apps and
// their access grants over the Metadata and REST APIs.
package salesforce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/rest"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// DefaultAPIVersion is the API version used when Config.APIVersion is empty
// (Winter '27).
const DefaultAPIVersion = "68.0"

// DefaultUserAgent is the User-Agent sent when Config.UserAgent is empty.
const DefaultUserAgent = "terraform-provider-salesforce"

// defaultHTTPTimeout bounds one HTTP exchange when Config.Auth.HTTPClient is
// nil. Metadata CRUD calls are synchronous, so a save can take a while.
const defaultHTTPTimeout = 5 * time.Minute

// ErrNotFound is wrapped by the finders and by deletes of a missing object;
// test for it with errors.Is.
var ErrNotFound = errors.New("not found")

// Config configures a Client.
type Config struct {
	Auth       auth.Config
	APIVersion string // such as "68.0"; DefaultAPIVersion when empty
	UserAgent  string // DefaultUserAgent when empty
	// BatchReads turns on shared reads: coalesced and read-ahead
	// readMetadata calls, one org-wide grants query, and cached profile
	// and permission set lookups (see batch.go).
	BatchReads bool
	// MaxConcurrentRequests bounds the API requests in flight at once;
	// DefaultMaxConcurrentRequests when zero or less.
	MaxConcurrentRequests int
	// Retry is the back-off schedule of every retry: transient failures,
	// lock conflicts and writes whose outcome was unknown. Zero fields take
	// the transport.Retry defaults.
	Retry transport.Retry
}

// DefaultMaxConcurrentRequests is the bound on requests in flight when
// Config.MaxConcurrentRequests is not set.
const DefaultMaxConcurrentRequests = 10

// Client is an authenticated connection to one org. It is safe for
// concurrent use.
type Client struct {
	session   *auth.Session
	transport *transport.Client
	metadata  *metadata.Client
	rest      *rest.Client
	retry     transport.Retry

	locksMu sync.Mutex
	locks   map[string]*sync.Mutex

	listMu   sync.Mutex
	appsList []metadata.FileProperties // nil until listed, and after a create, delete or rename

	// Shared reads, all nil unless Config.BatchReads is set.
	components     *componentReader
	grants         *grantsCache
	profiles       *lookupCache[Profile]
	permissionSets *lookupCache[PermissionSet]
}

// New selects the authentication flow and fetches the first token, so that
// bad credentials fail when the provider is configured.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Auth.HTTPClient == nil {
		cfg.Auth.HTTPClient = &http.Client{Timeout: defaultHTTPTimeout, Transport: newHTTPTransport(), CheckRedirect: checkRedirect}
	}
	if cfg.MaxConcurrentRequests <= 0 {
		cfg.MaxConcurrentRequests = DefaultMaxConcurrentRequests
	}
	cfg.Retry = cfg.Retry.WithDefaults()

	session, err := auth.NewSession(cfg.Auth)
	if err != nil {
		return nil, err
	}
	if _, _, err := session.Token(ctx); err != nil {
		return nil, err
	}

	tr := transport.New(session, transport.Options{
		HTTPClient:    cfg.Auth.HTTPClient,
		UserAgent:     cfg.UserAgent,
		Retry:         cfg.Retry,
		MaxConcurrent: cfg.MaxConcurrentRequests,
	})
	c := &Client{
		session:   session,
		transport: tr,
		metadata:  metadata.New(tr, cfg.APIVersion),
		rest:      rest.New(tr, cfg.APIVersion),
		retry:     cfg.Retry,
		locks:     map[string]*sync.Mutex{},
	}
	c.metadata.SetRetry(cfg.Retry)
	c.rest.SetRetry(cfg.Retry)
	if cfg.BatchReads {
		c.enableSharedReads()
	}
	return c, nil
}

// Metadata returns the Metadata API client.
func (c *Client) Metadata() *metadata.Client {
	return c.metadata
}

// REST returns the REST API client.
func (c *Client) REST() *rest.Client {
	return c.rest
}

// InstanceURL returns the org's instance URL.
func (c *Client) InstanceURL() string {
	// The first token was fetched in New, so Token only reads the cache.
	_, instanceURL, _ := c.session.Token(context.Background())
	return instanceURL
}

// LockApp locks the connected app name (compared case-insensitively) inside
// this process and returns the function that unlocks it. The Client's
// methods do not take the lock themselves, so the caller holds it across a
// whole read-modify-write of the app's component or grants. Calling unlock
// more than once has no effect.
func (c *Client) LockApp(name string) (unlock func()) {
	key := strings.ToLower(name)
	c.locksMu.Lock()
	mu, ok := c.locks[key]
	if !ok {
		mu = &sync.Mutex{}
		c.locks[key] = mu
	}
	c.locksMu.Unlock()

	mu.Lock()
	var once sync.Once
	return func() { once.Do(mu.Unlock) }
}

// APIUsage returns the org's daily API usage from the last Sforce-Limit-Info
// header; ok is false until a response carried one.
func (c *Client) APIUsage() (used, limit int, ok bool) {
	return c.transport.APIUsage()
}

// SessionRenewals returns how many times the client fetched a new access
// token after Salesforce rejected the current one with INVALID_SESSION_ID.
func (c *Client) SessionRenewals() int {
	return c.transport.SessionRenewals()
}
