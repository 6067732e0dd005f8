package connectedapp

import (
	"sort"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// CustomAttributes returns the custom attributes (the repeated attributes
// element) as a map from key to formula. Entries without a key are left
// out. When a key repeats, the first entry counts.
//
// NOTE: Setup rejects a second attribute with the same key; whether the
// Metadata API does too is unconfirmed, so repeats are tolerated on read.
func (a *App) CustomAttributes() map[string]string {
	out := map[string]string{}
	for _, el := range a.root.ChildrenNamed("attributes") {
		key, ok := attributeKey(el)
		if !ok {
			continue
		}
		if _, seen := out[key]; !seen {
			formula, _ := el.ChildText("formula")
			out[key] = formula
		}
	}
	return out
}

func attributeKey(el *xmltree.Element) (string, bool) {
	key, _ := el.ChildText("key")
	key = strings.TrimSpace(key)
	return key, key != ""
}

// SetCustomAttributes replaces the custom attributes with attrs. Entries
// whose key stays keep their place and, when the formula is unchanged once
// trimmed, their text. Entries whose key goes are removed, with any repeat
// of a kept key. New keys follow the last entry, sorted. Entries without a
// key are kept, because they map to no key that attrs could name.
func (a *App) SetCustomAttributes(attrs map[string]string) {
	if equalAttributes(a.CustomAttributes(), attrs) {
		return
	}
	kept := make([]*xmltree.Element, 0, len(a.root.Children))
	seen := map[string]bool{}
	last := -1
	for _, el := range a.root.Children {
		if el.Name != "attributes" {
			kept = append(kept, el)
			continue
		}
		key, ok := attributeKey(el)
		if ok {
			formula, want := attrs[key]
			if !want || seen[key] {
				continue
			}
			seen[key] = true
			if current, _ := el.ChildText("formula"); strings.TrimSpace(current) != strings.TrimSpace(formula) {
				setLeaf(el, "formula", formula)
			}
		}
		kept = append(kept, el)
		last = len(kept) - 1
	}
	a.root.Children = kept

	var added []string
	for key := range attrs {
		if !seen[key] {
			added = append(added, key)
		}
	}
	sort.Strings(added)
	els := make([]*xmltree.Element, len(added))
	for i, key := range added {
		els[i] = &xmltree.Element{Name: "attributes", Children: []*xmltree.Element{
			xmltree.NewText("formula", attrs[key]),
			xmltree.NewText("key", key),
		}}
	}
	at := last + 1
	if last < 0 {
		at = insertionIndex(a.root, "attributes")
	}
	insertAt(a.root, at, els...)
}

func equalAttributes(a, b map[string]string) bool {
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
