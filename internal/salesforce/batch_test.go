package salesforce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// callRecorder records the fullNames of every readMetadata request and the
// operation of every other request that passes through it.
type callRecorder struct {
	base http.RoundTripper

	mu         sync.Mutex
	reads      [][]string
	operations []string
}

var (
	soapOperationPattern = regexp.MustCompile(`Body><(\w+)`)
	fullNamesPattern     = regexp.MustCompile(`<fullNames>([^<]*)</fullNames>`)
)

func (rec *callRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	operation := req.Method + " " + req.URL.Path
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if m := soapOperationPattern.FindSubmatch(body); m != nil {
			operation = string(m[1])
		}
		if operation == "readMetadata" {
			var names []string
			for _, m := range fullNamesPattern.FindAllSubmatch(body, -1) {
				names = append(names, string(m[1]))
			}
			rec.mu.Lock()
			rec.reads = append(rec.reads, names)
			rec.mu.Unlock()
		}
	}
	if strings.Contains(req.URL.Path, "/query") {
		operation = "query"
	}
	rec.mu.Lock()
	rec.operations = append(rec.operations, operation)
	rec.mu.Unlock()
	return rec.base.RoundTrip(req)
}

// count returns how many requests had the operation, such as readMetadata,
// listMetadata or query.
func (rec *callRecorder) count(operation string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, op := range rec.operations {
		if op == operation {
			n++
		}
	}
	return n
}

// namesRead returns every distinct name sent to readMetadata, lower-cased.
func (rec *callRecorder) namesRead() map[string]bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := map[string]bool{}
	for _, call := range rec.reads {
		for _, name := range call {
			out[strings.ToLower(name)] = true
		}
	}
	return out
}

func appName(i int) string { return fmt.Sprintf("App_%03d", i) }

