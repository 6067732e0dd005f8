package connectedapp

// Enumerations of samlConfig, in the order of the 63.0 WSDL.
var (
	// SAMLEncryptionTypes are the values of samlConfig.encryptionType. The
	// reference describes only the two AES values; the WSDL adds Triple_Des.
	SAMLEncryptionTypes = []string{"AES_128", "AES_256", "Triple_Des"}
	// SAMLIdPSLOBindings are the values of samlConfig.samlIdpSLOBindingEnum.
	SAMLIdPSLOBindings = []string{"RedirectBinding", "PostBinding"}
	// SAMLNameIDFormats are the values of samlConfig.samlNameIdFormat.
	SAMLNameIDFormats = []string{"Unspecified", "EmailAddress", "Persistent", "Transient"}
	// SAMLSigningAlgorithms are the values of samlConfig.samlSigningAlgoType.
	SAMLSigningAlgorithms = []string{"SHA1", "SHA256"}
	// SAMLSubjectTypes are the values of samlConfig.samlSubjectType. The
	// reference spells two of them CustomAttr and PersistentID; the WSDL
	// spellings are the ones retrieved files hold.
	SAMLSubjectTypes = []string{"Username", "FederationId", "UserId", "SpokeId", "CustomAttribute", "PersistentId"}
)
