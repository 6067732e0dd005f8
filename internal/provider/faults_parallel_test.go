package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// parallelRuns is how many applies TestFaults_parallelChanges runs.
const parallelRuns = 100

const parallelApp = "Parallel_App"

// parallelVariant is what one run of TestFaults_parallelChanges configures:
// the app's own fields, its policy and its grants, all different from the
// run before.
type parallelVariant struct {
	run            int
	strict         bool // the policy's settings alternate between strict and open
	scopes         []string
	profiles       []string
	permissionSets []string
}

func newParallelVariant(run int) parallelVariant {
	v := parallelVariant{run: run, strict: run%2 == 0}
	if v.strict {
		v.scopes = []string{"Basic", "Api", "RefreshToken"}
		v.profiles = []string{faultProfiles[0]}
		v.permissionSets = []string{"Integration_Users"}
	} else {
		v.scopes = []string{"Basic", "Api"}
		v.profiles = []string{faultProfiles[1]}
		v.permissionSets = []string{"Sync_Operators"}
	}
	return v
}

func (v parallelVariant) label() string        { return fmt.Sprintf("Parallel run %d", v.run) }
func (v parallelVariant) contactEmail() string { return fmt.Sprintf("run%d@example.com", v.run) }
func (v parallelVariant) description() string  { return fmt.Sprintf("Changed by run %d", v.run) }
func (v parallelVariant) callbackURLs() []string {
	return []string{"https://vendor.example.com/oauth/callback", fmt.Sprintf("https://vendor.example.com/run/%d", v.run)}
}

// config adopts the app with an import block and manages the app, its
// policy and its grants. The policy and the grants name the app directly
// rather than through the app resource, so that Terraform runs all of
// their writes at once.
func (v parallelVariant) config() string {
	var b strings.Builder
	b.WriteString(faultTerraformBlock)
	fmt.Fprintf(&b, `
import {
  to = salesforce_connected_app.app
  id = %[1]q
}

resource "salesforce_connected_app" "app" {
  name          = %[1]q
  label         = %[2]q
  contact_email = %[3]q
  description   = %[4]q
  oauth_config = {
    callback_urls = %[5]s
    scopes        = %[6]s
  }
}
`, parallelApp, v.label(), v.contactEmail(), v.description(), hclList(v.callbackURLs()), hclList(v.scopes))

	if v.strict {
		fmt.Fprintf(&b, `
resource "salesforce_connected_app_policy" "app" {
  connected_app                   = %q
  permitted_users                 = "admin_approved"
  ip_relaxation                   = "enforce"
  refresh_token_policy            = "valid_until_revoked"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
}
`, parallelApp)
	} else {
		fmt.Fprintf(&b, `
resource "salesforce_connected_app_policy" "app" {
  connected_app        = %q
  permitted_users      = "all_users"
  ip_relaxation        = "relax"
  refresh_token_policy = "expire_immediately"
}
`, parallelApp)
	}

	for _, p := range v.profiles {
		fmt.Fprintf(&b, `
resource "salesforce_connected_app_assignment" %q {
  connected_app = %q
  profile       = %q
}
`, "profile_"+strings.ReplaceAll(strings.ToLower(p), " ", "_"), parallelApp, p)
	}
	for _, ps := range v.permissionSets {
		fmt.Fprintf(&b, `
resource "salesforce_connected_app_assignment" %q {
  connected_app  = %q
  permission_set = %q
}
`, "permission_set_"+strings.ToLower(ps), parallelApp, ps)
	}
	return b.String()
}

// check compares the org's app and grants with the variant and returns the
// differences.
func (v parallelVariant) check(o *faultOrg) []string {
	ctx := context.Background()
	app, err := o.client.FindConnectedApp(ctx, parallelApp)
	if err != nil {
		return []string{"reading the app: " + err.Error()}
	}
	var problems []string
	compare := func(field string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			problems = append(problems, fmt.Sprintf("%s = %v, want %v", field, got, want))
		}
	}
	compare("label", app.Label(), v.label())
	compare("contactEmail", app.ContactEmail(), v.contactEmail())
	description, _ := app.Description()
	compare("description", description, v.description())
	compare("callbackUrl", app.CallbackURLs(), v.callbackURLs())
	compare("scopes", sortedCopy(connectedapp.NormalizeScopes(app.Scopes())),
		sortedCopy(connectedapp.NormalizeScopes(v.scopes)))
	problems = append(problems, v.checkPolicy(app)...)

	got, err := o.grantKeys(ctx, parallelApp)
	if err != nil {
		return append(problems, "reading the grants: "+err.Error())
	}
	compare("grants", got, sortedKeys(v.profiles, v.permissionSets))
	return problems
}

func (v parallelVariant) checkPolicy(app *connectedapp.App) []string {
	if v.strict {
		return checkRecommendedPolicy(parallelApp, app)
	}
	var problems []string
	if app.IsAdminApproved() {
		problems = append(problems, "permitted users are admin approved, want all users")
	}
	if got := app.IPRelaxation(); got != connectedapp.IPRelaxationBypass {
		problems = append(problems, fmt.Sprintf("ipRelaxation %q, want %q", got, connectedapp.IPRelaxationBypass))
	}
	if refresh, err := app.RefreshTokenPolicy(); err != nil || refresh.Kind != connectedapp.RefreshTokenZero {
		problems = append(problems, fmt.Sprintf("refresh token policy %+v (%v), want %s", refresh, err,
			connectedapp.RefreshTokenZero))
	}
	if app.HighAssuranceRequired() {
		problems = append(problems, "high assurance is required, want not required")
	}
	return problems
}

func sortedCopy(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return out
}

// TestFaults_parallelChanges runs 100 applies at -parallelism=10, each of
// which changes the app, its policy and its grants at once, and checks
// after each that every field in the org ends as configured.
func TestFaults_parallelChanges(t *testing.T) {
	skipUnlessFaultTests(t)
	start := time.Now()
	org := startFaultOrg(t, orgsim.Options{}, parallelApp)
	ws := newWorkspace(t, org.clientCredentialsEnv()...)

	failed := 0
	var slowest time.Duration
	for run := 1; run <= parallelRuns; run++ {
		v := newParallelVariant(run)
		ws.writeConfig(v.config())
		runStart := time.Now()
		out, code := ws.run("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
		if code != 0 {
			t.Fatalf("run %d: terraform apply exited with %d:\n%s", run, code, out)
		}
		slowest = max(slowest, time.Since(runStart))
		// The first run imports the app and adopts the policy. Every later
		// run replaces both grants and updates the app and the policy.
		want := "Resources: 1 imported, 3 added, 1 changed, 0 destroyed."
		if run > 1 {
			want = "Resources: 2 added, 2 changed, 2 destroyed."
		}
		if !strings.Contains(out, want) {
			t.Errorf("run %d: the apply output lacks %q:\n%s", run, want, out)
		}
		if problems := v.check(org); len(problems) > 0 {
			failed++
			t.Errorf("run %d: the org differs from the configuration:\n  %s", run, strings.Join(problems, "\n  "))
		}
	}
	ws.planIsEmpty()
	reportSummary(t, "%d applies at -parallelism=10 changing an app, its policy and its grants together: "+
		"%d ended with a field not as configured; slowest apply %s; wall time %s", parallelRuns, failed,
		slowest.Round(time.Millisecond), time.Since(start).Round(time.Second))
}
