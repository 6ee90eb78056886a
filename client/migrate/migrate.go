// Package migrate moves a referral program between any two backends the
// SDK opens — the five vendors and refbridge's engine — and reports what
// arrived: campaigns with their reward rules, participants with who
// referred whom and their referral states, earned rewards' statuses,
// sales (whose commissions the target computes), and coupons.
//
// Referrers are written before the people they referred. Every written
// entity goes into an ID map that is also the checkpoint (and, when the
// target is the engine, into the engine's own alias table too): a run that is
// stopped and started again skips what the map holds, and running twice
// creates nothing new (participant creates are idempotent by email, sales
// by external id). A record the target refuses is counted and reported,
// and the run goes on; transient failures (rate limits, a target that is
// unreachable, slow or failing) are retried with backoff. A write the
// target does not deduplicate (campaigns, reward rules, refunds, coupons
// and coupon groups, state changes) is never applied twice: after a
// failure that leaves it unknown whether the target applied it (the
// answer was lost), the target is checked for it before it is sent again.
package migrate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Options configures a run.
type Options struct {
	// Campaigns selects the source campaigns by ID; empty means every
	// campaign the source lists.
	Campaigns []string
	// TargetCampaign, when set, receives the (single) source campaign
	// instead of a new campaign: for targets that cannot create campaigns
	// (iRefer, Referral Rocket) or to merge into an existing one.
	TargetCampaign string
	// DryRun reads everything and reports what would be written and
	// lost, writing nothing.
	DryRun bool
	// IDMap is the map and checkpoint; nil keeps one in memory.
	IDMap *IDMap
	// Progress, when set, is told about every record.
	Progress func(Progress)
	// Attempts bounds the tries of a call that fails transiently (rate
	// limited, unavailable, timed out or internal); 0 means 6. Backoff
	// starts at RetryBase (0 means 200ms) and doubles, with jitter, up to
	// 10s.
	Attempts  int
	RetryBase time.Duration
}

// Progress is one record handled.
type Progress struct {
	Entity string
	// Done and Total count the entity's records so far (Total is -1
	// while unknown).
	Done, Total int
}

// Entities, in the order they are moved.
const (
	EntityCampaigns    = "campaigns"
	EntityParticipants = "participants"
	EntityRewards      = "rewards"
	EntityTransactions = "transactions"
	EntityCoupons      = "coupons"
	EntityCouponGroups = "coupon groups"
)

// Run moves the program from src to dst. The report is returned even
// when the run stops early (ctx cancelled: the current record finishes
// first), with the error that stopped it.
func Run(ctx context.Context, src, dst canonical.Backend, opts Options) (*Report, error) {
	r := &run{src: src, dst: dst, opts: opts, rep: newReport(src, dst, opts.DryRun)}
	if r.opts.IDMap == nil {
		r.opts.IDMap, _ = OpenIDMap("")
	}
	if r.opts.Attempts <= 0 {
		r.opts.Attempts = 6
	}
	if r.opts.RetryBase <= 0 {
		r.opts.RetryBase = 200 * time.Millisecond
	}
	inner := dst
	if c, ok := dst.(interface{ Backend() canonical.Backend }); ok {
		inner = c.Backend()
	}
	r.aliases, _ = inner.(aliaser)
	err := r.all(ctx)
	r.rep.finish()
	return r.rep, err
}

type run struct {
	src, dst canonical.Backend
	opts     Options
	rep      *Report
	// aliases is the target's own ID map when the target is the engine,
	// so the proxy can keep answering the source's IDs; nil otherwise.
	aliases aliaser
	// pendingAliases are written participants (source → target) whose
	// aliases wait for the next batch.
	pendingAliases map[string]string
	// madeSales are the target sales this run created: nothing earlier
	// can have refunded them, so their refunds need no check.
	madeSales map[string]bool
	// refundsMade counts, per target sale, the refunds this run made.
	refundsMade map[string]int
	// targetCampaigns are the target's campaigns from before this run's
	// first campaign create, and those the run created since (read once,
	// by campaignProbe); campaignsRead says whether they were read, and
	// campaignsKnown whether that worked.
	targetCampaigns               map[string]bool
	campaignsRead, campaignsKnown bool
}

// aliaser is a target that keeps vendor IDs of its entities (the engine).
type aliaser interface {
	RecordAlias(ctx context.Context, kind string, vendor canonical.Vendor, external, id string) error
	RecordAliases(ctx context.Context, kind string, vendor canonical.Vendor, ids map[string]string) error
}

// alias records a source ID in the target's own map, when it keeps one.
func (r *run) alias(ctx context.Context, kind, source, target string) error {
	if r.aliases == nil || r.opts.DryRun {
		return nil
	}
	_, err := retry(ctx, r, func() (struct{}, error) {
		return struct{}{}, r.aliases.RecordAlias(ctx, kind, canonical.Vendor(r.src.Capabilities().Backend), source, target)
	})
	return err
}

func (r *run) ids() *IDMap { return r.opts.IDMap }

func (r *run) srcCan(op string) bool { return r.src.Capabilities().Supports(canonical.Operation(op)) }
func (r *run) dstCan(op string) bool { return r.dst.Capabilities().Supports(canonical.Operation(op)) }

func (r *run) progress(entity string, done, total int) {
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{Entity: entity, Done: done, Total: total})
	}
}

// walk hands fn every item of a cursor-paged list, reading each page
// (100 items) through retry; it stops at the first error.
func walk[T any](ctx context.Context, r *run, list func(canonical.ListOptions) (canonical.Page[T], error), fn func(T)) error {
	opts := canonical.ListOptions{Limit: 100}
	for {
		page, err := retry(ctx, r, func() (canonical.Page[T], error) { return list(opts) })
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			fn(it)
		}
		if page.NextCursor == "" || len(page.Items) == 0 {
			return nil
		}
		opts.Cursor = page.NextCursor
	}
}

