// Package orgsim is a simulated Salesforce org for tests. It serves the wire
// formats a connected-app provider uses on a loopback address. These are
// the OAuth 2.0 token endpoint and identity URL, the CRUD calls of the
// Metadata SOAP API for the ConnectedApp type, and the REST query and
// sObject resources for Organization, Profile, PermissionSet,
// SetupEntityAccess and ConnectedApplication.
//
// The org is meant to be at least as strict as Salesforce is documented to
// be, so that tests passing here also pass against a real org. Where
// Salesforce's behaviour is not documented, the code picks one and marks
// the spot with a NOTE comment.
//
// # Stored form
//
// Each ConnectedApp is kept as an xmltree element tree. Apps loaded with
// LoadConnectedApp or LoadDir are existing org state and are kept as
// loaded: unknown elements, any element order, and odd values. Apps written
// through createMetadata or updateMetadata must pass the write checks:
// children in XSD order at every level, no unknown elements, required
// elements present, and valid values. Leaf text is trimmed, elements that
// are nil or empty are dropped, and scopes are stored in their canonical
// form. An update may carry elements identical to stored ones without these
// checks, so that a loaded app can be written back as it reads. Stored
// elements newer than the call's API version survive an update.
//
// readMetadata renders a record from the stored tree with these changes,
// for loaded and written apps alike:
//
//   - fullName comes first and consumerSecret is never included;
//   - scopes are canonical: Profile, Email, Address and Phone read as Basic,
//     OfflineAccess as RefreshToken, duplicates are dropped, and the order
//     is the scope enumeration order;
//   - profileName and permissionSetName are rendered from the
//     SetupEntityAccess rows of the app, profiles by Setup name and
//     permission sets by label. Loaded names that matched nothing are merged
//     in, all in creation order. The lists sit where the loaded file had
//     them, or else at their schema position;
//   - elements newer than the request's API version are left out.
//
// Apps of an installed managed package read back as nil and cannot be
// updated, renamed or deleted. So do apps loaded with
// LoadProps.OAuthInstalled, which listMetadata lists without a namespace.
//
// # Grants
//
// One table of SetupEntityAccess rows records which permission sets may use
// which app. Every profile owns a hidden permission set, so a profile grant
// is a row under that permission set. An updateMetadata that carries
// profileName elements sets the app's profile grants to exactly those
// profiles, and a single empty profileName clears them. An update without
// profileName elements leaves the profile grants alone. permissionSetName works the same way. REST
// creates and deletes of SetupEntityAccess rows show up in the next
// readMetadata, and list changes made through the Metadata API show up in
// the next query.
//
// # Tokens and limits
//
// Options.AccessTokens are valid from the start. The token endpoint issues
// more through the JWT bearer, refresh-token and client-credentials flows.
// Issued tokens expire after Options.TokenTTL, and every token stops
// working after Options.TokenMaxUses authenticated calls. Each SOAP call
// and each REST call below /services/data/vXX.X/ counts against
// Options.DailyLimit, and REST and SOAP responses carry Sforce-Limit-Info.
//
// # Faults
//
// Options.Latency delays every request. Options.FaultRate makes that share
// of API calls fail with a transient fault, picked by a generator seeded
// with Options.Seed: SERVER_UNAVAILABLE, the ConcurrentRequests limit,
// HTTP 502, 503 or 504 with an HTML page, or a dropped connection.
// Options.FaultAfterCommit is the share of faulted writes that fail only
// after the write took effect. Options.LockComponent makes writes of one
// app fail with UNABLE_TO_LOCK_ROW, for Options.LockDuration or for
// Options.LockWrites writes.
//
// The command internal/orgsim/cmd/orgsim runs an org as a process.
package orgsim
