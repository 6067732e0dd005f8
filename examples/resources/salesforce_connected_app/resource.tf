resource "salesforce_connected_app" "orders" {
  name          = "Orders_Sync"
  label         = "Orders Sync"
  contact_email = "integrations@example.com"
  description   = "Synchronises orders with the warehouse system"
  logo_url      = "https://static.example.com/orders-sync.png"

  oauth_config = {
    callback_urls    = ["https://orders.example.com/oauth/callback"]
    scopes           = ["Api", "RefreshToken"]
    certificate      = file("${path.module}/orders-sync.crt")
    is_pkce_required = true

    # Used only when the app is created; never stored in state.
    consumer_secret_wo         = var.orders_sync_consumer_secret
    consumer_secret_wo_version = 1
  }
}

resource "salesforce_connected_app" "wiki_sso" {
  name          = "Wiki_SSO"
  label         = "Team Wiki"
  contact_email = "it@example.com"

  custom_attributes = {
    department = "$User.Department"
  }

  saml_config = {
    acs_url           = "https://wiki.example.com/saml/acs"
    entity_url        = "https://wiki.example.com/saml/metadata"
    subject_type      = "FederationId"
    name_id_format    = "Persistent"
    signing_algorithm = "SHA256"
  }
}
