package engine

import (
	"maps"
	"slices"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// This file builds the changes a write emits for the event log. A change
// carries copies of its entities as they were when it was emitted: the
// transaction goes on changing the originals (their maps and slices
// included) before flushChanges encodes the change, so nothing a change
// holds may be shared with them.

// reserve keeps a place in the event log for a change whose entities are
// only complete later in the transaction (a signup is one change once its
// referral is attributed); fill puts the change there.
func (w *work) reserve() int {
	w.changes = append(w.changes, canonical.Change{})
	return len(w.changes) - 1
}

// fill puts c in the place reserve kept.
func (w *work) fill(slot int, c canonical.Change) {
	w.emit(c)
	last := len(w.changes) - 1
	w.changes[slot], w.changes = w.changes[last], w.changes[:last]
}

// snap renders participant p for a change, with its stats as they are at
// this point of the transaction.
func (w *work) snap(p store.Participant) (*canonical.Participant, error) {
	var (
		v   canonical.Participant
		err error
	)
	if w.fresh[p.ID] {
		v, err = w.newView(p)
	} else {
		v, err = w.view(p)
	}
	if err != nil {
		return nil, err
	}
	return cloneParticipant(v), nil
}

// snapID is snap for the participant stored under id; nil for "".
func (w *work) snapID(id string) (*canonical.Participant, error) {
	if id == "" {
		return nil, nil
	}
	p, err := w.tx.GetParticipant(w.ctx, w.acct(), num(id))
	if err != nil {
		return nil, err
	}
	return w.snap(p)
}

// brief renders the other side of a referral for a change: the stored
// participant with its credited referral count, without the stats that
// take reads to compute.
func brief(p store.Participant) *canonical.Participant {
	v := p.Participant
	v.Stats = canonical.ParticipantStats{Referrals: int(p.Referrals)}
	return cloneParticipant(v)
}

// briefID is brief for the participant stored under id; nil for "" or a
// participant that is gone.
func (w *work) briefID(id string) (*canonical.Participant, error) {
	if id == "" {
		return nil, nil
	}
	p, err := w.tx.GetParticipant(w.ctx, w.acct(), num(id))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return brief(p), nil
}

// The clone functions copy an entity so that the copy shares no map or
// slice with the original.

func cloneParticipant(p canonical.Participant) *canonical.Participant {
	p.Metadata = maps.Clone(p.Metadata)
	p.VanityKeys = slices.Clone(p.VanityKeys)
	p.Stats.Shares = maps.Clone(p.Stats.Shares)
	p.Native = p.Native.Clone()
	return &p
}

func cloneReferral(r canonical.Referral) *canonical.Referral {
	if r.QualifyingAmount != nil {
		amt := *r.QualifyingAmount
		r.QualifyingAmount = &amt
	}
	r.Native = r.Native.Clone()
	return &r
}

func cloneReward(r canonical.EarnedReward) *canonical.EarnedReward {
	r.Native = r.Native.Clone()
	return &r
}

func cloneRule(r canonical.RewardRule) *canonical.RewardRule {
	if r.Commission != nil {
		cr := *r.Commission
		r.Commission = &cr
	}
	r.Metadata = maps.Clone(r.Metadata)
	r.Native = r.Native.Clone()
	return &r
}

func cloneTransaction(t canonical.Transaction) *canonical.Transaction {
	t.ExternalIDs = maps.Clone(t.ExternalIDs)
	t.Native = t.Native.Clone()
	return &t
}

func cloneCommission(c canonical.Commission) *canonical.Commission {
	c.Native = c.Native.Clone()
	return &c
}

func clonePayout(p canonical.Payout) *canonical.Payout {
	p.CommissionIDs = slices.Clone(p.CommissionIDs)
	p.Native = p.Native.Clone()
	return &p
}

func cloneCoupon(c canonical.Coupon) *canonical.Coupon {
	c.Native = c.Native.Clone()
	return &c
}

func cloneLink(l canonical.Link) *canonical.Link { return &l }

func cloneCampaign(c canonical.Campaign) *canonical.Campaign {
	if c.Rules != nil {
		rules := make([]canonical.RewardRule, len(c.Rules))
		for i, r := range c.Rules {
			rules[i] = *cloneRule(r)
		}
		c.Rules = rules
	}
	c.Native = c.Native.Clone()
	return &c
}
