package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// This file is the engine's side of webhook delivery: what the proxy's
// delivery workers call to claim due deliveries of every account and to
// record their attempts, on the engine's clock.

// DeliveryJob is a claimed delivery with the change and endpoint its
// attempt needs.
type DeliveryJob = store.DeliveryJob

// Outcome is what came of one delivery attempt.
type Outcome int

// The outcomes.
const (
	// Delivered: the endpoint acknowledged the delivery.
	Delivered Outcome = iota + 1
	// Failed: the attempt failed (no answer, or one that is not an
	// acknowledgement). It counts against the endpoint, and the delivery
	// is retried on the policy's schedule until that runs out.
	Failed
	// Skipped: the endpoint's vendor announces nothing for the change;
	// the delivery is done without a request.
	Skipped
	// Unrenderable: the change cannot be rendered for the endpoint; a
	// retry would fail the same way, so the delivery fails at once
	// without counting against the endpoint.
	Unrenderable
)

// String is the outcome's name in lower case ("delivered"), for logs and
// metrics.
func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Failed:
		return "failed"
	case Skipped:
		return "skipped"
	case Unrenderable:
		return "unrenderable"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Attempt is the outcome of one attempt at a delivery.
type Attempt struct {
	Outcome Outcome
	// Status is the HTTP status the endpoint answered (0: none).
	Status int
	// Error says what went wrong ("" when delivered).
	Error string
}

// RetryPolicy is how a vendor retries a delivery and when it gives up on
// an endpoint.
type RetryPolicy struct {
	// Retries are the waits before each retry after a failed attempt;
	// after len(Retries) retries the delivery fails.
	Retries []time.Duration
	// DisableAfter consecutive failed attempts turn the endpoint off
	// (AutoDisabled); 0 never does.
	DisableAfter int
}

// ErrStaleAttempt is returned by RecordAttempt when the delivery is no
// longer the one the job claimed: its lease ran out and another worker
// recorded an attempt first, or it was delivered meanwhile. Nothing is
// recorded; the other worker's outcome stands.
var ErrStaleAttempt = errors.New("engine: delivery attempt recorded by another worker first")

// ClaimDeliveries leases up to limit due deliveries of any account, each
// the head of its endpoint's queue, until the engine's now plus lease. A
// worker that dies holding one leaves it to be claimed again when the
// lease ends, so every delivery is attempted at least once.
func (e *Engine) ClaimDeliveries(ctx context.Context, lease time.Duration, limit int) ([]DeliveryJob, error) {
	now := e.Now()
	var jobs []DeliveryJob
	err := e.st.Update(ctx, func(tx store.Tx) (err error) {
		jobs, err = tx.ClaimDeliveries(ctx, now, now.Add(lease), limit)
		return err
	})
	return jobs, storeErr(err, "deliveries")
}

