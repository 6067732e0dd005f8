package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/connectedapp"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/metadata"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/rest"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// writeChecked runs write. When it fails with a transient error, such as a
// timeout, a dropped connection or a 5xx after the request was sent, the
// write may or may not have taken effect. writeChecked then waits, calls
// applied to check whether the org already shows the write, returns nil
// when it does, and runs write again when it does not, up to
// c.retry.MaxRetries times. Other errors, a cancelled context and the daily limit end the
// loop at once. action names the write in logs, such as
// "updateMetadata Vendor_Sync".
func (c *Client) writeChecked(ctx context.Context, action string, write func() error,
	applied func(context.Context) (bool, error),
) error {
	err := write()
	for retry := 1; err != nil && retry <= c.retry.MaxRetries; retry++ {
		if ctx.Err() != nil || transport.IsDailyLimit(err) || !transport.IsTransient(err) {
			return err
		}
		wait := c.retry.Wait(retry)
		tflog.Info(ctx, "Salesforce write failed with an unknown outcome; reading it back before retrying", map[string]any{
			"write":      action,
			"attempt":    retry + 1,
			"wait_ms":    wait.Milliseconds(),
			"error_code": errorCode(err),
		})
		if sleepErr := transport.Sleep(ctx, wait); sleepErr != nil {
			return fmt.Errorf("%w (not retried: %w)", err, sleepErr)
		}
		done, readErr := applied(ctx)
		if readErr != nil {
			return fmt.Errorf("%w (reading back whether the write took effect failed: %w)", err, readErr)
		}
		if done {
			tflog.Info(ctx, "Salesforce write had taken effect before its response was lost", map[string]any{
				"write": action,
			})
			return nil
		}
		err = write()
	}
	return err
}

// errorCode returns the Salesforce error code of err for logs, or the HTTP
// status or "network_error" when it has none.
func errorCode(err error) string {
	var (
		fault   *metadata.Fault
		httpErr *metadata.HTTPError
		apiErr  *rest.APIError
		sendErr *transport.SendError
	)
	switch {
	case errors.As(err, &fault):
		return fault.Code
	case errors.As(err, &apiErr) && len(apiErr.Errors) > 0:
		return apiErr.Errors[0].ErrorCode
	case errors.As(err, &apiErr):
		return "HTTP " + strconv.Itoa(apiErr.Status)
	case errors.As(err, &httpErr):
		return "HTTP " + strconv.Itoa(httpErr.Status)
	case errors.As(err, &sendErr):
		return "network_error"
	}
	return ""
}

// readComponent reads the connected app name with a readMetadata call of
// its own, past any shared-read cache, and returns nil when it is missing.
func (c *Client) readComponent(ctx context.Context, name string) (*connectedapp.App, error) {
	records, err := c.metadata.Read(ctx, connectedapp.MetadataType, []string{name})
	if err != nil {
		return nil, err
	}
	if len(records) == 0 || records[0] == nil {
		return nil, nil
	}
	return connectedapp.FromElement(records[0]), nil
}

// createConnectedAppChecked creates app and counts the create as done when
// a read back finds the app.
//
// NOTE: an app that existed before the create also passes this check. A
// create of an existing name fails with a duplicate error when its
// response arrives, so only a lost response hides it.
func (c *Client) createConnectedAppChecked(ctx context.Context, app *connectedapp.App) error {
	name := app.FullName()
	return c.writeChecked(ctx, "createMetadata "+name, func() error {
		return c.saveConnectedApp(ctx, "creating", app, c.metadata.Create)
	}, func(ctx context.Context) (bool, error) {
		found, err := c.readComponent(ctx, name)
		return found != nil, err
	})
}

// updateConnectedAppChecked sends app, a component ready for
// updateMetadata, and counts the update as done when a read back returns
// the same component.
//
// NOTE: the org may return a sent value in another form, such as a scope
// alias or a re-ordered list. The comparison then fails and the same
// component is sent again, which is safe for a whole-component update.
func (c *Client) updateConnectedAppChecked(ctx context.Context, app *connectedapp.App) error {
	name := app.FullName()
	return c.writeChecked(ctx, "updateMetadata "+name, func() error {
		return c.saveConnectedApp(ctx, "updating", app, c.metadata.Update)
	}, func(ctx context.Context) (bool, error) {
		found, err := c.readComponent(ctx, name)
		if err != nil || found == nil {
			return false, err
		}
		return xmltree.Equal(found.ForUpdate().Element(), app.Element()), nil
	})
}

// deleteConnectedAppChecked deletes the app name and counts the delete as
// done when a read back no longer finds it.
func (c *Client) deleteConnectedAppChecked(ctx context.Context, name string) error {
	return c.writeChecked(ctx, "deleteMetadata "+name, func() error {
		results, err := c.metadata.Delete(ctx, connectedapp.MetadataType, []string{name})
		if err != nil {
			return fmt.Errorf("deleting connected app %q: %w", name, err)
		}
		return resultError("deleting", name, results[0].Err())
	}, func(ctx context.Context) (bool, error) {
		found, err := c.readComponent(ctx, name)
		return err == nil && found == nil, err
	})
}

// renameConnectedAppChecked renames an app and counts the rename as done
// when a read back finds the new name.
func (c *Client) renameConnectedAppChecked(ctx context.Context, oldName, newName string) error {
	return c.writeChecked(ctx, "renameMetadata "+oldName, func() error {
		result, err := c.metadata.Rename(ctx, connectedapp.MetadataType, oldName, newName)
		if err != nil {
			return fmt.Errorf("renaming connected app %q to %q: %w", oldName, newName, err)
		}
		return resultError("renaming", oldName, result.Err())
	}, func(ctx context.Context) (bool, error) {
		found, err := c.readComponent(ctx, newName)
		return found != nil, err
	})
}

// createGrantChecked inserts the SetupEntityAccess row of parentID and
// appID and returns its id. After a failure with an unknown outcome it
// queries for the row, because a second insert would fail with
// DUPLICATE_VALUE.
func (c *Client) createGrantChecked(ctx context.Context, parentID, appID string) (string, error) {
	var id string
	err := c.writeChecked(ctx, "create SetupEntityAccess", func() error {
		created, err := c.rest.Create(ctx, "SetupEntityAccess", map[string]string{
			"ParentId":      parentID,
			"SetupEntityId": appID,
		})
		id = created
		return err
	}, func(ctx context.Context) (bool, error) {
		found, err := c.findGrantID(ctx, parentID, appID)
		id = found
		return found != "", err
	})
	return id, err
}

// findGrantID returns the id of the SetupEntityAccess row of parentID and
// appID, or "" when there is none.
func (c *Client) findGrantID(ctx context.Context, parentID, appID string) (string, error) {
	soql := "SELECT Id FROM SetupEntityAccess WHERE ParentId = " + rest.QuoteString(parentID) +
		" AND SetupEntityId = " + rest.QuoteString(appID)
	id := ""
	err := c.rest.Query(ctx, soql, func(raw json.RawMessage) error {
		var rec struct {
			ID string `json:"Id"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		id = rec.ID
		return nil
	})
	return id, err
}

// deleteGrantChecked deletes the SetupEntityAccess row id and counts the
// delete as done when a read back finds no row.
func (c *Client) deleteGrantChecked(ctx context.Context, id string) error {
	return c.writeChecked(ctx, "delete SetupEntityAccess "+id, func() error {
		return c.rest.Delete(ctx, "SetupEntityAccess", id)
	}, func(ctx context.Context) (bool, error) {
		var row map[string]any
		err := c.rest.Get(ctx, "SetupEntityAccess", id, &row)
		if rest.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}
