package provider

import (
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stringsOf returns the known string elements of a list in order.
func stringsOf(list types.List) []string {
	var out []string
	for _, v := range list.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}

// stringsOfSet returns the known string elements of a set, sorted.
func stringsOfSet(set types.Set) []string {
	var out []string
	for _, v := range set.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	sort.Strings(out)
	return out
}

func listOf(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

func setOf(values []string) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

func equalStringSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = append([]string{}, a...), append([]string{}, b...)
	sort.Strings(a)
	sort.Strings(b)
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keepIfEqualString returns prior when it equals value once both are trimmed,
// as the Metadata API trims strings on save, and value otherwise.
func keepIfEqualString(prior types.String, value string) types.String {
	if !prior.IsNull() && !prior.IsUnknown() && strings.TrimSpace(prior.ValueString()) == strings.TrimSpace(value) {
		return prior
	}
	return types.StringValue(value)
}

// equalFoldSets reports whether a and b hold the same strings, compared
// without regard to case, as Salesforce compares profile and permission set
// names.
func equalFoldSets(a, b []string) bool {
	return equalStringSets(lowerAll(a), lowerAll(b))
}

func lowerAll(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.ToLower(v)
	}
	return out
}

// keepSpelling returns the org's names, each in the prior spelling when one
// of the prior names differs from it only in case.
func keepSpelling(prior, org []string) []string {
	out := make([]string, len(org))
	for i, name := range org {
		out[i] = name
		for _, p := range prior {
			if strings.EqualFold(p, name) {
				out[i] = p
				break
			}
		}
	}
	return out
}
