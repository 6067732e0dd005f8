package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccDataSources_profileAndPermissionSet(t *testing.T) {
	org := newTestOrg(t)
	permSet := org.permissionSet(t)
	idPattern := regexp.MustCompile(`^[A-Za-z0-9]{15,18}$`)
	org.run(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: org.providerConfig() + `
data "salesforce_profile" "test" {
  name = "` + org.profile() + `"
}

data "salesforce_permission_set" "test" {
  name = "` + permSet + `"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.salesforce_profile.test", tfjsonpath.New("id"), knownvalue.StringRegexp(idPattern)),
					statecheck.ExpectKnownValue("data.salesforce_permission_set.test", tfjsonpath.New("id"), knownvalue.StringRegexp(idPattern)),
					statecheck.ExpectKnownValue("data.salesforce_permission_set.test", tfjsonpath.New("namespace_prefix"), knownvalue.Null()),
				},
			},
			{
				Config: org.providerConfig() + `
data "salesforce_profile" "missing" {
  name = "Admin"
}
`,
				ExpectError: regexp.MustCompile(`No profile named "Admin"`),
			},
		},
	})
}
