// Package deliver runs refbridge's webhook delivery workers: a Pool claims
// the engine's due deliveries, renders each through its endpoint's vendor
// surface (surface.WebhookSurface), posts it, and records the attempt, so
// the engine applies the vendor's retry schedule and failure policy.
//
// Delivery is at least once and in order per endpoint: the engine gives
// out only the head of each endpoint's queue, under a lease, and the
// worker that finished it claims the deliveries behind it in runs (one
// commit records a run and claims the next), attempted in order until one
// fails. A worker that dies leaves its deliveries to be claimed again when
// the lease ends, and every attempt of a delivery carries the same event
// ID. Time is the engine's clock, so tests move through retry schedules
// without waiting.
package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/engine"
)

// Defaults of Options.
const (
	DefaultWorkers  = 4
	DefaultLease    = time.Minute
	DefaultPoll     = time.Second
	DefaultTimeout  = 10 * time.Second
	DefaultDrain    = 10 * time.Second
	DefaultBatch    = 32
	DefaultCoalesce = 10 * time.Millisecond
)

// Options configures a Pool; zero values mean the defaults.
type Options struct {
	// Workers is how many attempts run at once.
	Workers int
	// Surfaces are the vendor surfaces; those that implement
	// surface.WebhookSurface render their endpoints' deliveries. A
	// delivery to an endpoint of any other vendor is completed without a
	// request.
	Surfaces []surface.Surface
	// Config is the installation's surface configuration the renderers
	// are made with (its IDSecret keys the payloads' IDs, as on the REST
	// surfaces); its Logger receives the workers' logs.
	Config surface.Config
	// AllowPrivate lets deliveries reach loopback, private and link-local
	// addresses (local development). By default they are refused, after
	// name resolution, and the attempt fails saying so.
	AllowPrivate bool
	// Client, when set, posts every delivery (it overrides AllowPrivate).
	// By default deliveries are posted over the pool's own kept-alive
	// HTTP/1.1 connections, each exchange on its worker's goroutine, and
	// through net/http only where an environment proxy applies.
	Client *http.Client
	// Lease is how long a claimed delivery is withheld from other workers
	// (on the engine's clock). A worker attempts a run of deliveries and
	// records it within the run's lease: an attempt times out within half
	// of it, and the last quarter is kept for the commit that records the
	// run, so no attempt starts that could not end before that quarter.
	Lease time.Duration
	// Poll is the longest the pool waits, in real time, before looking
	// for due deliveries again without being woken: deliveries queued by
	// other replicas sharing the database are found within it.
	Poll time.Duration
	// Coalesce is how long, in real time, the pool lets writes gather
	// after one wakes it before it looks for due deliveries, and a worker
	// that caught up with an endpoint's queue waits before the commit that
	// records its run and claims the next: the events of a busy moment
	// then go out in one run per endpoint, with one commit for many,
	// instead of one or two per event. It adds as much to a delivery's
	// latency. Negative: none.
	Coalesce time.Duration
	// Batch is how many deliveries to one endpoint a worker claims at
	// once after finishing one (attempted in order, one commit for all).
	Batch int
	// Observer, when set, is told of every attempt.
	Observer Observer
	// Drain is how long, in real time, Run lets attempts in flight finish
	// after its context ends; attempts still running then are abandoned
	// unrecorded, and their leases make them due again.
	Drain time.Duration
}

// Observer is told of every delivery attempt (for metrics): its
// endpoint's vendor, its outcome (engine.Outcome's name) and how long it
// took, rendering included. It is called from every worker at once.
type Observer interface {
	Attempt(vendor, outcome string, d time.Duration)
}

// Pool is a set of delivery workers over one engine.
type Pool struct {
	eng      *engine.Engine
	hooks    map[canonical.Vendor]surface.Webhooks
	client   *http.Client
	poster   *poster // nil: every delivery goes through client
	observer Observer
	log      *slog.Logger
	workers  int
	lease    time.Duration
	poll     time.Duration
	drain    time.Duration
	batch    int
	coalesce time.Duration
	wake     chan struct{}
	settle   chan chan struct{}
}

