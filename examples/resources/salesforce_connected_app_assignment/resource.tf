resource "salesforce_connected_app_policy" "vendor" {
  connected_app   = "Vendor_Sync"
  permitted_users = "admin_approved"
}

# connected_app comes from the policy, so the grants are written after it.
resource "salesforce_connected_app_assignment" "admins" {
  connected_app = salesforce_connected_app_policy.vendor.connected_app
  profile       = "System Administrator"
}

resource "salesforce_connected_app_assignment" "sync_users" {
  connected_app  = salesforce_connected_app_policy.vendor.connected_app
  permission_set = "Vendor_Sync_Users"
}
