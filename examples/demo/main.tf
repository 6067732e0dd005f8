# The policy a vendor's install guide typically recommends, applied to a
# connected app that already exists in the org, and the two groups of users
# that may use it. make demo runs this against a simulated org.

terraform {
  required_providers {
    salesforce = {
      source = "connectedapps/salesforce"
    }
  }
}

# Credentials come from the SALESFORCE_* environment variables.
provider "salesforce" {}

variable "connected_app" {
  description = "API name of the vendor's connected app."
  type        = string
  default     = "Vendor_Sync"
}

resource "salesforce_connected_app_policy" "vendor" {
  connected_app = var.connected_app

  permitted_users                 = "admin_approved"
  ip_relaxation                   = "enforce"
  refresh_token_policy            = "valid_until_revoked"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
}

resource "salesforce_connected_app_assignment" "admins" {
  connected_app = salesforce_connected_app_policy.vendor.connected_app
  profile       = "System Administrator"
}

resource "salesforce_connected_app_assignment" "sync_users" {
  connected_app  = salesforce_connected_app_policy.vendor.connected_app
  permission_set = "Vendor_Sync_Users"
}
