package orgsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestQueryPagingFollowsNextRecordsURL(t *testing.T) {
	srv := startOrg(t, Options{QueryBatchSize: 2})
	for _, name := range []string{"Alpha", "Bravo", "Charlie", "Delta", "Echo"} {
		srv.Org.AddProfile(name, name+" Profile")
	}

	page := query(t, srv, "SELECT Id, Name FROM Profile ORDER BY Name DESC")
	var names []string
	pages := 1
	for {
		if page.TotalSize != 5 {
			t.Fatalf("totalSize = %d, want 5", page.TotalSize)
		}
		for _, r := range page.Records {
			names = append(names, stringOf(t, r["Name"]))
		}
		if page.Done {
			if page.NextRecordsURL != "" {
				t.Errorf("last page has nextRecordsUrl %q", page.NextRecordsURL)
			}
			break
		}
		if len(page.Records) != 2 {
			t.Errorf("page %d has %d records, want 2", pages, len(page.Records))
		}
		if !strings.HasPrefix(page.NextRecordsURL, "/services/data/v63.0/query/01g") {
			t.Fatalf("nextRecordsUrl = %q", page.NextRecordsURL)
		}
		next := page.NextRecordsURL
		page = queryResponse{}
		if status := restGet(t, srv, testToken, next, &page); status != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d", next, status)
		}
		pages++
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}

	want := "Echo Profile,Delta Profile,Charlie Profile,Bravo Profile,Alpha Profile"
	if strings.Join(names, ",") != want {
		t.Errorf("names = %v, want %s", names, want)
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3", pages)
	}
	if got := srv.Org.Calls()["rest.query"]; got != 3 {
		t.Errorf("rest.query calls = %d, want 3 (one per page)", got)
	}

	var errs restErrors
	if status := restGet(t, srv, testToken, "/services/data/v63.0/query/01gHs0000000000AAA-2", &errs); status != http.StatusBadRequest || errs[0].ErrorCode != "INVALID_QUERY_LOCATOR" {
		t.Errorf("unknown locator: HTTP %d, %+v", status, errs)
	}
}

func TestQueryStringEscapes(t *testing.T) {
	srv := startOrg(t, Options{})
	srv.Org.AddPermissionSet("OBrien", `O'Brien "Ops" \ Team`, "")
	srv.Org.AddPermissionSet("Other", "Other", "")
	rows := query(t, srv, `SELECT Name, Label FROM PermissionSet WHERE Label = 'O\'Brien \"Ops\" \\ Team'`)
	if rows.TotalSize != 1 || rows.Records[0]["Name"] != "OBrien" {
		t.Errorf("escaped literal matched %+v", rows.Records)
	}
	rows = query(t, srv, `SELECT Name FROM PermissionSet WHERE Label LIKE 'o\'b%'`)
	if rows.TotalSize != 1 {
		t.Errorf("LIKE matched %d rows, want 1", rows.TotalSize)
	}
	srv.Org.AddPermissionSet("Under", "a_b", "")
	srv.Org.AddPermissionSet("NoUnder", "axb", "")
	if rows := query(t, srv, `SELECT Name FROM PermissionSet WHERE Label LIKE 'a\_b'`); rows.TotalSize != 1 || rows.Records[0]["Name"] != "Under" {
		t.Errorf("escaped underscore matched %+v", rows.Records)
	}
	if rows := query(t, srv, `SELECT Name FROM PermissionSet WHERE Label LIKE 'a_b'`); rows.TotalSize != 2 {
		t.Errorf("wildcard underscore matched %d rows, want 2", rows.TotalSize)
	}
}

func queryError(t *testing.T, srv *Server, soql string) (int, restErrors) {
	t.Helper()
	var errs restErrors
	status := restGet(t, srv, testToken, "/services/data/v63.0/query?q="+url.QueryEscape(soql), &errs)
	return status, errs
}

