package engine

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// attribute makes referrer the referrer of the new participant p (already
// stored), in the given state or the one the campaign's qualification
// implies, saves p, and returns the referral. It emits referral.created,
// or referral.lead when a visitor of referrer's signed up.
func (w *work) attribute(p *store.Participant, referrer *store.Participant, initial canonical.ReferralState, visitorID string) (canonical.Referral, error) {
	state := initial
	if state == "" {
		state = canonical.StatePending
		if w.camp.Qualification == canonical.QualifyOnSignup {
			state = canonical.StateCredited
		}
	}
	// Store the attribution first, so what the referral's changes carry
	// shows p referred (a new signup is stored so already). Only the
	// attribution: the caller may hold other changes of p it saves later.
	if p.ReferrerID != referrer.ID || p.ReferralState != canonical.StatePending {
		stored, err := w.tx.GetParticipant(w.ctx, w.acct(), num(p.ID))
		if err != nil {
			return canonical.Referral{}, err
		}
		stored.ReferrerID, stored.ReferralState, stored.UpdatedAt = referrer.ID, canonical.StatePending, w.now
		if err := w.tx.UpdateParticipant(w.ctx, w.acct(), &stored); err != nil {
			return canonical.Referral{}, err
		}
		p.ReferrerID, p.ReferralState = referrer.ID, canonical.StatePending
	}
	r := canonical.Referral{CampaignID: w.camp.ID, CreatedAt: w.now}
	kind := canonical.ChangeReferralCreated
	if visitorID != "" {
		if v, err := w.visitor(visitorID); err == nil && v.ReferrerID == referrer.ID {
			r, kind = v, canonical.ChangeReferralLead
		} else if err != nil && !isNotFound(err) {
			return canonical.Referral{}, err
		}
	}
	r.ReferrerID, r.ReferredID, r.Email, r.UpdatedAt, r.LeadAt = referrer.ID, p.ID, p.Email, w.now, &w.now
	if r.Channel == "" {
		r.Channel = channelOf(p.Source)
	}
	r.State = canonical.StatePending
	if w.camp.ReferralExpiryDays > 0 {
		exp := w.now.AddDate(0, 0, w.camp.ReferralExpiryDays)
		r.ExpiresAt = &exp
	}
	if err := w.saveReferral(&r); err != nil {
		return canonical.Referral{}, err
	}
	if err := w.referralChange(kind, r, nil); err != nil {
		return canonical.Referral{}, err
	}
	// A lead counts for its referrer and for the campaign, as visits and
	// conversions do (and as Seed counts them).
	for _, scope := range []int64{num(referrer.ID), 0} {
		if err := w.count(scope, map[string]int64{"leads": 1}); err != nil {
			return canonical.Referral{}, err
		}
	}
	if err := w.bumpLink(r.LinkID, func(l *store.Link) { l.Leads++ }); err != nil {
		return canonical.Referral{}, err
	}
	switch state {
	case canonical.StateCredited:
		if err := w.credit(&r); err != nil {
			return canonical.Referral{}, err
		}
	case canonical.StatePending:
	default:
		r.State = state
		if err := w.saveReferral(&r); err != nil {
			return canonical.Referral{}, err
		}
	}
	p.ReferrerID, p.ReferralState = referrer.ID, r.State
	if err := w.tx.UpdateParticipant(w.ctx, w.acct(), p); err != nil {
		return canonical.Referral{}, err
	}
	return r, w.earnSignupRewards(referrer, p, &r)
}

// channelOf maps iRefer's one-letter sources to channel names; other
// sources pass through.
func channelOf(source string) string {
	switch strings.ToLower(source) {
	case "t":
		return "twitter"
	case "f":
		return "facebook"
	case "l":
		return "linkedin"
	case "w":
		return "whatsapp"
	case "e":
		return "email"
	}
	return strings.ToLower(source)
}

