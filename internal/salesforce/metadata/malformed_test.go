package metadata

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "responses", name)) //nolint:gosec // a fixture of this package
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// metadataCalls are the decoders of the Metadata client, each run as one
// call against a fixed response.
var metadataCalls = map[string]func(c *Client) error{
	"readMetadata": func(c *Client) error {
		_, err := c.Read(context.Background(), "ConnectedApp", []string{"Vendor_Sync"})
		return err
	},
	"updateMetadata": func(c *Client) error {
		_, err := c.Update(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("Vendor_Sync")})
		return err
	},
	"createMetadata": func(c *Client) error {
		_, err := c.Create(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("Vendor_Sync")})
		return err
	},
	"deleteMetadata": func(c *Client) error {
		_, err := c.Delete(context.Background(), "ConnectedApp", []string{"Vendor_Sync"})
		return err
	},
	"renameMetadata": func(c *Client) error {
		_, err := c.Rename(context.Background(), "ConnectedApp", "Vendor_Sync", "Vendor_Sync2")
		return err
	},
	"listMetadata": func(c *Client) error {
		_, err := c.List(context.Background(), "ConnectedApp")
		return err
	},
}

func TestMalformedResponsesGiveClearErrors(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        []byte
		want        string
		transient   bool
	}{
		{"empty body", http.StatusOK, "text/xml", nil, "(HTTP 200) is empty instead of a SOAP envelope", true},
		{"blank body", http.StatusOK, "text/xml", []byte(" \r\n\t"), "is empty instead of a SOAP envelope", true},
		{"maintenance page with 200", http.StatusOK, "text/html;charset=UTF-8", readFixture(t, "maintenance.html"),
			`is an HTML page titled "Salesforce - Scheduled Maintenance" instead of a SOAP envelope`, true},
		{"maintenance page without content type", http.StatusOK, "", readFixture(t, "maintenance.html"),
			"is an HTML page", true},
		{"maintenance page with 503", http.StatusServiceUnavailable, "text/html", readFixture(t, "maintenance.html"),
			`HTTP 503 with no SOAP fault in the body, which is an HTML page titled "Salesforce - Scheduled Maintenance"`, true},
		{"bad gateway page", http.StatusBadGateway, "text/html", readFixture(t, "bad-gateway.html"),
			`which is an HTML page titled "502 Bad Gateway"`, true},
		{"empty body with 500", http.StatusInternalServerError, "text/xml", nil,
			"HTTP 500 with no SOAP fault in the body, which is empty", false},
		{"truncated inside the result", http.StatusOK, "text/xml", readFixture(t, "truncated-read.xml"),
			"is truncated or malformed instead of a SOAP envelope: ", true},
		{"truncated inside a save result", http.StatusOK, "text/xml", readFixture(t, "truncated-update.xml"),
			"is truncated or malformed instead of a SOAP envelope", true},
		{"truncated after the result", http.StatusOK, "text/xml", readFixture(t, "truncated-envelope-end.xml"),
			"is truncated or malformed instead of a SOAP envelope", true},
		{"JSON instead of XML", http.StatusOK, "application/json", []byte(`[{"errorCode":"X","message":"y"}]`),
			"is truncated or malformed instead of a SOAP envelope", true},
		{"XML that is no envelope", http.StatusOK, "text/xml", []byte(`<?xml version="1.0"?><result/>`),
			"not a SOAP Envelope", true},
		{"envelope without body", http.StatusOK, "text/xml",
			[]byte(`<soapenv:Envelope xmlns:soapenv="` + envelopeNamespace + `"><soapenv:Header/></soapenv:Envelope>`),
			"no SOAP Body element", true},
		{"empty SOAP body", http.StatusOK, "text/xml",
			[]byte(`<soapenv:Envelope xmlns:soapenv="` + envelopeNamespace + `"><soapenv:Body/></soapenv:Envelope>`),
			"the SOAP Body is empty", true},
	}
	for _, tc := range cases {
		for operation, call := range metadataCalls {
			t.Run(tc.name+"/"+operation, func(t *testing.T) {
				c := newFixedClient(tc.status, tc.contentType, tc.body)
				err := call(c)
				if err == nil {
					t.Fatal("no error")
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not contain %q", err, tc.want)
				}
				if !strings.Contains(err.Error(), operation) {
					t.Errorf("error %q does not name the operation %s", err, operation)
				}
				if got := transport.IsTransient(err); got != tc.transient {
					t.Errorf("IsTransient = %v, want %v", got, tc.transient)
				}
				var fault *Fault
				if errors.As(err, &fault) {
					t.Errorf("a malformed body came back as a SOAP fault: %v", fault)
				}
			})
		}
	}
}

