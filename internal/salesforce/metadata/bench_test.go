package metadata

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// benchAppBody is the body of a connected app as readMetadata returns it:
// OAuth settings with a certificate, policies and both grant lists. %[1]s
// is the app's name.
const benchAppBody = `<contactEmail>integration-owner@example.com</contactEmail>` +
	`<description>Nightly order and invoice synchronisation with the ERP</description>` +
	`<label>%[1]s</label>` +
	`<oauthConfig><callbackUrl>https://erp.example.com/oauth/callback
https://erp-staging.example.com/oauth/callback</callbackUrl>` +
	`<certificate>MIIDdzCCAl+gAwIBAgIEbGVnYWN5MA0GCSqGSIb3DQEBCwUAMGwxEDAOBgNVBAYTB1Vua25vd24xEDAOBgNVBAgTB1Vua25vd24x</certificate>` +
	`<consumerKey>3MVG9BENCHMARK%[1]s000000000000000000000000000000000000000000000000000</consumerKey>` +
	`<isAdminApproved>true</isAdminApproved><isClientCredentialEnabled>false</isClientCredentialEnabled>` +
	`<isCodeCredentialEnabled>false</isCodeCredentialEnabled><isIntrospectAllTokens>false</isIntrospectAllTokens>` +
	`<isPkceRequired>true</isPkceRequired><isRefreshTokenRotationEnabled>false</isRefreshTokenRotationEnabled>` +
	`<isSecretRequiredForRefreshToken>true</isSecretRequiredForRefreshToken>` +
	`<scopes>Api</scopes><scopes>RefreshToken</scopes><scopes>OpenID</scopes></oauthConfig>` +
	`<oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy>` +
	`<permissionSetName>ERP Integration</permissionSetName><permissionSetName>Finance Sync</permissionSetName>` +
	`<profileName>System Administrator</profileName>` +
	`<sessionPolicy><sessionLevel>STANDARD</sessionLevel><sessionTimeout>120</sessionTimeout></sessionPolicy>`

func benchNames() []string {
	names := make([]string, MaxBatch)
	for i := range names {
		names[i] = fmt.Sprintf("ERP_Sync_%02d", i)
	}
	return names
}

// replayDoer returns body for every call, after building the request body
// as the transport would.
type replayDoer struct {
	body []byte
}

func (d *replayDoer) Do(_ context.Context, req *transport.Request) (*transport.Response, error) {
	if req.Body != nil {
		if _, err := req.Body("00Dxx0000000001!benchmark-token"); err != nil {
			return nil, err
		}
	}
	return &transport.Response{Status: http.StatusOK, Body: d.body}, nil
}

func BenchmarkReadDecode10(b *testing.B) {
	var inner strings.Builder
	inner.WriteString("<readMetadataResponse><result>")
	for _, name := range benchNames() {
		inner.WriteString(`<records xsi:type="ConnectedApp"><fullName>` + name + `</fullName>`)
		fmt.Fprintf(&inner, benchAppBody, name)
		inner.WriteString(`</records>`)
	}
	inner.WriteString("</result></readMetadataResponse>")
	c := New(&replayDoer{body: []byte(soapResponse(inner.String()))}, "68.0")
	names := benchNames()
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		records, err := c.Read(ctx, "ConnectedApp", names)
		if err != nil {
			b.Fatal(err)
		}
		if len(records) != MaxBatch || records[MaxBatch-1] == nil {
			b.Fatalf("Read returned %d records", len(records))
		}
	}
}

func BenchmarkUpdateEncode10(b *testing.B) {
	var inner strings.Builder
	inner.WriteString("<updateMetadataResponse>")
	comps := make([]*xmltree.Element, 0, MaxBatch)
	for _, name := range benchNames() {
		inner.WriteString(`<result><fullName>` + name + `</fullName><success>true</success></result>`)
		el, err := xmltree.ParseBytes([]byte(`<ConnectedApp xmlns="` + Namespace + `"><fullName>` + name +
			`</fullName>` + fmt.Sprintf(benchAppBody, name) + `</ConnectedApp>`))
		if err != nil {
			b.Fatal(err)
		}
		comps = append(comps, el)
	}
	inner.WriteString("</updateMetadataResponse>")
	c := New(&replayDoer{body: []byte(soapResponse(inner.String()))}, "68.0")
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		results, err := c.Update(ctx, "ConnectedApp", comps)
		if err != nil {
			b.Fatal(err)
		}
		if len(results) != MaxBatch || !results[0].Success {
			b.Fatalf("Update returned %+v", results)
		}
	}
}

func BenchmarkEncodeComponent(b *testing.B) {
	el, err := xmltree.ParseBytes([]byte(`<ConnectedApp xmlns="` + Namespace + `"><fullName>ERP_Sync</fullName>` +
		fmt.Sprintf(benchAppBody, "ERP_Sync") + `</ConnectedApp>`))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer

	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := el.Encode(&buf, xmltree.EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
