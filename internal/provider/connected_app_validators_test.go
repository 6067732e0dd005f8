package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// outcome is what a validator reports for one value.
type outcome int

const (
	passes outcome = iota
	warns
	fails
)

func (o outcome) String() string {
	return [...]string{"passes", "warns", "fails"}[o]
}

func runStringValidator(v validator.String, value string) outcome {
	req := validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue(value)}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), req, &resp)
	switch {
	case resp.Diagnostics.HasError():
		return fails
	case resp.Diagnostics.WarningsCount() > 0:
		return warns
	}
	return passes
}

func checkValidator(t *testing.T, name string, v validator.String, cases map[string]outcome) {
	t.Helper()
	for value, want := range cases {
		if got := runStringValidator(v, value); got != want {
			t.Errorf("%s(%q) %s, want it to be %s", name, value, got, want)
		}
	}
}

func TestAPINameRule(t *testing.T) {
	checkValidator(t, "apiName", apiName(), map[string]outcome{
		"My_App":                         passes,
		"A":                              passes,
		"App2_Sync3":                     passes,
		"vendor__Connector":              passes,
		"ns_1__My_App":                   passes,
		strings.Repeat("a", 80):          passes,
		strings.Repeat("a", 81):          fails,
		"":                               fails,
		"1App":                           fails,
		"_App":                           fails,
		"App_":                           fails,
		"My__App__Two":                   fails,
		"__App":                          fails,
		"ns__":                           fails,
		"My App":                         fails,
		"My-App":                         fails,
		"Ünïcode":                        fails,
		"ns__" + strings.Repeat("a", 77): fails,
	})
}

func TestEmailRule(t *testing.T) {
	checkValidator(t, "emailAddress", emailAddress(), map[string]outcome{
		"admin@example.com":              passes,
		"first.last+tag@sub.example.org": passes,
		"{USEREMAIL}":                    fails,
		"admin":                          fails,
		"admin@localhost":                fails,
		"Admin <admin@example.com>":      fails,
		"a@example.com, b@example.com":   fails,
		"admin@@example.com":             fails,
	})
}

func TestURLRules(t *testing.T) {
	checkValidator(t, "absoluteURL", absoluteURL(urlRules{}), map[string]outcome{
		"https://www.example.com/info": passes,
		"http://localhost:8080/x":      passes,
		"www.example.com":              warns,
		"/relative/path":               warns,
		"tableau://":                   warns,
	})
	checkValidator(t, "logo URL", absoluteURL(urlRules{httpsOnly: true, reject: true}), map[string]outcome{
		"https://static.example.com/logo.png":                                        passes,
		"https://c.na3.content.force.com/servlet/servlet.ImageServer?id=015&oid=00D": passes,
		"http://static.example.com/logo.png":                                         fails,
		"logo.png":                                                                   fails,
	})
	checkValidator(t, "callbackURL", callbackURL(), map[string]outcome{
		"https://app.example.com/oauth/callback": passes,
		"http://localhost:1717/OauthRedirect":    passes,
		"https://*.azure.com":                    passes,
		"mymobileapp://callback":                 passes,
		"sfdc://success":                         passes,
		"urn:ietf:wg:oauth:2.0:oob":              passes,
		"https://localhost//":                    passes,
		"https://a.example.com/cb https://b":     fails,
		"https://a.example.com/cb\nhttps://b":    fails,
		"/oauth/callback":                        fails,
		"https:///path":                          fails,
		"https://{HEROKUINSTANCE}.herokuapp.com": fails,
	})
}

func TestCertificateRule(t *testing.T) {
	pemCert := testCertificatePEM(t)
	body := strings.Join(strings.Split(strings.TrimSpace(pemCert), "\n")[1:strings.Count(strings.TrimSpace(pemCert), "\n")], "")
	checkValidator(t, "certificateValue", certificateValue(), map[string]outcome{
		pemCert: passes,
		body:    passes,
		"MIICFAKECERTIFICATEPLACEHOLDERNOTAREALKEYAAAAAAAAAAAAAAAAAAAAA==": warns,
		"{CERTIFICATE}":     fails,
		"not a certificate": fails,
	})
}

func TestOtherStringRules(t *testing.T) {
	checkValidator(t, "notBlank", notBlank(), map[string]outcome{
		"x":   passes,
		" x ": passes,
		"":    fails,
		"  ":  fails,
	})
	checkValidator(t, "noSurroundingSpace", noSurroundingSpace(), map[string]outcome{
		"email":                 passes,
		"https://aws/SAML/Role": passes,
		" email":                fails,
		"email\t":               fails,
		"":                      fails,
	})
	checkValidator(t, "base64Value", base64Value(), map[string]outcome{
		"UEsDBBQAAAAIAA==":   passes,
		"UEsDBB\nQAAAAIAA==": passes,
		"not base64!":        fails,
	})
}

func TestValidatorsSkipUnknownAndNull(t *testing.T) {
	for _, value := range []types.String{types.StringNull(), types.StringUnknown()} {
		var resp validator.StringResponse
		emailAddress().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("a"), ConfigValue: value}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%s value rejected: %v", value, resp.Diagnostics)
		}
	}
}

// testCertificatePEM returns a self-signed certificate in PEM form.
func testCertificatePEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "terraform-provider-salesforce test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
