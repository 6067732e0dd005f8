data "salesforce_connected_app" "vendor" {
  name = "vendor__Connector"
}

output "vendor_app_admin_approved" {
  value = data.salesforce_connected_app.vendor.permitted_users == "admin_approved"
}
