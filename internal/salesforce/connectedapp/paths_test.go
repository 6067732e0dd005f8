package connectedapp

import (
	"fmt"
	"strings"
	"testing"
)

const nilNamespace = `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`

func TestTextTrimmedValueKeepsOrgText(t *testing.T) {
	app := parse(t, `<ConnectedApp><label>  Orders  </label></ConnectedApp>`)
	before := app.Clone()
	app.SetText("label", ptr("Orders"))
	if !app.Equal(before) {
		t.Errorf("a value equal once trimmed rewrote the element: %s", app.Element())
	}
	app.SetText("label", ptr("Orders v2"))
	if got, _ := app.Text("label"); got != "Orders v2" {
		t.Errorf("label = %q, want the new value", got)
	}
}

func TestTextNilRemovesOnlyAValue(t *testing.T) {
	app := parse(t, `<ConnectedApp `+nilNamespace+`><contactEmail xsi:nil="true"/><description>d</description><infoUrl>  </infoUrl></ConnectedApp>`)
	for _, path := range []string{"contactEmail", "infoUrl"} {
		if _, ok := app.Text(path); ok {
			t.Errorf("%s reads as a value", path)
		}
	}
	before := app.Clone()
	app.SetText("contactEmail", nil)
	app.SetText("infoUrl", nil)
	if !app.Equal(before) {
		t.Errorf("nil removed an element that holds no value: %s", app.Element())
	}
	app.SetText("description", nil)
	if app.Element().Child("description") != nil {
		t.Errorf("nil kept an element with a value: %s", app.Element())
	}
}

func TestSetTextCreatesParentsInSchemaOrder(t *testing.T) {
	app := parse(t, `<ConnectedApp><contactEmail>a@example.com</contactEmail><label>L</label><startUrl>/s</startUrl></ConnectedApp>`)
	app.SetText("samlConfig.samlSubjectType", ptr("Username"))
	app.SetText("samlConfig.acsUrl", ptr("https://sp.example.com/acs"))
	app.SetText("contactPhone", ptr("555-0100"))
	if got := childNames(app.Element()); got != "contactEmail,contactPhone,label,samlConfig,startUrl" {
		t.Errorf("children %s", got)
	}
	if got := childNames(app.Element().Child("samlConfig")); got != "acsUrl,samlSubjectType" {
		t.Errorf("samlConfig children %s", got)
	}
	before := app.Clone()
	app.SetText("canvasConfig.canvasUrl", nil)
	if !app.Equal(before) {
		t.Errorf("removing a leaf of a missing block created it: %s", app.Element())
	}
}

func TestBoolAbsentMeansDefault(t *testing.T) {
	app := parse(t, `<ConnectedApp `+nilNamespace+`><oauthConfig><callbackUrl>x</callbackUrl>`+
		`<isConsumerSecretOptional>yes</isConsumerSecretOptional><isIntrospectAllTokens>false</isIntrospectAllTokens>`+
		`<isPkceRequired xsi:nil="true"/></oauthConfig></ConnectedApp>`)
	cases := []struct {
		path string
		def  bool
		want bool
	}{
		{"oauthConfig.isSecretRequiredForRefreshToken", true, true}, // absent
		{"oauthConfig.isTokenExchangeEnabled", false, false},        // absent
		{"oauthConfig.isPkceRequired", false, false},                // xsi:nil
		{"oauthConfig.isConsumerSecretOptional", false, false},      // not a boolean
		{"oauthConfig.isIntrospectAllTokens", true, false},          // present
	}
	for _, c := range cases {
		if got := app.Bool(c.path, c.def); got != c.want {
			t.Errorf("Bool(%s, %t) = %t, want %t", c.path, c.def, got, c.want)
		}
	}

	before := app.Clone()
	for _, c := range cases {
		app.SetBool(c.path, c.want, c.def)
	}
	if !app.Equal(before) {
		t.Errorf("writing back the values read changed the component: %s", app.Element())
	}

	app.SetBool("oauthConfig.isSecretRequiredForRefreshToken", false, true)
	app.SetBool("oauthConfig.isIntrospectAllTokens", true, false)
	if got, _ := app.Text("oauthConfig.isSecretRequiredForRefreshToken"); got != "false" {
		t.Errorf("a value other than the default was not written: %q", got)
	}
	if got, _ := app.Text("oauthConfig.isIntrospectAllTokens"); got != "true" {
		t.Errorf("isIntrospectAllTokens = %q, want true", got)
	}
	if got := childNames(app.Element().Child("oauthConfig")); got !=
		"callbackUrl,isConsumerSecretOptional,isIntrospectAllTokens,isPkceRequired,isSecretRequiredForRefreshToken" {
		t.Errorf("oauthConfig children %s", got)
	}
}

