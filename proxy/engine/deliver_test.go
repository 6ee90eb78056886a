package engine_test

import (
	"errors"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
)

// subscribe creates an enabled endpoint of the env's account taking
// participant.added in every campaign.
func (e *env) subscribe() canonical.WebhookEndpoint {
	e.t.Helper()
	ep, err := e.b.(canonical.Webhooks).CreateWebhookEndpoint(e.ctx, canonical.WebhookEndpoint{Vendor: canonical.GrowSurf,
		URL: "https://h.example.com/in", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}, Enabled: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

// claim claims every due delivery on the engine's clock.
func (e *env) claim() []engine.DeliveryJob {
	e.t.Helper()
	jobs, err := e.eng.ClaimDeliveries(e.ctx, time.Minute, 10)
	if err != nil {
		e.t.Fatal(err)
	}
	return jobs
}

func (e *env) endpoint(id string) canonical.WebhookEndpoint {
	e.t.Helper()
	ep, err := e.b.(canonical.Webhooks).GetWebhookEndpoint(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

// TestRecordAttemptRetriesAndDisables walks one delivery through the
// policy on the test clock: failures schedule retries at the policy's
// waits and count against the endpoint, which turns off after
// DisableAfter in a row; re-enabling resumes, and a delivered attempt
// resets the count.
func TestRecordAttemptRetriesAndDisables(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	ep := e.subscribe()
	e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
	policy := engine.RetryPolicy{Retries: []time.Duration{time.Minute, time.Hour, time.Hour}, DisableAfter: 2}

	jobs := e.claim()
	if len(jobs) != 1 || jobs[0].Event.Kind != canonical.ChangeParticipantAdded || jobs[0].Endpoint.ID != ep.ID {
		t.Fatalf("claimed %+v", jobs)
	}
	first := jobs[0]
	if again := e.claim(); len(again) != 0 {
		t.Fatalf("a leased delivery was claimed again: %+v", again)
	}
	d, err := e.eng.RecordAttempt(e.ctx, first, engine.Attempt{Outcome: engine.Failed, Status: 503}, policy)
	if err != nil || d.State != canonical.DeliveryPending || d.Attempts != 1 || !d.NextAttemptAt.Equal(start.Add(time.Minute)) ||
		d.LastStatus != 503 || d.LastError == "" {
		t.Fatalf("after a failure: %+v, %v", d, err)
	}
	if got := e.endpoint(ep.ID); got.FailureCount != 1 || got.LastFailureAt == nil || !got.Enabled {
		t.Fatalf("endpoint after one failure: %+v", got)
	}
	// Recording the same claim twice is refused: the first stands.
	if _, err := e.eng.RecordAttempt(e.ctx, first, engine.Attempt{Outcome: engine.Delivered, Status: 200}, policy); !errors.Is(err, engine.ErrStaleAttempt) {
		t.Fatalf("second record of one claim: %v, want ErrStaleAttempt", err)
	}
	e.clock.Advance(time.Minute - time.Millisecond)
	if jobs := e.claim(); len(jobs) != 0 {
		t.Fatalf("claimed before the retry fell due: %+v", jobs)
	}
	e.clock.Advance(time.Millisecond)
	jobs = e.claim()
	if len(jobs) != 1 || jobs[0].Delivery.EventID != first.Delivery.EventID || jobs[0].Delivery.Attempts != 1 {
		t.Fatalf("retry claim = %+v", jobs)
	}
	if _, err := e.eng.RecordAttempt(e.ctx, jobs[0], engine.Attempt{Outcome: engine.Failed, Error: "connection refused"}, policy); err != nil {
		t.Fatal(err)
	}
	got := e.endpoint(ep.ID)
	if got.Enabled || !got.AutoDisabled || got.FailureCount != 2 {
		t.Fatalf("endpoint after DisableAfter failures: %+v", got)
	}
	e.clock.Advance(2 * time.Hour)
	if jobs := e.claim(); len(jobs) != 0 {
		t.Fatalf("a disabled endpoint's delivery was claimed: %+v", jobs)
	}
	got.Enabled = true
	if got, err = e.b.(canonical.Webhooks).UpdateWebhookEndpoint(e.ctx, got); err != nil || got.AutoDisabled || got.FailureCount != 0 {
		t.Fatalf("re-enabled: %+v, %v", got, err)
	}
	jobs = e.claim()
	if len(jobs) != 1 || jobs[0].Delivery.Attempts != 2 {
		t.Fatalf("claim after re-enabling = %+v", jobs)
	}
	d, err = e.eng.RecordAttempt(e.ctx, jobs[0], engine.Attempt{Outcome: engine.Delivered, Status: 204}, policy)
	if err != nil || d.State != canonical.DeliveryDelivered || d.Attempts != 3 || d.DeliveredAt == nil || d.LastError != "" {
		t.Fatalf("delivered: %+v, %v", d, err)
	}
	if next, ok, err := e.eng.NextDelivery(e.ctx); err != nil || ok {
		t.Fatalf("NextDelivery after all delivered = %v, %v, %v", next, ok, err)
	}
}

// TestRecordAttemptOutcomes: where each outcome leaves a delivery and
// its endpoint.
func TestRecordAttemptOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		attempts int
		at       engine.Attempt
		state    canonical.DeliveryState
		failures int
	}{
		{"schedule ran out", 2, engine.Attempt{Outcome: engine.Failed, Status: 500}, canonical.DeliveryFailed, 2},
		{"retry left", 1, engine.Attempt{Outcome: engine.Failed, Status: 500}, canonical.DeliveryPending, 1},
		{"skipped", 1, engine.Attempt{Outcome: engine.Skipped, Error: "not announced"}, canonical.DeliveryDelivered, 0},
		{"unrenderable", 1, engine.Attempt{Outcome: engine.Unrenderable, Error: "bad"}, canonical.DeliveryFailed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := e.campaign(canonical.Campaign{})
			ep := e.subscribe()
			e.join(c.ID, "ann@example.com", canonical.ParticipantRef{})
			policy := engine.RetryPolicy{Retries: []time.Duration{time.Second}}
			var d canonical.Delivery
			for range tc.attempts {
				jobs := e.claim()
				if len(jobs) != 1 {
					t.Fatalf("claimed %d", len(jobs))
				}
				var err error
				if d, err = e.eng.RecordAttempt(e.ctx, jobs[0], tc.at, policy); err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(time.Second)
			}
			if d.State != tc.state {
				t.Errorf("state = %s, want %s (%+v)", d.State, tc.state, d)
			}
			if got := e.endpoint(ep.ID); got.FailureCount != tc.failures || !got.Enabled {
				t.Errorf("endpoint = %+v, want %d failures, enabled", got, tc.failures)
			}
		})
	}
}

// TestNotifyWakesOnWrites: a write wakes a Notify channel; a stopped one
// is woken no more.
func TestNotifyWakesOnWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, stop := e.eng.Notify()
	e.campaign(canonical.Campaign{})
	select {
	case <-c:
	default:
		t.Fatal("a write did not wake the channel")
	}
	stop()
	e.campaign(canonical.Campaign{})
	select {
	case <-c:
		t.Fatal("a stopped channel was woken")
	default:
	}
}

