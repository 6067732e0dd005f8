// Package metadata is a client for the CRUD-based calls of the Salesforce
// Metadata SOAP API. It works for any component type and carries components
// as *xmltree.Element records, so elements that no Go type models survive a
// read and a write.
package metadata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// MaxBatch is the number of components one create, read, update or delete
// call accepts for most types. The client splits longer lists.
const MaxBatch = 10

// ClientName is sent in the CallOptions header of every call.
const ClientName = "terraform-provider-salesforce"

// Doer sends API requests; *transport.Client implements it.
type Doer = transport.Doer

// Client calls the Metadata API at <instance>/services/Soap/m/<apiVersion>.
type Client struct {
	doer       Doer
	apiVersion string
	clientName string
	retry      transport.Retry // schedule of lock-conflict retries
}

// New returns a client for the API version apiVersion, such as "68.0".
func New(doer Doer, apiVersion string) *Client {
	return &Client{doer: doer, apiVersion: apiVersion, clientName: ClientName, retry: transport.Retry{}.WithDefaults()}
}

// Read returns the components of type typ named fullNames, one slot per
// name in the same order. A slot is nil when Salesforce returned no record
// with a fullName for it (xsi:nil), which means the component is missing or
// not readable. Each record is an element named typ with its children as
// Salesforce sent them, and without the xsi:type attribute.
func (c *Client) Read(ctx context.Context, typ string, fullNames []string) ([]*xmltree.Element, error) {
	out := make([]*xmltree.Element, 0, len(fullNames))
	for _, chunk := range chunks(fullNames) {
		var payload bytes.Buffer
		writeText(&payload, "type", typ)
		for _, name := range chunk {
			writeText(&payload, "fullNames", name)
		}
		resp, err := c.do(ctx, call{
			operation: "readMetadata",
			readOnly:  true,
			payload:   payload.Bytes(),
			logFields: map[string]any{"metadata_type": typ, "full_names": chunk},
		})
		if err != nil {
			return nil, err
		}
		result := resp.Child("result")
		if result == nil {
			// Salesforce sends a result even when no component exists, so
			// its absence must not read as every component missing.
			return nil, errors.New("readMetadata: the response has no <result> element")
		}
		out = append(out, matchRecords(typ, chunk, result.ChildrenNamed("records"))...)
	}
	return out, nil
}

// matchRecords places each record in the slot of the requested name it
// carries: an exact fullName match first, then a case-insensitive one, then
// the record's position when Salesforce returned one record per name.
func matchRecords(typ string, names []string, records []*xmltree.Element) []*xmltree.Element {
	slots := make([]*xmltree.Element, len(names))
	used := make([]bool, len(records))
	place := func(match func(name, fullName string) bool) {
		for i, rec := range records {
			fullName, ok := rec.ChildText("fullName")
			if used[i] || rec.Nil || !ok || fullName == "" {
				continue
			}
			for j, name := range names {
				if slots[j] == nil && match(name, fullName) {
					slots[j] = asComponent(typ, rec)
					used[i] = true
					break
				}
			}
		}
	}
	place(func(name, fullName string) bool { return name == fullName })
	place(strings.EqualFold)
	if len(records) == len(names) {
		place(func(name, fullName string) bool { return true })
	}
	return slots
}

func asComponent(typ string, rec *xmltree.Element) *xmltree.Element {
	el := rec.Clone()
	el.Name = typ
	el.Type = ""
	return el
}

// Create creates comps, components of type typ, at most MaxBatch per call
// with all-or-none semantics inside each call. A failure in a later call
// leaves the components of earlier calls created. Components that failed
// only because of a lock conflict (UNABLE_TO_LOCK_ROW, ALREADY_IN_PROCESS)
// are sent again with back-off. Results follow the order of comps.
func (c *Client) Create(ctx context.Context, typ string, comps []*xmltree.Element) ([]SaveResult, error) {
	return c.save(ctx, "createMetadata", typ, comps)
}

// Update replaces comps, components of type typ, batching as Create does.
func (c *Client) Update(ctx context.Context, typ string, comps []*xmltree.Element) ([]SaveResult, error) {
	return c.save(ctx, "updateMetadata", typ, comps)
}

