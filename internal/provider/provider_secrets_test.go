package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

func TestPrivateKeyFileHoldingKeyIsNotEchoed(t *testing.T) {
	key := newJWTFixture(t).keyPEM
	m := providerModel{
		ClientID:       types.StringValue("3MVG9KEYFILE"),
		Username:       types.StringValue("ci@example.com"),
		PrivateKeyFile: types.StringValue(key),
	}
	_, diags := m.settings(func(string) string { return "" })
	if !diags.HasError() {
		t.Fatal("PEM text in private_key_file was accepted")
	}
	text := fmt.Sprint(diags)
	if !strings.Contains(text, "private_key_file holds key material instead of a file path") {
		t.Errorf("the error does not say what is wrong: %s", text)
	}
	for _, line := range strings.Split(strings.TrimSpace(key), "\n")[1:3] {
		if strings.Contains(text, line) {
			t.Errorf("the error quotes the key: %s", text)
		}
	}
}

func TestPrivateKeyFileContentIsNotEchoed(t *testing.T) {
	const content = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7notAPEMblock" //nolint:gosec // test fixture, not a key
	keyFile := filepath.Join(t.TempDir(), "salesforce.key")
	if err := os.WriteFile(keyFile, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := providerModel{
		LoginURL:       types.StringValue("https://login.salesforce.com"),
		ClientID:       types.StringValue("3MVG9KEYFILE"),
		Username:       types.StringValue("ci@example.com"),
		PrivateKeyFile: types.StringValue(keyFile),
	}
	s, diags := m.settings(func(string) string { return "" })
	if diags.HasError() {
		t.Fatalf("settings: %v", diags)
	}
	// The key is checked before any request, so nothing is sent.
	_, err := salesforce.New(context.Background(), s.client("test"))
	if err == nil {
		t.Fatal("a file that holds no PEM key was accepted")
	}
	detail := configureErrorDetail(err)
	if !strings.Contains(detail, "not PEM-encoded") {
		t.Errorf("the error does not say what is wrong: %s", detail)
	}
	if strings.Contains(detail, content[:24]) {
		t.Errorf("the error quotes the file's content: %s", detail)
	}
}
