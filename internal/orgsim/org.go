package orgsim

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultOrgID is the organization Id used when Options.OrgID is empty.
const DefaultOrgID = "00D000000000001EAA"

// DefaultDailyLimit is the daily API request allocation used when
// Options.DailyLimit is zero.
const DefaultDailyLimit = 15000

// DefaultQueryBatchSize is the number of records per query page used when
// Options.QueryBatchSize is zero. It matches the REST API default.
const DefaultQueryBatchSize = 2000

// Options configure a simulated org.
type Options struct {
	// OrgID is the 15- or 18-character organization Id; DefaultOrgID when empty.
	OrgID string
	// AccessTokens are session ids that are valid from the start. TokenTTL
	// does not apply to them, TokenMaxUses does.
	AccessTokens []string
	// Clients are the OAuth clients the token endpoint accepts.
	Clients []Client
	// AllowConnectedAppCreation lets createMetadata create connected apps.
	// Without it the org rejects creation as orgs do since Spring '26.
	AllowConnectedAppCreation bool
	// TokenTTL is the lifetime of tokens issued by the token endpoint; zero
	// means they never expire.
	TokenTTL time.Duration
	// TokenMaxUses is the number of authenticated calls a token allows; zero
	// means unlimited.
	TokenMaxUses int
	// JWTAudiences are the accepted aud claims of JWT bearer assertions;
	// https://login.salesforce.com and https://test.salesforce.com when empty.
	JWTAudiences []string
	// QueryBatchSize is the number of records per query page;
	// DefaultQueryBatchSize when zero.
	QueryBatchSize int
	// DailyLimit is the daily API request allocation; DefaultDailyLimit when zero.
	DailyLimit int
	// Latency is added to every request before it is handled. A request
	// whose context ends during the wait gets no response.
	Latency time.Duration
	// FaultRate is the share of API calls, from 0 to 1, that fail with a
	// transient fault: SERVER_UNAVAILABLE, the ConcurrentRequests limit,
	// HTTP 502, 503 or 504, or a dropped connection. Metadata SOAP calls
	// and counted REST calls can fail; the token endpoint, the identity URL
	// and the versions resource do not.
	FaultRate float64
	// FaultAfterCommit is the share, from 0 to 1, of faulted writes that
	// fail after the write took effect, so that the client sees a failure
	// for a change the org made.
	FaultAfterCommit float64
	// Seed seeds the generator that picks faulted calls and their kinds.
	Seed uint64
	// LockComponent is the fullName of a connected app whose writes fail
	// with UNABLE_TO_LOCK_ROW: Metadata API saves, deletes and renames, and
	// REST creates and deletes of its SetupEntityAccess rows. The lock
	// starts at the first such write.
	LockComponent string
	// LockDuration is how long LockComponent stays locked.
	LockDuration time.Duration
	// LockWrites is how many writes of LockComponent fail. With neither
	// LockDuration nor LockWrites set, every write fails; with both, a
	// write fails while either holds.
	LockWrites int
	// Logf, when set, receives one line per request: method, path,
	// operation and status. Bodies, tokens, assertions and secrets are never
	// passed to it.
	Logf func(format string, args ...any)
	// Now is the clock for token expiry and timestamps; time.Now when nil.
	Now func() time.Time
}

// Client is an OAuth client registered with the token endpoint.
type Client struct {
	// ID is the consumer key: the JWT iss claim and the client_id parameter.
	ID string
	// Secret enables the client-credentials flow and is required on refresh
	// when set.
	Secret string
	// RefreshTokens are the refresh tokens this client may redeem.
	RefreshTokens []string
	// JWTCertificatePEM is the PEM X.509 certificate whose key signs JWT
	// bearer assertions.
	JWTCertificatePEM []byte
	// JWTUsernames are the usernames accepted as the JWT sub claim.
	JWTUsernames []string
	// RunAsUsername is the user that client-credentials tokens act as.
	RunAsUsername string
}

// LoadProps describe where a loaded connected app came from.
type LoadProps struct {
	// NamespacePrefix is the managed package namespace, empty for local apps.
	NamespacePrefix string
	// ManageableState is a Metadata API ManageableState value such as
	// "installed"; empty means "installed" when NamespacePrefix is set and
	// "unmanaged" otherwise.
	ManageableState string
	// OAuthInstalled marks an app created in another org that an admin
	// installed from Setup > Connected Apps OAuth Usage. listMetadata lists
	// it without a namespace prefix or manageable state, readMetadata
	// returns nil for it, and writes fail as for managed apps.
	//
	// NOTE: that readMetadata returns nil for such apps is reported; which
	// manageableState listMetadata gives them is unconfirmed.
	OAuthInstalled bool
}

