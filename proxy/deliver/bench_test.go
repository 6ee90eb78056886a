package deliver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/deliver"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// benchReceiver is a GrowSurf webhook receiver for benchmarks: it notes
// when each participant's NEW_PARTICIPANT_ADDED arrived.
type benchReceiver struct {
	mu      sync.Mutex
	at      map[string]time.Time
	n       atomic.Int64
	arrived chan struct{}
}

func newBenchReceiver() *benchReceiver {
	return &benchReceiver{at: map[string]time.Time{}, arrived: make(chan struct{}, 1)}
}

func (r *benchReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Data struct{ Participant struct{ Email string } }
	}
	_ = json.NewDecoder(req.Body).Decode(&body)
	now := time.Now()
	r.mu.Lock()
	if _, ok := r.at[body.Data.Participant.Email]; !ok {
		r.at[body.Data.Participant.Email] = now
	}
	r.mu.Unlock()
	r.n.Add(1)
	select {
	case r.arrived <- struct{}{}:
	default:
	}
}

// wait waits until n webhooks arrived (at most a minute).
func (r *benchReceiver) wait(b *testing.B, n int) {
	deadline := time.After(time.Minute)
	for r.n.Load() < int64(n) {
		select {
		case <-r.arrived:
		case <-deadline:
			b.Fatalf("%d of %d webhooks arrived", r.n.Load(), n)
		}
	}
}

// benchServer is a proxy over a fresh SQLite file with one tenant, its
// GrowSurf campaign and key, and (webhooks on) endpoints subscribed to
// NEW_PARTICIPANT_ADDED at a local receiver.
type benchServer struct {
	srv      *proxytest.Server
	tn       proxytest.Tenant
	campaign string
	key      string
	rc       *benchReceiver
}

func newBenchServer(b *testing.B, workers bool, endpoints int) *benchServer {
	srv := proxytest.New(b, &proxytest.Options{Webhooks: workers, NoReadCache: true, Vendors: []canonical.Vendor{canonical.GrowSurf}})
	tn := srv.NewTenant(b, "bench", canonical.Campaign{})
	s := &benchServer{srv: srv, tn: tn, key: tn.Secret(canonical.GrowSurf, canonical.APIKey), rc: newBenchReceiver()}
	var camps struct{ Campaigns []struct{ ID string } }
	s.call(b, http.MethodGet, "/v2/campaigns", nil, &camps)
	s.campaign = camps.Campaigns[0].ID
	rc := httptest.NewServer(s.rc)
	b.Cleanup(rc.Close)
	for i := range endpoints {
		_, err := tn.Backend.(canonical.Webhooks).CreateWebhookEndpoint(context.Background(), canonical.WebhookEndpoint{
			Vendor: canonical.GrowSurf, URL: fmt.Sprintf("%s/%d", rc.URL, i), Events: []string{"NEW_PARTICIPANT_ADDED"},
			Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}, Enabled: true})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// call makes one GrowSurf call and decodes a 200 answer into out.
func (s *benchServer) call(b *testing.B, method, path string, body, out any) {
	var rd io.Reader = http.NoBody
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := benchClient.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		return
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.Error(err)
		}
	}
}

var benchSeq atomic.Int64

// signups signs n participants up over HTTP from clients goroutines and
// returns when each signup was sent, by email. Its commit comes later
// (and its webhook may arrive before the answer), so latencies from it
// are upper bounds of commit-to-receipt.
func (s *benchServer) signups(b *testing.B, n, clients int) map[string]time.Time {
	var (
		mu   sync.Mutex
		done = make(map[string]time.Time, n)
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				email := fmt.Sprintf("bench%d@example.com", benchSeq.Add(1))
				at := time.Now()
				s.call(b, http.MethodPost, "/v2/campaign/"+s.campaign+"/participant", map[string]string{"email": email}, nil)
				mu.Lock()
				done[email] = at
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return done
}

// latencies reports the p50 and p99 of signup-to-receipt times.
func (s *benchServer) latencies(b *testing.B, committed map[string]time.Time) {
	s.rc.mu.Lock()
	defer s.rc.mu.Unlock()
	var ds []time.Duration
	for email, at := range committed {
		if got, ok := s.rc.at[email]; ok {
			ds = append(ds, got.Sub(at))
		}
	}
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkSignupsHTTP measures durable GrowSurf signups over HTTP on
// SQLite from 16 clients, with webhooks off (no endpoint, no workers), on
// (one endpoint subscribed to NEW_PARTICIPANT_ADDED at a local receiver,
// the workers delivering meanwhile), and queued (the endpoint, no
// workers). With webhooks on it also
// reports when the last webhook arrived (delivered/s over the whole run)
// and each event's latency from its signup's answer to its receipt.
func BenchmarkSignupsHTTP(b *testing.B) {
	for _, mode := range []struct {
		name               string
		endpoints, workers bool
	}{
		{"webhooks=false", false, false},
		{"webhooks=true", true, true},
		// The endpoint's queue alone, nobody delivering: what the
		// fan-out costs a signup, apart from the workers.
		{"webhooks=queued", true, false},
	} {
		b.Run(mode.name, func(b *testing.B) {
			endpoints := 0
			if mode.endpoints {
				endpoints = 1
			}
			s := newBenchServer(b, mode.workers, endpoints)
			b.ResetTimer()
			start := time.Now()
			committed := s.signups(b, b.N, 16)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signups/s")
			if mode.workers {
				s.rc.wait(b, b.N)
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "delivered/s")
				s.latencies(b, committed)
			}
		})
	}
}

// BenchmarkLatencyIdle measures commit-to-receipt latency of one signup
// at a time (an idle server: the workers are woken by the commit).
func BenchmarkLatencyIdle(b *testing.B) {
	s := newBenchServer(b, true, 1)
	committed := map[string]time.Time{}
	b.ResetTimer()
	for i := range b.N {
		for email, at := range s.signups(b, 1, 1) {
			committed[email] = at
		}
		s.rc.wait(b, i+1)
	}
	b.StopTimer()
	s.latencies(b, committed)
}

// BenchmarkDeliverBacklog measures delivery alone: b.N signups queued
// with the workers stopped, then delivered to 1 and to 8 endpoints (each
// endpoint takes its events one at a time, in order).
func BenchmarkDeliverBacklog(b *testing.B) {
	for _, endpoints := range []int{1, 8} {
		b.Run(fmt.Sprintf("endpoints=%d", endpoints), func(b *testing.B) {
			s := newBenchServer(b, false, endpoints)
			s.signups(b, b.N, 16)
			pool := deliver.New(s.srv.Engine, deliver.Options{Surfaces: []surface.Surface{growsurf.NewSurface()},
				Config: surface.Config{Now: s.srv.Clock.Now, IDSecret: s.srv.Engine.IDSecret()}, AllowPrivate: true, Workers: 8})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			// The pool stops before the store closes, however the
			// benchmark ends.
			defer func() {
				cancel()
				<-done
			}()
			b.ResetTimer()
			start := time.Now()
			go func() {
				defer close(done)
				pool.Run(ctx)
			}()
			s.rc.wait(b, b.N*endpoints)
			b.ReportMetric(float64(b.N*endpoints)/time.Since(start).Seconds(), "delivered/s")
			b.StopTimer()
		})
	}
}
