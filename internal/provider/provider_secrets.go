package provider

import "strings"

// looksLikeKeyMaterial reports whether a private_key_file value is PEM text
// or another multi-line value rather than a path, so that an error about it
// must not quote it.
func looksLikeKeyMaterial(value string) bool {
	return strings.Contains(value, "-----BEGIN") || strings.ContainsAny(value, "\r\n")
}
