package salesforce

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

const (
	testClientSecret = "s3cr3t-consumer-secret"
	testRefreshToken = "5Aep861-refresh-token" //nolint:gosec // test fixture, not a credential
)

// fakeOrg serves the token endpoint, the Metadata SOAP endpoint and the REST
// API on one loopback server.
type fakeOrg struct {
	*httptest.Server
	t *testing.T

	mu            sync.Mutex
	tokenRequests int
	issued        []string // access tokens in issue order
	assertions    []string
	rejectTokens  map[string]bool // access tokens the API endpoints reject with INVALID_SESSION_ID
	soapOps       []string
	restURIs      []string

	tokenError map[string]string // when set, the token endpoint returns it with HTTP 400
	soap       func(operation string, body *xmltree.Element) string
	rest       func(w http.ResponseWriter, r *http.Request)
}

func newFakeOrg(t *testing.T) *fakeOrg {
	t.Helper()
	org := &fakeOrg{t: t, rejectTokens: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", org.token)
	mux.HandleFunc("/services/Soap/m/68.0", org.soapHandler)
	mux.HandleFunc("/services/data/v68.0/", org.restHandler)
	org.Server = httptest.NewServer(mux)
	t.Cleanup(org.Close)
	return org
}

func (org *fakeOrg) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	org.mu.Lock()
	defer org.mu.Unlock()
	org.tokenRequests++
	org.assertions = append(org.assertions, r.PostForm.Get("assertion"))
	w.Header().Set("Content-Type", "application/json")
	if org.tokenError != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(org.tokenError)
		return
	}
	access := fmt.Sprintf("00Dxx0000000001!AQ-access-%d", org.tokenRequests)
	org.issued = append(org.issued, access)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"access_token": access, "instance_url": org.URL, "token_type": "Bearer",
		"id": org.URL + "/id/00Dxx0000000001/005xx0000000001", "issued_at": "1712345678901",
		"refresh_token": testRefreshToken,
	})
}

func (org *fakeOrg) rejected(token string) bool {
	org.mu.Lock()
	defer org.mu.Unlock()
	return org.rejectTokens[token]
}

