package connectedapp

// Enumerations of mobileAppConfig, in the order of the 63.0 WSDL.
var (
	// MobileDevicePlatforms are the values of mobileAppConfig.devicePlatform.
	MobileDevicePlatforms = []string{"ios", "android"}
	// MobileDeviceTypes are the values of mobileAppConfig.deviceType.
	MobileDeviceTypes = []string{"phone", "tablet", "minitablet"}
)
