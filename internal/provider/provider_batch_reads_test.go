package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestProviderSettingsBatchReads(t *testing.T) {
	base := providerModel{
		InstanceURL: types.StringValue("https://example.my.salesforce.com"),
		AccessToken: types.StringValue("00Dxx!token"),
	}
	for _, tc := range []struct {
		name   string
		config types.Bool
		env    string
		want   bool
	}{
		{"default", types.BoolNull(), "", true},
		{"environment false", types.BoolNull(), "false", false},
		{"environment 0", types.BoolNull(), "0", false},
		{"environment true", types.BoolNull(), "true", true},
		{"configuration wins", types.BoolValue(true), "false", true},
		{"configuration false", types.BoolValue(false), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			m.BatchReads = tc.config
			s, diags := m.settings(func(k string) string {
				if k == "SALESFORCE_BATCH_READS" {
					return tc.env
				}
				return ""
			})
			if diags.HasError() {
				t.Fatalf("settings: %v", diags)
			}
			if s.batchReads != tc.want {
				t.Errorf("batchReads = %t, want %t", s.batchReads, tc.want)
			}
			if got := s.client("test").BatchReads; got != tc.want {
				t.Errorf("salesforce.Config.BatchReads = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestProviderSettingsBatchReadsInvalid(t *testing.T) {
	m := providerModel{
		InstanceURL: types.StringValue("https://example.my.salesforce.com"),
		AccessToken: types.StringValue("00Dxx!token"),
	}
	_, diags := m.settings(func(k string) string {
		if k == "SALESFORCE_BATCH_READS" {
			return "sometimes"
		}
		return ""
	})
	if !diags.HasError() {
		t.Fatal("settings accepted SALESFORCE_BATCH_READS=sometimes")
	}
	if detail := diags.Errors()[0].Detail(); !strings.Contains(detail, "SALESFORCE_BATCH_READS") {
		t.Errorf("error detail %q does not name SALESFORCE_BATCH_READS", detail)
	}
}