// visitor loads an anonymous visitor referral of the campaign.
func (w *work) visitor(id string) (canonical.Referral, error) {
	n, err := parseID(id, "visitor")
	if err != nil {
		return canonical.Referral{}, err
	}
	r, err := w.tx.GetReferral(w.ctx, w.acct(), n)
	if err != nil || r.CampaignID != w.camp.ID || r.State != canonical.StateVisitor {
		return canonical.Referral{}, notFound("visitor %q not found", id)
	}
	if r.ExpiresAt != nil && w.now.After(*r.ExpiresAt) {
		// Past the attribution window the visit no longer counts.
		return canonical.Referral{}, notFound("visitor %q has expired", id)
	}
	return r, nil
}

// saveReferral inserts or updates r, keeping the referral tallies right.
func (w *work) saveReferral(r *canonical.Referral) error {
	if r.ID == "" {
		if err := w.tx.InsertReferral(w.ctx, w.acct(), r); err != nil {
			return err
		}
		return w.tally(*r, 1)
	}
	old, err := w.tx.GetReferral(w.ctx, w.acct(), num(r.ID))
	if err != nil {
		return err
	}
	if err := w.tx.UpdateReferral(w.ctx, w.acct(), r); err != nil {
		return err
	}
	if old.State == r.State && old.ReferrerID == r.ReferrerID && old.ReferredID == r.ReferredID && old.Channel == r.Channel {
		return nil
	}
	if err := w.tally(old, -1); err != nil {
		return err
	}
	return w.tally(*r, 1)
}

// deleteReferral removes r (as stored) and its tallies.
func (w *work) deleteReferral(r canonical.Referral) error {
	if err := w.tx.DeleteReferral(w.ctx, w.acct(), num(r.ID)); err != nil {
		return err
	}
	return w.tally(r, -1)
}

// tally counts r into its referrer's and its campaign's referral counters:
// "ref:<state>" on both, and "signup:<channel>" on the campaign for
// referred signups. Counting as states change keeps stats reads from
// counting a top referrer's whole referral list.
func (w *work) tally(r canonical.Referral, delta int64) error {
	if err := w.count(num(r.ReferrerID), map[string]int64{"ref:" + string(r.State): delta}); err != nil {
		return err
	}
	camp := map[string]int64{"ref:" + string(r.State): delta}
	if r.ReferredID != "" && r.Channel != "" {
		camp["signup:"+r.Channel] = delta
	}
	return w.count(0, camp)
}

// mirror copies a referral's state onto its referred participant.
func (w *work) mirror(r *canonical.Referral) error {
	if r.ReferredID == "" {
		return nil
	}
	p, err := w.tx.GetParticipant(w.ctx, w.acct(), num(r.ReferredID))
	if err != nil {
		return err
	}
	if p.ReferralState == r.State {
		return nil
	}
	p.ReferralState, p.UpdatedAt = r.State, w.now
	return w.tx.UpdateParticipant(w.ctx, w.acct(), &p)
}

// credit moves r to credited: its referrer's counts, ranks and upline
// level counts grow, and reward rules are applied.
func (w *work) credit(r *canonical.Referral) error {
	r.State, r.CreditedAt, r.TriggerAt, r.ExpiresAt, r.UpdatedAt = canonical.StateCredited, &w.now, nil, nil, w.now
	if err := w.saveReferral(r); err != nil {
		return err
	}
	if err := w.mirror(r); err != nil {
		return err
	}
	ref, err := w.tx.GetParticipant(w.ctx, w.acct(), num(r.ReferrerID))
	if err != nil {
		return err
	}
	if err := w.addCredit(&ref, monthKey(w.now), 1); err != nil {
		return err
	}
	if err := w.referralChange(canonical.ChangeReferralCredited, *r, nil); err != nil {
		return err
	}
	return w.earnReferralRewards(&ref, r)
}

