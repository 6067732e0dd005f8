# A policy is imported by the API name of its connected app.
terraform import salesforce_connected_app_policy.vendor Vendor_Sync
