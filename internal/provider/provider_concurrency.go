package provider

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
)

func maxConcurrentRequestsAttribute() schema.Int64Attribute {
	return schema.Int64Attribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("Maximum number of Salesforce API requests in flight at once, across "+
			"all resources (`SALESFORCE_MAX_CONCURRENT_REQUESTS`, default `%d`, at least 1). Lower it for orgs "+
			"whose concurrent request limit other integrations share; requests over the bound wait for a free slot.",
			salesforce.DefaultMaxConcurrentRequests),
		Validators: []validator.Int64{int64validator.AtLeast(1)},
	}
}

// maxConcurrentRequestsSetting returns max_concurrent_requests from the
// configuration, else from SALESFORCE_MAX_CONCURRENT_REQUESTS, else the
// default.
func maxConcurrentRequestsSetting(v types.Int64, getenv func(string) string) (int, error) {
	n := int64(salesforce.DefaultMaxConcurrentRequests)
	source := "max_concurrent_requests"
	switch env := getenv("SALESFORCE_MAX_CONCURRENT_REQUESTS"); {
	case !v.IsNull() && !v.IsUnknown():
		n = v.ValueInt64()
	case env != "":
		parsed, err := strconv.ParseInt(env, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("SALESFORCE_MAX_CONCURRENT_REQUESTS %q is not a whole number; set it to 1 or more", env)
		}
		n, source = parsed, "SALESFORCE_MAX_CONCURRENT_REQUESTS"
	}
	if n < 1 {
		return 0, fmt.Errorf("%s is %d; set it to 1 or more", source, n)
	}
	return int(n), nil
}
