package connectedapp

// Enumerations of canvasConfig, in the order of the 63.0 WSDL.
var (
	// CanvasAccessMethods are the values of canvasConfig.accessMethod.
	CanvasAccessMethods = []string{"Get", "Post"}
	// CanvasLocations are the values of the repeated canvasConfig.locations.
	CanvasLocations = []string{
		"None", "Chatter", "UserProfile", "Visualforce", "Aura", "Publisher", "ChatterFeed",
		"ServiceDesk", "OpenCTI", "AppLauncher", "MobileNav", "PageLayout",
	}
	// CanvasOptions are the values of the repeated canvasConfig.options.
	CanvasOptions = []string{"HideShare", "HideHeader", "PersonalEnabled"}
	// CanvasSAMLInitiationMethods are the values of
	// canvasConfig.samlInitiationMethod.
	CanvasSAMLInitiationMethods = []string{"None", "IdpInitiated", "SpInitiated"}
)
