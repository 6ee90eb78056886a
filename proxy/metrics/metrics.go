// Package metrics holds refbridge's Prometheus metrics (with
// prometheus/client_golang): requests by surface, method, route template
// and status, their latency and how many are in flight, and the Go
// runtime and process collectors. Handler serves them in the Prometheus
// text format; the proxy mounts it at /_refbridge/metrics.
//
// Labels never carry raw IDs: a request's route is the template its
// surface matched (/v2/campaign/{id}/participant/{participantId}), or
// "unmatched" when none did, so the number of series is bounded by the
// specs.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of a request no route of its surface
// matched (an unknown path or method).
const Unmatched = "unmatched"

// Metrics is one registry of refbridge's metrics. A nil *Metrics records
// nothing: its observers are nil too, and theirs record nothing. One
// Metrics may serve several proxies and stores: each part's collectors
// are registered once.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight *prometheus.GaugeVec

	storeOnce, hooksOnce, readsOnce sync.Once
	store                           *StoreMetrics
	hooks                           *WebhookMetrics
	readsMu                         sync.Mutex
	reads                           []func() (hits, misses uint64, entries int)
}

// New returns a registry with refbridge's metrics and the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "refbridge", Name: "http_requests_total",
			Help: "Requests answered, by surface (vendor or admin), method, route template and status code.",
		}, []string{"surface", "method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "refbridge", Name: "http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by surface, method and route template.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"surface", "method", "route"}),
		inflight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "refbridge", Name: "http_requests_in_flight",
			Help: "Requests being answered, by surface.",
		}, []string{"surface"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inflight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where other parts of refbridge register their own
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format (404 for a
// nil Metrics).
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request is one request being answered by a surface.
type Request struct {
	m       *Metrics
	surface string
	start   time.Time
	gauge   prometheus.Gauge
}

// Begin counts a request to surface as in flight until End.
func (m *Metrics) Begin(surface string) Request {
	if m == nil {
		return Request{}
	}
	g := m.inflight.WithLabelValues(surface)
	g.Inc()
	return Request{m: m, surface: surface, start: time.Now(), gauge: g}
}

// End records the request's answer: its method (OTHER for anything but
// the standard ones), the route template its surface matched ("" for
// Unmatched) and its status code.
func (r Request) End(method, route string, code int) {
	if r.m == nil {
		return
	}
	r.gauge.Dec()
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		method = "OTHER" // any other token a client sends would be a new series
	}
	if route == "" {
		route = Unmatched
	}
	r.m.requests.WithLabelValues(r.surface, method, route, strconv.Itoa(code)).Inc()
	r.m.duration.WithLabelValues(r.surface, method, route).Observe(time.Since(r.start).Seconds())
}

// Store returns the store's observer (store.Observer): transactions by
// kind and outcome with their latency, and each commit's size (how many
// writes a grouped commit carried) and latency.
func (m *Metrics) Store() *StoreMetrics {
	if m == nil {
		return nil
	}
	m.storeOnce.Do(func() { m.store = m.newStore() })
	return m.store
}

func (m *Metrics) newStore() *StoreMetrics {
	s := &StoreMetrics{
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "refbridge", Subsystem: "store", Name: "transactions_total",
			Help: "Store transactions ended, by kind (read or write) and outcome (ok or error).",
		}, []string{"kind", "outcome"}),
		txDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "refbridge", Subsystem: "store", Name: "transaction_duration_seconds",
			Help:    "Time a store transaction took, by kind; a write's includes its wait for a grouped commit.",
			Buckets: storeBuckets,
		}, []string{"kind"}),
		commitWrites: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "refbridge", Subsystem: "store", Name: "commit_writes",
			Help:    "Writes carried by one commit (SQLite groups concurrent writes into one).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		commitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "refbridge", Subsystem: "store", Name: "commit_duration_seconds",
			Help:    "Time a write transaction's commit took.",
			Buckets: storeBuckets,
		}),
		commitErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "refbridge", Subsystem: "store", Name: "commit_errors_total",
			Help: "Commits that failed.",
		}),
	}
	m.reg.MustRegister(s.txs, s.txDuration, s.commitWrites, s.commitDuration, s.commitErrors)
	for _, kind := range []string{"read", "write"} {
		s.byKind[kindIndex(kind == "write")] = kindMetrics{
			ok:       s.txs.WithLabelValues(kind, "ok"),
			failed:   s.txs.WithLabelValues(kind, "error"),
			duration: s.txDuration.WithLabelValues(kind),
		}
	}
	return s
}

