package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// The tables in this file pair each attribute of the nested blocks of
// salesforce_connected_app with the ConnectedApp element it manages. The
// schema, the mapping to and from the component, the API version checks and
// the docs are all derived from them.

// elementKind is the kind of mapping between an attribute's value and its element.
type elementKind int

const (
	// stringElement is a string leaf, whose null value means the element is absent.
	stringElement elementKind = iota
	// boolElement is a boolean leaf. An optional one is absent when it holds
	// Salesforce's default, and keeps the org's value when the configuration
	// omits it.
	boolElement
	// intElement is an integer leaf, whose null value means the element is absent.
	intElement
	// enumSetElement is a repeated enumeration leaf, compared as a set.
	enumSetElement
)

// elementField maps one attribute of a nested block to a leaf element.
type elementField struct {
	attribute string
	// element is the path below the component root, names joined by dots.
	element     string
	kind        elementKind
	required    bool
	enum        []string
	description string
	// stringValidators and int64Validators add checks beyond the enum.
	stringValidators []validator.String
	int64Validators  []validator.Int64
}

// elementBlock maps a nested attribute to an optional complex element.
type elementBlock struct {
	attribute   string
	element     string
	description string
	fields      []elementField
	blocks      []elementBlock
}

// since returns the API version that introduced the field's element.
func (f elementField) since() float64 {
	return connectedapp.Since(f.element)
}

// markdown returns the attribute's description with its element, the API
// version that introduced it and, for an optional boolean, its default.
func (f elementField) markdown() string {
	text := f.description + " " + elementNote(f.element)
	if f.kind == boolElement && !f.required {
		text += fmt.Sprintf(" Omit to leave the org's value; Salesforce applies `%t` when the element is absent.",
			connectedapp.BoolDefault(f.element))
	}
	return text
}

func (b elementBlock) markdown() string {
	return b.description + " " + elementNote(b.element)
}

// elementNote names an element and the API version that introduced it.
func elementNote(element string) string {
	return fmt.Sprintf("Element `%s`, API %.1f.", element, connectedapp.Since(element))
}

var oauthConfigBlock = elementBlock{
	attribute: "oauth_config",
	element:   "oauthConfig",
	description: "OAuth settings. Present means *Enable OAuth Settings* is on. Removing the block turns OAuth off " +
		"and deletes the whole element, with the consumer key and the policy's `isAdminApproved` and " +
		"`oauthClientCredentialUser`.",
	fields: append([]elementField{{
		attribute:        "single_logout_url",
		element:          "oauthConfig.singleLogoutUrl",
		description:      "URL of the app's OAuth single logout endpoint.",
		stringValidators: []validator.String{absoluteURL(urlRules{})},
	}}, oauthFlagFields...),
	blocks: []elementBlock{idTokenConfigBlock, assetTokenConfigBlock},
}

// oauthFlagFields are the app-owned booleans of oauthConfig, in schema order.
var oauthFlagFields = []elementField{
	oauthFlag("is_client_credential_enabled", "isClientCredentialEnabled", "Enables the client credentials "+
		"flow. Its run-as user (`oauthClientCredentialUser`) belongs to `salesforce_connected_app_policy`."),
	oauthFlag("is_code_credential_enabled", "isCodeCredentialEnabled",
		"Enables the Authorization Code and Credentials flow (headless identity)."),
	oauthFlag("is_code_credential_post_only", "isCodeCredentialPostOnly", "Requires the Authorization Code "+
		"and Credentials flow to send the credentials in the POST body instead of a header."),
	oauthFlag("is_consumer_secret_optional", "isConsumerSecretOptional",
		"Lets the web server flow omit the consumer secret (`client_secret`)."),
	oauthFlag("is_introspect_all_tokens", "isIntrospectAllTokens",
		"Lets the app introspect every access and refresh token of the org."),
	oauthFlag("is_named_user_jwt_enabled", "isNamedUserJwtEnabled", "Issues JSON Web Token (JWT) access "+
		"tokens instead of opaque ones. SOAP APIs, the Metadata API among them, reject JWT access tokens."),
	oauthFlag("is_pkce_required", "isPkceRequired",
		"Requires Proof Key for Code Exchange (PKCE) in the authorization code flows."),
	oauthFlag("is_refresh_token_rotation_enabled", "isRefreshTokenRotationEnabled",
		"Issues a new refresh token on every refresh and invalidates the one used."),
	oauthFlag("is_secret_required_for_refresh_token", "isSecretRequiredForRefreshToken",
		"Requires the consumer secret in refresh token requests."),
	oauthFlag("is_secret_required_for_token_exchange", "isSecretRequiredForTokenExchange",
		"Requires the consumer secret in the token exchange flow."),
	oauthFlag("is_token_exchange_enabled", "isTokenExchangeEnabled", "Enables the OAuth 2.0 token exchange "+
		"flow. Its admin-side switch (`oauthPolicy.isTokenExchangeFlowEnabled`) belongs to "+
		"`salesforce_connected_app_policy`."),
}

