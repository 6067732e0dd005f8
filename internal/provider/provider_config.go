package provider

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
)

func providerSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Manages Salesforce connected apps, their access policies and the profiles and " +
			"permission sets that may use them, through the Metadata API and the REST API. Every attribute " +
			"can also be set through the environment variable named in its description.",
		Attributes: map[string]schema.Attribute{
			"login_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL of the OAuth token endpoint's host (`SALESFORCE_LOGIN_URL`). " +
					"Defaults to `https://login.salesforce.com`; sandboxes use `https://test.salesforce.com` " +
					"or their My Domain URL. The client credentials flow requires the My Domain URL.",
			},
			"instance_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL of the org's instance or My Domain (`SALESFORCE_INSTANCE_URL`). " +
					"Taken from the token response when unset; required with `access_token`.",
			},
			"api_version": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Salesforce API version, such as `68.0` (`SALESFORCE_API_VERSION`). " +
					"Defaults to `" + DefaultAPIVersion + "`. Versions below 49.0 are rejected, because " +
					"`oauthPolicy` and `sessionPolicy` do not exist there.",
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Consumer key of the connected app the provider signs in with (`SALESFORCE_CLIENT_ID`).",
			},
			"client_secret": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Consumer secret of that app (`SALESFORCE_CLIENT_SECRET`), for the client " +
					"credentials flow and for refresh tokens of apps that require the secret.",
			},
			"username": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Salesforce username the JWT bearer flow signs in as (`SALESFORCE_USERNAME`).",
			},
			"private_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "PEM-encoded RSA private key that signs JWT bearer assertions " +
					"(`SALESFORCE_PRIVATE_KEY`). Conflicts with `private_key_file`.",
			},
			"private_key_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of a file holding that key (`SALESFORCE_PRIVATE_KEY_FILE`).",
			},
			"audience": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "JWT `aud` claim (`SALESFORCE_AUDIENCE`). Defaults to " +
					"`https://test.salesforce.com` when the login host is `test.salesforce.com` or a sandbox " +
					"My Domain, else to `https://login.salesforce.com`.",
			},
			"refresh_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "OAuth refresh token (`SALESFORCE_REFRESH_TOKEN`). A refresh token of an app " +
					"with refresh token rotation is invalidated when first used, so it cannot be reused by a later run.",
			},
			"expected_org_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Id of the org the configuration is meant for, 15 or 18 characters " +
					"(`SALESFORCE_EXPECTED_ORG_ID`). When the credentials sign in to another org, the provider " +
					"fails before any read or write. A sandbox refresh gives the sandbox a new Id; update this " +
					"value (Setup > Company Information shows it) after each refresh.",
				Validators: []validator.String{stringvalidator.RegexMatches(orgIDPattern,
					"must be a Salesforce org Id: 15 or 18 letters and digits starting with 00D")},
			},
			"batch_reads": batchReadsAttribute(),
			"access_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "An existing access token (session ID) (`SALESFORCE_ACCESS_TOKEN`), used " +
					"with `instance_url`. It cannot be refreshed, so runs fail once it expires.",
			},
			"max_concurrent_requests": maxConcurrentRequestsAttribute(),
		},
	}
}

type providerModel struct {
	LoginURL       types.String `tfsdk:"login_url"`
	InstanceURL    types.String `tfsdk:"instance_url"`
	APIVersion     types.String `tfsdk:"api_version"`
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	Username       types.String `tfsdk:"username"`
	PrivateKey     types.String `tfsdk:"private_key"`
	PrivateKeyFile types.String `tfsdk:"private_key_file"`
	Audience       types.String `tfsdk:"audience"`
	RefreshToken   types.String `tfsdk:"refresh_token"`
	AccessToken    types.String `tfsdk:"access_token"`
	ExpectedOrgID  types.String `tfsdk:"expected_org_id"`
	BatchReads     types.Bool   `tfsdk:"batch_reads"`
	MaxConcurrent  types.Int64  `tfsdk:"max_concurrent_requests"`
}

