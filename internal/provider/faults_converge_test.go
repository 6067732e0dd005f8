package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// Sizes of the 50-resource configuration: each app gets a policy and one
// assignment per profile and per permission set.
const (
	faultApps          = 10
	faultConvergeRuns  = 20
	faultMinRenewals   = 5
	faultTokenMaxUses  = 5
	faultRate          = 0.1
	faultAfterCommit   = 0.5
	faultResourceCount = faultApps * 5
)

func faultAppNames() []string {
	names := make([]string, faultApps)
	for i := range names {
		names[i] = fmt.Sprintf("Fault_App_%02d", i)
	}
	return names
}

// fiftyResourceConfig is a policy and four assignments for each app. Every
// resource names its app directly, so none waits for another and all of an
// app's writers run at once.
func fiftyResourceConfig(apps []string) string {
	var b strings.Builder
	b.WriteString(faultTerraformBlock)
	fmt.Fprintf(&b, "\nlocals {\n  apps = %s\n}\n", hclList(apps))
	b.WriteString(`
resource "salesforce_connected_app_policy" "app" {
  for_each = toset(local.apps)

  connected_app                   = each.key
  permitted_users                 = "admin_approved"
  ip_relaxation                   = "enforce"
  refresh_token_policy            = "valid_until_revoked"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
}
`)
	for i, profile := range faultProfiles {
		fmt.Fprintf(&b, `
resource "salesforce_connected_app_assignment" "profile_%d" {
  for_each = toset(local.apps)

  connected_app = each.key
  profile       = %q
}
`, i, profile)
	}
	for _, ps := range sortedPermissionSets() {
		fmt.Fprintf(&b, `
resource "salesforce_connected_app_assignment" %q {
  for_each = toset(local.apps)

  connected_app  = each.key
  permission_set = %q
}
`, strings.ToLower(ps), ps)
	}
	return b.String()
}

func sortedPermissionSets() []string {
	names := make([]string, 0, len(faultPermissionSets))
	for name := range faultPermissionSets {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// checkFiftyResources compares every app of the org with
// fiftyResourceConfig and returns the differences.
func (o *faultOrg) checkFiftyResources(apps []string) []string {
	ctx := context.Background()
	want := sortedKeys(faultProfiles, sortedPermissionSets())
	var problems []string
	for _, name := range apps {
		app, err := o.client.FindConnectedApp(ctx, name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: reading the app: %v", name, err))
			continue
		}
		problems = append(problems, checkRecommendedPolicy(name, app)...)
		got, err := o.grantKeys(ctx, name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: reading the grants: %v", name, err))
			continue
		}
		if !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("%s: grants %v, want %v", name, got, want))
		}
	}
	return problems
}

// checkRecommendedPolicy compares an app with the policy of
// fiftyResourceConfig.
func checkRecommendedPolicy(name string, app *connectedapp.App) []string {
	var problems []string
	if !app.IsAdminApproved() {
		problems = append(problems, name+": permitted users are not admin approved")
	}
	if got := app.IPRelaxation(); got != connectedapp.IPRelaxationEnforce {
		problems = append(problems, fmt.Sprintf("%s: ipRelaxation %q, want %q", name, got, connectedapp.IPRelaxationEnforce))
	}
	if refresh, err := app.RefreshTokenPolicy(); err != nil || refresh.Kind != connectedapp.RefreshTokenInfinite {
		problems = append(problems, fmt.Sprintf("%s: refresh token policy %+v (%v), want %s", name, refresh, err,
			connectedapp.RefreshTokenInfinite))
	}
	if !app.HighAssuranceRequired() {
		problems = append(problems, name+": high assurance is not required")
	}
	if action, _ := app.PolicyAction(); action != connectedapp.PolicyActionRaiseLevel {
		problems = append(problems, fmt.Sprintf("%s: policy action %q, want %q", name, action, connectedapp.PolicyActionRaiseLevel))
	}
	return problems
}