func oauthFlag(attribute, element, description string) elementField {
	return elementField{attribute: attribute, element: "oauthConfig." + element, kind: boolElement, description: description}
}

var idTokenConfigBlock = elementBlock{
	attribute:   "id_token_config",
	element:     "oauthConfig.idTokenConfig",
	description: "OpenID Connect ID token settings.",
	fields: []elementField{
		{attribute: "audience", element: "oauthConfig.idTokenConfig.idTokenAudience",
			description: "Audiences of the ID token besides the consumer key."},
		{attribute: "include_attributes", element: "oauthConfig.idTokenConfig.idTokenIncludeAttributes",
			kind: boolElement, description: "Adds the custom attributes to the ID token."},
		{attribute: "include_custom_permissions", element: "oauthConfig.idTokenConfig.idTokenIncludeCustomPerms",
			kind: boolElement, description: "Adds the user's custom permissions to the ID token."},
		{attribute: "include_standard_claims", element: "oauthConfig.idTokenConfig.idTokenIncludeStandardClaims",
			kind: boolElement, description: "Adds the standard OpenID Connect claims to the ID token."},
		{attribute: "validity_minutes", element: "oauthConfig.idTokenConfig.idTokenValidity", kind: intElement,
			description: "Lifetime of the ID token in minutes, 1 to 720. Salesforce uses 2 when it is unset. " +
				"Retrieved apps also hold 0, which is accepted.",
			// NOTE: the reference gives 1 to 720 minutes, but apps retrieved from
			// real orgs hold 0, so 0 is accepted too.
			int64Validators: []validator.Int64{int64validator.Between(0, 720)}},
	},
}

// All five elements of assetTokenConfig are required when the block is
// present.
var assetTokenConfigBlock = elementBlock{
	attribute:   "asset_token_config",
	element:     "oauthConfig.assetTokenConfig",
	description: "Asset token settings: JWTs that Salesforce issues for connected devices.",
	fields: []elementField{
		{attribute: "audiences", element: "oauthConfig.assetTokenConfig.assetAudiences", required: true,
			description: "Audiences of the asset token."},
		{attribute: "include_attributes", element: "oauthConfig.assetTokenConfig.assetIncludeAttributes",
			kind: boolElement, required: true, description: "Adds the custom attributes to the asset token."},
		{attribute: "include_custom_permissions", element: "oauthConfig.assetTokenConfig.assetIncludeCustomPerms",
			kind: boolElement, required: true, description: "Adds the custom permissions to the asset token."},
		{attribute: "signing_certificate_id", element: "oauthConfig.assetTokenConfig.assetSigningCertId",
			required: true, description: "Id of the certificate that signs the asset token (at most 4 KB)."},
		{attribute: "validity_seconds", element: "oauthConfig.assetTokenConfig.assetValidityPeriod",
			kind: intElement, required: true, description: "Lifetime of the asset token in seconds.",
			int64Validators: []validator.Int64{int64validator.AtLeast(1)}},
	},
}

var samlConfigBlock = elementBlock{
	attribute:   "saml_config",
	element:     "samlConfig",
	description: "SAML single sign-on settings, with Salesforce as the identity provider. Present means SAML is enabled.",
	fields: []elementField{
		{attribute: "acs_url", element: "samlConfig.acsUrl", required: true,
			description:      "Assertion consumer service URL, where Salesforce posts the SAML response.",
			stringValidators: []validator.String{absoluteURL(urlRules{})}},
		{attribute: "certificate", element: "samlConfig.certificate",
			description:      "PEM certificate of the service provider, which signs its SAML requests.",
			stringValidators: []validator.String{certificateValue()}},
		{attribute: "encryption_certificate", element: "samlConfig.encryptionCertificate",
			description: "Name of the certificate in Certificate and Key Management that encrypts assertions."},
		{attribute: "encryption_type", element: "samlConfig.encryptionType", enum: connectedapp.SAMLEncryptionTypes,
			description: "Cipher that encrypts assertions: `AES_128`, `AES_256` or `Triple_Des`."},
		{attribute: "entity_url", element: "samlConfig.entityUrl", required: true,
			description: "Entity ID of the service provider. Real apps hold values that are not URLs, which are accepted."},
		{attribute: "issuer", element: "samlConfig.issuer",
			description: "Issuer of the SAML assertions, which is the org's identity provider URL when unset."},
		{attribute: "idp_slo_binding", element: "samlConfig.samlIdpSLOBindingEnum", enum: connectedapp.SAMLIdPSLOBindings,
			description: "Binding of single logout requests from the identity provider: `RedirectBinding` or `PostBinding`."},
		{attribute: "name_id_format", element: "samlConfig.samlNameIdFormat", enum: connectedapp.SAMLNameIDFormats,
			description: "Format of the assertion's NameID: `Unspecified` (Salesforce's default), `EmailAddress`, " +
				"`Persistent` or `Transient`."},
		{attribute: "signing_algorithm", element: "samlConfig.samlSigningAlgoType",
			enum: connectedapp.SAMLSigningAlgorithms, description: "Algorithm that signs the assertions: `SHA1` or `SHA256`."},
		{attribute: "slo_url", element: "samlConfig.samlSloUrl",
			description:      "Single logout URL of the service provider.",
			stringValidators: []validator.String{absoluteURL(urlRules{})}},
		{attribute: "subject_custom_attribute", element: "samlConfig.samlSubjectCustomAttr",
			description: "Custom attribute that holds the subject when `subject_type` is `CustomAttribute`."},
		{attribute: "subject_type", element: "samlConfig.samlSubjectType", required: true,
			enum: connectedapp.SAMLSubjectTypes, description: "What the assertion's subject holds: `Username`, " +
				"`FederationId`, `UserId`, `SpokeId`, `CustomAttribute` or `PersistentId`."},
	},
}

