package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// loadTarget is one request the load benchmark repeats.
type loadTarget struct {
	name   string
	method string
	url    string
	header http.Header
}

// loadResult is what one load run measured.
type loadResult struct {
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
}

func (r loadResult) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// runLoad sends n requests for tg from conc keep-alive clients and
// measures throughput and latency. Every response must be 200 with a body,
// or the run fails: a fast error is not a result.
func runLoad(tb testing.TB, client *http.Client, tg loadTarget, conc, n int) loadResult {
	tb.Helper()
	var next atomic.Int64
	lat := make([][]time.Duration, conc)
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, n/conc+1)
			for next.Add(1) <= int64(n) {
				req, _ := http.NewRequest(tg.method, tg.url, nil)
				req.Header = tg.header
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				nb, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode != http.StatusOK || nb == 0 {
					failed.Store(fmt.Sprintf("%s: status %d, %d bytes", tg.name, resp.StatusCode, nb))
					return
				}
			}
			lat[w] = mine
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if msg := failed.Load(); msg != nil {
		tb.Fatalf("load %s: %v", tg.name, msg)
	}
	all := slices.Concat(lat...)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return loadResult{
		requests: len(all),
		elapsed:  elapsed,
		p50:      all[len(all)/2],
		p99:      all[len(all)*99/100],
	}
}

// bareTwin captures what the proxy answers for tg and returns a bare
// net/http server that answers every request with the same status,
// headers and bytes: the floor the proxy is measured against.
func bareTwin(tb testing.TB, client *http.Client, tg loadTarget) *httptest.Server {
	tb.Helper()
	req, _ := http.NewRequest(tg.method, tg.url, nil)
	req.Header = tg.header
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("%s: proxy answered %d: %s", tg.name, resp.StatusCode, body)
	}
	header := resp.Header.Clone()
	header.Del("Date")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, bytes.NewReader(body))
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// loadReport prints the figures as a table.
func loadReport(names []string, bare, prox map[string]loadResult) string {
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\tbare req/s\tbare p99\tproxy req/s\tproxy p99\tratio\t")
	for _, n := range names {
		b, p := bare[n], prox[n]
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%.0f\t%s\t%.2f\t\n", n, b.rps(), b.p99.Round(time.Microsecond),
			p.rps(), p.p99.Round(time.Microsecond), p.rps()/b.rps())
	}
	tw.Flush()
	return sb.String()
}

