package orgsim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

func creatingOrg(t *testing.T) *Server {
	t.Helper()
	return startOrg(t, Options{AllowConnectedAppCreation: true})
}

func TestReadMissingNameGivesNilSlot(t *testing.T) {
	srv := creatingOrg(t)
	if r := createApps(t, srv, "", basicApp("Present")); !resultSuccess(r[0]) {
		t.Fatalf("create failed: %v", resultCodes(r[0]))
	}
	res := soapCall(t, srv, "63.0", testToken, "",
		"<readMetadata><type>ConnectedApp</type><fullNames>Missing_One</fullNames><fullNames>Present</fullNames><fullNames>Missing_Two</fullNames></readMetadata>")
	if res.status != http.StatusOK {
		t.Fatalf("HTTP %d\n%s", res.status, res.raw)
	}
	recs := res.body.Child("result").ChildrenNamed("records")
	if len(recs) != 3 {
		t.Fatalf("%d records, want one per name\n%s", len(recs), res.raw)
	}
	if !recs[0].Nil || !recs[2].Nil {
		t.Errorf("missing names are not xsi:nil records:\n%s", res.raw)
	}
	if recs[1].Nil || recs[1].Type != "ConnectedApp" {
		t.Errorf("present app: nil=%v type=%q", recs[1].Nil, recs[1].Type)
	}
	if name, _ := recs[1].ChildText("fullName"); name != "Present" {
		t.Errorf("fullName = %q", name)
	}
	if !strings.Contains(res.raw, `<records xsi:nil="true"></records>`) && !strings.Contains(res.raw, `<records xsi:nil="true"/>`) {
		t.Errorf("raw response lacks an xsi:nil records element:\n%s", res.raw)
	}
	if !strings.Contains(res.raw, `xmlns="http://soap.sforce.com/2006/04/metadata"`) {
		t.Errorf("response lacks the metadata namespace:\n%s", res.raw)
	}
}

func TestElevenNamesFault(t *testing.T) {
	srv := creatingOrg(t)
	var names strings.Builder
	for i := 0; i < 11; i++ {
		fmt.Fprintf(&names, "<fullNames>App_%d</fullNames>", i)
	}
	for _, op := range []string{"readMetadata", "deleteMetadata"} {
		res := soapCall(t, srv, "63.0", testToken, "", "<"+op+"><type>ConnectedApp</type>"+names.String()+"</"+op+">")
		if res.status != http.StatusInternalServerError || res.faultCode() != "sf:EXCEEDED_ID_LIMIT" {
			t.Errorf("%s with 11 names: HTTP %d, faultcode %q", op, res.status, res.faultCode())
		}
	}
	apps := make([]string, 11)
	for i := range apps {
		apps[i] = basicApp(fmt.Sprintf("App_%d", i))
	}
	var op strings.Builder
	op.WriteString("<createMetadata>")
	for _, a := range apps {
		op.WriteString(`<metadata xsi:type="ConnectedApp">` + a + "</metadata>")
	}
	op.WriteString("</createMetadata>")
	if res := soapCall(t, srv, "63.0", testToken, "", op.String()); res.faultCode() != "sf:EXCEEDED_ID_LIMIT" {
		t.Errorf("createMetadata with 11 components: faultcode %q", res.faultCode())
	}
	queries := strings.Repeat("<queries><type>ConnectedApp</type></queries>", 4)
	if res := soapCall(t, srv, "63.0", testToken, "", "<listMetadata>"+queries+"</listMetadata>"); res.faultCode() != "sf:EXCEEDED_ID_LIMIT" {
		t.Errorf("listMetadata with 4 queries: faultcode %q", res.faultCode())
	}
}

func TestCreationRefusedByDefault(t *testing.T) {
	srv := startOrg(t, Options{})
	r := createApps(t, srv, "", basicApp("Blocked"))
	if resultSuccess(r[0]) {
		t.Fatal("createMetadata succeeded without AllowConnectedAppCreation")
	}
	if codes := resultCodes(r[0]); len(codes) != 1 || codes[0] != "INSUFFICIENT_ACCESS" {
		t.Errorf("status codes = %v, want [INSUFFICIENT_ACCESS]", codes)
	}
	if readApp(t, srv, "63.0", "Blocked") != nil {
		t.Errorf("a refused app can be read")
	}
}

