package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

func TestProviderSettingsMaxConcurrentRequests(t *testing.T) {
	base := providerModel{
		InstanceURL: types.StringValue("https://example.my.salesforce.com"),
		AccessToken: types.StringValue("00Dxx!token"),
	}
	for _, tc := range []struct {
		name    string
		config  types.Int64
		env     string
		want    int
		wantErr string
	}{
		{"default", types.Int64Null(), "", salesforce.DefaultMaxConcurrentRequests, ""},
		{"environment", types.Int64Null(), "4", 4, ""},
		{"configuration wins", types.Int64Value(2), "4", 2, ""},
		{"one is allowed", types.Int64Value(1), "", 1, ""},
		{"zero rejected", types.Int64Value(0), "", 0, "max_concurrent_requests is 0"},
		{"negative environment rejected", types.Int64Null(), "-3", 0, "SALESFORCE_MAX_CONCURRENT_REQUESTS is -3"},
		{"text environment rejected", types.Int64Null(), "many", 0, "is not a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			m.MaxConcurrent = tc.config
			s, diags := m.settings(func(k string) string {
				if k == "SALESFORCE_MAX_CONCURRENT_REQUESTS" {
					return tc.env
				}
				return ""
			})
			if tc.wantErr != "" {
				if !diags.HasError() {
					t.Fatalf("settings accepted %v / %q", tc.config, tc.env)
				}
				if detail := diags.Errors()[0].Detail(); !strings.Contains(detail, tc.wantErr) {
					t.Errorf("error detail %q does not contain %q", detail, tc.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("settings: %v", diags)
			}
			if got := s.client("test").MaxConcurrentRequests; got != tc.want {
				t.Errorf("salesforce.Config.MaxConcurrentRequests = %d, want %d", got, tc.want)
			}
		})
	}
}
