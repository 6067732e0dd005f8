output "connected_app" {
  description = "API name of the app, available once its policy is applied."
  value       = salesforce_connected_app_policy.this.connected_app
}
