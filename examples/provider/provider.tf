# JWT bearer: the flow for pipelines. The connected app holds the certificate
# of this key, and the user's profile or permission set is pre-authorized.
provider "salesforce" {
  login_url        = "https://example.my.salesforce.com"
  client_id        = var.salesforce_client_id
  username         = "terraform@example.com"
  private_key_file = "/run/secrets/salesforce-jwt.key"
}

variable "salesforce_client_id" {
  type = string
}
