# The policy a vendor's install guide typically recommends.
resource "salesforce_connected_app_policy" "vendor" {
  connected_app = "Vendor_Sync"

  permitted_users                 = "admin_approved"
  ip_relaxation                   = "enforce"
  refresh_token_policy            = "valid_until_revoked"
  high_assurance_session_required = true
  high_assurance_action           = "raise_session_level"
}