// orgIDPattern is the form of an org Id: the key prefix 00D, then 12 or 15
// letters and digits.
var orgIDPattern = regexp.MustCompile(`^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$`)

// providerSettings is the provider configuration with environment variables
// applied and every value checked.
type providerSettings struct {
	auth          auth.Config
	apiVersion    string
	flow          auth.Flow
	expectedOrgID string
	batchReads    bool
	maxConcurrent int
}

func (s providerSettings) client(version string) salesforce.Config {
	return salesforce.Config{
		Auth:       s.auth,
		APIVersion: s.apiVersion,
		UserAgent:  "terraform-provider-salesforce/" + version,
		BatchReads: s.batchReads,

		MaxConcurrentRequests: s.maxConcurrent,
	}
}

// settings merges the configuration with the environment, which fills every
// attribute the configuration leaves null, and validates the result.
func (m providerModel) settings(getenv func(string) string) (providerSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	value := func(v types.String, env string) string {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueString()
		}
		return getenv(env)
	}

	s := providerSettings{
		auth: auth.Config{
			LoginURL:     value(m.LoginURL, "SALESFORCE_LOGIN_URL"),
			InstanceURL:  value(m.InstanceURL, "SALESFORCE_INSTANCE_URL"),
			ClientID:     value(m.ClientID, "SALESFORCE_CLIENT_ID"),
			ClientSecret: value(m.ClientSecret, "SALESFORCE_CLIENT_SECRET"),
			Username:     value(m.Username, "SALESFORCE_USERNAME"),
			Audience:     value(m.Audience, "SALESFORCE_AUDIENCE"),
			RefreshToken: value(m.RefreshToken, "SALESFORCE_REFRESH_TOKEN"),
			AccessToken:  value(m.AccessToken, "SALESFORCE_ACCESS_TOKEN"),
		},
		apiVersion:    value(m.APIVersion, "SALESFORCE_API_VERSION"),
		expectedOrgID: value(m.ExpectedOrgID, "SALESFORCE_EXPECTED_ORG_ID"),
	}
	if s.auth.LoginURL == "" {
		s.auth.LoginURL = "https://login.salesforce.com"
	}
	if s.apiVersion == "" {
		s.apiVersion = DefaultAPIVersion
	}
	batchReads, err := batchReadsSetting(m.BatchReads, getenv)
	if err != nil {
		diags.AddAttributeError(path.Root("batch_reads"), "Invalid provider configuration", err.Error())
	}
	s.batchReads = batchReads
	maxConcurrent, err := maxConcurrentRequestsSetting(m.MaxConcurrent, getenv)
	if err != nil {
		diags.AddAttributeError(path.Root("max_concurrent_requests"), "Invalid provider configuration", err.Error())
	}
	s.maxConcurrent = maxConcurrent

	for _, attr := range []struct{ name, value string }{
		{"login_url", s.auth.LoginURL}, {"instance_url", s.auth.InstanceURL},
	} {
		if attr.value == "" {
			continue
		}
		if err := auth.CheckURL(attr.name, attr.value); err != nil {
			diags.AddAttributeError(path.Root(attr.name), "Invalid provider configuration", err.Error())
		}
	}
	if err := checkAPIVersion(s.apiVersion); err != nil {
		diags.AddAttributeError(path.Root("api_version"), "Invalid provider configuration", err.Error())
	}
	if s.expectedOrgID != "" && !orgIDPattern.MatchString(s.expectedOrgID) {
		diags.AddAttributeError(path.Root("expected_org_id"), "Invalid provider configuration",
			fmt.Sprintf("expected_org_id %q is not a Salesforce org Id: it has 15 or 18 letters and digits "+
				"and starts with 00D. Setup > Company Information shows it as Salesforce.com Organization ID.",
				s.expectedOrgID))
	}

	key := value(m.PrivateKey, "SALESFORCE_PRIVATE_KEY")
	keyFile := value(m.PrivateKeyFile, "SALESFORCE_PRIVATE_KEY_FILE")
	switch {
	case key != "" && keyFile != "":
		diags.AddAttributeError(path.Root("private_key"), "Invalid provider configuration",
			"Both private_key and private_key_file are set, through the configuration or through "+
				"SALESFORCE_PRIVATE_KEY and SALESFORCE_PRIVATE_KEY_FILE. Set only one of them.")
	case key != "":
		s.auth.PrivateKeyPEM = []byte(key)
	case looksLikeKeyMaterial(keyFile):
		diags.AddAttributeError(path.Root("private_key_file"), "Invalid provider configuration",
			"private_key_file holds key material instead of a file path. Set private_key (or "+
				"SALESFORCE_PRIVATE_KEY) to the PEM text, or private_key_file to the path of a file that holds it.")
	case keyFile != "":
		pem, err := os.ReadFile(keyFile) //nolint:gosec // the path is the private_key_file setting, read as asked
		if err != nil {
			diags.AddAttributeError(path.Root("private_key_file"), "Invalid provider configuration",
				fmt.Sprintf("Cannot read the private key file %q: %s.", keyFile, errors.Unwrap(err)))
		}
		s.auth.PrivateKeyPEM = pem
	}
	if diags.HasError() {
		return s, diags
	}

	flow, err := auth.SelectFlow(s.auth)
	if err != nil {
		diags.AddError("Incomplete Salesforce credentials", err.Error())
		return s, diags
	}
	s.flow = flow
	if unused := unusedCredentials(s.auth, flow); len(unused) > 0 {
		diags.AddWarning("Some credentials are not used",
			fmt.Sprintf("The provider signs in with the %s flow, which comes first in the order access token, "+
				"JWT bearer, refresh token, client credentials, so %s are ignored. Remove them, or remove what "+
				"selects the %s flow.", flowName(flow), strings.Join(unused, ", "), flowName(flow)))
	}
	return s, diags
}

