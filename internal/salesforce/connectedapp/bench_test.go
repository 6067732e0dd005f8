package connectedapp

import (
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// benchScopes is a scope list as users write it: aliases, a duplicate and
// the order of the configuration rather than the order reads return.
var benchScopes = []string{
	"RefreshToken", "Api", "Profile", "Email", "OfflineAccess", "Web", "OpenID", "CustomPermissions",
	"Chatter", "Api", "Lightning", "Content",
}

func BenchmarkNormalizeScopes(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if got := NormalizeScopes(benchScopes); len(got) != 9 {
			b.Fatalf("NormalizeScopes returned %d scopes", len(got))
		}
	}
}

func BenchmarkNormalizeCertificate(b *testing.B) {
	body := strings.Repeat("MIIDdzCCAl+gAwIBAgIEbGVnYWN5MA0GCSqGSIb3DQEBCwUAMGwxEDAOBgNVBAYTB1Vua25v", 16)
	var pem strings.Builder
	pem.WriteString("-----BEGIN CERTIFICATE-----\n")
	for len(body) > 64 {
		pem.WriteString(body[:64] + "\n")
		body = body[64:]
	}
	pem.WriteString(body + "\n-----END CERTIFICATE-----\n")
	cert := pem.String()

	b.ReportAllocs()
	for b.Loop() {
		if NormalizeCertificate(cert) == "" {
			b.Fatal("NormalizeCertificate returned nothing")
		}
	}
}

func BenchmarkSplitCallbackURLs(b *testing.B) {
	text := "https://erp.example.com/oauth/callback\r\nhttps://erp-staging.example.com/oauth/callback\r\n" +
		"  https://localhost:8443/callback  \r\n\r\nhttps://erp-dev.example.com/oauth/callback"

	b.ReportAllocs()
	for b.Loop() {
		if got := SplitCallbackURLs(text); len(got) != 4 {
			b.Fatalf("SplitCallbackURLs returned %d URLs", len(got))
		}
	}
}

// BenchmarkForUpdate measures the copy in schema order that every update
// sends, for an app whose elements arrive out of order.
func BenchmarkForUpdate(b *testing.B) {
	el, err := xmltree.ParseBytes([]byte(`<ConnectedApp><sessionPolicy><sessionTimeout>120</sessionTimeout>` +
		`<sessionLevel>STANDARD</sessionLevel></sessionPolicy><profileName>System Administrator</profileName>` +
		`<oauthPolicy><refreshTokenPolicy>infinite</refreshTokenPolicy><ipRelaxation>ENFORCE</ipRelaxation></oauthPolicy>` +
		`<oauthConfig><scopes>Api</scopes><scopes>RefreshToken</scopes><isAdminApproved>true</isAdminApproved>` +
		`<consumerKey>3MVG9BENCHMARK</consumerKey><callbackUrl>https://erp.example.com/oauth/callback</callbackUrl>` +
		`</oauthConfig><label>ERP Sync</label><fullName>ERP_Sync</fullName>` +
		`<description>Nightly order synchronisation</description><contactEmail>owner@example.com</contactEmail>` +
		`</ConnectedApp>`))
	if err != nil {
		b.Fatal(err)
	}
	app := FromElement(el)

	b.ReportAllocs()
	for b.Loop() {
		if got := app.ForUpdate(); got.FullName() != "ERP_Sync" {
			b.Fatalf("ForUpdate FullName = %q", got.FullName())
		}
	}
}
