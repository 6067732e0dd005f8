package metadata

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// XML namespaces of the SOAP envelope and of the Metadata API payload.
const (
	envelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"
	Namespace         = "http://soap.sforce.com/2006/04/metadata"
)

// Fault is a SOAP fault returned by the Metadata API.
type Fault struct {
	// Code is the Salesforce exception code, such as INVALID_SESSION_ID:
	// detail/exceptionCode when present, else the local part of faultcode.
	Code string
	// Message is detail/exceptionMessage when present, else faultstring.
	Message string
}

// Transient reports whether the fault is one Salesforce documents as
// passing: SERVER_UNAVAILABLE, or the ConcurrentRequests limit.
func (f *Fault) Transient() bool {
	return transport.IsTransientCode(f.Code, f.Message)
}

func (f *Fault) Error() string {
	if f.Message == "" || strings.HasPrefix(f.Message, f.Code) {
		return "Metadata API fault: " + firstNonEmpty(f.Message, f.Code)
	}
	return "Metadata API fault: " + f.Code + ": " + f.Message
}

// HTTPError is a Metadata API response with an error status and no SOAP
// fault in its body, such as an HTML page from a proxy.
type HTTPError struct {
	Operation string
	Status    int
	// Body describes an empty or HTML body, such as "is an HTML page", and
	// is empty for other bodies.
	Body string
}

// Transient reports whether the status is one Salesforce documents as
// passing, such as 502, 503 or 504 from its edge network.
func (e *HTTPError) Transient() bool {
	return transport.IsTransientStatus(e.Status)
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("Metadata API %s returned HTTP %d with no SOAP fault in the body", e.Operation, e.Status)
	if e.Body != "" {
		msg += ", which " + e.Body
	}
	return msg
}

// call describes one SOAP operation.
type call struct {
	operation string // the body element, such as readMetadata
	allOrNone bool   // sends AllOrNoneHeader allOrNone=true
	readOnly  bool   // changes nothing, so the transport may repeat it
	payload   []byte // children of the operation element, already encoded
	logFields map[string]any
}

// do sends c and returns the operation's response element, such as
// <readMetadataResponse>. Faults come back as *Fault.
func (c *Client) do(ctx context.Context, cl call) (*xmltree.Element, error) {
	req := &transport.Request{
		Method: http.MethodPost,
		Path:   "/services/Soap/m/" + c.apiVersion,
		Header: http.Header{
			"Content-Type": {"text/xml; charset=UTF-8"},
			"SOAPAction":   {`""`},
		},
		Body: func(token string) ([]byte, error) {
			return c.envelope(cl, token), nil
		},
		SessionRejected: func(resp *transport.Response) bool {
			_, fault, err := parseEnvelope(resp.Body)
			return err == nil && fault != nil && fault.Code == "INVALID_SESSION_ID"
		},
		Idempotent: cl.readOnly,
		ErrorCode: func(resp *transport.Response) (string, string) {
			if _, fault, err := parseEnvelope(resp.Body); err == nil && fault != nil {
				return fault.Code, fault.Message
			}
			return "", ""
		},
		Operation: cl.operation,
		LogFields: cl.logFields,
	}
	resp, err := c.doer.Do(ctx, req)
	if err != nil {
		return nil, err
	}

	result, fault, err := parseEnvelope(resp.Body)
	if fault != nil {
		return nil, fault
	}
	if resp.Status < 200 || resp.Status > 299 {
		described, _ := transport.DescribeBody(resp.Header, resp.Body)
		return nil, &HTTPError{Operation: cl.operation, Status: resp.Status, Body: described}
	}
	if err != nil {
		return nil, transport.NewBodyError(cl.operation, resp, "SOAP envelope", err)
	}
	if want := cl.operation + "Response"; result.Name != want {
		return nil, fmt.Errorf("%s: expected <%s> in the SOAP body, got <%s>", cl.operation, want, result.Name)
	}
	return result, nil
}

