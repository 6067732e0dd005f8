package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/rest"
)

// Profile is a user profile.
type Profile struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

// PermissionSet is a permission set that no profile owns.
type PermissionSet struct {
	ID              string `json:"Id"`
	Name            string `json:"Name"`
	Label           string `json:"Label"`
	NamespacePrefix string `json:"NamespacePrefix"`
}

// Grant is a SetupEntityAccess row: access to a connected app given through
// a permission set, or through the permission set a profile owns.
type Grant struct {
	ID            string // SetupEntityAccess id
	ParentID      string // PermissionSet id
	SetupEntityID string // ConnectedApplication id

	ParentName            string
	ParentNamespacePrefix string
	IsOwnedByProfile      bool
	ProfileName           string // set when IsOwnedByProfile is true
}

// FindProfileByName returns the profile whose Name is name. None gives an
// error wrapping ErrNotFound.
func (c *Client) FindProfileByName(ctx context.Context, name string) (*Profile, error) {
	if c.profiles != nil {
		return c.profiles.get(ctx, name, func(ctx context.Context) (*Profile, error) {
			return c.queryProfileByName(ctx, name)
		})
	}
	return c.queryProfileByName(ctx, name)
}

func (c *Client) queryProfileByName(ctx context.Context, name string) (*Profile, error) {
	soql := "SELECT Id, Name FROM Profile WHERE Name = " + rest.QuoteString(name)
	var found []Profile
	err := c.rest.Query(ctx, soql, func(rec json.RawMessage) error {
		var p Profile
		if err := json.Unmarshal(rec, &p); err != nil {
			return err
		}
		found = append(found, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding profile %q: %w", name, err)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("profile %q %w", name, ErrNotFound)
	}
	return &found[0], nil
}

// FindPermissionSetByName returns the permission set with API name apiName,
// which is "ns__Name" for a permission set from a namespace and "Name"
// otherwise. Profile-owned permission sets are not matched. None gives an
// error wrapping ErrNotFound.
func (c *Client) FindPermissionSetByName(ctx context.Context, apiName string) (*PermissionSet, error) {
	if c.permissionSets != nil {
		return c.permissionSets.get(ctx, apiName, func(ctx context.Context) (*PermissionSet, error) {
			return c.queryPermissionSetByName(ctx, apiName)
		})
	}
	return c.queryPermissionSetByName(ctx, apiName)
}

func (c *Client) queryPermissionSetByName(ctx context.Context, apiName string) (*PermissionSet, error) {
	namespace := "null"
	name := apiName
	if ns, local, ok := strings.Cut(apiName, "__"); ok && ns != "" && local != "" {
		namespace, name = rest.QuoteString(ns), local
	}
	soql := "SELECT Id, Name, Label, NamespacePrefix FROM PermissionSet WHERE Name = " + rest.QuoteString(name) +
		" AND NamespacePrefix = " + namespace + " AND IsOwnedByProfile = false"

	var found []PermissionSet
	err := c.rest.Query(ctx, soql, func(rec json.RawMessage) error {
		var ps PermissionSet
		if err := json.Unmarshal(rec, &ps); err != nil {
			return err
		}
		found = append(found, ps)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding permission set %q: %w", apiName, err)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("permission set %q %w", apiName, ErrNotFound)
	}
	return &found[0], nil
}

// grantRecord is a SetupEntityAccess query record.
type grantRecord struct {
	ID            string `json:"Id"`
	ParentID      string `json:"ParentId"`
	SetupEntityID string `json:"SetupEntityId"`
	Parent        *struct {
		Name             string `json:"Name"`
		NamespacePrefix  string `json:"NamespacePrefix"`
		IsOwnedByProfile bool   `json:"IsOwnedByProfile"`
		Profile          *struct {
			Name string `json:"Name"`
		} `json:"Profile"`
	} `json:"Parent"`
}

// FindGrants returns the SetupEntityAccess rows that grant the connected
// app with ConnectedApplication id appID. With shared reads on, the rows
// may come from one query of the whole org made earlier in the run, so
// reads inside an app's lock use FindGrantsFresh.
func (c *Client) FindGrants(ctx context.Context, appID string) ([]Grant, error) {
	if c.grants != nil {
		return c.grants.find(ctx, appID, false)
	}
	return c.queryGrants(ctx, appID)
}

func (c *Client) queryGrants(ctx context.Context, appID string) ([]Grant, error) {
	soql := connectedAppGrantsSOQL + " AND SetupEntityId = " + rest.QuoteString(appID)

	var grants []Grant
	err := c.rest.Query(ctx, soql, func(raw json.RawMessage) error {
		var rec grantRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		grants = append(grants, rec.grant())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding access grants of connected app %s: %w", appID, err)
	}
	return grants, nil
}

func (r grantRecord) grant() Grant {
	g := Grant{ID: r.ID, ParentID: r.ParentID, SetupEntityID: r.SetupEntityID}
	if r.Parent != nil {
		g.ParentName = r.Parent.Name
		g.ParentNamespacePrefix = r.Parent.NamespacePrefix
		g.IsOwnedByProfile = r.Parent.IsOwnedByProfile
		if r.Parent.Profile != nil {
			g.ProfileName = r.Parent.Profile.Name
		}
	}
	return g
}

// CreateGrant gives the permission set parentID access to the connected app
// with ConnectedApplication id appID, and returns the SetupEntityAccess id.
func (c *Client) CreateGrant(ctx context.Context, parentID, appID string) (string, error) {
	defer c.invalidateGrants(appID)
	id, err := c.createGrantChecked(ctx, parentID, appID)
	if err != nil {
		return "", fmt.Errorf("granting permission set %s access to connected app %s: %w", parentID, appID, err)
	}
	return id, nil
}

// DeleteGrant deletes the SetupEntityAccess row id. A missing row gives an
// error wrapping ErrNotFound.
func (c *Client) DeleteGrant(ctx context.Context, id string) error {
	defer c.invalidateGrant(id)
	err := c.deleteGrantChecked(ctx, id)
	switch {
	case err == nil:
		return nil
	case rest.IsNotFound(err):
		return fmt.Errorf("deleting access grant %s: %w: %w", id, ErrNotFound, err)
	default:
		return fmt.Errorf("deleting access grant %s: %w", id, err)
	}
}