func TestUnsupportedQueriesFail(t *testing.T) {
	srv := startOrg(t, Options{})
	cases := []struct {
		soql, code string
	}{
		{"SELECT Id FROM Profile WHERE Name = 'a' OR Name = 'b'", "MALFORMED_QUERY"},
		{"SELECT COUNT() FROM Profile", "MALFORMED_QUERY"},
		{"SELECT Id FROM Profile WHERE (Name = 'a')", "MALFORMED_QUERY"},
		{"SELECT Id FROM Profile GROUP BY Name", "MALFORMED_QUERY"},
		{"SELECT Id FROM Profile LIMIT 5 OFFSET 2", "MALFORMED_QUERY"},
		{"SELECT Id, Id FROM Profile", "MALFORMED_QUERY"},
		{"SELECT Id FROM Profile WHERE Name = 'unterminated", "MALFORMED_QUERY"},
		{`SELECT Id FROM Profile WHERE Name = 'bad \q escape'`, "MALFORMED_QUERY"},
		{`SELECT Id FROM Profile WHERE Name = 'a\_b'`, "MALFORMED_QUERY"},
		{"SELECT Id FROM Profile WHERE Name > 'a'", "MALFORMED_QUERY"},
		{"SELECT Id FROM Nothing", "INVALID_TYPE"},
		{"SELECT Bogus FROM Profile", "INVALID_FIELD"},
		{"SELECT Parent.Bogus FROM SetupEntityAccess", "INVALID_FIELD"},
		{"SELECT Owner.Name FROM SetupEntityAccess", "INVALID_FIELD"},
		{"SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = 'true'", "INVALID_QUERY_FILTER_OPERATOR"},
		{"SELECT Id FROM Profile WHERE Name = true", "INVALID_QUERY_FILTER_OPERATOR"},
		{"SELECT Id FROM Profile WHERE Id = 'short'", "INVALID_QUERY_FILTER_OPERATOR"},
		{"", "MALFORMED_QUERY"},
	}
	for _, tc := range cases {
		status, errs := queryError(t, srv, tc.soql)
		if status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != tc.code {
			t.Errorf("%q: HTTP %d, %+v; want 400 %s", tc.soql, status, errs, tc.code)
		}
	}
}

func TestQueryShapes(t *testing.T) {
	srv := startOrg(t, Options{})
	profileID := srv.Org.AddProfile("Admin", "System Administrator")
	srv.Org.AddPermissionSet("Plain", "Plain Set", "")

	rows := query(t, srv, "SELECT Id, Name, ProfileId, Profile.Name, NamespacePrefix FROM PermissionSet WHERE IsOwnedByProfile = false")
	if rows.TotalSize != 1 {
		t.Fatalf("rows = %d", rows.TotalSize)
	}
	rec := rows.Records[0]
	attrs := objectOf(t, rec["attributes"])
	if attrs["type"] != "PermissionSet" || !strings.HasPrefix(stringOf(t, attrs["url"]), "/services/data/v63.0/sobjects/PermissionSet/0PS") {
		t.Errorf("attributes = %v", attrs)
	}
	if v, ok := rec["Profile"]; !ok || v != nil {
		t.Errorf("Profile of a plain permission set = %v (present %v), want null", v, ok)
	}
	if v, ok := rec["NamespacePrefix"]; !ok || v != nil {
		t.Errorf("NamespacePrefix = %v (present %v), want null", v, ok)
	}

	rows = query(t, srv, "SELECT Profile.Name, Id FROM PermissionSet WHERE ProfileId = '"+profileID[:15]+"'")
	if rows.TotalSize != 1 {
		t.Fatalf("15-character Id filter matched %d rows", rows.TotalSize)
	}
	profile := objectOf(t, rows.Records[0]["Profile"])
	if profile["Name"] != "System Administrator" || objectOf(t, profile["attributes"])["type"] != "Profile" {
		t.Errorf("Profile = %v", profile)
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/services/data/v63.0/query?q="+url.QueryEscape("SELECT Name, Id FROM Organization"), nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	want := `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Organization","url":"/services/data/v63.0/sobjects/Organization/` +
		DefaultOrgID + `"},"Name":"orgsim","Id":"` + DefaultOrgID + `"}]}`
	if string(raw) != want {
		t.Errorf("raw response =\n%s\nwant\n%s", raw, want)
	}
	if !json.Valid(raw) {
		t.Errorf("response is not JSON")
	}

	if rows := query(t, srv, "SELECT Id FROM Profile WHERE Name IN ('System Administrator', 'Nobody') LIMIT 1"); rows.TotalSize != 1 {
		t.Errorf("IN filter matched %d rows", rows.TotalSize)
	}
	if rows := query(t, srv, "select id from profile where name = 'SYSTEM ADMINISTRATOR'"); rows.TotalSize != 1 {
		t.Errorf("case-insensitive keywords and comparison matched %d rows", rows.TotalSize)
	}
	if rows := query(t, srv, "SELECT Id FROM PermissionSet WHERE ProfileId != null"); rows.TotalSize != 1 {
		t.Errorf("!= null matched %d rows", rows.TotalSize)
	}
	if rows := query(t, srv, "SELECT Id FROM PermissionSet WHERE ProfileId = null"); rows.TotalSize != 1 {
		t.Errorf("= null matched %d rows", rows.TotalSize)
	}
}
