package connectedapp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
	"github.com/connectedapps/terraform-provider-salesforce/internal/testcorpus"
)

func parse(t *testing.T, doc string) *App {
	t.Helper()
	el, err := xmltree.ParseBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return FromElement(el)
}

func childNames(el *xmltree.Element) string {
	var names []string
	for _, c := range el.Children {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

func TestSettersInsertInSchemaOrder(t *testing.T) {
	app := parse(t, `<ConnectedApp><contactEmail>a@example.com</contactEmail><label>L</label><startUrl>/x</startUrl></ConnectedApp>`)
	app.SetOAuthPolicy(IPRelaxationEnforce, RefreshTokenPolicy{Kind: RefreshTokenInfinite})
	app.SetDescription(ptr("d"))
	app.SetSessionPolicy(true, PolicyActionRaiseLevel, nil)
	app.SetProfiles([]string{"System Administrator"})

	want := "contactEmail,description,label,oauthPolicy,profileName,sessionPolicy,startUrl"
	if got := childNames(app.Element()); got != want {
		t.Errorf("children %s, want %s", got, want)
	}
	if got := childNames(app.Element().Child("sessionPolicy")); got != "policyAction,sessionLevel" {
		t.Errorf("sessionPolicy children %s", got)
	}
}

func TestSetScopesKeepsOrgForm(t *testing.T) {
	app := parse(t, `<ConnectedApp><oauthConfig><callbackUrl>x</callbackUrl><scopes>Api</scopes><scopes>Basic</scopes></oauthConfig></ConnectedApp>`)
	before := app.Clone()
	app.SetScopes([]string{"Email", "Api"})
	if !app.Equal(before) {
		t.Errorf("equal scopes rewrote the list: %s", app.Element())
	}
	app.SetScopes([]string{"RefreshToken", "Api"})
	if got := app.Scopes(); fmt.Sprint(got) != "[Api RefreshToken]" {
		t.Errorf("scopes %v, want [Api RefreshToken] in enum order", got)
	}
}

func TestCallbackURLsKeepCRLF(t *testing.T) {
	app := parse(t, "<ConnectedApp><oauthConfig><callbackUrl>https://a/cb&#13;\nhttps://b/cb</callbackUrl></oauthConfig></ConnectedApp>")
	if got := app.CallbackURLs(); fmt.Sprint(got) != "[https://a/cb https://b/cb]" {
		t.Fatalf("callback URLs %v", got)
	}
	app.SetCallbackURLs([]string{"https://a/cb", "https://b/cb"})
	if text, _ := app.Element().Child("oauthConfig").ChildText("callbackUrl"); text != "https://a/cb\r\nhttps://b/cb" {
		t.Errorf("equal URLs rewrote the org's text to %q", text)
	}
	app.SetCallbackURLs([]string{"https://b/cb", "https://a/cb"})
	if text, _ := app.Element().Child("oauthConfig").ChildText("callbackUrl"); text != "https://b/cb\nhttps://a/cb" {
		t.Errorf("reordered URLs written as %q", text)
	}
}

func TestCertificateComparedWithoutArmour(t *testing.T) {
	app := parse(t, `<ConnectedApp><oauthConfig><callbackUrl>x</callbackUrl><certificate>MIIBODY==</certificate></oauthConfig></ConnectedApp>`)
	before := app.Clone()
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\nODY==\n-----END CERTIFICATE-----\n"
	app.SetCertificate(&pem)
	if !app.Equal(before) {
		t.Errorf("equal certificate rewrote the element: %s", app.Element())
	}
}

func TestParseRefreshTokenPolicy(t *testing.T) {
	valid := map[string]RefreshTokenPolicy{
		"infinite":                    {Kind: "infinite"},
		"zero":                        {Kind: "zero"},
		"specific_lifetime:3:HOURS":   {Kind: "specific_lifetime", Period: 3, Unit: "HOURS"},
		"specific_inactivity:7:DAYS":  {Kind: "specific_inactivity", Period: 7, Unit: "DAYS"},
		"specific_lifetime:12:MONTHS": {Kind: "specific_lifetime", Period: 12, Unit: "MONTHS"},
	}
	for in, want := range valid {
		got, err := ParseRefreshTokenPolicy(in)
		if err != nil || got != want {
			t.Errorf("ParseRefreshTokenPolicy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("String() = %q, want %q", got.String(), in)
		}
	}
	for _, in := range []string{"", "forever", "specific_lifetime:0:DAYS", "specific_lifetime:3:WEEKS", "specific_lifetime:x:DAYS"} {
		if _, err := ParseRefreshTokenPolicy(in); err == nil {
			t.Errorf("ParseRefreshTokenPolicy(%q) gave no error", in)
		}
	}
}

func TestDefaultsWhenAbsent(t *testing.T) {
	app := parse(t, `<ConnectedApp><oauthConfig><callbackUrl>x</callbackUrl></oauthConfig></ConnectedApp>`)
	if app.IsAdminApproved() {
		t.Error("absent isAdminApproved read as true")
	}
	if app.IPRelaxation() != IPRelaxationEnforce {
		t.Errorf("absent ipRelaxation read as %s", app.IPRelaxation())
	}
	if p, _ := app.RefreshTokenPolicy(); p.Kind != RefreshTokenInfinite {
		t.Errorf("absent refreshTokenPolicy read as %v", p)
	}
	before := app.Clone()
	app.SetAdminApproved(false)
	app.SetSessionPolicy(false, "", nil)
	if !app.Equal(before) {
		t.Errorf("setting defaults added elements: %s", app.Element())
	}
}

func TestEmptyGrantListWritesOneEmptyElement(t *testing.T) {
	app := parse(t, `<ConnectedApp><label>L</label><profileName>A</profileName><profileName>B</profileName></ConnectedApp>`)
	app.SetProfiles(nil)
	els := app.Element().ChildrenNamed("profileName")
	if len(els) != 1 || els[0].Text != "" {
		t.Errorf("profileName elements %v, want one empty element", els)
	}
	if len(app.Profiles()) != 0 {
		t.Errorf("Profiles() = %v after clearing", app.Profiles())
	}
}

// TestPolicyEditKeepsOtherElements applies a policy to every corpus app with
// OAuth settings and checks that no element outside the policy's changed.
func TestPolicyEditKeepsOtherElements(t *testing.T) {
	for _, f := range testcorpus.Files(t) {
		t.Run(f.Name, func(t *testing.T) {
			el, err := xmltree.ParseBytes(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			app := FromElement(el)
			if !app.HasOAuth() {
				t.Skip("no OAuth settings")
			}
			before := app.Clone()
			timeout := 60
			app.SetAdminApproved(true)
			app.SetOAuthPolicy(IPRelaxationEnforce, RefreshTokenPolicy{Kind: RefreshTokenSpecificInactivity, Period: 30, Unit: "DAYS"})
			app.SetSessionPolicy(true, PolicyActionRaiseLevel, &timeout)

			strip := func(a *App) *xmltree.Element {
				e := a.Element().Clone()
				e.RemoveChildren("oauthPolicy")
				e.RemoveChildren("sessionPolicy")
				e.Child("oauthConfig").RemoveChildren("isAdminApproved")
				return e
			}
			if !xmltree.Equal(strip(before), strip(app)) {
				t.Errorf("elements outside the policy changed:\nbefore %s\nafter  %s", strip(before), strip(app))
			}
			if !app.IsAdminApproved() || !app.HighAssuranceRequired() || app.IPRelaxation() != IPRelaxationEnforce {
				t.Errorf("policy not applied: %s", app.Element())
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestForUpdateSortsAndDropsIdentity(t *testing.T) {
	app := parse(t, `<ConnectedApp><label>L</label><futureTop>1</futureTop><contactEmail>a@example.com</contactEmail>`+
		`<oauthConfig><scopes>Api</scopes><consumerKey>3MVG9.a_b</consumerKey><callbackUrl>x</callbackUrl><consumerSecret>s</consumerSecret></oauthConfig>`+
		`<ipRanges><start>1</start><end>2</end></ipRanges></ConnectedApp>`)
	out := app.ForUpdate()
	if got := childNames(out.Element()); got != "contactEmail,ipRanges,label,futureTop,oauthConfig" {
		t.Errorf("children %s", got)
	}
	if got := childNames(out.Element().Child("oauthConfig")); got != "callbackUrl,scopes" {
		t.Errorf("oauthConfig children %s", got)
	}
	if got := childNames(out.Element().Child("ipRanges")); got != "end,start" {
		t.Errorf("ipRanges children %s", got)
	}
	if app.ConsumerKey() != "3MVG9.a_b" {
		t.Error("ForUpdate changed the original")
	}
}