// unusedCredentials lists the set attributes that the selected flow does not
// read.
func unusedCredentials(c auth.Config, flow auth.Flow) []string {
	used := map[auth.Flow][]string{
		auth.FlowAccessToken:       {"access_token", "instance_url"},
		auth.FlowJWTBearer:         {"client_id", "username", "private_key", "audience"},
		auth.FlowRefreshToken:      {"client_id", "client_secret", "refresh_token"},
		auth.FlowClientCredentials: {"client_id", "client_secret"},
	}[flow]
	set := []struct {
		name  string
		value bool
	}{
		{"access_token", c.AccessToken != ""}, {"username", c.Username != ""},
		{"private_key", len(c.PrivateKeyPEM) > 0}, {"refresh_token", c.RefreshToken != ""},
		{"client_secret", c.ClientSecret != ""},
	}
	var unused []string
	for _, a := range set {
		if a.value && !contains(used, a.name) {
			unused = append(unused, a.name)
		}
	}
	return unused
}

func flowName(f auth.Flow) string {
	return strings.ReplaceAll(string(f), "_", " ")
}

func contains(values []string, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// checkAPIVersion accepts versions such as "68.0" from MinAPIVersion on.
func checkAPIVersion(v string) error {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || !strings.Contains(v, ".") || strings.HasPrefix(v, "v") {
		return fmt.Errorf("api_version %q is not a Salesforce API version; write it as a number with one "+
			"decimal, such as %q", v, DefaultAPIVersion)
	}
	if n < MinAPIVersion {
		return fmt.Errorf("api_version %q is too old: connected app policies (oauthPolicy and sessionPolicy) "+
			"exist from API version 49.0 on; set %q or leave api_version unset", v, DefaultAPIVersion)
	}
	return nil
}

func configureErrorDetail(err error) string {
	var tokenErr *auth.TokenError
	if errors.As(err, &tokenErr) {
		return "Salesforce rejected the token request: " + tokenErr.Error()
	}
	return "Cannot start a Salesforce session: " + err.Error()
}