// TestFaults_convergeUnderFaults applies 50 resources once for each of 20
// seeds, at a fault rate of 0.1 with half of the faulted writes failing
// after they took effect. Every apply must succeed, the org must match the
// configuration, and a second plan must be empty.
func TestFaults_convergeUnderFaults(t *testing.T) {
	skipUnlessFaultTests(t)
	var runs, failures, faults, afterCommit atomic.Int64
	var mu sync.Mutex
	var slowest time.Duration
	start := time.Now()
	t.Run("seeds", func(t *testing.T) {
		for seed := uint64(1); seed <= faultConvergeRuns; seed++ {
			t.Run(fmt.Sprintf("seed_%02d", seed), func(t *testing.T) {
				t.Parallel()
				runs.Add(1)
				defer func() {
					if t.Failed() {
						failures.Add(1)
					}
				}()
				runStart := time.Now()
				apps := faultAppNames()
				org := startFaultOrg(t, orgsim.Options{
					FaultRate: faultRate, FaultAfterCommit: faultAfterCommit, Seed: 1000 + seed,
				}, apps...)
				ws := newWorkspace(t, org.clientCredentialsEnv()...)
				ws.writeConfig(fiftyResourceConfig(apps))
				ws.apply()
				for _, problem := range org.checkFiftyResources(apps) {
					t.Error(problem)
				}
				ws.planIsEmpty()

				injected, committed := countFaults(org.server.Org.InjectedFaults())
				if injected == 0 {
					t.Error("no fault was injected, so the run proved nothing")
				}
				faults.Add(int64(injected))
				afterCommit.Add(int64(committed))
				elapsed := time.Since(runStart)
				mu.Lock()
				slowest = max(slowest, elapsed)
				mu.Unlock()
				t.Logf("seed %d: %d faults injected (%d after a commit) in %s", 1000+seed, injected, committed,
					elapsed.Round(time.Second))
			})
		}
	})
	reportSummary(t, "%d runs of a %d-resource apply at fault rate %.1f, fault after commit %.1f: %d failed; "+
		"%d faults injected, %d of them after a commit; slowest run %s; wall time %s",
		runs.Load(), faultResourceCount, faultRate, faultAfterCommit, failures.Load(), faults.Load(),
		afterCommit.Load(), slowest.Round(time.Second), time.Since(start).Round(time.Second))
}

// countFaults returns the total of InjectedFaults and how many came after a
// commit.
func countFaults(faults map[string]int) (total, afterCommit int) {
	for kind, n := range faults {
		total += n
		if strings.HasSuffix(kind, "_after_commit") {
			afterCommit += n
		}
	}
	return total, afterCommit
}

// TestFaults_sessionRenewals applies 50 resources against an org whose
// tokens allow five calls each, and reads from the provider's log how many
// sessions one provider process renewed after INVALID_SESSION_ID.
func TestFaults_sessionRenewals(t *testing.T) {
	skipUnlessFaultTests(t)
	start := time.Now()
	apps := faultAppNames()
	org := startFaultOrg(t, orgsim.Options{TokenMaxUses: faultTokenMaxUses}, apps...)
	ws := newWorkspace(t, org.clientCredentialsEnv()...)
	ws.logProvider("INFO")
	ws.writeConfig(fiftyResourceConfig(apps))
	ws.apply()
	for _, problem := range org.checkFiftyResources(apps) {
		t.Error(problem)
	}

	log := ws.readFile("terraform.log")
	renewals := maxSessionRenewals(log)
	if renewals < faultMinRenewals {
		t.Errorf("one provider process renewed at most %d sessions after INVALID_SESSION_ID, want at least %d",
			renewals, faultMinRenewals)
	}
	lines := len(renewalsPattern.FindAllString(log, -1))
	reportSummary(t, "%d-resource apply with tokens of %d calls: max %d sessions renewed in one provider process "+
		"(%d renewal log lines in all); wall time %s", faultResourceCount, faultTokenMaxUses, renewals, lines,
		time.Since(start).Round(time.Second))
}
