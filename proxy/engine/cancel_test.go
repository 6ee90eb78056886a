package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/sqlstore"
)

// cancelCase is a multi-statement write: setup prepares a fresh campaign
// of a fresh account, op is the write whose every statement boundary the
// test cancels at.
type cancelCase struct {
	name     string
	campaign canonical.Campaign
	setup    func(e *env, c canonical.Campaign) (arg string)
	op       func(ctx context.Context, e *env, c canonical.Campaign, arg string) error
}

func usd(n int64) canonical.Money { return canonical.Money{Amount: n, Currency: "USD"} }

var affiliateProgram = canonical.Campaign{Kind: canonical.AffiliateProgram, CommissionHoldDays: 30,
	MinimumPayout: usd(5000),
	Rules: []canonical.RewardRule{{Kind: canonical.CommissionReward,
		Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 30}}}}

// affiliateSales makes an affiliate with a referred customer who bought
// twice, $100 each.
func affiliateSales(e *env, c canonical.Campaign) canonical.Participant {
	aff := e.join(c.ID, "aff@example.com", canonical.ParticipantRef{})
	cust := e.join(c.ID, "cust@example.com", canonical.ByCode(aff.ReferralCode))
	e.join(c.ID, "other@example.com", canonical.ParticipantRef{})
	e.sale(c, cust, 10000, "in_1")
	e.sale(c, cust, 10000, "in_2")
	return aff
}

var cancelCases = []cancelCase{{
	name: "referred signup earning double-sided rewards",
	campaign: canonical.Campaign{Rules: []canonical.RewardRule{
		{Kind: canonical.DoubleSided, Title: "both", ReferrerValue: usd(1000), ReferredValue: usd(700)},
		{Kind: canonical.SingleSided, Title: "each", ReferrerValue: usd(500)},
		{Kind: canonical.Milestone, Title: "at 2", Threshold: 2},
	}},
	setup: func(e *env, c canonical.Campaign) string {
		a := e.join(c.ID, "a@example.com", canonical.ParticipantRef{})
		e.join(c.ID, "b@example.com", canonical.ByCode(a.ReferralCode))
		e.join(c.ID, "c@example.com", canonical.ParticipantRef{})
		e.clock.Advance(time.Hour)
		return a.ReferralCode
	},
	op: func(ctx context.Context, e *env, c canonical.Campaign, code string) error {
		in := canonical.NewParticipant{Referrer: canonical.ByCode(code)}
		in.CampaignID, in.Email = c.ID, "d@example.com"
		_, _, err := e.b.CreateParticipant(ctx, in)
		return err
	},
}, {
	name:     "partial refund",
	campaign: affiliateProgram,
	setup: func(e *env, c canonical.Campaign) string {
		affiliateSales(e, c)
		return ""
	},
	op: func(ctx context.Context, e *env, c canonical.Campaign, _ string) error {
		_, err := e.b.RefundTransaction(ctx, canonical.NewRefund{CampaignID: c.ID,
			ExternalIDs: map[string]string{"invoiceId": "in_2"}, Amount: canonical.Money{Amount: 2500}})
		return err
	},
}, {
	name:     "commissions falling due into a payout",
	campaign: affiliateProgram,
	setup: func(e *env, c canonical.Campaign) string {
		affiliateSales(e, c)
		return ""
	},
	op: func(ctx context.Context, e *env, c canonical.Campaign, _ string) error {
		// The first read past the hold settles the due commissions. The
		// clock goes back afterwards, so reading the state does not
		// settle them itself.
		e.clock.Advance(31 * 24 * time.Hour)
		defer e.clock.Advance(-31 * 24 * time.Hour)
		_, err := e.b.ListPayouts(ctx, canonical.PayoutQuery{CampaignID: c.ID})
		return err
	},
}, {
	name:     "payout paid",
	campaign: affiliateProgram,
	setup: func(e *env, c canonical.Campaign) string {
		aff := affiliateSales(e, c)
		e.clock.Advance(31 * 24 * time.Hour)
		page, err := e.b.ListPayouts(e.ctx, canonical.PayoutQuery{CampaignID: c.ID, ParticipantID: aff.ID})
		if err != nil || len(page.Items) != 1 {
			e.t.Fatalf("payouts = %+v, %v", page.Items, err)
		}
		return page.Items[0].ID
	},
	op: func(ctx context.Context, e *env, _ canonical.Campaign, payout string) error {
		_, err := e.b.PayPayout(ctx, payout)
		return err
	},
}}