// collect reads every item of a cursor-paged list (see walk).
func collect[T any](ctx context.Context, r *run, list func(canonical.ListOptions) (canonical.Page[T], error)) ([]T, error) {
	var all []T
	err := walk(ctx, r, list, func(it T) { all = append(all, it) })
	return all, err
}

func (r *run) all(ctx context.Context) error {
	camps, err := r.campaigns(ctx)
	if err != nil {
		return err
	}
	for _, c := range camps {
		target, err := r.campaign(ctx, c)
		if err != nil {
			return err
		}
		steps := []func(context.Context, canonical.Campaign, string) error{r.participants, r.rewards, r.transactions, r.coupons, r.couponGroups}
		for _, step := range steps {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := step(ctx, c, target); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// campaigns reads the source campaigns to move.
func (r *run) campaigns(ctx context.Context) ([]canonical.Campaign, error) {
	var out []canonical.Campaign
	if len(r.opts.Campaigns) > 0 {
		for _, id := range r.opts.Campaigns {
			c, err := retry(ctx, r, func() (canonical.Campaign, error) { return r.src.GetCampaign(ctx, id) })
			if err != nil {
				return nil, fmt.Errorf("read source campaign %s: %w", id, err)
			}
			out = append(out, c)
		}
	} else {
		if !r.srcCan("ListCampaigns") {
			return nil, canonical.Errorf(canonical.Invalid, "%s cannot list campaigns: name the campaign to move", r.src.Capabilities().Backend)
		}
		var err error
		if out, err = collect(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
			return r.src.ListCampaigns(ctx, o)
		}); err != nil {
			return nil, fmt.Errorf("list source campaigns: %w", err)
		}
	}
	if r.opts.TargetCampaign != "" && len(out) > 1 {
		return nil, canonical.Errorf(canonical.Invalid, "a target campaign receives one source campaign; name it (%d were selected)", len(out))
	}
	r.rep.entity(EntityCampaigns).Read += len(out)
	return out, nil
}

// campaign finds or creates the target of one source campaign, with its
// reward rules.
func (r *run) campaign(ctx context.Context, c canonical.Campaign) (string, error) {
	e := r.rep.entity(EntityCampaigns)
	if id, ok := r.ids().Get(EntityCampaigns, c.ID); ok {
		e.Skipped++
		return id, nil
	}
	if r.opts.TargetCampaign != "" {
		if r.opts.DryRun {
			e.Skipped++
			return r.opts.TargetCampaign, nil
		}
		e.Skipped++
		return r.opts.TargetCampaign, r.ids().Put(EntityCampaigns, c.ID, r.opts.TargetCampaign, true)
	}
	if !r.dstCan("CreateCampaign") {
		return "", canonical.Errorf(canonical.Invalid, "%s cannot create campaigns: give the target campaign to migrate into", r.dst.Capabilities().Backend)
	}
	rules := c.Rules
	if len(rules) == 0 && r.srcCan("ListRewardRules") {
		var err error
		if rules, err = retry(ctx, r, func() ([]canonical.RewardRule, error) { return r.src.ListRewardRules(ctx, c.ID) }); err != nil {
			return "", fmt.Errorf("read the rules of campaign %s: %w", c.ID, err)
		}
	}
	if r.opts.DryRun {
		e.Written++
		return "dry-run:" + c.ID, nil
	}
	in := c
	in.ID, in.Rules = "", nil
	for _, rule := range rules {
		rule.ID, rule.CampaignID = "", ""
		in.Rules = append(in.Rules, rule)
		if rule.Kind == canonical.CommissionReward {
			// A campaign that pays commissions is an affiliate program to
			// the vendors that tell them apart (GrowSurf records sales only
			// in those).
			in.Kind = canonical.AffiliateProgram
		}
	}
	out, err := r.createCampaign(ctx, in)
	if canonical.CodeOf(err) == canonical.Invalid && len(in.Rules) > 0 {
		// The target refused a rule (GrowSurf takes commissions only in
		// affiliate programs): create the campaign bare, then each rule
		// the target takes.
		bare := in
		bare.Rules = nil
		if out, err = r.createCampaign(ctx, bare); err == nil {
			out.Rules = r.createRules(ctx, out.ID, in.Rules)
		}
	}
	if err != nil {
		e.fail(c.ID, err)
		return "", fmt.Errorf("create the target of campaign %s (or migrate into an existing one: TargetCampaign, --to-campaign): %w", c.ID, err)
	}
	e.Written++
	r.rep.compareCampaign(c, out, len(rules)-r.rep.lostRules())
	if err := r.alias(ctx, "campaign", c.ID, out.ID); err != nil {
		return "", fmt.Errorf("record the alias of campaign %s: %w", c.ID, err)
	}
	return out.ID, r.ids().Put(EntityCampaigns, c.ID, out.ID, true)
}

// createCampaign creates campaign in on the target, once (see
// retryOnce and campaignProbe).
func (r *run) createCampaign(ctx context.Context, in canonical.Campaign) (canonical.Campaign, error) {
	out, err := retryOnce(ctx, r, func(ctx context.Context) (canonical.Campaign, error) { return r.dst.CreateCampaign(ctx, in) },
		r.campaignProbe(ctx, in), false)
	if err == nil && r.targetCampaigns != nil {
		r.targetCampaigns[out.ID] = true
	}
	return out, err
}

// createRules adds rules to the bare target campaign, each once (see
// retryOnce and ruleProbe); a rule the target refuses, or that may or may
// not have been added, is reported lost. When the campaign's rules cannot
// be listed, a rule whose create fails uncertainly is not sent again.
func (r *run) createRules(ctx context.Context, campaign string, rules []canonical.RewardRule) []canonical.RewardRule {
	if !r.dstCan("CreateRewardRule") {
		r.rep.lose(EntityCampaigns, "reward rule", len(rules), "the target refused the rules and cannot add them one by one")
		return nil
	}
	known, _ := r.ruleIDs(ctx, campaign) // nil when unreadable: nothing is then sent twice
	var out []canonical.RewardRule
	for _, rule := range rules {
		got, err := retryOnce(ctx, r, func(ctx context.Context) (canonical.RewardRule, error) {
			return r.dst.CreateRewardRule(ctx, campaign, rule)
		}, r.ruleProbe(campaign, rule, known), false)
		if err != nil {
			r.rep.lose(EntityCampaigns, "reward rule "+string(rule.Kind), 1, canonical.MessageOf(err))
			continue
		}
		if known != nil {
			known[got.ID] = true
		}
		out = append(out, got)
	}
	return out
}

// participants moves a campaign's participants, referrers first.
func (r *run) participants(ctx context.Context, c canonical.Campaign, target string) error {
	e := r.rep.entity(EntityParticipants)
	if !r.srcCan("ListParticipants") {
		r.rep.lose(EntityParticipants, "all", 0, "the source cannot list participants")
		return nil
	}
	q := canonical.ParticipantQuery{CampaignID: c.ID, Sort: canonical.SortOldest}
	list := func(o canonical.ListOptions) (canonical.Page[canonical.Participant], error) {
		q.ListOptions = o
		return r.src.ListParticipants(ctx, q)
	}
	all, err := collect(ctx, r, list)
	if canonical.CodeOf(err) == canonical.Invalid {
		// A source that lists in one order only: take it, and order by
		// sign-up time here.
		q.Sort = ""
		all, err = collect(ctx, r, list)
	}
	if err != nil {
		return fmt.Errorf("list the participants of campaign %s: %w", c.ID, err)
	}
	e.Read += len(all)
	if err := r.fillReferrers(ctx, c.ID, all); err != nil {
		return err
	}
	slices.SortStableFunc(all, func(a, b canonical.Participant) int { return a.CreatedAt.Compare(b.CreatedAt) })
	ordered := referrersFirst(all)
	// Whatever happens, the batch written so far reaches the map.
	defer r.flushAliases(context.WithoutCancel(ctx))
	for i, p := range ordered {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.participant(ctx, target, p)
		r.progress(EntityParticipants, i+1, len(ordered))
	}
	return nil
}

// fillReferrers completes who referred whom from the source's referral
// list when its participants do not say (Rewardful's affiliates carry no
// referrer; its referrals do).
func (r *run) fillReferrers(ctx context.Context, campaign string, ps []canonical.Participant) error {
	for _, p := range ps {
		if p.ReferrerID != "" {
			return nil
		}
	}
	if !r.srcCan("ListReferrals") {
		return nil
	}
	byID := make(map[string]int, len(ps))
	for i, p := range ps {
		byID[p.ID] = i
	}
	err := walk(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Referral], error) {
		return r.src.ListReferrals(ctx, canonical.ReferralQuery{CampaignID: campaign, ListOptions: o})
	}, func(ref canonical.Referral) {
		if i, ok := byID[ref.ReferredID]; ok && ref.ReferrerID != "" && ref.ReferrerID != ref.ReferredID {
			ps[i].ReferrerID = ref.ReferrerID
			if ps[i].ReferralState == "" {
				ps[i].ReferralState = ref.State
			}
		}
	})
	if err != nil {
		return fmt.Errorf("list the referrals of campaign %s: %w", campaign, err)
	}
	return nil
}

