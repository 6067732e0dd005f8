data "salesforce_connected_apps" "all" {}

# Apps whose component the Metadata API returns, which salesforce_connected_app can import.
output "local_apps" {
  value = [for app in data.salesforce_connected_apps.all.apps : app.name if app.metadata_readable]
}