// New returns a pool delivering eng's webhooks; Run starts it.
func New(eng *engine.Engine, opts Options) *Pool {
	p := &Pool{
		eng:      eng,
		hooks:    map[canonical.Vendor]surface.Webhooks{},
		log:      opts.Config.Log(),
		workers:  opts.Workers,
		lease:    opts.Lease,
		poll:     opts.Poll,
		drain:    opts.Drain,
		batch:    opts.Batch,
		coalesce: opts.Coalesce,
		observer: opts.Observer,
		wake:     make(chan struct{}, 1),
		settle:   make(chan chan struct{}),
	}
	if p.workers <= 0 {
		p.workers = DefaultWorkers
	}
	if p.coalesce == 0 {
		p.coalesce = DefaultCoalesce
	}
	if p.batch <= 0 {
		p.batch = DefaultBatch
	}
	if p.lease <= 0 {
		p.lease = DefaultLease
	}
	if p.poll <= 0 {
		p.poll = DefaultPoll
	}
	if p.drain < 0 {
		p.drain = 0
	} else if p.drain == 0 {
		p.drain = DefaultDrain
	}
	for _, s := range opts.Surfaces {
		if ws, ok := s.(surface.WebhookSurface); ok {
			p.hooks[s.Vendor()] = ws.Webhooks(opts.Config)
		}
	}
	switch {
	case opts.Client != nil:
		p.client = opts.Client
	default:
		// The surfaces' outbound clients, without their own timeout: each
		// attempt is bounded by its vendor's.
		c := *surface.Config{}.OutboundClient()
		if opts.AllowPrivate {
			c = *surface.OpenClient()
		}
		c.Timeout = 0
		p.client = &c
		// As the clients it stands in for: the default one connects
		// directly (an environment proxy would hide the address the
		// internal-address check must see); the open one honours the
		// environment's proxies, through net/http.
		p.poster = newPoster(surface.OutboundDialer(opts.AllowPrivate), nil, p.workers, opts.AllowPrivate)
	}
	return p
}

// Wake makes the pool look for due deliveries now (after the engine's
// clock moved, say); it never blocks.
func (p *Pool) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Settle wakes the pool and returns once it has looked for due
// deliveries, found none, and has no attempt in flight: everything due on
// the engine's clock when it returns has been attempted. It needs Run.
func (p *Pool) Settle(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case p.settle <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run delivers until ctx ends, then lets attempts in flight finish for
// up to Options.Drain and returns.
func (p *Pool) Run(ctx context.Context) {
	written, stop := p.eng.Notify()
	defer stop()
	if p.poster != nil {
		defer p.poster.close()
	}
	attempts, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	done := make(chan struct{}, p.workers)
	inflight := 0
	var settlers []chan struct{}
	timer := time.NewTimer(p.poll)
	defer timer.Stop()
	for {
		wait, idle := p.poll, false
		if free := p.workers - inflight; free > 0 {
			began := p.now()
			jobs, next, err := p.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				p.log.Error("webhook deliveries: claim", "err", err)
			}
			for _, job := range jobs {
				inflight++
				go func() {
					p.work(ctx, attempts, job, began)
					done <- struct{}{}
				}()
			}
			idle = err == nil && len(jobs) == 0
			if idle && !next.IsZero() {
				// Until the next delivery falls due on the engine's
				// clock; a claim that lost a race looks again soon.
				wait = min(max(next.Sub(p.eng.Now()), minWait), p.poll)
			}
		}
		if idle && inflight == 0 {
			for _, s := range settlers {
				close(s)
			}
			settlers = nil
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			p.stop(done, inflight, abandon)
			for _, s := range settlers {
				close(s)
			}
			return
		case <-done:
			inflight--
		case <-written:
			p.pause(ctx)
		case <-p.wake:
		case <-timer.C:
		case s := <-p.settle:
			settlers = append(settlers, s)
		}
		// Count every attempt that ended meanwhile, to claim for all
		// the free workers at once.
		for drained := false; !drained; {
			select {
			case <-done:
				inflight--
			default:
				drained = true
			}
		}
	}
}

