resource "salesforce_connected_app" "orders" {
  name          = "Orders_Sync"
  label         = "Orders Sync"
  contact_email = "integrations@example.com"
  description   = "Synchronises orders with the warehouse system"

  oauth_config = {
    callback_urls = ["https://orders.example.com/oauth/callback"]
    scopes        = ["Api", "RefreshToken"]
    certificate   = file("${path.module}/orders-sync.crt")
  }
}