// referralChange emits a change of referral r: with its referred
// participant, when it has one, its referrer and, for a conversion, the
// sale t.
func (w *work) referralChange(kind canonical.ChangeKind, r canonical.Referral, t *canonical.Transaction) error {
	c := canonical.Change{Kind: kind, Referral: cloneReferral(r)}
	var err error
	if c.Participant, err = w.snapID(r.ReferredID); err != nil {
		return err
	}
	if c.Referrer, err = w.briefID(r.ReferrerID); err != nil {
		return err
	}
	if t != nil {
		c.Transaction = cloneTransaction(*t)
	}
	w.emit(c)
	return nil
}

// uncredit takes a credited referral's credit back and moves it to state.
func (w *work) uncredit(r *canonical.Referral, state canonical.ReferralState) error {
	month := monthKey(w.now)
	if r.CreditedAt != nil {
		month = monthKey(*r.CreditedAt)
	}
	r.State, r.CreditedAt, r.UpdatedAt = state, nil, w.now
	if err := w.saveReferral(r); err != nil {
		return err
	}
	if err := w.mirror(r); err != nil {
		return err
	}
	ref, err := w.tx.GetParticipant(w.ctx, w.acct(), num(r.ReferrerID))
	if err != nil {
		return err
	}
	return w.addCredit(&ref, month, -1)
}

// addCredit changes a referrer's credited count (all-time and in month)
// by delta, with their ranks and their upline's level counts, and saves
// the referrer.
func (w *work) addCredit(ref *store.Participant, month int, delta int64) error {
	from := ref.Referrals
	ref.Referrals = max(0, from+delta)
	mc, err := w.tx.GetMonthlyScore(w.ctx, w.cid, month, num(ref.ID))
	if err != nil {
		return err
	}
	mTo := max(0, mc+delta)
	if err := w.tx.SetMonthlyScore(w.ctx, w.cid, month, num(ref.ID), ref.Ord, mTo); err != nil {
		return err
	}
	d := treeDeltas{}
	moveScore(d, boardAll, ref.Ord, from, ref.Referrals)
	moveScore(d, boardMonth(month), ref.Ord, mc, mTo)
	if err := d.flush(w.ctx, w.tx, w.cid); err != nil {
		return err
	}
	ref.UpdatedAt = w.now
	if err := w.tx.UpdateParticipant(w.ctx, w.acct(), ref); err != nil {
		return err
	}
	return w.upline(*ref, ref.Referrals-from, 0)
}

// upline adds level2 to the level-2 count of p's referrer and to the
// level-3 count of that referrer's referrer, and level3 to the level-3
// count of p's referrer.
func (w *work) upline(p store.Participant, level2, level3 int64) error {
	if p.ReferrerID == "" || level2 == 0 && level3 == 0 {
		return nil
	}
	q, err := w.tx.GetParticipant(w.ctx, w.acct(), num(p.ReferrerID))
	if err != nil {
		return err
	}
	if err := w.count(num(q.ID), map[string]int64{"level2": level2, "level3": level3}); err != nil {
		return err
	}
	if q.ReferrerID == "" || level2 == 0 {
		return nil
	}
	return w.count(num(q.ReferrerID), map[string]int64{"level3": level2})
}

// count adds to a participant's counters (scope 0 = the campaign).
func (w *work) count(scope int64, deltas map[string]int64) error {
	return w.tx.AddCounters(w.ctx, w.cid, scope, deltas)
}

// bumpLink changes a link's counters.
func (w *work) bumpLink(linkID string, fn func(*store.Link)) error {
	if linkID == "" {
		return nil
	}
	l, err := w.tx.GetLink(w.ctx, w.acct(), num(linkID))
	if errors.Is(err, store.ErrNotFound) {
		return nil // the link was deleted since
	}
	if err != nil {
		return err
	}
	fn(&l)
	l.UpdatedAt = w.now
	return w.tx.UpdateLink(w.ctx, w.acct(), &l)
}

