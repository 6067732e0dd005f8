package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
)

const localApp = `<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><contactEmail>a@example.com</contactEmail>` +
	`<label>Local Label</label><oauthConfig><callbackUrl>https://x.example.com/cb</callbackUrl></oauthConfig></ConnectedApp>`

func TestProbeAgainstSimulatedOrg(t *testing.T) {
	const token = "00DPROBE!token" //nolint:gosec // a session id the simulated org below accepts
	server, err := orgsim.Start(orgsim.Options{AccessTokens: []string{token}})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	server.Org.AddProfile("Admin", "System Administrator")
	server.Org.AddPermissionSet("Probe_Users", "Probe Users", "")
	if err := server.Org.LoadConnectedApp("Local_App", []byte(localApp), orgsim.LoadProps{}); err != nil {
		t.Fatal(err)
	}
	if err := server.Org.LoadConnectedApp("vendor__Vendor_App", []byte(localApp), orgsim.LoadProps{NamespacePrefix: "vendor", ManageableState: "installed"}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"SALESFORCE_LOGIN_URL":    server.URL,
		"SALESFORCE_INSTANCE_URL": server.URL,
		"SALESFORCE_ACCESS_TOKEN": token,
		"PROBE_WRITE":             "1",
		"PROBE_PERMISSION_SET":    "Probe_Users",
		"PROBE_REPORT":            filepath.Join(t.TempDir(), "report.md"),
	} {
		t.Setenv(k, v)
	}

	report, err := run(context.Background())
	if err != nil {
		t.Fatalf("run: %v\n%s", err, report)
	}
	for _, want := range []string{
		"`vendor__Vendor_App`: namespacePrefix \"vendor\", manageableState \"installed\"",
		"Alone: nil record",
		"is a ConnectedApplication Id",
		"ConnectedApplication.Name \"Local Label\" is the label",
		"Check 3",
		"Insert under permission set Probe_Users: accepted",
		"Insert under the permission set of profile System Administrator: accepted",
		"Deleted row",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, token) {
		t.Error("the report contains the access token")
	}
	if n := server.Org.Calls()["rest.sobjects.delete"]; n != 2 {
		t.Errorf("%d grant deletes, want 2: the probe must remove every row it adds", n)
	}
}
