package orgsim

// metadataNamespace is the XML namespace of Metadata API payloads.
const metadataNamespace = "http://soap.sforce.com/2006/04/metadata"

// valueKind is the XSD type of a leaf element, or kindComplex.
type valueKind int

const (
	kindComplex valueKind = iota
	kindString
	kindBoolean
	kindInt
	kindEnum
	kindBase64
)

// elementDef is one child of an XSD sequence.
type elementDef struct {
	name     string
	kind     valueKind
	typeName string   // complex type name, or the enum's XSD name
	enum     []string // allowed values when kind is kindEnum
	required bool
	repeated bool
	// since is the first API version that has the element; 0 means every
	// supported version.
	since float64
}

// scopeOrder is the ConnectedAppOauthAccessScope enumeration of the 63.0
// WSDL followed by the values that appear in newer retrieved files. Reads
// return scopes in this order.
var scopeOrder = []string{
	"Basic", "Api", "Web", "Full", "Chatter", "CustomApplications", "RefreshToken", "OpenID",
	"Profile", "Email", "Address", "Phone", "OfflineAccess", "CustomPermissions", "Wave",
	"Eclair", "Pardot", "Lightning", "Content", "CDPIngest", "CDPProfile", "CDPQuery",
	"Chatbot", "CDPSegment", "CDPIdentityResolution", "CDPCalculatedInsight", "ForgotPassword",
	"UserRegistration", "SFAP", "Interaction", "CDP", "EinsteinGPT", "PwdlessLogin", "MCP", "SCRT",
}

// scopeSince gives the first API version of scopes newer than 29.0, from the
// ConnectedApp documentation.
//
// NOTE: the versions of CDPProfile and later CDP scopes, SFAP, Interaction,
// CDP, EinsteinGPT, MCP and SCRT are unconfirmed. The CDP group is set to the
// CDPIngest version, the others to the first version whose WSDL or retrieved
// files show them.
var scopeSince = map[string]float64{
	"Wave": 35, "Eclair": 35, "Pardot": 49, "Lightning": 51, "Content": 51,
	"CDPIngest": 52, "CDPProfile": 52, "CDPQuery": 52, "Chatbot": 54, "CDPSegment": 52,
	"CDPIdentityResolution": 52, "CDPCalculatedInsight": 52, "ForgotPassword": 57,
	"UserRegistration": 58, "PwdlessLogin": 59, "SFAP": 60, "Interaction": 60, "CDP": 60,
	"EinsteinGPT": 60, "MCP": 64, "SCRT": 64,
}

