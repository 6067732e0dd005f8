package metadata

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// Status codes of a component that was not saved because another
// transaction held its row or was deploying: nothing was written, so the
// component can be sent again.
var lockCodes = map[string]bool{
	"UNABLE_TO_LOCK_ROW": true,
	"ALREADY_IN_PROCESS": true,
}

// rolledBackCode marks a valid component of an all-or-none call that failed
// for another component.
//
// NOTE: the status code of such components is unconfirmed; it is the one
// the simulated org sends.
const rolledBackCode = "ALL_OR_NONE_OPERATION_ROLLED_BACK"

// SetRetry sets the schedule for sending components again after a lock
// conflict; transport.Retry{} with its defaults until then.
func (c *Client) SetRetry(r transport.Retry) {
	c.retry = r.WithDefaults()
}

// saveRetryingLocks sends a batch of n components through send and sends
// again the components whose SaveResult failed with UNABLE_TO_LOCK_ROW or
// ALREADY_IN_PROCESS, together with those rolled back because of them.
// send gets the positions, in the batch, of the components to send and
// returns their results in that order. When any component failed for
// another reason, no component is sent again, so that an all-or-none batch
// stays all-or-none. Results keep the batch's order.
func (c *Client) saveRetryingLocks(ctx context.Context, operation string, names []string,
	send func(positions []int) ([]SaveResult, error),
) ([]SaveResult, error) {
	results := make([]SaveResult, len(names))
	pending := make([]int, len(names))
	for i := range pending {
		pending[i] = i
	}
	for retry := 1; ; retry++ {
		got, err := send(pending)
		if err != nil {
			return nil, err
		}
		for i, pos := range pending {
			results[pos] = got[i]
		}
		again, code := lockRetryPositions(got)
		if len(again) == 0 || retry > c.retry.MaxRetries {
			return results, nil
		}

		next := make([]int, len(again))
		retryNames := make([]string, len(again))
		for i, idx := range again {
			next[i] = pending[idx]
			retryNames[i] = names[pending[idx]]
		}
		wait := c.retry.Wait(retry)
		tflog.Info(ctx, "Retrying Metadata API components after a lock conflict", map[string]any{
			"operation":   operation,
			"attempt":     retry + 1,
			"wait_ms":     wait.Milliseconds(),
			"error_code":  code,
			"full_names":  retryNames,
			"max_retries": c.retry.MaxRetries,
		})
		if err := transport.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		pending = next
	}
}

// lockRetryPositions returns the positions of the failed results when every
// failure is a lock conflict or a rollback, and at least one is a lock
// conflict, with the first lock status code. Otherwise it returns none.
func lockRetryPositions(results []SaveResult) ([]int, string) {
	var failed []int
	code := ""
	for i, r := range results {
		if r.Success {
			continue
		}
		failed = append(failed, i)
		switch {
		case len(r.Errors) > 0 && allCodesIn(r.Errors, lockCodes):
			if code == "" {
				code = r.Errors[0].StatusCode
			}
		case len(r.Errors) > 0 && allCodesIn(r.Errors, map[string]bool{rolledBackCode: true}):
		default:
			return nil, ""
		}
	}
	if code == "" {
		return nil, ""
	}
	return failed, code
}

func allCodesIn(errs []Error, codes map[string]bool) bool {
	for _, e := range errs {
		if !codes[e.StatusCode] {
			return false
		}
	}
	return true
}
