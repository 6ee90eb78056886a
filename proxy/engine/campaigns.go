package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// ListCampaigns implements canonical.Backend.
func (a *Account) ListCampaigns(ctx context.Context, opts canonical.ListOptions) (canonical.Page[canonical.Campaign], error) {
	limit := clampLimit(opts.Limit, 50, 100)
	before, err := idCursor(opts.Cursor)
	if err != nil {
		return canonical.Page[canonical.Campaign]{}, err
	}
	var page canonical.Page[canonical.Campaign]
	err = a.e.st.View(ctx, func(tx store.Tx) error {
		rows, err := tx.ListCampaigns(ctx, a.id, before, limit+1)
		if err != nil {
			return err
		}
		page = pageOf(rows, limit, func(c canonical.Campaign) string { return c.ID })
		// A campaign whose stored document cannot be read comes back by
		// its ID alone (store.Tx); every campaign has a name, so a nameless
		// one is such a record. It is left out — the store has logged it —
		// after the page's cursor is taken, so paging still passes it.
		page.Items = slices.DeleteFunc(page.Items, func(c canonical.Campaign) bool { return c.Name == "" })
		for i := range page.Items {
			if page.Items[i].Rules, err = tx.ListRules(ctx, a.id, num(page.Items[i].ID)); err != nil {
				return err
			}
		}
		return nil
	})
	return page, storeErr(err, "campaign")
}

// GetCampaign implements canonical.Backend.
func (a *Account) GetCampaign(ctx context.Context, id string) (canonical.Campaign, error) {
	var c canonical.Campaign
	err := a.read(ctx, id, func(w *work) (err error) {
		c = w.camp
		c.Rules, err = w.tx.ListRules(w.ctx, w.acct(), w.cid)
		return err
	})
	return c, err
}

// CreateCampaign implements canonical.Backend.
func (a *Account) CreateCampaign(ctx context.Context, c canonical.Campaign) (canonical.Campaign, error) {
	if err := canonical.CheckValue("", c); err != nil {
		return c, err
	}
	if strings.TrimSpace(c.Name) == "" {
		return c, canonical.Errorf(canonical.Invalid, "campaign name is required")
	}
	if c.Kind == "" {
		c.Kind = canonical.ReferralProgram
	}
	if c.Status == "" {
		c.Status = canonical.CampaignDraft
	}
	if c.Qualification == "" {
		c.Qualification = canonical.QualifyOnSignup
	}
	if c.Currency == "" {
		c.Currency = "USD"
	}
	if err := validateCampaign(c); err != nil {
		return c, err
	}
	// normalizeRule fills in defaults: on a copy, never in the caller's
	// slice (callers may share it, concurrently).
	rules := slices.Clone(c.Rules)
	for i := range rules {
		if err := normalizeRule(&rules[i]); err != nil {
			return c, err
		}
	}
	now := a.now()
	c.ID, c.Rules, c.CreatedAt, c.UpdatedAt = "", nil, now, now
	defer a.e.wrote(a.id)
	var logged []canonical.Change
	err := a.e.st.Update(ctx, func(tx store.Tx) (err error) {
		logged = nil
		if err := tx.InsertCampaign(ctx, a.id, &c); err != nil {
			return err
		}
		for i := range rules {
			rules[i].ID, rules[i].CampaignID, rules[i].CreatedAt = "", c.ID, now
			if err := tx.InsertRule(ctx, a.id, &rules[i]); err != nil {
				return err
			}
		}
		if c.Status != canonical.CampaignEnded {
			return nil
		}
		// A campaign created ended became ended: logged through the same
		// outbox as every write's changes.
		w := &work{a: a, tx: tx, ctx: ctx, camp: c, cid: num(c.ID), now: now}
		ended := c
		ended.Rules = rules
		w.emit(canonical.Change{Kind: canonical.ChangeCampaignEnded, Campaign: cloneCampaign(ended)})
		logged, err = w.flushChanges()
		return err
	})
	if err == nil {
		a.e.recent.add(a.id, logged)
	}
	c.Rules = rules
	return c, storeErr(err, "campaign")
}

