package orgsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

const soapEnvelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"

// maxRequestBytes caps the body of any request the org reads.
const maxRequestBytes = 16 << 20

// soapFault is a SOAP 1.1 fault. An empty exceptionCode makes a fault with
// faultcode soapenv:Client and no detail, as the SOAP stack raises for
// requests it cannot parse.
type soapFault struct {
	exceptionCode string
	message       string
}

func (f *soapFault) Error() string {
	if f.exceptionCode == "" {
		return f.message
	}
	return f.exceptionCode + ": " + f.message
}

func clientFault(format string, args ...any) *soapFault {
	return &soapFault{message: fmt.Sprintf(format, args...)}
}

func apiFault(code, message string) *soapFault {
	return &soapFault{exceptionCode: code, message: message}
}

var errInvalidSession = apiFault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")

// soapRequest is a parsed Metadata API envelope.
type soapRequest struct {
	sessionID  string
	hasSession bool
	allOrNone  bool
	operation  string
	body       *xmltree.Element
}

// parseSOAPRequest reads the envelope. Header and operation elements must
// be in the Metadata namespace, as must everything inside the operation.
func parseSOAPRequest(raw []byte) (*soapRequest, *soapFault) {
	if err := checkBodyNamespaces(raw); err != nil {
		return nil, err
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	env, err := nextStart(dec)
	if err != nil || env.Name.Space != soapEnvelopeNamespace || env.Name.Local != "Envelope" {
		return nil, clientFault("Unable to parse the request: expected a SOAP 1.1 Envelope in namespace %s", soapEnvelopeNamespace)
	}
	req := &soapRequest{}
	for {
		el, err := nextStart(dec)
		if errors.Is(err, errEndOfParent) || errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, clientFault("Unable to parse the request: %v", err)
		}
		if el.Name.Space != soapEnvelopeNamespace {
			return nil, clientFault("Element {%s}%s invalid at this location in type Envelope", el.Name.Space, el.Name.Local)
		}
		switch el.Name.Local {
		case "Header":
			if fault := req.readHeaders(dec); fault != nil {
				return nil, fault
			}
		case "Body":
			op, err := nextStart(dec)
			if err != nil {
				return nil, clientFault("Unable to parse the request: the SOAP Body holds no operation")
			}
			tree, err := xmltree.Decode(dec, op)
			if err != nil {
				return nil, clientFault("Unable to parse the request: %v", err)
			}
			req.operation, req.body = op.Name.Local, tree
			if err := dec.Skip(); err != nil {
				return nil, clientFault("Unable to parse the request: %v", err)
			}
		default:
			return nil, clientFault("Element {%s}%s invalid at this location in type Envelope", el.Name.Space, el.Name.Local)
		}
	}
	if req.body == nil {
		return nil, clientFault("Unable to parse the request: the envelope has no Body")
	}
	return req, nil
}

func (req *soapRequest) readHeaders(dec *xml.Decoder) *soapFault {
	for {
		el, err := nextStart(dec)
		if errors.Is(err, errEndOfParent) {
			return nil
		}
		if err != nil {
			return clientFault("Unable to parse the request: %v", err)
		}
		if el.Name.Space != metadataNamespace {
			for _, attr := range el.Attr {
				if attr.Name.Space == soapEnvelopeNamespace && attr.Name.Local == "mustUnderstand" && attr.Value == "1" {
					return clientFault("Did not understand \"MustUnderstand\" header(s):{%s}%s", el.Name.Space, el.Name.Local)
				}
			}
			if err := dec.Skip(); err != nil {
				return clientFault("Unable to parse the request: %v", err)
			}
			continue
		}
		tree, err := xmltree.Decode(dec, el)
		if err != nil {
			return clientFault("Unable to parse the request: %v", err)
		}
		switch tree.Name {
		case "SessionHeader":
			if id, ok := tree.ChildText("sessionId"); ok {
				req.sessionID, req.hasSession = strings.TrimSpace(id), true
			}
		case "AllOrNoneHeader":
			value, _ := tree.ChildText("allOrNone")
			switch strings.TrimSpace(value) {
			case "true", "1":
				req.allOrNone = true
			case "false", "0":
				req.allOrNone = false
			default:
				return clientFault("Unable to parse the request: invalid boolean %q in AllOrNoneHeader/allOrNone", value)
			}
		}
	}
}

var errEndOfParent = errors.New("end of parent element")

// nextStart returns the next start element at the current level, skipping
// character data, comments and processing instructions. It returns
// errEndOfParent at the end tag of the enclosing element.
func nextStart(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, errEndOfParent
		}
	}
}

// checkBodyNamespaces checks that every element inside the SOAP Body is in
// the Metadata namespace.
func checkBodyNamespaces(raw []byte) *soapFault {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	depth, bodyDepth := 0, -1
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return clientFault("Unable to parse the request: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if bodyDepth < 0 && depth == 2 && t.Name.Space == soapEnvelopeNamespace && t.Name.Local == "Body" {
				bodyDepth = depth
				continue
			}
			if bodyDepth > 0 && t.Name.Space != metadataNamespace {
				return clientFault("Element {%s}%s invalid at this location", t.Name.Space, t.Name.Local)
			}
		case xml.EndElement:
			if depth == bodyDepth {
				return nil
			}
			depth--
		}
	}
}

// writeSOAPResponse writes a successful response whose Body holds body.
func writeSOAPResponse(w http.ResponseWriter, body *xmltree.Element) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + soapEnvelopeNamespace + `"><soapenv:Body>`)
	_ = body.Encode(&buf, xmltree.EncodeOptions{Namespace: metadataNamespace, DeclareXSI: true})
	buf.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// writeSOAPFault writes f with HTTP status 500, as SOAP 1.1 requires.
func writeSOAPFault(w http.ResponseWriter, f *soapFault) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + soapEnvelopeNamespace +
		`" xmlns:sf="` + metadataNamespace + `" xmlns:xsi="` + xmltree.XSINamespace + `"><soapenv:Body><soapenv:Fault><faultcode>`)
	if f.exceptionCode == "" {
		buf.WriteString("soapenv:Client</faultcode><faultstring>")
		xmltree.EscapeText(&buf, f.message)
		buf.WriteString("</faultstring>")
	} else {
		buf.WriteString("sf:" + f.exceptionCode + "</faultcode><faultstring>")
		xmltree.EscapeText(&buf, f.exceptionCode+": "+f.message)
		buf.WriteString(`</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>`)
		buf.WriteString(f.exceptionCode)
		buf.WriteString("</sf:exceptionCode><sf:exceptionMessage>")
		xmltree.EscapeText(&buf, f.message)
		buf.WriteString("</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>")
	}
	buf.WriteString("</soapenv:Fault></soapenv:Body></soapenv:Envelope>")
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(buf.Bytes())
}

// checkSOAPTransport checks the HTTP headers SOAP 1.1 requires.
//
// NOTE: the faults Salesforce returns for a missing SOAPAction header and
// for a wrong Content-Type are unconfirmed; the first text is a guess.
func checkSOAPTransport(r *http.Request) *soapFault {
	if _, ok := r.Header["Soapaction"]; !ok {
		return clientFault("No SOAPAction header!")
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "text/xml" {
		return clientFault("Content-Type must be text/xml for SOAP 1.1 requests, not %q", r.Header.Get("Content-Type"))
	}
	return nil
}