// reattribute changes who referred p (GrowSurf referredBy on update).
func (w *work) reattribute(p *store.Participant, ref canonical.ParticipantRef) error {
	var newRef *store.Participant
	if !ref.IsZero() {
		r, err := w.resolve(ref)
		if err != nil {
			return err
		}
		if r.ID == p.ID {
			return canonical.Errorf(canonical.Invalid, "a participant cannot refer themself")
		}
		// Refuse cycles: the new referrer may not descend from p.
		for cur, depth := r, 0; cur.ReferrerID != "" && depth < 1000; depth++ {
			if cur.ReferrerID == p.ID {
				return canonical.Errorf(canonical.Invalid, "that referral would make a cycle")
			}
			if cur, err = w.tx.GetParticipant(w.ctx, w.acct(), num(cur.ReferrerID)); err != nil {
				return err
			}
		}
		if r.ID == p.ReferrerID {
			return nil
		}
		newRef = &r
	} else if p.ReferrerID == "" {
		return nil
	}
	// Detach from the old referrer, taking p's downline counts along.
	level2, err := w.counter(num(p.ID), "level2")
	if err != nil {
		return err
	}
	if p.ReferrerID != "" {
		if err := w.upline(*p, -p.Referrals, -level2); err != nil {
			return err
		}
		if err := w.dropOwnReferral(*p); err != nil {
			return err
		}
		p.ReferrerID, p.ReferralState = "", ""
	}
	if newRef == nil {
		return nil
	}
	p.ReferrerID = newRef.ID
	if err := w.upline(*p, p.Referrals, level2); err != nil {
		return err
	}
	if _, err := w.attribute(p, newRef, "", ""); err != nil {
		return err
	}
	// attribute saved p; reload what it changed.
	fresh, err := w.tx.GetParticipant(w.ctx, w.acct(), num(p.ID))
	if err != nil {
		return err
	}
	p.ReferralState = fresh.ReferralState
	return nil
}

// dropOwnReferral deletes the referral that brought p in, taking its
// credit back first; a direct participant has none.
func (w *work) dropOwnReferral(p store.Participant) error {
	own, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if own.State == canonical.StateCredited {
		if err := w.uncredit(&own, canonical.StateExpired); err != nil {
			return err
		}
	}
	return w.deleteReferral(own)
}

// ownReferral finds the referral that brought p in; a direct participant
// gets the error missing.
func (w *work) ownReferral(p store.Participant, missing error) (canonical.Referral, error) {
	r, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
	if errors.Is(err, store.ErrNotFound) {
		return r, missing
	}
	return r, err
}

// reread renders participant id as it is now stored.
func (w *work) reread(id string) (canonical.Participant, error) {
	p, err := w.tx.GetParticipant(w.ctx, w.acct(), num(id))
	if err != nil {
		return canonical.Participant{}, err
	}
	return w.view(p)
}

// counter reads one of a participant's counters.
func (w *work) counter(scope int64, name string) (int64, error) {
	c, err := w.tx.Counters(w.ctx, w.cid, scope)
	return c[name], err
}

// setOwnState moves p's own referral to state (GrowSurf referralStatus).
func (w *work) setOwnState(p *store.Participant, state canonical.ReferralState) error {
	switch state {
	case canonical.StatePending, canonical.StateUnconfirmed, canonical.StateCredited, canonical.StateExpired:
	default:
		return canonical.Errorf(canonical.Invalid, "a referral cannot be set to %q", state)
	}
	r, err := w.ownReferral(*p, canonical.Errorf(canonical.Invalid, "the participant was not referred"))
	if err != nil {
		return err
	}
	switch {
	case r.State == state:
	case state == canonical.StateCredited:
		err = w.credit(&r)
	case r.State == canonical.StateCredited:
		err = w.uncredit(&r, state)
	default:
		r.State, r.UpdatedAt = state, w.now
		err = w.saveReferral(&r)
	}
	if err != nil {
		return err
	}
	// credit and uncredit changed the stored participant; keep p in step.
	fresh, err := w.tx.GetParticipant(w.ctx, w.acct(), num(p.ID))
	if err != nil {
		return err
	}
	p.ReferralState, p.Referrals = state, fresh.Referrals
	return nil
}