var canvasConfigBlock = elementBlock{
	attribute:   "canvas_config",
	element:     "canvasConfig",
	description: "Canvas app settings. Present means the app is exposed as a canvas app.",
	fields: []elementField{
		{attribute: "access_method", element: "canvasConfig.accessMethod", required: true,
			enum: connectedapp.CanvasAccessMethods, description: "How the canvas app is reached: `Get` " +
				"(OAuth web server flow) or `Post` (signed request)."},
		{attribute: "canvas_url", element: "canvasConfig.canvasUrl", required: true,
			description:      "URL of the third-party app that Salesforce shows in the canvas.",
			stringValidators: []validator.String{absoluteURL(urlRules{})}},
		{attribute: "lifecycle_class", element: "canvasConfig.lifecycleClass",
			description: "Apex class that implements `Canvas.CanvasLifecycleHandler`, with its namespace prefix if any."},
		{attribute: "locations", element: "canvasConfig.locations", kind: enumSetElement,
			enum: connectedapp.CanvasLocations, description: "Where the canvas app may appear, such as " +
				"`Visualforce`, `Aura` or `PageLayout`. Compared as a set; the org's order is kept."},
		{attribute: "options", element: "canvasConfig.options", kind: enumSetElement,
			enum:        connectedapp.CanvasOptions,
			description: "Canvas options: `HideShare`, `HideHeader` and `PersonalEnabled`. Compared as a set."},
		{attribute: "saml_initiation_method", element: "canvasConfig.samlInitiationMethod",
			enum:        connectedapp.CanvasSAMLInitiationMethods,
			description: "Who starts SAML single sign-on for the canvas app: `None`, `IdpInitiated` or `SpInitiated`."},
	},
}

var mobileAppConfigBlock = elementBlock{
	attribute:   "mobile_app_config",
	element:     "mobileAppConfig",
	description: "Distribution settings of a mobile app.",
	fields: []elementField{
		{attribute: "application_binary_file", element: "mobileAppConfig.applicationBinaryFile",
			description:      "The app's binary, base64-encoded.",
			stringValidators: []validator.String{base64Value()}},
		{attribute: "application_binary_file_name", element: "mobileAppConfig.applicationBinaryFileName",
			description: "File name of the app's binary."},
		{attribute: "application_bundle_identifier", element: "mobileAppConfig.applicationBundleIdentifier",
			description: "Bundle identifier (iOS) or package name (Android) of the app."},
		{attribute: "application_file_length", element: "mobileAppConfig.applicationFileLength", kind: intElement,
			description:     "Size of the app's binary in bytes.",
			int64Validators: []validator.Int64{int64validator.AtLeast(0)}},
		{attribute: "application_icon_file", element: "mobileAppConfig.applicationIconFile",
			description: "The app's icon."},
		{attribute: "application_icon_file_name", element: "mobileAppConfig.applicationIconFileName",
			description: "File name of the app's icon."},
		{attribute: "application_install_url", element: "mobileAppConfig.applicationInstallUrl",
			description:      "URL the app is installed from.",
			stringValidators: []validator.String{absoluteURL(urlRules{})}},
		{attribute: "device_platform", element: "mobileAppConfig.devicePlatform", required: true,
			enum: connectedapp.MobileDevicePlatforms, description: "Platform of the app: `ios` or `android`."},
		{attribute: "device_type", element: "mobileAppConfig.deviceType", enum: connectedapp.MobileDeviceTypes,
			description: "Device type of the app: `phone`, `tablet` or `minitablet`."},
		{attribute: "minimum_os_version", element: "mobileAppConfig.minimumOsVersion",
			description: "Oldest operating system version the app supports."},
		{attribute: "private_app", element: "mobileAppConfig.privateApp", kind: boolElement,
			description: "Marks the app as private: distributed only to the org's users."},
		{attribute: "version", element: "mobileAppConfig.version", required: true,
			description: "Version of the app."},
	},
}

// nestedBlocks are the top-level nested attributes that map to complex
// elements, oauth_config first.
var nestedBlocks = []elementBlock{oauthConfigBlock, samlConfigBlock, canvasConfigBlock, mobileAppConfigBlock}