// TestCancelledWritesAreAllOrNothing cancels each multi-statement write at
// every statement boundary — as a client hanging up at that moment does —
// on SQLite and PostgreSQL. Each time the campaign must read exactly as
// before the write or exactly as after it uncancelled (participants,
// referrals, rewards, money, stats, every rank tree node), a write that
// reported success must be there, and every rank must equal the
// participant's place on a leaderboard built from the rows.
func TestCancelledWritesAreAllOrNothing(t *testing.T) {
	t.Parallel()
	for name, open := range testStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			for _, tc := range cancelCases {
				t.Run(tc.name, func(t *testing.T) { cancelEverywhere(t, st, tc) })
			}
		})
	}
}

// cancelEverywhere runs tc once uncancelled to learn its statements and
// final state, then once per statement, cancelling just before it.
func cancelEverywhere(t *testing.T, st store.Store, tc cancelCase) {
	ref := runCancelled(t, st, tc, -1)
	if ref.err != nil {
		t.Fatalf("uncancelled: %v", ref.err)
	}
	if ref.before == ref.after {
		t.Fatal("the write changed nothing")
	}
	absent, present := 0, 0
	for k := 1; k <= ref.statements; k++ {
		got := runCancelled(t, st, tc, k)
		switch {
		case got.after == ref.before && got.err != nil:
			absent++
		case got.after == ref.after:
			present++
		case got.err == nil:
			t.Errorf("cancelled at statement %d (%s): the write reported success but is not whole:\n%s", k, got.query, diffJSON(ref.after, got.after))
		default:
			t.Errorf("cancelled at statement %d (%s): %v, and the campaign is neither as before nor as after:\n%s", k, got.query, got.err, diffJSON(ref.after, got.after))
		}
	}
	if absent == 0 {
		t.Errorf("no cancellation undid the write (%d statements, %d complete): the test cancelled nothing", ref.statements, present)
	}
	t.Logf("%d statements: cancelled at %d of them the write is absent, at %d complete", ref.statements, absent, present)
}

type cancelRun struct {
	before, after string // the campaign's state, IDs replaced by labels (before: reference run only)
	err           error
	statements    int    // statements the write ran (uncancelled run)
	query         string // the statement cancelled at
}

