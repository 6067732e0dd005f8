package salesforce

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/rest"
)

// FindOrganizationID returns the 18-character Id of the org the client is
// signed in to.
func (c *Client) FindOrganizationID(ctx context.Context) (string, error) {
	var id string
	err := c.rest.Query(ctx, "SELECT Id FROM Organization", func(rec json.RawMessage) error {
		var row struct {
			ID string `json:"Id"`
		}
		if err := json.Unmarshal(rec, &row); err != nil {
			return err
		}
		id = row.ID
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("finding the organization Id: %w", err)
	}
	if id == "" {
		return "", fmt.Errorf("the Organization query returned no row: %w", ErrNotFound)
	}
	return id, nil
}

// SameOrgID reports whether two org Ids name the same org. Salesforce Ids
// come in a case-sensitive 15-character form and an 18-character form that
// adds a checksum of the letter case. Two 18-character Ids are compared
// whole, and otherwise the first 15 characters are.
func SameOrgID(a, b string) bool {
	if len(a) < 15 || len(b) < 15 {
		return false
	}
	if len(a) == 18 && len(b) == 18 {
		return a == b
	}
	return a[:15] == b[:15]
}

// FindProfilePermissionSetID returns the Id of the hidden permission set
// that the named profile owns, which holds the profile's SetupEntityAccess
// rows.
func (c *Client) FindProfilePermissionSetID(ctx context.Context, profileName string) (string, error) {
	profile, err := c.FindProfileByName(ctx, profileName)
	if err != nil {
		return "", err
	}
	var id string
	soql := "SELECT Id FROM PermissionSet WHERE ProfileId = " + rest.QuoteString(profile.ID)
	err = c.rest.Query(ctx, soql, func(rec json.RawMessage) error {
		var row struct {
			ID string `json:"Id"`
		}
		if err := json.Unmarshal(rec, &row); err != nil {
			return err
		}
		id = row.ID
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("finding the permission set of profile %q: %w", profileName, err)
	}
	if id == "" {
		return "", fmt.Errorf("permission set of profile %q %w", profileName, ErrNotFound)
	}
	return id, nil
}

// CheckAPIVersion returns an error naming the newest served version when the
// instance does not serve apiVersion, such as "68.0".
func (c *Client) CheckAPIVersion(ctx context.Context, apiVersion string) error {
	versions, err := c.rest.Versions(ctx)
	if err != nil {
		return fmt.Errorf("listing the API versions the org serves: %w", err)
	}
	var served []string
	for _, v := range versions {
		if v.Version == apiVersion {
			return nil
		}
		served = append(served, v.Version)
	}
	newest := ""
	if len(served) > 0 {
		newest = served[len(served)-1]
	}
	return fmt.Errorf("the org does not serve API version %s, and the newest it serves is %s", apiVersion, newest)
}