func TestSetRequiredBoolWritesDefault(t *testing.T) {
	app := parse(t, `<ConnectedApp><oauthConfig><callbackUrl>x</callbackUrl></oauthConfig></ConnectedApp>`)
	app.SetRequiredBool("oauthConfig.assetTokenConfig.assetIncludeAttributes", false, false)
	if got, ok := app.Text("oauthConfig.assetTokenConfig.assetIncludeAttributes"); !ok || got != "false" {
		t.Errorf("required boolean = %q (present %t), want false written", got, ok)
	}
	before := app.Clone()
	app.SetRequiredBool("oauthConfig.assetTokenConfig.assetIncludeAttributes", false, false)
	if !app.Equal(before) {
		t.Errorf("an equal value rewrote the element: %s", app.Element())
	}
}

func TestIntKeepsOrgForm(t *testing.T) {
	app := parse(t, `<ConnectedApp><oauthConfig><callbackUrl>x</callbackUrl><idTokenConfig>`+
		`<idTokenValidity> 02 </idTokenValidity></idTokenConfig></oauthConfig>`+
		`<mobileAppConfig><applicationFileLength>big</applicationFileLength></mobileAppConfig></ConnectedApp>`)
	if n, ok := app.Int("oauthConfig.idTokenConfig.idTokenValidity"); !ok || n != 2 {
		t.Fatalf("Int = %d, %t; want 2", n, ok)
	}
	if _, ok := app.Int("mobileAppConfig.applicationFileLength"); ok {
		t.Error("a value that is not an integer reads as one")
	}
	before := app.Clone()
	two := int64(2)
	app.SetInt("oauthConfig.idTokenConfig.idTokenValidity", &two)
	app.SetInt("mobileAppConfig.applicationFileLength", nil)
	if !app.Equal(before) {
		t.Errorf("writing back the values read changed the component: %s", app.Element())
	}
	five := int64(5)
	app.SetInt("oauthConfig.idTokenConfig.idTokenValidity", &five)
	if got, _ := app.Text("oauthConfig.idTokenConfig.idTokenValidity"); got != "5" {
		t.Errorf("idTokenValidity = %q, want 5", got)
	}
	app.SetInt("oauthConfig.idTokenConfig.idTokenValidity", nil)
	if app.HasBlock("oauthConfig.idTokenConfig.idTokenValidity") {
		t.Error("nil kept an integer")
	}
}