// listFailed decides what a failed source listing does to the run: a
// permanent refusal of an optional entity (the vendor answers that the
// program has no such thing) is reported and the run goes on; anything
// else stops it.
func (r *run) listFailed(entity string, err error, what string) error {
	switch canonical.CodeOf(err) {
	case canonical.Invalid, canonical.NotImplemented, canonical.Forbidden, canonical.NotFound:
		r.rep.lose(entity, "all", 0, "the source refused to list them: "+canonical.MessageOf(err))
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// referrersFirst orders participants so everyone comes after the person
// who referred them (oldest first otherwise); referrers outside the list
// do not constrain the order.
func referrersFirst(ps []canonical.Participant) []canonical.Participant {
	byID := make(map[string]int, len(ps))
	for i, p := range ps {
		byID[p.ID] = i
	}
	depth := make([]int, len(ps))
	var depthOf func(i int, seen int) int
	depthOf = func(i, seen int) int {
		if depth[i] != 0 {
			return depth[i]
		}
		d := 1
		if j, ok := byID[ps[i].ReferrerID]; ok && j != i && seen < len(ps) {
			d = depthOf(j, seen+1) + 1
		}
		depth[i] = d
		return d
	}
	for i := range ps {
		depthOf(i, 0)
	}
	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return depth[idx[a]] < depth[idx[b]] })
	out := make([]canonical.Participant, len(ps))
	for k, i := range idx {
		out[k] = ps[i]
	}
	return out
}

// participant writes one participant.
func (r *run) participant(ctx context.Context, target string, p canonical.Participant) {
	e := r.rep.entity(EntityParticipants)
	if _, ok := r.ids().Get(EntityParticipants, p.ID); ok {
		e.Skipped++
		return
	}
	in := canonical.NewParticipant{Participant: p}
	in.ID, in.CampaignID, in.Stats = "", target, canonical.ParticipantStats{}
	in.ReferrerID, in.CreatedAt, in.UpdatedAt = "", time.Time{}, time.Time{}
	if p.ReferrerID != "" {
		if ref, ok := r.participantTarget(p.ReferrerID); ok {
			in.Referrer = canonical.ByID(ref)
			in.InitialState = p.ReferralState
		} else {
			r.rep.lose(EntityParticipants, "referrer", 1, "the referrer is not in the migrated campaign")
		}
	}
	if r.opts.DryRun {
		e.Written++
		r.rep.predict(r.dst, p)
		return
	}
	out, created, err := r.create(ctx, in)
	if err != nil {
		e.fail(p.ID, err)
		return
	}
	if created {
		e.Written++
	} else {
		e.Skipped++
	}
	r.rep.compareParticipant(p, out, in.Referrer)
	r.done(ctx, p.ID, out.ID)
}