// storeBuckets are the latency buckets of store transactions and commits:
// from 100 µs (a cached read on SQLite) to a second.
var storeBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}

// StoreMetrics observes a store (it implements store.Observer); a nil one
// records nothing.
type StoreMetrics struct {
	txs            *prometheus.CounterVec
	txDuration     *prometheus.HistogramVec
	commitWrites   prometheus.Histogram
	commitDuration prometheus.Histogram
	commitErrors   prometheus.Counter
	byKind         [2]kindMetrics // read, write: resolved once, not per call
}

type kindMetrics struct {
	ok, failed prometheus.Counter
	duration   prometheus.Observer
}

func kindIndex(write bool) int {
	if write {
		return 1
	}
	return 0
}

// Transaction implements store.Observer.
func (s *StoreMetrics) Transaction(write bool, d time.Duration, err error) {
	if s == nil {
		return
	}
	k := &s.byKind[kindIndex(write)]
	if err != nil {
		k.failed.Inc()
	} else {
		k.ok.Inc()
	}
	k.duration.Observe(d.Seconds())
}

// Commit implements store.Observer.
func (s *StoreMetrics) Commit(writes int, d time.Duration, err error) {
	if s == nil {
		return
	}
	s.commitWrites.Observe(float64(writes))
	s.commitDuration.Observe(d.Seconds())
	if err != nil {
		s.commitErrors.Inc()
	}
}

// ReadCache reports a read cache's use: stats returns its hits, misses
// and entries so far (surface.ReadCache.Stats). Several caches (one per
// proxy) are reported summed.
func (m *Metrics) ReadCache(stats func() (hits, misses uint64, entries int)) {
	if m == nil {
		return
	}
	m.readsMu.Lock()
	m.reads = append(m.reads, stats)
	m.readsMu.Unlock()
	m.readsOnce.Do(func() {
		sum := func(pick func(h, mi uint64, n int) float64) func() float64 {
			return func() float64 {
				m.readsMu.Lock()
				defer m.readsMu.Unlock()
				total := 0.0
				for _, st := range m.reads {
					total += pick(st())
				}
				return total
			}
		}
		m.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Namespace: "refbridge", Subsystem: "read_cache", Name: "hits_total",
				Help: "Reads answered from the read cache.",
			}, sum(func(h, _ uint64, _ int) float64 { return float64(h) })),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Namespace: "refbridge", Subsystem: "read_cache", Name: "misses_total",
				Help: "Reads the read cache could not answer (computed and stored).",
			}, sum(func(_, mi uint64, _ int) float64 { return float64(mi) })),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Namespace: "refbridge", Subsystem: "read_cache", Name: "entries",
				Help: "Answers held by the read cache (expired ones until they are swept).",
			}, sum(func(_, _ uint64, n int) float64 { return float64(n) })),
		)
	})
}

// Webhooks returns the delivery workers' observer: attempts by vendor and
// outcome, and how long each took.
func (m *Metrics) Webhooks() *WebhookMetrics {
	if m == nil {
		return nil
	}
	m.hooksOnce.Do(func() { m.hooks = m.newWebhooks() })
	return m.hooks
}

func (m *Metrics) newWebhooks() *WebhookMetrics {
	w := &WebhookMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "refbridge", Subsystem: "webhook", Name: "attempts_total",
			Help: "Webhook delivery attempts, by vendor and outcome (delivered, failed, skipped, unrenderable).",
		}, []string{"vendor", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "refbridge", Subsystem: "webhook", Name: "attempt_duration_seconds",
			Help:    "Time a webhook delivery attempt took, rendering and the endpoint's answer included, by vendor.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"vendor"}),
	}
	m.reg.MustRegister(w.attempts, w.duration)
	return w
}

// WebhookMetrics observes the delivery workers; a nil one records
// nothing.
type WebhookMetrics struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// Attempt records one delivery attempt to an endpoint of vendor.
func (w *WebhookMetrics) Attempt(vendor, outcome string, d time.Duration) {
	if w == nil {
		return
	}
	w.attempts.WithLabelValues(vendor, outcome).Inc()
	w.duration.WithLabelValues(vendor).Observe(d.Seconds())
}
