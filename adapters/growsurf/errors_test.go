package growsurf

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestCallFailures: a failure of the call itself is answered in
// GrowSurf's envelope with a status of its kind and a fixed message,
// never the cause, and is logged unless the caller went away.
func TestCallFailures(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		err        error
		status     int
		name, code string
		message    string
		logged     bool
	}{
		{canonical.Wrap(canonical.Unavailable, errors.New("dial tcp 10.0.0.7:5432"), "store at 10.0.0.7 down"), 503,
			"ServiceUnavailableError", "SERVICE_UNAVAILABLE_ERROR", msgUnavailable, true},
		{canonical.Wrap(canonical.DeadlineExceeded, errors.New("i/o timeout"), "slow"), 504,
			"GatewayTimeoutError", "GATEWAY_TIMEOUT_ERROR", msgTimeout, true},
		{canonical.Wrap(canonical.Canceled, context.Canceled, "request canceled"), 499,
			"ClientClosedRequestError", "CLIENT_CLOSED_REQUEST_ERROR", msgCanceled, false},
		{fmt.Errorf("engine: %w", context.DeadlineExceeded), 504, "GatewayTimeoutError", "GATEWAY_TIMEOUT_ERROR", msgTimeout, true},
		{canonical.Wrap(canonical.Internal, errors.New("secret"), "db"), 500, "InternalServerError", "INTERNAL_SERVER_ERROR", msgInternal, true},
	}
	for _, tt := range tests {
		status, body, logged := toVendor(tt.err, now)
		if status != tt.status || body.Status != tt.status || body.Name != tt.name || body.Code != tt.code ||
			body.Message != tt.message || body.SupportURL != supportURL || logged != tt.logged {
			t.Errorf("%v: %d %+v logged=%v, want %d %s %q logged=%v", tt.err, status, body, logged, tt.status, tt.code, tt.message, tt.logged)
		}
	}
}
