package engine_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// The benchmarks run each operation on a campaign of every size in
// REFBRIDGE_BENCH_SIZES (default "1000,1000000") on SQLite, and on
// PostgreSQL too when REFBRIDGE_TEST_POSTGRES_DSN is set. Seeding a size
// happens once per process and is not timed:
//
//	go test ./proxy/engine -run '^$' -bench . -benchtime 2000x

func benchSizes() []int {
	spec := os.Getenv("REFBRIDGE_BENCH_SIZES")
	if spec == "" {
		spec = "1000,1000000"
	}
	var out []int
	for _, f := range strings.Split(spec, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// benchCampaign is a seeded campaign shared by the benchmarks of one
// process.
type benchCampaign struct {
	eng  *engine.Engine
	b    canonical.Backend
	camp canonical.Campaign
	n    int
	ids  []string // participant IDs in join order
	file string   // the SQLite working copy, "" on PostgreSQL
}

var (
	benchMu    sync.Mutex
	benchCache = map[string]*benchCampaign{}
	benchSeq   atomic.Int64
	// benchRun makes this process's new emails unique in a database an
	// earlier run seeded and wrote to (REFBRIDGE_BENCH_DIR).
	benchRun = strconv.FormatInt(time.Now().UnixNano(), 36)
)

// benchStores lists the stores to measure: REFBRIDGE_BENCH_STORES
// ("sqlite,postgres"), by default SQLite plus PostgreSQL when its DSN is
// set.
func benchStores() []string {
	if spec := os.Getenv("REFBRIDGE_BENCH_STORES"); spec != "" {
		return strings.Split(spec, ",")
	}
	kinds := []string{"sqlite"}
	if os.Getenv("REFBRIDGE_TEST_POSTGRES_DSN") != "" {
		kinds = append(kinds, "postgres")
	}
	return kinds
}

// seeded returns the campaign of n participants on a store kind, seeding
// it on first use. Referrers follow a skewed distribution: 70% of
// participants were referred, mostly by early participants.
func seeded(b *testing.B, kind string, n int) *benchCampaign {
	benchMu.Lock()
	defer benchMu.Unlock()
	key := kind + "/" + strconv.Itoa(n)
	if c := benchCache[key]; c != nil {
		return c
	}
	var (
		st         store.Store
		sqlitePath string
	)
	switch kind {
	case "sqlite":
		// REFBRIDGE_BENCH_DIR keeps seeded databases between runs.
		dir, keep := os.Getenv("REFBRIDGE_BENCH_DIR"), true
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "refbridge-bench-"); err != nil {
				b.Fatal(err)
			}
			keep = false
		}
		path := filepath.Join(dir, fmt.Sprintf("bench-%d.db", n))
		sqlitePath = path
		if keep {
			if c := reuse(b, path, n); c != nil {
				benchCache[key] = c
				return c
			}
			os.Remove(path)
		}
		var err error
		st, err = sqlite.Open(context.Background(), path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !keep {
			benchCleanup = append(benchCleanup, func() { os.RemoveAll(dir) })
		}
		benchCleanup = append(benchCleanup, func() { st.Close() })
	case "postgres":
		st = pgtest.OpenShared(benchCleanupAdd)
	}
	eng := engine.New(st, nil)
	ctx := context.Background()
	acct, err := eng.CreateAccount(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	bk := eng.Backend(acct.ID)
	camp, err := bk.CreateCampaign(ctx, canonical.Campaign{Name: "bench", Status: canonical.CampaignActive})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	refs := make([]int, n)
	for i := range refs {
		refs[i] = -1
		if i > 0 && rng.Float64() < 0.7 {
			u := rng.Float64()
			refs[i] = int(float64(i) * u * u)
		}
	}
	start := time.Now()
	if err := eng.Seed(ctx, acct.ID, camp.ID, engine.Population{Participants: n, Referrer: func(i int) int { return refs[i] }}); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "seeded %d participants on %s in %s\n", n, kind, time.Since(start).Round(time.Millisecond))
	if kind == "sqlite" {
		// Reopen, as a restarted server would: closing checkpoints the
		// seeding's write-ahead log, which would otherwise be copied back
		// into the database during the timed writes.
		benchCleanup = benchCleanup[:len(benchCleanup)-1]
		st.Close()
		os.WriteFile(sqlitePath+".done", nil, 0o644)
		if c := reuse(b, sqlitePath, n); c != nil {
			benchCache[key] = c
			return c
		}
		b.Fatal("could not reopen the seeded database")
	}
	first, err := bk.GetParticipant(ctx, camp.ID, canonical.ByEmail("seed0@example.com"))
	if err != nil {
		b.Fatal(err)
	}
	base, _ := strconv.ParseInt(first.ID, 10, 64)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.FormatInt(base+int64(i), 10)
	}
	c := &benchCampaign{eng: eng, b: bk, camp: camp, n: n, ids: ids}
	benchCache[key] = c
	return c
}

