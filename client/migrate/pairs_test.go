package migrate_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/client"
	"github.com/refbridge/refbridge/client/migrate"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// pairSize is the program size of the vendor-to-vendor tests: 10,000
// participants, or 200 with -short; REFBRIDGE_MIGRATE_PARTICIPANTS sets
// it.
func pairSize(t *testing.T) int {
	if v := os.Getenv("REFBRIDGE_MIGRATE_PARTICIPANTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			t.Fatalf("REFBRIDGE_MIGRATE_PARTICIPANTS=%q", v)
		}
		return n
	}
	if testing.Short() {
		return 200
	}
	return 10_000
}

// seed fills a proxy tenant's campaign, through its engine, with n
// participants in the three-level referral tree of referrerOf. Each level
// of the tree is created by 16 concurrent writers (the store commits them
// in groups), so 10,000 participants take seconds.
func seed(t *testing.T, tn proxytest.Tenant, n int) {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	for lo, width := 0, 1; lo < n; lo, width = lo+width, width*3 {
		hi := min(n, lo+width)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		next := make(chan int)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					in := canonical.NewParticipant{Participant: canonical.Participant{CampaignID: tn.Campaign.ID, Email: email(i), FirstName: fmt.Sprint("P", i)}}
					if i > 0 {
						in.Referrer = canonical.ByID(ids[referrerOf(i)])
					}
					p, _, err := tn.Backend.CreateParticipant(ctx, in)
					if err != nil {
						select {
						case errs <- err:
						default:
						}
						continue
					}
					ids[i] = p.ID
				}
			}()
		}
		for i := lo; i < hi; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
}

// sales records, through a tenant's engine, a sale of amount cents (USD)
// by every step-th participant from the first-th on, identified by key
// with value prefix+index.
func sales(t *testing.T, tn proxytest.Tenant, first, step int, amount int64, key, prefix string) {
	t.Helper()
	ctx := context.Background()
	n, err := tn.Backend.CampaignStats(ctx, tn.Campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := first; i < n.Participants; i += step {
		p, err := tn.Backend.GetParticipant(ctx, tn.Campaign.ID, canonical.ByEmail(email(i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tn.Backend.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: tn.Campaign.ID, Participant: canonical.ByID(p.ID),
			Amount: canonical.Money{Amount: amount, Currency: "USD"}, ExternalIDs: map[string]string{key: fmt.Sprint(prefix, i)}}); err != nil {
			t.Fatal(err)
		}
	}
}

// engineGraph reads email → referrer email from a tenant's engine.
func engineGraph(t *testing.T, b canonical.Backend, campaign string) map[string]string {
	t.Helper()
	return graphOf(t, client.New(b), campaign)
}

func graphOf(t *testing.T, c *client.Client, campaign string) map[string]string {
	g, _ := graph(t, c, campaign)
	return g
}

// TestIReferToGrowSurf migrates a program from a proxy acting as iRefer
// into one acting as GrowSurf, over both vendors' APIs.
func TestIReferToGrowSurf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := pairSize(t)
	campaign := canonical.Campaign{Qualification: canonical.QualifyOnSignup, Rules: []canonical.RewardRule{
		{Kind: canonical.Milestone, Title: "Three friends", Threshold: 3, Unlimited: true, Visible: true,
			ReferrerValue: canonical.Money{Amount: 1000, Currency: "USD"}}}}
	a := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.IRefer}})
	ta := a.NewTenant(t, "source", campaign)
	seed(t, ta, n)
	b := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.GrowSurf}})
	tb := b.NewTenant(t, "target", canonical.Campaign{})

	src, err := irefer.NewBackend(&irefer.BackendOptions{BaseURL: a.URL, LicenseKey: ta.Secret(canonical.IRefer, canonical.LicenseKey),
		APIKey: ta.Secret(canonical.IRefer, canonical.SiteKey), CampaignID: irefer.NewIDs(a.Engine.IDSecret()).EncodeID(irefer.KindCampaign, ta.Campaign.ID)})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: b.URL + "/v2", APIKey: tb.Secret(canonical.GrowSurf, canonical.APIKey)})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	idmap, _ := migrate.OpenIDMap("")
	srcCampaign := irefer.NewIDs(a.Engine.IDSecret()).EncodeID(irefer.KindCampaign, ta.Campaign.ID)
	rep, err := migrate.Run(ctx, src, dst, migrate.Options{Campaigns: []string{srcCampaign}, IDMap: idmap})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d participants iRefer → GrowSurf in %v (%.0f participants/s)", n, time.Since(start).Round(time.Millisecond),
		float64(n)/time.Since(start).Seconds())
	logReport(t, rep)

	// The target campaign is the tenant's second (the first came with it).
	target := newestCampaign(t, tb.Backend)
	want := engineGraph(t, ta.Backend, ta.Campaign.ID)
	got := engineGraph(t, tb.Backend, target)
	if len(got) != n {
		t.Fatalf("GrowSurf side has %d participants, want %d", len(got), n)
	}
	for e, ref := range want {
		if got[e] != ref {
			t.Errorf("%s: referred by %q on the target, %q on the source", e, got[e], ref)
		}
	}
	if p := rep.Entity(migrate.EntityParticipants); p.Written != n || p.Failed != 0 {
		t.Fatalf("participants: %+v", p)
	}
	// The report lists exactly the participant fields that did not
	// arrive, with their record counts.
	dstCampaign, _ := idmap.Get(migrate.EntityCampaigns, srcCampaign)
	checkFieldLosses(t, rep, src, srcCampaign, dst, dstCampaign, idmap)
	// Earned rewards: the target earns them by its own rules as the
	// referrals arrive; the source's and target's agree, status by status.
	if rw := rep.Entity(migrate.EntityRewards); rw.Failed != 0 {
		t.Errorf("rewards: %+v", rw)
	}
	if want, got := rewardStates(t, ta.Backend, ta.Campaign.ID), rewardStates(t, tb.Backend, target); want != got || want == "map[]" {
		t.Errorf("earned rewards by status: target %s, source %s", got, want)
	}
}