// pause waits Options.Coalesce, or until ctx ends.
func (p *Pool) pause(ctx context.Context) {
	if p.coalesce <= 0 {
		return
	}
	t := time.NewTimer(p.coalesce)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// minWait is the shortest wait between looks for due deliveries.
const minWait = 5 * time.Millisecond

// claim claims up to n due deliveries, and says when the next one falls
// due when none is due now (zero: none pending). It looks first in a
// read, so an idle pool does not take the store's write lock (SQLite has
// one for the whole database) on every write it is woken by.
func (p *Pool) claim(ctx context.Context, n int) ([]engine.DeliveryJob, time.Time, error) {
	next, ok, err := p.eng.NextDelivery(ctx)
	if err != nil || !ok {
		return nil, time.Time{}, err
	}
	if next.After(p.eng.Now()) {
		return nil, next, nil
	}
	jobs, err := p.eng.ClaimDeliveries(ctx, p.lease, n)
	return jobs, next, err
}

// stop waits for attempts in flight for up to the drain period, then
// abandons the rest and waits for them to return.
func (p *Pool) stop(done <-chan struct{}, inflight int, abandon context.CancelFunc) {
	deadline := time.NewTimer(p.drain)
	defer deadline.Stop()
	for inflight > 0 {
		select {
		case <-done:
			inflight--
		case <-deadline.C:
			abandon()
		}
	}
}

// instant is a moment on the engine's clock and on the wall clock.
type instant struct {
	clock time.Time // the engine's clock, which tests move at will
	real  time.Time // the wall clock (with its monotonic reading)
}

// now is the present instant.
func (p *Pool) now() instant { return instant{clock: p.eng.Now(), real: time.Now()} }

// recordShare is the share of a run's lease (one part in recordShare)
// kept for recording the run: no attempt starts that could still be
// running when that part of the lease begins, so the record commits
// before the lease ends unless the commit itself takes that long.
const recordShare = 4

// work attempts a claimed delivery (claimed by a commit that began at
// began, or later) and records it, and then, while the pool runs (ctx),
// runs of the endpoint's next due deliveries, each claimed in the
// transaction that records the run before. A run's deliveries are
// attempted in order until one fails, or until the run's lease has too
// little left for another attempt and the record; those after it are
// given back. An attempt cut short by attempts ending (the pool stopped
// without draining) is not recorded: its lease makes it due again, for
// the next worker.
func (p *Pool) work(ctx, attempts context.Context, job engine.DeliveryJob, began instant) {
	// One endpoint, one vendor: every attempt has the same timeout.
	timeout := p.timeout(job.Endpoint)
	// What of the lease attempts may use: the rest is for the record.
	usable := p.lease - p.lease/recordShare
	for run := []engine.DeliveryJob{job}; len(run) > 0; {
		var (
			results []engine.Result
			policy  engine.RetryPolicy
			i       int
		)
		for ; i < len(run); i++ {
			// An attempt starts only if it ends, at its timeout, within
			// the usable part of the lease: in real time, which bounds
			// its timeout, and, after the first, on the engine's clock,
			// which bounds the lease (the two agree but in tests, and
			// the first attempt goes out however a test moved the clock).
			if time.Since(began.real)+timeout > usable ||
				i > 0 && p.eng.Now().Sub(began.clock)+timeout > usable {
				break
			}
			start := time.Now()
			at, pol := p.send(attempts, run[i], timeout)
			if attempts.Err() != nil {
				return
			}
			if p.observer != nil {
				p.observer.Attempt(string(job.Endpoint.Vendor), at.Outcome.String(), time.Since(start))
			}
			policy = pol
			results = append(results, engine.Result{Job: run[i], Attempt: at})
			if at.Outcome == engine.Failed {
				i++
				break
			}
		}
		if len(results) == 0 {
			// The claim's commit took so long that the lease has no room
			// left for an attempt: it ends soon, for the next worker.
			p.log.Warn("webhook deliveries: claimed too late in the lease to attempt", "endpoint", job.Delivery.EndpointID,
				"lease", p.lease, "elapsed", time.Since(began.real))
			return
		}
		lease := p.lease
		if ctx.Err() != nil {
			lease = 0 // stopping: claim nothing more
		} else if len(run) < p.batch && time.Since(began.real)+p.coalesce <= usable {
			// A short run: the queue is caught up. Let the events of the
			// next moment gather, so the commit that records this run
			// claims them all, if the lease has room for it.
			p.pause(ctx)
		}
		// The next run's lease begins within the commit.
		began = p.now()
		recorded, next, err := p.eng.RecordRun(attempts, results, run[i:], policy, lease, p.batch)
		if err != nil {
			if canonical.CodeOf(err) == canonical.NotFound {
				p.log.Info("webhook deliveries: attempts not recorded", "endpoint", job.Delivery.EndpointID, "err", err)
			} else {
				p.log.Error("webhook deliveries: record attempts", "endpoint", job.Delivery.EndpointID, "err", err)
			}
			return
		}
		if len(recorded) < len(results) {
			p.log.Info("webhook deliveries: attempts recorded by another worker first", "endpoint", job.Delivery.EndpointID)
		}
		for _, d := range recorded {
			if d.State != canonical.DeliveryDelivered {
				p.log.Info("webhook delivery failed", "delivery", d.ID, "endpoint", d.EndpointID, "event", d.EventID,
					"attempts", d.Attempts, "state", d.State, "next", d.NextAttemptAt, "err", d.LastError)
			}
		}
		run = next
	}
}

// timeout is how long an attempt at a delivery to ep may take: its
// vendor's timeout, within half the lease.
func (p *Pool) timeout(ep canonical.WebhookEndpoint) time.Duration {
	t := DefaultTimeout
	if hooks := p.hooks[ep.Vendor]; hooks != nil && hooks.Policy().Timeout > 0 {
		t = hooks.Policy().Timeout
	}
	return min(t, p.lease/2)
}

// send renders and posts one delivery, waiting up to timeout for the
// answer, and says how it went, with the vendor's retry policy.
func (p *Pool) send(ctx context.Context, job engine.DeliveryJob, timeout time.Duration) (engine.Attempt, engine.RetryPolicy) {
	ep := job.Endpoint
	hooks := p.hooks[ep.Vendor]
	if hooks == nil {
		return engine.Attempt{Outcome: engine.Skipped, Error: fmt.Sprintf("%s has no webhooks", ep.Vendor)}, engine.RetryPolicy{}
	}
	pol := hooks.Policy()
	policy := engine.RetryPolicy{Retries: pol.Retries, DisableAfter: pol.DisableAfter}
	req, ok, err := hooks.Render(job.Event, ep, job.Delivery.ID, p.eng.Now())
	if err != nil {
		return engine.Attempt{Outcome: engine.Unrenderable, Error: "render: " + err.Error()}, policy
	}
	if !ok {
		return engine.Attempt{Outcome: engine.Skipped, Error: fmt.Sprintf("%s announces no %s", ep.Vendor, job.Event.Kind)}, policy
	}
	header := req.Header
	if header.Get("Content-Type") == "" || header.Get("User-Agent") == "" {
		header = header.Clone()
		if header == nil {
			header = http.Header{}
		}
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", "application/json")
		}
		if header.Get("User-Agent") == "" {
			header.Set("User-Agent", "refbridge-webhooks")
		}
	}
	status, err := p.post(ctx, ep.URL, header, req.Body, timeout)
	if err != nil {
		return engine.Attempt{Outcome: engine.Failed, Error: p.describe(err, timeout)}, policy
	}
	acked := status >= 200 && status < 300
	if pol.Success != nil {
		acked = pol.Success(status)
	}
	if acked {
		return engine.Attempt{Outcome: engine.Delivered, Status: status}, policy
	}
	return engine.Attempt{Outcome: engine.Failed, Status: status,
		Error: fmt.Sprintf("endpoint answered HTTP %d", status)}, policy
}

// errBadURL marks an endpoint URL that cannot be posted to.
type errBadURL struct{ error }

// post posts body to rawURL and returns the answer's status code, once
// its body is read (up to 64 KiB), within timeout.
func (p *Pool) post(ctx context.Context, rawURL string, header http.Header, body []byte, timeout time.Duration) (int, error) {
	if p.poster != nil {
		u, err := url.Parse(rawURL)
		if err != nil {
			return 0, errBadURL{err}
		}
		status, err := p.poster.post(ctx, u, header, body, time.Now().Add(timeout))
		if !errors.Is(err, errNotPosted) {
			return status, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, errBadURL{err}
	}
	hr.Header = header
	resp, err := p.client.Do(hr)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, nil
}

// describe says why a request got no answer.
func (p *Pool) describe(err error, timeout time.Duration) string {
	var bad errBadURL
	switch {
	case errors.As(err, &bad):
		return "bad endpoint URL: " + bad.Error()
	case errors.Is(err, surface.ErrPrivateAddress):
		return "refused: " + err.Error() + " (internal addresses are allowed only with --webhooks-allow-private)"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("no answer within %s", timeout)
	}
	return err.Error()
}