// envelope builds the SOAP request for cl with the session id token.
func (c *Client) envelope(cl call, token string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + envelopeNamespace + `" xmlns:xsi="` + xmltree.XSINamespace +
		`" xmlns="` + Namespace + `">`)
	b.WriteString(`<soapenv:Header><SessionHeader><sessionId>`)
	xmltree.EscapeText(&b, token)
	b.WriteString(`</sessionId></SessionHeader><CallOptions><client>`)
	xmltree.EscapeText(&b, c.clientName)
	b.WriteString(`</client></CallOptions>`)
	if cl.allOrNone {
		b.WriteString(`<AllOrNoneHeader><allOrNone>true</allOrNone></AllOrNoneHeader>`)
	}
	b.WriteString(`</soapenv:Header><soapenv:Body><` + cl.operation + `>`)
	b.Write(cl.payload)
	b.WriteString(`</` + cl.operation + `></soapenv:Body></soapenv:Envelope>`)
	return b.Bytes()
}

// parseEnvelope returns the first element inside the SOAP Body, or the
// fault when that element is a Fault. Elements match by local name, because
// Salesforce binds the soapenv and sf prefixes to varying namespaces.
//
// The whole document must be well-formed, so a truncated response is an
// error even when the Body's first element arrived complete. A fault is
// returned even from a truncated document, because its code and message
// arrived whole.
func parseEnvelope(body []byte) (*xmltree.Element, *Fault, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var (
		result       *xmltree.Element
		fault        *Fault
		depth        int // 1 inside Envelope, 2 inside Header or Body
		sawEnvelope  bool
		sawBody      bool
		insideBody   bool
		bodyChildren int
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if fault != nil {
				return nil, fault, nil
			}
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local != "Envelope":
				return nil, nil, fmt.Errorf("the root element is <%s>, not a SOAP Envelope", t.Name.Local)
			case depth == 1:
				sawEnvelope = true
			case depth == 2 && t.Name.Local == "Body":
				sawBody, insideBody = true, true
			case depth == 3 && insideBody:
				bodyChildren++
				if bodyChildren > 1 {
					continue
				}
				el, err := xmltree.Decode(dec, t)
				if err != nil {
					return nil, nil, err
				}
				depth-- // Decode consumed the end tag.
				if el.Name == "Fault" {
					fault = faultFrom(el)
				} else {
					result = el
				}
			}
		case xml.EndElement:
			if depth == 2 {
				insideBody = false
			}
			depth--
		}
	}
	switch {
	case fault != nil:
		return nil, fault, nil
	case !sawEnvelope:
		return nil, nil, errors.New("no SOAP Envelope element")
	case !sawBody:
		return nil, nil, errors.New("no SOAP Body element")
	case result == nil:
		return nil, nil, errors.New("the SOAP Body is empty")
	}
	return result, nil, nil
}

func faultFrom(el *xmltree.Element) *Fault {
	code, _ := el.ChildText("faultcode")
	message, _ := el.ChildText("faultstring")
	f := &Fault{Code: localPart(strings.TrimSpace(code)), Message: strings.TrimSpace(message)}
	if detailCode := findText(el.Child("detail"), "exceptionCode"); detailCode != "" {
		f.Code = detailCode
	}
	if detailMessage := findText(el.Child("detail"), "exceptionMessage"); detailMessage != "" {
		f.Message = detailMessage
	}
	return f
}

// findText returns the trimmed text of the first descendant of el named
// name, or "".
func findText(el *xmltree.Element, name string) string {
	if el == nil {
		return ""
	}
	for _, c := range el.Children {
		if c.Name == name {
			return strings.TrimSpace(c.Text)
		}
		if text := findText(c, name); text != "" {
			return text
		}
	}
	return ""
}

func localPart(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// writeText writes <name>text</name>.
func writeText(b *bytes.Buffer, name, text string) {
	b.WriteString("<" + name + ">")
	xmltree.EscapeText(b, text)
	b.WriteString("</" + name + ">")
}
