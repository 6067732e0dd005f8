package provider

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

type connectedAppModel struct {
	ID                 types.String   `tfsdk:"id"`
	Name               types.String   `tfsdk:"name"`
	Label              types.String   `tfsdk:"label"`
	ContactEmail       types.String   `tfsdk:"contact_email"`
	ContactPhone       types.String   `tfsdk:"contact_phone"`
	Description        types.String   `tfsdk:"description"`
	IconURL            types.String   `tfsdk:"icon_url"`
	InfoURL            types.String   `tfsdk:"info_url"`
	LogoURL            types.String   `tfsdk:"logo_url"`
	CustomAttributes   types.Map      `tfsdk:"custom_attributes"`
	OAuthConfig        types.Object   `tfsdk:"oauth_config"`
	SAMLConfig         types.Object   `tfsdk:"saml_config"`
	CanvasConfig       types.Object   `tfsdk:"canvas_config"`
	MobileAppConfig    types.Object   `tfsdk:"mobile_app_config"`
	DeletionProtection types.Bool     `tfsdk:"deletion_protection"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// topLevelString is a string attribute of the model and its element.
type topLevelString struct {
	attribute string
	element   string
	value     *types.String
}

// topLevelStrings returns the model's string attributes that map to
// top-level elements, in schema order.
func (m *connectedAppModel) topLevelStrings() []topLevelString {
	return []topLevelString{
		{"contact_email", "contactEmail", &m.ContactEmail},
		{"contact_phone", "contactPhone", &m.ContactPhone},
		{"description", "description", &m.Description},
		{"icon_url", "iconUrl", &m.IconURL},
		{"info_url", "infoUrl", &m.InfoURL},
		{"label", "label", &m.Label},
		{"logo_url", "logoUrl", &m.LogoURL},
	}
}

// blockValues returns the model's nested blocks with their tables, in the
// order of nestedBlocks.
func (m *connectedAppModel) blockValues() []*types.Object {
	return []*types.Object{&m.OAuthConfig, &m.SAMLConfig, &m.CanvasConfig, &m.MobileAppConfig}
}

// oauthOwnTypes are the attributes of oauth_config that the element tables
// do not describe, because they need their own comparison rules.
var oauthOwnTypes = map[string]attr.Type{
	"callback_urls":              types.ListType{ElemType: types.StringType},
	"scopes":                     types.SetType{ElemType: types.StringType},
	"certificate":                types.StringType,
	"consumer_key":               types.StringType,
	"consumer_secret_wo":         types.StringType,
	"consumer_secret_wo_version": types.Int64Type,
}

// blockAttrTypes returns the attribute types of a nested block.
func blockAttrTypes(b elementBlock) map[string]attr.Type {
	out := map[string]attr.Type{}
	for _, f := range b.fields {
		out[f.attribute] = fieldAttrType(f)
	}
	for _, sub := range b.blocks {
		out[sub.attribute] = types.ObjectType{AttrTypes: blockAttrTypes(sub)}
	}
	if b.attribute == oauthConfigBlock.attribute {
		for name, t := range oauthOwnTypes {
			out[name] = t
		}
	}
	return out
}

func fieldAttrType(f elementField) attr.Type {
	switch f.kind {
	case boolElement:
		return types.BoolType
	case intElement:
		return types.Int64Type
	case enumSetElement:
		return types.SetType{ElemType: types.StringType}
	case stringElement:
	}
	return types.StringType
}

// fromApp sets the model from the org's component. Where the model holds a
// value that means the same as the org's, such as a scope alias, a PEM
// certificate for the bare body or untrimmed text, the model's spelling is
// kept, so that the plan shows no change.
func (m *connectedAppModel) fromApp(app *connectedapp.App) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(app.FullName())
	m.Name = types.StringValue(app.FullName())
	for _, s := range m.topLevelStrings() {
		*s.value = stringFromApp(app, s.element, *s.value)
	}
	m.CustomAttributes = customAttributesFromApp(app, m.CustomAttributes)
	if m.DeletionProtection.IsNull() || m.DeletionProtection.IsUnknown() {
		m.DeletionProtection = types.BoolValue(true)
	}

	for i, value := range m.blockValues() {
		block := nestedBlocks[i]
		values, d := blockValuesFromApp(app, block, *value)
		diags.Append(d...)
		if values != nil && block.attribute == oauthConfigBlock.attribute {
			oauthOwnFromApp(app, knownAttributes(*value), values)
		}
		*value = objectOrNull(block, values, &diags)
	}
	return diags
}

// applyTo writes the model into app. Values that mean what the org already
// holds leave the org's text untouched, and elements the model does not
// cover are not touched at all.
func (m *connectedAppModel) applyTo(app *connectedapp.App) {
	for _, s := range m.topLevelStrings() {
		app.SetText(s.element, s.value.ValueStringPointer())
	}
	app.SetCustomAttributes(stringMap(m.CustomAttributes))

	for i, value := range m.blockValues() {
		block := nestedBlocks[i]
		blockToApp(app, block, *value)
		if block.attribute == oauthConfigBlock.attribute && !value.IsNull() && !value.IsUnknown() {
			oauthOwnToApp(app, value.Attributes())
		}
	}
}

// consumerSecretVersion returns oauth_config.consumer_secret_wo_version.
func (m *connectedAppModel) consumerSecretVersion() types.Int64 {
	v, _ := knownAttributes(m.OAuthConfig)["consumer_secret_wo_version"].(types.Int64)
	return v
}

// consumerKey returns oauth_config.consumer_key.
func (m *connectedAppModel) consumerKey() types.String {
	v, ok := knownAttributes(m.OAuthConfig)["consumer_key"].(types.String)
	if !ok {
		return types.StringNull()
	}
	return v
}

func stringFromApp(app *connectedapp.App, element string, prior types.String) types.String {
	text, ok := app.Text(element)
	if !ok {
		return types.StringNull()
	}
	return keepIfEqualString(prior, text)
}

// knownAttributes returns the attributes of a known, non-null object, or
// nil.
func knownAttributes(obj types.Object) map[string]attr.Value {
	if obj.IsNull() || obj.IsUnknown() {
		return nil
	}
	return obj.Attributes()
}

func objectOrNull(b elementBlock, values map[string]attr.Value, diags *diag.Diagnostics) types.Object {
	if values == nil {
		return types.ObjectNull(blockAttrTypes(b))
	}
	obj, d := types.ObjectValue(blockAttrTypes(b), values)
	diags.Append(d...)
	return obj
}

// blockValuesFromApp returns the attribute values of block as the org holds
// it, or nil when the org has no such block. prior is the block's value in
// state or plan.
func blockValuesFromApp(app *connectedapp.App, b elementBlock, prior types.Object) (map[string]attr.Value, diag.Diagnostics) {
	if !app.HasBlock(b.element) {
		return nil, nil
	}
	var diags diag.Diagnostics
	priorValues := knownAttributes(prior)
	values := make(map[string]attr.Value, len(b.fields)+len(b.blocks))
	for _, f := range b.fields {
		values[f.attribute] = fieldFromApp(app, f, priorValues[f.attribute])
	}
	for _, sub := range b.blocks {
		priorSub, _ := priorValues[sub.attribute].(types.Object)
		subValues, d := blockValuesFromApp(app, sub, priorSub)
		diags.Append(d...)
		values[sub.attribute] = objectOrNull(sub, subValues, &diags)
	}
	return values, diags
}

func fieldFromApp(app *connectedapp.App, f elementField, prior attr.Value) attr.Value {
	switch f.kind {
	case boolElement:
		return types.BoolValue(app.Bool(f.element, connectedapp.BoolDefault(f.element)))
	case intElement:
		if n, ok := app.Int(f.element); ok {
			return types.Int64Value(n)
		}
		return types.Int64Null()
	case enumSetElement:
		values := app.Texts(f.element)
		if p, ok := prior.(types.Set); ok && !p.IsUnknown() && equalStringSets(trimmedSet(stringsOfSet(p)), trimmedSet(values)) {
			return p
		}
		if len(values) == 0 {
			return types.SetNull(types.StringType)
		}
		return setOf(trimmedSet(values))
	default:
		p, _ := prior.(types.String)
		return stringFromApp(app, f.element, p)
	}
}

// blockToApp writes a nested block into app: a null block removes the
// element, and a present one creates it and sets each field.
func blockToApp(app *connectedapp.App, b elementBlock, obj types.Object) {
	if obj.IsUnknown() {
		return
	}
	if obj.IsNull() {
		app.RemoveBlock(b.element)
		return
	}
	app.EnsureBlock(b.element)
	values := obj.Attributes()
	for _, f := range b.fields {
		fieldToApp(app, f, values[f.attribute])
	}
	for _, sub := range b.blocks {
		if subObj, ok := values[sub.attribute].(types.Object); ok {
			blockToApp(app, sub, subObj)
		}
	}
}

func fieldToApp(app *connectedapp.App, f elementField, value attr.Value) {
	if value == nil || value.IsUnknown() {
		return
	}
	switch f.kind {
	case boolElement:
		v, _ := value.(types.Bool)
		def := connectedapp.BoolDefault(f.element)
		b := def
		if !v.IsNull() {
			b = v.ValueBool()
		}
		if f.required {
			app.SetRequiredBool(f.element, b, def)
		} else {
			app.SetBool(f.element, b, def)
		}
	case intElement:
		v, _ := value.(types.Int64)
		app.SetInt(f.element, v.ValueInt64Pointer())
	case enumSetElement:
		v, _ := value.(types.Set)
		app.SetTextSet(f.element, stringsOfSet(v), f.enum)
	default:
		v, _ := value.(types.String)
		app.SetText(f.element, v.ValueStringPointer())
	}
}

// oauthOwnFromApp adds to values the oauth_config attributes that need
// their own rules. Callback URLs are split on line breaks and keep the
// org's order. Scopes are compared with aliases folded, and the certificate
// without PEM armour. The write-only secret is never stored.
func oauthOwnFromApp(app *connectedapp.App, prior, values map[string]attr.Value) {
	values["callback_urls"] = types.ListNull(types.StringType)
	if urls := app.CallbackURLs(); len(urls) > 0 {
		values["callback_urls"] = listOf(urls)
	}

	priorScopes, _ := prior["scopes"].(types.Set)
	scopes := app.Scopes()
	switch {
	case !priorScopes.IsNull() && !priorScopes.IsUnknown() && equalStringSets(
		connectedapp.NormalizeScopes(stringsOfSet(priorScopes)), connectedapp.NormalizeScopes(scopes)):
		values["scopes"] = priorScopes
	case len(connectedapp.NormalizeScopes(scopes)) == 0:
		values["scopes"] = types.SetNull(types.StringType)
	default:
		values["scopes"] = setOf(connectedapp.NormalizeScopes(scopes))
	}

	priorCert, _ := prior["certificate"].(types.String)
	values["certificate"] = types.StringNull()
	if cert, ok := app.Text("oauthConfig.certificate"); ok {
		values["certificate"] = types.StringValue(cert)
		if !priorCert.IsNull() && !priorCert.IsUnknown() &&
			connectedapp.NormalizeCertificate(priorCert.ValueString()) == connectedapp.NormalizeCertificate(cert) {
			values["certificate"] = priorCert
		}
	}

	// The consumer key is read as stored, even when empty, since an app
	// that holds an empty key keeps it.
	key, _ := app.Element().Child("oauthConfig").ChildText("consumerKey")
	values["consumer_key"] = types.StringValue(key)
	values["consumer_secret_wo"] = types.StringNull()
	values["consumer_secret_wo_version"] = types.Int64Null()
	if v, ok := prior["consumer_secret_wo_version"].(types.Int64); ok && !v.IsUnknown() {
		values["consumer_secret_wo_version"] = v
	}
}

// oauthOwnToApp writes the oauth_config attributes that oauthOwnFromApp
// reads. The consumer key and secret are set only by Create, because
// Salesforce accepts them only then.
func oauthOwnToApp(app *connectedapp.App, values map[string]attr.Value) {
	if urls, ok := values["callback_urls"].(types.List); ok && !urls.IsUnknown() {
		app.SetCallbackURLs(stringsOf(urls))
	}
	if scopes, ok := values["scopes"].(types.Set); ok && !scopes.IsUnknown() {
		app.SetScopes(stringsOfSet(scopes))
	}
	if cert, ok := values["certificate"].(types.String); ok && !cert.IsUnknown() {
		app.SetCertificate(cert.ValueStringPointer())
	}
}

func customAttributesFromApp(app *connectedapp.App, prior types.Map) types.Map {
	attrs := app.CustomAttributes()
	if !prior.IsNull() && !prior.IsUnknown() && equalTrimmedMaps(stringMap(prior), attrs) {
		return prior
	}
	if len(attrs) == 0 {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(attrs))
	for k, v := range attrs {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// stringMap returns the known string elements of a map.
func stringMap(m types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out[k] = s.ValueString()
		}
	}
	return out
}

func equalTrimmedMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || strings.TrimSpace(v) != strings.TrimSpace(w) {
			return false
		}
	}
	return true
}

// trimmedSet returns the trimmed, distinct, non-blank values, sorted.
func trimmedSet(values []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// differences lists the attributes whose values in got, the model read
// back after a write, differ from the plan m. Unknown planned values, which
// Salesforce fills in, are skipped.
func (m *connectedAppModel) differences(got *connectedAppModel) []string {
	var out []string
	compare := func(name string, want, have attr.Value) {
		out = append(out, valueDifferences(name, want, have)...)
	}
	for i, s := range m.topLevelStrings() {
		compare(s.attribute, *s.value, *got.topLevelStrings()[i].value)
	}
	compare("custom_attributes", m.CustomAttributes, got.CustomAttributes)
	for i, v := range m.blockValues() {
		compare(nestedBlocks[i].attribute, *v, *got.blockValues()[i])
	}
	return out
}

// valueDifferences compares two values, descending into objects so that a
// difference names the nested attribute.
func valueDifferences(name string, want, have attr.Value) []string {
	if want == nil || want.IsUnknown() {
		return nil
	}
	wantObj, ok1 := want.(types.Object)
	haveObj, ok2 := have.(types.Object)
	if ok1 && ok2 && !wantObj.IsNull() && !haveObj.IsNull() {
		var out []string
		haveAttrs := haveObj.Attributes()
		keys := make([]string, 0, len(wantObj.Attributes()))
		for k := range wantObj.Attributes() {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, valueDifferences(name+"."+k, wantObj.Attributes()[k], haveAttrs[k])...)
		}
		return out
	}
	if have == nil || !want.Equal(have) {
		return []string{fmt.Sprintf("%s: planned %s, the org holds %s", name, want, have)}
	}
	return nil
}