// done records a written participant: in the ID map and, when the target
// keeps aliases, in its alias table. Aliases are written in batches (one
// transaction each, not one per participant); a batch goes to the target
// before its participants go to the map, so the map never holds a
// participant whose alias was not written.
func (r *run) done(ctx context.Context, source, target string) {
	if r.aliases == nil {
		if err := r.ids().Put(EntityParticipants, source, target, false); err != nil {
			r.rep.entity(EntityParticipants).fail(source, err)
		}
		return
	}
	if r.pendingAliases == nil {
		r.pendingAliases = map[string]string{}
	}
	r.pendingAliases[source] = target
	if len(r.pendingAliases) >= aliasBatch {
		r.flushAliases(ctx)
	}
}

// participantTarget is the target ID of a source participant written in
// this run or an earlier one.
func (r *run) participantTarget(source string) (string, bool) {
	if t, ok := r.pendingAliases[source]; ok {
		return t, true
	}
	return r.ids().Get(EntityParticipants, source)
}

// aliasBatch is how many participants' aliases share one transaction.
const aliasBatch = 128

// flushAliases writes the pending aliases, then their map entries.
func (r *run) flushAliases(ctx context.Context) {
	if len(r.pendingAliases) == 0 {
		return
	}
	batch := r.pendingAliases
	r.pendingAliases = nil
	_, err := retry(ctx, r, func() (struct{}, error) {
		return struct{}{}, r.aliases.RecordAliases(ctx, "participant", canonical.Vendor(r.src.Capabilities().Backend), batch)
	})
	for source, target := range batch {
		if err == nil {
			err = r.ids().Put(EntityParticipants, source, target, false)
		}
		if err != nil {
			r.rep.entity(EntityParticipants).fail(source, err)
		}
	}
}

// create writes a participant, dropping what the target refuses: a
// referral state it cannot set, then the referral code, then the
// referrer.
func (r *run) create(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	type result struct {
		p       canonical.Participant
		created bool
	}
	attempt := func(in canonical.NewParticipant) (canonical.Participant, bool, error) {
		res, err := retry(ctx, r, func() (result, error) {
			p, c, err := r.dst.CreateParticipant(ctx, in)
			return result{p, c}, err
		})
		return res.p, res.created, err
	}
	// What the target refused is not reported here: compareParticipant
	// reports each field the created participant lacks, once.
	p, created, err := attempt(in)
	if err != nil && in.InitialState != "" {
		in.InitialState = ""
		p, created, err = attempt(in)
	}
	if err != nil && in.ReferralCode != "" {
		in.ReferralCode = ""
		p, created, err = attempt(in)
	}
	if err != nil && !in.Referrer.IsZero() && canonical.CodeOf(err) == canonical.NotImplemented {
		in.Referrer, in.InitialState = canonical.ParticipantRef{}, ""
		if p, created, err = attempt(in); err == nil {
			r.rep.lose(EntityParticipants, "referrer", 1, "the target cannot attribute referrals")
		}
	}
	return p, created, err
}

// rewards brings earned rewards' statuses across: the target earns
// rewards by its own rules as the referrals arrive; approvals and
// fulfilments are replayed where the target can make them.
func (r *run) rewards(ctx context.Context, c canonical.Campaign, target string) error {
	e := r.rep.entity(EntityRewards)
	if !r.srcCan("ListEarnedRewards") {
		return nil
	}
	all, err := collect(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.EarnedReward], error) {
		return r.src.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: c.ID, ListOptions: o})
	})
	if err != nil {
		return r.listFailed(EntityRewards, err, fmt.Sprintf("list the earned rewards of campaign %s", c.ID))
	}
	e.Read += len(all)
	if !r.dstCan("ListEarnedRewards") {
		r.rep.lose(EntityRewards, "earned rewards", len(all), "the target has no earned rewards")
		return nil
	}
	// Per participant, the source statuses to reach, oldest first.
	want := map[string][]canonical.EarnedReward{}
	for _, rw := range all {
		want[rw.ParticipantID] = append(want[rw.ParticipantID], rw)
	}
	done := 0
	for srcP, rewards := range want {
		if err := ctx.Err(); err != nil {
			return err
		}
		dstP, ok := r.ids().Get(EntityParticipants, srcP)
		if !ok || r.opts.DryRun {
			e.Skipped += len(rewards)
			continue
		}
		got, err := retry(ctx, r, func() (canonical.Page[canonical.EarnedReward], error) {
			return r.dst.ListEarnedRewards(ctx, canonical.RewardQuery{CampaignID: target, ParticipantID: dstP, ListOptions: canonical.ListOptions{Limit: 100}})
		})
		if err != nil {
			for _, rw := range rewards {
				e.fail(rw.ID, err)
			}
			continue
		}
		// Oldest first on both sides. Lists come newest first, and rewards
		// earned in the same millisecond keep their list order reversed,
		// so the i-th source reward meets the i-th target reward even when
		// the target earned several at once.
		oldestFirst(rewards)
		targets := got.Items
		oldestFirst(targets)
		for i, rw := range rewards {
			if _, ok := r.ids().Get(EntityRewards, rw.ID); ok {
				e.Skipped++
				continue
			}
			if i >= len(targets) {
				r.rep.lose(EntityRewards, "earned reward", 1, "the target's rules did not earn it")
				continue
			}
			t := targets[i]
			if err := r.reachStatus(ctx, t, rw.Status); err != nil {
				e.fail(rw.ID, err)
				continue
			}
			e.Written++
			if err := r.ids().Put(EntityRewards, rw.ID, t.ID, false); err != nil {
				e.fail(rw.ID, err)
			}
		}
		done += len(rewards)
		r.progress(EntityRewards, done, len(all))
	}
	return nil
}