func TestTextSetComparedAsSet(t *testing.T) {
	app := parse(t, `<ConnectedApp><canvasConfig><accessMethod>Post</accessMethod><canvasUrl>u</canvasUrl>`+
		`<locations>PageLayout</locations><locations>Visualforce</locations><samlInitiationMethod>None</samlInitiationMethod>`+
		`</canvasConfig></ConnectedApp>`)
	before := app.Clone()
	app.SetTextSet("canvasConfig.locations", []string{"Visualforce", "PageLayout", " PageLayout "}, CanvasLocations)
	if !app.Equal(before) {
		t.Errorf("the same set in another order rewrote the list: %s", app.Element())
	}
	app.SetTextSet("canvasConfig.locations", []string{"PageLayout", "Aura", "Chatter"}, CanvasLocations)
	if got := app.Texts("canvasConfig.locations"); fmt.Sprint(got) != "[Chatter Aura PageLayout]" {
		t.Errorf("locations = %v, want enumeration order", got)
	}
	if got := childNames(app.Element().Child("canvasConfig")); got != "accessMethod,canvasUrl,locations,locations,locations,samlInitiationMethod" {
		t.Errorf("canvasConfig children %s", got)
	}
	app.SetTextSet("canvasConfig.options", []string{"HideHeader"}, CanvasOptions)
	if got := childNames(app.Element().Child("canvasConfig")); !strings.Contains(got, "locations,options,samlInitiationMethod") {
		t.Errorf("options not at its schema position: %s", got)
	}
	app.SetTextSet("canvasConfig.locations", nil, CanvasLocations)
	if len(app.Texts("canvasConfig.locations")) != 0 {
		t.Error("an empty set kept locations")
	}
}

func TestBlocks(t *testing.T) {
	app := parse(t, `<ConnectedApp `+nilNamespace+`><label>L</label><samlConfig xsi:nil="true"/></ConnectedApp>`)
	if app.HasBlock("samlConfig") {
		t.Error("an xsi:nil block reads as present")
	}
	before := app.Clone()
	app.RemoveBlock("samlConfig")
	app.RemoveBlock("canvasConfig")
	if !app.Equal(before) {
		t.Errorf("removing blocks that hold nothing changed the component: %s", app.Element())
	}
	app.EnsureBlock("oauthConfig.idTokenConfig")
	if !app.HasBlock("oauthConfig.idTokenConfig") {
		t.Error("EnsureBlock did not create the block")
	}
	app.EnsureBlock("samlConfig")
	if !app.HasBlock("samlConfig") || app.Element().Child("samlConfig").Nil {
		t.Error("EnsureBlock kept the nil marker")
	}
	app.RemoveBlock("oauthConfig")
	if app.HasBlock("oauthConfig") {
		t.Error("RemoveBlock kept a block")
	}
}

func TestCustomAttributes(t *testing.T) {
	app := parse(t, `<ConnectedApp><attributes><formula>$User.Id</formula><key>user</key></attributes>`+
		`<attributes><formula>$User.Username</formula><key>user</key></attributes>`+
		`<attributes><formula>"orphan"</formula><key></key></attributes>`+
		`<attributes><formula>  $UserRole.Name  </formula><key>role</key></attributes>`+
		`<contactEmail>a@example.com</contactEmail><label>L</label></ConnectedApp>`)
	got := app.CustomAttributes()
	if len(got) != 2 || got["user"] != "$User.Id" || got["role"] != "  $UserRole.Name  " {
		t.Fatalf("CustomAttributes = %v", got)
	}

	before := app.Clone()
	app.SetCustomAttributes(map[string]string{"user": "$User.Id", "role": "$UserRole.Name"})
	if !app.Equal(before) {
		t.Errorf("equal attributes rewrote the component: %s", app.Element())
	}

	app.SetCustomAttributes(map[string]string{"role": "$UserRole.Name", "email": "$User.Email", "alias": "$User.Alias"})
	var keys []string
	for _, el := range app.Element().ChildrenNamed("attributes") {
		k, _ := el.ChildText("key")
		keys = append(keys, k)
	}
	if strings.Join(keys, ",") != ",role,alias,email" {
		t.Errorf("attribute keys in order %q, want the keyless entry and role kept, then new keys sorted", strings.Join(keys, ","))
	}
	if f, _ := app.Element().ChildrenNamed("attributes")[1].ChildText("formula"); f != "  $UserRole.Name  " {
		t.Errorf("an unchanged formula was rewritten to %q", f)
	}
	if got := childNames(app.Element()); !strings.HasPrefix(got, "attributes,attributes,attributes,attributes,contactEmail") {
		t.Errorf("children %s", got)
	}

	empty := parse(t, `<ConnectedApp><contactEmail>a@example.com</contactEmail><label>L</label></ConnectedApp>`)
	empty.SetCustomAttributes(map[string]string{"k": "f"})
	if got := childNames(empty.Element()); got != "attributes,contactEmail,label" {
		t.Errorf("first attribute not at its schema position: %s", got)
	}
	if got := childNames(empty.Element().Child("attributes")); got != "formula,key" {
		t.Errorf("attribute children %s", got)
	}
}

