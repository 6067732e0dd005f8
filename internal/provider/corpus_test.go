package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/testcorpus"
)

// TestCorpusPolicyUpdateKeepsOtherElements loads every corpus app into a
// simulated org, writes the recommended policy through the Metadata API as
// the policy resource does, and compares the component before and after.
func TestCorpusPolicyUpdateKeepsOtherElements(t *testing.T) {
	files := testcorpus.Files(t)
	token := "00DCORPUS!" + randomHex(t, 16)
	server, err := orgsim.Start(orgsim.Options{AccessTokens: []string{token}})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	ctx := context.Background()
	client, err := salesforce.New(ctx, salesforce.Config{Auth: authConfig(server.URL, token), APIVersion: DefaultAPIVersion})
	if err != nil {
		t.Fatal(err)
	}

	recommended := defaultPolicy("")
	recommended.PermittedUsers = types.StringValue("admin_approved")
	recommended.HighAssuranceSessionRequired = types.BoolValue(true)
	recommended.HighAssuranceAction = types.StringValue("raise_session_level")
	recommended.SessionTimeoutMinutes = types.Int64Value(60)

	updated := 0
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			if err := server.Org.LoadConnectedApp(f.Name, f.Data, orgsim.LoadProps{}); err != nil {
				t.Fatalf("loading: %v", err)
			}
			before, err := client.FindConnectedApp(ctx, f.Name)
			if err != nil {
				t.Fatalf("reading: %v", err)
			}
			if !before.HasOAuth() {
				t.Skip("no OAuth settings, so the policy resource rejects the app")
			}

			app := before.Clone()
			recommended.applyTo(app)
			if err := client.UpdateConnectedApp(ctx, app); err != nil {
				t.Fatalf("updating: %v", err)
			}
			after, err := client.FindConnectedApp(ctx, f.Name)
			if err != nil {
				t.Fatalf("reading back: %v", err)
			}
			if err := checkUnchangedExcept(before, after, policyTopElements, policyOAuthElements); err != nil {
				t.Error(err)
			}

			var got connectedAppPolicyModel
			got.fromApp(after)
			for _, d := range recommended.differences(&got) {
				t.Errorf("%s: org holds %s, want %s", d.attribute, d.got, d.want)
			}
			updated++
		})
	}
	if updated == 0 {
		t.Fatal("no corpus app was updated, so the test checked nothing")
	}
}