func TestCreateThenRead(t *testing.T) {
	srv := creatingOrg(t)
	app := "<fullName>Round_Trip</fullName><contactEmail>  ops@example.com  </contactEmail><description></description>" +
		"<label>Round Trip</label><oauthConfig><callbackUrl>https://a.example.com/cb\nhttps://b.example.com/cb</callbackUrl>" +
		"<isAdminApproved>true</isAdminApproved><scopes>Api</scopes><scopes>RefreshToken</scopes></oauthConfig>" +
		"<oauthPolicy><ipRelaxation>BYPASS</ipRelaxation><refreshTokenPolicy>specific_inactivity:30:DAYS</refreshTokenPolicy></oauthPolicy>" +
		"<sessionPolicy><sessionLevel>HIGH_ASSURANCE</sessionLevel><sessionTimeout>60</sessionTimeout></sessionPolicy><startUrl>https://start.example.com</startUrl>"
	if r := createApps(t, srv, "", app); !resultSuccess(r[0]) {
		t.Fatalf("create failed: %s", r[0])
	}
	rec := readApp(t, srv, "63.0", "Round_Trip")
	if rec == nil {
		t.Fatal("created app reads as nil")
	}
	if email, _ := rec.ChildText("contactEmail"); email != "ops@example.com" {
		t.Errorf("contactEmail = %q, want it trimmed", email)
	}
	if rec.Child("description") != nil {
		t.Errorf("an empty description was stored")
	}
	key, _ := rec.Child("oauthConfig").ChildText("consumerKey")
	if !strings.HasPrefix(key, "3MVG9") || len(key) < 40 {
		t.Errorf("generated consumerKey = %q", key)
	}
	if cb, _ := rec.Child("oauthConfig").ChildText("callbackUrl"); cb != "https://a.example.com/cb\nhttps://b.example.com/cb" {
		t.Errorf("callbackUrl = %q", cb)
	}
	order := []string{}
	for _, c := range rec.Children {
		order = append(order, c.Name)
	}
	want := "fullName contactEmail label oauthConfig oauthPolicy sessionPolicy startUrl"
	if strings.Join(order, " ") != want {
		t.Errorf("children = %v, want %s", order, want)
	}

	rows := query(t, srv, "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsHasSessionLevelPolicy, "+
		"OptionsRefreshTokenValidityMetric, RefreshTokenValidityPeriod, StartUrl, MobileStartUrl FROM ConnectedApplication")
	if rows.TotalSize != 1 {
		t.Fatalf("ConnectedApplication rows = %d", rows.TotalSize)
	}
	row := rows.Records[0]
	checks := map[string]any{
		"Name": "Round Trip", "OptionsAllowAdminApprovedUsersOnly": true, "OptionsHasSessionLevelPolicy": true,
		"OptionsRefreshTokenValidityMetric": true, "RefreshTokenValidityPeriod": float64(30),
		"StartUrl": "https://start.example.com", "MobileStartUrl": nil,
	}
	for field, want := range checks {
		if row[field] != want {
			t.Errorf("ConnectedApplication.%s = %v, want %v", field, row[field], want)
		}
	}
	if id, _ := row["Id"].(string); !strings.HasPrefix(id, "0H4") || len(id) != 18 {
		t.Errorf("ConnectedApplication.Id = %v", row["Id"])
	}
}

func TestElementOrderViolationRejected(t *testing.T) {
	srv := creatingOrg(t)
	cases := map[string]string{
		"top level": "<fullName>Out_Of_Order</fullName><label>X</label><contactEmail>ops@example.com</contactEmail>",
		"nested": "<fullName>Out_Of_Order</fullName><contactEmail>ops@example.com</contactEmail><label>X</label>" +
			"<oauthConfig><scopes>Api</scopes><callbackUrl>https://x.example.com</callbackUrl></oauthConfig>",
		"unknown element":  "<fullName>Out_Of_Order</fullName><contactEmail>ops@example.com</contactEmail><label>X</label><developerName>X</developerName>",
		"repeated single":  "<fullName>Out_Of_Order</fullName><contactEmail>ops@example.com</contactEmail><contactEmail>b@example.com</contactEmail><label>X</label>",
		"missing xsi:type": "",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			op := "<createMetadata><metadata xsi:type=\"ConnectedApp\">" + body + "</metadata></createMetadata>"
			if body == "" {
				op = "<createMetadata><metadata><fullName>No_Type</fullName><contactEmail>ops@example.com</contactEmail><label>X</label></metadata></createMetadata>"
			}
			res := soapCall(t, srv, "63.0", testToken, "", op)
			if res.status != http.StatusInternalServerError || res.faultCode() != "soapenv:Client" {
				t.Errorf("HTTP %d, faultcode %q, want 500 soapenv:Client\n%s", res.status, res.faultCode(), res.raw)
			}
			if !strings.Contains(res.faultString(), "invalid at this location") {
				t.Errorf("faultstring = %q", res.faultString())
			}
		})
	}
	if readApp(t, srv, "63.0", "Out_Of_Order") != nil {
		t.Errorf("a rejected component was saved")
	}
}

