package salesforce

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
)

// InstalledFromPackage reports whether a listMetadata entry is a component
// installed from a package, not created in the org: its manageableState is
// one that a subscriber org reports, or the entry has a namespace prefix and
// no state.
func InstalledFromPackage(p metadata.FileProperties) bool {
	switch p.ManageableState {
	case "installed", "installedEditable", "beta", "deprecated", "deprecatedEditable":
		return true
	case "":
		return p.NamespacePrefix != ""
	}
	return false
}

// MetadataReadable reports whether readMetadata can return the component of
// a listMetadata entry. That is a component with no manageableState and no
// namespace prefix, or one whose state is unmanaged, released (part of a
// package that this org publishes), installedEditable or deprecatedEditable.
// The last two follow the filter of Salesforce's own org browser, which
// retrieves installed components only in those states.
//
// NOTE: that readMetadata returns nothing for installed managed connected
// apps is reported for apps not created in the org in general, and is
// unconfirmed for namespaced ones.
func MetadataReadable(p metadata.FileProperties) bool {
	switch p.ManageableState {
	case "unmanaged", "released", "installedEditable", "deprecatedEditable":
		return true
	case "":
		return p.NamespacePrefix == ""
	}
	return false
}

// ListConnectedApps returns the listMetadata entry of every connected app,
// fetched now rather than from the list that FindConnectedAppProperties
// keeps.
func (c *Client) ListConnectedApps(ctx context.Context) ([]metadata.FileProperties, error) {
	list, err := c.metadata.List(ctx, connectedapp.MetadataType)
	if err != nil {
		return nil, fmt.Errorf("listing connected apps: %w", err)
	}
	return list, nil
}

// FindConnectedAppPropertiesByID returns the listMetadata entry whose id is
// the ConnectedApplication Id id, given with 15 or 18 characters. None gives
// an error wrapping ErrNotFound.
func (c *Client) FindConnectedAppPropertiesByID(ctx context.Context, id string) (*metadata.FileProperties, error) {
	list, err := c.ListConnectedApps(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if SameID(p.ID, id) {
			return &p, nil
		}
	}
	return nil, fmt.Errorf("connected app with Id %s %w in listMetadata", id, ErrNotFound)
}

// FindConnectedAppByConsumerKey reads every connected app that readMetadata
// can return and returns the one whose consumer key is key. Apps installed
// from a package are skipped, because readMetadata does not return them and
// a batch that names one can fail as a whole. None gives an error wrapping
// ErrNotFound.
func (c *Client) FindConnectedAppByConsumerKey(ctx context.Context, key string) (*connectedapp.App, error) {
	list, err := c.ListConnectedApps(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range list {
		if MetadataReadable(p) {
			names = append(names, p.FullName)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("connected app with consumer key %s %w", key, ErrNotFound)
	}
	apps, err := c.FindConnectedApps(ctx, names)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if app, ok := apps[name]; ok && app.ConsumerKey() == key {
			return app, nil
		}
	}
	return nil, fmt.Errorf("connected app with consumer key %s %w", key, ErrNotFound)
}

// SameID reports whether two Salesforce Ids name the same record. An
// 18-character Id is the 15-character, case-sensitive Id with a checksum
// suffix, so the first 15 characters decide.
func SameID(a, b string) bool {
	if len(a) < 15 || len(b) < 15 {
		return a == b
	}
	return ShortID(a) == ShortID(b)
}

// ConnectedApplications returns every ConnectedApplication record of the
// org, installed apps included.
func (c *Client) ConnectedApplications(ctx context.Context) ([]ConnectedApplication, error) {
	soql := "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsHasSessionLevelPolicy, " +
		"OptionsRefreshTokenValidityMetric, RefreshTokenValidityPeriod, StartUrl, MobileStartUrl " +
		"FROM ConnectedApplication"
	var found []ConnectedApplication
	err := c.rest.Query(ctx, soql, func(raw json.RawMessage) error {
		var rec ConnectedApplication
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		found = append(found, rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing ConnectedApplication records: %w", err)
	}
	return found, nil
}

// ShortID returns the 15-character form of an Id, which names the same
// record as the 18-character form.
func ShortID(id string) string {
	if len(id) > 15 {
		return id[:15]
	}
	return id
}

// IsRecordID reports whether id has the form of a Salesforce record Id: 15
// or 18 letters and digits.
func IsRecordID(id string) bool {
	if len(id) != 15 && len(id) != 18 {
		return false
	}
	for _, r := range id {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