// ListReferrals implements canonical.Backend.
func (a *Account) ListReferrals(ctx context.Context, q canonical.ReferralQuery) (canonical.Page[canonical.Referral], error) {
	limit := clampLimit(q.Limit, 50, 100)
	cursor, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Referral]{}, err
	}
	if q.Offset < 0 {
		return canonical.Page[canonical.Referral]{}, canonical.Errorf(canonical.Invalid, "offset must not be negative")
	}
	sq := store.ReferralQuery{Campaign: num(q.CampaignID), Referrer: num(q.ReferrerID), Referred: num(q.ReferredID),
		States: q.States, Converted: q.Converted, EmailKey: store.Key(q.Email), UpdatedSince: q.UpdatedSince,
		UpdatedUntil: q.UpdatedUntil, Oldest: q.Oldest, Cursor: cursor}
	var page canonical.Page[canonical.Referral]
	run := func(tx store.Tx) error {
		page.Items, page.Total = []canonical.Referral{}, -1
		if (q.CampaignID != "" && sq.Campaign == 0) || (q.ReferrerID != "" && sq.Referrer == 0) || (q.ReferredID != "" && sq.Referred == 0) {
			if q.WithTotal {
				page.Total = 0
			}
			return nil
		}
		if q.StripeCustomerID == "" {
			sq.Offset, sq.Limit = q.Offset, limit+1
			rows, err := tx.ListReferrals(ctx, a.id, sq)
			if err != nil {
				return err
			}
			page = pageOf(rows, limit, func(r canonical.Referral) string { return r.ID })
			if q.WithTotal {
				page.Total, err = tx.CountReferrals(ctx, a.id, sq)
			}
			return err
		}
		// The Stripe customer is not indexed: filter here, store page by
		// store page, until the page is full.
		skip := q.Offset
		for {
			sq.Limit = limit - len(page.Items) + skip
			rows, err := tx.ListReferrals(ctx, a.id, sq)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if r.StripeCustomerID != q.StripeCustomerID {
					continue
				}
				if skip > 0 {
					skip--
					continue
				}
				page.Items = append(page.Items, r)
			}
			if len(rows) < sq.Limit {
				return nil
			}
			sq.Cursor = num(rows[len(rows)-1].ID)
			if len(page.Items) == limit {
				page.NextCursor = cursorFromID(rows[len(rows)-1].ID)
				return nil
			}
		}
	}
	if q.CampaignID != "" && sq.Campaign != 0 {
		err = a.read(ctx, q.CampaignID, func(w *work) error { return run(w.tx) })
	} else {
		err = storeErr(a.e.st.View(ctx, run), "referral")
	}
	return page, err
}

// RecordVisit implements canonical.Backend.
func (a *Account) RecordVisit(ctx context.Context, campaignID string, v canonical.Visit) (canonical.Referral, error) {
	if err := canonical.CheckValue("", v); err != nil {
		return canonical.Referral{}, err
	}
	var out canonical.Referral
	err := a.write(ctx, campaignID, func(w *work) error {
		l, err := w.tx.FindLink(w.ctx, w.acct(), v.Token)
		if err != nil || l.CampaignID != w.camp.ID {
			return notFound("link %q not found", v.Token)
		}
		if v.VisitorID != "" {
			r, err := w.visitor(v.VisitorID)
			if err == nil {
				r.Visits++
				r.UpdatedAt = w.now
				out = r
				return w.saveReferral(&r)
			}
			if !isNotFound(err) {
				return err
			}
		}
		r := canonical.Referral{CampaignID: w.camp.ID, ReferrerID: l.ParticipantID, LinkID: l.ID, State: canonical.StateVisitor,
			Visits: 1, Channel: channelOf(v.Channel), CreatedAt: w.now, UpdatedAt: w.now}
		if v.IP != "" {
			r.Native.Set(canonical.Engine, "ip", v.IP)
		}
		if w.camp.ReferralExpiryDays > 0 {
			exp := w.now.AddDate(0, 0, w.camp.ReferralExpiryDays)
			r.ExpiresAt = &exp
		}
		if err := w.saveReferral(&r); err != nil {
			return err
		}
		if err := w.referralChange(canonical.ChangeReferralCreated, r, nil); err != nil {
			return err
		}
		if err := w.bumpLink(l.ID, func(l *store.Link) { l.Visitors++ }); err != nil {
			return err
		}
		if err := w.count(num(l.ParticipantID), map[string]int64{"visitors": 1}); err != nil {
			return err
		}
		out = r
		return w.count(0, map[string]int64{"visitors": 1})
	})
	return out, err
}

