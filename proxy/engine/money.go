package engine

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// CreateTransaction implements canonical.Backend.
func (a *Account) CreateTransaction(ctx context.Context, in canonical.NewTransaction) (canonical.TransactionResult, error) {
	if err := canonical.CheckValue("", in); err != nil {
		return canonical.TransactionResult{}, err
	}
	var res canonical.TransactionResult
	if !hasKey(in.ExternalIDs) {
		return res, canonical.Errorf(canonical.Invalid, "at least one transaction identifier is required")
	}
	if in.Amount.Amount <= 0 {
		return res, canonical.Errorf(canonical.Invalid, "the amount must be positive")
	}
	if in.TaxAmount < 0 {
		return res, canonical.Errorf(canonical.Invalid, "the tax amount cannot be negative")
	}
	err := a.write(ctx, in.CampaignID, func(w *work) error {
		p, err := w.resolve(in.Participant)
		if err != nil {
			return err
		}
		if dup, err := w.tx.FindTransaction(w.ctx, w.acct(), w.cid, in.ExternalIDs); err == nil {
			res.Transaction, res.Duplicate = dup, true
			res.Commissions, err = w.tx.ListCommissions(w.ctx, w.acct(), store.CommissionQuery{Transaction: num(dup.ID)})
			return err
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if in.Amount.Currency == "" {
			in.Amount.Currency = w.camp.Currency
		}
		at := w.now
		if in.OccurredAt != nil {
			at = in.OccurredAt.UTC()
		}
		t := canonical.Transaction{CampaignID: w.camp.ID, ParticipantID: p.ID, Kind: canonical.Sale, Amount: in.Amount,
			TaxAmount: in.TaxAmount, ExternalIDs: in.ExternalIDs, Description: in.Description, OccurredAt: at, CreatedAt: w.now,
			Native: in.Native}
		r, err := w.tx.FindReferralOf(w.ctx, w.acct(), num(p.ID))
		referred := err == nil && r.State != canonical.StateExpired
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if referred {
			t.ReferralID, t.ReferrerID = r.ID, r.ReferrerID
		}
		if err := w.tx.InsertTransaction(w.ctx, w.acct(), &t); err != nil {
			return storeErr(err, "transaction")
		}
		res.Transaction = t
		if err := w.count(0, map[string]int64{"revenue": in.Amount.Amount}); err != nil {
			return err
		}
		// The buyer is the same in the sale and its conversion.
		buyer, err := w.snap(p)
		if err != nil {
			return err
		}
		sale := canonical.Change{Kind: canonical.ChangeSaleCreated, Transaction: cloneTransaction(t), Participant: buyer}
		if referred {
			if sale.Referrer, err = w.briefID(r.ReferrerID); err != nil {
				return err
			}
		}
		w.emit(sale)
		if !referred {
			return nil
		}
		if r.ConvertedAt == nil {
			res.FirstSale = true
			r.ConvertedAt, r.UpdatedAt = &at, w.now
			if err := w.saveReferral(&r); err != nil {
				return err
			}
			for _, scope := range []int64{num(r.ReferrerID), 0} {
				if err := w.count(scope, map[string]int64{"conversions": 1}); err != nil {
					return err
				}
			}
			if err := w.bumpLink(r.LinkID, func(l *store.Link) { l.Conversions++ }); err != nil {
				return err
			}
			w.emit(canonical.Change{Kind: canonical.ChangeReferralConverted, Referral: cloneReferral(r), Participant: buyer,
				Referrer: sale.Referrer, Transaction: sale.Transaction})
		}
		if r.State == canonical.StatePending || r.State == canonical.StateUnconfirmed {
			if err := w.credit(&r); err != nil {
				return err
			}
		}
		res.Commissions, err = w.commissionsFor(t, r)
		return err
	})
	return res, err
}

func hasKey(keys map[string]string) bool {
	for _, v := range keys {
		if v != "" {
			return true
		}
	}
	return false
}

// commissionsFor creates the commissions sale t earns under the
// campaign's commission rules.
func (w *work) commissionsFor(t canonical.Transaction, r canonical.Referral) ([]canonical.Commission, error) {
	rules, err := w.tx.ListRules(w.ctx, w.acct(), w.cid)
	if err != nil {
		return nil, err
	}
	var out []canonical.Commission
	for _, rule := range rules {
		cr := rule.Commission
		if rule.Kind != canonical.CommissionReward || cr == nil {
			continue
		}
		if cr.DurationMonths > 0 && r.ConvertedAt != nil && t.OccurredAt.After(r.ConvertedAt.AddDate(0, cr.DurationMonths, 0)) {
			continue
		}
		if cr.MaxCommissions > 0 {
			n, err := w.commissionsOfReferral(r, rule.ID)
			if err != nil {
				return nil, err
			}
			if n >= cr.MaxCommissions {
				continue
			}
		}
		amount := canonical.Money{Currency: t.Amount.Currency}
		switch cr.Type {
		case canonical.PercentCommission:
			amount.Amount = int64(math.Round(float64(t.Amount.Amount) * cr.Percent / 100))
		case canonical.FixedCommission:
			amount = cr.Amount
			if amount.Currency == "" {
				amount.Currency = w.camp.Currency
			}
		}
		due := t.OccurredAt.AddDate(0, 0, w.camp.CommissionHoldDays)
		if due.Before(w.now) && w.camp.CommissionHoldDays == 0 {
			due = w.now
		}
		c := canonical.Commission{CampaignID: w.camp.ID, ReferrerID: r.ReferrerID, ReferredID: t.ParticipantID,
			TransactionID: t.ID, RuleID: rule.ID, Amount: amount, SaleAmount: t.Amount, Status: canonical.CommissionPending,
			DueAt: &due, CreatedAt: w.now, UpdatedAt: w.now}
		if err := w.tx.InsertCommission(w.ctx, w.acct(), &c); err != nil {
			return nil, err
		}
		// A commission due at once is created due: one change, logged
		// before the payout it goes into.
		created := w.reserve()
		if err := w.count(0, map[string]int64{"commissions": amount.Amount}); err != nil {
			return nil, err
		}
		if !due.After(w.now) {
			if err := w.makeDue(&c); err != nil {
				return nil, err
			}
		}
		change, err := w.commissionChange(canonical.ChangeCommissionCreated, c, nil)
		if err != nil {
			return nil, err
		}
		change.Transaction = cloneTransaction(t)
		w.fill(created, change)
		out = append(out, c)
	}
	return out, nil
}

// commissionsOfReferral counts the commissions a referral earned under a
// rule.
func (w *work) commissionsOfReferral(r canonical.Referral, ruleID string) (int, error) {
	n, before := 0, int64(0)
	for {
		cs, err := w.tx.ListCommissions(w.ctx, w.acct(), store.CommissionQuery{Referrer: num(r.ReferrerID), Before: before, Limit: 500})
		if err != nil {
			return 0, err
		}
		for _, c := range cs {
			if c.ReferredID == r.ReferredID && c.RuleID == ruleID && c.Status != canonical.CommissionVoided {
				n++
			}
		}
		if len(cs) < 500 {
			return n, nil
		}
		before = num(cs[len(cs)-1].ID)
	}
}

// makeDue moves a commission to due and into its affiliate's open payout.
func (w *work) makeDue(c *canonical.Commission) error {
	c.Status, c.UpdatedAt = canonical.CommissionDue, w.now
	open, err := w.tx.ListPayouts(w.ctx, w.acct(), store.PayoutQuery{Campaign: w.cid, Participant: num(c.ReferrerID),
		Statuses: []canonical.PayoutStatus{canonical.PayoutPending, canonical.PayoutDue}, Limit: 1})
	if err != nil {
		return err
	}
	var p canonical.Payout
	if len(open) > 0 {
		p = open[0]
	} else {
		p = canonical.Payout{CampaignID: w.camp.ID, ParticipantID: c.ReferrerID, Amount: canonical.Money{Currency: c.Amount.Currency},
			Status: canonical.PayoutPending, CreatedAt: w.now}
	}
	p.Amount.Amount += c.Amount.Amount
	p.CommissionIDs = append(p.CommissionIDs, c.ID)
	isNew := p.ID == ""
	if err := w.savePayout(&p); err != nil {
		return err
	}
	if isNew {
		affiliate, err := w.snapID(p.ParticipantID)
		if err != nil {
			return err
		}
		w.emit(canonical.Change{Kind: canonical.ChangePayoutCreated, Payout: clonePayout(p), Participant: affiliate})
	}
	c.PayoutID = p.ID
	return w.tx.UpdateCommission(w.ctx, w.acct(), c)
}

// commissionChange builds a change of commission c with its affiliate as
// they are now; affiliates, when not nil, keeps the affiliates a loop
// over many commissions already rendered (commissions do not change an
// affiliate's view).
func (w *work) commissionChange(kind canonical.ChangeKind, c canonical.Commission, affiliates map[string]*canonical.Participant) (canonical.Change, error) {
	ch := canonical.Change{Kind: kind, Commission: cloneCommission(c)}
	if p, ok := affiliates[c.ReferrerID]; ok {
		ch.Participant = p
		return ch, nil
	}
	p, err := w.snapID(c.ReferrerID)
	if err != nil {
		return ch, err
	}
	if affiliates != nil {
		affiliates[c.ReferrerID] = p
	}
	ch.Participant = p
	return ch, nil
}

// emitCommission emits a change of commission c (see commissionChange).
func (w *work) emitCommission(kind canonical.ChangeKind, c canonical.Commission, affiliates map[string]*canonical.Participant) error {
	ch, err := w.commissionChange(kind, c, affiliates)
	if err != nil {
		return err
	}
	w.emit(ch)
	return nil
}

// savePayout sets a payout's status from its amount and saves it.
func (w *work) savePayout(p *canonical.Payout) error {
	if p.Status == canonical.PayoutPending || p.Status == canonical.PayoutDue {
		p.Status = canonical.PayoutPending
		if p.Amount.Amount > 0 && p.Amount.Amount >= w.camp.MinimumPayout.Amount {
			p.Status = canonical.PayoutDue
		}
	}
	p.UpdatedAt = w.now
	if p.ID == "" {
		return w.tx.InsertPayout(w.ctx, w.acct(), p)
	}
	return w.tx.UpdatePayout(w.ctx, w.acct(), p)
}

// detach takes a commission out of its open payout, deleting the payout
// when it is left empty.
func (w *work) detach(c *canonical.Commission) error {
	if c.PayoutID == "" {
		return nil
	}
	p, err := w.tx.GetPayout(w.ctx, w.acct(), num(c.PayoutID))
	if errors.Is(err, store.ErrNotFound) {
		c.PayoutID = ""
		return nil
	}
	if err != nil {
		return err
	}
	if p.Status != canonical.PayoutPending && p.Status != canonical.PayoutDue {
		return nil // a paid or processing payout keeps its record
	}
	p.Amount.Amount -= c.Amount.Amount
	p.CommissionIDs = slices.DeleteFunc(p.CommissionIDs, func(id string) bool { return id == c.ID })
	c.PayoutID = ""
	if len(p.CommissionIDs) == 0 {
		return w.tx.DeletePayout(w.ctx, w.acct(), num(p.ID))
	}
	return w.savePayout(&p)
}

// RefundTransaction implements canonical.Backend.
func (a *Account) RefundTransaction(ctx context.Context, in canonical.NewRefund) (canonical.RefundResult, error) {
	if err := canonical.CheckValue("", in); err != nil {
		return canonical.RefundResult{}, err
	}
	var res canonical.RefundResult
	if !hasKey(in.ExternalIDs) {
		return res, canonical.Errorf(canonical.Invalid, "at least one transaction identifier is required")
	}
	if in.Amount.Amount < 0 {
		return res, canonical.Errorf(canonical.Invalid, "the refund amount cannot be negative")
	}
	err := a.write(ctx, in.CampaignID, func(w *work) error {
		if !in.Participant.IsZero() {
			if _, err := w.resolve(in.Participant); err != nil {
				return err
			}
		}
		sale, err := w.tx.FindTransaction(w.ctx, w.acct(), w.cid, in.ExternalIDs)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		res.Matched = true
		earlier, err := w.tx.ListTransactions(w.ctx, w.acct(), store.TransactionQuery{RefundOf: num(sale.ID)})
		if err != nil {
			return err
		}
		refunded := int64(0)
		for _, t := range earlier {
			refunded += t.Amount.Amount
		}
		remaining := sale.Amount.Amount - refunded
		amount := in.Amount.Amount
		if amount == 0 || amount > remaining {
			amount = remaining
		}
		if amount <= 0 {
			return nil // already refunded in full
		}
		refund := canonical.Transaction{CampaignID: w.camp.ID, ParticipantID: sale.ParticipantID, ReferralID: sale.ReferralID,
			ReferrerID: sale.ReferrerID, Kind: canonical.Refund, Amount: canonical.Money{Amount: amount, Currency: sale.Amount.Currency},
			ExternalIDs: in.ExternalIDs, Description: in.Description, RefundOf: sale.ID, OccurredAt: w.now, CreatedAt: w.now}
		if in.Chargeback {
			refund.Native.Set(canonical.Engine, "chargeback", true)
		}
		if err := w.tx.InsertTransaction(w.ctx, w.acct(), &refund); err != nil {
			return err
		}
		res.Refund = refund
		buyer, err := w.snapID(sale.ParticipantID)
		if err != nil {
			return err
		}
		w.emit(canonical.Change{Kind: canonical.ChangeSaleRefunded, Transaction: cloneTransaction(refund), Sale: cloneTransaction(sale),
			Participant: buyer})
		if err := w.count(0, map[string]int64{"revenue": -amount}); err != nil {
			return err
		}
		cs, err := w.tx.ListCommissions(w.ctx, w.acct(), store.CommissionQuery{Transaction: num(sale.ID)})
		if err != nil {
			return err
		}
		left := remaining - amount
		affiliates := map[string]*canonical.Participant{}
		for _, c := range cs {
			switch c.Status {
			case canonical.CommissionPaid:
				res.Untouchable = append(res.Untouchable, c)
				continue
			case canonical.CommissionVoided:
				continue
			}
			if err := w.detach(&c); err != nil {
				return err
			}
			old := c.Amount.Amount
			if left == 0 {
				c.Status, c.VoidedAt = canonical.CommissionVoided, &w.now
				if err := w.count(0, map[string]int64{"commissions": -old}); err != nil {
					return err
				}
				res.Voided = append(res.Voided, c)
			} else {
				c.Amount.Amount = int64(math.Round(float64(old) * float64(left) / float64(remaining)))
				if err := w.count(0, map[string]int64{"commissions": c.Amount.Amount - old}); err != nil {
					return err
				}
				res.Adjusted = append(res.Adjusted, c)
			}
			c.UpdatedAt = w.now
			if err := w.tx.UpdateCommission(w.ctx, w.acct(), &c); err != nil {
				return err
			}
			if c.Status == canonical.CommissionDue {
				if err := w.makeDue(&c); err != nil {
					return err
				}
			}
			kind := canonical.ChangeCommissionAdjusted
			if c.Status == canonical.CommissionVoided {
				kind = canonical.ChangeCommissionVoided
			}
			if err := w.emitCommission(kind, c, affiliates); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// dropMoney takes a deleted affiliate's commissions out of the campaign's
// totals (the rows themselves go with the participant).
func (w *work) dropMoney(p store.Participant) error {
	total, before := int64(0), int64(0)
	for {
		cs, err := w.tx.ListCommissions(w.ctx, w.acct(), store.CommissionQuery{Referrer: num(p.ID), Before: before, Limit: 500})
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.Status != canonical.CommissionVoided {
				total += c.Amount.Amount
			}
		}
		if len(cs) < 500 {
			break
		}
		before = num(cs[len(cs)-1].ID)
	}
	return w.count(0, map[string]int64{"commissions": -total})
}

// ListTransactions implements canonical.Backend.
func (a *Account) ListTransactions(ctx context.Context, q canonical.TransactionQuery) (canonical.Page[canonical.Transaction], error) {
	limit := clampLimit(q.Limit, 50, 100)
	before, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Transaction]{}, err
	}
	var page canonical.Page[canonical.Transaction]
	err = a.e.st.View(ctx, func(tx store.Tx) error {
		rows, err := tx.ListTransactions(ctx, a.id, store.TransactionQuery{Campaign: num(q.CampaignID),
			Participant: num(q.ParticipantID), Before: before, Limit: limit + 1})
		page = pageOf(rows, limit, func(t canonical.Transaction) string { return t.ID })
		return err
	})
	return page, storeErr(err, "transaction")
}

// ListCommissions implements canonical.Backend.
func (a *Account) ListCommissions(ctx context.Context, q canonical.CommissionQuery) (canonical.Page[canonical.Commission], error) {
	limit := clampLimit(q.Limit, 50, 100)
	before, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Commission]{}, err
	}
	if q.Offset < 0 {
		return canonical.Page[canonical.Commission]{}, canonical.Errorf(canonical.Invalid, "offset must not be negative")
	}
	var page canonical.Page[canonical.Commission]
	run := func(tx store.Tx) error {
		sq := store.CommissionQuery{Campaign: num(q.CampaignID), Referrer: num(q.ReferrerID),
			Statuses: q.Statuses, Before: before, Offset: q.Offset, Limit: limit + 1}
		rows, err := tx.ListCommissions(ctx, a.id, sq)
		if err != nil {
			return err
		}
		page = pageOf(rows, limit, func(c canonical.Commission) string { return c.ID })
		if q.WithTotal {
			page.Total, err = tx.CountCommissions(ctx, a.id, sq)
		}
		return err
	}
	if q.CampaignID != "" {
		return page, a.read(ctx, q.CampaignID, func(w *work) error { return run(w.tx) })
	}
	if err := a.settleAll(ctx); err != nil {
		return page, err
	}
	return page, storeErr(a.e.st.View(ctx, run), "commission")
}

