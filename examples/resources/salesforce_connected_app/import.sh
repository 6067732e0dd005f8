# By API name (fullName).
terraform import salesforce_connected_app.orders Orders_Sync

# By ConnectedApplication Id.
terraform import salesforce_connected_app.orders id:0H4Hs000000XXXXXXX

# By consumer key.
terraform import salesforce_connected_app.orders consumer_key:3MVG9EXAMPLEKEY
