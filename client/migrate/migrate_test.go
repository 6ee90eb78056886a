package migrate_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
	_ "github.com/refbridge/refbridge/client/engineclient" // sqlite:// for the targets
	"github.com/refbridge/refbridge/client/migrate"
)

// program is a source program: a campaign, participants in a
// multi-level referral graph, approved rewards and sales.
type program struct {
	c        *client.Client
	campaign canonical.Campaign
	n        int
}

// referrerOf is participant i's referrer index: a three-level tree
// (i's referrer is (i-1)/3), so the graph is several levels deep.
func referrerOf(i int) int { return (i - 1) / 3 }

func email(i int) string { return fmt.Sprintf("p%05d@example.com", i) }

func newProgram(t *testing.T, n int) *program {
	t.Helper()
	ctx := context.Background()
	c, err := client.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "source.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	camp, err := c.CreateCampaign(ctx, canonical.Campaign{
		Name: "Spring", Status: canonical.CampaignActive, Qualification: canonical.QualifyOnSignup, ManualApproval: true, CommissionHoldDays: 30,
		Currency: "USD", URL: "https://shop.example.com",
		Rules: []canonical.RewardRule{
			{Kind: canonical.SingleSided, Title: "Friend bonus", Threshold: 1, Unlimited: true, Visible: true,
				ReferrerValue: canonical.Money{Amount: 500, Currency: "USD"}},
			{Kind: canonical.CommissionReward, Title: "10% of sales", Visible: true,
				Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 10}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	for i := range n {
		in := canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp.ID, Email: email(i),
			FirstName: fmt.Sprintf("P%d", i), Metadata: map[string]string{"tier": fmt.Sprint(i % 3)}}}
		if i > 0 {
			in.Referrer = canonical.ByID(ids[referrerOf(i)])
		}
		p, _, err := c.CreateParticipant(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	// Rewards wait for approval: approve every other one; record a sale for every fifth referred
	// participant.
	approveEveryOther(t, c, camp.ID)
	for i := 5; i < n; i += 5 {
		if _, err := c.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: camp.ID, Participant: canonical.ByID(ids[i]),
			Amount: canonical.Money{Amount: int64(1000 + i), Currency: "USD"}, ExternalIDs: map[string]string{"order": fmt.Sprint("o", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	// Commissions: the first half approved (due), then every other due
	// payout paid.
	var pending []canonical.Commission
	for cm, err := range c.Commissions(ctx, canonical.CommissionQuery{CampaignID: camp.ID}) {
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, cm)
	}
	for _, cm := range pending[:len(pending)/2] {
		if _, err := c.ApproveCommission(ctx, cm.ID); err != nil {
			t.Fatal(err)
		}
	}
	k := 0
	for po, err := range c.Payouts(ctx, canonical.PayoutQuery{CampaignID: camp.ID, Statuses: []canonical.PayoutStatus{canonical.PayoutDue}}) {
		if err != nil {
			t.Fatal(err)
		}
		if k++; k%2 == 0 {
			if _, err := c.PayPayout(ctx, po.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &program{c: c, campaign: camp, n: n}
}

// approveEveryOther approves every other earned reward of a campaign.
func approveEveryOther(t *testing.T, c *client.Client, campaign string) {
	t.Helper()
	ctx := context.Background()
	k := 0
	for rw, err := range c.EarnedRewards(ctx, canonical.RewardQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		if k++; k%2 == 0 {
			if _, err := c.ApproveReward(ctx, rw.ID, false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// moneyStates counts commissions and payouts by status.
func moneyStates(t *testing.T, c *client.Client, campaign string) string {
	t.Helper()
	ctx := context.Background()
	counts := map[string]int{}
	for cm, err := range c.Commissions(ctx, canonical.CommissionQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		counts["commission "+string(cm.Status)]++
	}
	for po, err := range c.Payouts(ctx, canonical.PayoutQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		counts["payout "+string(po.Status)]++
	}
	return fmt.Sprint(counts)
}

// graph returns email → referrer's email, reward statuses by email, and
// the total of commissions per currency, read through the backend.
func graph(t *testing.T, c *client.Client, campaign string) (map[string]string, map[string][]canonical.RewardStatus) {
	t.Helper()
	ctx := context.Background()
	emails := map[string]string{}
	refs := map[string]string{}
	for p, err := range c.Participants(ctx, canonical.ParticipantQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		emails[p.ID] = p.Email
		refs[p.ID] = p.ReferrerID
	}
	out := map[string]string{}
	for id, e := range emails {
		out[e] = emails[refs[id]]
	}
	rewards := map[string][]canonical.RewardStatus{}
	for rw, err := range c.EarnedRewards(ctx, canonical.RewardQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		rewards[emails[rw.ParticipantID]] = append(rewards[emails[rw.ParticipantID]], rw.Status)
	}
	return out, rewards
}

func TestEngineToEngine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newProgram(t, 300)
	dst, err := client.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "target.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	idmap, err := migrate.OpenIDMap(filepath.Join(t.TempDir(), "state", "idmap.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer idmap.Close()

	rep, err := migrate.Run(ctx, src.c, dst, migrate.Options{IDMap: idmap})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := idmap.Get(migrate.EntityCampaigns, src.campaign.ID)
	wantGraph, wantRewards := graph(t, src.c, src.campaign.ID)
	gotGraph, gotRewards := graph(t, dst, target)
	if len(gotGraph) != src.n {
		t.Fatalf("target has %d participants, want %d", len(gotGraph), src.n)
	}
	for e, ref := range wantGraph {
		if gotGraph[e] != ref {
			t.Errorf("%s: referred by %q on the target, %q on the source", e, gotGraph[e], ref)
		}
	}
	for e, st := range wantRewards {
		if fmt.Sprint(gotRewards[e]) != fmt.Sprint(st) {
			t.Errorf("%s: rewards %v on the target, %v on the source", e, gotRewards[e], st)
		}
	}
	p := rep.Entity(migrate.EntityParticipants)
	if p.Read != src.n || p.Written != src.n || p.Failed != 0 {
		t.Fatalf("participants: %+v", p)
	}
	if want, got := moneyStates(t, src.c, src.campaign.ID), moneyStates(t, dst, target); want != got {
		t.Errorf("commission and payout states: target %s, source %s", got, want)
	}
	for _, m := range rep.Money {
		if m.Source != m.Target || m.Source == 0 {
			t.Errorf("%s %s: source %d, target %d", m.Kind, m.Currency, m.Source, m.Target)
		}
	}
	if len(rep.Money) == 0 {
		t.Error("no commission sums in the report")
	}
	if len(rep.Losses) != 0 {
		t.Errorf("engine to engine lost %+v", rep.Losses)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "participants") {
		t.Fatalf("text report: %v\n%s", err, text.String())
	}

	// A second run writes nothing new.
	again, err := migrate.Run(ctx, src.c, dst, migrate.Options{IDMap: idmap})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range again.Entities {
		if e.Written != 0 || e.Failed != 0 {
			t.Errorf("second run %s: %+v", e.Entity, e)
		}
	}
	if n := count(t, dst, target); n != src.n {
		t.Fatalf("after a second run the target has %d participants", n)
	}
}

func count(t *testing.T, c *client.Client, campaign string) int {
	t.Helper()
	n := 0
	for _, err := range c.Participants(context.Background(), canonical.ParticipantQuery{CampaignID: campaign}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// TestResumeAfterCancel stops a run midway (the context is cancelled
// from its progress callback), then runs again with the same ID map: no
// duplicates, nothing missing.
func TestResumeAfterCancel(t *testing.T) {
	t.Parallel()
	src := newProgram(t, 120)
	dst, err := client.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "target.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	path := filepath.Join(t.TempDir(), "idmap.jsonl")
	idmap, err := migrate.OpenIDMap(path)
	if err != nil {
		t.Fatal(err)
	}
	stopAt := 1 + rand.IntN(src.n-2)
	t.Logf("cancelling after %d of %d participants", stopAt, src.n)
	ctx, cancel := context.WithCancel(context.Background())
	_, err = migrate.Run(ctx, src.c, dst, migrate.Options{IDMap: idmap, Progress: func(p migrate.Progress) {
		if p.Entity == migrate.EntityParticipants && p.Done == stopAt {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("a cancelled run reported success")
	}
	idmap.Close()
	// A fresh process would reopen the map from disk.
	idmap, err = migrate.OpenIDMap(path)
	if err != nil {
		t.Fatal(err)
	}
	defer idmap.Close()
	if got := len(idmap.Entries(migrate.EntityParticipants)); got != stopAt {
		t.Fatalf("the map kept %d participants after stopping at %d", got, stopAt)
	}
	rep, err := migrate.Run(context.Background(), src.c, dst, migrate.Options{IDMap: idmap})
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Entity(migrate.EntityParticipants); p.Skipped != stopAt || p.Written != src.n-stopAt || p.Failed != 0 {
		t.Fatalf("resumed run: %+v", p)
	}
	target, _ := idmap.Get(migrate.EntityCampaigns, src.campaign.ID)
	wantGraph, _ := graph(t, src.c, src.campaign.ID)
	gotGraph, _ := graph(t, dst, target)
	if len(gotGraph) != src.n {
		t.Fatalf("target has %d participants, want %d", len(gotGraph), src.n)
	}
	for e, ref := range wantGraph {
		if gotGraph[e] != ref {
			t.Errorf("%s: referred by %q, want %q", e, gotGraph[e], ref)
		}
	}
}

// TestDryRunWritesNothing: a dry run reads everything and reports what
// it would write.
func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	src := newProgram(t, 40)
	dst, err := client.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "target.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := migrate.Run(context.Background(), src.c, dst, migrate.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Entity(migrate.EntityParticipants); p.Read != 40 || p.Written != 40 {
		t.Fatalf("dry run participants: %+v", p)
	}
	n := 0
	for _, err := range dst.Campaigns(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 0 {
		t.Fatalf("a dry run created %d campaigns", n)
	}
}
