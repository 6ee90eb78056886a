package migrate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestRetryOnce pins when a write the target does not deduplicate is sent
// again: after a refusal before the target acted, at once; after a
// failure that leaves its outcome uncertain, only once the probe found it
// absent; never when there is no probe or the probe fails.
func TestRetryOnce(t *testing.T) {
	t.Parallel()
	lost := canonical.Errorf(canonical.Unavailable, "connection reset")
	tests := []struct {
		name      string
		fails     []error // the answers of the first sends; later sends succeed
		probe     bool    // whether the target can be checked
		applied   bool    // whether the failed first send was applied
		probeErr  error
		sends     int
		looks     int
		wantCode  canonical.Code
		wantFound bool
	}{
		{"rate limited: sent again without a look", []error{canonical.Errorf(canonical.RateLimited, "slow down")}, true, false, nil, 2, 0, "", false},
		{"lost answer, applied: found, not sent again", []error{lost}, true, true, nil, 1, 1, "", true},
		{"lost answer, not applied: sent again", []error{lost}, true, false, nil, 2, 1, "", false},
		{"timed out twice, not applied: sent a third time", []error{canonical.Errorf(canonical.DeadlineExceeded, "slow"), lost}, true, false, nil, 3, 2, "", false},
		{"internal, applied: found", []error{canonical.Errorf(canonical.Internal, "500")}, true, true, nil, 1, 1, "", true},
		{"lost answer, no probe: not sent again", []error{lost}, false, false, nil, 1, 0, canonical.Unavailable, false},
		{"lost answer, probe fails: not sent again", []error{lost}, true, false, canonical.Errorf(canonical.Unavailable, "down"), 1, 1, canonical.Unavailable, false},
		{"refused: not sent again", []error{canonical.Errorf(canonical.Invalid, "bad")}, true, false, nil, 1, 0, canonical.Invalid, false},
		{"every attempt lost: gives up", []error{lost, lost, lost}, true, false, nil, 3, 3, canonical.Unavailable, false},
	}
	for _, tt := range tests {
		r := &run{opts: Options{Attempts: 3, RetryBase: time.Millisecond}}
		sends, looks := 0, 0
		write := func(context.Context) (string, error) {
			sends++
			if sends <= len(tt.fails) {
				return "", tt.fails[sends-1]
			}
			return "sent", nil
		}
		var applied probe[string]
		if tt.probe {
			applied = func(context.Context) (string, bool, error) {
				looks++
				if tt.probeErr != nil {
					return "", false, tt.probeErr
				}
				return "found", tt.applied && sends == 1, nil
			}
		}
		got, err := retryOnce(context.Background(), r, write, applied, false)
		if sends != tt.sends || looks != tt.looks || canonical.CodeOf(err) != tt.wantCode {
			t.Errorf("%s: %d sends, %d looks, error %v; want %d, %d, code %q", tt.name, sends, looks, err, tt.sends, tt.looks, tt.wantCode)
		}
		if err == nil && (got == "found") != tt.wantFound {
			t.Errorf("%s: result %q", tt.name, got)
		}
		if unchecked := !tt.probe || tt.probeErr != nil; unchecked && !strings.Contains(canonical.MessageOf(err), "not sent again") {
			t.Errorf("%s: the error does not say the write was not sent again: %v", tt.name, err)
		}
	}
}

// TestRetryOnceSettlesWhenCancelled: a run cancelled while a write's
// outcome is uncertain still looks (so its next run does not make the
// write a second time), and does not send it again.
func TestRetryOnceSettlesWhenCancelled(t *testing.T) {
	t.Parallel()
	for _, applied := range []bool{true, false} {
		r := &run{opts: Options{Attempts: 6, RetryBase: time.Millisecond}}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sends := 0
		write := func(context.Context) (string, error) {
			sends++
			cancel() // the run is stopped while the write is on its way
			return "", canonical.Wrap(canonical.Canceled, context.Canceled, "request canceled")
		}
		looked := false
		probe := func(ctx context.Context) (string, bool, error) {
			looked = ctx.Err() == nil
			return "found", applied, nil
		}
		got, err := retryOnce(ctx, r, write, probe, false)
		if sends != 1 || !looked {
			t.Errorf("applied=%v: %d sends, looked with a live context: %v; want one send and a look", applied, sends, looked)
		}
		if applied && (err != nil || got != "found") {
			t.Errorf("applied: %q, %v; want the write found", got, err)
		}
		if !applied && !errors.Is(err, context.Canceled) {
			t.Errorf("not applied: %v; want the cancellation", err)
		}
	}
}

// TestRetryTransient: reads and idempotent writes are sent again after
// every transient failure, without a look, and not after a cancellation.
func TestRetryTransient(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		code  canonical.Code
		sends int
	}{
		{canonical.RateLimited, 2}, {canonical.Unavailable, 2}, {canonical.DeadlineExceeded, 2}, {canonical.Internal, 2},
		{canonical.Canceled, 1}, {canonical.NotFound, 1}, {canonical.Conflict, 1},
	} {
		r := &run{opts: Options{Attempts: 3, RetryBase: time.Millisecond}}
		sends := 0
		_, _ = retry(context.Background(), r, func() (int, error) {
			if sends++; sends == 1 {
				return 0, canonical.Errorf(tt.code, "first")
			}
			return 1, nil
		})
		if sends != tt.sends {
			t.Errorf("%s: %d sends, want %d", tt.code, sends, tt.sends)
		}
	}
}
