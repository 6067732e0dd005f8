// Package xmltree holds an XML document as an ordered element tree, so that
// metadata components can be read, edited and written back without losing
// elements that no Go type models.
//
// The tree keeps element order, repeated elements, unknown elements and
// xsi:nil markers. It drops comments, processing instructions, namespace
// declarations and the whitespace between child elements, none of which the
// Metadata API gives meaning to.
package xmltree

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// XSINamespace is the XML Schema instance namespace that xsi:nil and
// xsi:type belong to.
const XSINamespace = "http://www.w3.org/2001/XMLSchema-instance"

// Element is one XML element. An element has either Text or Children, since
// Metadata API components contain no mixed content.
type Element struct {
	// Name is the local name; namespaces are not kept.
	Name string
	// Type is the xsi:type attribute, such as "ConnectedApp", or empty.
	Type string
	// Nil records xsi:nil="true". A nil element has no text and no children.
	Nil bool
	// Text is the character data of a leaf element, unescaped.
	Text     string
	Children []*Element
}

// NewText returns a leaf element.
func NewText(name, text string) *Element {
	return &Element{Name: name, Text: text}
}

// Parse reads the first element of r and everything inside it. Content after
// the end of that element is ignored, as encoding/xml does.
func Parse(r io.Reader) (*Element, error) {
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("xmltree: no root element")
			}
			return nil, fmt.Errorf("xmltree: %w", err)
		}
		if start, ok := tok.(xml.StartElement); ok {
			return decodeElement(dec, start, 1)
		}
	}
}

// ParseBytes is Parse on a byte slice.
func ParseBytes(b []byte) (*Element, error) {
	return Parse(bytes.NewReader(b))
}

// Decode reads the element that start opens from dec, consuming tokens up to
// and including its end tag. Callers that walk a larger document, such as a
// SOAP envelope, use it to take one subtree.
func Decode(dec *xml.Decoder, start xml.StartElement) (*Element, error) {
	return decodeElement(dec, start, 1)
}

// MaxDepth is the maximum nesting depth of elements below the element that
// Decode starts from. Metadata components nest a few levels, and the cap
// keeps a malformed response from exhausting the stack of the recursive
// decoder.
const MaxDepth = 256

func decodeElement(dec *xml.Decoder, start xml.StartElement, depth int) (*Element, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("xmltree: elements nest deeper than %d levels at <%s>", MaxDepth, start.Name.Local)
	}
	el := &Element{Name: start.Name.Local}
	for _, attr := range start.Attr {
		if attr.Name.Space != XSINamespace && attr.Name.Space != "xsi" {
			continue
		}
		switch attr.Name.Local {
		case "nil":
			el.Nil = attr.Value == "true" || attr.Value == "1"
		case "type":
			el.Type = localPart(attr.Value)
		}
	}

	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("xmltree: inside <%s>: %w", el.Name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			child, err := decodeElement(dec, t, depth+1)
			if err != nil {
				return nil, err
			}
			el.Children = append(el.Children, child)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(el.Children) == 0 {
				el.Text = text.String()
			} else if strings.TrimSpace(text.String()) != "" {
				return nil, fmt.Errorf("xmltree: <%s> mixes text and child elements", el.Name)
			}
			return el, nil
		}
	}
}

func localPart(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

// Child returns the first child named name, or nil.
func (e *Element) Child(name string) *Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ChildrenNamed returns every child named name, in document order.
func (e *Element) ChildrenNamed(name string) []*Element {
	if e == nil {
		return nil
	}
	var out []*Element
	for _, c := range e.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// ChildText returns the text of the first child named name and whether that
// child exists.
func (e *Element) ChildText(name string) (string, bool) {
	c := e.Child(name)
	if c == nil {
		return "", false
	}
	return c.Text, true
}

// RemoveChildren deletes every child named name and reports how many it
// removed.
func (e *Element) RemoveChildren(name string) int {
	kept := e.Children[:0]
	removed := 0
	for _, c := range e.Children {
		if c.Name == name {
			removed++
			continue
		}
		kept = append(kept, c)
	}
	for i := len(kept); i < len(e.Children); i++ {
		e.Children[i] = nil
	}
	e.Children = kept
	return removed
}

// Clone returns a deep copy of e.
func (e *Element) Clone() *Element {
	if e == nil {
		return nil
	}
	out := &Element{Name: e.Name, Type: e.Type, Nil: e.Nil, Text: e.Text}
	if len(e.Children) > 0 {
		out.Children = make([]*Element, len(e.Children))
		for i, c := range e.Children {
			out.Children[i] = c.Clone()
		}
	}
	return out
}

// Equal reports whether a and b have the same names, attributes, text and
// children in the same order.
func Equal(a, b *Element) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Name != b.Name || a.Type != b.Type || a.Nil != b.Nil || a.Text != b.Text ||
		len(a.Children) != len(b.Children) {
		return false
	}
	for i := range a.Children {
		if !Equal(a.Children[i], b.Children[i]) {
			return false
		}
	}
	return true
}