// reuse opens a working copy of a database seeded by an earlier run, or
// returns nil. The seeded file itself is never written, so the signups
// and conversions one run measures do not grow the campaign the next run
// measures.
func reuse(b *testing.B, path string, n int) *benchCampaign {
	if _, err := os.Stat(path + ".done"); err != nil {
		return nil
	}
	work := path + ".run"
	if err := copyFile(path, work); err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), work, nil)
	if err != nil {
		b.Fatal(err)
	}
	benchCleanup = append(benchCleanup, func() {
		st.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(work + suffix)
		}
	})
	// Open converts a file seeded before the dense rank layout (each run
	// then pays for it on its working copy).
	ctx := context.Background()
	opened := time.Now()
	eng, err := engine.Open(ctx, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "opened %s in %s\n", work, time.Since(opened).Round(time.Millisecond))
	accts, err := eng.Accounts(ctx)
	if err != nil || len(accts) == 0 {
		b.Fatalf("reused database has no account: %v", err)
	}
	bk := eng.Backend(accts[0].ID)
	camps, err := bk.ListCampaigns(ctx, canonical.ListOptions{})
	if err != nil || len(camps.Items) == 0 {
		b.Fatalf("reused database has no campaign: %v", err)
	}
	camp := camps.Items[len(camps.Items)-1]
	first, err := bk.GetParticipant(ctx, camp.ID, canonical.ByEmail("seed0@example.com"))
	if err != nil {
		b.Fatal(err)
	}
	base, _ := strconv.ParseInt(first.ID, 10, 64)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.FormatInt(base+int64(i), 10)
	}
	fmt.Fprintf(os.Stderr, "reusing %d participants seeded in %s\n", n, path)
	return &benchCampaign{eng: eng, b: bk, camp: camp, n: n, ids: ids, file: work}
}

var benchCleanup []func()

func benchCleanupAdd(f func()) { benchCleanup = append(benchCleanup, f) }

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(benchCleanup) - 1; i >= 0; i-- { // last in, first out, like defer
		benchCleanup[i]()
	}
	os.Exit(code)
}

// forEach runs fn as a sub-benchmark per store and size.
func forEach(b *testing.B, fn func(b *testing.B, c *benchCampaign)) {
	for _, kind := range benchStores() {
		for _, n := range benchSizes() {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) { fn(b, seeded(b, kind, n)) })
		}
	}
}

// BenchmarkGetParticipantWithRank reads random participants with their
// stats and all four ranks.
func BenchmarkGetParticipantWithRank(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(1, 2))
		b.ResetTimer()
		for range b.N {
			p, err := c.b.GetParticipant(ctx, c.camp.ID, canonical.ByID(c.ids[rng.IntN(c.n)]))
			if err != nil || p.Stats.Rank == 0 {
				b.Fatalf("get = rank %d, %v", p.Stats.Rank, err)
			}
		}
	})
}

// coldRuns makes each run of BenchmarkRankLookup draw other participants,
// so repeated runs (-count, growing b.N) do not find the ones before
// already in the store's caches.
var coldRuns atomic.Uint64

// BenchmarkRankLookup reads random participants' all-time rank alone.
func BenchmarkRankLookup(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) {
		ctx := context.Background()
		acct := c.b.(*engine.Account)
		rng := rand.New(rand.NewPCG(3, coldRuns.Add(1)))
		b.ResetTimer()
		for range b.N {
			if r, err := acct.Rank(ctx, c.camp.ID, c.ids[rng.IntN(c.n)], canonical.AllTime); err != nil || r < 1 || r > c.n+b.N {
				b.Fatalf("rank = %d, %v", r, err)
			}
		}
	})
}

// BenchmarkRankLookupNewProcess reads one random participant's all-time
// rank from a store opened just before, as the first lookup of a new
// process would: on SQLite it pays for loading the rank trees it needs
// into the node cache.
func BenchmarkRankLookupNewProcess(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) {
		if c.file == "" {
			b.Skip("only SQLite caches rank trees")
		}
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(11, coldRuns.Add(1)))
		var opening time.Duration
		b.ResetTimer()
		for range b.N {
			began := time.Now()
			st, err := sqlite.Open(ctx, c.file, nil)
			if err != nil {
				b.Fatal(err)
			}
			acct := engine.New(st, nil).Backend(c.b.(*engine.Account).ID()).(*engine.Account)
			opening += time.Since(began)
			if r, err := acct.Rank(ctx, c.camp.ID, c.ids[rng.IntN(c.n)], canonical.AllTime); err != nil || r < 1 {
				b.Fatalf("rank = %d, %v", r, err)
			}
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(opening.Nanoseconds())/float64(b.N), "ns-open/op")
	})
}

