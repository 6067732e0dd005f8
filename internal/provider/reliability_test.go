package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
)

func reliabilityConfig(org *testOrg, name string) string {
	return org.providerConfig() + testPolicyConfig(name, `
  permitted_users                 = "admin_approved"
  ip_relaxation                   = "enforce"
  refresh_token_policy            = "valid_until_revoked"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
`) + fmt.Sprintf(`
resource "salesforce_connected_app_assignment" "profile" {
  connected_app = salesforce_connected_app_policy.test.connected_app
  profile       = %q
}

resource "salesforce_connected_app_assignment" "permission_set" {
  connected_app  = salesforce_connected_app_policy.test.connected_app
  permission_set = %q
}
`, simProfile, simPermissionSet)
}

func TestAccReliability_convergesUnderFaults(t *testing.T) {
	org := newTestOrgWith(t, func(opts *orgsim.Options) {
		opts.FaultRate = 0.3
		opts.FaultAfterCommit = 0.5
		opts.Seed = 20261203
	})
	if org.live {
		t.Skip("faults are injected only into the simulated org")
	}
	name := org.existingApp(t)
	config := reliabilityConfig(org, name)

	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					app := org.readApp(t, name)
					if !app.IsAdminApproved() {
						return fmt.Errorf("permitted users not admin approved in the org: %s", app.Element())
					}
					if got := app.IPRelaxation(); got != "ENFORCE" {
						return fmt.Errorf("ipRelaxation = %q in the org, want ENFORCE", got)
					}
					if !app.HighAssuranceRequired() {
						return fmt.Errorf("high assurance not required in the org: %s", app.Element())
					}
					if got := strings.Join(app.Profiles(), ","); !strings.Contains(got, simProfile) {
						return fmt.Errorf("profiles = %q in the org, want %s among them", got, simProfile)
					}
					if got := strings.Join(app.PermissionSets(), ","); !strings.Contains(got, "Integration Users") {
						return fmt.Errorf("permission sets = %q in the org, want Integration Users among them", got)
					}
					return nil
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})

	faults := org.server.Org.InjectedFaults()
	total, afterCommit := 0, 0
	for kind, n := range faults {
		total += n
		if strings.HasSuffix(kind, "_after_commit") {
			afterCommit += n
		}
	}
	if total == 0 {
		t.Errorf("no fault was injected, so the test proved nothing: %v", faults)
	}
	t.Logf("injected faults: %v (%d after a commit)", faults, afterCommit)
}

func TestAccReliability_dailyLimit(t *testing.T) {
	org := newTestOrgWith(t, func(opts *orgsim.Options) {
		opts.DailyLimit = 3
	})
	if org.live {
		t.Skip("the daily limit is set only on the simulated org")
	}
	name := org.existingApp(t)

	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: reliabilityConfig(org, name),
				// Terraform wraps the message at any space, so every space matches \s+.
				ExpectError: regexp.MustCompile(`(?s)daily\s+API\s+request\s+allowance\s+is\s+used\s+up.*` +
					`REQUEST_LIMIT_EXCEEDED.*rolling\s+24-hour\s+window.*Sforce-Limit-Info\s+was\s+3/3\s+requests`),
			},
		},
	})

	// The test's own client shares the org, so it hits the limit too.
	if _, err := org.client.FindConnectedApp(context.Background(), name); err == nil {
		t.Error("a read after the limit succeeded")
	}
}
