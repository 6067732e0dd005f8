# The access a vendor's install guide typically recommends for its connected
# app, and who may use it. Every input has the recommended value as its
# default, so most callers set only connected_app and the grants.

terraform {
  required_providers {
    salesforce = {
      source = "connectedapps/salesforce"
    }
  }
}

resource "salesforce_connected_app_policy" "this" {
  connected_app = var.connected_app

  permitted_users                 = var.permitted_users
  ip_relaxation                   = var.ip_relaxation
  refresh_token_policy            = var.refresh_token_policy
  high_assurance_session_required = var.high_assurance_session_required
  high_assurance_action           = var.high_assurance_session_required ? var.high_assurance_action : null
}

resource "salesforce_connected_app_assignment" "profile" {
  for_each = toset(var.profiles)

  connected_app = salesforce_connected_app_policy.this.connected_app
  profile       = each.value
}

resource "salesforce_connected_app_assignment" "permission_set" {
  for_each = toset(var.permission_sets)

  connected_app  = salesforce_connected_app_policy.this.connected_app
  permission_set = each.value
}
