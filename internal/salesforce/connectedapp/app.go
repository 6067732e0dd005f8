// Package connectedapp is the typed view of a ConnectedApp metadata component
// over its lossless element tree: schema order, typed getters and setters for
// the elements the provider manages, and the normalisation rules that decide
// when two values mean the same.
package connectedapp

import "github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"

// MetadataType is the Metadata API type name of a connected app.
const MetadataType = "ConnectedApp"

// App is one ConnectedApp component. Edits go to the underlying tree, so
// elements that App does not model are written back as they were read.
type App struct {
	root *xmltree.Element
}

// FromElement wraps a component element, such as a readMetadata record.
func FromElement(el *xmltree.Element) *App {
	return &App{root: el}
}

// New returns an empty component with the given API name.
func New(fullName string) *App {
	root := &xmltree.Element{Name: "ConnectedApp"}
	app := &App{root: root}
	app.SetFullName(fullName)
	return app
}

// Element returns the component's tree, children in schema order.
func (a *App) Element() *xmltree.Element {
	return a.root
}

// FullName returns the API name (fullName) of the app.
func (a *App) FullName() string {
	text, _ := a.root.ChildText("fullName")
	return text
}

// SetFullName sets the API name of the app.
func (a *App) SetFullName(name string) {
	setText(a.root, "fullName", name)
}

// Clone returns a deep copy of a.
func (a *App) Clone() *App {
	return &App{root: a.root.Clone()}
}

// Equal reports whether a and b hold the same elements in the same order.
func (a *App) Equal(b *App) bool {
	return xmltree.Equal(a.root, b.root)
}

// ForCreate returns a copy of the component ready for createMetadata, with
// its children in schema order.
func (a *App) ForCreate() *App {
	out := a.Clone()
	sortChildren(out.root, "ConnectedApp")
	return out
}

// ForUpdate returns a copy of the component ready for updateMetadata: in
// schema order, and without consumerKey and consumerSecret, which Salesforce
// accepts only when an app is created. Real consumer keys also contain dots
// and underscores that a create would reject.
func (a *App) ForUpdate() *App {
	out := a.ForCreate()
	if oauth := out.root.Child("oauthConfig"); oauth != nil {
		oauth.RemoveChildren("consumerKey")
		oauth.RemoveChildren("consumerSecret")
	}
	return out
}