// RecordEvent implements canonical.Backend.
func (a *Account) RecordEvent(ctx context.Context, campaignID string, e canonical.Event) error {
	if err := canonical.CheckValue("", e); err != nil {
		return err
	}
	return a.write(ctx, campaignID, func(w *work) error {
		if e.Kind == canonical.EventCampaignView {
			return w.count(0, map[string]int64{"views": 1})
		}
		p, err := w.resolve(e.Participant)
		if err != nil {
			return err
		}
		scope := num(p.ID)
		switch e.Kind {
		case canonical.EventImpression:
			deltas := map[string]int64{"impressions": 1}
			if e.VisitorKey != "" {
				fresh, err := w.tx.MarkSeen(w.ctx, w.cid, scope, "impressions", e.VisitorKey)
				if err != nil {
					return err
				}
				if fresh {
					deltas["unique_impressions"] = 1
				}
			}
			if err := w.count(scope, deltas); err != nil {
				return err
			}
			return w.count(0, deltas)
		case canonical.EventShare:
			ch := channelOf(e.Channel)
			if ch == "" {
				return canonical.Errorf(canonical.Invalid, "a share needs a channel")
			}
			if err := w.count(scope, map[string]int64{"share:" + ch: 1}); err != nil {
				return err
			}
			return w.count(0, map[string]int64{"share:" + ch: 1})
		case canonical.EventInvite:
			if !validEmail(strings.TrimSpace(e.Email)) {
				return canonical.Errorf(canonical.Invalid, "an invite needs a valid email address")
			}
			r := canonical.Referral{CampaignID: w.camp.ID, ReferrerID: p.ID, Email: strings.TrimSpace(e.Email),
				State: canonical.StateInvited, Channel: "email", CreatedAt: w.now, UpdatedAt: w.now}
			if err := w.saveReferral(&r); err != nil {
				return err
			}
			if err := w.referralChange(canonical.ChangeReferralCreated, r, nil); err != nil {
				return err
			}
			if err := w.count(scope, map[string]int64{"invites": 1}); err != nil {
				return err
			}
			return w.count(0, map[string]int64{"invites": 1})
		}
		return canonical.Errorf(canonical.Invalid, "unknown event kind %q", e.Kind)
	})
}

// TriggerReferral implements canonical.Backend.
func (a *Account) TriggerReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, delay time.Duration) (bool, error) {
	if delay < 0 {
		return false, canonical.Errorf(canonical.Invalid, "the delay cannot be negative")
	}
	done := false
	err := a.write(ctx, campaignID, func(w *work) error {
		p, err := w.resolve(referred)
		if err != nil {
			return err
		}
		r, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.State != canonical.StatePending && r.State != canonical.StateUnconfirmed {
			return nil
		}
		done = true
		switch {
		case r.ExpiresAt != nil && w.now.After(*r.ExpiresAt):
			r.State, r.UpdatedAt = canonical.StateExpired, w.now
			if err := w.saveReferral(&r); err != nil {
				return err
			}
			return w.mirror(&r)
		case delay > 0:
			at := w.now.Add(delay)
			r.TriggerAt, r.UpdatedAt = &at, w.now
			return w.saveReferral(&r)
		}
		return w.credit(&r)
	})
	return done, err
}

