package connectedapp

// OAuthFlags lists the boolean elements of oauthConfig that belong to the
// app itself, in schema order. isAdminApproved is an access policy and is not
// listed.
var OAuthFlags = []string{
	"isClientCredentialEnabled",
	"isCodeCredentialEnabled",
	"isCodeCredentialPostOnly",
	"isConsumerSecretOptional",
	"isIntrospectAllTokens",
	"isNamedUserJwtEnabled",
	"isPkceRequired",
	"isRefreshTokenRotationEnabled",
	"isSecretRequiredForRefreshToken",
	"isSecretRequiredForTokenExchange",
	"isTokenExchangeEnabled",
}

// boolDefaults lists the booleans whose value when absent is true. Every
// other boolean of the component is false when absent.
//
// NOTE: the reference states a default of false for isClientCredentialEnabled,
// isCodeCredentialEnabled, isCodeCredentialPostOnly, isConsumerSecretOptional,
// isIntrospectAllTokens, isPkceRequired and isAdminApproved, and true for
// isSecretRequiredForRefreshToken. For the other booleans, such as
// isTokenExchangeEnabled and the idTokenConfig flags, false is inferred from
// Setup, where their checkboxes start unchecked.
var boolDefaults = map[string]bool{
	"oauthConfig.isSecretRequiredForRefreshToken": true,
}

// BoolDefault returns the value Salesforce applies when the boolean at path
// is absent.
func BoolDefault(path string) bool {
	return boolDefaults[path]
}
