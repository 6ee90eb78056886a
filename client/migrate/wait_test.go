package migrate

import (
	"errors"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// hinted is a vendor error carrying a Retry-After hint.
type hinted struct{ d time.Duration }

func (h hinted) Error() string             { return "rate limited" }
func (h hinted) RetryAfter() time.Duration { return h.d }

func TestWaitFor(t *testing.T) {
	t.Parallel()
	half := func(n int64) int64 { return n / 2 }
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"vendor hint", canonical.Wrap(canonical.RateLimited, hinted{3 * time.Second}, "slow down"), 3 * time.Second},
		{"hint capped", canonical.Wrap(canonical.RateLimited, hinted{time.Hour}, "slow down"), maxHintedWait},
		{"no hint: backoff with jitter", canonical.Errorf(canonical.RateLimited, "slow down"), 400 * time.Millisecond},
		{"zero hint: backoff", canonical.Wrap(canonical.Internal, hinted{0}, "x"), 400 * time.Millisecond},
		{"plain error", errors.New("boom"), 400 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := waitFor(tt.err, 400*time.Millisecond, half); got != tt.want {
			t.Errorf("%s: wait %v, want %v", tt.name, got, tt.want)
		}
	}
}
