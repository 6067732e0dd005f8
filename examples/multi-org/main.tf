# One module, two orgs: production and a sandbox, each guarded by the Id of
# the org its credentials must reach.

terraform {
  required_providers {
    salesforce = {
      source = "connectedapps/salesforce"
    }
  }
}

variable "production" {
  description = "Sign-in settings of the production org."
  type = object({
    instance_url    = string
    access_token    = string
    expected_org_id = string
  })
  sensitive = true
}

variable "sandbox" {
  description = "Sign-in settings of the sandbox."
  type = object({
    instance_url    = string
    access_token    = string
    expected_org_id = string
  })
  sensitive = true
}

provider "salesforce" {
  alias           = "production"
  login_url       = var.production.instance_url
  instance_url    = var.production.instance_url
  access_token    = var.production.access_token
  expected_org_id = var.production.expected_org_id
}

provider "salesforce" {
  alias           = "sandbox"
  login_url       = var.sandbox.instance_url
  instance_url    = var.sandbox.instance_url
  access_token    = var.sandbox.access_token
  expected_org_id = var.sandbox.expected_org_id
}

module "vendor_production" {
  source    = "../modules/connected-app-access"
  providers = { salesforce = salesforce.production }

  connected_app   = "Vendor_Sync"
  profiles        = ["System Administrator"]
  permission_sets = ["Vendor_Sync_Users"]
}

module "vendor_sandbox" {
  source    = "../modules/connected-app-access"
  providers = { salesforce = salesforce.sandbox }

  connected_app = "Vendor_Sync"
  # Sandboxes also let the integration admins in, and relax IP restrictions
  # for the test runners that have no fixed address.
  ip_relaxation   = "relax"
  profiles        = ["System Administrator"]
  permission_sets = ["Vendor_Sync_Users", "Integration_Admins"]
}
