package engine

import (
	"context"
	"errors"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// Account is the engine's canonical.Backend for one account. Every store
// call it makes is scoped to that account.
type Account struct {
	e  *Engine
	id int64
}

var _ canonical.Backend = (*Account)(nil)

// Capabilities implements canonical.Backend: the engine performs every
// operation of the contract.
func (a *Account) Capabilities() canonical.Capabilities {
	return canonical.Capabilities{Backend: string(canonical.Engine), Operations: canonical.AllOperations(), Seek: seekable}
}

// seekable are the lists that honour ListOptions.Offset and WithTotal.
var seekable = []canonical.Operation{"ListParticipants", "ListReferrals", "ListCommissions", "ListPayouts"}

// ID returns the account's ID.
func (a *Account) ID() string { return idOf(a.id) }

func (a *Account) now() time.Time { return a.e.Now() }

// write runs fn in a read-write transaction on the campaign: it locks the
// campaign, applies work that fell due, and then calls fn.
func (a *Account) write(ctx context.Context, campaignID string, fn func(w *work) error) error {
	camp, err := parseID(campaignID, "campaign")
	if err != nil {
		return err
	}
	defer a.e.wrote(a.id)
	var logged []canonical.Change
	err = a.e.st.Update(ctx, func(tx store.Tx) error {
		logged = nil
		c, err := tx.LockCampaign(ctx, a.id, camp)
		if err != nil {
			return storeErr(err, "campaign "+campaignID)
		}
		w := &work{a: a, tx: tx, ctx: ctx, camp: c, cid: camp, now: a.now()}
		if err := w.settle(); err != nil {
			return err
		}
		if err := fn(w); err != nil {
			return err
		}
		logged, err = w.flushChanges()
		return err
	})
	if err == nil {
		a.e.recent.add(a.id, logged)
	}
	return storeErr(err, "campaign "+campaignID)
}

// read runs fn in a read-only transaction on the campaign, after applying
// any work that fell due (in a write transaction of its own, only when
// there is some).
func (a *Account) read(ctx context.Context, campaignID string, fn func(w *work) error) error {
	camp, err := parseID(campaignID, "campaign")
	if err != nil {
		return err
	}
	due := false
	err = a.e.st.View(ctx, func(tx store.Tx) error {
		c, err := tx.GetCampaign(ctx, a.id, camp)
		if err != nil {
			return storeErr(err, "campaign "+campaignID)
		}
		w := &work{a: a, tx: tx, ctx: ctx, camp: c, cid: camp, now: a.now()}
		if due, err = w.hasDueWork(); err != nil || due {
			return err
		}
		return fn(w)
	})
	if err != nil || !due {
		return storeErr(err, "campaign "+campaignID)
	}
	// Work fell due: apply it and answer from the same write transaction,
	// so the answer reflects it.
	return a.write(ctx, campaignID, fn)
}

// readAny is read for calls addressed by an entity ID alone; locate finds
// the entity's campaign in a first read.
func (a *Account) readAny(ctx context.Context, locate func(tx store.Tx) (string, error), fn func(w *work) error) error {
	return a.located(ctx, locate, a.read, fn)
}

// writeAny is write for calls addressed by an entity ID alone.
func (a *Account) writeAny(ctx context.Context, locate func(tx store.Tx) (string, error), fn func(w *work) error) error {
	return a.located(ctx, locate, a.write, fn)
}

// located finds the campaign with locate, then runs fn through run (read
// or write) on it.
func (a *Account) located(ctx context.Context, locate func(tx store.Tx) (string, error),
	run func(context.Context, string, func(*work) error) error, fn func(w *work) error) error {
	var campaignID string
	err := a.e.st.View(ctx, func(tx store.Tx) (err error) {
		campaignID, err = locate(tx)
		return err
	})
	if err != nil {
		return err
	}
	return run(ctx, campaignID, fn)
}

// onParticipant runs fn through run (read or write) in campaignID, or,
// when campaignID is empty, in the campaign of the participant ref names
// by ID (Rewardful addresses affiliates without a campaign).
func (a *Account) onParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef,
	run func(context.Context, string, func(*work) error) error, fn func(w *work) error) error {
	if campaignID != "" {
		return run(ctx, campaignID, fn)
	}
	if ref.ID == "" {
		return canonical.Errorf(canonical.Invalid, "a campaign is required unless the participant is given by ID")
	}
	return a.located(ctx, a.participantCampaign(ref.ID), run, fn)
}