func TestReadWithoutResultIsAnError(t *testing.T) {
	c := newFixedClient(http.StatusOK, "text/xml", []byte(soapResponse("<readMetadataResponse/>")))
	records, err := c.Read(context.Background(), "ConnectedApp", []string{"Vendor_Sync"})
	if err == nil {
		t.Fatalf("no error; records %v would read as a missing component", records)
	}
	if !strings.Contains(err.Error(), "no <result> element") {
		t.Errorf("error %q does not name the missing result", err)
	}
}

func TestListResultWithoutFullNameIsAnError(t *testing.T) {
	c := newFixedClient(http.StatusOK, "text/xml",
		[]byte(soapResponse("<listMetadataResponse><result><type>ConnectedApp</type></result></listMetadataResponse>")))
	if _, err := c.List(context.Background(), "ConnectedApp"); err == nil || !strings.Contains(err.Error(), "no fullName") {
		t.Errorf("error = %v, want one about the missing fullName", err)
	}
}

func TestFaultInTruncatedEnvelopeIsKept(t *testing.T) {
	body := readFixture(t, "fault-server-unavailable.xml")
	cut := body[:strings.Index(string(body), "</soapenv:Body>")]
	_, fault, err := parseEnvelope(cut)
	if err != nil || fault == nil {
		t.Fatalf("fault %v, error %v: want the fault", fault, err)
	}
	if fault.Code != "SERVER_UNAVAILABLE" || !fault.Transient() {
		t.Errorf("fault = %+v, want a transient SERVER_UNAVAILABLE", fault)
	}
}

func TestDeeplyNestedResponseIsAnError(t *testing.T) {
	inner := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)
	c := newFixedClient(http.StatusOK, "text/xml", []byte(soapResponse("<readMetadataResponse><result><records>"+
		inner+"</records></result></readMetadataResponse>")))
	_, err := c.Read(context.Background(), "ConnectedApp", []string{"Vendor_Sync"})
	if err == nil || !strings.Contains(err.Error(), "nest deeper than") {
		t.Errorf("error = %v, want the nesting limit", err)
	}
}

func TestFixturesDecode(t *testing.T) {
	ctx := context.Background()

	c := newFixedClient(http.StatusOK, "text/xml", readFixture(t, "read-two-one-missing.xml"))
	records, err := c.Read(ctx, "ConnectedApp", []string{"Vendor_Sync", "Missing_App"})
	if err != nil {
		t.Fatal(err)
	}
	if records[0] == nil || records[1] != nil {
		t.Errorf("records = %v, want Vendor_Sync and a nil slot", records)
	}

	c = newFixedClient(http.StatusOK, "text/xml", readFixture(t, "update-lock-error.xml"))
	results, err := c.Update(ctx, "ConnectedApp", []*xmltree.Element{testApp("Vendor_Sync"), testApp("Billing_Bridge")})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Success || results[0].Errors[0].StatusCode != "UNABLE_TO_LOCK_ROW" {
		t.Errorf("first result = %+v, want UNABLE_TO_LOCK_ROW", results[0])
	}

	c = newFixedClient(http.StatusOK, "text/xml", readFixture(t, "delete-not-found.xml"))
	deleted, err := c.Delete(ctx, "ConnectedApp", []string{"Vendor_Sync", "Billing_Bridge"})
	if err != nil {
		t.Fatal(err)
	}
	if !IsNotFound(deleted[0].Err()) || deleted[1].Err() != nil {
		t.Errorf("delete results = %+v, want not found and success", deleted)
	}

	c = newFixedClient(http.StatusOK, "text/xml", readFixture(t, "list-connected-apps.xml"))
	props, err := c.List(ctx, "ConnectedApp")
	if err != nil {
		t.Fatal(err)
	}
	if len(props) != 2 || props[1].NamespacePrefix != "vendor" || props[0].ID != "0H4Hs000000XyZaKAK" {
		t.Errorf("list = %+v", props)
	}

	for name, code := range map[string]string{
		"fault-invalid-session.xml":     "INVALID_SESSION_ID",
		"fault-server-unavailable.xml":  "SERVER_UNAVAILABLE",
		"fault-concurrent-requests.xml": "REQUEST_LIMIT_EXCEEDED",
		"fault-invalid-type.xml":        "INVALID_TYPE",
	} {
		c = newFixedClient(http.StatusInternalServerError, "text/xml", readFixture(t, name))
		_, err := c.List(ctx, "ConnectedApp")
		var fault *Fault
		if !errors.As(err, &fault) || fault.Code != code {
			t.Errorf("%s: error %v, want a fault with code %s", name, err, code)
		}
	}
}