// CancelReferralTrigger implements canonical.Backend.
func (a *Account) CancelReferralTrigger(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (bool, error) {
	done := false
	err := a.write(ctx, campaignID, func(w *work) error {
		p, err := w.resolve(referred)
		if err != nil {
			return err
		}
		r, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil || r.TriggerAt == nil {
			return err
		}
		done = true
		r.TriggerAt, r.UpdatedAt = nil, w.now
		return w.saveReferral(&r)
	})
	return done, err
}

// eventTarget is the state a conversion event moves a pending referral to.
func (w *work) eventTarget() (canonical.ReferralState, error) {
	switch w.camp.Qualification {
	case canonical.QualifyOnEvent:
		return canonical.StateCredited, nil
	case canonical.QualifyOnReview:
		return canonical.StateUnconfirmed, nil
	}
	return "", canonical.Errorf(canonical.Invalid, "the campaign credits referrals on signup; it takes no conversion event")
}

// TrackConversion implements canonical.Backend.
func (a *Account) TrackConversion(ctx context.Context, campaignID string, e canonical.ConversionEvent) (canonical.Participant, error) {
	if err := canonical.CheckValue("", e); err != nil {
		return canonical.Participant{}, err
	}
	var out canonical.Participant
	err := a.write(ctx, campaignID, func(w *work) error {
		target, err := w.eventTarget()
		if err != nil {
			return err
		}
		p, err := w.resolve(e.Participant)
		if isNotFound(err) && e.NewParticipant != nil {
			ref, rerr := w.resolve(e.Referrer)
			if e.Referrer.IsZero() || rerr != nil {
				return canonical.Errorf(canonical.Invalid, "referrer is invalid or not present")
			}
			in := canonical.NewParticipant{Participant: *e.NewParticipant, Referrer: canonical.ByID(ref.ID), InitialState: target}
			in.CampaignID = w.camp.ID
			if err := validateNew(&in); err != nil {
				return err
			}
			created, _, _, err := w.create(in)
			if err != nil {
				return err
			}
			out, err = w.view(created)
			return err
		}
		if err != nil {
			return err
		}
		r, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
		switch {
		case errors.Is(err, store.ErrNotFound):
			if e.Referrer.IsZero() {
				return canonical.Errorf(canonical.Invalid, "referrer is invalid or not present")
			}
			ref, rerr := w.resolve(e.Referrer)
			if rerr != nil || ref.ID == p.ID {
				return canonical.Errorf(canonical.Invalid, "referrer is invalid or not present")
			}
			if _, err := w.attribute(&p, &ref, target, ""); err != nil {
				return err
			}
		case err != nil:
			return err
		case r.State == canonical.StatePending:
			if target == canonical.StateCredited {
				err = w.credit(&r)
			} else {
				r.State, r.UpdatedAt = target, w.now
				if err = w.saveReferral(&r); err == nil {
					err = w.mirror(&r)
				}
			}
			if err != nil {
				return err
			}
		default:
			return canonical.Errorf(canonical.Conflict, "custom event is already completed")
		}
		out, err = w.reread(p.ID)
		return err
	})
	return out, err
}

// ConfirmReferral implements canonical.Backend.
func (a *Account) ConfirmReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef) (canonical.Participant, error) {
	var out canonical.Participant
	err := a.write(ctx, campaignID, func(w *work) error {
		if w.camp.Qualification != canonical.QualifyOnReview {
			return canonical.Errorf(canonical.Invalid, "the campaign does not review referrals")
		}
		p, err := w.resolve(referred)
		if err != nil {
			return err
		}
		r, err := w.ownReferral(p, canonical.Errorf(canonical.Conflict, "the participant has no referral to confirm"))
		if err != nil {
			return err
		}
		if r.State != canonical.StateUnconfirmed {
			return canonical.Errorf(canonical.Conflict, "the referral is %s, not unconfirmed", r.State)
		}
		if err := w.credit(&r); err != nil {
			return err
		}
		out, err = w.reread(p.ID)
		return err
	})
	return out, err
}