// oldestFirst orders a newest-first list of rewards by creation time,
// oldest first, ties in reverse list order.
func oldestFirst(rewards []canonical.EarnedReward) {
	slices.Reverse(rewards)
	slices.SortStableFunc(rewards, func(a, b canonical.EarnedReward) int { return a.CreatedAt.Compare(b.CreatedAt) })
}

// reachStatus moves a target reward to the source's status where the
// target can.
func (r *run) reachStatus(ctx context.Context, t canonical.EarnedReward, want canonical.RewardStatus) error {
	if t.Status == want {
		return nil
	}
	switch {
	case want == canonical.RewardApproved && t.Status == canonical.RewardPending && r.dstCan("ApproveReward"):
		_, err := change(ctx, r, func() (canonical.EarnedReward, error) { return r.dst.ApproveReward(ctx, t.ID, false) }, r.rewardReached(t.ID, want))
		return err
	case want == canonical.RewardFulfilled && t.Status == canonical.RewardPending && r.dstCan("ApproveReward"):
		_, err := change(ctx, r, func() (canonical.EarnedReward, error) { return r.dst.ApproveReward(ctx, t.ID, true) }, r.rewardReached(t.ID, want))
		return err
	case want == canonical.RewardFulfilled && t.Status == canonical.RewardApproved && r.dstCan("FulfillReward"):
		_, err := change(ctx, r, func() (canonical.EarnedReward, error) { return r.dst.FulfillReward(ctx, t.ID) }, r.rewardReached(t.ID, want))
		return err
	case r.dstCan("SetRewardStatus"):
		_, err := retry(ctx, r, func() (canonical.EarnedReward, error) { return r.dst.SetRewardStatus(ctx, t.ID, want, nil) })
		return err
	}
	r.rep.lose(EntityRewards, "reward status "+string(want), 1, fmt.Sprintf("the target cannot move a %s reward to %s", t.Status, want))
	return nil
}

// transactions replays sales (the target computes their commissions)
// and sums commissions and payouts on both sides.
func (r *run) transactions(ctx context.Context, c canonical.Campaign, target string) error {
	e := r.rep.entity(EntityTransactions)
	sales := map[string]canonical.Transaction{}
	var refunds []canonical.Transaction
	if r.srcCan("ListTransactions") {
		all, err := collect(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Transaction], error) {
			return r.src.ListTransactions(ctx, canonical.TransactionQuery{CampaignID: c.ID, ListOptions: o})
		})
		if err != nil {
			return r.listFailed(EntityTransactions, err, fmt.Sprintf("list the transactions of campaign %s", c.ID))
		}
		e.Read += len(all)
		slices.SortFunc(all, func(a, b canonical.Transaction) int { return a.CreatedAt.Compare(b.CreatedAt) })
		for i, t := range all {
			if err := ctx.Err(); err != nil {
				return err
			}
			if t.Kind == canonical.Refund {
				refunds = append(refunds, t)
			} else {
				sales[t.ID] = t
				r.transaction(ctx, target, t)
			}
			r.progress(EntityTransactions, i+1, len(all))
		}
	} else if r.srcCan("ListCommissions") {
		if err := r.salesFromCommissions(ctx, c, target); err != nil {
			return err
		}
	}
	if err := r.commissionStates(ctx, c, target); err != nil {
		return err
	}
	// Refunds come last, after the commissions' states: a refund voids
	// the commissions still unpaid and leaves paid ones alone, as it did
	// at the source whenever it happened there.
	refunded := map[string]int{} // source sale → its refunds replayed so far
	for _, t := range refunds {
		if err := ctx.Err(); err != nil {
			return err
		}
		sale, ok := sales[t.RefundOf]
		r.refund(ctx, target, t, sale, ok, refunded[t.RefundOf])
		refunded[t.RefundOf]++
	}
	r.rep.sumMoney(ctx, r, c.ID, target)
	return nil
}

