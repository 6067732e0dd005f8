package transport

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// BodyError is a response whose body is not in the format that the call
// expects: empty, an HTML page such as Salesforce's maintenance page, or
// truncated or malformed XML or JSON.
type BodyError struct {
	Operation string
	Status    int
	// Format is the format the call expects, such as "SOAP envelope" or
	// "JSON".
	Format string
	// Problem describes the body, such as "is empty" or "is an HTML page
	// titled "Down for Maintenance"".
	Problem string
	Err     error // the parser's error, when one failed
}

func (e *BodyError) Error() string {
	msg := fmt.Sprintf("%s: the response (HTTP %d) %s instead of a %s", e.Operation, e.Status, e.Problem, e.Format)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if strings.Contains(e.Problem, "HTML page") {
		msg += ". Salesforce serves such pages during maintenance and from proxies; try again later"
	}
	return msg
}

func (e *BodyError) Unwrap() error { return e.Err }

// Transient reports true for a success status. The body was lost or mangled
// on the way, so a write may have taken effect and a read may succeed when
// sent again.
func (e *BodyError) Transient() bool {
	return e.Status >= 200 && e.Status <= 299
}

// NewBodyError returns the *BodyError of resp for a call that expected
// format and whose parser failed with parseErr, or nil parseErr when the
// body parsed but contained nothing usable. An empty or HTML body is named as
// such, and parseErr is then dropped because it adds nothing.
func NewBodyError(operation string, resp *Response, format string, parseErr error) *BodyError {
	e := &BodyError{Operation: operation, Status: resp.Status, Format: format, Err: parseErr}
	if problem, ok := DescribeBody(resp.Header, resp.Body); ok {
		e.Problem, e.Err = problem, nil
		return e
	}
	e.Problem = "is truncated or malformed"
	return e
}

// DescribeBody names a body that no API decoder can read: "is empty" for an
// empty or blank body, and "is an HTML page" (with its title when it has
// one) for a page served as text/html or starting with an HTML tag. It
// returns false for other bodies.
func DescribeBody(header http.Header, body []byte) (string, bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "is empty", true
	}
	if !isHTML(header, trimmed) {
		return "", false
	}
	if title := htmlTitle(trimmed); title != "" {
		return fmt.Sprintf("is an HTML page titled %q", title), true
	}
	return "is an HTML page", true
}

func isHTML(header http.Header, trimmed []byte) bool {
	if header != nil {
		if mediaType, _, err := mime.ParseMediaType(header.Get("Content-Type")); err == nil &&
			(mediaType == "text/html" || mediaType == "application/xhtml+xml") {
			return true
		}
	}
	head := strings.ToLower(string(trimmed[:min(len(trimmed), 64)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// titlePattern finds the title of an HTML page.
var titlePattern = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// maxTitleLength caps how much of a page title an error quotes.
const maxTitleLength = 80

// htmlTitle returns the page's title with its white space collapsed, cut to
// maxTitleLength characters, or "".
func htmlTitle(page []byte) string {
	m := titlePattern.FindSubmatch(page[:min(len(page), 16<<10)])
	if m == nil || !utf8.Valid(m[1]) {
		return ""
	}
	title := strings.Join(strings.Fields(string(m[1])), " ")
	if utf8.RuneCountInString(title) > maxTitleLength {
		title = string([]rune(title)[:maxTitleLength]) + "..."
	}
	return title
}