// Org is one simulated Salesforce org. It is safe for concurrent use.
type Org struct {
	mu sync.Mutex

	orgID          string
	now            func() time.Time
	logf           func(format string, args ...any)
	allowCreate    bool
	tokenTTL       time.Duration
	tokenMaxUses   int
	jwtAudiences   []string
	queryBatchSize int
	dailyLimit     int
	latency        time.Duration
	faults         *faultInjector

	lockComponent string
	lockDuration  time.Duration
	lockWrites    int
	lockStart     time.Time
	lockRejected  int

	clients map[string]*Client
	seq     int
	state   *orgState

	sessions  map[string]*session
	apiUsage  int
	calls     map[string]int
	cursors   map[string]*queryCursor
	adminUser *user
	users     map[string]*user
}

// orgState is the part of the org that a Metadata API call with
// AllOrNoneHeader can roll back.
type orgState struct {
	apps           map[string]*connectedApp
	profiles       []*profile
	permissionSets []*permissionSet
	grants         []*grant
	deletedGrants  map[string]bool
}

type user struct {
	id       string
	username string
	name     string
}

type profile struct {
	id       string
	fullName string
	name     string
	ownedSet *permissionSet
}

type permissionSet struct {
	id              string
	name            string
	label           string
	namespacePrefix string
	profile         *profile
}

// grant is one SetupEntityAccess row giving a permission set access to a
// connected app.
type grant struct {
	id     string
	parent *permissionSet
	app    *connectedApp
	seq    int
}

// New returns an empty org configured by opts.
func New(opts Options) (*Org, error) {
	orgID := DefaultOrgID
	if opts.OrgID != "" {
		id, ok := normalizeID(opts.OrgID)
		if !ok || id[:3] != prefixOrganization {
			return nil, fmt.Errorf("orgsim: invalid OrgID %q: expected a 15- or 18-character Id starting with 00D", opts.OrgID)
		}
		orgID = id
	}
	if opts.TokenTTL < 0 || opts.TokenMaxUses < 0 || opts.QueryBatchSize < 0 || opts.DailyLimit < 0 || opts.Latency < 0 ||
		opts.LockDuration < 0 || opts.LockWrites < 0 {
		return nil, errors.New("orgsim: TokenTTL, TokenMaxUses, QueryBatchSize, DailyLimit, Latency, LockDuration " +
			"and LockWrites must not be negative")
	}
	if opts.LockComponent == "" && (opts.LockDuration > 0 || opts.LockWrites > 0) {
		return nil, errors.New("orgsim: LockDuration and LockWrites need LockComponent")
	}
	if !(opts.FaultRate >= 0 && opts.FaultRate <= 1) || !(opts.FaultAfterCommit >= 0 && opts.FaultAfterCommit <= 1) {
		return nil, fmt.Errorf("orgsim: FaultRate (%v) and FaultAfterCommit (%v) must be between 0 and 1",
			opts.FaultRate, opts.FaultAfterCommit)
	}
	o := &Org{
		orgID:          orgID,
		now:            opts.Now,
		logf:           opts.Logf,
		allowCreate:    opts.AllowConnectedAppCreation,
		tokenTTL:       opts.TokenTTL,
		tokenMaxUses:   opts.TokenMaxUses,
		jwtAudiences:   opts.JWTAudiences,
		queryBatchSize: opts.QueryBatchSize,
		dailyLimit:     opts.DailyLimit,
		latency:        opts.Latency,
		faults:         newFaultInjector(opts.FaultRate, opts.FaultAfterCommit, opts.Seed),
		lockComponent:  strings.TrimSpace(opts.LockComponent),
		lockDuration:   opts.LockDuration,
		lockWrites:     opts.LockWrites,
		clients:        map[string]*Client{},
		state:          &orgState{apps: map[string]*connectedApp{}, deletedGrants: map[string]bool{}},
		sessions:       map[string]*session{},
		calls:          map[string]int{},
		cursors:        map[string]*queryCursor{},
		users:          map[string]*user{},
	}
	if o.now == nil {
		o.now = time.Now
	}
	if len(o.jwtAudiences) == 0 {
		o.jwtAudiences = []string{"https://login.salesforce.com", "https://test.salesforce.com"}
	}
	if o.queryBatchSize == 0 {
		o.queryBatchSize = DefaultQueryBatchSize
	}
	if o.dailyLimit == 0 {
		o.dailyLimit = DefaultDailyLimit
	}
	o.adminUser = o.userFor("admin@orgsim.example.com")
	o.adminUser.name = "Admin User"

	for i := range opts.Clients {
		c := opts.Clients[i]
		if c.ID == "" {
			return nil, errors.New("orgsim: a Client has an empty ID")
		}
		if _, dup := o.clients[c.ID]; dup {
			return nil, fmt.Errorf("orgsim: duplicate Client ID %q", c.ID)
		}
		if len(c.JWTCertificatePEM) > 0 {
			if _, err := parseCertificateKey(c.JWTCertificatePEM); err != nil {
				return nil, fmt.Errorf("orgsim: client %q: %w", c.ID, err)
			}
		}
		o.clients[c.ID] = &c
	}
	for _, token := range opts.AccessTokens {
		if token == "" {
			return nil, errors.New("orgsim: an access token is empty")
		}
		o.sessions[token] = &session{user: o.adminUser}
	}
	return o, nil
}