// rewardStates counts a campaign's earned rewards by status.
func rewardStates(t *testing.T, b canonical.Backend, campaign string) string {
	t.Helper()
	counts := map[canonical.RewardStatus]int{}
	for rw, err := range client.New(b).EarnedRewards(context.Background(), canonical.RewardQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		counts[rw.Status]++
	}
	return fmt.Sprint(counts)
}

// TestRewardfulToEngine migrates affiliates with their commissions from
// a proxy acting as Rewardful into the engine in-process.
func TestRewardfulToEngine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := pairSize(t)
	a := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.Rewardful}})
	ta := a.NewTenant(t, "source", canonical.Campaign{Qualification: canonical.QualifyOnSignup, Currency: "USD",
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Title: "20%", Visible: true,
			Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 20}}}})
	seed(t, ta, n)
	// Sales by every fourth referred participant.
	sales(t, ta, 4, 4, 5000, "invoice", "in_")
	// Every tenth sale refunded: Rewardful shows only the voided
	// commission, which the target gets as a refund of the replayed sale.
	for i := 4; i < n; i += 40 {
		if _, err := ta.Backend.RefundTransaction(ctx, canonical.NewRefund{CampaignID: ta.Campaign.ID,
			ExternalIDs: map[string]string{"invoice": fmt.Sprint("in_", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	src, err := rewardful.NewBackend(&rewardful.BackendOptions{BaseURL: a.URL + "/v1", APISecret: ta.Secret(canonical.Rewardful, canonical.APISecret)})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := client.Open(ctx, "sqlite://"+t.TempDir()+"/target.db")
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	start := time.Now()
	idmap, _ := migrate.OpenIDMap("")
	rep, err := migrate.Run(ctx, src, dst, migrate.Options{IDMap: idmap})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d participants and %d sales Rewardful → engine in %v (%.0f participants/s)", n, (n-1)/4,
		time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds())
	logReport(t, rep)
	if p := rep.Entity(migrate.EntityParticipants); p.Read != n || p.Written != n || p.Failed != 0 {
		t.Fatalf("participants: %+v", p)
	}
	// Rewardful shows sales only inside commissions; they are replayed
	// from there, and the engine's commissions add up to the source's.
	sales := (n - 1) / 4
	if tr := rep.Entity(migrate.EntityTransactions); tr.Read != sales || tr.Written != sales || tr.Failed != 0 {
		t.Errorf("sales: %+v, want %d replayed", tr, sales)
	}
	found := false
	for _, m := range rep.Money {
		if m.Kind == "commissions" {
			found = true
			if m.Source == 0 || m.Source != m.Target {
				t.Errorf("commissions %s: source %d, target %d", m.Currency, m.Source, m.Target)
			}
		}
	}
	if !found {
		t.Error("no commission sums reported")
	}
	if want, got := moneyStates(t, client.New(ta.Backend), ta.Campaign.ID), moneyStates(t, dst, newestCampaign(t, dst)); want != got {
		t.Errorf("commission and payout states: target %s, source %s", got, want)
	}
	if len(rep.Losses) != 0 {
		t.Errorf("Rewardful → engine lost %+v", rep.Losses)
	}
	srcCampaign := newestCampaign(t, src)
	dstCampaign, _ := idmap.Get(migrate.EntityCampaigns, srcCampaign)
	if lost := fieldLosses(t, src, srcCampaign, dst, dstCampaign, idmap.Entries(migrate.EntityParticipants)); len(lost) != 0 {
		t.Errorf("fields that did not arrive: %v", lost)
	}
	// The engine keeps Rewardful's IDs of what it received.
	type resolver interface {
		ResolveAlias(ctx context.Context, kind string, vendor canonical.Vendor, external string) (string, error)
	}
	res, ok := dst.Backend().(resolver)
	if !ok {
		t.Fatal("the engine backend does not resolve aliases")
	}
	first, err := src.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: newestCampaign(t, src), ListOptions: canonical.ListOptions{Limit: 1}})
	if err != nil || len(first.Items) == 0 {
		t.Fatalf("source participants: %v", err)
	}
	id, err := res.ResolveAlias(ctx, "participant", canonical.Rewardful, first.Items[0].ID)
	if err != nil {
		t.Fatalf("alias of Rewardful affiliate %s: %v", first.Items[0].ID, err)
	}
	if p, err := dst.GetParticipant(ctx, "", canonical.ByID(id)); err != nil || !strings.EqualFold(p.Email, first.Items[0].Email) {
		t.Fatalf("the alias leads to %+v, %v; want %s", p, err, first.Items[0].Email)
	}
	// Every participant arrived, referred by the same person: Rewardful's
	// affiliates do not say who referred them, its referrals do.
	want := engineGraph(t, ta.Backend, ta.Campaign.ID)
	got := graphOf(t, dst, newestCampaign(t, dst))
	if len(got) != n {
		t.Fatalf("the engine has %d participants, want %d", len(got), n)
	}
	for e, ref := range want {
		if got[e] != ref {
			t.Errorf("%s: referred by %q on the target, %q on the source", e, got[e], ref)
		}
	}
}

// TestEngineToGrowSurf migrates a program with sales from the engine into
// a proxy acting as GrowSurf (an affiliate program there), over
// GrowSurf's API: commissions and their states arrive with the graph.
func TestEngineToGrowSurf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := pairSize(t)
	a := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.GrowSurf}})
	ta := a.NewTenant(t, "source", canonical.Campaign{Qualification: canonical.QualifyOnSignup, Currency: "USD",
		Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward, Title: "15%", Visible: true,
			Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 15}}}})
	seed(t, ta, n)
	sales(t, ta, 3, 5, 4000, "orderId", "o")
	b := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.GrowSurf}})
	tb := b.NewTenant(t, "target", canonical.Campaign{})
	dst, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: b.URL + "/v2", APIKey: tb.Secret(canonical.GrowSurf, canonical.APIKey)})
	if err != nil {
		t.Fatal(err)
	}
	idmap, _ := migrate.OpenIDMap("")
	start := time.Now()
	rep, err := migrate.Run(ctx, ta.Backend, dst, migrate.Options{Campaigns: []string{ta.Campaign.ID}, IDMap: idmap})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d participants and %d sales engine → GrowSurf in %v (%.0f participants/s)", n, (n-3+4)/5,
		time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds())
	logReport(t, rep)
	target, _ := idmap.Get(migrate.EntityCampaigns, ta.Campaign.ID)
	targetEngine := newestCampaign(t, tb.Backend)
	want, got := engineGraph(t, ta.Backend, ta.Campaign.ID), engineGraph(t, tb.Backend, targetEngine)
	if len(got) != n {
		t.Fatalf("GrowSurf side has %d participants, want %d", len(got), n)
	}
	for e, ref := range want {
		if got[e] != ref {
			t.Errorf("%s: referred by %q on the target, %q on the source", e, got[e], ref)
		}
	}
	for _, e := range []string{migrate.EntityParticipants, migrate.EntityTransactions} {
		if x := rep.Entity(e); x.Failed != 0 {
			t.Errorf("%s: %+v", e, x)
		}
	}
	for _, m := range rep.Money {
		if m.Source == 0 || m.Source != m.Target {
			t.Errorf("%s %s: source %d, target %d", m.Kind, m.Currency, m.Source, m.Target)
		}
	}
	if want, got := moneyStates(t, client.New(ta.Backend), ta.Campaign.ID), moneyStates(t, client.New(tb.Backend), targetEngine); want != got {
		t.Errorf("commission and payout states: target %s, source %s", got, want)
	}
	checkFieldLosses(t, rep, ta.Backend, ta.Campaign.ID, dst, target, idmap)
}

