# A connected app is imported by its API name (fullName).
terraform import salesforce_connected_app.orders Orders_Sync