// OrgID returns the 18-character organization Id.
func (o *Org) OrgID() string {
	return o.orgID
}

func (o *Org) nextSeq() int {
	o.seq++
	return o.seq
}

// userFor returns the user with the given username, creating it on first use.
// The caller holds o.mu or is the constructor.
func (o *Org) userFor(username string) *user {
	if u, ok := o.users[username]; ok {
		return u
	}
	u := &user{id: newID(prefixUser, o.nextSeq()), username: username, name: username}
	o.users[username] = u
	return u
}

// AddProfile adds a profile with its metadata fullName (such as "Admin") and
// Setup name (such as "System Administrator"), together with the hidden
// permission set the profile owns, and returns the profile Id. Adding a
// fullName that exists returns the existing Id.
func (o *Org) AddProfile(fullName, name string) (id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.addProfileLocked(fullName, name).id
}

func (o *Org) addProfileLocked(fullName, name string) *profile {
	for _, p := range o.state.profiles {
		if p.fullName == fullName {
			return p
		}
	}
	p := &profile{id: newID(prefixProfile, o.nextSeq()), fullName: fullName, name: name}
	ownedName := "X" + p.id[:15]
	p.ownedSet = &permissionSet{
		id:      newID(prefixPermissionSet, o.nextSeq()),
		name:    ownedName,
		label:   ownedName,
		profile: p,
	}
	o.state.profiles = append(o.state.profiles, p)
	o.state.permissionSets = append(o.state.permissionSets, p.ownedSet)
	return p
}

// AddPermissionSet adds a permission set and returns its Id. apiName is the
// name without namespace prefix. Adding an apiName and namespacePrefix pair
// that exists returns the existing Id.
func (o *Org) AddPermissionSet(apiName, label, namespacePrefix string) (id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.addPermissionSetLocked(apiName, label, namespacePrefix).id
}

func (o *Org) addPermissionSetLocked(apiName, label, namespacePrefix string) *permissionSet {
	for _, ps := range o.state.permissionSets {
		if ps.profile == nil && ps.name == apiName && ps.namespacePrefix == namespacePrefix {
			return ps
		}
	}
	ps := &permissionSet{
		id:              newID(prefixPermissionSet, o.nextSeq()),
		name:            apiName,
		label:           label,
		namespacePrefix: namespacePrefix,
	}
	o.state.permissionSets = append(o.state.permissionSets, ps)
	return ps
}

// Calls returns the number of calls per operation since the org was made or
// ResetCalls ran. Operation names are "oauth.token", "identity",
// "metadata.<call>" and "rest.query", "rest.sobjects.create",
// "rest.sobjects.get", "rest.sobjects.delete".
func (o *Org) Calls() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string]int, len(o.calls))
	for k, v := range o.calls {
		out[k] = v
	}
	return out
}

// ResetCalls sets every call count to zero.
func (o *Org) ResetCalls() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = map[string]int{}
}

// sortedAppNames returns the fullNames of all apps in ascending order.
func (s *orgState) sortedAppNames() []string {
	names := make([]string, 0, len(s.apps))
	for name := range s.apps {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// clone returns a copy of s that a failed all-or-none call can be rolled
// back to. Profiles, permission sets and users are never changed by API
// calls, so they are shared; apps and grants are copied.
func (s *orgState) clone() *orgState {
	out := &orgState{
		apps:           make(map[string]*connectedApp, len(s.apps)),
		profiles:       s.profiles,
		permissionSets: s.permissionSets,
		deletedGrants:  make(map[string]bool, len(s.deletedGrants)),
	}
	copies := make(map[*connectedApp]*connectedApp, len(s.apps))
	for name, app := range s.apps {
		c := app.clone()
		out.apps[name] = c
		copies[app] = c
	}
	for _, g := range s.grants {
		ng := *g
		ng.app = copies[g.app]
		out.grants = append(out.grants, &ng)
	}
	for id := range s.deletedGrants {
		out.deletedGrants[id] = true
	}
	return out
}
