package orgsim

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

const testToken = "00D000000000001!AQtesttoken"

// startOrg starts a server with opts plus the pre-issued testToken.
func startOrg(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.AccessTokens = append(opts.AccessTokens, testToken)
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// stringOf returns v, a decoded JSON value, as a string and fails the test
// when it is not one.
func stringOf(t *testing.T, v any) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("JSON value %v is a %T, want a string", v, v)
	}
	return s
}

// objectOf returns v, a decoded JSON value, as an object and fails the test
// when it is not one.
func objectOf(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("JSON value %v is a %T, want an object", v, v)
	}
	return m
}

// soapResult is a parsed Metadata API response.
type soapResult struct {
	status int
	body   *xmltree.Element // the Body's child, such as readMetadataResponse or Fault
	raw    string
}

func (r soapResult) faultCode() string {
	if r.body == nil || r.body.Name != "Fault" {
		return ""
	}
	code, _ := r.body.ChildText("faultcode")
	return code
}

func (r soapResult) faultString() string {
	s, _ := r.body.ChildText("faultstring")
	return s
}

// soapCall posts an envelope with the given session id, extra SOAP headers
// and operation element to /services/Soap/m/version.
func soapCall(t *testing.T, srv *Server, version, session, headers, operation string) soapResult {
	t.Helper()
	var env strings.Builder
	env.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Header>`)
	if session != "" {
		env.WriteString("<SessionHeader><sessionId>" + session + "</sessionId></SessionHeader>")
	}
	env.WriteString(headers)
	env.WriteString("</soapenv:Header><soapenv:Body>")
	env.WriteString(operation)
	env.WriteString("</soapenv:Body></soapenv:Envelope>")
	return postSOAP(t, srv, version, env.String(), true)
}

func postSOAP(t *testing.T, srv *Server, version, envelope string, soapAction bool) soapResult {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/services/Soap/m/"+version, strings.NewReader(envelope))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
	if soapAction {
		req.Header.Set("SOAPAction", `""`)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	return soapResult{status: resp.StatusCode, body: soapBodyChild(t, raw), raw: string(raw)}
}

func soapBodyChild(t *testing.T, raw []byte) *xmltree.Element {
	t.Helper()
	env, err := xmltree.ParseBytes(raw)
	if err != nil {
		t.Fatalf("response is not XML: %v\n%s", err, raw)
	}
	body := env.Child("Body")
	if body == nil || len(body.Children) != 1 {
		t.Fatalf("response has no single Body child:\n%s", raw)
	}
	return body.Children[0]
}

// readApp reads one app and returns its record, nil for a nil record.
func readApp(t *testing.T, srv *Server, version, name string) *xmltree.Element {
	t.Helper()
	res := soapCall(t, srv, version, testToken, "", "<readMetadata><type>ConnectedApp</type><fullNames>"+name+"</fullNames></readMetadata>")
	if res.status != http.StatusOK {
		t.Fatalf("readMetadata %s: HTTP %d\n%s", name, res.status, res.raw)
	}
	recs := res.body.Child("result").ChildrenNamed("records")
	if len(recs) != 1 {
		t.Fatalf("readMetadata %s: %d records, want 1\n%s", name, len(recs), res.raw)
	}
	if recs[0].Nil {
		return nil
	}
	return recs[0]
}

// saveResults returns the result elements of a create/update/delete
// response, failing on a fault.
func saveResults(t *testing.T, res soapResult) []*xmltree.Element {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200\n%s", res.status, res.raw)
	}
	return res.body.ChildrenNamed("result")
}

func resultSuccess(r *xmltree.Element) bool {
	s, _ := r.ChildText("success")
	return s == "true"
}

func resultCodes(r *xmltree.Element) []string {
	var codes []string
	for _, e := range r.ChildrenNamed("errors") {
		c, _ := e.ChildText("statusCode")
		codes = append(codes, c)
	}
	return codes
}

// createApps runs createMetadata with the given ConnectedApp bodies.
func createApps(t *testing.T, srv *Server, headers string, apps ...string) []*xmltree.Element {
	t.Helper()
	var op strings.Builder
	op.WriteString("<createMetadata>")
	for _, a := range apps {
		op.WriteString(`<metadata xsi:type="ConnectedApp">` + a + "</metadata>")
	}
	op.WriteString("</createMetadata>")
	return saveResults(t, soapCall(t, srv, "63.0", testToken, headers, op.String()))
}

func updateApps(t *testing.T, srv *Server, apps ...string) []*xmltree.Element {
	t.Helper()
	return saveResults(t, soapCall(t, srv, "63.0", testToken, "", updateOp(apps...)))
}

func updateOp(apps ...string) string {
	var op strings.Builder
	op.WriteString("<updateMetadata>")
	for _, a := range apps {
		op.WriteString(`<metadata xsi:type="ConnectedApp">` + a + "</metadata>")
	}
	op.WriteString("</updateMetadata>")
	return op.String()
}

// basicApp is a valid ConnectedApp body with an OAuth configuration.
func basicApp(name string) string {
	return "<fullName>" + name + "</fullName><contactEmail>ops@example.com</contactEmail><label>" + name + " Label</label>" +
		"<oauthConfig><callbackUrl>https://app.example.com/callback</callbackUrl><scopes>Api</scopes></oauthConfig>" +
		"<oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy>"
}

// restGet sends an authenticated GET and decodes the JSON response.
func restGet(t *testing.T, srv *Server, token, path string, out any) int {
	t.Helper()
	return restDo(t, srv, http.MethodGet, token, path, nil, out)
}

func restDo(t *testing.T, srv *Server, method, token, path string, body any, out any) int {
	t.Helper()
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(b)
	}

	req, err := http.NewRequest(method, srv.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()

	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: response is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

// queryResponse is a REST query page.
type queryResponse struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func query(t *testing.T, srv *Server, soql string) queryResponse {
	t.Helper()
	var resp queryResponse
	status := restGet(t, srv, testToken, "/services/data/v63.0/query?q="+url.QueryEscape(soql), &resp)
	if status != http.StatusOK {
		t.Fatalf("query %q: HTTP %d", soql, status)
	}
	return resp
}

// restErrors is a REST error body.
type restErrors []struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// postToken sends a form to the token endpoint.
func postToken(t *testing.T, srv *Server, form url.Values, basicUser, basicPass string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/services/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out := map[string]string{}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("token response is not a JSON object of strings: %v\n%s", err, raw)
	}
	return resp.StatusCode, out
}

// jwtKey is an RSA key with a self-signed certificate for JWT tests.
type jwtKey struct {
	key     *rsa.PrivateKey
	certPEM []byte
}

func newJWTKey(t *testing.T) jwtKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "orgsim test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return jwtKey{key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// sign returns an RS256 JWT with the given claims.
func (k jwtKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`))
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	signingInput := header + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// corpusDir returns the folder of real ConnectedApp files, or skips the
// test when it is missing and SALESFORCE_CORPUS_REQUIRED is not 1.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SALESFORCE_CORPUS_DIR")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "..", "shared", "corpus")
	}
	if _, err := fs.Stat(os.DirFS(dir), "."); err != nil {
		if os.Getenv("SALESFORCE_CORPUS_REQUIRED") == "1" {
			t.Fatalf("corpus folder %s is missing and SALESFORCE_CORPUS_REQUIRED=1: %v", dir, err)
		}
		t.Skipf("corpus folder %s not found; set SALESFORCE_CORPUS_DIR to run this test", dir)
	}
	return dir
}

// moduleRoot returns the nearest parent folder holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
