// Command probe runs read-only checks against a real org, and with
// PROBE_WRITE=1 a few reversible writes, to settle what the Salesforce
// documentation leaves open about connected apps installed from managed
// packages and about how the APIs identify apps. It prints a short Markdown
// report, also written to PROBE_REPORT (default probe-report.md), that
// holds no token, key or secret.
//
// Sign-in uses the provider's SALESFORCE_* environment variables.
//
// The checks:
//
//  1. listMetadata(ConnectedApp): rows with a namespacePrefix, their
//     fullName and manageableState.
//  2. readMetadata of one such row alone and in a batch with a local app.
//  3. (PROBE_WRITE=1) updateMetadata of that row with only the
//     isAdminApproved value the ConnectedApplication object shows, so that
//     an accepted write changes nothing the object shows. Salesforce is
//     expected to refuse it; the report records the statusCode and message.
//     An accepted write could reset settings the request leaves out, which
//     is why this check runs only on request.
//  4. (PROBE_WRITE=1) SetupEntityAccess rows for that app under a
//     permission set created in the org (PROBE_PERMISSION_SET) and under
//     the permission set that a profile owns (PROBE_PROFILE, default System
//     Administrator), deleted again at once.
//  5. A packaged External Client App: a manual step, described in the report.
//
// Two more checks always run: whether listMetadata's FileProperties.id is
// the ConnectedApplication Id, and whether ConnectedApplication.Name is the
// label or the API name.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	report, err := run(ctx)
	fmt.Print(report)
	path := envOr("PROBE_REPORT", "probe-report.md")
	if werr := os.WriteFile(path, []byte(report), 0o600); werr != nil {
		fmt.Fprintln(os.Stderr, "probe: writing the report:", werr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

// report collects the Markdown lines of the probe's findings.
type report struct {
	b strings.Builder
}

func (r *report) section(title string) { fmt.Fprintf(&r.b, "\n## %s\n\n", title) }
func (r *report) line(format string, args ...any) {
	fmt.Fprintf(&r.b, format+"\n", args...)
}

func run(ctx context.Context) (string, error) {
	var r report
	r.line("# Connected app probe, %s", time.Now().UTC().Format(time.RFC3339))
	client, err := signIn(ctx)
	if err != nil {
		return r.b.String(), err
	}
	orgID, err := client.FindOrganizationID(ctx)
	if err != nil {
		return r.b.String(), err
	}
	r.line("\nOrg %s, instance %s, PROBE_WRITE=%q.", orgID, client.InstanceURL(), os.Getenv("PROBE_WRITE"))

	rows, err := client.Metadata().List(ctx, connectedapp.MetadataType)
	if err != nil {
		return r.b.String(), fmt.Errorf("check 1, listMetadata: %w", err)
	}
	managed, local := checkList(&r, rows)
	checkRead(ctx, &r, client, managed, local)
	checkIdentity(ctx, &r, client, rows, local)
	if os.Getenv("PROBE_WRITE") == "1" && managed != nil {
		checkPolicyWrite(ctx, &r, client, managed)
		checkGrants(ctx, &r, client, managed)
	} else {
		r.section("Checks 3 and 4: writes")
		r.line("Skipped: they run only with PROBE_WRITE=1 and an app from a managed package.")
	}
	r.section("Check 5: packaged External Client App")
	r.line("Manual: install a small second-generation package that contains an External Client App, retrieve " +
		"`ExtlClntAppOauthConfigurablePolicies:*`, note each fullName and manageableState, and deploy one " +
		"changed field back. Attach the results to this report.")
	return r.b.String(), nil
}

func signIn(ctx context.Context) (*salesforce.Client, error) {
	cfg := auth.Config{
		LoginURL:     envOr("SALESFORCE_LOGIN_URL", auth.DefaultLoginURL),
		InstanceURL:  os.Getenv("SALESFORCE_INSTANCE_URL"),
		ClientID:     os.Getenv("SALESFORCE_CLIENT_ID"),
		ClientSecret: os.Getenv("SALESFORCE_CLIENT_SECRET"),
		Username:     os.Getenv("SALESFORCE_USERNAME"),
		Audience:     os.Getenv("SALESFORCE_AUDIENCE"),
		RefreshToken: os.Getenv("SALESFORCE_REFRESH_TOKEN"),
		AccessToken:  os.Getenv("SALESFORCE_ACCESS_TOKEN"),
	}
	key := os.Getenv("SALESFORCE_PRIVATE_KEY")
	if file := os.Getenv("SALESFORCE_PRIVATE_KEY_FILE"); key == "" && file != "" {
		pem, err := os.ReadFile(file) //nolint:gosec // the key file the caller named
		if err != nil {
			return nil, fmt.Errorf("reading SALESFORCE_PRIVATE_KEY_FILE: %w", err)
		}
		key = string(pem)
	}
	cfg.PrivateKeyPEM = []byte(key)
	return salesforce.New(ctx, salesforce.Config{Auth: cfg, APIVersion: envOr("SALESFORCE_API_VERSION", salesforce.DefaultAPIVersion)})
}

// checkList reports check 1 and picks one managed and one local app.
func checkList(r *report, rows []metadata.FileProperties) (managed, local *metadata.FileProperties) {
	r.section("Check 1: listMetadata")
	r.line("%d connected apps listed.", len(rows))
	for i := range rows {
		row := &rows[i]
		if row.NamespacePrefix != "" || row.ManageableState == "installed" {
			r.line("- `%s`: namespacePrefix %q, manageableState %q, id %s", row.FullName, row.NamespacePrefix,
				row.ManageableState, row.ID)
			if managed == nil {
				managed = row
			}
		} else if local == nil {
			local = row
		}
	}
	if managed == nil {
		r.line("No row carries a namespace prefix or the state installed.")
	}
	return managed, local
}

// checkRead reports check 2.
func checkRead(ctx context.Context, r *report, client *salesforce.Client, managed, local *metadata.FileProperties) {
	r.section("Check 2: readMetadata of a managed app")
	if managed == nil {
		r.line("Skipped: no managed app listed.")
		return
	}
	alone, err := client.Metadata().Read(ctx, connectedapp.MetadataType, []string{managed.FullName})
	r.line("Alone: %s", describeRecords(alone, err))
	if local != nil {
		batch, err := client.Metadata().Read(ctx, connectedapp.MetadataType, []string{managed.FullName, local.FullName})
		r.line("In a batch with `%s`: %s", local.FullName, describeRecords(batch, err))
	}
}

func describeRecords(records []*xmltree.Element, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var parts []string
	for _, rec := range records {
		if rec == nil {
			parts = append(parts, "nil record")
			continue
		}
		var names []string
		for _, c := range rec.Children {
			names = append(names, c.Name)
		}
		parts = append(parts, fmt.Sprintf("record with elements [%s]", strings.Join(names, ", ")))
	}
	return strings.Join(parts, "; ")
}

// checkIdentity reports whether FileProperties.id is the ConnectedApplication
// Id and whether ConnectedApplication.Name is the label or the API name.
func checkIdentity(ctx context.Context, r *report, client *salesforce.Client, rows []metadata.FileProperties, local *metadata.FileProperties) {
	r.section("Identity: FileProperties.id and ConnectedApplication.Name")
	if local == nil {
		r.line("Skipped: no app created in the org is listed.")
		return
	}
	row, err := client.FindConnectedApplication(ctx, local.ID)
	switch {
	case errors.Is(err, salesforce.ErrNotFound):
		r.line("FileProperties.id %s of `%s` is not a ConnectedApplication Id.", local.ID, local.FullName)
		return
	case err != nil:
		r.line("ConnectedApplication query failed: %v", err)
		return
	}
	r.line("FileProperties.id %s of `%s` is a ConnectedApplication Id.", local.ID, local.FullName)
	app, err := client.FindConnectedApp(ctx, local.FullName)
	if err != nil {
		r.line("readMetadata of `%s` failed: %v", local.FullName, err)
		return
	}
	switch row.Name {
	case app.Label():
		r.line("ConnectedApplication.Name %q is the label.", row.Name)
	case app.FullName():
		r.line("ConnectedApplication.Name %q is the API name.", row.Name)
	default:
		r.line("ConnectedApplication.Name %q is neither the label %q nor the API name %q.", row.Name, app.Label(), app.FullName())
	}
	_ = rows
}

// checkPolicyWrite reports check 3.
func checkPolicyWrite(ctx context.Context, r *report, client *salesforce.Client, managed *metadata.FileProperties) {
	r.section("Check 3: updateMetadata of a managed app")
	row, err := client.FindConnectedApplication(ctx, managed.ID)
	if err != nil {
		r.line("Skipped: the ConnectedApplication row could not be read: %v", err)
		return
	}
	app := connectedapp.New(managed.FullName)
	app.SetLabel(row.Name)
	app.SetAdminApproved(row.OptionsAllowAdminApprovedUsersOnly)
	results, err := client.Metadata().Update(ctx, connectedapp.MetadataType, []*xmltree.Element{app.ForUpdate().Element()})
	if err != nil {
		r.line("The call failed: %v", err)
		return
	}
	for _, res := range results {
		if res.Success {
			r.line("Accepted: Salesforce saved the update of `%s`.", res.FullName)
			continue
		}
		for _, e := range res.Errors {
			r.line("Refused: %s: %s", e.StatusCode, e.Message)
		}
	}
}

// checkGrants reports check 4.
func checkGrants(ctx context.Context, r *report, client *salesforce.Client, managed *metadata.FileProperties) {
	r.section("Check 4: SetupEntityAccess rows for a managed app")
	if name := os.Getenv("PROBE_PERMISSION_SET"); name != "" {
		ps, err := client.FindPermissionSetByName(ctx, name)
		if err != nil {
			r.line("Permission set %q: %v", name, err)
		} else {
			grantAndRevoke(ctx, r, client, "permission set "+name, ps.ID, managed.ID)
		}
	} else {
		r.line("Permission set: skipped, set PROBE_PERMISSION_SET to a permission set created in the org.")
	}
	profile := envOr("PROBE_PROFILE", "System Administrator")
	parentID, err := client.FindProfilePermissionSetID(ctx, profile)
	if err != nil {
		r.line("Profile %q: %v", profile, err)
		return
	}
	grantAndRevoke(ctx, r, client, "the permission set of profile "+profile, parentID, managed.ID)
}

func grantAndRevoke(ctx context.Context, r *report, client *salesforce.Client, what, parentID, appID string) {
	id, err := client.CreateGrant(ctx, parentID, appID)
	if err != nil {
		r.line("Insert under %s: refused: %v", what, err)
		return
	}
	r.line("Insert under %s: accepted (row %s).", what, id)
	if err := client.DeleteGrant(ctx, id); err != nil {
		r.line("Delete of row %s failed: %v. Remove it in Setup.", id, err)
		return
	}
	r.line("Deleted row %s again.", id)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
