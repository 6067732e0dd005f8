package salesforce

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/rest"
)

// ConnectedApplication is the read-only sObject view of a connected app.
// Unlike the Metadata API component it can be read for apps installed from
// a managed package, but it shows only some of the policies.
type ConnectedApplication struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
	// OptionsAllowAdminApprovedUsersOnly is true when admin-approved users
	// are pre-authorized (isAdminApproved).
	OptionsAllowAdminApprovedUsersOnly bool `json:"OptionsAllowAdminApprovedUsersOnly"`
	// OptionsHasSessionLevelPolicy is true when the app requires a high
	// assurance session.
	OptionsHasSessionLevelPolicy bool `json:"OptionsHasSessionLevelPolicy"`
	// OptionsRefreshTokenValidityMetric is true when the refresh token
	// expires after a time without use, false when it expires a time after
	// issue.
	OptionsRefreshTokenValidityMetric bool   `json:"OptionsRefreshTokenValidityMetric"`
	RefreshTokenValidityPeriod        *int   `json:"RefreshTokenValidityPeriod"`
	StartURL                          string `json:"StartUrl"`
	MobileStartURL                    string `json:"MobileStartUrl"`
}

// FindConnectedApplication returns the ConnectedApplication row with the
// given Id. None gives an error wrapping ErrNotFound.
func (c *Client) FindConnectedApplication(ctx context.Context, id string) (*ConnectedApplication, error) {
	soql := "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsHasSessionLevelPolicy, " +
		"OptionsRefreshTokenValidityMetric, RefreshTokenValidityPeriod, StartUrl, MobileStartUrl " +
		"FROM ConnectedApplication WHERE Id = " + rest.QuoteString(id)
	var found []ConnectedApplication
	err := c.rest.Query(ctx, soql, func(rec json.RawMessage) error {
		var row ConnectedApplication
		if err := json.Unmarshal(rec, &row); err != nil {
			return err
		}
		found = append(found, row)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding ConnectedApplication %s: %w", id, err)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("ConnectedApplication %s %w", id, ErrNotFound)
	}
	return &found[0], nil
}