// commissionStates brings the source's commission states across: the
// target's commissions for a replayed sale start pending; those due at
// the source are approved, and those paid are approved and their payout
// paid, where the target can.
func (r *run) commissionStates(ctx context.Context, c canonical.Campaign, target string) error {
	if r.opts.DryRun || !r.srcCan("ListCommissions") || !r.dstCan("ListCommissions") {
		return nil
	}
	want := map[string]canonical.CommissionStatus{} // target sale → the source's furthest state
	rank := map[canonical.CommissionStatus]int{canonical.CommissionDue: 1, canonical.CommissionPaid: 2}
	// Sales whose every commission the source voided (a refund there)
	// are refunded on the target, when the source's refunds were not
	// replayed as transactions: target sale → source sale.
	voided, live := map[string]string{}, map[string]bool{}
	refundsReplayed := r.srcCan("ListTransactions")
	err := walk(ctx, r, commissionsOf(ctx, r.src, c.ID), func(cm canonical.Commission) {
		sale := saleOf(cm)
		dstSale, ok := r.ids().Get(EntityTransactions, sale)
		if ok && rank[cm.Status] > rank[want[dstSale]] {
			want[dstSale] = cm.Status
		}
		if ok && cm.Status == canonical.CommissionVoided && !refundsReplayed {
			voided[dstSale] = sale
		} else if ok {
			live[dstSale] = true
		}
	})
	if err != nil {
		return r.listFailed(EntityTransactions, err, fmt.Sprintf("list the commissions of campaign %s", c.ID))
	}
	for sale := range live {
		delete(voided, sale)
	}
	if len(want) == 0 && len(voided) == 0 {
		return nil
	}
	var paid []string
	refunded := map[string]bool{}
	err = walk(ctx, r, commissionsOf(ctx, r.dst, target), func(cm canonical.Commission) {
		if src, ok := voided[cm.TransactionID]; ok && cm.Status != canonical.CommissionVoided {
			r.voidSale(ctx, target, cm, src, refunded)
			return
		}
		st, ok := want[cm.TransactionID]
		if !ok || cm.Status != canonical.CommissionPending {
			return
		}
		if !r.dstCan("ApproveCommission") {
			r.rep.lose(EntityTransactions, "commission state "+string(st), 1, "the target cannot approve commissions")
			return
		}
		if _, err := change(ctx, r, func() (canonical.Commission, error) { return r.dst.ApproveCommission(ctx, cm.ID) }, r.commissionReached(cm.ID)); err != nil {
			r.rep.entity(EntityTransactions).fail(cm.ID, err)
			return
		}
		if st == canonical.CommissionPaid {
			paid = append(paid, cm.ID)
		}
	})
	if err != nil {
		return fmt.Errorf("list the target's commissions: %w", err)
	}
	if len(paid) == 0 {
		return nil
	}
	if !r.dstCan("ListPayouts") || !r.dstCan("PayPayout") {
		r.rep.lose(EntityTransactions, "commission state paid", len(paid), "the target cannot pay payouts")
		return nil
	}
	toPay := map[string]bool{}
	for _, id := range paid {
		toPay[id] = true
	}
	payouts, err := collect(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Payout], error) {
		return r.dst.ListPayouts(ctx, canonical.PayoutQuery{CampaignID: target, Statuses: []canonical.PayoutStatus{canonical.PayoutDue}, ListOptions: o})
	})
	if err != nil {
		return fmt.Errorf("list the target's payouts: %w", err)
	}
	for _, po := range payouts {
		all := len(po.CommissionIDs) > 0
		for _, id := range po.CommissionIDs {
			all = all && toPay[id]
		}
		if !all {
			// The payout bundles commissions the source has not paid:
			// paying it would pay them too.
			for _, id := range po.CommissionIDs {
				if toPay[id] {
					r.rep.lose(EntityTransactions, "commission state paid", 1, "its payout on the target also holds unpaid commissions")
				}
			}
			continue
		}
		if _, err := change(ctx, r, func() (canonical.Payout, error) { return r.dst.PayPayout(ctx, po.ID) }, r.payoutReached(po.ID)); err != nil {
			r.rep.entity(EntityTransactions).fail(po.ID, err)
		}
	}
	return nil
}

// voidSale refunds on the target, once, the replayed sale of commission
// cm, whose source commissions (of source sale src) were all voided.
func (r *run) voidSale(ctx context.Context, target string, cm canonical.Commission, src string, refunded map[string]bool) {
	if refunded[cm.TransactionID] {
		return
	}
	refunded[cm.TransactionID] = true
	switch {
	case cm.Status == canonical.CommissionPaid:
		r.rep.lose(EntityTransactions, "commission state voided", 1, "the target had already paid it")
		return
	case !r.dstCan("RefundTransaction"):
		r.rep.lose(EntityTransactions, "commission state voided", 1, "the target cannot record refunds")
		return
	}
	in := canonical.NewRefund{CampaignID: target, ExternalIDs: map[string]string{externalID: src}}
	if cm.ReferredID != "" {
		in.Participant = canonical.ByID(cm.ReferredID)
	}
	res, err := retryOnce(ctx, r, func(ctx context.Context) (canonical.RefundResult, error) { return r.dst.RefundTransaction(ctx, in) },
		r.voidProbe(cm.ID), false)
	if err == nil && !res.Matched {
		err = canonical.Errorf(canonical.NotFound, "the target found no sale %s to refund", cm.TransactionID)
	}
	if err != nil {
		r.rep.entity(EntityTransactions).fail(cm.ID, err)
	}
}

