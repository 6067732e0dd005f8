package provider

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func batchReadsAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Share reads between resources (`SALESFORCE_BATCH_READS`, default `true`): reads " +
			"of connected apps that arrive together go out as one `readMetadata` call of up to 10 apps, a " +
			"plan that reads 10 or more apps also reads the org's other listed apps ahead in parallel batches, " +
			"an app and its policy share one read, the grants of every app come from one `SetupEntityAccess` " +
			"query, and profiles and permission sets are looked up once. Writes always read the app again " +
			"first. `false` sends one call per read.",
	}
}

// batchReadsSetting returns batch_reads from the configuration, else from
// SALESFORCE_BATCH_READS, else true.
func batchReadsSetting(v types.Bool, getenv func(string) string) (bool, error) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), nil
	}
	env := getenv("SALESFORCE_BATCH_READS")
	if env == "" {
		return true, nil
	}
	on, err := strconv.ParseBool(env)
	if err != nil {
		return false, fmt.Errorf("SALESFORCE_BATCH_READS %q is not a boolean; set it to true or false", env)
	}
	return on, nil
}