func validateCampaign(c canonical.Campaign) error {
	switch c.Kind {
	case canonical.ReferralProgram, canonical.AffiliateProgram, canonical.ContestProgram, canonical.WaitlistProgram:
	default:
		return canonical.Errorf(canonical.Invalid, "unknown campaign kind %q", c.Kind)
	}
	switch c.Status {
	case canonical.CampaignDraft, canonical.CampaignActive, canonical.CampaignPaused, canonical.CampaignEnded, canonical.CampaignDeleted:
	default:
		return canonical.Errorf(canonical.Invalid, "unknown campaign status %q", c.Status)
	}
	switch c.Qualification {
	case canonical.QualifyOnSignup, canonical.QualifyOnEvent, canonical.QualifyOnReview:
	default:
		return canonical.Errorf(canonical.Invalid, "unknown qualification %q", c.Qualification)
	}
	if c.ReferralExpiryDays < 0 || c.CommissionHoldDays < 0 || c.MinimumPayout.Amount < 0 {
		return canonical.Errorf(canonical.Invalid, "day counts and the minimum payout cannot be negative")
	}
	if len(c.Currency) != 3 {
		return canonical.Errorf(canonical.Invalid, "currency %q is not an ISO 4217 code", c.Currency)
	}
	return nil
}

// UpdateCampaign implements canonical.Backend. Ending a campaign awards
// its leaderboard rules to the top participants.
func (a *Account) UpdateCampaign(ctx context.Context, id string, p canonical.CampaignPatch) (canonical.Campaign, error) {
	if err := canonical.CheckValue("", p); err != nil {
		return canonical.Campaign{}, err
	}
	var c canonical.Campaign
	err := a.write(ctx, id, func(w *work) error {
		c = w.camp
		was := c.Status
		set(&c.Name, p.Name)
		set(&c.Status, p.Status)
		set(&c.Qualification, p.Qualification)
		set(&c.ManualApproval, p.ManualApproval)
		set(&c.URL, p.URL)
		set(&c.Private, p.Private)
		set(&c.PrivateTokens, p.PrivateTokens)
		set(&c.ReferralExpiryDays, p.ReferralExpiryDays)
		set(&c.CommissionHoldDays, p.CommissionHoldDays)
		set(&c.MinimumPayout, p.MinimumPayout)
		if p.EndsAt != nil {
			c.EndsAt = *p.EndsAt
		}
		c.Native.Merge(p.Native)
		if strings.TrimSpace(c.Name) == "" {
			return canonical.Errorf(canonical.Invalid, "campaign name is required")
		}
		if err := validateCampaign(c); err != nil {
			return err
		}
		c.UpdatedAt = w.now
		if err := w.tx.UpdateCampaign(w.ctx, w.acct(), &c); err != nil {
			return err
		}
		w.camp = c
		rules, err := w.tx.ListRules(w.ctx, w.acct(), w.cid)
		if err != nil {
			return err
		}
		if c.Status == canonical.CampaignEnded && was != canonical.CampaignEnded {
			ended := c
			ended.Rules = rules
			w.emit(canonical.Change{Kind: canonical.ChangeCampaignEnded, Campaign: cloneCampaign(ended)})
			if err := w.awardLeaderboards(); err != nil {
				return err
			}
		}
		c.Rules = rules
		return nil
	})
	return c, err
}

// ListRewardRules implements canonical.Backend.
func (a *Account) ListRewardRules(ctx context.Context, campaignID string) ([]canonical.RewardRule, error) {
	var out []canonical.RewardRule
	err := a.read(ctx, campaignID, func(w *work) (err error) {
		out, err = w.tx.ListRules(w.ctx, w.acct(), w.cid)
		return err
	})
	return out, err
}

// CreateRewardRule implements canonical.Backend.
func (a *Account) CreateRewardRule(ctx context.Context, campaignID string, r canonical.RewardRule) (canonical.RewardRule, error) {
	if err := canonical.CheckValue("", r); err != nil {
		return canonical.RewardRule{}, err
	}
	if err := normalizeRule(&r); err != nil {
		return r, err
	}
	err := a.write(ctx, campaignID, func(w *work) error {
		r.ID, r.CampaignID, r.CreatedAt = "", w.camp.ID, w.now
		return w.tx.InsertRule(w.ctx, w.acct(), &r)
	})
	return r, err
}