// BenchmarkRankLookupWarm cycles through the same 1,000 participants, so
// their pages stay cached: it isolates the cost of the rank trees from the
// cost of faulting random pages of a large file in.
func BenchmarkRankLookupWarm(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) {
		ctx := context.Background()
		acct := c.b.(*engine.Account)
		rng := rand.New(rand.NewPCG(7, 8))
		set := make([]string, 1000)
		for i := range set {
			set[i] = c.ids[rng.IntN(c.n)]
		}
		for _, id := range set { // warm up
			if _, err := acct.Rank(ctx, c.camp.ID, id, canonical.AllTime); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for i := range b.N {
			if r, err := acct.Rank(ctx, c.camp.ID, set[i%len(set)], canonical.AllTime); err != nil || r < 1 {
				b.Fatalf("rank = %d, %v", r, err)
			}
		}
	})
}

// BenchmarkLeaderboardTop100 reads the first all-time leaderboard page of
// 100.
func BenchmarkLeaderboardTop100(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) {
		ctx := context.Background()
		b.ResetTimer()
		for range b.N {
			page, err := c.b.Leaderboard(ctx, canonical.LeaderboardQuery{CampaignID: c.camp.ID, ListOptions: canonical.ListOptions{Limit: 100}})
			if err != nil || len(page.Items) != 100 || page.Items[99].Stats.Rank != 100 {
				b.Fatalf("leaderboard = %d rows, %v", len(page.Items), err)
			}
		}
	})
}

// BenchmarkCreateParticipant measures durable signups (after the read
// benchmarks, which so see exactly n participants): each returns only
// after its transaction committed. Requests run in parallel, as a server's
// would, from 16 and from 64 concurrent clients.
func BenchmarkCreateParticipant(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) { benchSignups(b, c) })
}

// BenchmarkCreateParticipantWebhook is BenchmarkCreateParticipant with
// one enabled webhook endpoint subscribed to every change kind: each
// signup also queues a delivery of each change it logs. It shows what an
// endpoint adds to the event log every signup writes anyway.
func BenchmarkCreateParticipantWebhook(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) {
		wh := c.b.(canonical.Webhooks)
		ep, err := wh.CreateWebhookEndpoint(context.Background(), canonical.WebhookEndpoint{Vendor: canonical.GrowSurf,
			URL: "https://hooks.example.com/in", CampaignID: c.camp.ID, Kinds: canonical.ChangeKinds(), Enabled: true})
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := wh.DeleteWebhookEndpoint(context.Background(), ep.ID); err != nil {
				b.Fatal(err)
			}
		}()
		benchSignups(b, c)
	})
}

// benchSignups runs direct signups from 16 and from 64 clients.
func benchSignups(b *testing.B, c *benchCampaign) {
	for _, clients := range []int{16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			ctx := context.Background()
			b.SetParallelism(clients / runtime.GOMAXPROCS(0))
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					in := canonical.NewParticipant{}
					in.CampaignID, in.Email = c.camp.ID, fmt.Sprintf("new%d.%s@example.com", benchSeq.Add(1), benchRun)
					if _, created, err := c.b.CreateParticipant(ctx, in); err != nil || !created {
						b.Errorf("signup %s: created %v, %v", in.Email, created, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signups/s")
		})
	}
}

// BenchmarkReferralConversion measures crediting a pending referral (the
// referrer's counts, monthly score, rank trees and reward rules move).
func BenchmarkReferralConversion(b *testing.B) {
	forEach(b, func(b *testing.B, c *benchCampaign) {
		ctx := context.Background()
		event := canonical.QualifyOnEvent
		if _, err := c.b.UpdateCampaign(ctx, c.camp.ID, canonical.CampaignPatch{Qualification: &event}); err != nil {
			b.Fatal(err)
		}
		defer func() {
			signup := canonical.QualifyOnSignup
			if _, err := c.b.UpdateCampaign(ctx, c.camp.ID, canonical.CampaignPatch{Qualification: &signup}); err != nil {
				b.Fatal(err)
			}
		}()
		rng := rand.New(rand.NewPCG(5, 6))
		pending := make([]string, b.N)
		for i := range pending {
			in := canonical.NewParticipant{Referrer: canonical.ByID(c.ids[rng.IntN(c.n)])}
			in.CampaignID, in.Email = c.camp.ID, fmt.Sprintf("conv%d.%s@example.com", benchSeq.Add(1), benchRun)
			p, created, err := c.b.CreateParticipant(ctx, in)
			if err != nil || !created {
				b.Fatalf("referred signup %s: created %v, %v", in.Email, created, err)
			}
			pending[i] = p.ID
		}
		b.ResetTimer()
		for _, id := range pending {
			ok, err := c.b.TriggerReferral(ctx, c.camp.ID, canonical.ByID(id), 0)
			if err != nil || !ok {
				b.Fatalf("trigger = %v, %v", ok, err)
			}
		}
	})
}

// copyFile copies a closed SQLite database (no WAL left) to dst.
func copyFile(src, dst string) error {
	if _, err := os.Stat(src + "-wal"); err == nil {
		return fmt.Errorf("%s has a WAL; it was not closed cleanly", src)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// Written back now, not while a benchmark waits on its own fsyncs.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
