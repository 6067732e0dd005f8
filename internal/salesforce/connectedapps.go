package salesforce

import (
	"context"
	"fmt"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// FindConnectedApp reads the connected app with API name name. A missing or
// unreadable app gives an error wrapping ErrNotFound. With shared reads on,
// the component may come from a call made earlier in the run for another
// resource, so reads inside an app's lock use FindConnectedAppFresh.
func (c *Client) FindConnectedApp(ctx context.Context, name string) (*connectedapp.App, error) {
	if c.components != nil {
		return c.findSharedConnectedApp(ctx, name, false)
	}
	records, err := c.metadata.Read(ctx, connectedapp.MetadataType, []string{name})
	if err != nil {
		return nil, fmt.Errorf("reading connected app %q: %w", name, err)
	}
	if len(records) == 0 || records[0] == nil {
		return nil, fmt.Errorf("connected app %q %w", name, ErrNotFound)
	}
	return connectedapp.FromElement(records[0]), nil
}

// FindConnectedApps reads the connected apps named names and returns those
// that exist, keyed by the requested name.
func (c *Client) FindConnectedApps(ctx context.Context, names []string) (map[string]*connectedapp.App, error) {
	records, err := c.metadata.Read(ctx, connectedapp.MetadataType, names)
	if err != nil {
		return nil, fmt.Errorf("reading %d connected apps: %w", len(names), err)
	}
	apps := make(map[string]*connectedapp.App, len(names))
	for i, rec := range records {
		if rec != nil {
			apps[names[i]] = connectedapp.FromElement(rec)
		}
	}
	return apps, nil
}

// CreateConnectedApp creates app. A rejected component gives an error
// wrapping *metadata.SaveError, which carries Salesforce's statusCode and
// message.
func (c *Client) CreateConnectedApp(ctx context.Context, app *connectedapp.App) error {
	defer c.invalidateAppList()
	defer c.invalidateApps(app.FullName())
	ctx = maskComponentSecrets(ctx, app)
	return c.createConnectedAppChecked(ctx, app.ForCreate())
}

// UpdateConnectedApp replaces the connected app with app, sent without its
// consumer key and secret, which Salesforce fixes at creation. A missing app
// gives an error wrapping both ErrNotFound and *metadata.SaveError.
func (c *Client) UpdateConnectedApp(ctx context.Context, app *connectedapp.App) error {
	defer c.invalidateUpdatedApp(app.FullName())
	return c.updateConnectedAppChecked(ctx, app.ForUpdate())
}

type saveFunc func(ctx context.Context, typ string, comps []*xmltree.Element) ([]metadata.SaveResult, error)

func (c *Client) saveConnectedApp(ctx context.Context, action string, app *connectedapp.App, save saveFunc) error {
	name := app.FullName()
	results, err := save(ctx, connectedapp.MetadataType, []*xmltree.Element{app.Element()})
	if err != nil {
		return fmt.Errorf("%s connected app %q: %w", action, name, err)
	}
	return resultError(action, name, results[0].Err())
}

// DeleteConnectedApp deletes the connected app name. A missing app gives an
// error wrapping ErrNotFound.
func (c *Client) DeleteConnectedApp(ctx context.Context, name string) error {
	defer c.invalidateAppList()
	defer c.invalidateApps(name)
	return c.deleteConnectedAppChecked(ctx, name)
}

// RenameConnectedApp changes the API name of a connected app from oldName
// to newName. A missing app gives an error wrapping ErrNotFound.
func (c *Client) RenameConnectedApp(ctx context.Context, oldName, newName string) error {
	defer c.invalidateAppList()
	defer c.invalidateApps(oldName, newName)
	return c.renameConnectedAppChecked(ctx, oldName, newName)
}

// resultError wraps a SaveResult error with the action and app name, and
// also with ErrNotFound when the error reports a missing app.
func resultError(action, name string, err error) error {
	switch {
	case err == nil:
		return nil
	case metadata.IsNotFound(err):
		return fmt.Errorf("%s connected app %q: %w: %w", action, name, ErrNotFound, err)
	default:
		return fmt.Errorf("%s connected app %q: %w", action, name, err)
	}
}

// FindConnectedAppProperties returns the listMetadata entry of the connected
// app name, which carries its id, namespace and audit fields. The list is
// fetched once and kept until a create, delete or rename through this
// Client. When name is missing from a kept list, the list is fetched again,
// because another process may have created the app. A missing app gives an
// error wrapping ErrNotFound.
func (c *Client) FindConnectedAppProperties(ctx context.Context, name string) (*metadata.FileProperties, error) {
	c.listMu.Lock()
	defer c.listMu.Unlock()

	fresh := false
	if c.appsList == nil {
		if err := c.listApps(ctx); err != nil {
			return nil, err
		}
		fresh = true
	}
	if props := findProperties(c.appsList, name); props != nil {
		return props, nil
	}
	if !fresh {
		if err := c.listApps(ctx); err != nil {
			return nil, err
		}
		if props := findProperties(c.appsList, name); props != nil {
			return props, nil
		}
	}
	return nil, fmt.Errorf("connected app %q %w in listMetadata", name, ErrNotFound)
}

// listApps fetches the connected app list. The caller holds c.listMu.
func (c *Client) listApps(ctx context.Context) error {
	list, err := c.metadata.List(ctx, connectedapp.MetadataType)
	if err != nil {
		return fmt.Errorf("listing connected apps: %w", err)
	}
	if list == nil {
		list = []metadata.FileProperties{}
	}
	c.appsList = list
	return nil
}

func (c *Client) invalidateAppList() {
	c.listMu.Lock()
	defer c.listMu.Unlock()
	c.appsList = nil
}

// findProperties returns a copy of the entry whose fullName is name, an
// exact match first and then a case-insensitive one.
func findProperties(list []metadata.FileProperties, name string) *metadata.FileProperties {
	for _, p := range list {
		if p.FullName == name {
			return &p
		}
	}
	for _, p := range list {
		if strings.EqualFold(p.FullName, name) {
			return &p
		}
	}
	return nil
}
