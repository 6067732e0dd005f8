package orgsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// childTexts reads app and returns the texts of its children called name.
func childTexts(t *testing.T, srv *Server, app, name string) []string {
	t.Helper()
	rec := readApp(t, srv, "63.0", app)
	if rec == nil {
		t.Fatalf("app %s reads as nil", app)
	}
	var out []string
	for _, c := range rec.ChildrenNamed(name) {
		out = append(out, c.Text)
	}
	return out
}

const grantQuery = "SELECT Id, ParentId, SetupEntityId, Parent.Name, Parent.IsOwnedByProfile, Parent.Profile.Name, Parent.NamespacePrefix " +
	"FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication'"

func appID(t *testing.T, srv *Server, label string) string {
	t.Helper()
	rows := query(t, srv, "SELECT Id FROM ConnectedApplication WHERE Name = '"+label+"'")
	if rows.TotalSize != 1 {
		t.Fatalf("ConnectedApplication %q: %d rows", label, rows.TotalSize)
	}
	return stringOf(t, rows.Records[0]["Id"])
}

func TestUpdateProfileNamesCreatesRows(t *testing.T) {
	srv := creatingOrg(t)
	srv.Org.AddProfile("Admin", "System Administrator")
	srv.Org.AddProfile("Standard", "Standard User")
	srv.Org.AddPermissionSet("Integration_Access", "Integration Access", "")
	createApps(t, srv, "", basicApp("Granted"))
	id := appID(t, srv, "Granted Label")

	withLists := basicApp("Granted") + "<permissionSetName>Integration Access</permissionSetName>" +
		"<profileName>Standard User</profileName><profileName>System Administrator</profileName>"
	if r := updateApps(t, srv, withLists); !resultSuccess(r[0]) {
		t.Fatalf("update failed: %s", r[0])
	}
	rows := query(t, srv, grantQuery+" AND SetupEntityId = '"+id+"'")
	if rows.TotalSize != 3 {
		t.Fatalf("SetupEntityAccess rows = %d, want 3", rows.TotalSize)
	}
	profiles := map[string]bool{}
	for _, row := range rows.Records {
		parent := objectOf(t, row["Parent"])
		if parent["IsOwnedByProfile"] == true {
			profiles[stringOf(t, objectOf(t, parent["Profile"])["Name"])] = true
			if !strings.HasPrefix(stringOf(t, parent["Name"]), "X00e") {
				t.Errorf("profile-owned permission set Name = %v", parent["Name"])
			}
		} else {
			if parent["Name"] != "Integration_Access" {
				t.Errorf("permission set Name = %v", parent["Name"])
			}
			if parent["Profile"] != nil {
				t.Errorf("Parent.Profile of a plain permission set = %v, want null", parent["Profile"])
			}
		}
		if row["SetupEntityId"] != id {
			t.Errorf("SetupEntityId = %v, want %s", row["SetupEntityId"], id)
		}
	}
	if !profiles["System Administrator"] || !profiles["Standard User"] {
		t.Errorf("profile grants = %v", profiles)
	}
	if got := childTexts(t, srv, "Granted", "profileName"); strings.Join(got, "|") != "Standard User|System Administrator" {
		t.Errorf("profileName = %v, want grant creation order", got)
	}

	if r := updateApps(t, srv, basicApp("Granted")); !resultSuccess(r[0]) {
		t.Fatalf("update without lists failed: %s", r[0])
	}
	if rows := query(t, srv, grantQuery); rows.TotalSize != 3 {
		t.Errorf("an update without lists changed the grants: %d rows", rows.TotalSize)
	}

	clear := basicApp("Granted") + "<profileName></profileName>"
	if r := updateApps(t, srv, clear); !resultSuccess(r[0]) {
		t.Fatalf("clearing update failed: %s", r[0])
	}
	if got := childTexts(t, srv, "Granted", "profileName"); len(got) != 0 {
		t.Errorf("profileName after clear = %v", got)
	}
	if got := childTexts(t, srv, "Granted", "permissionSetName"); len(got) != 1 || got[0] != "Integration Access" {
		t.Errorf("permissionSetName after clearing profiles = %v", got)
	}

	unknown := basicApp("Granted") + "<profileName>No Such Profile</profileName>"
	r := updateApps(t, srv, unknown)
	if resultSuccess(r[0]) || resultCodes(r[0])[0] != "INVALID_CROSS_REFERENCE_KEY" {
		t.Errorf("unknown profile name: %s", r[0])
	}
	byAPIName := basicApp("Granted") + "<permissionSetName>Integration_Access</permissionSetName>"
	if r := updateApps(t, srv, byAPIName); !resultSuccess(r[0]) {
		t.Errorf("permission set by API name: %s", r[0])
	}
}