// settleAll applies due work in every campaign of the account, for
// account-wide money lists.
func (a *Account) settleAll(ctx context.Context) error {
	var camps []canonical.Campaign
	err := a.e.st.View(ctx, func(tx store.Tx) (err error) {
		camps, err = tx.ListCampaigns(ctx, a.id, 0, 0)
		return err
	})
	if err != nil {
		return storeErr(err, "campaign")
	}
	for _, c := range camps {
		if err := a.read(ctx, c.ID, func(*work) error { return nil }); err != nil {
			return err
		}
	}
	return nil
}

// commissionCampaign locates a commission's campaign.
func (a *Account) commissionCampaign(id int64) func(tx store.Tx) (string, error) {
	return func(tx store.Tx) (string, error) {
		c, err := tx.GetCommission(context.Background(), a.id, id)
		return c.CampaignID, storeErr(err, "commission "+idOf(id))
	}
}

// GetCommission implements canonical.Backend.
func (a *Account) GetCommission(ctx context.Context, id string) (canonical.Commission, error) {
	n, err := parseID(id, "commission")
	if err != nil {
		return canonical.Commission{}, err
	}
	var c canonical.Commission
	err = a.readAny(ctx, a.commissionCampaign(n), func(w *work) (err error) {
		c, err = w.tx.GetCommission(w.ctx, w.acct(), n)
		return err
	})
	return c, storeErr(err, "commission "+id)
}

