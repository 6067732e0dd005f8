package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
)

func TestAccConnectedAppAssignment_profileAndPermissionSet(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)
	profile := org.profile()
	permSet := org.permissionSet(t)
	config := org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_policy" "test" {
  connected_app   = %[1]q
  permitted_users = "admin_approved"
}

resource "salesforce_connected_app_assignment" "profile" {
  connected_app = salesforce_connected_app_policy.test.connected_app
  profile       = %[2]q
}

resource "salesforce_connected_app_assignment" "permission_set" {
  connected_app  = salesforce_connected_app_policy.test.connected_app
  permission_set = %[3]q
}
`, name, profile, permSet)
	profileID := name + "/profile/" + profile
	permSetID := name + "/permission_set/" + permSet

	org.run(t, resource.TestCase{
		CheckDestroy: checkAssignmentsRevoked(org),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("salesforce_connected_app_assignment.profile", tfjsonpath.New("id"),
						knownvalue.StringExact(profileID)),
					statecheck.ExpectKnownValue("salesforce_connected_app_assignment.permission_set", tfjsonpath.New("id"),
						knownvalue.StringExact(permSetID)),
					statecheck.ExpectKnownValue("salesforce_connected_app_assignment.permission_set",
						tfjsonpath.New("profile"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					for _, g := range []grant{{name, grantProfile, profile}, {name, grantPermissionSet, permSet}} {
						row, err := findAssignment(context.Background(), org.client, g.app, g.kind, g.name)
						if err != nil || row == nil {
							return fmt.Errorf("org has no grant %s (%w)", g.id(), err)
						}
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
			{
				ResourceName:      "salesforce_connected_app_assignment.profile",
				ImportState:       true,
				ImportStateId:     profileID,
				ImportStateVerify: true,
			},
			{
				ResourceName:      "salesforce_connected_app_assignment.permission_set",
				ImportState:       true,
				ImportStateId:     permSetID,
				ImportStateVerify: true,
			},
			{
				// Drift: the permission set's access removed in Setup is granted again.
				PreConfig: func() {
					row, err := findAssignment(context.Background(), org.client, name, grantPermissionSet, permSet)
					if err != nil || row == nil {
						t.Fatalf("finding the grant to remove: %v", err)
					}
					if err := org.client.DeleteGrant(context.Background(), row.ID); err != nil {
						t.Fatalf("removing the grant out of band: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("salesforce_connected_app_assignment.permission_set",
							plancheck.ResourceActionCreate),
					},
				},
			},
		},
	})
}

func TestAccConnectedAppAssignment_profileWithSlash(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs a profile whose name has a slash, which the simulated org provides")
	}
	name := org.existingApp(t)
	id := name + "/profile/" + simProfileSlash
	config := org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_assignment" "test" {
  connected_app = %q
  profile       = %q
}
`, name, simProfileSlash)

	org.run(t, resource.TestCase{
		CheckDestroy: checkAssignmentsRevoked(org),
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:      "salesforce_connected_app_assignment.test",
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccConnectedAppAssignment_rejected(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs a managed permission set, which the simulated org provides")
	}
	name := org.existingApp(t)
	cases := map[string]struct {
		attrs string
		want  string
	}{
		"managed permission set": {fmt.Sprintf(`permission_set = %q`, simManagedPermSet), `managed package with namespace "vendor"`},
		"missing profile":        {`profile = "Admin"`, `No profile named "Admin"`},
		"both":                   {`profile = "A"` + "\n  permission_set = \"B\"", `Invalid Attribute Combination`},
	}
	for label, tc := range cases {
		t.Run(label, func(t *testing.T) {
			writes := org.server.Org.Calls()["metadata.updateMetadata"] + org.server.Org.Calls()["rest.sobjects.create"]
			org.run(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_assignment" "test" {
  connected_app = %q
  %s
}
`, name, tc.attrs),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if got := org.server.Org.Calls()["metadata.updateMetadata"] + org.server.Org.Calls()["rest.sobjects.create"]; got != writes {
				t.Errorf("%d writes reached the org for a rejected grant, want none", got-writes)
			}
		})
	}
}

func TestParseGrantID(t *testing.T) {
	cases := []struct {
		id      string
		want    grant
		wantErr bool
	}{
		{"App/profile/System Administrator", grant{"App", grantProfile, "System Administrator"}, false},
		{"App/profile/Field Ops Manager/Supervisor", grant{"App", grantProfile, "Field Ops Manager/Supervisor"}, false},
		{"App/permission_set/ns__Access", grant{"App", grantPermissionSet, "ns__Access"}, false},
		{"App/role/X", grant{}, true},
		{"App/profile/", grant{}, true},
		{"App", grant{}, true},
	}
	for _, tc := range cases {
		got, err := parseGrantID(tc.id)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseGrantID(%q) error = %v, want error %v", tc.id, err, tc.wantErr)
			continue
		}
		if got != tc.want {
			t.Errorf("parseGrantID(%q) = %+v, want %+v", tc.id, got, tc.want)
		}
	}
}

// checkAssignmentsRevoked checks through the provider's own lookup that every
// grant in state is gone from the org.
func checkAssignmentsRevoked(org *testOrg) resource.TestCheckFunc {
	return checkEach("salesforce_connected_app_assignment", func(rs *terraform.ResourceState) error {
		g, err := parseGrantID(rs.Primary.ID)
		if err != nil {
			return err
		}
		row, err := findAssignment(context.Background(), org.client, g.app, g.kind, g.name)
		if err != nil && !isNotFound(err) {
			return err
		}
		if row != nil {
			return fmt.Errorf("grant %s still exists after destroy", g.id())
		}
		return nil
	})
}

func TestAccConnectedAppAssignment_managedApp(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs a managed-package app, which the simulated org provides")
	}
	name := "vendor__Vendor_Grants"
	if err := org.server.Org.LoadConnectedApp(name, []byte(managedAppXML), orgsim.LoadProps{NamespacePrefix: "vendor", ManageableState: "installed"}); err != nil {
		t.Fatal(err)
	}
	config := org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_assignment" "profile" {
  connected_app = %[1]q
  profile       = %[2]q
}

resource "salesforce_connected_app_assignment" "permission_set" {
  connected_app  = %[1]q
  permission_set = %[3]q
}
`, name, simProfile, simPermissionSet)
	org.run(t, resource.TestCase{
		CheckDestroy: checkAssignmentsRevoked(org),
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
	calls := org.server.Org.Calls()
	if n := calls["metadata.updateMetadata"]; n != 0 {
		t.Errorf("%d updateMetadata calls for grants of a managed app, want none", n)
	}
}

func TestAccConnectedAppAssignment_nameCase(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("uses the simulated org's fixtures")
	}
	name := org.existingApp(t)
	config := org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_assignment" "profile" {
  connected_app = %[1]q
  profile       = "system administrator"
}

resource "salesforce_connected_app_assignment" "permission_set" {
  connected_app  = %[1]q
  permission_set = "integration_users"
}

resource "salesforce_connected_app_assignments" "all" {
  connected_app   = %[1]q
  profiles        = ["SYSTEM ADMINISTRATOR"]
  permission_sets = ["INTEGRATION_USERS"]
}
`, name)
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					if got := org.readApp(t, name).Profiles(); len(got) != 1 || got[0] != simProfile {
						return fmt.Errorf("profileName list %v, want the org's spelling %q once", got, simProfile)
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
}

func TestAccConnectedAppAssignment_specialCharacters(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs profiles with these names, which the simulated org provides")
	}
	profile := `Équipe d'Intégration "Ops" / Nord`
	org.server.Org.AddProfile("Equipe_Integration", profile)
	name := org.existingApp(t)
	id := name + "/profile/" + profile
	config := org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_assignment" "test" {
  connected_app = %q
  profile       = %q
}
`, name, profile)
	org.run(t, resource.TestCase{
		CheckDestroy: checkAssignmentsRevoked(org),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					row, err := findAssignment(context.Background(), org.client, name, grantProfile, profile)
					if err != nil || row == nil {
						return fmt.Errorf("org has no grant for %q (%w)", profile, err)
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
			{
				ResourceName:      "salesforce_connected_app_assignment.test",
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
			},
		},
	})
}