// salesFromCommissions replays the sales of a source that shows them
// only inside commissions (Rewardful): one sale per distinct sale of the
// commissions, by the referred buyer, for the sale amount.
func (r *run) salesFromCommissions(ctx context.Context, c canonical.Campaign, target string) error {
	e := r.rep.entity(EntityTransactions)
	seen := map[string]bool{}
	var sales []canonical.Transaction
	err := walk(ctx, r, commissionsOf(ctx, r.src, c.ID), func(cm canonical.Commission) {
		sale := saleOf(cm)
		if seen[sale] {
			return
		}
		seen[sale] = true
		if cm.ReferredID == "" || cm.SaleAmount.Amount <= 0 {
			r.rep.lose(EntityTransactions, "sale", 1, "the source's commission does not name the buyer or the sale amount")
			return
		}
		sales = append(sales, canonical.Transaction{ID: sale, ParticipantID: cm.ReferredID, Amount: cm.SaleAmount,
			ExternalIDs: map[string]string{externalID: sale}, CreatedAt: cm.CreatedAt})
	})
	if err != nil {
		return r.listFailed(EntityTransactions, err, fmt.Sprintf("list the commissions of campaign %s", c.ID))
	}
	e.Read += len(sales)
	slices.SortFunc(sales, func(a, b canonical.Transaction) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for i, t := range sales {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.transaction(ctx, target, t)
		r.progress(EntityTransactions, i+1, len(sales))
	}
	return nil
}

func (r *run) transaction(ctx context.Context, target string, t canonical.Transaction) {
	e := r.rep.entity(EntityTransactions)
	if _, ok := r.ids().Get(EntityTransactions, t.ID); ok {
		e.Skipped++
		return
	}
	if !r.dstCan("CreateTransaction") {
		r.rep.lose(EntityTransactions, "sale", 1, "the target cannot record sales")
		return
	}
	buyer, ok := r.ids().Get(EntityParticipants, t.ParticipantID)
	if !ok {
		e.fail(t.ID, canonical.Errorf(canonical.NotFound, "the buyer %s was not migrated", t.ParticipantID))
		return
	}
	if r.opts.DryRun {
		e.Written++
		return
	}
	create := func(ext map[string]string) (canonical.TransactionResult, error) {
		return retry(ctx, r, func() (canonical.TransactionResult, error) {
			return r.dst.CreateTransaction(ctx, canonical.NewTransaction{CampaignID: target, Participant: canonical.ByID(buyer),
				Amount: t.Amount, TaxAmount: t.TaxAmount, ExternalIDs: ext, Description: t.Description, OccurredAt: &t.CreatedAt, Native: t.Native})
		})
	}
	res, err := create(saleKeys(t))
	if one, ok := oneKey(saleKeys(t)); ok && canonical.CodeOf(err) == canonical.Invalid {
		if res, err = create(one); err == nil {
			r.rep.lose(EntityTransactions, "sale identifiers", 1, "the target keeps them folded into one externalId")
		}
	}
	if err != nil {
		e.fail(t.ID, err)
		return
	}
	if res.Duplicate {
		e.Skipped++
	} else {
		e.Written++
		if r.madeSales == nil {
			r.madeSales = map[string]bool{}
		}
		r.madeSales[res.Transaction.ID] = true
	}
	if err := r.ids().Put(EntityTransactions, t.ID, res.Transaction.ID, false); err != nil {
		e.fail(t.ID, err)
	}
}

// saleKeys are the identifiers a replayed sale is recorded under on the
// target: the source's own, or its ID as an externalId.
func saleKeys(t canonical.Transaction) map[string]string {
	if len(t.ExternalIDs) > 0 {
		return t.ExternalIDs
	}
	return map[string]string{externalID: t.ID}
}

// externalID is the identifier key every target accepts (GrowSurf takes
// only its own short list of keys).
const externalID = "externalId"

// oneKey folds identifiers into the single externalId a target that
// refused their keys still takes ("invoice=in_4"); ok is false when they
// already are one externalId.
func oneKey(ids map[string]string) (map[string]string, bool) {
	if _, only := ids[externalID]; only && len(ids) == 1 {
		return nil, false
	}
	parts := make([]string, 0, len(ids))
	for _, k := range slices.Sorted(maps.Keys(ids)) {
		parts = append(parts, k+"="+ids[k])
	}
	return map[string]string{externalID: strings.Join(parts, ",")}, true
}

// refund replays the source refund t of sale (found says whether the
// sale was listed) as the target's refund of the replayed sale. It is
// the nth refund of that sale; the target's count of refunds of the sale
// tells whether a killed run already made it.
func (r *run) refund(ctx context.Context, target string, t, sale canonical.Transaction, found bool, nth int) {
	e := r.rep.entity(EntityTransactions)
	if _, ok := r.ids().Get(EntityTransactions, t.ID); ok {
		e.Skipped++
		return
	}
	if !r.dstCan("RefundTransaction") {
		r.rep.lose(EntityTransactions, "refund", 1, "the target cannot record refunds")
		return
	}
	dstSale, ok := r.ids().Get(EntityTransactions, t.RefundOf)
	if !found || !ok {
		e.fail(t.ID, canonical.Errorf(canonical.NotFound, "the refunded sale %s was not migrated", t.RefundOf))
		return
	}
	buyer, _ := r.ids().Get(EntityParticipants, sale.ParticipantID)
	if r.opts.DryRun {
		e.Written++
		return
	}
	// The target's refunds of the sale before this one: those this run
	// made of a sale it made, else as many as the target lists.
	before := r.refundsMade[dstSale]
	if !r.madeSales[dstSale] && r.dstCan("ListTransactions") && buyer != "" {
		// The sale is from an earlier run, which may have made this
		// refund before it stopped.
		done, err := r.refundsOf(ctx, target, buyer, dstSale)
		if err != nil {
			e.fail(t.ID, err)
			return
		}
		before = len(done)
		if len(done) > nth {
			e.Skipped++
			if err := r.ids().Put(EntityTransactions, t.ID, "refund-of:"+dstSale, false); err != nil {
				e.fail(t.ID, err)
			}
			return
		}
	}
	in := canonical.NewRefund{CampaignID: target, ExternalIDs: saleKeys(sale), Amount: t.Amount, Description: t.Description}
	if buyer != "" {
		in.Participant = canonical.ByID(buyer)
	}
	made := r.refundProbe(target, buyer, dstSale, before)
	send := func() (canonical.RefundResult, error) {
		return retryOnce(ctx, r, func(ctx context.Context) (canonical.RefundResult, error) { return r.dst.RefundTransaction(ctx, in) }, made, false)
	}
	res, err := send()
	if one, ok := oneKey(in.ExternalIDs); ok && (canonical.CodeOf(err) == canonical.Invalid || err == nil && !res.Matched) {
		// The sale went in under one externalId.
		in.ExternalIDs = one
		res, err = send()
	}
	switch {
	case err != nil:
		e.fail(t.ID, err)
		return
	case !res.Matched:
		e.fail(t.ID, canonical.Errorf(canonical.NotFound, "the target found no sale %s to refund", dstSale))
		return
	}
	e.Written++
	if r.refundsMade == nil {
		r.refundsMade = map[string]int{}
	}
	r.refundsMade[dstSale]++
	id := res.Refund.ID
	if id == "" {
		id = "refund-of:" + dstSale
	}
	if err := r.ids().Put(EntityTransactions, t.ID, id, true); err != nil {
		e.fail(t.ID, err)
	}
}

// coupons moves participants' own coupon codes.
func (r *run) coupons(ctx context.Context, c canonical.Campaign, target string) error {
	e := r.rep.entity(EntityCoupons)
	if !r.srcCan("ListCoupons") {
		return nil
	}
	all, err := collect(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.Coupon], error) {
		return r.src.ListCoupons(ctx, canonical.CouponQuery{CampaignID: c.ID, ListOptions: o})
	})
	if err != nil {
		return r.listFailed(EntityCoupons, err, fmt.Sprintf("list the coupons of campaign %s", c.ID))
	}
	e.Read += len(all)
	for _, cp := range all {
		if _, ok := r.ids().Get(EntityCoupons, cp.ID); ok {
			e.Skipped++
			continue
		}
		if !r.dstCan("CreateCoupon") {
			r.rep.lose(EntityCoupons, "coupon", 1, "the target has no participant coupons")
			continue
		}
		owner, ok := r.ids().Get(EntityParticipants, cp.ParticipantID)
		if !ok {
			e.fail(cp.ID, canonical.Errorf(canonical.NotFound, "the owner %s was not migrated", cp.ParticipantID))
			continue
		}
		if r.opts.DryRun {
			e.Written++
			continue
		}
		out, err := retryOnce(ctx, r, func(ctx context.Context) (canonical.Coupon, error) {
			return r.dst.CreateCoupon(ctx, target, canonical.ByID(owner), cp.Code)
		}, r.couponProbe(target, owner, cp.Code), false)
		if err != nil {
			e.fail(cp.ID, err)
			continue
		}
		e.Written++
		if err := r.ids().Put(EntityCoupons, cp.ID, out.ID, false); err != nil {
			e.fail(cp.ID, err)
		}
	}
	return nil
}