// changeCommission runs fn on a commission in its campaign's write
// transaction, fn saving it. When announce is set it emits what fn
// changed: commission.paid when it became paid, commission.adjusted when
// anything else changed.
func (a *Account) changeCommission(ctx context.Context, id string, announce bool, fn func(w *work, c *canonical.Commission) error) (canonical.Commission, error) {
	n, err := parseID(id, "commission")
	if err != nil {
		return canonical.Commission{}, err
	}
	var out canonical.Commission
	err = a.writeAny(ctx, a.commissionCampaign(n), func(w *work) error {
		c, err := w.tx.GetCommission(w.ctx, w.acct(), n)
		if err != nil {
			return storeErr(err, "commission "+id)
		}
		was := c
		if err := fn(w, &c); err != nil {
			return err
		}
		out = c
		if !announce {
			return nil
		}
		was.UpdatedAt = c.UpdatedAt
		switch {
		case c.Status == canonical.CommissionPaid && was.Status != canonical.CommissionPaid:
			return w.emitCommission(canonical.ChangeCommissionPaid, c, nil)
		case !reflect.DeepEqual(was, c):
			return w.emitCommission(canonical.ChangeCommissionAdjusted, c, nil)
		}
		return nil
	})
	return out, err
}

// UpdateCommission implements canonical.Backend.
func (a *Account) UpdateCommission(ctx context.Context, id string, p canonical.CommissionPatch) (canonical.Commission, error) {
	if err := canonical.CheckValue("", p); err != nil {
		return canonical.Commission{}, err
	}
	return a.changeCommission(ctx, id, true, func(w *work, c *canonical.Commission) error {
		if c.Status == canonical.CommissionVoided {
			return canonical.Errorf(canonical.Conflict, "commission %s is voided", id)
		}
		if p.DueAt != nil {
			due := p.DueAt.UTC()
			c.DueAt = &due
		}
		if p.PaidAt != nil {
			if err := w.detach(c); err != nil {
				return err
			}
			if *p.PaidAt != nil {
				paid := (*p.PaidAt).UTC()
				c.Status, c.PaidAt = canonical.CommissionPaid, &paid
			} else {
				c.Status, c.PaidAt = canonical.CommissionPending, nil
			}
		}
		if c.Status != canonical.CommissionPaid {
			// Recompute pending/due from the due date.
			if err := w.detach(c); err != nil {
				return err
			}
			c.Status = canonical.CommissionPending
			if c.DueAt != nil && !c.DueAt.After(w.now) {
				c.UpdatedAt = w.now
				if err := w.tx.UpdateCommission(w.ctx, w.acct(), c); err != nil {
					return err
				}
				return w.makeDue(c)
			}
		}
		c.UpdatedAt = w.now
		return w.tx.UpdateCommission(w.ctx, w.acct(), c)
	})
}