func TestSinceInheritsBlockVersion(t *testing.T) {
	cases := map[string]float64{
		"label":                      29,
		"oauthConfig.isPkceRequired": 59,
		"oauthConfig.idTokenConfig.idTokenValidity":   43,
		"oauthConfig.assetTokenConfig.assetAudiences": 49,
		"samlConfig.samlSigningAlgoType":              50,
		"oauthPolicy.ipRelaxation":                    49,
	}
	for path, want := range cases {
		if got := Since(path); got != want {
			t.Errorf("Since(%s) = %.1f, want %.1f", path, got, want)
		}
	}
}

func TestScopeSince(t *testing.T) {
	cases := []struct {
		scope      string
		since      float64
		documented bool
	}{
		{"Api", 29, true},
		{"Profile", 29, true},
		{"Lightning", 51, true},
		{"PwdlessLogin", 59, true},
		{"SFAP", 60, false},
		{"MCP", 64, false},
	}
	for _, c := range cases {
		since, documented := ScopeSince(c.scope)
		if since != c.since || documented != c.documented {
			t.Errorf("ScopeSince(%s) = %.1f, %t; want %.1f, %t", c.scope, since, documented, c.since, c.documented)
		}
	}
}

func TestScopesDifferentSetRewritten(t *testing.T) {
	app := parse(t, `<ConnectedApp><oauthConfig><callbackUrl>x</callbackUrl><scopes>Api</scopes><scopes>Custom1</scopes><scopes>Custom2</scopes></oauthConfig></ConnectedApp>`)
	before := app.Clone()
	app.SetScopes([]string{"Custom2", "Api", "Custom1"})
	if !app.Equal(before) {
		t.Errorf("the same scopes with unknown ones in another order rewrote the list: %s", app.Element())
	}
	app.SetScopes([]string{"Api", "OfflineAccess"})
	if got := NormalizeScopes(app.Scopes()); fmt.Sprint(got) != "[Api RefreshToken]" {
		t.Errorf("scopes %v, want [Api RefreshToken]", got)
	}
}

func TestCertificateChangeRewritten(t *testing.T) {
	app := parse(t, `<ConnectedApp><oauthConfig><callbackUrl>x</callbackUrl><certificate>MIIBODY==</certificate></oauthConfig></ConnectedApp>`)
	other := "-----BEGIN CERTIFICATE-----\nMIIOTHER==\n-----END CERTIFICATE-----\n"
	app.SetCertificate(&other)
	if got, _ := app.Certificate(); got != other {
		t.Errorf("certificate = %q, want the new PEM", got)
	}
	if NormalizeCertificate(" -----BEGIN CERTIFICATE-----\r\nMI IB\r\n\tODY==\r\n-----END CERTIFICATE----- ") != "MIIBODY==" {
		t.Error("armour, CRLF, tabs and spaces were not ignored")
	}
}

func TestSplitCallbackURLs(t *testing.T) {
	cases := map[string]string{
		"https://a/cb":                         "[https://a/cb]",
		"https://a/cb\r\nhttps://b/cb":         "[https://a/cb https://b/cb]",
		"https://b/cb\nhttps://a/cb\n\n":       "[https://b/cb https://a/cb]",
		"  https://a/cb  \r\n  \r\nmyapp://cb": "[https://a/cb myapp://cb]",
		"":                                     "[]",
	}
	for in, want := range cases {
		if got := fmt.Sprint(SplitCallbackURLs(in)); got != want {
			t.Errorf("SplitCallbackURLs(%q) = %s, want %s", in, got, want)
		}
	}
}