func (org *fakeOrg) soapHandler(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	env, err := xmltree.ParseBytes(raw)
	if err != nil {
		org.t.Errorf("SOAP request is not XML: %v", err)
		return
	}
	session, _ := env.Child("Header").Child("SessionHeader").ChildText("sessionId")
	op := env.Child("Body").Children[0]
	org.mu.Lock()
	org.soapOps = append(org.soapOps, op.Name)
	org.mu.Unlock()

	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	if org.rejected(session) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" `+
			`xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>`+
			`<faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found `+
			`in SessionHeader: Illegal Session</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
		return
	}
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope `+
		`xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" `+
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`+
		org.soap(op.Name, op)+`</soapenv:Body></soapenv:Envelope>`)
}

func (org *fakeOrg) restHandler(w http.ResponseWriter, r *http.Request) {
	org.mu.Lock()
	org.restURIs = append(org.restURIs, r.Method+" "+r.URL.RequestURI())
	org.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Sforce-Limit-Info", "api-usage=25/15000")
	if org.rejected(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
		return
	}
	org.rest(w, r)
}

func (org *fakeOrg) soapCount(op string) int {
	org.mu.Lock()
	defer org.mu.Unlock()
	n := 0
	for _, o := range org.soapOps {
		if o == op {
			n++
		}
	}
	return n
}

func testKey(t *testing.T) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func newTestClient(t *testing.T, ctx context.Context, org *fakeOrg) *Client {
	t.Helper()
	c, err := New(ctx, Config{Auth: auth.Config{
		LoginURL: org.URL, ClientID: "3MVG9cid", ClientSecret: testClientSecret, RefreshToken: testRefreshToken,
		HTTPClient: org.Client(),
	}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func readResponse(records ...string) string {
	return "<readMetadataResponse><result>" + strings.Join(records, "") + "</result></readMetadataResponse>"
}

func appRecord(name string) string {
	return `<records xsi:type="ConnectedApp"><fullName>` + name + `</fullName><contactEmail>ops@example.com</contactEmail>` +
		`<label>` + name + `</label></records>`
}

func saveResponse(op, name string, errorsXML string) string {
	success := "true"
	if errorsXML != "" {
		success = "false"
	}
	return "<" + op + "Response><result>" + errorsXML + "<fullName>" + name + "</fullName><success>" + success +
		"</success></result></" + op + "Response>"
}

const notFoundErrors = `<errors><message>In field: fullName - no ConnectedApp named Gone found</message>` +
	`<statusCode>INVALID_CROSS_REFERENCE_KEY</statusCode></errors>`

func TestNewFetchesTokenEagerly(t *testing.T) {
	org := newFakeOrg(t)
	org.tokenError = map[string]string{"error": "invalid_client_id", "error_description": "client identifier invalid"}
	_, err := New(context.Background(), Config{Auth: auth.Config{
		LoginURL: org.URL, ClientID: "bad", RefreshToken: testRefreshToken, HTTPClient: org.Client(),
	}})
	var te *auth.TokenError
	if !errors.As(err, &te) || te.Code != "invalid_client_id" {
		t.Fatalf("New error = %v, want a TokenError with invalid_client_id", err)
	}
	if org.tokenRequests != 1 {
		t.Errorf("token requests = %d, want 1", org.tokenRequests)
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	_, err := New(context.Background(), Config{Auth: auth.Config{ClientID: "id", Username: "u"}})
	if err == nil || !strings.Contains(err.Error(), "private_key") {
		t.Errorf("error = %v, want one naming private_key", err)
	}
}

func TestFindConnectedApp(t *testing.T) {
	org := newFakeOrg(t)
	org.soap = func(op string, body *xmltree.Element) string {
		name := body.Child("fullNames").Text
		if name == "Missing" {
			return readResponse(`<records xsi:nil="true"/>`)
		}
		return readResponse(appRecord(name))
	}
	c := newTestClient(t, context.Background(), org)

	app, err := c.FindConnectedApp(context.Background(), "Example_App")
	if err != nil {
		t.Fatalf("FindConnectedApp: %v", err)
	}
	if app.FullName() != "Example_App" {
		t.Errorf("FullName = %q", app.FullName())
	}
	if got, _ := app.Element().ChildText("contactEmail"); got != "ops@example.com" {
		t.Errorf("contactEmail = %q", got)
	}

	_, err = c.FindConnectedApp(context.Background(), "Missing")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("missing app error = %v, want ErrNotFound", err)
	}
	if err != nil && !strings.Contains(err.Error(), `"Missing"`) {
		t.Errorf("error %q does not name the app", err)
	}
}

func TestFindConnectedApps(t *testing.T) {
	org := newFakeOrg(t)
	org.soap = func(op string, body *xmltree.Element) string {
		var records []string
		for _, n := range body.ChildrenNamed("fullNames") {
			if strings.HasPrefix(n.Text, "Gone") {
				records = append(records, `<records xsi:nil="true"/>`)
			} else {
				records = append(records, appRecord(n.Text))
			}
		}
		return readResponse(records...)
	}
	c := newTestClient(t, context.Background(), org)
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("App_%d", i))
	}
	names = append(names, "Gone_1")
	apps, err := c.FindConnectedApps(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 12 || apps["App_11"] == nil || apps["Gone_1"] != nil {
		t.Errorf("apps = %v", apps)
	}
	if got := org.soapCount("readMetadata"); got != 2 {
		t.Errorf("readMetadata calls = %d, want 2", got)
	}
}

func TestConnectedAppWrites(t *testing.T) {
	org := newFakeOrg(t)
	org.soap = func(op string, body *xmltree.Element) string {
		name, _ := body.Child("metadata").ChildText("fullName")
		if op == "deleteMetadata" {
			name = body.Child("fullNames").Text
		}
		if op == "renameMetadata" {
			name, _ = body.ChildText("oldFullName")
		}
		switch name {
		case "Gone":
			return saveResponse(op, name, notFoundErrors)
		case "Dup":
			return saveResponse(op, name, `<errors><message>duplicate value found</message>`+
				`<statusCode>DUPLICATE_DEVELOPER_NAME</statusCode></errors>`)
		}
		return saveResponse(op, name, "")
	}
	ctx := context.Background()
	c := newTestClient(t, ctx, org)

	if err := c.CreateConnectedApp(ctx, connectedapp.New("Fresh")); err != nil {
		t.Errorf("CreateConnectedApp: %v", err)
	}
	err := c.CreateConnectedApp(ctx, connectedapp.New("Dup"))
	var saveErr *metadata.SaveError
	if !errors.As(err, &saveErr) || saveErr.Errors[0].StatusCode != "DUPLICATE_DEVELOPER_NAME" {
		t.Errorf("duplicate create error = %v, want a SaveError with DUPLICATE_DEVELOPER_NAME", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Error("duplicate create error matches ErrNotFound")
	}

	if err := c.UpdateConnectedApp(ctx, connectedapp.New("Fresh")); err != nil {
		t.Errorf("UpdateConnectedApp: %v", err)
	}
	err = c.UpdateConnectedApp(ctx, connectedapp.New("Gone"))
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &saveErr) {
		t.Errorf("update of missing app error = %v, want ErrNotFound and a SaveError", err)
	}

	if err := c.DeleteConnectedApp(ctx, "Fresh"); err != nil {
		t.Errorf("DeleteConnectedApp: %v", err)
	}
	err = c.DeleteConnectedApp(ctx, "Gone")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("delete of missing app error = %v, want ErrNotFound", err)
	}
	if err != nil && !strings.Contains(err.Error(), "INVALID_CROSS_REFERENCE_KEY") {
		t.Errorf("error %q does not quote the status code", err)
	}

	if err := c.RenameConnectedApp(ctx, "Fresh", "Renamed"); err != nil {
		t.Errorf("RenameConnectedApp: %v", err)
	}
	if err := c.RenameConnectedApp(ctx, "Gone", "Other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rename of missing app error = %v, want ErrNotFound", err)
	}
}

func TestFindConnectedAppPropertiesCache(t *testing.T) {
	org := newFakeOrg(t)
	var listed atomic.Int32
	org.soap = func(op string, body *xmltree.Element) string {
		if op != "listMetadata" {
			name, _ := body.Child("metadata").ChildText("fullName")
			return saveResponse(op, name, "")
		}
		listed.Add(1)
		entries := `<result><createdById>005x</createdById><createdByName>Admin</createdByName>` +
			`<createdDate>2024-05-01T12:00:00.000Z</createdDate><fileName>connectedApps/Listed.connectedApp</fileName>` +
			`<fullName>Listed</fullName><id>0H4xx000000001</id><lastModifiedById>005x</lastModifiedById>` +
			`<lastModifiedByName>Admin</lastModifiedByName><lastModifiedDate>2024-05-01T12:00:00.000Z</lastModifiedDate>` +
			`<manageableState>unmanaged</manageableState><type>ConnectedApp</type></result>`
		return "<listMetadataResponse>" + entries + "</listMetadataResponse>"
	}
	ctx := context.Background()
	c := newTestClient(t, ctx, org)

	for range 3 {
		props, err := c.FindConnectedAppProperties(ctx, "Listed")
		if err != nil {
			t.Fatal(err)
		}
		if props.ID != "0H4xx000000001" || !props.CreatedDate.Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("props = %+v", props)
		}
	}
	if got := listed.Load(); got != 1 {
		t.Errorf("listMetadata calls after 3 lookups = %d, want 1", got)
	}
	if props, err := c.FindConnectedAppProperties(ctx, "LISTED"); err != nil || props.FullName != "Listed" {
		t.Errorf("case-insensitive lookup = %+v, %v", props, err)
	}

	if err := c.CreateConnectedApp(ctx, connectedapp.New("Other")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindConnectedAppProperties(ctx, "Listed"); err != nil {
		t.Fatal(err)
	}
	if got := listed.Load(); got != 2 {
		t.Errorf("listMetadata calls after a create = %d, want 2", got)
	}

	_, err := c.FindConnectedAppProperties(ctx, "Absent")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("error = %v, want ErrNotFound", err)
	}
	if got := listed.Load(); got != 3 {
		t.Errorf("listMetadata calls after a miss in the kept list = %d, want 3", got)
	}
}

func queryOf(t *testing.T, requestURI string) string {
	t.Helper()
	u, err := url.Parse(requestURI)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("q")
}

func TestFindProfileAndPermissionSet(t *testing.T) {
	org := newFakeOrg(t)
	var lastQuery string
	org.rest = func(w http.ResponseWriter, r *http.Request) {
		lastQuery = r.URL.Query().Get("q")
		switch {
		case strings.Contains(lastQuery, "'Nobody'"):
			_, _ = io.WriteString(w, `{"totalSize":0,"done":true,"records":[]}`)
		case strings.Contains(lastQuery, "FROM Profile"):
			_, _ = io.WriteString(w, `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Profile"},`+
				`"Id":"00exx0000001","Name":"O'Brien Profile"}]}`)
		default:
			_, _ = io.WriteString(w, `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"PermissionSet"},`+
				`"Id":"0PSxx0000001","Name":"Integration","Label":"Integration Access","NamespacePrefix":null}]}`)
		}
	}
	ctx := context.Background()
	c := newTestClient(t, ctx, org)

	profile, err := c.FindProfileByName(ctx, "O'Brien Profile")
	if err != nil {
		t.Fatal(err)
	}
	if profile.ID != "00exx0000001" || profile.Name != "O'Brien Profile" {
		t.Errorf("profile = %+v", profile)
	}
	if want := `SELECT Id, Name FROM Profile WHERE Name = 'O\'Brien Profile'`; lastQuery != want {
		t.Errorf("query = %s\nwant    %s", lastQuery, want)
	}
	if _, err := c.FindProfileByName(ctx, "Nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing profile error = %v, want ErrNotFound", err)
	}

	cases := []struct {
		apiName, wantQuery string
	}{
		{"Integration", "SELECT Id, Name, Label, NamespacePrefix FROM PermissionSet WHERE Name = 'Integration' " +
			"AND NamespacePrefix = null AND IsOwnedByProfile = false"},
		{"acme__Integration", "SELECT Id, Name, Label, NamespacePrefix FROM PermissionSet WHERE Name = 'Integration' " +
			"AND NamespacePrefix = 'acme' AND IsOwnedByProfile = false"},
	}
	for _, tc := range cases {
		ps, err := c.FindPermissionSetByName(ctx, tc.apiName)
		if err != nil {
			t.Fatalf("FindPermissionSetByName(%q): %v", tc.apiName, err)
		}
		if ps.ID != "0PSxx0000001" || ps.Label != "Integration Access" || ps.NamespacePrefix != "" {
			t.Errorf("permission set = %+v", ps)
		}
		if lastQuery != tc.wantQuery {
			t.Errorf("query = %s\nwant    %s", lastQuery, tc.wantQuery)
		}
	}
	if _, err := c.FindPermissionSetByName(ctx, "Nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing permission set error = %v, want ErrNotFound", err)
	}
}

