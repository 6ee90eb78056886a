package migrate

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// transient reports whether a call that failed with code may succeed if it
// is made again unchanged: the target refused it for now (RateLimited),
// could not be reached or lost the answer (Unavailable), did not answer in
// time (DeadlineExceeded), or failed inside (Internal).
func transient(code canonical.Code) bool {
	switch code {
	case canonical.RateLimited, canonical.Unavailable, canonical.DeadlineExceeded, canonical.Internal:
		return true
	}
	return false
}

// retry runs fn until it succeeds, fails for good, or runs out of
// attempts, retrying the transient failures. It is for reads and for
// writes the target makes idempotent (participant creates by email, sales
// by external id, aliases); a write that could be applied twice goes
// through retryOnce.
func retry[T any](ctx context.Context, r *run, fn func() (T, error)) (T, error) {
	return retryOnce(ctx, r, func(context.Context) (T, error) { return fn() }, nil, true)
}

// probe looks on the target for a write whose outcome a failure left
// uncertain: found reports that the target has it, and v is what the
// write would have returned.
type probe[T any] func(ctx context.Context) (v T, found bool, err error)

// settleTimeout bounds the look at the target that settles an uncertain
// write after the run was cancelled.
const settleTimeout = 30 * time.Second

// retryOnce runs write, which the target does not deduplicate (a second
// send makes a second campaign, rule, refund or coupon group, or is
// refused because the first was applied), so that it is applied at most
// once. A refusal before the target acted (RateLimited) is retried like
// any transient failure. After a failure that leaves it unknown whether
// the target applied the write — the answer was lost (Unavailable,
// DeadlineExceeded, Canceled) or the target failed (Internal) — applied
// looks for it first: found, it is the write's result; not found, the
// write is sent again (a Canceled one is not: the run is stopping). A run
// cancelled meanwhile still looks (for up to settleTimeout), so a stopped
// run leaves nothing uncertain that its next run would write again.
//
// With a nil applied (the target offers no way to look) the write is not
// sent again after an uncertain failure, and the error says so; unless
// idempotent is set, which is how retry sends reads and idempotent writes
// again without looking.
func retryOnce[T any](ctx context.Context, r *run, write func(context.Context) (T, error), applied probe[T], idempotent bool) (T, error) {
	delay := r.opts.RetryBase
	for attempt := 1; ; attempt++ {
		v, err := write(ctx)
		code := canonical.CodeOf(err)
		if err == nil || !transient(code) && !code.Uncertain() {
			return v, err
		}
		if !idempotent && code.Uncertain() {
			if applied == nil {
				return v, canonical.Wrap(code, err, "the target may or may not have applied it, and cannot be checked, so it was not sent again")
			}
			// Wait as for a retry, so that a write still running on the
			// target is done before the look.
			look := ctx
			if !r.pause(ctx, err, delay) {
				var cancel context.CancelFunc
				look, cancel = context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
				defer cancel()
			}
			got, found, perr := applied(look)
			switch {
			case perr != nil:
				return v, canonical.Wrap(code, errors.Join(err, perr),
					"the target may or may not have applied it, and could not be checked, so it was not sent again")
			case found:
				return got, nil
			case ctx.Err() != nil:
				return v, errors.Join(err, ctx.Err())
			case attempt >= r.opts.Attempts || !transient(code):
				return v, err
			}
		} else if attempt >= r.opts.Attempts || !transient(code) {
			return v, err
		} else if !r.pause(ctx, err, delay) {
			return v, errors.Join(err, ctx.Err())
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// change runs a state change (approve, fulfil, pay): with reached, a
// probe that reads whether the entity is already in the new state, it
// goes through retryOnce, so that a change the target applied but whose
// answer was lost is not sent again (the target would refuse it as a
// change from the wrong state); without, it is retried as it is (the
// target refuses a second one, so nothing is applied twice).
func change[T any](ctx context.Context, r *run, write func() (T, error), reached probe[T]) (T, error) {
	if reached == nil {
		return retry(ctx, r, write)
	}
	return retryOnce(ctx, r, func(context.Context) (T, error) { return write() }, reached, false)
}

// pause waits before the next attempt (see waitFor); false when ctx ended
// first.
func (r *run) pause(ctx context.Context, err error, delay time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	t := time.NewTimer(waitFor(err, delay, rand.Int64N))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// maxHintedWait bounds how long a vendor's own hint makes a run wait.
const maxHintedWait = 2 * time.Minute

// waitFor is how long to wait before trying again: what the vendor asked
// for (a Retry-After hint on its rate-limit error), else the backoff
// delay with jitter.
func waitFor(err error, delay time.Duration, jitter func(int64) int64) time.Duration {
	var hint interface{ RetryAfter() time.Duration }
	if errors.As(err, &hint) {
		if d := hint.RetryAfter(); d > 0 {
			return min(d, maxHintedWait)
		}
	}
	return delay/2 + time.Duration(jitter(int64(delay)))
}
