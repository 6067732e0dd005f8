package connectedapp

import (
	"sort"
	"strconv"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// The accessors in this file address an element by its path below the
// component root, with the names joined by dots, such as
// "oauthConfig.idTokenConfig.idTokenValidity". Every setter leaves the tree
// unchanged when it is given the value that the matching getter returns, so
// writing back what was read never rewrites the org's form of a value.

func splitPath(path string) []string {
	return strings.Split(path, ".")
}

// element returns the first element at path, or nil.
func (a *App) element(path string) *xmltree.Element {
	el := a.root
	for _, name := range splitPath(path) {
		el = el.Child(name)
		if el == nil {
			return nil
		}
	}
	return el
}

// ensure returns the element at path, creating each missing element in
// schema order. An xsi:nil element on the way loses its nil marker.
func (a *App) ensure(path string) *xmltree.Element {
	el := a.root
	for _, name := range splitPath(path) {
		el = child(el, name)
		el.Nil = false
	}
	return el
}

// parentAndName splits path into the element that holds the last name and
// that name.
func (a *App) parentAndName(path string) (*xmltree.Element, string) {
	names := splitPath(path)
	last := names[len(names)-1]
	if len(names) == 1 {
		return a.root, last
	}
	return a.element(strings.Join(names[:len(names)-1], ".")), last
}

func (a *App) ensureParent(path string) (*xmltree.Element, string) {
	names := splitPath(path)
	last := names[len(names)-1]
	if len(names) == 1 {
		return a.root, last
	}
	return a.ensure(strings.Join(names[:len(names)-1], ".")), last
}

// HasBlock reports whether the complex element at path, such as
// "samlConfig", is present and not xsi:nil.
func (a *App) HasBlock(path string) bool {
	el := a.element(path)
	return el != nil && !el.Nil
}

// EnsureBlock creates the complex element at path when it is missing, in
// schema order.
func (a *App) EnsureBlock(path string) {
	if !a.HasBlock(path) {
		a.ensure(path)
	}
}

// RemoveBlock deletes the complex element at path. An xsi:nil element,
// which already means no block, is kept.
func (a *App) RemoveBlock(path string) {
	if !a.HasBlock(path) {
		return
	}
	parent, name := a.parentAndName(path)
	parent.RemoveChildren(name)
}

// Text returns the text of the leaf at path and whether it holds a value. A
// missing, xsi:nil or blank element holds none, because the Metadata API
// drops blank values on save.
func (a *App) Text(path string) (string, bool) {
	el := a.element(path)
	if el == nil || el.Nil || strings.TrimSpace(el.Text) == "" {
		return "", false
	}
	return el.Text, true
}

// SetText sets the leaf at path, creating missing parents in schema order.
// A value equal to the org's once both are trimmed keeps the org's text,
// since the Metadata API trims strings on save. nil removes a leaf that holds
// a value.
func (a *App) SetText(path string, v *string) {
	current, ok := a.Text(path)
	if v == nil {
		if ok {
			parent, name := a.parentAndName(path)
			parent.RemoveChildren(name)
		}
		return
	}
	if ok && strings.TrimSpace(current) == strings.TrimSpace(*v) {
		return
	}
	parent, name := a.ensureParent(path)
	setLeaf(parent, name, *v)
}

// Bool returns the boolean at path, or def when the element is missing or
// holds no valid boolean.
func (a *App) Bool(path string, def bool) bool {
	text, ok := a.Text(path)
	if !ok {
		return def
	}
	v, err := strconv.ParseBool(strings.TrimSpace(text))
	if err != nil {
		return def
	}
	return v
}

// SetBool sets the boolean at path. An absent element stays absent when v is
// def, so that an app saved before the element existed keeps its form.
func (a *App) SetBool(path string, v, def bool) {
	if a.Bool(path, def) == v {
		return
	}
	parent, name := a.ensureParent(path)
	setLeaf(parent, name, strconv.FormatBool(v))
}

// SetRequiredBool sets a boolean that the schema requires whenever its block
// is present, so it is written even when it is absent and v is def. A
// present element that Bool(path, def) reads as v is kept.
func (a *App) SetRequiredBool(path string, v, def bool) {
	if _, ok := a.Text(path); ok && a.Bool(path, def) == v {
		return
	}
	parent, name := a.ensureParent(path)
	setLeaf(parent, name, strconv.FormatBool(v))
}

// Int returns the integer at path and whether the element holds one.
func (a *App) Int(path string) (int64, bool) {
	text, ok := a.Text(path)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 32)
	if err != nil {
		return 0, false
	}
	return n, true
}

// SetInt sets the integer at path. nil removes an element that holds one.
func (a *App) SetInt(path string, v *int64) {
	current, ok := a.Int(path)
	if v == nil {
		if ok {
			parent, name := a.parentAndName(path)
			parent.RemoveChildren(name)
		}
		return
	}
	if ok && current == *v {
		return
	}
	parent, name := a.ensureParent(path)
	setLeaf(parent, name, strconv.FormatInt(*v, 10))
}

// setLeaf sets the first child named name to a text leaf, creating it in
// schema order. Children that a malformed leaf held are dropped, because a
// leaf holds text only.
func setLeaf(parent *xmltree.Element, name, value string) {
	c := child(parent, name)
	c.Nil = false
	c.Text = value
	c.Children = nil
}

// Texts returns the non-blank values of the repeated leaf at path, such as
// "canvasConfig.locations", in the org's order.
func (a *App) Texts(path string) []string {
	parent, name := a.parentAndName(path)
	return nonEmpty(texts(parent.ChildrenNamed(name)))
}

// SetTextSet replaces the repeated leaf at path with values. When they name
// the same set as the org's list, once trimmed and without duplicates, the
// org's list is kept. Otherwise they are written in the order of order, the
// element's enumeration, and values missing from it follow in sorted order.
// An empty set removes every element.
func (a *App) SetTextSet(path string, values, order []string) {
	if equalStrings(setOf(a.Texts(path)), setOf(values)) {
		return
	}
	if len(values) == 0 {
		if parent, name := a.parentAndName(path); parent != nil {
			parent.RemoveChildren(name)
		}
		return
	}
	parent, name := a.ensureParent(path)
	setList(parent, name, orderBy(setOf(values), order))
}

// setOf returns the trimmed, distinct, non-blank values, sorted.
func setOf(values []string) []string {
	seen := make(map[string]bool, len(values))
	out := []string{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// orderBy sorts values by their position in order. Values that order does
// not list keep their relative order at the end.
func orderBy(values, order []string) []string {
	rank := make(map[string]int, len(order))
	for i, v := range order {
		rank[v] = i
	}
	pos := func(v string) int {
		if r, ok := rank[v]; ok {
			return r
		}
		return len(order)
	}
	out := append([]string{}, values...)
	sort.SliceStable(out, func(i, j int) bool { return pos(out[i]) < pos(out[j]) })
	return out
}
