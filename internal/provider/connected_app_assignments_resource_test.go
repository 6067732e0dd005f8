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
)

func TestAccConnectedAppAssignments_authoritative(t *testing.T) {
	org := newTestOrg(t)
	name := org.existingApp(t)
	profile := org.profile()
	permSet := org.permissionSet(t)
	const address = "salesforce_connected_app_assignments.test"
	ctx := context.Background()
	config := func(profiles, permSets string) string {
		return org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_assignments" "test" {
  connected_app   = %q
  profiles        = %s
  permission_sets = %s
}
`, name, profiles, permSets)
	}
	both := config(fmt.Sprintf("[%q]", profile), fmt.Sprintf("[%q]", permSet))

	org.run(t, resource.TestCase{
		CheckDestroy: func(*terraform.State) error {
			for _, g := range []grant{{name, grantProfile, profile}, {name, grantPermissionSet, permSet}} {
				if row, err := findAssignment(ctx, org.client, g.app, g.kind, g.name); err != nil || row != nil {
					return fmt.Errorf("grant %s remains after destroy (%w)", g.id(), err)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// The test app starts with no grants; an extra one made in Setup is revoked.
				PreConfig: func() {
					props, err := org.client.FindConnectedAppProperties(ctx, name)
					if err != nil {
						t.Fatal(err)
					}
					profileApp := org.readApp(t, name)
					profileApp.SetProfiles([]string{simProfileSlash})
					if org.live {
						return
					}
					if err := org.client.UpdateConnectedApp(ctx, profileApp); err != nil {
						t.Fatalf("adding the extra grant: %v (app %s)", err, props.ID)
					}
				},
				Config: both,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("profiles"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(profile)})),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("permission_sets"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(permSet)})),
				},
				Check: func(*terraform.State) error {
					if org.live {
						return nil
					}
					row, err := findAssignment(ctx, org.client, name, grantProfile, simProfileSlash)
					if err != nil || row != nil {
						return fmt.Errorf("the extra profile grant was not revoked (%w)", err)
					}
					return nil
				},
			},
			{
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      address,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
			{
				// Drift: a permission set granted in Setup shows, and apply revokes it.
				PreConfig: func() {
					row, err := findAssignment(ctx, org.client, name, grantPermissionSet, permSet)
					if err != nil || row == nil {
						t.Fatalf("finding the grant: %v", err)
					}
					if err := org.client.DeleteGrant(ctx, row.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
			},
			{
				Config: config("[]", fmt.Sprintf("[%q]", permSet)),
				Check: func(*terraform.State) error {
					row, err := findAssignment(ctx, org.client, name, grantProfile, profile)
					if err != nil || row != nil {
						return fmt.Errorf("profile grant not revoked (%w)", err)
					}
					return nil
				},
			},
		},
	})
}

func TestAccConnectedAppAssignments_managedRejected(t *testing.T) {
	org := newTestOrg(t)
	if org.live {
		t.Skip("needs a managed permission set, which the simulated org provides")
	}
	name := org.existingApp(t)
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: org.providerConfig() + fmt.Sprintf(`
resource "salesforce_connected_app_assignments" "test" {
  connected_app   = %q
  permission_sets = [%q]
}
`, name, simManagedPermSet),
			ExpectError: regexp.MustCompile(`managed package with namespace "vendor"`),
		}},
	})
}

func TestAccImport_missingApps(t *testing.T) {
	org := newTestOrg(t)
	config := org.providerConfig() + `
resource "salesforce_connected_app_policy" "test" {
  connected_app = "No_Such_App"
}

resource "salesforce_connected_app_assignment" "test" {
  connected_app = "No_Such_App"
  profile       = "System Administrator"
}

resource "salesforce_connected_app_assignments" "test" {
  connected_app = "No_Such_App"
}
`
	steps := []resource.TestStep{}
	for address, id := range map[string]string{
		"salesforce_connected_app_policy.test":      "No_Such_App",
		"salesforce_connected_app_assignment.test":  "No_Such_App/profile/System Administrator",
		"salesforce_connected_app_assignments.test": "No_Such_App",
	} {
		steps = append(steps, resource.TestStep{
			Config:        config,
			ResourceName:  address,
			ImportState:   true,
			ImportStateId: id,
			ExpectError:   regexp.MustCompile(`No connected app named "No_Such_App"`),
		})
	}
	steps = append(steps, resource.TestStep{
		Config:        config,
		ResourceName:  "salesforce_connected_app_policy.test",
		ImportState:   true,
		ImportStateId: "Vendor_Sync/x",
		ExpectError:   regexp.MustCompile(`is not one`),
	})
	org.run(t, resource.TestCase{Steps: steps})
}