// ApproveCommission implements canonical.Backend.
func (a *Account) ApproveCommission(ctx context.Context, id string) (canonical.Commission, error) {
	return a.changeCommission(ctx, id, true, func(w *work, c *canonical.Commission) error {
		if c.Status != canonical.CommissionPending {
			return canonical.Errorf(canonical.Conflict, "commission %s is %s, not pending", id, c.Status)
		}
		c.DueAt, c.ApprovedAt = &w.now, &w.now
		return w.makeDue(c)
	})
}

// DeleteCommission implements canonical.Backend.
func (a *Account) DeleteCommission(ctx context.Context, id string) (canonical.Commission, error) {
	// Deleting a commission is no change the event log knows.
	return a.changeCommission(ctx, id, false, func(w *work, c *canonical.Commission) error {
		if c.Status == canonical.CommissionPaid {
			return canonical.Errorf(canonical.Conflict, "commission %s is paid", id)
		}
		if err := w.detach(c); err != nil {
			return err
		}
		if c.Status != canonical.CommissionVoided {
			if err := w.count(0, map[string]int64{"commissions": -c.Amount.Amount}); err != nil {
				return err
			}
		}
		return w.tx.DeleteCommission(w.ctx, w.acct(), num(c.ID))
	})
}

// ListPayouts implements canonical.Backend.
func (a *Account) ListPayouts(ctx context.Context, q canonical.PayoutQuery) (canonical.Page[canonical.Payout], error) {
	limit := clampLimit(q.Limit, 50, 100)
	before, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Payout]{}, err
	}
	if q.Offset < 0 {
		return canonical.Page[canonical.Payout]{}, canonical.Errorf(canonical.Invalid, "offset must not be negative")
	}
	var page canonical.Page[canonical.Payout]
	run := func(tx store.Tx) error {
		sq := store.PayoutQuery{Campaign: num(q.CampaignID), Participant: num(q.ParticipantID),
			Statuses: q.Statuses, Before: before, Offset: q.Offset, Limit: limit + 1}
		rows, err := tx.ListPayouts(ctx, a.id, sq)
		if err != nil {
			return err
		}
		page = pageOf(rows, limit, func(p canonical.Payout) string { return p.ID })
		if q.WithTotal {
			page.Total, err = tx.CountPayouts(ctx, a.id, sq)
		}
		return err
	}
	if q.CampaignID != "" {
		return page, a.read(ctx, q.CampaignID, func(w *work) error { return run(w.tx) })
	}
	if err := a.settleAll(ctx); err != nil {
		return page, err
	}
	return page, storeErr(a.e.st.View(ctx, run), "payout")
}