func newestCampaign(t *testing.T, b canonical.Backend) string {
	t.Helper()
	page, err := b.ListCampaigns(context.Background(), canonical.ListOptions{Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("campaigns: %+v, %v", page, err)
	}
	return page.Items[0].ID
}

func logReport(t *testing.T, rep *migrate.Report) {
	t.Helper()
	var sb strings.Builder
	_ = rep.WriteText(&sb)
	t.Log("\n" + sb.String())
}

// TestRoundTripThroughGrowSurf: engine → GrowSurf → engine keeps every
// field GrowSurf can carry (emails, names, metadata, who referred whom).
func TestRoundTripThroughGrowSurf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newProgram(t, 60)
	g := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.GrowSurf}})
	tg := g.NewTenant(t, "middle", canonical.Campaign{})
	gs, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: g.URL + "/v2", APIKey: tg.Secret(canonical.GrowSurf, canonical.APIKey)})
	if err != nil {
		t.Fatal(err)
	}
	back, err := client.Open(ctx, "sqlite://"+t.TempDir()+"/back.db")
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	there, _ := migrate.OpenIDMap("")
	if _, err := migrate.Run(ctx, src.c, gs, migrate.Options{IDMap: there}); err != nil {
		t.Fatal(err)
	}
	middle, _ := there.Get(migrate.EntityCampaigns, src.campaign.ID)
	rep, err := migrate.Run(ctx, gs, back, migrate.Options{Campaigns: []string{middle}})
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, rep)
	type person struct{ first, referrer, tier string }
	read := func(c *client.Client, campaign string) map[string]person {
		out := map[string]person{}
		emails := map[string]string{}
		var ps []canonical.Participant
		for p, err := range c.Participants(ctx, canonical.ParticipantQuery{CampaignID: campaign}) {
			if err != nil {
				t.Fatal(err)
			}
			emails[p.ID] = p.Email
			ps = append(ps, p)
		}
		for _, p := range ps {
			out[p.Email] = person{p.FirstName, emails[p.ReferrerID], p.Metadata["tier"]}
		}
		return out
	}
	want := read(src.c, src.campaign.ID)
	got := read(back, newestCampaign(t, back.Backend()))
	if len(got) != len(want) {
		t.Fatalf("round trip kept %d of %d participants", len(got), len(want))
	}
	for e, w := range want {
		if got[e] != w {
			t.Errorf("%s: %+v after the round trip, %+v before", e, got[e], w)
		}
	}
}
