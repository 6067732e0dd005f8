package metadata

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// SaveResult is the outcome for one component of a create, update, delete
// or rename call.
type SaveResult struct {
	FullName string
	Success  bool
	Errors   []Error
}

// Error is one error of a SaveResult, as Salesforce reports it.
type Error struct {
	StatusCode string // such as DUPLICATE_VALUE or INVALID_CROSS_REFERENCE_KEY
	Message    string
	Fields     []string
}

func (e Error) String() string {
	s := e.StatusCode + ": " + e.Message
	if len(e.Fields) > 0 {
		s += " (fields: " + strings.Join(e.Fields, ", ") + ")"
	}
	return s
}

// Err returns nil when r succeeded, else a *SaveError with r's errors.
func (r SaveResult) Err() error {
	if r.Success {
		return nil
	}
	return &SaveError{FullName: r.FullName, Errors: r.Errors}
}

// SaveError is a component that a Metadata API call did not save.
type SaveError struct {
	FullName string
	Errors   []Error
}

func (e *SaveError) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("Metadata API call failed for component %q with no error details", e.FullName)
	}
	parts := make([]string, len(e.Errors))
	for i, item := range e.Errors {
		parts[i] = item.String()
	}
	return fmt.Sprintf("Metadata API call failed for component %q: %s", e.FullName, strings.Join(parts, "; "))
}

// notFoundMessage matches the message Salesforce gives for a missing
// component, such as "no ConnectedApp named Missing_App found", and captures
// the name. The same status and wording also report a missing profile or
// permission set named inside the component, so the name must be the
// component's own.
var notFoundMessage = regexp.MustCompile(`(?i)no \S+ named (.+?) found`)

// IsNotFound reports whether err is a *SaveError for a component that does
// not exist: status INVALID_CROSS_REFERENCE_KEY with a "no <type> named
// <name> found" message.
func IsNotFound(err error) bool {
	var saveErr *SaveError
	if !errors.As(err, &saveErr) {
		return false
	}
	for _, item := range saveErr.Errors {
		if item.StatusCode != "INVALID_CROSS_REFERENCE_KEY" {
			continue
		}
		m := notFoundMessage.FindStringSubmatch(item.Message)
		if m != nil && (saveErr.FullName == "" || strings.EqualFold(m[1], saveErr.FullName)) {
			return true
		}
	}
	return false
}

func parseSaveResult(el *xmltree.Element) SaveResult {
	fullName, _ := el.ChildText("fullName")
	success, _ := el.ChildText("success")
	r := SaveResult{FullName: fullName, Success: strings.TrimSpace(success) == "true"}
	for _, errEl := range el.ChildrenNamed("errors") {
		code, _ := errEl.ChildText("statusCode")
		message, _ := errEl.ChildText("message")
		item := Error{StatusCode: code, Message: message}
		for _, field := range errEl.ChildrenNamed("fields") {
			item.Fields = append(item.Fields, field.Text)
		}
		r.Errors = append(r.Errors, item)
	}
	return r
}

// FileProperties describes one component, as listMetadata returns it.
type FileProperties struct {
	ID                 string
	FullName           string
	FileName           string
	Type               string
	NamespacePrefix    string
	ManageableState    string
	CreatedByName      string
	LastModifiedByName string
	CreatedDate        time.Time
	LastModifiedDate   time.Time
}

func parseFileProperties(el *xmltree.Element) (FileProperties, error) {
	text := func(name string) string {
		v, _ := el.ChildText(name)
		return v
	}
	p := FileProperties{
		ID:                 text("id"),
		FullName:           text("fullName"),
		FileName:           text("fileName"),
		Type:               text("type"),
		NamespacePrefix:    text("namespacePrefix"),
		ManageableState:    text("manageableState"),
		CreatedByName:      text("createdByName"),
		LastModifiedByName: text("lastModifiedByName"),
	}
	var err error
	if p.CreatedDate, err = parseDateTime(text("createdDate")); err != nil {
		return p, fmt.Errorf("createdDate of %q: %w", p.FullName, err)
	}
	if p.LastModifiedDate, err = parseDateTime(text("lastModifiedDate")); err != nil {
		return p, fmt.Errorf("lastModifiedDate of %q: %w", p.FullName, err)
	}
	return p, nil
}

// parseDateTime parses an xsd:dateTime such as 2024-05-01T12:00:00.000Z.
// An empty value gives the zero time.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
