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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of a request no route of its surface
// matched (an unknown path or method).
const Unmatched = "unmatched"

// Metrics is one registry of refbridge's metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight *prometheus.GaugeVec
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

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
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