// BenchmarkVendorReads measures, in one run, a bare net/http handler
// returning the same bytes and the proxy serving three read-heavy calls:
// GrowSurf's participant, ReferralHero's subscriber and iRefer's
// referrerStats, each for a participant with referrals in a campaign of
// REFBRIDGE_LOAD_PARTICIPANTS (default 10,000) seeded participants. It
// prints requests/s, p99 and the ratio to bare. Run it once:
//
//	go test -run '^$' -bench VendorReads -benchtime 1x ./proxy/
//
// REFBRIDGE_LOAD_REQUESTS (default 20,000) and REFBRIDGE_LOAD_CLIENTS
// (default 16) set the load; REFBRIDGE_LOAD_ONLY=<vendor> runs one target
// (for profiling); REFBRIDGE_LOAD_NO_CACHE=1 turns the read cache off, to
// measure every call going to the engine. The load generator shares the machine with
// the server, as a client on the same host would.
func BenchmarkVendorReads(b *testing.B) {
	participants := envInt(b, "REFBRIDGE_LOAD_PARTICIPANTS", 10_000)
	requests := envInt(b, "REFBRIDGE_LOAD_REQUESTS", 20_000)
	clients := envInt(b, "REFBRIDGE_LOAD_CLIENTS", 16)
	ctx := context.Background()

	srv := proxytest.New(b, &proxytest.Options{NoReadCache: os.Getenv("REFBRIDGE_LOAD_NO_CACHE") != ""})
	tn := srv.NewTenant(b, "bench", canonical.Campaign{
		Qualification: canonical.QualifyOnSignup,
		Rules: []canonical.RewardRule{{Kind: canonical.Milestone, Title: "Five friends", Threshold: 5, Unlimited: true, Visible: true,
			ReferrerValue: canonical.Money{Amount: 500, Currency: "USD"}}},
	})
	// Participant i is referred by participant i/3: a three-way tree
	// whose inner nodes have three referrals each.
	err := srv.Engine.Seed(ctx, tn.Account.ID, tn.Campaign.ID, engine.Population{
		Participants: participants,
		Referrer: func(i int) int {
			if i == 0 {
				return -1
			}
			return (i - 1) / 3
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	// A participant in the middle of the tree, with referrals.
	email := fmt.Sprintf("seed%d@example.com", participants/7)
	p, err := tn.Backend.GetParticipant(ctx, tn.Campaign.ID, canonical.ByEmail(email))
	if err != nil {
		b.Fatal(err)
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	gsKey := tn.Secret(canonical.GrowSurf, canonical.APIKey)
	gsCampaign, gsParticipant := growsurfIDs(b, client, srv.URL, gsKey, email)
	rhIDs := referralhero.NewIDs(srv.Engine.IDSecret())
	targets := []loadTarget{
		{
			name:   "growsurf getParticipant",
			method: http.MethodGet,
			url:    srv.URL + "/v2/campaign/" + gsCampaign + "/participant/" + gsParticipant,
			header: http.Header{"Authorization": {"Bearer " + gsKey}},
		},
		{
			name:   "referralhero getSubscriber",
			method: http.MethodGet,
			url: srv.URL + "/api/v2/lists/" + rhIDs.ListUUID(tn.Campaign.ID) + "/subscribers/" +
				rhIDs.SubscriberID(p.ID) + "?api_token=" + tn.Secret(canonical.ReferralHero, canonical.APIKey),
			header: http.Header{},
		},
		{
			name:   "irefer referrerStats",
			method: http.MethodGet,
			url: srv.URL + "/v1.0/" + tn.Secret(canonical.IRefer, canonical.LicenseKey) + ".js/referrerStats?" + url.Values{
				"email":       {email},
				"campaign_id": {irefer.NewIDs(srv.Engine.IDSecret()).EncodeID(irefer.KindCampaign, tn.Campaign.ID)},
				"api_key":     {tn.Secret(canonical.IRefer, canonical.SiteKey)},
			}.Encode(),
			header: http.Header{},
		},
	}

	bare := map[string]loadResult{}
	prox := map[string]loadResult{}
	var names []string
	only := os.Getenv("REFBRIDGE_LOAD_ONLY")
	for _, tg := range targets {
		if only != "" && !strings.Contains(tg.name, only) {
			continue
		}
		names = append(names, tg.name)
		twin := bareTwin(b, client, tg)
		bareTarget := tg
		bareTarget.url = twin.URL + "/"
		// Warm both up (connections, caches), then measure.
		runLoad(b, client, bareTarget, clients, requests/10)
		bare[tg.name] = runLoad(b, client, bareTarget, clients, requests)
		runLoad(b, client, tg, clients, requests/10)
		prox[tg.name] = runLoad(b, client, tg, clients, requests)
		b.ReportMetric(prox[tg.name].rps()/bare[tg.name].rps(), strings.ReplaceAll(tg.name, " ", "-")+"-ratio")
	}
	b.Logf("%d participants, %d requests per run, %d clients, GOMAXPROCS=%d, read cache off: %v\n%s",
		participants, requests, clients, runtime.GOMAXPROCS(0), os.Getenv("REFBRIDGE_LOAD_NO_CACHE") != "", loadReport(names, bare, prox))
}

// growsurfIDs finds the GrowSurf ids of the tenant's campaign and of the
// participant with the given email, through the GrowSurf surface.
func growsurfIDs(tb testing.TB, client *http.Client, base, key, email string) (campaign, participant string) {
	tb.Helper()
	get := func(path string, out any) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			tb.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			tb.Fatal(err)
		}
	}
	var camps struct{ Campaigns []struct{ ID string } }
	get("/v2/campaigns", &camps)
	if len(camps.Campaigns) != 1 {
		tb.Fatalf("want one GrowSurf campaign, got %+v", camps)
	}
	var p struct{ ID string }
	get("/v2/campaign/"+camps.Campaigns[0].ID+"/participant/"+url.PathEscape(email), &p)
	return camps.Campaigns[0].ID, p.ID
}

func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}