func TestVersionGating(t *testing.T) {
	srv := creatingOrg(t)
	res := soapCall(t, srv, "45.0", testToken, "", `<createMetadata><metadata xsi:type="ConnectedApp">`+basicApp("Old_Version")+"</metadata></createMetadata>")
	if res.faultCode() != "soapenv:Client" || !strings.Contains(res.faultString(), "oauthPolicy") {
		t.Errorf("oauthPolicy at 45.0: faultcode %q, faultstring %q", res.faultCode(), res.faultString())
	}
	if res := soapCall(t, srv, "30.0", testToken, "", "<readMetadata><type>ConnectedApp</type></readMetadata>"); res.faultCode() != "sf:UNSUPPORTED_API_VERSION" {
		t.Errorf("version 30.0: faultcode %q", res.faultCode())
	}
	if res := soapCall(t, srv, "69.0", testToken, "", "<readMetadata><type>ConnectedApp</type></readMetadata>"); res.faultCode() != "sf:UNSUPPORTED_API_VERSION" {
		t.Errorf("version 69.0: faultcode %q", res.faultCode())
	}
	if r := createApps(t, srv, "", basicApp("New_Version")); !resultSuccess(r[0]) {
		t.Fatalf("create at 63.0 failed: %v", resultCodes(r[0]))
	}
	if rec := readApp(t, srv, "45.0", "New_Version"); rec == nil || rec.Child("oauthPolicy") != nil {
		t.Errorf("read at 45.0 includes oauthPolicy: %v", rec)
	}
}

