package xmltree

import (
	"bytes"
	"io"
	"strings"
)

// EncodeOptions control how Encode writes an element.
type EncodeOptions struct {
	// Namespace, when set, is written as the default xmlns of the element.
	Namespace string
	// DeclareXSI writes xmlns:xsi on the element. Encode turns it on by itself
	// when the tree holds an xsi:nil or xsi:type and Namespace is set.
	DeclareXSI bool
	// Indent is the string repeated once per level; empty writes one line.
	Indent string
}

// Encode writes e and its subtree to w. Text is escaped as Salesforce writes
// it: &amp; &lt; &gt; &quot; &apos;, carriage returns as &#13; so that they
// survive a parser's line-end normalisation, and line feeds as they are.
func (e *Element) Encode(w io.Writer, opts EncodeOptions) error {
	var buf bytes.Buffer
	declareXSI := opts.DeclareXSI || (opts.Namespace != "" && e.usesXSI())
	e.encode(&buf, opts, 0, true, declareXSI)
	_, err := w.Write(buf.Bytes())
	return err
}

// String returns e encoded on one line with no namespace declarations.
func (e *Element) String() string {
	var buf bytes.Buffer
	e.encode(&buf, EncodeOptions{}, 0, true, false)
	return buf.String()
}

func (e *Element) usesXSI() bool {
	if e.Nil || e.Type != "" {
		return true
	}
	for _, c := range e.Children {
		if c.usesXSI() {
			return true
		}
	}
	return false
}

func (e *Element) encode(buf *bytes.Buffer, opts EncodeOptions, depth int, root, declareXSI bool) {
	if opts.Indent != "" && depth > 0 {
		buf.WriteByte('\n')
		buf.WriteString(strings.Repeat(opts.Indent, depth))
	}
	buf.WriteByte('<')
	buf.WriteString(e.Name)
	if root && opts.Namespace != "" {
		buf.WriteString(` xmlns="`)
		EscapeText(buf, opts.Namespace)
		buf.WriteByte('"')
	}
	if root && declareXSI {
		buf.WriteString(` xmlns:xsi="` + XSINamespace + `"`)
	}
	if e.Type != "" {
		buf.WriteString(` xsi:type="`)
		EscapeText(buf, e.Type)
		buf.WriteByte('"')
	}
	if e.Nil {
		buf.WriteString(` xsi:nil="true"/>`)
		return
	}
	if len(e.Children) == 0 && e.Text == "" {
		buf.WriteString("></")
		buf.WriteString(e.Name)
		buf.WriteByte('>')
		return
	}
	buf.WriteByte('>')
	if len(e.Children) == 0 {
		EscapeText(buf, e.Text)
	} else {
		for _, c := range e.Children {
			c.encode(buf, opts, depth+1, false, false)
		}
		if opts.Indent != "" {
			buf.WriteByte('\n')
			buf.WriteString(strings.Repeat(opts.Indent, depth))
		}
	}
	buf.WriteString("</")
	buf.WriteString(e.Name)
	buf.WriteByte('>')
}

// EscapeText writes s to buf with XML escaping, in the form Encode uses.
func EscapeText(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			buf.WriteString("&amp;")
		case '<':
			buf.WriteString("&lt;")
		case '>':
			buf.WriteString("&gt;")
		case '"':
			buf.WriteString("&quot;")
		case '\'':
			buf.WriteString("&apos;")
		case '\r':
			buf.WriteString("&#13;")
		default:
			buf.WriteByte(c)
		}
	}
}
