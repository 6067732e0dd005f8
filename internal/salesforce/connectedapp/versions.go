package connectedapp

import "strings"

// FirstAPIVersion is the first Metadata API version with the ConnectedApp
// type.
const FirstAPIVersion = 29.0

// elementSince gives the API version that introduced each element, as the
// Metadata API Developer Guide states it and as the 47.0, 51.0 and 63.0
// WSDLs confirm. The guide gives no version for the elements it does not
// list, which are taken to date from FirstAPIVersion. A child inherits the
// version of its block when that is later.
var elementSince = map[string]float64{
	"oauthConfig.assetTokenConfig":                 49,
	"oauthConfig.consumerKey":                      32,
	"oauthConfig.consumerSecret":                   32,
	"oauthConfig.idTokenConfig":                    43,
	"oauthConfig.isAdminApproved":                  46,
	"oauthConfig.isClientCredentialEnabled":        56,
	"oauthConfig.isCodeCredentialEnabled":          57,
	"oauthConfig.isCodeCredentialPostOnly":         57,
	"oauthConfig.isConsumerSecretOptional":         49,
	"oauthConfig.isIntrospectAllTokens":            49,
	"oauthConfig.isNamedUserJwtEnabled":            59,
	"oauthConfig.isPkceRequired":                   59,
	"oauthConfig.isRefreshTokenRotationEnabled":    60,
	"oauthConfig.isSecretRequiredForRefreshToken":  51,
	"oauthConfig.isSecretRequiredForTokenExchange": 60,
	"oauthConfig.isTokenExchangeEnabled":           60,
	"oauthConfig.oauthClientCredentialUser":        56,
	"oauthPolicy":                                  49,
	"sessionPolicy":                                49,
	"permissionSetName":                            46,
	"profileName":                                  46,
	"pluginExecutionUser":                          46,
	"ipRanges.description":                         31,
	"canvasConfig.lifecycleClass":                  31,
	"canvasConfig.samlInitiationMethod":            31,
	"samlConfig.encryptionCertificate":             30,
	"samlConfig.encryptionType":                    30,
	"samlConfig.samlIdpSLOBindingEnum":             40,
	"samlConfig.samlSigningAlgoType":               50,
	"samlConfig.samlSloUrl":                        40,
}

// Since returns the API version that introduced the element at path, such as
// 59.0 for "oauthConfig.isPkceRequired".
func Since(path string) float64 {
	since := FirstAPIVersion
	names := splitPath(path)
	for i := range names {
		if v, ok := elementSince[strings.Join(names[:i+1], ".")]; ok && v > since {
			since = v
		}
	}
	return since
}

// scopeVersion is the first API version of a scope, and whether the
// ConnectedApp reference states it.
type scopeVersion struct {
	since      float64
	documented bool
}

// scopeSince lists the scopes introduced after FirstAPIVersion.
//
// NOTE: the reference gives no version for CDPProfile and the later CDP
// scopes, SFAP, Interaction, CDP, EinsteinGPT, MCP and SCRT. The CDP group
// takes the version of CDPIngest, SFAP to EinsteinGPT take 60.0, and MCP and
// SCRT, which the 63.0 WSDL lacks, take 64.0.
var scopeSince = map[string]scopeVersion{
	"Wave": {35, true}, "Eclair": {35, true}, "Pardot": {49, true}, "Lightning": {51, true},
	"Content": {51, true}, "CDPIngest": {52, true}, "Chatbot": {54, true}, "ForgotPassword": {57, true},
	"UserRegistration": {58, true}, "PwdlessLogin": {59, true},
	"CDPProfile": {52, false}, "CDPQuery": {52, false}, "CDPSegment": {52, false},
	"CDPIdentityResolution": {52, false}, "CDPCalculatedInsight": {52, false},
	"SFAP": {60, false}, "Interaction": {60, false}, "CDP": {60, false}, "EinsteinGPT": {60, false},
	"MCP": {64, false}, "SCRT": {64, false},
}

// ScopeSince returns the first API version that accepts scope and whether
// the reference documents that version.
func ScopeSince(scope string) (since float64, documented bool) {
	if v, ok := scopeSince[CanonicalScope(scope)]; ok {
		return v.since, v.documented
	}
	return FirstAPIVersion, true
}
