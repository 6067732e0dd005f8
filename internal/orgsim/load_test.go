package orgsim

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// expectedRecord turns a source file's tree into the readMetadata record
// the org documents for it: fullName first, no consumerSecret, and scopes
// in canonical form.
func expectedRecord(root *xmltree.Element, fullName string) *xmltree.Element {
	rec := root.Clone()
	rec.Name, rec.Type = "records", "ConnectedApp"
	rec.Children = append([]*xmltree.Element{xmltree.NewText("fullName", fullName)}, rec.Children...)
	if oauth := rec.Child("oauthConfig"); oauth != nil {
		oauth.RemoveChildren("consumerSecret")
		var scopes []string
		for _, s := range oauth.ChildrenNamed("scopes") {
			scopes = append(scopes, s.Text)
		}
		if len(scopes) > 0 {
			replaceRun(oauth, "ConnectedAppOauthConfig", "scopes", textElements("scopes", canonicalScopes(scopes)))
		}
	}
	return rec
}

func TestCorpusLoadsAndReadsBack(t *testing.T) {
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.connectedApp-meta.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.connectedApp-meta.xml files in %s", dir)
	}
	srv := startOrg(t, Options{})
	for _, file := range files {
		base := filepath.Base(file)
		name := "Corpus_" + strings.SplitN(base, "-", 2)[0]
		t.Run(base, func(t *testing.T) {
			data, err := fs.ReadFile(os.DirFS(dir), base)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Org.LoadConnectedApp(name, data, LoadProps{}); err != nil {
				t.Fatalf("LoadConnectedApp: %v", err)
			}
			source, err := xmltree.ParseBytes(data)
			if err != nil {
				t.Fatalf("parsing the source: %v", err)
			}
			got := readApp(t, srv, "66.0", name)
			if got == nil {
				t.Fatal("loaded app reads as nil")
			}
			if want := expectedRecord(source, name); !xmltree.Equal(got, want) {
				t.Errorf("read-back differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
	res := soapCall(t, srv, "66.0", testToken, "", "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")
	if n := len(res.body.ChildrenNamed("result")); n != len(files) {
		t.Errorf("listMetadata returned %d apps, want %d", n, len(files))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDirResolvesGrants(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "profiles", "Admin.profile-meta.xml"),
		`<?xml version="1.0" encoding="UTF-8"?><Profile xmlns="http://soap.sforce.com/2006/04/metadata"><custom>false</custom><userLicense>Salesforce</userLicense></Profile>`)
	writeFile(t, filepath.Join(dir, "profiles", "Custom%3A Sales Profile.profile-meta.xml"), `<Profile><custom>true</custom></Profile>`)
	writeFile(t, filepath.Join(dir, "permissionsets", "Integration_User.permissionset-meta.xml"),
		`<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata"><hasActivationRequired>false</hasActivationRequired><label>Integration User - Service Now</label></PermissionSet>`)
	app := `<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>admin@example.com</contactEmail>
    <label>Loaded App</label>
    <oauthConfig>
        <callbackUrl>https://x.example.com</callbackUrl>
        <consumerKey>3MVG9LoadedKey</consumerKey>
        <scopes>Api</scopes>
    </oauthConfig>
    <permissionSetName>Integration User - Service Now</permissionSetName>
    <profileName>Custom: Sales Profile</profileName>
    <profileName>Profile Not In Org</profileName>
    <profileName>System Administrator</profileName>
</ConnectedApp>
// trailing text that is not XML`
	writeFile(t, filepath.Join(dir, "connectedApps", "Loaded_App.connectedApp-meta.xml"), app)
	writeFile(t, filepath.Join(dir, "connectedApps", "vendor__Packaged.connectedApp-meta.xml"),
		`<ConnectedApp><developerName>vendor__Packaged</developerName><label>Packaged</label><version>2</version></ConnectedApp>`)

	srv := startOrg(t, Options{})
	if err := srv.Org.LoadDir(dir); err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	if got := childTexts(t, srv, "Loaded_App", "profileName"); strings.Join(got, "|") != "Custom: Sales Profile|Profile Not In Org|System Administrator" {
		t.Errorf("profileName = %v, want the loaded order", got)
	}
	if got := childTexts(t, srv, "Loaded_App", "permissionSetName"); len(got) != 1 || got[0] != "Integration User - Service Now" {
		t.Errorf("permissionSetName = %v", got)
	}
	rows := query(t, srv, grantQuery)
	if rows.TotalSize != 3 {
		t.Errorf("SetupEntityAccess rows = %d, want 3 (two profiles, one permission set)", rows.TotalSize)
	}
	profiles := query(t, srv, "SELECT Name FROM Profile ORDER BY Name")
	var names []string
	for _, r := range profiles.Records {
		names = append(names, stringOf(t, r["Name"]))
	}
	if strings.Join(names, "|") != "Custom: Sales Profile|System Administrator" {
		t.Errorf("profiles = %v", names)
	}
	if readApp(t, srv, "63.0", "vendor__Packaged") != nil {
		t.Errorf("the namespaced app is readable")
	}
	res := soapCall(t, srv, "63.0", testToken, "", "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")
	if res.status != http.StatusOK || !strings.Contains(res.raw, "<namespacePrefix>vendor</namespacePrefix>") {
		t.Errorf("listMetadata lacks the vendor namespace:\n%s", res.raw)
	}

	source, _ := xmltree.ParseBytes([]byte(app))
	if got, want := readApp(t, srv, "63.0", "Loaded_App"), expectedRecord(source, "Loaded_App"); !xmltree.Equal(got, want) {
		t.Errorf("read-back differs\n got: %s\nwant: %s", got, want)
	}

	withoutOne := "<fullName>Loaded_App</fullName><contactEmail>admin@example.com</contactEmail><label>Loaded App</label>" +
		"<profileName>System Administrator</profileName>"
	if r := updateApps(t, srv, withoutOne); !resultSuccess(r[0]) {
		t.Fatalf("update failed: %s", r[0])
	}
	if got := childTexts(t, srv, "Loaded_App", "profileName"); strings.Join(got, "|") != "System Administrator" {
		t.Errorf("profileName after update = %v", got)
	}
}

func TestLoadDirNeedsAFolder(t *testing.T) {
	srv := startOrg(t, Options{})
	if err := srv.Org.LoadDir(t.TempDir()); err == nil {
		t.Error("LoadDir of an empty folder succeeded")
	}
	if err := srv.Org.LoadConnectedApp("Bad_Root", []byte("<Profile/>"), LoadProps{}); err == nil {
		t.Error("a document with another root element loaded")
	}
	if err := srv.Org.LoadConnectedApp("Bad_State", []byte("<ConnectedApp/>"), LoadProps{ManageableState: "weird"}); err == nil {
		t.Error("an invalid ManageableState was accepted")
	}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	if _, err := New(Options{OrgID: "005000000000001"}); err == nil {
		t.Error("an org Id with a user prefix was accepted")
	}
	if _, err := New(Options{Clients: []Client{{ID: "c", JWTCertificatePEM: []byte("not pem")}}}); err == nil {
		t.Error("a client with an unreadable certificate was accepted")
	}
	if _, err := Listen("0.0.0.0:0", Options{}); err == nil {
		t.Error("a non-loopback listen address was accepted")
	}
	org, err := New(Options{OrgID: "00D5g000004ABCD"})
	if err != nil {
		t.Fatal(err)
	}
	if len(org.OrgID()) != 18 || !strings.HasPrefix(org.OrgID(), "00D5g000004ABCD") {
		t.Errorf("OrgID = %q", org.OrgID())
	}
	if got := withIDSuffix("00D000000000001"); got != DefaultOrgID {
		t.Errorf("checksum of the default org Id = %s, want %s", got, DefaultOrgID)
	}
}

// sortedAtEveryLevel reports whether the children of every element are in
// ascending name order, which is the schema order of every ConnectedApp
// type and the order of retrieved files.
func sortedAtEveryLevel(el *xmltree.Element) bool {
	for i, c := range el.Children {
		if i > 0 && c.Name < el.Children[i-1].Name {
			return false
		}
		if !sortedAtEveryLevel(c) {
			return false
		}
	}
	return true
}

// TestCorpusWritesBack checks that a loaded app can be written back as it
// reads and then reads the same. The only accepted failure is a fault for
// a file whose element order is hand-made, because writes must follow the
// schema order.
func TestCorpusWritesBack(t *testing.T) {
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.connectedApp-meta.xml"))
	srv := startOrg(t, Options{})
	for _, file := range files {
		base := filepath.Base(file)
		name := "Corpus_" + strings.SplitN(base, "-", 2)[0]
		t.Run(base, func(t *testing.T) {
			data, err := fs.ReadFile(os.DirFS(dir), base)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Org.LoadConnectedApp(name, data, LoadProps{}); err != nil {
				t.Fatal(err)
			}
			source, _ := xmltree.ParseBytes(data)

			rec := readApp(t, srv, "66.0", name)
			// An update may not carry the consumer key, which is set only at
			// creation, so the write-back leaves it out.
			sent := rec.Clone()
			if oauth := sent.Child("oauthConfig"); oauth != nil {
				oauth.RemoveChildren("consumerKey")
			}
			var body strings.Builder
			for _, c := range sent.Children {
				body.WriteString(c.String())
			}
			res := soapCall(t, srv, "66.0", testToken, "", updateOp(body.String()))
			if res.status != http.StatusOK {
				if sortedAtEveryLevel(source) || !strings.Contains(res.faultString(), "invalid at this location") {
					t.Errorf("write-back faulted: %s", res.faultString())
				}
				return
			}
			if r := res.body.Child("result"); !resultSuccess(r) {
				t.Fatalf("write-back failed: %s", r)
			}
			if got := readApp(t, srv, "66.0", name); !xmltree.Equal(got, rec) {
				t.Errorf("record changed on write-back\n got: %s\nwant: %s", got, rec)
			}
		})
	}
}