func TestValueViolationsRejected(t *testing.T) {
	srv := creatingOrg(t)
	head := "<fullName>Bad_Value</fullName><contactEmail>ops@example.com</contactEmail><label>X</label>"
	tail := "<contactEmail>ops@example.com</contactEmail><label>X</label>"
	oauth := func(inner string) string {
		return "<oauthConfig><callbackUrl>https://x.example.com</callbackUrl>" + inner + "</oauthConfig>"
	}
	policy := func(ip, refresh string) string {
		return "<oauthPolicy><ipRelaxation>" + ip + "</ipRelaxation><refreshTokenPolicy>" + refresh + "</refreshTokenPolicy></oauthPolicy>"
	}
	cases := []struct {
		name, body, wantCode, wantField string
	}{
		{"scope enum", head + oauth("<scopes>NotAScope</scopes>"), "FIELD_INTEGRITY_EXCEPTION", "scopes"},
		{"boolean", head + oauth("<isAdminApproved>yes</isAdminApproved>"), "FIELD_INTEGRITY_EXCEPTION", "isAdminApproved"},
		{"ip relaxation", head + oauth("") + policy("RELAX", "infinite"), "FIELD_INTEGRITY_EXCEPTION", "ipRelaxation"},
		{"refresh policy unit", head + oauth("") + policy("ENFORCE", "specific_lifetime:3:WEEKS"), "FIELD_INTEGRITY_EXCEPTION", "refreshTokenPolicy"},
		{"refresh policy zero count", head + oauth("") + policy("ENFORCE", "specific_inactivity:0:DAYS"), "FIELD_INTEGRITY_EXCEPTION", "refreshTokenPolicy"},
		{"refresh policy case", head + oauth("") + policy("ENFORCE", "Infinite"), "FIELD_INTEGRITY_EXCEPTION", "refreshTokenPolicy"},
		{"policy action", head + "<sessionPolicy><policyAction>Deny</policyAction></sessionPolicy>", "FIELD_INTEGRITY_EXCEPTION", "policyAction"},
		{"session level", head + "<sessionPolicy><sessionLevel>LOW</sessionLevel></sessionPolicy>", "FIELD_INTEGRITY_EXCEPTION", "sessionLevel"},
		{"canvas access method", "<fullName>Bad_Value</fullName><canvasConfig><accessMethod>Put</accessMethod><canvasUrl>https://c.example.com</canvasUrl></canvasConfig>" + tail,
			"FIELD_INTEGRITY_EXCEPTION", "accessMethod"},
		{"saml subject type", head + "<samlConfig><acsUrl>https://a</acsUrl><entityUrl>e</entityUrl><samlSubjectType>Email</samlSubjectType></samlConfig>",
			"FIELD_INTEGRITY_EXCEPTION", "samlSubjectType"},
		{"email", "<fullName>Bad_Value</fullName><contactEmail>not-an-email</contactEmail><label>X</label>", "INVALID_EMAIL_ADDRESS", "contactEmail"},
		{"missing label", "<fullName>Bad_Value</fullName><contactEmail>ops@example.com</contactEmail>", "REQUIRED_FIELD_MISSING", "label"},
		{"missing callback", head + "<oauthConfig><scopes>Api</scopes></oauthConfig>", "REQUIRED_FIELD_MISSING", "callbackUrl"},
		{"missing ip relaxation", head + oauth("") + "<oauthPolicy><refreshTokenPolicy>zero</refreshTokenPolicy></oauthPolicy>", "REQUIRED_FIELD_MISSING", "ipRelaxation"},
		{"missing ip range end", "<fullName>Bad_Value</fullName><contactEmail>ops@example.com</contactEmail><ipRanges><start>10.0.0.1</start></ipRanges><label>X</label>",
			"REQUIRED_FIELD_MISSING", "end"},
		{"reversed ip range", "<fullName>Bad_Value</fullName><contactEmail>ops@example.com</contactEmail><ipRanges><end>10.0.0.1</end><start>10.0.0.9</start></ipRanges><label>X</label>",
			"FIELD_INTEGRITY_EXCEPTION", "start"},
		{"bad ip address", "<fullName>Bad_Value</fullName><contactEmail>ops@example.com</contactEmail><ipRanges><end>10.0.0.300</end><start>10.0.0.9</start></ipRanges><label>X</label>",
			"FIELD_INTEGRITY_EXCEPTION", "end"},
		{"missing attribute key", "<fullName>Bad_Value</fullName><attributes><formula>$User.Id</formula></attributes>" + tail, "REQUIRED_FIELD_MISSING", "key"},
		{"nil contact email", "<fullName>Bad_Value</fullName><contactEmail xsi:nil=\"true\"/><label>X</label>", "REQUIRED_FIELD_MISSING", "contactEmail"},
		{"bad fullName", "<fullName>Bad__Value</fullName><contactEmail>ops@example.com</contactEmail><label>X</label>", "FIELD_INTEGRITY_EXCEPTION", "fullName"},
		{"short consumer key", head + oauth("<consumerKey>abc</consumerKey>"), "FIELD_INTEGRITY_EXCEPTION", "consumerKey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := createApps(t, srv, "", tc.body)
			if resultSuccess(r[0]) {
				t.Fatalf("invalid component was saved")
			}
			found := false
			for _, e := range r[0].ChildrenNamed("errors") {
				code, _ := e.ChildText("statusCode")
				for _, f := range e.ChildrenNamed("fields") {
					if code == tc.wantCode && f.Text == tc.wantField {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("no %s error on field %s in %s", tc.wantCode, tc.wantField, r[0])
			}
		})
	}
	if readApp(t, srv, "63.0", "Bad_Value") != nil {
		t.Errorf("an invalid component was saved")
	}
}

func TestConsumerKeyWriteOnce(t *testing.T) {
	srv := creatingOrg(t)
	app := func(key string) string {
		return "<fullName>Keyed</fullName><contactEmail>ops@example.com</contactEmail><label>Keyed</label>" +
			"<oauthConfig><callbackUrl>https://x.example.com</callbackUrl><consumerKey>" + key + "</consumerKey>" +
			"<consumerSecret>Secret12345678</consumerSecret><scopes>Api</scopes></oauthConfig>"
	}
	if r := createApps(t, srv, "", app("MyKey12345678")); !resultSuccess(r[0]) {
		t.Fatalf("create with consumerKey failed: %s", r[0])
	}
	r := updateApps(t, srv, app("OtherKey12345"))
	if resultSuccess(r[0]) {
		t.Fatal("update changed the consumer key")
	}
	if codes := resultCodes(r[0]); len(codes) != 1 || codes[0] != "FIELD_INTEGRITY_EXCEPTION" {
		t.Errorf("status codes = %v", codes)
	}
	if r := updateApps(t, srv, app("MyKey12345678")); resultSuccess(r[0]) {
		t.Error("update that resends the unchanged consumer key was accepted")
	}
	withoutKey := "<fullName>Keyed</fullName><contactEmail>ops@example.com</contactEmail><label>Keyed</label>" +
		"<oauthConfig><callbackUrl>https://x.example.com</callbackUrl><scopes>Api</scopes></oauthConfig>"
	if r := updateApps(t, srv, withoutKey); !resultSuccess(r[0]) {
		t.Errorf("update without consumer key failed: %s", r[0])
	}
	rec := readApp(t, srv, "63.0", "Keyed")
	if key, _ := rec.Child("oauthConfig").ChildText("consumerKey"); key != "MyKey12345678" {
		t.Errorf("consumerKey after updates = %q", key)
	}

	changedSecret := strings.Replace(app("MyKey12345678"), "Secret12345678", "Secret87654321", 1)
	if r := updateApps(t, srv, changedSecret); resultSuccess(r[0]) {
		t.Errorf("update changed the consumer secret")
	}
	if r := createApps(t, srv, "", strings.Replace(app("MyKey12345678"), "Keyed", "Keyed_Twice", 1)); resultSuccess(r[0]) {
		t.Errorf("a second app took the same consumer key")
	}
}

func TestConsumerSecretNeverReturned(t *testing.T) {
	srv := creatingOrg(t)
	app := "<fullName>Secretive</fullName><contactEmail>ops@example.com</contactEmail><label>S</label>" +
		"<oauthConfig><callbackUrl>https://x.example.com</callbackUrl><consumerSecret>TopSecret123456</consumerSecret></oauthConfig>"
	if r := createApps(t, srv, "", app); !resultSuccess(r[0]) {
		t.Fatalf("create failed: %s", r[0])
	}
	res := soapCall(t, srv, "63.0", testToken, "", "<readMetadata><type>ConnectedApp</type><fullNames>Secretive</fullNames></readMetadata>")
	if strings.Contains(res.raw, "consumerSecret") || strings.Contains(res.raw, "TopSecret123456") {
		t.Errorf("readMetadata returned the consumer secret:\n%s", res.raw)
	}
	if err := srv.Org.LoadConnectedApp("Loaded_Secret", []byte(`<ConnectedApp><contactEmail>a@example.com</contactEmail><label>L</label>`+
		`<oauthConfig><callbackUrl>https://x</callbackUrl><consumerSecret>LoadedSecret99</consumerSecret></oauthConfig></ConnectedApp>`), LoadProps{}); err != nil {
		t.Fatal(err)
	}
	res = soapCall(t, srv, "63.0", testToken, "", "<readMetadata><type>ConnectedApp</type><fullNames>Loaded_Secret</fullNames></readMetadata>")
	if strings.Contains(res.raw, "LoadedSecret99") {
		t.Errorf("readMetadata returned a loaded consumer secret:\n%s", res.raw)
	}
}

func TestScopesRenamedOnRead(t *testing.T) {
	srv := creatingOrg(t)
	app := "<fullName>Scoped</fullName><contactEmail>ops@example.com</contactEmail><label>S</label>" +
		"<oauthConfig><callbackUrl>https://x.example.com</callbackUrl>" +
		"<scopes>OfflineAccess</scopes><scopes>Api</scopes><scopes>Email</scopes><scopes>Profile</scopes><scopes>RefreshToken</scopes><scopes>OpenID</scopes></oauthConfig>"
	if r := createApps(t, srv, "", app); !resultSuccess(r[0]) {
		t.Fatalf("create failed: %s", r[0])
	}
	var got []string
	for _, s := range readApp(t, srv, "63.0", "Scoped").Child("oauthConfig").ChildrenNamed("scopes") {
		got = append(got, s.Text)
	}
	if strings.Join(got, ",") != "Basic,Api,RefreshToken,OpenID" {
		t.Errorf("scopes = %v, want [Basic Api RefreshToken OpenID]", got)
	}
}

func TestUpdateReplacesComponent(t *testing.T) {
	srv := creatingOrg(t)
	full := basicApp("Replaced") + "<startUrl>https://start.example.com</startUrl>"
	if r := createApps(t, srv, "", full); !resultSuccess(r[0]) {
		t.Fatalf("create failed: %s", r[0])
	}
	if r := updateApps(t, srv, basicApp("Replaced")); !resultSuccess(r[0]) {
		t.Fatalf("update failed: %s", r[0])
	}
	if rec := readApp(t, srv, "63.0", "Replaced"); rec.Child("startUrl") != nil {
		t.Errorf("an element omitted from the update is still stored")
	}
	r := updateApps(t, srv, basicApp("Never_Created"))
	if resultSuccess(r[0]) {
		t.Fatal("update of a missing app succeeded")
	}
	if codes := resultCodes(r[0]); len(codes) != 1 || codes[0] != "INVALID_CROSS_REFERENCE_KEY" {
		t.Errorf("status codes = %v", codes)
	}
	msg, _ := r[0].Child("errors").ChildText("message")
	if !strings.Contains(msg, "no ConnectedApp named Never_Created found") {
		t.Errorf("message = %q", msg)
	}
}

func TestDeleteAndRename(t *testing.T) {
	srv := creatingOrg(t)
	createApps(t, srv, "", basicApp("First"), basicApp("Second"))

	res := soapCall(t, srv, "63.0", testToken, "", "<renameMetadata><type>ConnectedApp</type><oldFullName>First</oldFullName><newFullName>Second</newFullName></renameMetadata>")
	if r := saveResults(t, res); resultSuccess(r[0]) || resultCodes(r[0])[0] != "DUPLICATE_DEVELOPER_NAME" {
		t.Errorf("rename onto a taken name: %s", r[0])
	}
	res = soapCall(t, srv, "63.0", testToken, "", "<renameMetadata><type>ConnectedApp</type><oldFullName>Nope</oldFullName><newFullName>Third</newFullName></renameMetadata>")
	if r := saveResults(t, res); resultSuccess(r[0]) || resultCodes(r[0])[0] != "INVALID_CROSS_REFERENCE_KEY" {
		t.Errorf("rename of a missing app: %s", r[0])
	}
	res = soapCall(t, srv, "63.0", testToken, "", "<renameMetadata><type>ConnectedApp</type><oldFullName>First</oldFullName><newFullName>Third</newFullName></renameMetadata>")
	if r := saveResults(t, res); !resultSuccess(r[0]) {
		t.Errorf("rename failed: %s", r[0])
	} else if name, _ := r[0].ChildText("fullName"); name != "Third" {
		t.Errorf("rename result fullName = %q", name)
	}
	if readApp(t, srv, "63.0", "First") != nil || readApp(t, srv, "63.0", "Third") == nil {
		t.Errorf("rename did not move the app")
	}

	res = soapCall(t, srv, "63.0", testToken, "", "<deleteMetadata><type>ConnectedApp</type><fullNames>Third</fullNames><fullNames>Missing_App</fullNames></deleteMetadata>")
	r := saveResults(t, res)
	if len(r) != 2 || !resultSuccess(r[0]) || resultSuccess(r[1]) {
		t.Fatalf("delete results: %v", r)
	}
	msg, _ := r[1].Child("errors").ChildText("message")
	if resultCodes(r[1])[0] != "INVALID_CROSS_REFERENCE_KEY" || !strings.Contains(msg, "no ConnectedApp named Missing_App found") {
		t.Errorf("delete of a missing app: %s", r[1])
	}
	if readApp(t, srv, "63.0", "Third") != nil {
		t.Errorf("deleted app still reads")
	}
}

func TestAllOrNoneRollsBack(t *testing.T) {
	srv := creatingOrg(t)
	invalid := "<fullName>Invalid_One</fullName><contactEmail>ops@example.com</contactEmail>"
	header := "<AllOrNoneHeader><allOrNone>true</allOrNone></AllOrNoneHeader>"
	r := createApps(t, srv, header, basicApp("Valid_One"), invalid)
	if resultSuccess(r[0]) || resultSuccess(r[1]) {
		t.Errorf("all-or-none call reported a success: %v", r)
	}
	if readApp(t, srv, "63.0", "Valid_One") != nil {
		t.Errorf("all-or-none call saved the valid component")
	}
	r = createApps(t, srv, "", basicApp("Valid_One"), invalid)
	if !resultSuccess(r[0]) || resultSuccess(r[1]) {
		t.Errorf("partial-success call: %v", r)
	}
	if readApp(t, srv, "63.0", "Valid_One") == nil {
		t.Errorf("partial-success call did not save the valid component")
	}
}

func TestListMetadata(t *testing.T) {
	srv := creatingOrg(t)
	createApps(t, srv, "", basicApp("Listed"))
	if err := srv.Org.LoadConnectedApp("pkg__Vendor", []byte("<ConnectedApp><label>Vendor</label></ConnectedApp>"),
		LoadProps{NamespacePrefix: "pkg"}); err != nil {
		t.Fatal(err)
	}

	res := soapCall(t, srv, "63.0", testToken, "", "<listMetadata><queries><type>ConnectedApp</type></queries><asOfVersion>63.0</asOfVersion></listMetadata>")
	results := res.body.ChildrenNamed("result")
	if len(results) != 2 {
		t.Fatalf("%d results, want 2\n%s", len(results), res.raw)
	}
	byName := map[string]*xmltree.Element{}
	for _, r := range results {
		name, _ := r.ChildText("fullName")
		byName[name] = r
	}

	local := byName["Listed"]
	if file, _ := local.ChildText("fileName"); file != "connectedApps/Listed.connectedApp" {
		t.Errorf("fileName = %q", file)
	}
	if id, _ := local.ChildText("id"); !strings.HasPrefix(id, "0H4") {
		t.Errorf("id = %q", id)
	}
	if local.Child("namespacePrefix") != nil {
		t.Errorf("local app has a namespacePrefix")
	}

	managed := byName["pkg__Vendor"]
	if state, _ := managed.ChildText("manageableState"); state != "installed" {
		t.Errorf("managed manageableState = %q", state)
	}
	if ns, _ := managed.ChildText("namespacePrefix"); ns != "pkg" {
		t.Errorf("managed namespacePrefix = %q", ns)
	}
	if res := soapCall(t, srv, "63.0", testToken, "", "<listMetadata><queries><type>ApexClass</type></queries></listMetadata>"); res.faultCode() != "sf:INVALID_TYPE" {
		t.Errorf("other type: faultcode %q", res.faultCode())
	}
}

func TestManagedAppReadsNil(t *testing.T) {
	srv := creatingOrg(t)
	if err := srv.Org.LoadConnectedApp("ns__Managed", []byte(`<ConnectedApp><contactEmail>a@example.com</contactEmail><label>M</label></ConnectedApp>`),
		LoadProps{NamespacePrefix: "ns", ManageableState: "installed"}); err != nil {
		t.Fatal(err)
	}
	if rec := readApp(t, srv, "63.0", "ns__Managed"); rec != nil {
		t.Errorf("managed app read back: %s", rec)
	}
	r := updateApps(t, srv, "<fullName>ns__Managed</fullName><contactEmail>a@example.com</contactEmail><label>Changed</label>")
	if resultSuccess(r[0]) || resultCodes(r[0])[0] != "INSUFFICIENT_ACCESS" {
		t.Errorf("update of managed app: %s", r[0])
	}
	res := soapCall(t, srv, "63.0", testToken, "", "<deleteMetadata><type>ConnectedApp</type><fullNames>ns__Managed</fullNames></deleteMetadata>")
	if r := saveResults(t, res); resultSuccess(r[0]) {
		t.Errorf("delete of managed app succeeded")
	}
}

func TestOAuthInstalledAppListedButUnreadable(t *testing.T) {
	srv := creatingOrg(t)
	if err := srv.Org.LoadConnectedApp("Vendor_Portal", []byte(`<ConnectedApp><contactEmail>a@example.com</contactEmail><label>V</label></ConnectedApp>`),
		LoadProps{OAuthInstalled: true}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Org.LoadConnectedApp("Bad_Props", []byte(`<ConnectedApp><label>B</label></ConnectedApp>`),
		LoadProps{OAuthInstalled: true, NamespacePrefix: "ns"}); err == nil {
		t.Error("an OAuth-installed app with a namespace prefix was accepted")
	}
	if rec := readApp(t, srv, "63.0", "Vendor_Portal"); rec != nil {
		t.Errorf("OAuth-installed app read back: %s", rec)
	}
	res := soapCall(t, srv, "63.0", testToken, "", "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")
	var listed *xmltree.Element
	for _, r := range res.body.ChildrenNamed("result") {
		if name, _ := r.ChildText("fullName"); name == "Vendor_Portal" {
			listed = r
		}
	}
	if listed == nil {
		t.Fatal("listMetadata does not list the OAuth-installed app")
	}
	if listed.Child("manageableState") != nil || listed.Child("namespacePrefix") != nil {
		t.Errorf("listMetadata entry has a manageable state or namespace: %s", listed)
	}
	r := updateApps(t, srv, "<fullName>Vendor_Portal</fullName><contactEmail>a@example.com</contactEmail><label>Changed</label>")
	if resultSuccess(r[0]) || resultCodes(r[0])[0] != "INSUFFICIENT_ACCESS" {
		t.Errorf("update of OAuth-installed app: %s", r[0])
	}
}

func TestSOAPTransportChecks(t *testing.T) {
	srv := creatingOrg(t)
	envelope := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader xmlns="http://soap.sforce.com/2006/04/metadata"><sessionId>` +
		testToken + `</sessionId></SessionHeader></soapenv:Header><soapenv:Body><readMetadata xmlns="http://soap.sforce.com/2006/04/metadata"><type>ConnectedApp</type></readMetadata></soapenv:Body></soapenv:Envelope>`
	if res := postSOAP(t, srv, "63.0", envelope, true); res.status != http.StatusOK {
		t.Errorf("well-formed request: HTTP %d\n%s", res.status, res.raw)
	}
	if res := postSOAP(t, srv, "63.0", envelope, false); res.faultCode() != "soapenv:Client" {
		t.Errorf("missing SOAPAction: faultcode %q", res.faultCode())
	}
	wrongNS := strings.Replace(envelope, `<type>`, `<type xmlns="urn:other">`, 1)
	if res := postSOAP(t, srv, "63.0", wrongNS, true); res.faultCode() != "soapenv:Client" {
		t.Errorf("element outside the metadata namespace: faultcode %q", res.faultCode())
	}
	unknownOp := strings.ReplaceAll(envelope, "readMetadata", "describeEverything")
	if res := postSOAP(t, srv, "63.0", unknownOp, true); res.faultCode() != "soapenv:Client" {
		t.Errorf("unknown operation: faultcode %q", res.faultCode())
	}
}

func TestEchoOfLoadedUnknownElement(t *testing.T) {
	srv := creatingOrg(t)
	loaded := `<ConnectedApp><contactEmail>a@example.com</contactEmail><label>Echo</label><oauthConfig><callbackUrl>https://x</callbackUrl>` +
		`<consumerKey>LoadedKey1234</consumerKey><isConsumerKeyOptional>false</isConsumerKeyOptional></oauthConfig></ConnectedApp>`
	if err := srv.Org.LoadConnectedApp("Echo", []byte(loaded), LoadProps{}); err != nil {
		t.Fatal(err)
	}
	echoed := "<fullName>Echo</fullName><contactEmail>a@example.com</contactEmail><label>Echo 2</label><oauthConfig><callbackUrl>https://x</callbackUrl>" +
		"<isConsumerKeyOptional>false</isConsumerKeyOptional></oauthConfig>"
	if r := updateApps(t, srv, echoed); !resultSuccess(r[0]) {
		t.Errorf("writing back a loaded unknown element failed: %s", r[0])
	}
	changed := strings.Replace(echoed, "<isConsumerKeyOptional>false", "<isConsumerKeyOptional>true", 1)
	if res := soapCall(t, srv, "63.0", testToken, "", updateOp(changed)); res.faultCode() != "soapenv:Client" {
		t.Errorf("a changed unknown element was accepted: HTTP %d", res.status)
	}
}

func TestCallCounts(t *testing.T) {
	srv := creatingOrg(t)
	createApps(t, srv, "", basicApp("Counted"))
	readApp(t, srv, "63.0", "Counted")
	readApp(t, srv, "63.0", "Counted")
	calls := srv.Org.Calls()
	if calls["metadata.createMetadata"] != 1 || calls["metadata.readMetadata"] != 2 {
		t.Errorf("calls = %v", calls)
	}
	var served map[string]int
	if status := restGet(t, srv, "", "/_orgsim/calls", &served); status != http.StatusOK || served["metadata.readMetadata"] != 2 {
		t.Errorf("/_orgsim/calls: HTTP %d, %v", status, served)
	}
	srv.Org.ResetCalls()
	if len(srv.Org.Calls()) != 0 {
		t.Errorf("ResetCalls left %v", srv.Org.Calls())
	}
}

func TestStoredValuesWriteBack(t *testing.T) {
	srv := creatingOrg(t)
	loaded := `<ConnectedApp><contactEmail>{USEREMAIL}</contactEmail><label>Template</label><oauthConfig><callbackUrl>https://x</callbackUrl>` +
		`<consumerKey>3MVG9Dotted.Key_1</consumerKey><scopes>ChatbotApi</scopes></oauthConfig></ConnectedApp>`
	if err := srv.Org.LoadConnectedApp("Template", []byte(loaded), LoadProps{}); err != nil {
		t.Fatal(err)
	}
	same := "<fullName>Template</fullName><contactEmail>{USEREMAIL}</contactEmail><label>Template</label><oauthConfig><callbackUrl>https://x</callbackUrl>" +
		"<scopes>ChatbotApi</scopes></oauthConfig>"
	if r := updateApps(t, srv, same); !resultSuccess(r[0]) {
		t.Errorf("writing back stored values failed: %s", r[0])
	}
	changedEmail := strings.Replace(same, "{USEREMAIL}", "{OTHER}", 1)
	if r := updateApps(t, srv, changedEmail); resultSuccess(r[0]) || resultCodes(r[0])[0] != "INVALID_EMAIL_ADDRESS" {
		t.Errorf("a new invalid email was accepted: %s", r[0])
	}
	newScope := strings.Replace(same, "<scopes>ChatbotApi</scopes>", "<scopes>ChatbotApi</scopes><scopes>SfapApi</scopes>", 1)
	if r := updateApps(t, srv, newScope); resultSuccess(r[0]) {
		t.Errorf("a new invalid scope was accepted")
	}
	if err := srv.Org.LoadConnectedApp("No_Email", []byte(`<ConnectedApp><label>No Email</label></ConnectedApp>`), LoadProps{}); err != nil {
		t.Fatal(err)
	}
	if r := updateApps(t, srv, "<fullName>No_Email</fullName><label>Still No Email</label>"); !resultSuccess(r[0]) {
		t.Errorf("an app stored without contactEmail could not be updated without one: %s", r[0])
	}
	if r := createApps(t, srv, "", "<fullName>New_No_Email</fullName><label>X</label>"); resultSuccess(r[0]) {
		t.Errorf("a new app without contactEmail was created")
	}
}

func TestOldVersionUpdateKeepsNewerElements(t *testing.T) {
	srv := creatingOrg(t)
	app := basicApp("Versioned") + "<sessionPolicy><sessionTimeout>60</sessionTimeout></sessionPolicy>"
	app = strings.Replace(app, "<scopes>Api</scopes>", "<isPkceRequired>true</isPkceRequired><scopes>Api</scopes>", 1)
	if r := createApps(t, srv, "", app); !resultSuccess(r[0]) {
		t.Fatalf("create failed: %s", r[0])
	}
	old := "<fullName>Versioned</fullName><contactEmail>ops@example.com</contactEmail><label>Renamed</label>" +
		"<oauthConfig><callbackUrl>https://app.example.com/callback</callbackUrl><scopes>Api</scopes></oauthConfig>"
	res := soapCall(t, srv, "45.0", testToken, "", updateOp(old))
	if r := saveResults(t, res); !resultSuccess(r[0]) {
		t.Fatalf("update at 45.0 failed: %s", r[0])
	}
	rec := readApp(t, srv, "63.0", "Versioned")
	if label, _ := rec.ChildText("label"); label != "Renamed" {
		t.Errorf("label = %q", label)
	}
	if rec.Child("oauthPolicy") == nil || rec.Child("sessionPolicy") == nil {
		t.Errorf("elements newer than 45.0 were cleared: %s", rec)
	}
	if v, _ := rec.Child("oauthConfig").ChildText("isPkceRequired"); v != "true" {
		t.Errorf("isPkceRequired = %q, want the stored true", v)
	}
}