// complexTypes lists the child sequence of each complex type in the 63.0
// Metadata WSDL, in schema order. Every ConnectedApp sub-type is an
// xsd:sequence, so children must appear in this order.
var complexTypes = map[string][]elementDef{
	"Metadata": {
		{name: "fullName", kind: kindString},
	},
	"ConnectedApp": {
		{name: "fullName", kind: kindString},
		{name: "attributes", kind: kindComplex, typeName: "ConnectedAppAttribute", repeated: true},
		{name: "canvas", kind: kindComplex, typeName: "CanvasMetadata"},
		{name: "canvasConfig", kind: kindComplex, typeName: "ConnectedAppCanvasConfig"},
		{name: "contactEmail", kind: kindString, required: true},
		{name: "contactPhone", kind: kindString},
		{name: "description", kind: kindString},
		{name: "iconUrl", kind: kindString},
		{name: "infoUrl", kind: kindString},
		{name: "ipRanges", kind: kindComplex, typeName: "ConnectedAppIpRange", repeated: true},
		{name: "label", kind: kindString, required: true},
		{name: "logoUrl", kind: kindString},
		{name: "mobileAppConfig", kind: kindComplex, typeName: "ConnectedAppMobileDetailConfig"},
		{name: "mobileStartUrl", kind: kindString},
		{name: "oauthConfig", kind: kindComplex, typeName: "ConnectedAppOauthConfig"},
		{name: "oauthPolicy", kind: kindComplex, typeName: "ConnectedAppOauthPolicy", since: 49},
		{name: "permissionSetName", kind: kindString, repeated: true, since: 46},
		{name: "plugin", kind: kindString},
		{name: "pluginExecutionUser", kind: kindString, since: 46},
		{name: "profileName", kind: kindString, repeated: true, since: 46},
		{name: "samlConfig", kind: kindComplex, typeName: "ConnectedAppSamlConfig"},
		{name: "sessionPolicy", kind: kindComplex, typeName: "ConnectedAppSessionPolicy", since: 49},
		{name: "startUrl", kind: kindString},
	},
	// NOTE: CanvasMetadata is referenced by the WSDL but its children were
	// not available, so only an empty canvas element is accepted on write.
	"CanvasMetadata": {},
	"ConnectedAppAttribute": {
		{name: "formula", kind: kindString, required: true},
		{name: "key", kind: kindString, required: true},
	},
	"ConnectedAppCanvasConfig": {
		{name: "accessMethod", kind: kindEnum, typeName: "AccessMethod", enum: []string{"Get", "Post"}, required: true},
		{name: "canvasUrl", kind: kindString, required: true},
		{name: "lifecycleClass", kind: kindString, since: 31},
		{name: "locations", kind: kindEnum, typeName: "CanvasLocationOptions", repeated: true, enum: []string{
			"None", "Chatter", "UserProfile", "Visualforce", "Aura", "Publisher", "ChatterFeed",
			"ServiceDesk", "OpenCTI", "AppLauncher", "MobileNav", "PageLayout",
		}},
		{name: "options", kind: kindEnum, typeName: "CanvasOptions", repeated: true, enum: []string{"HideShare", "HideHeader", "PersonalEnabled"}},
		{name: "samlInitiationMethod", kind: kindEnum, typeName: "SamlInitiationMethod", enum: []string{"None", "IdpInitiated", "SpInitiated"}, since: 31},
	},
	"ConnectedAppIpRange": {
		{name: "description", kind: kindString, since: 31},
		{name: "end", kind: kindString, required: true},
		{name: "start", kind: kindString, required: true},
	},
	"ConnectedAppMobileDetailConfig": {
		{name: "applicationBinaryFile", kind: kindBase64},
		{name: "applicationBinaryFileName", kind: kindString},
		{name: "applicationBundleIdentifier", kind: kindString},
		{name: "applicationFileLength", kind: kindInt},
		{name: "applicationIconFile", kind: kindString},
		{name: "applicationIconFileName", kind: kindString},
		{name: "applicationInstallUrl", kind: kindString},
		{name: "devicePlatform", kind: kindEnum, typeName: "DevicePlatformType", enum: []string{"ios", "android"}, required: true},
		{name: "deviceType", kind: kindEnum, typeName: "DeviceType", enum: []string{"phone", "tablet", "minitablet"}},
		{name: "minimumOsVersion", kind: kindString},
		{name: "privateApp", kind: kindBoolean},
		{name: "version", kind: kindString, required: true},
	},
	"ConnectedAppOauthConfig": {
		{name: "assetTokenConfig", kind: kindComplex, typeName: "ConnectedAppOauthAssetToken", since: 49},
		{name: "callbackUrl", kind: kindString, required: true},
		{name: "certificate", kind: kindString},
		{name: "consumerKey", kind: kindString, since: 32},
		{name: "consumerSecret", kind: kindString, since: 32},
		{name: "idTokenConfig", kind: kindComplex, typeName: "ConnectedAppOauthIdToken", since: 43},
		{name: "isAdminApproved", kind: kindBoolean, since: 46},
		{name: "isClientCredentialEnabled", kind: kindBoolean, since: 56},
		{name: "isCodeCredentialEnabled", kind: kindBoolean, since: 57},
		{name: "isCodeCredentialPostOnly", kind: kindBoolean, since: 57},
		{name: "isConsumerSecretOptional", kind: kindBoolean, since: 49},
		{name: "isIntrospectAllTokens", kind: kindBoolean, since: 49},
		{name: "isNamedUserJwtEnabled", kind: kindBoolean, since: 59},
		{name: "isPkceRequired", kind: kindBoolean, since: 59},
		{name: "isRefreshTokenRotationEnabled", kind: kindBoolean, since: 60},
		{name: "isSecretRequiredForRefreshToken", kind: kindBoolean, since: 51},
		{name: "isSecretRequiredForTokenExchange", kind: kindBoolean, since: 60},
		{name: "isTokenExchangeEnabled", kind: kindBoolean, since: 60},
		{name: "oauthClientCredentialUser", kind: kindString, since: 56},
		{name: "scopes", kind: kindEnum, typeName: "ConnectedAppOauthAccessScope", repeated: true, enum: scopeOrder},
		{name: "singleLogoutUrl", kind: kindString},
	},
	"ConnectedAppOauthAssetToken": {
		{name: "assetAudiences", kind: kindString, required: true},
		{name: "assetIncludeAttributes", kind: kindBoolean, required: true},
		{name: "assetIncludeCustomPerms", kind: kindBoolean, required: true},
		{name: "assetSigningCertId", kind: kindString, required: true},
		{name: "assetValidityPeriod", kind: kindInt, required: true},
	},
	"ConnectedAppOauthIdToken": {
		{name: "idTokenAudience", kind: kindString},
		{name: "idTokenIncludeAttributes", kind: kindBoolean},
		{name: "idTokenIncludeCustomPerms", kind: kindBoolean},
		{name: "idTokenIncludeStandardClaims", kind: kindBoolean},
		{name: "idTokenValidity", kind: kindInt},
	},
	// NOTE: the version that added isTokenExchangeFlowEnabled is unconfirmed
	// (absent from the 51.0 WSDL, present in 63.0); 60.0 is assumed because
	// the token-exchange flags of oauthConfig arrived then.
	"ConnectedAppOauthPolicy": {
		{name: "ipRelaxation", kind: kindString, required: true},
		{name: "isTokenExchangeFlowEnabled", kind: kindBoolean, since: 60},
		{name: "refreshTokenPolicy", kind: kindString, required: true},
		{name: "singleLogoutUrl", kind: kindString},
	},
	"ConnectedAppSamlConfig": {
		{name: "acsUrl", kind: kindString, required: true},
		{name: "certificate", kind: kindString},
		{name: "encryptionCertificate", kind: kindString},
		{name: "encryptionType", kind: kindEnum, typeName: "SamlEncryptionType", enum: []string{"AES_128", "AES_256", "Triple_Des"}},
		{name: "entityUrl", kind: kindString, required: true},
		{name: "issuer", kind: kindString},
		{name: "samlIdpSLOBindingEnum", kind: kindEnum, typeName: "SamlIdpSLOBinding", enum: []string{"RedirectBinding", "PostBinding"}, since: 40},
		{name: "samlNameIdFormat", kind: kindEnum, typeName: "SamlNameIdFormatType", enum: []string{"Unspecified", "EmailAddress", "Persistent", "Transient"}},
		{name: "samlSigningAlgoType", kind: kindEnum, typeName: "SamlSigningAlgoType", enum: []string{"SHA1", "SHA256"}, since: 50},
		{name: "samlSloUrl", kind: kindString, since: 40},
		{name: "samlSubjectCustomAttr", kind: kindString},
		{name: "samlSubjectType", kind: kindEnum, typeName: "SamlSubjectType", required: true, enum: []string{
			"Username", "FederationId", "UserId", "SpokeId", "CustomAttribute", "PersistentId",
		}},
	},
	"ConnectedAppSessionPolicy": {
		{name: "policyAction", kind: kindString},
		{name: "sessionLevel", kind: kindString},
		{name: "sessionTimeout", kind: kindInt},
	},
}

// findElementDef returns the index of name in a sequence, or -1.
func findElementDef(seq []elementDef, name string) int {
	for i, def := range seq {
		if def.name == name {
			return i
		}
	}
	return -1
}
