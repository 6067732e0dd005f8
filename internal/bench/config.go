package bench

import (
	"fmt"
	"os"
	"strings"
)

// WriteConfig writes a Terraform configuration that adopts benchmark apps 1
// to apps through import blocks, each with a policy and three assignments
// (a profile and two permission sets). With changed set, the policy of the
// first app relaxes IP restrictions, so a plan shows one change.
func WriteConfig(path string, apps int, changed bool) error {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    salesforce = {
      source = "connectedapps/salesforce"
    }
  }
}

# Credentials and batch_reads come from the SALESFORCE_* environment variables.
provider "salesforce" {}
`)
	for i := 1; i <= apps; i++ {
		ipRelaxation := "enforce"
		if changed && i == 1 {
			ipRelaxation = "relax"
		}
		fmt.Fprintf(&b, `
import {
  to = salesforce_connected_app.%[1]s
  id = %[2]q
}

resource "salesforce_connected_app" "%[1]s" {
  name          = %[2]q
  label         = %[3]q
  contact_email = %[4]q
  oauth_config = {
    callback_urls = [%[5]q]
    scopes        = ["Api", "RefreshToken"]
  }
}

resource "salesforce_connected_app_policy" "%[1]s" {
  connected_app        = salesforce_connected_app.%[1]s.name
  permitted_users      = "admin_approved"
  ip_relaxation        = %[6]q
  refresh_token_policy = "valid_until_revoked"
}

resource "salesforce_connected_app_assignment" "%[1]s_admins" {
  connected_app = salesforce_connected_app_policy.%[1]s.connected_app
  profile       = %[7]q
}

resource "salesforce_connected_app_assignment" "%[1]s_sync" {
  connected_app  = salesforce_connected_app_policy.%[1]s.connected_app
  permission_set = %[8]q
}

resource "salesforce_connected_app_assignment" "%[1]s_audit" {
  connected_app  = salesforce_connected_app_policy.%[1]s.connected_app
  permission_set = %[9]q
}
`, fmt.Sprintf("app_%04d", i), AppName(i), appLabel(i), contactEmail, callbackURL(i), ipRelaxation,
			ProfileName, PermissionSetSync, PermissionSetAudit)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
