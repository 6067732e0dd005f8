package connectedapp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
	"github.com/connectedapps/terraform-provider-salesforce/internal/testcorpus"
)

// blockPaths are the complex elements whose leaves the typed view reads and
// writes, "" standing for the component root.
var blockPaths = []string{
	"", "oauthConfig", "oauthConfig.idTokenConfig", "oauthConfig.assetTokenConfig",
	"samlConfig", "canvasConfig", "mobileAppConfig", "oauthPolicy", "sessionPolicy",
}

// leafPaths returns the path of every child that the schema declares in the
// blocks of blockPaths.
func leafPaths() []string {
	var out []string
	for _, block := range blockPaths {
		typeName, prefix := "ConnectedApp", ""
		if block != "" {
			names := strings.Split(block, ".")
			typeName, prefix = names[len(names)-1], block+"."
		}
		for _, name := range elementOrder[typeName] {
			out = append(out, prefix+name)
		}
	}
	return out
}

// FuzzDecodeConnectedApp decodes arbitrary documents as ConnectedApp
// components and checks that no getter or setter panics, that writing back
// every value read leaves the component unchanged, and that the component
// sent to Salesforce encodes to a document that parses again.
func FuzzDecodeConnectedApp(f *testing.F) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil || len(fixtures) == 0 {
		f.Fatalf("no fixtures in testdata: %v", err)
	}
	if entries, err := os.ReadDir(testcorpus.Dir(f)); err == nil {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".connectedApp-meta.xml") {
				fixtures = append(fixtures, filepath.Join(testcorpus.Dir(f), e.Name()))
			}
		}
	}
	for _, path := range fixtures {
		data, err := os.ReadFile(path) //nolint:gosec // a committed fixture or a corpus file
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<ConnectedApp><oauthConfig/><samlConfig><acsUrl><x/></acsUrl></samlConfig></ConnectedApp>`))
	f.Add([]byte(`<ConnectedApp><attributes/><attributes><key> </key></attributes><oauthConfig><scopes/></oauthConfig></ConnectedApp>`))

	paths := leafPaths()
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := xmltree.ParseBytes(data)
		if err != nil {
			return
		}
		app := FromElement(root)
		before := app.Clone()
		writeBackEverything(app, paths)
		if !app.Equal(before) {
			t.Errorf("writing back the values read changed the component:\nbefore %s\nafter  %s", before.Element(), app.Element())
		}

		readPolicies(app)
		for _, out := range []*App{app.ForCreate(), app.ForUpdate()} {
			if _, err := xmltree.ParseBytes([]byte(out.Element().String())); err != nil {
				t.Errorf("the encoded component does not parse: %v\n%s", err, out.Element())
			}
		}
	})
}

// writeBackEverything reads every value the typed view offers and writes it
// back, as the provider does for an unchanged configuration.
func writeBackEverything(app *App, paths []string) {
	for _, path := range paths {
		if v, ok := app.Text(path); ok {
			app.SetText(path, &v)
		} else {
			app.SetText(path, nil)
		}
		def := BoolDefault(path)
		app.SetBool(path, app.Bool(path, def), def)
		if _, ok := app.Text(path); ok {
			app.SetRequiredBool(path, app.Bool(path, def), def)
		}
		if n, ok := app.Int(path); ok {
			app.SetInt(path, &n)
		} else {
			app.SetInt(path, nil)
		}
		app.SetTextSet(path, app.Texts(path), nil)
	}
	app.SetCustomAttributes(app.CustomAttributes())
	if app.HasOAuth() {
		app.SetCallbackURLs(app.CallbackURLs())
		app.SetScopes(app.Scopes())
		if cert, ok := app.Text("oauthConfig.certificate"); ok {
			app.SetCertificate(&cert)
		} else {
			app.SetCertificate(nil)
		}
	}
}

// readPolicies calls the getters of the access policies and grants.
func readPolicies(app *App) {
	_ = app.IsAdminApproved()
	_ = app.IPRelaxation()
	_, _ = app.RefreshTokenPolicy()
	_ = app.HighAssuranceRequired()
	_, _ = app.PolicyAction()
	_, _ = app.SessionTimeout()
	_ = app.Profiles()
	_ = app.PermissionSets()
	_ = app.ConsumerKey()
	_ = app.FullName()
}