func TestRESTGrantRendersOnRead(t *testing.T) {
	srv := creatingOrg(t)
	profileID := srv.Org.AddProfile("Admin", "System Administrator")
	createApps(t, srv, "", basicApp("Rest_Granted"))
	id := appID(t, srv, "Rest_Granted Label")

	owned := query(t, srv, "SELECT Id, Name, IsOwnedByProfile, ProfileId, Profile.Name FROM PermissionSet WHERE ProfileId = '"+profileID+"'")
	if owned.TotalSize != 1 {
		t.Fatalf("owned permission set rows = %d", owned.TotalSize)
	}
	parentID := stringOf(t, owned.Records[0]["Id"])

	var created map[string]any
	status := restDo(t, srv, http.MethodPost, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess",
		map[string]string{"ParentId": parentID, "SetupEntityId": id}, &created)
	if status != http.StatusCreated || created["success"] != true {
		t.Fatalf("create: HTTP %d, %v", status, created)
	}
	rowID := stringOf(t, created["id"])
	if !strings.HasPrefix(rowID, "0J0") {
		t.Errorf("row Id = %s", rowID)
	}
	if got := childTexts(t, srv, "Rest_Granted", "profileName"); len(got) != 1 || got[0] != "System Administrator" {
		t.Errorf("profileName after REST create = %v", got)
	}

	var errs restErrors
	status = restDo(t, srv, http.MethodPost, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess",
		map[string]string{"ParentId": parentID, "SetupEntityId": id}, &errs)
	if status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != "DUPLICATE_VALUE" {
		t.Errorf("duplicate: HTTP %d, %+v", status, errs)
	}
	status = restDo(t, srv, http.MethodPost, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess",
		map[string]string{"ParentId": withIDSuffix("0PSHs0000000zzz"), "SetupEntityId": id}, &errs)
	if status != http.StatusBadRequest || errs[0].ErrorCode != "INVALID_CROSS_REFERENCE_KEY" {
		t.Errorf("unknown parent: HTTP %d, %+v", status, errs)
	}

	var fetched map[string]any
	if status := restGet(t, srv, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess/"+rowID, &fetched); status != http.StatusOK {
		t.Errorf("get row: HTTP %d", status)
	} else if fetched["SetupEntityType"] != "ConnectedApplication" {
		t.Errorf("row = %v", fetched)
	}
	if status := restDo(t, srv, http.MethodPatch, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess/"+rowID,
		map[string]string{"ParentId": parentID}, nil); status != http.StatusMethodNotAllowed {
		t.Errorf("PATCH: HTTP %d, want 405", status)
	}
	if status := restDo(t, srv, http.MethodDelete, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess/"+rowID, nil, nil); status != http.StatusNoContent {
		t.Errorf("delete: HTTP %d, want 204", status)
	}
	if got := childTexts(t, srv, "Rest_Granted", "profileName"); len(got) != 0 {
		t.Errorf("profileName after REST delete = %v", got)
	}
	status = restDo(t, srv, http.MethodDelete, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess/"+rowID, nil, &errs)
	if status != http.StatusNotFound || errs[0].ErrorCode != "ENTITY_IS_DELETED" {
		t.Errorf("second delete: HTTP %d, %+v", status, errs)
	}
	calls := srv.Org.Calls()
	if calls["rest.sobjects.create"] != 3 || calls["rest.sobjects.delete"] != 2 || calls["rest.sobjects.get"] != 1 {
		t.Errorf("calls = %v", calls)
	}
}

func TestManagedPermissionSetGrantRejected(t *testing.T) {
	srv := creatingOrg(t)
	psID := srv.Org.AddPermissionSet("Vendor_Users", "Vendor Users", "vend")
	createApps(t, srv, "", basicApp("Vendor_Target"))
	id := appID(t, srv, "Vendor_Target Label")
	var errs restErrors
	status := restDo(t, srv, http.MethodPost, testToken, "/services/data/v63.0/sobjects/SetupEntityAccess",
		map[string]string{"ParentId": psID, "SetupEntityId": id}, &errs)
	if status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != "CANNOT_MODIFY_MANAGED_OBJECT" {
		t.Errorf("managed parent: HTTP %d, %+v", status, errs)
	}
	rows := query(t, srv, "SELECT Id, NamespacePrefix FROM PermissionSet WHERE NamespacePrefix = 'vend'")
	if rows.TotalSize != 1 || rows.Records[0]["NamespacePrefix"] != "vend" {
		t.Errorf("managed permission set rows = %+v", rows)
	}
}

func TestDeleteAppDeletesGrants(t *testing.T) {
	srv := creatingOrg(t)
	srv.Org.AddProfile("Admin", "System Administrator")
	createApps(t, srv, "", basicApp("Doomed")+"<profileName>System Administrator</profileName>")
	if rows := query(t, srv, grantQuery); rows.TotalSize != 1 {
		t.Fatalf("rows before delete = %d", rows.TotalSize)
	}
	soapCall(t, srv, "63.0", testToken, "", "<deleteMetadata><type>ConnectedApp</type><fullNames>Doomed</fullNames></deleteMetadata>")
	if rows := query(t, srv, grantQuery); rows.TotalSize != 0 {
		t.Errorf("rows after deleting the app = %d", rows.TotalSize)
	}
	var errs restErrors
	path := "/services/data/v63.0/query?q=" + url.QueryEscape("SELECT Id FROM SetupEntityAccess WHERE SetupEntityId = 'bogus'")
	if status := restGet(t, srv, testToken, path, &errs); status != http.StatusBadRequest {
		t.Errorf("malformed Id filter: HTTP %d", status)
	}
}
