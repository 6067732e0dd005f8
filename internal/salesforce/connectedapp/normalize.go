package connectedapp

import (
	"sort"
	"strings"
)

// scopeOrder is the order in which retrieved apps list their scopes: the
// enumeration order of the Metadata API WSDL without the deploy-only aliases,
// followed by the newer MCP and SCRT. Every retrieved app in the public
// corpus the provider is tested on follows it.
var scopeOrder = []string{
	"Basic", "Api", "Web", "Full", "Chatter", "CustomApplications", "RefreshToken", "OpenID",
	"CustomPermissions", "Wave", "Eclair", "Pardot", "Lightning", "Content", "CDPIngest",
	"CDPProfile", "CDPQuery", "Chatbot", "CDPSegment", "CDPIdentityResolution",
	"CDPCalculatedInsight", "ForgotPassword", "UserRegistration", "SFAP", "Interaction", "CDP",
	"EinsteinGPT", "PwdlessLogin", "MCP", "SCRT",
}

// scopeAliases maps the scopes that Salesforce accepts on deploy but returns
// under another name on read.
var scopeAliases = map[string]string{
	"Profile":       "Basic",
	"Email":         "Basic",
	"Address":       "Basic",
	"Phone":         "Basic",
	"OfflineAccess": "RefreshToken",
}

// Scopes lists every scope name the Metadata API accepts on ConnectedApp,
// the aliases included.
func Scopes() []string {
	out := append([]string{}, scopeOrder...)
	for alias := range scopeAliases {
		out = append(out, alias)
	}
	sort.Strings(out)
	return out
}

// CanonicalScope returns the name Salesforce returns for scope.
func CanonicalScope(scope string) string {
	scope = strings.TrimSpace(scope)
	if to, ok := scopeAliases[scope]; ok {
		return to
	}
	return scope
}

// NormalizeScopes folds aliases, drops duplicates and returns the scopes in
// the order reads list them, so that two lists naming the same grants compare
// equal.
func NormalizeScopes(scopes []string) []string {
	seen := make(map[string]bool, len(scopes))
	var canon []string
	for _, s := range scopes {
		c := CanonicalScope(s)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		canon = append(canon, c)
	}
	return orderScopes(canon)
}

func orderScopes(scopes []string) []string {
	out := append([]string{}, scopes...)
	sort.SliceStable(out, func(i, j int) bool {
		return scopeRank(out[i]) < scopeRank(out[j])
	})
	return out
}

func scopeRank(scope string) int {
	for i, s := range scopeOrder {
		if s == CanonicalScope(scope) {
			return i
		}
	}
	return len(scopeOrder)
}

// SplitCallbackURLs splits the callbackUrl text into its URLs. Setup stores
// several URLs separated by CRLF, API clients by LF; blank lines are dropped
// and each URL is trimmed.
func SplitCallbackURLs(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// NormalizeCertificate returns the base64 body of a certificate without PEM
// armour lines and whitespace. Retrieved apps hold the bare body on one line,
// while users usually paste a PEM file.
func NormalizeCertificate(cert string) string {
	var b strings.Builder
	for _, line := range strings.Split(cert, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "-----") {
			continue
		}
		for _, r := range line {
			if r != ' ' && r != '\t' && r != '\r' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
