package salesforce

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// connectedAppGrantsSOQL selects the SetupEntityAccess rows of every
// connected app. A condition on SetupEntityId narrows it to one app.
const connectedAppGrantsSOQL = "SELECT Id, ParentId, SetupEntityId, Parent.Name, Parent.NamespacePrefix, " +
	"Parent.IsOwnedByProfile, Parent.Profile.Name FROM SetupEntityAccess " +
	"WHERE SetupEntityType = 'ConnectedApplication'"

// enableSharedReads turns on the component reader, the grants cache and
// the lookup caches.
func (c *Client) enableSharedReads() {
	c.components = newComponentReader(
		func(ctx context.Context, names []string) ([]*xmltree.Element, error) {
			return c.metadata.Read(ctx, connectedapp.MetadataType, names)
		},
		c.connectedAppNames,
	)
	c.grants = newGrantsCache(c.queryGrants, c.queryAllGrants)
	c.grants.componentApps = c.components.requestedCount
	c.profiles = newLookupCache[Profile]()
	c.permissionSets = newLookupCache[PermissionSet]()
}

// FindConnectedAppFresh reads the connected app name with a readMetadata
// call sent after it was called, never from a cache, for the read before a
// write and the read back after it. Other fresh reads sent within the
// coalescing window share the call. A missing or unreadable app gives an
// error wrapping ErrNotFound.
func (c *Client) FindConnectedAppFresh(ctx context.Context, name string) (*connectedapp.App, error) {
	if c.components == nil {
		return c.FindConnectedApp(ctx, name)
	}
	return c.findSharedConnectedApp(ctx, name, true)
}

func (c *Client) findSharedConnectedApp(ctx context.Context, name string, fresh bool) (*connectedapp.App, error) {
	el, err := c.components.find(ctx, name, fresh)
	if err != nil {
		return nil, fmt.Errorf("reading connected app %q: %w", name, err)
	}
	if el == nil {
		return nil, fmt.Errorf("connected app %q %w", name, ErrNotFound)
	}
	// Callers edit the component they get, and the cached one is shared.
	return connectedapp.FromElement(el.Clone()), nil
}

// FindGrantsFresh returns the SetupEntityAccess rows of the connected app
// with ConnectedApplication id appID from a query sent after it was called,
// for reads inside the app's lock.
func (c *Client) FindGrantsFresh(ctx context.Context, appID string) ([]Grant, error) {
	if c.grants == nil {
		return c.queryGrants(ctx, appID)
	}
	return c.grants.find(ctx, appID, true)
}

// queryAllGrants returns the SetupEntityAccess rows of every connected app
// in the org, following the query's pages.
func (c *Client) queryAllGrants(ctx context.Context) ([]Grant, error) {
	var grants []Grant
	err := c.rest.Query(ctx, connectedAppGrantsSOQL, func(raw json.RawMessage) error {
		var rec grantRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		grants = append(grants, rec.grant())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding access grants of all connected apps: %w", err)
	}
	return grants, nil
}

// connectedAppNames returns the fullNames of the org's connected apps from
// the listMetadata result that FindConnectedAppProperties keeps.
func (c *Client) connectedAppNames(ctx context.Context) ([]string, error) {
	c.listMu.Lock()
	defer c.listMu.Unlock()
	if c.appsList == nil {
		if err := c.listApps(ctx); err != nil {
			return nil, err
		}
	}
	names := make([]string, len(c.appsList))
	for i, p := range c.appsList {
		names[i] = p.FullName
	}
	return names, nil
}

// invalidateApps drops the shared reads of the named apps and every cached
// grant, after a create, delete or rename.
func (c *Client) invalidateApps(names ...string) {
	if c.components == nil {
		return
	}
	c.components.invalidate(names...)
	c.grants.invalidateAll()
}

// invalidateUpdatedApp drops the shared reads of the app name after an
// update, which may also change its profile and permission set grants.
func (c *Client) invalidateUpdatedApp(name string) {
	if c.components == nil {
		return
	}
	c.components.invalidate(name)

	c.listMu.Lock()
	props := findProperties(c.appsList, name)
	c.listMu.Unlock()
	if props == nil || props.ID == "" {
		c.grants.invalidateAll()
		return
	}
	c.grants.invalidate(props.ID)
}

// invalidateGrants drops the cached grants of the app appID.
func (c *Client) invalidateGrants(appID string) {
	if c.grants != nil {
		c.grants.invalidate(appID)
	}
}

// invalidateGrant drops the cached grants of the app that the
// SetupEntityAccess row id belongs to, or every cached grant when the row
// is not cached.
func (c *Client) invalidateGrant(id string) {
	if c.grants != nil {
		c.grants.invalidateRow(id)
	}
}