func (a *Account) payoutCampaign(id int64) func(tx store.Tx) (string, error) {
	return func(tx store.Tx) (string, error) {
		p, err := tx.GetPayout(context.Background(), a.id, id)
		return p.CampaignID, storeErr(err, "payout "+idOf(id))
	}
}

// GetPayout implements canonical.Backend.
func (a *Account) GetPayout(ctx context.Context, id string) (canonical.Payout, error) {
	n, err := parseID(id, "payout")
	if err != nil {
		return canonical.Payout{}, err
	}
	var p canonical.Payout
	err = a.readAny(ctx, a.payoutCampaign(n), func(w *work) (err error) {
		p, err = w.tx.GetPayout(w.ctx, w.acct(), n)
		return err
	})
	return p, storeErr(err, "payout "+id)
}

// PayPayout implements canonical.Backend.
func (a *Account) PayPayout(ctx context.Context, id string) (canonical.Payout, error) {
	n, err := parseID(id, "payout")
	if err != nil {
		return canonical.Payout{}, err
	}
	var out canonical.Payout
	err = a.writeAny(ctx, a.payoutCampaign(n), func(w *work) error {
		p, err := w.tx.GetPayout(w.ctx, w.acct(), n)
		if err != nil {
			return storeErr(err, "payout "+id)
		}
		if p.Status != canonical.PayoutDue {
			return canonical.Errorf(canonical.Conflict, "payout %s is %s, not due", id, p.Status)
		}
		p.Status, p.PaidAt, p.UpdatedAt = canonical.PayoutPaid, &w.now, w.now
		if err := w.tx.UpdatePayout(w.ctx, w.acct(), &p); err != nil {
			return err
		}
		// The payout is paid, then each of its commissions, all with the
		// same affiliate and the paid payout.
		affiliate, err := w.snapID(p.ParticipantID)
		if err != nil {
			return err
		}
		paid := clonePayout(p)
		w.emit(canonical.Change{Kind: canonical.ChangePayoutPaid, Payout: paid, Participant: affiliate})
		for _, cid := range p.CommissionIDs {
			c, err := w.tx.GetCommission(w.ctx, w.acct(), num(cid))
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			c.Status, c.PaidAt, c.UpdatedAt = canonical.CommissionPaid, &w.now, w.now
			if err := w.tx.UpdateCommission(w.ctx, w.acct(), &c); err != nil {
				return err
			}
			w.emit(canonical.Change{Kind: canonical.ChangeCommissionPaid, Commission: cloneCommission(c), Participant: affiliate, Payout: paid})
		}
		out = p
		return nil
	})
	return out, err
}
