package migrate

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Report is what a run read, wrote, skipped and lost.
type Report struct {
	Source string `json:"source"`
	Target string `json:"target"`
	DryRun bool   `json:"dry_run"`
	// Entities counts records per entity type, in migration order.
	Entities []*EntityReport `json:"entities"`
	// Money sums commission and payout amounts per currency, minor units,
	// on each side.
	Money []MoneySum `json:"money"`
	// Losses lists every field or state the target could not represent,
	// with how many records it affected.
	Losses []Loss `json:"losses"`

	mu     sync.Mutex
	losses map[[2]string]*Loss
}

// EntityReport counts one entity type.
type EntityReport struct {
	Entity string `json:"entity"`
	// Read from the source; Written to the target (or, in a dry run,
	// that would be); Skipped as already present (in the ID map, or
	// found by the target's idempotency); Failed.
	Read    int `json:"read"`
	Written int `json:"written"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
	// Errors holds the first failures, for the operator.
	Errors []string `json:"errors,omitempty"`
}

// MoneySum is one kind of amount in one currency on both sides.
type MoneySum struct {
	Kind     string `json:"kind"` // "commissions" or "payouts"
	Currency string `json:"currency"`
	Source   int64  `json:"source"`
	Target   int64  `json:"target"`
}

// Loss is a field or state the target could not carry.
type Loss struct {
	Entity  string `json:"entity"`
	Field   string `json:"field"`
	Records int    `json:"records"`
	Why     string `json:"why"`
}

// maxErrors bounds the failures a report keeps per entity.
const maxErrors = 20

func newReport(src, dst canonical.Backend, dry bool) *Report {
	r := &Report{Source: src.Capabilities().Backend, Target: dst.Capabilities().Backend, DryRun: dry, losses: map[[2]string]*Loss{}}
	for _, e := range []string{EntityCampaigns, EntityParticipants, EntityRewards, EntityTransactions, EntityCoupons, EntityCouponGroups} {
		r.Entities = append(r.Entities, &EntityReport{Entity: e})
	}
	return r
}

// Entity returns the counts of one entity type.
func (r *Report) Entity(name string) *EntityReport { return r.entity(name) }

func (r *Report) entity(name string) *EntityReport {
	for _, e := range r.Entities {
		if e.Entity == name {
			return e
		}
	}
	e := &EntityReport{Entity: name}
	r.Entities = append(r.Entities, e)
	return e
}

func (e *EntityReport) fail(id string, err error) {
	e.Failed++
	if len(e.Errors) < maxErrors {
		e.Errors = append(e.Errors, fmt.Sprintf("%s: %v", id, err))
	}
}

// lose counts records that lost field.
func (r *Report) lose(entity, field string, n int, why string) {
	if n <= 0 && field != "all" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := [2]string{entity, field}
	if l, ok := r.losses[k]; ok {
		l.Records += n
		return
	}
	r.losses[k] = &Loss{Entity: entity, Field: field, Records: n, Why: why}
}

// finish orders the losses for output.
func (r *Report) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Losses = r.Losses[:0]
	for _, k := range slices.SortedFunc(maps.Keys(r.losses), func(a, b [2]string) int {
		if a[0] != b[0] {
			return strings.Compare(a[0], b[0])
		}
		return strings.Compare(a[1], b[1])
	}) {
		r.Losses = append(r.Losses, *r.losses[k])
	}
}

// lostRules counts the reward rules already reported lost.
func (r *Report) lostRules() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, l := range r.losses {
		if k[0] == EntityCampaigns && strings.HasPrefix(k[1], "reward rule") {
			n += l.Records
		}
	}
	return n
}

// compareCampaign records what the target campaign did not keep.
func (r *Report) compareCampaign(src, dst canonical.Campaign, rules int) {
	check := func(field string, lost bool) {
		if lost {
			r.lose(EntityCampaigns, field, 1, "the target's campaign does not carry it")
		}
	}
	check("name", src.Name != "" && dst.Name != src.Name)
	check("status", src.Status != "" && dst.Status != "" && dst.Status != src.Status)
	check("url", src.URL != "" && dst.URL != src.URL)
	check("currency", src.Currency != "" && dst.Currency != "" && dst.Currency != src.Currency)
	check("qualification", src.Qualification != "" && dst.Qualification != src.Qualification)
	if got := len(dst.Rules); got < rules {
		r.lose(EntityCampaigns, "reward rules", rules-got, "the target's campaign keeps fewer rules")
	}
}

// compareParticipant records what the target participant did not keep.
func (r *Report) compareParticipant(src, dst canonical.Participant, referrer canonical.ParticipantRef) {
	check := func(field string, lost bool) {
		if lost {
			r.lose(EntityParticipants, field, 1, "the target does not carry it")
		}
	}
	check("first name", src.FirstName != "" && dst.FirstName != src.FirstName)
	check("last name", src.LastName != "" && dst.LastName != src.LastName)
	check("referral code", src.ReferralCode != "" && dst.ReferralCode != src.ReferralCode)
	check("phone", src.Phone != "" && dst.Phone != src.Phone)
	check("metadata", len(src.Metadata) > 0 && !maps.Equal(src.Metadata, dst.Metadata))
	check("points", src.Points != 0 && dst.Points != src.Points)
	check("referrer", !referrer.IsZero() && dst.ReferrerID != "" && dst.ReferrerID != referrer.ID)
	check("referral state "+string(src.ReferralState), !referrer.IsZero() && src.ReferralState != "" && dst.ReferralState != src.ReferralState)
}

// predict records, in a dry run, what the target's capabilities say it
// will lose.
func (r *Report) predict(dst canonical.Backend, p canonical.Participant) {
	caps := dst.Capabilities()
	if p.ReferrerID != "" && !caps.Supports("ListReferrals") {
		r.lose(EntityParticipants, "referrer", 1, "the target cannot list who referred whom")
	}
	if p.Points != 0 && !caps.Supports("AddPoints") {
		r.lose(EntityParticipants, "points", 1, "the target has no points")
	}
}

// sumMoney totals commissions and payouts by currency on both sides.
func (r *Report) sumMoney(ctx context.Context, run *run, srcCampaign, dstCampaign string) {
	type side struct {
		b    canonical.Backend
		camp string
		src  bool
	}
	// Per kind, for this campaign: records and amounts on each side.
	type tally struct{ n, sum [2]int64 }
	seen := map[string]*tally{"commission": {}, "payout": {}}
	count := func(kind string, src bool, amount int64) {
		i := 1
		if src {
			i = 0
		}
		seen[kind].n[i]++
		seen[kind].sum[i] += amount
	}
	incomplete := false
	defer func() {
		if run.opts.DryRun || incomplete {
			return
		}
		// What the target's own rules did not compute is a loss too.
		for _, kind := range []string{"commission", "payout"} {
			t := seen[kind]
			switch {
			case t.n[1] < t.n[0] && !run.dst.Capabilities().Supports(canonical.Operation("List"+strings.ToUpper(kind[:1])+kind[1:]+"s")):
				r.lose(EntityTransactions, kind, int(t.n[0]), "the target has no "+kind+"s")
			case t.n[1] < t.n[0]:
				r.lose(EntityTransactions, kind, int(t.n[0]-t.n[1]), "the target's rules did not compute it")
			case t.sum[1] != t.sum[0]:
				r.lose(EntityTransactions, kind+" amount", int(t.n[0]), "the target's rules computed other amounts")
			}
		}
	}()
	// A campaign that refuses the list for good (a GrowSurf referral
	// program has no commissions) shows none; any other failure leaves
	// the sums partial, and the report says so instead of comparing them.
	failed := func(what string, err error) {
		switch canonical.CodeOf(err) {
		case "", canonical.Invalid, canonical.NotImplemented, canonical.Forbidden, canonical.NotFound:
			return
		}
		incomplete = true
		r.entity(EntityTransactions).fail(what+" sums", err)
	}
	for _, s := range []side{{run.src, srcCampaign, true}, {run.dst, dstCampaign, false}} {
		if run.opts.DryRun && !s.src {
			continue
		}
		if s.b.Capabilities().Supports("ListCommissions") {
			failed("commission", walk(ctx, run, commissionsOf(ctx, s.b, s.camp), func(c canonical.Commission) {
				if c.Status != canonical.CommissionVoided {
					r.addMoney("commissions", c.Amount, s.src)
					count("commission", s.src, c.Amount.Amount)
				}
			}))
		}
		if s.b.Capabilities().Supports("ListPayouts") {
			failed("payout", walk(ctx, run, func(o canonical.ListOptions) (canonical.Page[canonical.Payout], error) {
				return s.b.ListPayouts(ctx, canonical.PayoutQuery{CampaignID: s.camp, ListOptions: o})
			}, func(p canonical.Payout) {
				r.addMoney("payouts", p.Amount, s.src)
				count("payout", s.src, p.Amount.Amount)
			}))
		}
	}
}

func (r *Report) addMoney(kind string, m canonical.Money, source bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.Money {
		if r.Money[i].Kind == kind && r.Money[i].Currency == m.Currency {
			if source {
				r.Money[i].Source += m.Amount
			} else {
				r.Money[i].Target += m.Amount
			}
			return
		}
	}
	s := MoneySum{Kind: kind, Currency: m.Currency}
	if source {
		s.Source = m.Amount
	} else {
		s.Target = m.Amount
	}
	r.Money = append(r.Money, s)
}

// WriteText prints the report for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	mode := ""
	if r.DryRun {
		mode = " (dry run: nothing was written)"
	}
	fmt.Fprintf(w, "Migration %s → %s%s\n\n", r.Source, r.Target, mode)
	fmt.Fprintln(tw, "entity\tread\twritten\tskipped\tfailed\t")
	for _, e := range r.Entities {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", e.Entity, e.Read, e.Written, e.Skipped, e.Failed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Money) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "amounts (minor units)\tcurrency\tsource\ttarget\t")
		for _, m := range r.Money {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t\n", m.Kind, m.Currency, m.Source, m.Target)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	if len(r.Losses) == 0 {
		fmt.Fprintln(w, "Everything the source showed came across.")
	} else {
		fmt.Fprintln(w, "What did not come across:")
		for _, l := range r.Losses {
			if l.Records == 0 {
				fmt.Fprintf(w, "  %s: %s\n", l.Entity, l.Why)
				continue
			}
			fmt.Fprintf(w, "  %s %s: %d record(s) — %s\n", l.Entity, l.Field, l.Records, l.Why)
		}
	}
	for _, e := range r.Entities {
		for _, msg := range e.Errors {
			fmt.Fprintf(w, "  failed %s %s\n", e.Entity, msg)
		}
	}
	return nil
}