// QualifyReferral implements canonical.Backend.
func (a *Account) QualifyReferral(ctx context.Context, campaignID string, referred canonical.ParticipantRef, amount canonical.Money) (canonical.Participant, error) {
	if amount.Amount < 0 {
		return canonical.Participant{}, canonical.Errorf(canonical.Invalid, "the amount cannot be negative")
	}
	var out canonical.Participant
	err := a.write(ctx, campaignID, func(w *work) error {
		p, err := w.resolve(referred)
		if err != nil {
			return err
		}
		r, err := w.ownReferral(p, canonical.Errorf(canonical.Invalid, "the participant was not referred"))
		if err != nil {
			return err
		}
		if amount.Currency == "" {
			amount.Currency = w.camp.Currency
		}
		amt := amount
		r.QualifyingAmount = &amt
		if r.State == canonical.StatePending || r.State == canonical.StateUnconfirmed {
			err = w.credit(&r)
		} else {
			r.UpdatedAt = w.now
			err = w.saveReferral(&r)
		}
		if err != nil {
			return err
		}
		if err := w.count(0, map[string]int64{"revenue": amount.Amount}); err != nil {
			return err
		}
		out, err = w.reread(p.ID)
		return err
	})
	return out, err
}

// RecordSpecificAction implements canonical.Backend.
func (a *Account) RecordSpecificAction(ctx context.Context, campaignID string, act canonical.SpecificAction, referrerCode string) (canonical.SpecificAction, error) {
	if err := canonical.CheckValue("", act); err != nil {
		return canonical.SpecificAction{}, err
	}
	act.ExternalID, act.Action = strings.TrimSpace(act.ExternalID), strings.TrimSpace(act.Action)
	if act.ExternalID == "" || act.Action == "" || referrerCode == "" {
		return act, canonical.Errorf(canonical.Invalid, "external id, action and referrer code are required")
	}
	err := a.write(ctx, campaignID, func(w *work) error {
		ref, err := w.resolve(canonical.ByCode(referrerCode))
		if err != nil {
			return err
		}
		act.ID, act.CampaignID, act.ReferrerID, act.CreatedAt = "", w.camp.ID, ref.ID, w.now
		if err := w.tx.InsertSpecificAction(w.ctx, w.acct(), &act); err != nil {
			return err
		}
		if err := w.count(num(ref.ID), map[string]int64{"specific_actions": 1}); err != nil {
			return err
		}
		// The action qualifies the referred person's pending referral.
		p, err := w.resolve(canonical.ByIdentifier(act.ExternalID))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		r, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
		if errors.Is(err, store.ErrNotFound) || err == nil && (r.ReferrerID != ref.ID ||
			r.State != canonical.StatePending && r.State != canonical.StateUnconfirmed) {
			return nil
		}
		if err != nil {
			return err
		}
		return w.credit(&r)
	})
	return act, err
}

// ListSpecificActions implements canonical.Backend.
func (a *Account) ListSpecificActions(ctx context.Context, campaignID string, opts canonical.ListOptions) (canonical.Page[canonical.SpecificAction], error) {
	limit := clampLimit(opts.Limit, 100, 1000)
	before, err := idCursor(opts.Cursor)
	if err != nil {
		return canonical.Page[canonical.SpecificAction]{}, err
	}
	var page canonical.Page[canonical.SpecificAction]
	err = a.read(ctx, campaignID, func(w *work) error {
		rows, err := w.tx.ListSpecificActions(w.ctx, w.acct(), w.cid, before, limit+1)
		if err != nil {
			return err
		}
		page = pageOf(rows, limit, func(s canonical.SpecificAction) string { return s.ID })
		return nil
	})
	return page, err
}