func (c *Client) save(ctx context.Context, operation, typ string, comps []*xmltree.Element) ([]SaveResult, error) {
	var out []SaveResult
	for _, chunk := range chunks(comps) {
		names := make([]string, len(chunk))
		for i, comp := range chunk {
			names[i], _ = comp.ChildText("fullName")
		}
		results, err := c.saveRetryingLocks(ctx, operation, names, func(positions []int) ([]SaveResult, error) {
			var payload bytes.Buffer
			sent := make([]string, len(positions))
			for i, pos := range positions {
				sent[i] = names[pos]
				el := &xmltree.Element{Name: "metadata", Type: typ, Children: chunk[pos].Children}
				if err := el.Encode(&payload, xmltree.EncodeOptions{}); err != nil {
					return nil, fmt.Errorf("%s: encoding %s %q: %w", operation, typ, names[pos], err)
				}
			}
			return c.saveCall(ctx, call{
				operation: operation,
				allOrNone: true,
				payload:   payload.Bytes(),
				logFields: map[string]any{"metadata_type": typ, "full_names": sent},
			}, len(positions))
		})
		if err != nil {
			return nil, err
		}
		out = append(out, results...)
	}
	return out, nil
}

// Delete deletes the components of type typ named fullNames, batching as
// Create does. A missing component gives a result whose Err matches
// IsNotFound.
func (c *Client) Delete(ctx context.Context, typ string, fullNames []string) ([]SaveResult, error) {
	var out []SaveResult
	for _, chunk := range chunks(fullNames) {
		results, err := c.saveRetryingLocks(ctx, "deleteMetadata", chunk, func(positions []int) ([]SaveResult, error) {
			var payload bytes.Buffer
			writeText(&payload, "type", typ)
			sent := make([]string, len(positions))
			for i, pos := range positions {
				sent[i] = chunk[pos]
				writeText(&payload, "fullNames", chunk[pos])
			}
			return c.saveCall(ctx, call{
				operation: "deleteMetadata",
				allOrNone: true,
				payload:   payload.Bytes(),
				logFields: map[string]any{"metadata_type": typ, "full_names": sent},
			}, len(positions))
		})
		if err != nil {
			return nil, err
		}
		out = append(out, results...)
	}
	return out, nil
}

// Rename changes the fullName of one component of type typ.
func (c *Client) Rename(ctx context.Context, typ, oldName, newName string) (SaveResult, error) {
	var payload bytes.Buffer
	writeText(&payload, "type", typ)
	writeText(&payload, "oldFullName", oldName)
	writeText(&payload, "newFullName", newName)
	results, err := c.saveRetryingLocks(ctx, "renameMetadata", []string{oldName}, func([]int) ([]SaveResult, error) {
		return c.saveCall(ctx, call{
			operation: "renameMetadata",
			payload:   payload.Bytes(),
			logFields: map[string]any{"metadata_type": typ, "full_names": []string{oldName, newName}},
		}, 1)
	})
	if err != nil {
		return SaveResult{}, err
	}
	return results[0], nil
}

// saveCall sends cl and parses the want SaveResults it must return.
func (c *Client) saveCall(ctx context.Context, cl call, want int) ([]SaveResult, error) {
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	elements := resp.ChildrenNamed("result")
	if len(elements) != want {
		return nil, fmt.Errorf("%s: expected %d results, got %d", cl.operation, want, len(elements))
	}
	results := make([]SaveResult, len(elements))
	for i, el := range elements {
		results[i] = parseSaveResult(el)
	}
	return results, nil
}

// List returns the properties of every component of type typ in the org,
// through listMetadata at the client's API version.
func (c *Client) List(ctx context.Context, typ string) ([]FileProperties, error) {
	var payload bytes.Buffer
	payload.WriteString("<queries>")
	writeText(&payload, "type", typ)
	payload.WriteString("</queries>")
	writeText(&payload, "asOfVersion", c.apiVersion)

	resp, err := c.do(ctx, call{
		operation: "listMetadata",
		readOnly:  true,
		payload:   payload.Bytes(),
		logFields: map[string]any{"metadata_type": typ},
	})
	if err != nil {
		return nil, err
	}
	var out []FileProperties
	for _, el := range resp.ChildrenNamed("result") {
		if el.Nil {
			continue
		}
		props, err := parseFileProperties(el)
		if err != nil {
			return nil, fmt.Errorf("listMetadata: %w", err)
		}
		if props.FullName == "" {
			return nil, errors.New("listMetadata: a result has no fullName")
		}
		out = append(out, props)
	}
	return out, nil
}

func chunks[T any](items []T) [][]T {
	var out [][]T
	for len(items) > MaxBatch {
		out = append(out, items[:MaxBatch])
		items = items[MaxBatch:]
	}
	if len(items) > 0 {
		out = append(out, items)
	}
	return out
}