// runCancelled sets tc up in a new account of st and runs its write,
// cancelling just before its k-th statement (never when k < 0).
func runCancelled(t *testing.T, st store.Store, tc cancelCase, k int) cancelRun {
	t.Helper()
	e := envOn(t, st)
	acct := e.b.(*engine.Account)
	camp := e.campaign(tc.campaign)
	arg := tc.setup(e, camp)
	var run cancelRun
	if k < 0 {
		// The setup is deterministic: other runs start from this state.
		run.before = campaignState(t, st, acct.ID(), e.b, camp.ID)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx = sqlstore.WithStatementHook(ctx, func(q string) {
		run.statements++
		if run.statements == k {
			run.query = q
			cancel()
		}
	})
	run.err = tc.op(ctx, e, camp, arg)
	run.after = campaignState(t, st, acct.ID(), e.b, camp.ID)
	ranksMatchPlaces(t, e.b, camp.ID)
	return run
}

// campaignState renders everything the engine says about a campaign, and
// its rank trees and event log as stored, as JSON with every ID and code replaced by a
// label in order of appearance, so two accounts built the same way read
// the same even where the database issued other IDs.
func campaignState(t *testing.T, st store.Store, account string, b canonical.Backend, campaign string) string {
	t.Helper()
	ctx := context.Background()
	page := canonical.ListOptions{Limit: 100}
	var s struct {
		Campaign     canonical.Campaign
		Stats        canonical.CampaignStats
		Participants []canonical.Participant
		Referrals    []canonical.Referral
		Rewards      []canonical.EarnedReward
		Transactions []canonical.Transaction
		Commissions  []canonical.Commission
		Payouts      []canonical.Payout
		Boards       map[canonical.Board]struct{ IDs []string }
		Trees        map[string]map[int64]int64
		// Changes is the campaign's event log: a cancelled write logs
		// nothing.
		Changes []canonical.Change
	}
	var err error
	check := func(what string, e error) {
		if e != nil && err == nil {
			err = fmt.Errorf("%s: %w", what, e)
		}
	}
	var e error
	s.Campaign, e = b.GetCampaign(ctx, campaign)
	check("campaign", e)
	s.Stats, e = b.CampaignStats(ctx, campaign)
	check("stats", e)
	ps, e := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: campaign, ListOptions: page})
	check("participants", e)
	for _, p := range ps.Items {
		// The list's rows carry no ranks; a read of each does.
		full, e := b.GetParticipant(ctx, campaign, canonical.ByID(p.ID))
		check("participant", e)
		s.Participants = append(s.Participants, full)
	}
	rs, e := b.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: campaign, ListOptions: page})
	check("referrals", e)
	s.Referrals = rs.Items
	ws, e := b.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: campaign, ListOptions: page})
	check("rewards", e)
	s.Rewards = ws.Items
	ts, e := b.ListTransactions(ctx, canonical.TransactionQuery{CampaignID: campaign, ListOptions: page})
	check("transactions", e)
	s.Transactions = ts.Items
	cs, e := b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: campaign, ListOptions: page})
	check("commissions", e)
	s.Commissions = cs.Items
	pos, e := b.ListPayouts(ctx, canonical.PayoutQuery{CampaignID: campaign, ListOptions: page})
	check("payouts", e)
	s.Payouts = pos.Items
	s.Boards = map[canonical.Board]struct{ IDs []string }{}
	for _, board := range boards {
		s.Boards[board] = struct{ IDs []string }{leaderboard(t, b, campaign, board)}
	}
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseInt(campaign, 10, 64)
	s.Trees = map[string]map[int64]int64{}
	acct, _ := strconv.ParseInt(account, 10, 64)
	err = st.View(ctx, func(tx store.Tx) error {
		var err error
		if s.Changes, err = tx.ListEvents(ctx, acct, store.EventQuery{Campaign: n}); err != nil {
			return err
		}
		names, err := tx.RankTreeNames(ctx, n)
		for _, name := range names {
			if s.Trees[name], err = tx.RankTree(ctx, n, name); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(relabel(doc, "", "", map[string]string{}), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// relabel replaces the values of ID-like fields (…ID, …IDs, codes, link
// tokens) with labels given per field, in order of first appearance; maps
// are walked in key order. An entity's own "ID" is labelled per collection (IDs of
// different kinds may be equal numbers). The labels depend only on the
// order in which the same data appears, so equal states read equal.
func relabel(v any, key, collection string, labels map[string]string) any {
	ns := key
	if key == "ID" {
		ns = collection + ".ID"
	}
	label := func(s string) string {
		if s == "" {
			return s
		}
		k := ns + "=" + s
		if l, ok := labels[k]; ok {
			return l
		}
		l := fmt.Sprintf("%s#%d", ns, len(labels)+1)
		labels[k] = l
		return l
	}
	switch x := v.(type) {
	case string:
		if strings.HasSuffix(key, "ID") || strings.HasSuffix(key, "IDs") || strings.HasSuffix(key, "Code") || key == "RefundOf" || key == "Token" {
			return label(x)
		}
		return x
	case []any:
		for i := range x {
			x[i] = relabel(x[i], key, collection, labels)
		}
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			inner := collection
			if _, isMap := x[k].(map[string]any); isMap {
				inner = k
			} else if _, isList := x[k].([]any); isList {
				inner = k
			}
			x[k] = relabel(x[k], k, inner, labels)
		}
		return x
	}
	return v
}

// diffJSON shows the lines where two renderings differ.
func diffJSON(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)) && b.Len() < 4000; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d: want %s\n         got  %s\n", i+1, strings.TrimSpace(wl), strings.TrimSpace(gl))
		}
	}
	return b.String()
}