// TestRecordRun: a run's attempts are recorded in one transaction; when
// the last left its delivery done the endpoint's next run is claimed with
// it; the unattempted rest of a run gets its leases back; nothing is
// claimed after a retry, nor with a lease of 0.
func TestRecordRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.campaign(canonical.Campaign{})
	e.subscribe()
	var emails []string
	for i := range 5 {
		emails = append(emails, string(rune('a'+i))+"@example.com")
		e.join(c.ID, emails[i], canonical.ParticipantRef{})
	}
	email := func(j engine.DeliveryJob) string { return j.Event.Participant.Email }
	policy := engine.RetryPolicy{Retries: []time.Duration{time.Minute}}
	ok := engine.Attempt{Outcome: engine.Delivered, Status: 200}
	jobs := e.claim()
	if len(jobs) != 1 || email(jobs[0]) != emails[0] {
		t.Fatalf("claimed %+v, want the head", jobs)
	}
	rec, next, err := e.eng.RecordRun(e.ctx, []engine.Result{{Job: jobs[0], Attempt: ok}}, nil, policy, time.Minute, 3)
	if err != nil || len(rec) != 1 || rec[0].State != canonical.DeliveryDelivered || len(next) != 3 ||
		email(next[0]) != emails[1] || email(next[2]) != emails[3] {
		t.Fatalf("delivered head: %+v, next %d, %v", rec, len(next), err)
	}
	if again := e.claim(); len(again) != 0 {
		t.Fatalf("a claimed run was claimed again: %+v", again)
	}
	// The second delivered, the third failed: the fourth, unattempted,
	// is given back, and nothing is claimed behind the retry.
	rec, more, err := e.eng.RecordRun(e.ctx, []engine.Result{{Job: next[0], Attempt: ok},
		{Job: next[1], Attempt: engine.Attempt{Outcome: engine.Failed, Status: 500}}}, next[2:], policy, time.Minute, 3)
	if err != nil || len(rec) != 2 || rec[1].State != canonical.DeliveryPending || rec[1].Attempts != 1 || len(more) != 0 {
		t.Fatalf("run with a failure: %+v, more %d, %v", rec, len(more), err)
	}
	e.clock.Advance(time.Minute)
	jobs = e.claim()
	if len(jobs) != 1 || email(jobs[0]) != emails[2] {
		t.Fatalf("after the retry wait claimed %+v, want the failed one", jobs)
	}
	rec, more, err = e.eng.RecordRun(e.ctx, []engine.Result{{Job: jobs[0], Attempt: ok}}, nil, policy, 0, 3)
	if err != nil || len(rec) != 1 || len(more) != 0 {
		t.Fatalf("lease 0: %+v, more %d, %v", rec, len(more), err)
	}
	if jobs := e.claim(); len(jobs) != 1 || email(jobs[0]) != emails[3] {
		t.Fatalf("the given-back delivery is claimable: %+v", jobs)
	}
}
