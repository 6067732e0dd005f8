# APP/profile/NAME or APP/permission_set/NAME; NAME is everything after the
# second slash, so profile names with a slash import as they are.
terraform import salesforce_connected_app_assignment.admins "Vendor_Sync/profile/System Administrator"
terraform import salesforce_connected_app_assignment.sync_users Vendor_Sync/permission_set/Vendor_Sync_Users