// work is one transaction's view of one campaign.
type work struct {
	a    *Account
	tx   store.Tx
	ctx  context.Context
	camp canonical.Campaign
	cid  int64
	now  time.Time
	// earned lists the rewards this transaction created.
	earned []canonical.EarnedReward
	// changes are the changes this transaction made, for the event log;
	// flushChanges appends them before it commits.
	changes []canonical.Change
	// fresh holds the participants this transaction created (see snap).
	fresh map[string]bool
}

// emit records a change of the campaign for the event log; At defaults to
// the transaction's time, Campaign to the campaign without its rules (every
// vendor's payload needs its site URL or kind for links and names).
func (w *work) emit(c canonical.Change) {
	c.AccountID, c.CampaignID = w.a.ID(), w.camp.ID
	if c.At.IsZero() {
		c.At = w.now
	}
	if c.Campaign == nil {
		camp := w.camp
		camp.Rules = nil
		c.Campaign = cloneCampaign(camp)
	}
	w.changes = append(w.changes, c)
}

// flushChanges appends the transaction's changes to the event log, in the
// order they were made, inside the transaction: a change is logged
// exactly when it commits. It returns those it queued deliveries of, with
// their event IDs (for the engine's recent events).
func (w *work) flushChanges() (delivered []canonical.Change, err error) {
	// Every change of a referred participant names its referrer (vendors
	// put it in every payload); nil when it is gone. A referrer another
	// change of the write already carries (a signup's) costs no read.
	referrers := map[string]*canonical.Participant{}
	for _, c := range w.changes {
		if c.Referrer != nil {
			referrers[c.Referrer.ID] = c.Referrer
		}
	}
	for i := range w.changes {
		c := &w.changes[i]
		if c.Kind == "" {
			return nil, canonical.Errorf(canonical.Internal, "engine: a change reserved in the event log was never filled")
		}
		if c.Referrer != nil || c.Participant == nil || c.Participant.ReferrerID == "" {
			continue
		}
		ref, ok := referrers[c.Participant.ReferrerID]
		if !ok {
			var err error
			if ref, err = w.briefID(c.Participant.ReferrerID); err != nil {
				return nil, err
			}
			referrers[c.Participant.ReferrerID] = ref
		}
		c.Referrer = ref
	}
	if len(w.changes) == 0 {
		return nil, nil
	}
	queued, err := w.tx.AppendEvents(w.ctx, w.acct(), w.changes)
	if err != nil {
		return nil, err
	}
	for i, q := range queued {
		if q {
			delivered = append(delivered, w.changes[i])
		}
	}
	w.changes = nil
	return delivered, nil
}

func (w *work) acct() int64 { return w.a.id }

// hasDueWork reports whether a delayed trigger or a held commission fell
// due.
func (w *work) hasDueWork() (bool, error) {
	return w.tx.HasDueWork(w.ctx, w.acct(), w.cid, w.now)
}

// settle applies the work that fell due: delayed referral credits and
// commissions whose hold period ended.
func (w *work) settle() error {
	if due, err := w.hasDueWork(); err != nil || !due {
		return err
	}
	refs, err := w.tx.DueTriggers(w.ctx, w.acct(), w.cid, w.now)
	if err != nil {
		return err
	}
	for _, r := range refs {
		r.TriggerAt = nil
		if r.State == canonical.StatePending || r.State == canonical.StateUnconfirmed {
			if err := w.credit(&r); err != nil {
				return err
			}
			continue
		}
		if err := w.saveReferral(&r); err != nil {
			return err
		}
	}
	due, err := w.tx.PendingDue(w.ctx, w.acct(), w.cid, w.now)
	if err != nil {
		return err
	}
	affiliates := map[string]*canonical.Participant{}
	for _, c := range due {
		if err := w.makeDue(&c); err != nil {
			return err
		}
		if err := w.emitCommission(canonical.ChangeCommissionAdjusted, c, affiliates); err != nil {
			return err
		}
	}
	return nil
}

// notFound builds a NotFound error.
func notFound(format string, args ...any) error {
	return canonical.Errorf(canonical.NotFound, format, args...)
}

// isNotFound reports a store or canonical not-found error.
func isNotFound(err error) bool {
	return errors.Is(err, store.ErrNotFound) || canonical.IsCode(err, canonical.NotFound)
}
