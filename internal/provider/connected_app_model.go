package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

type connectedAppModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	Label              types.String `tfsdk:"label"`
	ContactEmail       types.String `tfsdk:"contact_email"`
	Description        types.String `tfsdk:"description"`
	OAuthConfig        types.Object `tfsdk:"oauth_config"`
	DeletionProtection types.Bool   `tfsdk:"deletion_protection"`
}

type oauthConfigModel struct {
	CallbackURLs types.List   `tfsdk:"callback_urls"`
	Scopes       types.Set    `tfsdk:"scopes"`
	Certificate  types.String `tfsdk:"certificate"`
	ConsumerKey  types.String `tfsdk:"consumer_key"`
}

var oauthConfigAttrTypes = map[string]attr.Type{
	"callback_urls": types.ListType{ElemType: types.StringType},
	"scopes":        types.SetType{ElemType: types.StringType},
	"certificate":   types.StringType,
	"consumer_key":  types.StringType,
}

// oauthConfig returns the oauth_config block, or nil when it is null.
func (m *connectedAppModel) oauthConfig(ctx context.Context) (*oauthConfigModel, diag.Diagnostics) {
	if m.OAuthConfig.IsNull() || m.OAuthConfig.IsUnknown() {
		return nil, nil
	}
	var oauth oauthConfigModel
	diags := m.OAuthConfig.As(ctx, &oauth, basetypes.ObjectAsOptions{})
	return &oauth, diags
}

// applyTo writes the planned values into app. Values that mean what the org
// already holds leave the org's text untouched.
func (m *connectedAppModel) applyTo(app *connectedapp.App, oauth *oauthConfigModel) {
	app.SetLabel(m.Label.ValueString())
	app.SetContactEmail(m.ContactEmail.ValueString())
	app.SetDescription(m.Description.ValueStringPointer())

	if oauth == nil {
		app.RemoveOAuth()
		return
	}
	app.SetCallbackURLs(stringsOf(oauth.CallbackURLs))
	app.SetScopes(stringsOfSet(oauth.Scopes))
	app.SetCertificate(oauth.Certificate.ValueStringPointer())
}

// fromApp sets the model from the org's component. Where the model holds a
// value that means the same as the org's, such as a scope alias or a PEM
// certificate for the bare body, the model's spelling is kept, so that the
// plan shows no change.
func (m *connectedAppModel) fromApp(ctx context.Context, app *connectedapp.App) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(app.FullName())
	m.Name = types.StringValue(app.FullName())
	m.Label = keepIfEqualString(m.Label, app.Label())
	m.ContactEmail = keepIfEqualString(m.ContactEmail, app.ContactEmail())
	if d, ok := app.Description(); ok && d != "" {
		m.Description = keepIfEqualString(m.Description, d)
	} else {
		m.Description = types.StringNull()
	}
	if m.DeletionProtection.IsNull() || m.DeletionProtection.IsUnknown() {
		m.DeletionProtection = types.BoolValue(true)
	}

	if !app.HasOAuth() {
		m.OAuthConfig = types.ObjectNull(oauthConfigAttrTypes)
		return diags
	}
	prior, d := m.oauthConfig(ctx)
	diags.Append(d...)
	if prior == nil {
		prior = &oauthConfigModel{
			CallbackURLs: types.ListNull(types.StringType),
			Scopes:       types.SetNull(types.StringType),
			Certificate:  types.StringNull(),
		}
	}

	next := oauthConfigModel{ConsumerKey: types.StringValue(app.ConsumerKey())}
	next.CallbackURLs = listOf(app.CallbackURLs())

	scopes := app.Scopes()
	switch {
	case !prior.Scopes.IsNull() && equalStringSets(connectedapp.NormalizeScopes(stringsOfSet(prior.Scopes)),
		connectedapp.NormalizeScopes(scopes)):
		next.Scopes = prior.Scopes
	case len(scopes) == 0:
		next.Scopes = types.SetNull(types.StringType)
	default:
		next.Scopes = setOf(connectedapp.NormalizeScopes(scopes))
	}

	if cert, ok := app.Certificate(); ok && cert != "" {
		if !prior.Certificate.IsNull() &&
			connectedapp.NormalizeCertificate(prior.Certificate.ValueString()) == connectedapp.NormalizeCertificate(cert) {
			next.Certificate = prior.Certificate
		} else {
			next.Certificate = types.StringValue(cert)
		}
	} else {
		next.Certificate = types.StringNull()
	}

	obj, d := types.ObjectValueFrom(ctx, oauthConfigAttrTypes, next)
	diags.Append(d...)
	m.OAuthConfig = obj
	return diags
}