func appXML(i int) []byte {
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>ops@example.com</contactEmail>
    <label>App %03d</label>
    <oauthConfig>
        <callbackUrl>https://app%03d.example.com/callback</callbackUrl>
        <consumerKey>3MVG9SHAREDREADS%03d</consumerKey>
        <scopes>Api</scopes>
    </oauthConfig>
</ConnectedApp>
`, i, i, i)
}

// startSharedReadsOrg starts a simulated org holding apps App_000 to
// App_<apps-1>, the System Administrator profile and the Sync_Users
// permission set.
func startSharedReadsOrg(t *testing.T, apps int) (*orgsim.Server, string) {
	t.Helper()
	token := "00DSHARED!" + strings.Repeat("a", 24)
	srv, err := orgsim.Start(orgsim.Options{AccessTokens: []string{token}})
	if err != nil {
		t.Fatalf("starting the simulated org: %v", err)
	}
	t.Cleanup(srv.Close)
	srv.Org.AddProfile("Admin", "System Administrator")
	srv.Org.AddPermissionSet("Sync_Users", "Sync Users", "")
	for i := range apps {
		if err := srv.Org.LoadConnectedApp(appName(i), appXML(i), orgsim.LoadProps{}); err != nil {
			t.Fatalf("loading %s: %v", appName(i), err)
		}
	}
	return srv, token
}

func newSharedReadsClient(t *testing.T, srv *orgsim.Server, token string, batch bool) (*Client, *callRecorder) {
	t.Helper()
	rec := &callRecorder{base: http.DefaultTransport}
	c, err := New(context.Background(), Config{
		Auth: auth.Config{
			LoginURL: srv.URL, InstanceURL: srv.URL, AccessToken: token,
			HTTPClient: &http.Client{Transport: rec, Timeout: time.Minute},
		},
		BatchReads: batch,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, rec
}

// readConcurrently calls FindConnectedApp for every name at once and fails
// the test on any error or on an app with another name.
func readConcurrently(t *testing.T, c *Client, names []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(names))
	start := make(chan struct{})
	for _, name := range names {
		wg.Go(func() {
			<-start
			app, err := c.FindConnectedApp(context.Background(), name)
			switch {
			case err != nil:
				errs <- err
			case app.FullName() != name:
				errs <- fmt.Errorf("FindConnectedApp(%q) returned %q", name, app.FullName())
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// waitIdle waits until the component reader has no call in flight.
func waitIdle(t *testing.T, c *Client) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r := c.components
		r.mu.Lock()
		idle := len(r.inFlight) == 0 && r.pending == nil && r.aheadCalls == 0 && (!r.listing || r.candidates != nil)
		r.mu.Unlock()
		if idle {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the component reader still has calls in flight after 10s")
}

func appNames(from, to int) []string {
	var names []string
	for i := from; i < to; i++ {
		names = append(names, appName(i))
	}
	return names
}

func TestSharedReadsCoalesceConcurrentReads(t *testing.T) {
	for _, n := range []int{1, 7, 10, 25, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			srv, token := startSharedReadsOrg(t, n)
			c, rec := newSharedReadsClient(t, srv, token, true)
			// A wide window keeps a slow scheduler from splitting a batch.
			c.components.window = time.Second
			c.components.maxHold = time.Second

			readConcurrently(t, c, appNames(0, n))
			waitIdle(t, c)

			if got, want := rec.count("readMetadata"), (n+9)/10; got != want {
				t.Errorf("readMetadata calls = %d, want %d", got, want)
			}
			if got := len(rec.namesRead()); got != n {
				t.Errorf("distinct names read = %d, want %d", got, n)
			}
		})
	}
}

func TestSharedReadsLoneRead(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 20)
	c, rec := newSharedReadsClient(t, srv, token, true)
	ctx := context.Background()

	app, err := c.FindConnectedApp(ctx, appName(3))
	if err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	if app.FullName() != appName(3) {
		t.Errorf("FullName = %q, want %q", app.FullName(), appName(3))
	}
	if got := rec.count("readMetadata"); got != 1 {
		t.Errorf("readMetadata calls = %d, want 1", got)
	}
	if got := rec.reads[0]; len(got) != 1 || got[0] != appName(3) {
		t.Errorf("names sent = %v, want [%s]", got, appName(3))
	}

	// The policy resource reads the same app: no second call.
	if _, err := c.FindConnectedApp(ctx, strings.ToLower(appName(3))); err != nil {
		t.Fatalf("second FindConnectedApp: %v", err)
	}
	if got := rec.count("readMetadata"); got != 1 {
		t.Errorf("readMetadata calls after a second read = %d, want 1", got)
	}

	_, err = c.FindConnectedApp(ctx, "Missing_App")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("FindConnectedApp(Missing_App) error = %v, want ErrNotFound", err)
	}
	waitIdle(t, c)
	if got := rec.count("listMetadata"); got != 1 {
		t.Errorf("listMetadata calls = %d, want 1", got)
	}
	if got := len(rec.namesRead()); got != 2 {
		t.Errorf("distinct names read = %d, want 2: no read-ahead below the threshold", got)
	}
}

func TestSharedReadsReturnCopies(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 1)
	c, _ := newSharedReadsClient(t, srv, token, true)
	ctx := context.Background()

	first, err := c.FindConnectedApp(ctx, appName(0))
	if err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	first.SetLabel("Changed in memory")
	second, err := c.FindConnectedApp(ctx, appName(0))
	if err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	if second.Label() != "App 000" {
		t.Errorf("Label = %q after the caller edited an earlier copy, want %q", second.Label(), "App 000")
	}
}

func TestSharedReadsWriteInvalidates(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 3)
	c, rec := newSharedReadsClient(t, srv, token, true)
	ctx := context.Background()

	app, err := c.FindConnectedApp(ctx, appName(1))
	if err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	app.SetLabel("Renamed Label")
	if err := c.UpdateConnectedApp(ctx, app); err != nil {
		t.Fatalf("UpdateConnectedApp: %v", err)
	}
	after, err := c.FindConnectedApp(ctx, appName(1))
	if err != nil {
		t.Fatalf("FindConnectedApp after the update: %v", err)
	}
	if after.Label() != "Renamed Label" {
		t.Errorf("Label after the update = %q, want %q", after.Label(), "Renamed Label")
	}
	if got := rec.count("readMetadata"); got != 2 {
		t.Errorf("readMetadata calls = %d, want 2 (one before and one after the update)", got)
	}
}

func TestSharedReadsFreshReadSkipsCache(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 2)
	c, rec := newSharedReadsClient(t, srv, token, true)
	other, _ := newSharedReadsClient(t, srv, token, false)
	ctx := context.Background()

	if _, err := c.FindConnectedApp(ctx, appName(0)); err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	// Another tool changes the app.
	app, err := other.FindConnectedApp(ctx, appName(0))
	if err != nil {
		t.Fatalf("FindConnectedApp through the other client: %v", err)
	}
	app.SetLabel("Changed Elsewhere")
	if err := other.UpdateConnectedApp(ctx, app); err != nil {
		t.Fatalf("UpdateConnectedApp through the other client: %v", err)
	}

	cached, err := c.FindConnectedApp(ctx, appName(0))
	if err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	if cached.Label() != "App 000" {
		t.Errorf("cached Label = %q, want the label read first, %q", cached.Label(), "App 000")
	}
	fresh, err := c.FindConnectedAppFresh(ctx, appName(0))
	if err != nil {
		t.Fatalf("FindConnectedAppFresh: %v", err)
	}
	if fresh.Label() != "Changed Elsewhere" {
		t.Errorf("fresh Label = %q, want %q", fresh.Label(), "Changed Elsewhere")
	}
	if got := rec.count("readMetadata"); got != 2 {
		t.Errorf("readMetadata calls = %d, want 2", got)
	}
	// The fresh read refreshed the cache too.
	again, err := c.FindConnectedApp(ctx, appName(0))
	if err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	if again.Label() != "Changed Elsewhere" {
		t.Errorf("Label after the fresh read = %q, want %q", again.Label(), "Changed Elsewhere")
	}
}

func TestSharedReadsOff(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 30)
	c, rec := newSharedReadsClient(t, srv, token, false)
	ctx := context.Background()

	readConcurrently(t, c, appNames(0, 12))
	if got := rec.count("readMetadata"); got != 12 {
		t.Errorf("readMetadata calls for 12 concurrent reads = %d, want 12", got)
	}
	if _, err := c.FindConnectedApp(ctx, appName(0)); err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	if got := rec.count("readMetadata"); got != 13 {
		t.Errorf("readMetadata calls after reading an app again = %d, want 13", got)
	}

	props, err := c.FindConnectedAppProperties(ctx, appName(0))
	if err != nil {
		t.Fatalf("FindConnectedAppProperties: %v", err)
	}
	before := rec.count("query")
	for range 2 {
		if _, err := c.FindGrants(ctx, props.ID); err != nil {
			t.Fatalf("FindGrants: %v", err)
		}
		if _, err := c.FindProfileByName(ctx, "System Administrator"); err != nil {
			t.Fatalf("FindProfileByName: %v", err)
		}
	}
	if got := rec.count("query") - before; got != 4 {
		t.Errorf("queries for two grant reads and two profile lookups = %d, want 4", got)
	}
}

func TestSharedReadsFewAppsOfMany(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 200)
	c, rec := newSharedReadsClient(t, srv, token, true)

	// An app and its policy read each of the two apps.
	names := []string{appName(17), appName(17), appName(150), appName(150)}
	readConcurrently(t, c, names)
	waitIdle(t, c)

	read := rec.namesRead()
	if len(read) != 2 || !read[strings.ToLower(appName(17))] || !read[strings.ToLower(appName(150))] {
		t.Errorf("names read = %v, want only %s and %s", read, appName(17), appName(150))
	}
	if got := rec.count("listMetadata"); got != 1 {
		t.Errorf("listMetadata calls = %d, want 1", got)
	}
}

func TestSharedReadsReadAheadBounded(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 200)
	c, rec := newSharedReadsClient(t, srv, token, true)

	requested := appNames(40, 52)
	readConcurrently(t, c, requested)
	waitIdle(t, c)

	read := rec.namesRead()
	for _, name := range requested {
		if !read[strings.ToLower(name)] {
			t.Errorf("%s was requested but not read", name)
		}
	}
	calls := rec.count("readMetadata")
	t.Logf("read %d apps in %d calls", len(read), calls)
	// Two calls for the requests, and at most n/5 + 1 of read-ahead.
	if limit := 2 + len(requested)/5 + 1; calls > limit {
		t.Errorf("readMetadata calls = %d for %d apps requested, want at most %d", calls, len(requested), limit)
	}
	if len(read) > 10*calls || len(read) >= 200 {
		t.Errorf("read %d apps in %d calls of an org of 200", len(read), calls)
	}
}

func TestSharedReadsReadAheadServesLaterReads(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 30)
	c, rec := newSharedReadsClient(t, srv, token, true)
	c.components.window = time.Second
	c.components.maxHold = time.Second

	readConcurrently(t, c, appNames(0, 10))
	waitIdle(t, c)
	readConcurrently(t, c, appNames(10, 20))
	waitIdle(t, c)
	readConcurrently(t, c, appNames(20, 30))
	waitIdle(t, c)

	if got := rec.count("readMetadata"); got != 3 {
		t.Errorf("readMetadata calls for 30 apps = %d, want 3", got)
	}
	if got := rec.count("listMetadata"); got != 1 {
		t.Errorf("listMetadata calls = %d, want 1", got)
	}
	var sizes []int
	for _, call := range rec.reads {
		sizes = append(sizes, len(call))
	}
	sort.Ints(sizes)
	if fmt.Sprint(sizes) != "[10 10 10]" {
		t.Errorf("names per readMetadata call = %v, want [10 10 10]", sizes)
	}
}

func TestSharedGrantsOneQuery(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 3)
	c, rec := newSharedReadsClient(t, srv, token, true)
	ctx := context.Background()

	ids := make([]string, 3)
	for i := range ids {
		props, err := c.FindConnectedAppProperties(ctx, appName(i))
		if err != nil {
			t.Fatalf("FindConnectedAppProperties: %v", err)
		}
		ids[i] = props.ID
	}
	ps, err := c.FindPermissionSetByName(ctx, "Sync_Users")
	if err != nil {
		t.Fatalf("FindPermissionSetByName: %v", err)
	}
	if _, err := c.CreateGrant(ctx, ps.ID, ids[0]); err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	before := rec.count("query")

	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if _, err := c.FindGrants(ctx, id); err != nil {
				t.Errorf("FindGrants(%s): %v", id, err)
			}
		})
	}
	wg.Wait()
	if got := rec.count("query") - before; got != 1 {
		t.Errorf("queries for the grants of 3 apps = %d, want 1", got)
	}
	grants, err := c.FindGrants(ctx, ids[0])
	if err != nil {
		t.Fatalf("FindGrants: %v", err)
	}
	if len(grants) != 1 || grants[0].ParentID != ps.ID {
		t.Errorf("grants of %s = %+v, want one row for %s", appName(0), grants, ps.ID)
	}
	if got := rec.count("query") - before; got != 1 {
		t.Errorf("queries after reading cached grants = %d, want 1", got)
	}

	// A grant write refreshes only the app it changed.
	if _, err := c.CreateGrant(ctx, ps.ID, ids[1]); err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	grants, err = c.FindGrants(ctx, ids[1])
	if err != nil {
		t.Fatalf("FindGrants: %v", err)
	}
	if len(grants) != 1 {
		t.Errorf("grants of %s after the write = %d rows, want 1", appName(1), len(grants))
	}
	if _, err := c.FindGrants(ctx, ids[2]); err != nil {
		t.Fatalf("FindGrants: %v", err)
	}
	if got := rec.count("query") - before; got != 2 {
		t.Errorf("queries after one grant write = %d, want 2", got)
	}

	// A component update can change profile grants.
	app, err := c.FindConnectedAppFresh(ctx, appName(2))
	if err != nil {
		t.Fatalf("FindConnectedAppFresh: %v", err)
	}
	app.SetProfiles([]string{"System Administrator"})
	if err := c.UpdateConnectedApp(ctx, app); err != nil {
		t.Fatalf("UpdateConnectedApp: %v", err)
	}
	grants, err = c.FindGrants(ctx, ids[2])
	if err != nil {
		t.Fatalf("FindGrants: %v", err)
	}
	if len(grants) != 1 || !grants[0].IsOwnedByProfile || grants[0].ProfileName != "System Administrator" {
		t.Errorf("grants of %s after a profile update = %+v, want the System Administrator profile", appName(2), grants)
	}

	// Deleting a cached row refreshes its app.
	rows, err := c.FindGrants(ctx, ids[0])
	if err != nil {
		t.Fatalf("FindGrants: %v", err)
	}
	if err := c.DeleteGrant(ctx, rows[0].ID); err != nil {
		t.Fatalf("DeleteGrant: %v", err)
	}
	rows, err = c.FindGrants(ctx, ids[0])
	if err != nil {
		t.Fatalf("FindGrants: %v", err)
	}
	if len(rows) != 0 {
		t.Errorf("grants of %s after the delete = %+v, want none", appName(0), rows)
	}
}

func TestSharedGrantsLoneApp(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 50)
	c, rec := newSharedReadsClient(t, srv, token, true)
	ctx := context.Background()

	props, err := c.FindConnectedAppProperties(ctx, appName(5))
	if err != nil {
		t.Fatalf("FindConnectedAppProperties: %v", err)
	}
	for range 3 {
		if _, err := c.FindGrants(ctx, props.ID); err != nil {
			t.Fatalf("FindGrants: %v", err)
		}
	}
	if got := rec.count("query"); got != 1 {
		t.Errorf("queries for three reads of one app's grants = %d, want 1", got)
	}
}

func TestSharedLookupsCached(t *testing.T) {
	srv, token := startSharedReadsOrg(t, 1)
	c, rec := newSharedReadsClient(t, srv, token, true)
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := c.FindProfileByName(ctx, "System Administrator"); err != nil {
				t.Errorf("FindProfileByName: %v", err)
			}
			if _, err := c.FindPermissionSetByName(ctx, "Sync_Users"); err != nil {
				t.Errorf("FindPermissionSetByName: %v", err)
			}
		})
	}
	wg.Wait()
	if got := rec.count("query"); got != 2 {
		t.Errorf("queries for 5 lookups each of one profile and one permission set = %d, want 2", got)
	}
	_, err := c.FindProfileByName(ctx, "No Such Profile")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("FindProfileByName(No Such Profile) error = %v, want ErrNotFound", err)
	}
}

// blockingRead is a read function for a componentReader whose calls wait
// until the test releases them.
type blockingRead struct {
	mu      sync.Mutex
	calls   [][]string
	started chan []string
	release chan struct{}
	label   string
}

func (b *blockingRead) read(_ context.Context, names []string) ([]*xmltree.Element, error) {
	b.mu.Lock()
	b.calls = append(b.calls, names)
	label := b.label
	b.mu.Unlock()
	b.started <- names
	<-b.release
	out := make([]*xmltree.Element, len(names))
	for i, name := range names {
		out[i] = &xmltree.Element{Name: "ConnectedApp", Children: []*xmltree.Element{
			{Name: "fullName", Text: name}, {Name: "label", Text: label},
		}}
	}
	return out, nil
}

func (b *blockingRead) setLabel(label string) {
	b.mu.Lock()
	b.label = label
	b.mu.Unlock()
}

func newBlockingReader() (*componentReader, *blockingRead) {
	b := &blockingRead{started: make(chan []string, 10), release: make(chan struct{}), label: "before"}
	r := newComponentReader(b.read, func(context.Context) ([]string, error) { return nil, nil })
	r.window = time.Millisecond
	return r, b
}

func labelOf(el *xmltree.Element) string {
	label, _ := el.ChildText("label")
	return label
}

func TestComponentReaderFreshSkipsCallInFlight(t *testing.T) {
	r, b := newBlockingReader()
	ctx := context.Background()

	plain := make(chan *xmltree.Element, 1)
	go func() {
		el, _ := r.find(ctx, "App", false)
		plain <- el
	}()
	<-b.started // the plain read is in flight with the old label
	b.setLabel("after")

	fresh := make(chan *xmltree.Element, 1)
	go func() {
		el, _ := r.find(ctx, "App", true)
		fresh <- el
	}()
	<-b.started // the fresh read sent a call of its own
	close(b.release)

	if got := labelOf(<-plain); got != "before" {
		t.Errorf("plain read label = %q, want %q", got, "before")
	}
	if got := labelOf(<-fresh); got != "after" {
		t.Errorf("fresh read label = %q, want %q", got, "after")
	}
}

func TestComponentReaderInvalidateDuringCall(t *testing.T) {
	r, b := newBlockingReader()
	ctx := context.Background()

	done := make(chan struct{})
	go func() {
		_, _ = r.find(ctx, "App", false)
		close(done)
	}()
	<-b.started
	r.invalidate("app") // a write finished while the read was in flight
	b.setLabel("after")
	close(b.release)
	<-done

	el, err := r.find(ctx, "App", false)
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	if got := labelOf(el); got != "after" {
		t.Errorf("label = %q, want %q: the read in flight during the write was cached", got, "after")
	}
	if len(b.calls) != 2 {
		t.Errorf("read calls = %d, want 2", len(b.calls))
	}
}

func TestComponentReaderContextCanceled(t *testing.T) {
	r, b := newBlockingReader()
	ctx, cancel := context.WithCancel(context.Background())

	errs := make(chan error, 1)
	go func() {
		_, err := r.find(ctx, "App", false)
		errs <- err
	}()
	<-b.started
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("find error = %v, want context.Canceled", err)
	}
	close(b.release)
}
