package provider

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
)

// apiNamePattern is the rule Salesforce applies to API names: a letter
// first, then letters, digits and single underscores, not ending in one. A
// namespace prefix, which follows the same rule, may come first, joined by
// two underscores.
var apiNamePattern = regexp.MustCompile(
	`^(?:[A-Za-z](?:[A-Za-z0-9]|_[A-Za-z0-9])*__)?[A-Za-z](?:[A-Za-z0-9]|_[A-Za-z0-9])*$`)

// maxAPINameLength is the length of ConnectedApplication.Name.
const maxAPINameLength = 80

// checkAPIName returns the reason name is not a connected app API name, or
// "" when it is one.
func checkAPIName(name string) string {
	switch {
	case name == "":
		return "is empty"
	case len(name) > maxAPINameLength:
		return fmt.Sprintf("has %d characters, more than the %d Salesforce allows", len(name), maxAPINameLength)
	case !apiNamePattern.MatchString(name):
		return "must start with a letter and contain only letters, digits and single underscores, must not " +
			"end with an underscore, and may hold two underscores in a row only after a namespace prefix " +
			"(ns__Name)"
	}
	return ""
}

// stringCheck is a string validator built from a function that returns an
// error message, a warning message, or neither. Null and unknown values are
// skipped, because they are checked once known.
type stringCheck struct {
	description string
	check       func(value string) (errorText, warningText string)
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueString()
	errorText, warningText := v.check(value)
	if errorText != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid attribute value",
			fmt.Sprintf("%s = %q %s.", req.Path, value, errorText))
	}
	if warningText != "" {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Attribute value may be rejected",
			fmt.Sprintf("%s = %q %s.", req.Path, value, warningText))
	}
}

func apiName() validator.String {
	return stringCheck{
		description: "must be a connected app API name",
		check: func(v string) (string, string) {
			if reason := checkAPIName(v); reason != "" {
				return "is not a connected app API name: it " + reason, ""
			}
			return "", ""
		},
	}
}

// notBlank rejects empty and blank strings, which the Metadata API drops on
// save: an unset attribute is written as null instead.
func notBlank() validator.String {
	return stringCheck{
		description: "must not be empty or blank",
		check: func(v string) (string, string) {
			if strings.TrimSpace(v) == "" {
				return "is blank; the Metadata API drops blank values, so remove the attribute instead", ""
			}
			return "", ""
		},
	}
}

// emailAddress rejects values that are not a single bare email address,
// which Salesforce requires of email fields.
func emailAddress() validator.String {
	return stringCheck{
		description: "must be an email address",
		check: func(v string) (string, string) {
			addr, err := mail.ParseAddress(v)
			if err != nil || addr.Address != strings.TrimSpace(v) || !hasDottedDomain(addr.Address) {
				return "is not an email address; write one address such as admin@example.com, without a display name", ""
			}
			return "", ""
		},
	}
}

func hasDottedDomain(address string) bool {
	_, domain, _ := strings.Cut(address, "@")
	return strings.Contains(strings.Trim(domain, "."), ".")
}

// urlRules selects what absoluteURL checks.
type urlRules struct {
	// httpsOnly requires the https scheme.
	httpsOnly bool
	// reject makes a failed check an error. Otherwise it is a warning,
	// because the rule is inferred from what the element is for.
	reject bool
}

// absoluteURL checks that a value is an absolute http or https URL with a
// host.
//
// NOTE: the Metadata API documents only logoUrl's rule (https). That the
// other URL elements must be absolute http or https URLs is inferred, so
// those checks warn.
func absoluteURL(rules urlRules) validator.String {
	want := "an absolute http or https URL"
	if rules.httpsOnly {
		want = "an absolute https URL"
	}
	return stringCheck{
		description: "should be " + want,
		check: func(v string) (string, string) {
			u, err := url.Parse(strings.TrimSpace(v))
			ok := err == nil && u.Host != "" && (u.Scheme == "https" || (!rules.httpsOnly && u.Scheme == "http"))
			switch {
			case ok:
				return "", ""
			case rules.reject:
				return "is not " + want, ""
			default:
				return "", "is not " + want + ", which Salesforce may reject"
			}
		},
	}
}

// callbackURL checks one OAuth redirect URI: an absolute URI with a scheme,
// which may be a custom one such as myapp://callback, and with a host for
// http and https. Wildcard hosts such as https://*.example.com are accepted.
func callbackURL() validator.String {
	return stringCheck{
		description: "must be an absolute URI",
		check: func(v string) (string, string) {
			if strings.ContainsAny(v, " \t\r\n") {
				return "is not one URL: it contains spaces or line breaks; give each callback URL as its own list element", ""
			}
			u, err := url.Parse(v)
			switch {
			case err != nil:
				var parseErr *url.Error
				if errors.As(err, &parseErr) {
					err = parseErr.Err
				}
				return "is not a valid URL: " + err.Error(), ""
			case u.Scheme == "":
				return "has no scheme; write an absolute URL such as https://app.example.com/oauth/callback", ""
			case (u.Scheme == "http" || u.Scheme == "https") && u.Host == "":
				return "has no host", ""
			}
			return "", ""
		},
	}
}

// certificateValue rejects a certificate whose body is not base64, and warns
// when the body is not an X.509 certificate.
//
// NOTE: whether Salesforce parses the certificate when it saves the app is
// not documented, so a base64 body that is no X.509 certificate only warns.
func certificateValue() validator.String {
	return stringCheck{
		description: "must be a PEM or base64 X.509 certificate",
		check: func(v string) (string, string) {
			der, err := base64.StdEncoding.DecodeString(connectedapp.NormalizeCertificate(v))
			if err != nil {
				return "is not a certificate: its body is not base64. Give the PEM file's content, such as " +
					"file(\"app.crt\")", ""
			}
			if _, err := x509.ParseCertificate(der); err != nil {
				return "", "does not parse as an X.509 certificate (" + err.Error() + "), which Salesforce may reject"
			}
			return "", ""
		},
	}
}

func base64Value() validator.String {
	return stringCheck{
		description: "must be base64",
		check: func(v string) (string, string) {
			if _, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), "")); err != nil {
				return "is not base64; encode the file with base64encode() or filebase64()", ""
			}
			return "", ""
		},
	}
}

// noSurroundingSpace rejects keys that differ from their trimmed form,
// because the Metadata API trims them on save.
func noSurroundingSpace() validator.String {
	return stringCheck{
		description: "must not start or end with white space",
		check: func(v string) (string, string) {
			if v != strings.TrimSpace(v) || v == "" {
				return "starts or ends with white space or is empty; the Metadata API trims keys on save", ""
			}
			return "", ""
		},
	}
}