// UpdateRewardRule implements canonical.Backend.
func (a *Account) UpdateRewardRule(ctx context.Context, campaignID, ruleID string, p canonical.RewardRulePatch) (canonical.RewardRule, error) {
	if err := canonical.CheckValue("", p); err != nil {
		return canonical.RewardRule{}, err
	}
	var r canonical.RewardRule
	err := a.write(ctx, campaignID, func(w *work) (err error) {
		if r, err = w.rule(ruleID); err != nil {
			return err
		}
		set(&r.Title, p.Title)
		set(&r.Description, p.Description)
		set(&r.ReferredDescription, p.ReferredDescription)
		set(&r.Threshold, p.Threshold)
		set(&r.PointsThreshold, p.PointsThreshold)
		set(&r.Repeat, p.Repeat)
		set(&r.Unlimited, p.Unlimited)
		set(&r.Limit, p.Limit)
		set(&r.LimitPeriod, p.LimitPeriod)
		set(&r.Winners, p.Winners)
		set(&r.ReferrerValue, p.ReferrerValue)
		set(&r.ReferredValue, p.ReferredValue)
		if p.Commission != nil {
			cr := *p.Commission
			r.Commission = &cr
		}
		set(&r.CouponCode, p.CouponCode)
		set(&r.ReferredCouponCode, p.ReferredCouponCode)
		set(&r.ReferredUpfront, p.ReferredUpfront)
		set(&r.ReferredAtSignup, p.ReferredAtSignup)
		set(&r.Visible, p.Visible)
		set(&r.Order, p.Order)
		set(&r.ImageURL, p.ImageURL)
		if p.Metadata != nil {
			r.Metadata = p.Metadata
		}
		r.Native.Merge(p.Native)
		if err := normalizeRule(&r); err != nil {
			return err
		}
		return w.tx.UpdateRule(w.ctx, w.acct(), &r)
	})
	return r, err
}

// DeleteRewardRule implements canonical.Backend.
func (a *Account) DeleteRewardRule(ctx context.Context, campaignID, ruleID string) error {
	return a.write(ctx, campaignID, func(w *work) error {
		r, err := w.rule(ruleID)
		if err != nil {
			return err
		}
		return w.tx.DeleteRule(w.ctx, w.acct(), num(r.ID))
	})
}

// rule finds one of the campaign's rules.
func (w *work) rule(ruleID string) (canonical.RewardRule, error) {
	id, err := parseID(ruleID, "reward rule")
	if err != nil {
		return canonical.RewardRule{}, err
	}
	r, err := w.tx.GetRule(w.ctx, w.acct(), id)
	if err != nil || r.CampaignID != w.camp.ID {
		return r, notFound("reward rule %q not found", ruleID)
	}
	return r, nil
}

// normalizeRule validates a rule and fills in defaults.
func normalizeRule(r *canonical.RewardRule) error {
	switch r.Kind {
	case canonical.SingleSided, canonical.DoubleSided, canonical.Milestone:
		if r.Threshold == 0 && r.PointsThreshold == 0 {
			r.Threshold = 1
		}
	case canonical.LeaderboardReward:
		if r.Winners == 0 {
			r.Winners = 3
		}
	case canonical.CommissionReward:
		cr := r.Commission
		if cr == nil {
			return canonical.Errorf(canonical.Invalid, "a commission rule needs a commission structure")
		}
		switch cr.Type {
		case canonical.PercentCommission:
			if cr.Percent <= 0 || cr.Percent > 100 {
				return canonical.Errorf(canonical.Invalid, "commission percent must be above 0 and at most 100")
			}
		case canonical.FixedCommission:
			if cr.Amount.Amount <= 0 {
				return canonical.Errorf(canonical.Invalid, "a fixed commission needs a positive amount")
			}
		default:
			return canonical.Errorf(canonical.Invalid, "unknown commission type %q", cr.Type)
		}
		if cr.DurationMonths < 0 || cr.MaxCommissions < 0 {
			return canonical.Errorf(canonical.Invalid, "commission duration and cap cannot be negative")
		}
	case canonical.ManualReward:
	default:
		return canonical.Errorf(canonical.Invalid, "unknown reward kind %q", r.Kind)
	}
	if r.Threshold < 0 || r.PointsThreshold < 0 || r.Limit < 0 || r.Winners < 0 {
		return canonical.Errorf(canonical.Invalid, "reward thresholds and limits cannot be negative")
	}
	if r.LimitPeriod == "" {
		r.LimitPeriod = canonical.LimitTotal
	}
	switch r.LimitPeriod {
	case canonical.LimitTotal, canonical.LimitPerMonth, canonical.LimitPerYear:
	default:
		return canonical.Errorf(canonical.Invalid, "unknown limit period %q", r.LimitPeriod)
	}
	if !r.Unlimited && r.Limit == 0 && r.Kind != canonical.Milestone {
		r.Unlimited = true
	}
	return nil
}

// set assigns *src to *dst when src is not nil.
func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