// NextDelivery reports when the next delivery falls due (or its lease
// ends), on the engine's clock; ok is false when none is pending.
func (e *Engine) NextDelivery(ctx context.Context) (next time.Time, ok bool, err error) {
	err = e.st.View(ctx, func(tx store.Tx) (err error) {
		next, err = tx.NextDue(ctx)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, false, nil
	}
	return next, err == nil, storeErr(err, "deliveries")
}

// RecordAttempt records the outcome of an attempt at job's delivery, at
// the engine's now, in one transaction with the endpoint's failure state:
// a delivered attempt resets the endpoint's consecutive failures; a
// failed one counts one more, sets LastFailureAt, and after
// p.DisableAfter in a row turns the endpoint off (AutoDisabled). A failed
// delivery is due again after the policy's next wait, or fails when the
// schedule ran out. It returns the delivery as recorded, or
// ErrStaleAttempt (nothing recorded) when another attempt was recorded
// since job was claimed; a delivery or endpoint deleted meanwhile is
// NotFound.
func (e *Engine) RecordAttempt(ctx context.Context, job DeliveryJob, at Attempt, p RetryPolicy) (canonical.Delivery, error) {
	recorded, _, err := e.RecordRun(ctx, []Result{{Job: job, Attempt: at}}, nil, p, 0, 0)
	if err != nil {
		return canonical.Delivery{}, err
	}
	if len(recorded) == 0 {
		return canonical.Delivery{}, ErrStaleAttempt
	}
	return recorded[0], nil
}

// Result is an attempt at a claimed delivery, for RecordRun.
type Result struct {
	Job     DeliveryJob
	Attempt Attempt
}

// RecordRun records attempts at a run of one endpoint's deliveries, made
// in order, in one transaction: each as RecordAttempt would (one recorded
// by another worker since it was claimed is left as that worker recorded
// it, and not returned). The deliveries of the run left unattempted
// (after a failure, or when the worker stops) get their leases back. When
// every attempt was recorded and the last left its delivery done, and
// lease is positive, RecordRun also claims the endpoint's next run of up
// to limit deliveries (store LeaseRun), leased for lease: a worker works
// through an endpoint's queue with one commit per run.
func (e *Engine) RecordRun(ctx context.Context, results []Result, unattempted []DeliveryJob, p RetryPolicy, lease time.Duration, limit int) (recorded []canonical.Delivery, next []DeliveryJob, err error) {
	if len(results) == 0 {
		return nil, nil, nil
	}
	first := results[0].Job.Delivery
	acct, err := parseID(first.AccountID, "account")
	if err != nil {
		return nil, nil, err
	}
	epID, err := parseID(first.EndpointID, "webhook endpoint")
	if err != nil {
		return nil, nil, err
	}
	now := e.Now()
	changed := false
	var (
		leased []canonical.Delivery
		ep     canonical.WebhookEndpoint
	)
	err = e.st.Update(ctx, func(tx store.Tx) (err error) {
		recorded, leased, changed = nil, nil, false
		// The endpoint's lock serializes the attempts recorded for it
		// (replicas, a worker whose lease ran out) and admin updates.
		if ep, err = tx.LockEndpoint(ctx, acct, epID); err != nil {
			return err
		}
		// Each delivery's outcome does not depend on the endpoint's
		// state: record them all in one go, as claimed, and then move the
		// endpoint's failure state by those that were recorded, in order.
		outcomes := make([]store.Outcome, 0, len(results)+len(unattempted))
		for _, r := range results {
			d, scratch := r.Job.Delivery, ep
			applyAttempt(&d, &scratch, r.Attempt, p, now)
			outcomes = append(outcomes, store.Outcome{Delivery: d, Claimed: r.Job.Delivery.Attempts})
		}
		for _, job := range unattempted {
			// Unchanged, its lease ended.
			outcomes = append(outcomes, store.Outcome{Delivery: job.Delivery, Claimed: job.Delivery.Attempts})
		}
		stored, err := tx.RecordClaimed(ctx, acct, outcomes)
		if err != nil {
			return err
		}
		for i, r := range results {
			if !stored[i] {
				continue
			}
			d := r.Job.Delivery
			changed = applyAttempt(&d, &ep, r.Attempt, p, now) || changed
			recorded = append(recorded, d)
		}
		if changed {
			if err := tx.UpdateEndpoint(ctx, acct, &ep); err != nil {
				return err
			}
		}
		if lease <= 0 || len(recorded) < len(results) || recorded[len(recorded)-1].State == canonical.DeliveryPending {
			return nil
		}
		leased, err = tx.LeaseRun(ctx, acct, epID, now, now.Add(lease), limit)
		return err
	})
	if changed && err == nil {
		// The endpoint's failure state shows in vendor surfaces (GrowSurf's
		// failureCount): cached answers of the account are stale.
		e.counter(acct).Add(1)
	}
	if err != nil {
		return nil, nil, storeErr(err, "deliveries")
	}
	// The leased run's changes are read after the commit, by a reader
	// (the store's writer only leased them), or found among the recent.
	ep.AccountID = idOf(acct)
	next, err = e.jobs(ctx, acct, ep, leased)
	return recorded, next, err
}

// jobs completes the leased deliveries of endpoint ep with their changes:
// those the engine logged lately from memory, the others from the log in
// one read. Should it fail, the leases make the deliveries due again.
func (e *Engine) jobs(ctx context.Context, acct int64, ep canonical.WebhookEndpoint, leased []canonical.Delivery) ([]DeliveryJob, error) {
	if len(leased) == 0 {
		return nil, nil
	}
	jobs := make([]DeliveryJob, len(leased))
	var missing []int
	for i, d := range leased {
		id, err := parseID(d.EventID, "event")
		if err != nil {
			return nil, err
		}
		jobs[i] = DeliveryJob{Delivery: d, Endpoint: ep}
		if c, ok := e.recent.get(acct, id); ok {
			jobs[i].Event = *c
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return jobs, nil
	}
	err := e.st.View(ctx, func(tx store.Tx) error {
		for _, i := range missing {
			ev, err := tx.GetEvent(ctx, acct, num(jobs[i].Delivery.EventID))
			if err != nil {
				return err
			}
			ev.AccountID = jobs[i].Delivery.AccountID
			jobs[i].Event = ev
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "deliveries")
	}
	return jobs, nil
}

// applyAttempt applies an attempt's outcome to a delivery and its
// endpoint and reports whether the endpoint changed.
func applyAttempt(d *canonical.Delivery, ep *canonical.WebhookEndpoint, at Attempt, p RetryPolicy, now time.Time) bool {
	d.LastAttemptAt, d.LastStatus, d.LastError = &now, at.Status, at.Error
	switch at.Outcome {
	case Delivered:
		d.Attempts++
		d.State, d.DeliveredAt, d.NextAttemptAt = canonical.DeliveryDelivered, &now, now
		if ep.FailureCount == 0 {
			return false
		}
		ep.FailureCount = 0
		return true
	case Skipped:
		d.State, d.NextAttemptAt = canonical.DeliveryDelivered, now
		return false
	case Unrenderable:
		d.State, d.NextAttemptAt = canonical.DeliveryFailed, now
		return false
	}
	d.Attempts++
	if d.LastError == "" {
		d.LastError = fmt.Sprintf("endpoint answered HTTP %d", at.Status)
	}
	if retry := d.Attempts - 1; retry < len(p.Retries) {
		d.NextAttemptAt = now.Add(p.Retries[retry])
	} else {
		d.State, d.NextAttemptAt = canonical.DeliveryFailed, now
	}
	ep.FailureCount++
	ep.LastFailureAt = &now
	if p.DisableAfter > 0 && ep.FailureCount >= p.DisableAfter && ep.Enabled {
		ep.Enabled, ep.AutoDisabled = false, true
	}
	return true
}

// Notify returns a channel that receives a value soon after any write
// transaction through this engine ends (values coalesce: one may stand
// for many writes), and a function that stops the notifications. The
// delivery workers wait on it for new events instead of polling.
func (e *Engine) Notify() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	e.watchers.Lock()
	if e.watchers.m == nil {
		e.watchers.m = map[chan struct{}]struct{}{}
	}
	e.watchers.m[c] = struct{}{}
	e.watchers.Unlock()
	var once sync.Once
	return c, func() {
		once.Do(func() {
			e.watchers.Lock()
			delete(e.watchers.m, c)
			e.watchers.Unlock()
		})
	}
}

// notify wakes every Notify channel without blocking.
func (e *Engine) notify() {
	e.watchers.RLock()
	defer e.watchers.RUnlock()
	for c := range e.watchers.m {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}