func TestGrants(t *testing.T) {
	org := newFakeOrg(t)
	org.rest = func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"totalSize":2,"done":true,"records":[`+
				`{"attributes":{"type":"SetupEntityAccess"},"Id":"0J0xx1","ParentId":"0PSxx1","SetupEntityId":"0H4xx1",`+
				`"Parent":{"attributes":{"type":"PermissionSet"},"Name":"Integration","NamespacePrefix":"acme",`+
				`"IsOwnedByProfile":false,"Profile":null}},`+
				`{"attributes":{"type":"SetupEntityAccess"},"Id":"0J0xx2","ParentId":"0PSxx2","SetupEntityId":"0H4xx1",`+
				`"Parent":{"attributes":{"type":"PermissionSet"},"Name":"X00ex00000018ozh_128_09_04_12_1",`+
				`"NamespacePrefix":null,"IsOwnedByProfile":true,"Profile":{"attributes":{"type":"Profile"},`+
				`"Name":"System Administrator"}}}]}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"0J0xx9","success":true,"errors":[]}`)
		case strings.HasSuffix(r.URL.Path, "/0J0xxGone"):
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
	ctx := context.Background()
	c := newTestClient(t, ctx, org)

	grants, err := c.FindGrants(ctx, "0H4xx1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Grant{
		{ID: "0J0xx1", ParentID: "0PSxx1", SetupEntityID: "0H4xx1", ParentName: "Integration", ParentNamespacePrefix: "acme"},
		{ID: "0J0xx2", ParentID: "0PSxx2", SetupEntityID: "0H4xx1", ParentName: "X00ex00000018ozh_128_09_04_12_1",
			IsOwnedByProfile: true, ProfileName: "System Administrator"},
	}
	if fmt.Sprint(grants) != fmt.Sprint(want) {
		t.Errorf("grants = %+v\nwant     %+v", grants, want)
	}
	wantQuery := "SELECT Id, ParentId, SetupEntityId, Parent.Name, Parent.NamespacePrefix, Parent.IsOwnedByProfile, " +
		"Parent.Profile.Name FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication' " +
		"AND SetupEntityId = '0H4xx1'"
	if got := queryOf(t, strings.TrimPrefix(org.restURIs[0], "GET ")); got != wantQuery {
		t.Errorf("query = %s\nwant    %s", got, wantQuery)
	}

	id, err := c.CreateGrant(ctx, "0PSxx1", "0H4xx1")
	if err != nil || id != "0J0xx9" {
		t.Errorf("CreateGrant = %q, %v", id, err)
	}
	if err := c.DeleteGrant(ctx, "0J0xx9"); err != nil {
		t.Errorf("DeleteGrant: %v", err)
	}
	if err := c.DeleteGrant(ctx, "0J0xxGone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteGrant of a missing row = %v, want ErrNotFound", err)
	}
	if used, limit, ok := c.APIUsage(); !ok || used != 25 || limit != 15000 {
		t.Errorf("APIUsage = %d, %d, %v", used, limit, ok)
	}
}

func TestLockApp(t *testing.T) {
	c := &Client{locks: map[string]*sync.Mutex{}}
	unlock := c.LockApp("My_App")

	acquired := make(chan struct{})
	go func() {
		other := c.LockApp("my_app")
		close(acquired)
		other()
	}()
	select {
	case <-acquired:
		t.Fatal("a second LockApp of the same app did not wait")
	case <-time.After(50 * time.Millisecond):
	}

	independent := c.LockApp("Other_App")
	independent()

	unlock()
	unlock() // a second call has no effect
	select {
	case <-acquired:
	case <-time.After(2 * time.Second):
		t.Fatal("LockApp did not return after unlock")
	}
}

// TestLogsHoldNoCredentials runs a JWT bearer client and a refresh token
// client through calls that include a token refresh, and checks the
// captured logs for every credential involved.
func TestLogsHoldNoCredentials(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	org := newFakeOrg(t)
	org.soap = func(op string, body *xmltree.Element) string { return readResponse(appRecord("Logged_App")) }
	org.rest = func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"totalSize":0,"done":true,"records":[]}`)
	}
	keyPEM := testKey(t)

	jwtClient, err := New(ctx, Config{Auth: auth.Config{
		LoginURL: org.URL, ClientID: "3MVG9cid", Username: "integration@example.com", PrivateKeyPEM: keyPEM,
		HTTPClient: org.Client(),
	}})
	if err != nil {
		t.Fatal(err)
	}
	refreshClient := newTestClient(t, ctx, org)

	for _, c := range []*Client{jwtClient, refreshClient} {
		current, _, err := c.session.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		org.mu.Lock()
		org.rejectTokens[current] = true
		org.mu.Unlock()
		if _, err := c.FindConnectedApp(ctx, "Logged_App"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.FindProfileByName(ctx, "Nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
	}

	out := logs.String()
	if !strings.Contains(out, `"operation":"readMetadata"`) || !strings.Contains(out, "Logged_App") {
		t.Fatalf("logs lack the readMetadata call:\n%s", out)
	}
	if !strings.Contains(out, "refreshing") {
		t.Errorf("logs lack the token refresh:\n%s", out)
	}
	secrets := []string{testClientSecret, testRefreshToken, "PRIVATE KEY", string(keyPEM[40:80]), "Nobody"}
	secrets = append(secrets, org.issued...)
	for _, a := range org.assertions {
		if a != "" {
			secrets = append(secrets, a, a[:30])
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("logs contain a credential or query text %q", s)
		}
	}
	if len(org.issued) != 4 {
		t.Errorf("tokens issued = %d, want 4 (one first token and one refresh per client)", len(org.issued))
	}
}

func TestSameOrgID(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"00D000000000001EAA", "00D000000000001EAA", true},
		{"00D000000000001EAA", "00D000000000001EAB", false},
		{"00D000000000001", "00D000000000001EAA", true},
		{"00D000000000001", "00D000000000002", false},
		{"00D0000", "00D0000", false},
	}
	for _, tc := range cases {
		if got := SameOrgID(tc.a, tc.b); got != tc.want {
			t.Errorf("SameOrgID(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