// couponGroups moves coupon pools with the codes still available at the
// source: codes it already handed out stay behind, so the target does not
// hand them out a second time. A target group of the same name that no
// source group maps to yet is taken as this one (a run killed between
// creating it and checkpointing it), not created again.
func (r *run) couponGroups(ctx context.Context, c canonical.Campaign, target string) error {
	e := r.rep.entity(EntityCouponGroups)
	if !r.srcCan("ListCouponGroups") {
		return nil
	}
	groups, err := allGroups(ctx, r, r.src, c.ID)
	if err != nil {
		return r.listFailed(EntityCouponGroups, err, fmt.Sprintf("list the coupon groups of campaign %s", c.ID))
	}
	e.Read += len(groups)
	var existing map[string]string // target group name → ID, read once
	var known map[string]bool      // the target's group IDs: those read, and those made since
	for _, g := range groups {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, ok := r.ids().Get(EntityCouponGroups, g.ID); ok {
			e.Skipped++
			continue
		}
		if !r.dstCan("CreateCouponGroup") {
			r.rep.lose(EntityCouponGroups, "coupon group", 1, "the target has no coupon pools")
			continue
		}
		if len(g.Coupons) == 0 && r.srcCan("GetCouponGroup") {
			full, err := retry(ctx, r, func() (canonical.CouponGroup, error) { return r.src.GetCouponGroup(ctx, c.ID, g.ID) })
			if err != nil {
				e.fail(g.ID, err)
				continue
			}
			g = full
		}
		var codes []string
		for _, cp := range g.Coupons {
			if cp.Available && !cp.Archived {
				codes = append(codes, cp.Code)
			}
		}
		if given := len(g.Coupons) - len(codes); given > 0 {
			r.rep.lose(EntityCouponGroups, "handed-out or archived codes", given, "left out of the target's pool so they are not handed out again")
		}
		if r.opts.DryRun {
			e.Written++
			continue
		}
		if existing == nil && r.dstCan("ListCouponGroups") {
			ts, err := allGroups(ctx, r, r.dst, target)
			if err != nil {
				return fmt.Errorf("list the target's coupon groups: %w", err)
			}
			existing, known = map[string]string{}, map[string]bool{}
			for _, t := range ts {
				existing[t.Name] = t.ID
				known[t.ID] = true
			}
		}
		if id, ok := existing[g.Name]; ok && !r.ids().HasTarget(EntityCouponGroups, id) {
			e.Skipped++
			if err := r.ids().Put(EntityCouponGroups, g.ID, id, false); err != nil {
				e.fail(g.ID, err)
			}
			continue
		}
		out, err := retryOnce(ctx, r, func(ctx context.Context) (canonical.CouponGroup, error) {
			return r.dst.CreateCouponGroup(ctx, target, canonical.NewCouponGroup{Name: g.Name, Active: g.Active, Codes: codes})
		}, r.groupProbe(target, g.Name, known), false)
		if err != nil {
			e.fail(g.ID, err)
			continue
		}
		if known != nil {
			known[out.ID] = true
		}
		e.Written++
		if err := r.ids().Put(EntityCouponGroups, g.ID, out.ID, true); err != nil {
			e.fail(g.ID, err)
		}
	}
	return nil
}

// allGroups lists every coupon group of a campaign of b.
func allGroups(ctx context.Context, r *run, b canonical.Backend, campaign string) ([]canonical.CouponGroup, error) {
	return collect(ctx, r, func(o canonical.ListOptions) (canonical.Page[canonical.CouponGroup], error) {
		return b.ListCouponGroups(ctx, campaign, o)
	})
}

// commissionsOf lists a campaign's commissions on b, for walk.
func commissionsOf(ctx context.Context, b canonical.Backend, campaign string) func(canonical.ListOptions) (canonical.Page[canonical.Commission], error) {
	return func(o canonical.ListOptions) (canonical.Page[canonical.Commission], error) {
		return b.ListCommissions(ctx, canonical.CommissionQuery{CampaignID: campaign, ListOptions: o})
	}
}

// saleOf names the sale behind a commission: its transaction, or the
// commission itself where the vendor names none.
func saleOf(cm canonical.Commission) string {
	if cm.TransactionID != "" {
		return cm.TransactionID
	}
	return "commission:" + cm.ID
}
