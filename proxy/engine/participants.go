package engine

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// codeLength is the length of generated referral codes (Referral Rocket
// and iRefer codes are 8 letters and digits).
const codeLength = 8

// CreateParticipant implements canonical.Backend.
func (a *Account) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	if err := canonical.CheckValue("", in); err != nil {
		return canonical.Participant{}, false, err
	}
	if err := validateNew(&in); err != nil {
		return canonical.Participant{}, false, err
	}
	var (
		id      string
		created bool
		out     canonical.Participant
	)
	err := a.write(ctx, in.CampaignID, func(w *work) error {
		p, view, isNew, err := w.create(in)
		if err != nil {
			return err
		}
		id, created = p.ID, isNew
		if isNew {
			out = *view
		}
		return nil
	})
	if err != nil || created {
		return out, created, err
	}
	// An existing participant's stats are read after the commit, off the
	// single write path.
	out, err = a.snapshot(ctx, in.CampaignID, id)
	return out, created, err
}

// snapshot reads a participant with stats right after a write that already
// applied the campaign's due work.
func (a *Account) snapshot(ctx context.Context, campaignID, id string) (canonical.Participant, error) {
	camp, err := parseID(campaignID, "campaign")
	if err != nil {
		return canonical.Participant{}, err
	}
	var out canonical.Participant
	err = a.e.st.View(ctx, func(tx store.Tx) error {
		c, err := tx.GetCampaign(ctx, a.id, camp)
		if err != nil {
			return err
		}
		w := &work{a: a, tx: tx, ctx: ctx, camp: c, cid: camp, now: a.now()}
		p, err := tx.GetParticipant(ctx, a.id, num(id))
		if err != nil {
			return err
		}
		out, err = w.view(p)
		return err
	})
	return out, storeErr(err, "participant "+id)
}

// validateNew checks and normalizes a new participant's identity fields.
func validateNew(in *canonical.NewParticipant) error {
	in.Email = strings.TrimSpace(in.Email)
	in.Phone = strings.TrimSpace(in.Phone)
	in.CryptoWallet = strings.TrimSpace(in.CryptoWallet)
	in.OtherIdentifier = strings.TrimSpace(in.OtherIdentifier)
	if in.Email == "" && in.Phone == "" && in.CryptoWallet == "" && in.OtherIdentifier == "" {
		return canonical.Errorf(canonical.Invalid, "an email address or another identifier is required")
	}
	if in.Email != "" && !validEmail(in.Email) {
		return canonical.Errorf(canonical.Invalid, "invalid email address %q", in.Email)
	}
	if in.InitialState != "" {
		switch in.InitialState {
		case canonical.StatePending, canonical.StateUnconfirmed, canonical.StateCredited, canonical.StateExpired:
		default:
			return canonical.Errorf(canonical.Invalid, "a referral cannot start as %q", in.InitialState)
		}
	}
	if in.ReferralCode != "" && !validToken(in.ReferralCode) {
		return canonical.Errorf(canonical.Invalid, "referral code %q must be letters, digits, dashes, dots or underscores", in.ReferralCode)
	}
	return nil
}

// validEmail accepts a bare address as mail.ParseAddress understands it.
func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// validToken accepts codes and link tokens.
func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// existing finds a participant of the campaign with any of in's identity
// keys.
func (w *work) existing(p canonical.Participant) (store.Participant, error) {
	for _, k := range []struct{ kind, value string }{
		{"email", p.Email}, {"phone", p.Phone}, {"wallet", p.CryptoWallet}, {"other", p.OtherIdentifier},
	} {
		if k.value == "" {
			continue
		}
		found, err := w.tx.FindParticipant(w.ctx, w.acct(), w.cid, k.kind, store.Key(k.value))
		if err == nil || !errors.Is(err, store.ErrNotFound) {
			return found, err
		}
	}
	return store.Participant{}, store.ErrNotFound
}

// create adds a participant, or returns the existing one unchanged. It
// emits participant.added, with the new participant's view as the change
// carries it (nil for an existing participant).
func (w *work) create(in canonical.NewParticipant) (store.Participant, *canonical.Participant, bool, error) {
	if p, err := w.existing(in.Participant); err == nil {
		return p, nil, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return p, nil, false, err
	}
	var referrer *store.Participant
	if !in.Referrer.IsZero() {
		r, err := w.resolve(in.Referrer)
		switch {
		case err == nil:
			referrer = &r
		case isNotFound(err) && in.RequireReferrer:
			return store.Participant{}, nil, false, notFound("referrer %s not found", in.Referrer)
		case !isNotFound(err):
			return store.Participant{}, nil, false, err
		}
	}
	if in.VisitorID != "" && referrer == nil {
		// A visitor who signs up becomes a lead of the link they came by.
		v, err := w.visitor(in.VisitorID)
		if err != nil && !isNotFound(err) {
			return store.Participant{}, nil, false, err
		}
		if err == nil {
			r, err := w.tx.GetParticipant(w.ctx, w.acct(), num(v.ReferrerID))
			if err != nil {
				return store.Participant{}, nil, false, err
			}
			referrer = &r
		}
	}
	ord, err := w.tx.NextOrdinal(w.ctx, w.acct(), w.cid)
	if err != nil {
		return store.Participant{}, nil, false, err
	}
	p := store.Participant{Participant: in.Participant, Ord: ord}
	p.ID, p.CampaignID, p.ReferrerID, p.ReferralState = "", w.camp.ID, "", ""
	p.Stats = canonical.ParticipantStats{}
	p.CreatedAt, p.UpdatedAt = w.now, w.now
	if p.Verified && p.VerifiedAt == nil {
		p.VerifiedAt = &w.now
	}
	if p.Affiliate.IsAffiliate && p.Affiliate.State == "" {
		p.Affiliate.State = canonical.AffiliateActive
	}
	if p.Points < 0 {
		p.Points = 0
	}
	p.Fraud = w.assessFraud(p, referrer)
	if referrer != nil && p.Fraud.Reason == canonical.ReasonSelfReferral {
		referrer = nil // the attribution is refused; the signal stays
	}
	if referrer != nil {
		// attribute expects the attribution stored; it starts pending.
		p.ReferrerID, p.ReferralState = referrer.ID, canonical.StatePending
	}
	p.ReferralCode = in.ReferralCode
	if p.ReferralCode == "" {
		p.ReferralCode = w.a.e.token(codeLength)
	}
	if err := w.tx.InsertParticipant(w.ctx, w.acct(), &p); err != nil {
		return p, nil, false, storeErr(err, "participant")
	}
	if w.fresh == nil {
		w.fresh = map[string]bool{}
	}
	w.fresh[p.ID] = true
	// The signup is one change, logged before what it causes (its
	// referral, credit and rewards) but carrying the participant as the
	// signup left them.
	added := w.reserve()
	if err := w.insertCode(&p, in.ReferralCode == ""); err != nil {
		return p, nil, false, err
	}
	if err := w.insertVanity(p, p.VanityKeys); err != nil {
		return p, nil, false, err
	}
	if p.Points > 0 {
		d := treeDeltas{}
		moveScore(d, boardPoints, p.Ord, 0, p.Points)
		if err := d.flush(w.ctx, w.tx, w.cid); err != nil {
			return p, nil, false, err
		}
	}
	change := canonical.Change{Kind: canonical.ChangeParticipantAdded}
	if referrer != nil {
		r, err := w.attribute(&p, referrer, in.InitialState, in.VisitorID)
		if err != nil {
			return p, nil, false, err
		}
		change.Referral = cloneReferral(r)
		if change.Referrer, err = w.briefID(referrer.ID); err != nil {
			return p, nil, false, err
		}
	}
	view, err := w.snap(p)
	if err != nil {
		return p, nil, false, err
	}
	change.Participant = view
	w.fill(added, change)
	return p, view, true, nil
}

// insertCode stores p's referral code as its main link. A generated code
// that happens to be taken is replaced by a fresh one; a requested one is a
// conflict.
func (w *work) insertCode(p *store.Participant, generated bool) error {
	for attempt := 0; ; attempt++ {
		link := store.Link{Kind: store.LinkCode}
		link.CampaignID, link.ParticipantID, link.Token, link.CreatedAt, link.UpdatedAt = w.camp.ID, p.ID, p.ReferralCode, w.now, w.now
		err := w.tx.InsertLink(w.ctx, w.acct(), &link)
		switch {
		case err == nil:
			if attempt > 0 {
				if err := w.tx.UpdateParticipant(w.ctx, w.acct(), p); err != nil {
					return err
				}
			}
			return w.linkChange(canonical.ChangeLinkCreated, link.Link, *p)
		case !errors.Is(err, store.ErrConflict):
			return err
		case !generated:
			return canonical.Errorf(canonical.Conflict, "referral code %q is already in use", p.ReferralCode)
		case attempt == 16:
			return canonical.Errorf(canonical.Internal, "could not generate a unique referral code")
		}
		p.ReferralCode = w.a.e.token(codeLength)
	}
}

// freshToken returns a generated link token that is not in use.
func (w *work) freshToken() (string, error) {
	for range 16 {
		code := w.a.e.token(codeLength)
		if _, err := w.tx.FindLink(w.ctx, w.acct(), code); errors.Is(err, store.ErrNotFound) {
			return code, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", canonical.Errorf(canonical.Internal, "could not generate a unique referral code")
}

// insertVanity stores vanity keys as links of their own.
func (w *work) insertVanity(p store.Participant, keys []string) error {
	for _, k := range keys {
		if !validToken(k) {
			return canonical.Errorf(canonical.Invalid, "vanity key %q must be letters, digits, dashes, dots or underscores", k)
		}
		l := store.Link{Kind: store.LinkVanity}
		l.CampaignID, l.ParticipantID, l.Token, l.CreatedAt, l.UpdatedAt = w.camp.ID, p.ID, k, w.now, w.now
		if err := w.tx.InsertLink(w.ctx, w.acct(), &l); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return canonical.Errorf(canonical.Conflict, "vanity key %q is already in use", k)
			}
			return err
		}
	}
	return nil
}

// resolve finds a participant of the work's campaign by ref.
func (w *work) resolve(ref canonical.ParticipantRef) (store.Participant, error) {
	p, err := w.resolveAny(ref)
	if err == nil && p.CampaignID != w.camp.ID {
		return store.Participant{}, notFound("participant %s not found", ref)
	}
	return p, err
}

func (w *work) resolveAny(ref canonical.ParticipantRef) (store.Participant, error) {
	var (
		p   store.Participant
		err error
	)
	switch {
	case ref.ID != "":
		id, perr := parseID(ref.ID, "participant")
		if perr != nil {
			return p, perr
		}
		p, err = w.tx.GetParticipant(w.ctx, w.acct(), id)
	case ref.Email != "":
		p, err = w.tx.FindParticipant(w.ctx, w.acct(), w.cid, "email", store.Key(ref.Email))
	case ref.Code != "":
		var l store.Link
		if l, err = w.tx.FindLink(w.ctx, w.acct(), ref.Code); err == nil {
			if l.CampaignID != w.camp.ID {
				return p, notFound("participant %s not found", ref)
			}
			p, err = w.tx.GetParticipant(w.ctx, w.acct(), num(l.ParticipantID))
		}
	case ref.Identifier != "":
		probe := canonical.Participant{}
		v := strings.TrimSpace(ref.Identifier)
		probe.Email, probe.Phone, probe.CryptoWallet, probe.OtherIdentifier = v, v, v, v
		p, err = w.existing(probe)
	default:
		return p, canonical.Errorf(canonical.Invalid, "no participant given")
	}
	if errors.Is(err, store.ErrNotFound) {
		return p, notFound("participant %s not found", ref)
	}
	return p, err
}

// GetParticipant implements canonical.Backend.
func (a *Account) GetParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	var out canonical.Participant
	fn := func(w *work) error {
		p, err := w.resolve(ref)
		if err != nil {
			return err
		}
		out, err = w.view(p)
		return err
	}
	return out, a.onParticipant(ctx, campaignID, ref, a.read, fn)
}

// participantCampaign locates a participant's campaign by its ID.
func (a *Account) participantCampaign(id string) func(tx store.Tx) (string, error) {
	return func(tx store.Tx) (string, error) {
		n, err := parseID(id, "participant")
		if err != nil {
			return "", err
		}
		p, err := tx.GetParticipant(context.Background(), a.id, n)
		if err != nil {
			return "", storeErr(err, "participant "+id)
		}
		return p.CampaignID, nil
	}
}

// ListParticipants implements canonical.Backend. It honours Offset and
// WithTotal; with metadata or native filters, which the store does not
// index, the offset is skipped here and Total stays -1.
func (a *Account) ListParticipants(ctx context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	var page canonical.Page[canonical.Participant]
	limit := clampLimit(q.Limit, 50, 100)
	after, err := decodeCursor(q.Cursor)
	if err != nil {
		return page, err
	}
	if q.Offset < 0 {
		return page, canonical.Errorf(canonical.Invalid, "offset must not be negative")
	}
	err = a.read(ctx, q.CampaignID, func(w *work) error {
		sq := store.ParticipantQuery{Campaign: w.cid, EmailKey: store.Key(q.Email), States: q.States,
			StripeCustomerID: q.StripeCustomerID, OnlyAffiliates: q.Affiliates, Sort: q.Sort, After: after}
		if q.ReferrerID != "" {
			r, err := w.resolve(canonical.ByID(q.ReferrerID))
			if err != nil {
				return err
			}
			sq.ReferrerID = num(r.ID)
		}
		page.Items, page.Total = []canonical.Participant{}, -1
		skip := q.Offset
		if unindexed := len(q.Metadata) > 0 || len(q.Native) > 0; !unindexed {
			sq.Offset, skip = skip, 0
			if q.WithTotal {
				n, err := w.tx.CountMatching(w.ctx, w.acct(), sq)
				if err != nil {
					return err
				}
				page.Total = n
			}
		}
		// Metadata and native filters run here, so a page may take several
		// store pages. Each store page asks for no more rows than the page
		// has room for (or than are left to skip), so every row fetched is
		// used or skipped and the store's cursor is exactly where the next
		// page starts.
		for {
			sq.Limit = limit - len(page.Items) + skip
			rows, next, err := w.tx.ListParticipants(w.ctx, w.acct(), sq)
			if err != nil {
				return err
			}
			for _, p := range rows {
				if !matches(p.Participant, q) {
					continue
				}
				if skip > 0 {
					skip--
					continue
				}
				v, err := w.view(p)
				if err != nil {
					return err
				}
				page.Items = append(page.Items, v)
			}
			if next == "" {
				return nil
			}
			sq.After, sq.Offset = next, 0
			if len(page.Items) == limit {
				page.NextCursor = encodeCursor(next)
				return nil
			}
		}
	})
	return page, err
}

// toString renders a native value for comparisons.
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// matches applies the filters the store does not index.
func matches(p canonical.Participant, q canonical.ParticipantQuery) bool {
	for k, v := range q.Metadata {
		if p.Metadata[k] != v {
			return false
		}
	}
	for k, v := range q.Native {
		got, ok := p.Native.Get(q.NativeOf, k)
		if !ok || strings.TrimSpace(toString(got)) != v {
			return false
		}
	}
	return true
}

// UpdateParticipant implements canonical.Backend.
func (a *Account) UpdateParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef, patch canonical.ParticipantPatch) (canonical.Participant, error) {
	if err := canonical.CheckValue("", patch); err != nil {
		return canonical.Participant{}, err
	}
	var out canonical.Participant
	fn := func(w *work) error {
		p, err := w.resolve(ref)
		if err != nil {
			return err
		}
		before := *cloneParticipant(p.Participant)
		if err := w.patch(&p, patch); err != nil {
			return err
		}
		if out, err = w.view(p); err != nil {
			return err
		}
		w.participantChanged(before, out)
		return nil
	}
	return out, a.onParticipant(ctx, campaignID, ref, a.write, fn)
}

func (w *work) patch(p *store.Participant, patch canonical.ParticipantPatch) error {
	if patch.CampaignID != nil && *patch.CampaignID != p.CampaignID {
		return canonical.Errorf(canonical.NotImplemented, "moving a participant to another campaign is not supported")
	}
	set(&p.Email, patch.Email)
	set(&p.Phone, patch.Phone)
	set(&p.CryptoWallet, patch.CryptoWallet)
	set(&p.OtherIdentifier, patch.OtherIdentifier)
	set(&p.FirstName, patch.FirstName)
	set(&p.LastName, patch.LastName)
	set(&p.Source, patch.Source)
	if patch.Metadata != nil {
		p.Metadata = patch.Metadata
	}
	set(&p.Notes, patch.Notes)
	set(&p.Unsubscribed, patch.Unsubscribed)
	if patch.Verified != nil && *patch.Verified != p.Verified {
		p.Verified = *patch.Verified
		p.VerifiedAt = nil
		if p.Verified {
			p.VerifiedAt = &w.now
		}
	}
	if patch.Affiliate != nil {
		p.Affiliate = *patch.Affiliate
	}
	if patch.Fraud != nil {
		p.Fraud = *patch.Fraud
	}
	p.Native.Merge(patch.Native)
	p.Email = strings.TrimSpace(p.Email)
	if p.Email != "" && !validEmail(p.Email) {
		return canonical.Errorf(canonical.Invalid, "invalid email address %q", p.Email)
	}
	if p.Email == "" && p.Phone == "" && p.CryptoWallet == "" && p.OtherIdentifier == "" {
		return canonical.Errorf(canonical.Invalid, "an email address or another identifier is required")
	}
	if patch.Points != nil {
		if err := w.setPoints(p, *patch.Points); err != nil {
			return err
		}
	}
	if patch.VanityKeys != nil {
		if err := w.replaceVanity(*p, *patch.VanityKeys); err != nil {
			return err
		}
		p.VanityKeys = slices.Clone(*patch.VanityKeys)
	}
	if patch.Referrer != nil {
		if err := w.reattribute(p, *patch.Referrer); err != nil {
			return err
		}
	}
	if patch.ReferralState != nil {
		if err := w.setOwnState(p, *patch.ReferralState); err != nil {
			return err
		}
	}
	p.UpdatedAt = w.now
	if err := w.tx.UpdateParticipant(w.ctx, w.acct(), p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return canonical.Errorf(canonical.Conflict, "another participant of the campaign has that email or identifier")
		}
		return err
	}
	return nil
}

func (w *work) replaceVanity(p store.Participant, keys []string) error {
	old, err := w.tx.ListLinks(w.ctx, w.acct(), store.LinkQuery{Participant: num(p.ID), Kinds: []string{store.LinkVanity}})
	if err != nil {
		return err
	}
	for _, l := range old {
		if err := w.tx.DeleteLink(w.ctx, w.acct(), num(l.ID)); err != nil {
			return err
		}
	}
	return w.insertVanity(p, keys)
}

// setPoints changes a participant's points and their points rank.
func (w *work) setPoints(p *store.Participant, points int64) error {
	if points < 0 {
		points = 0
	}
	d := treeDeltas{}
	moveScore(d, boardPoints, p.Ord, p.Points, points)
	if err := d.flush(w.ctx, w.tx, w.cid); err != nil {
		return err
	}
	from := p.Points
	p.Points = points
	return w.earnPointRewards(p, from)
}

// DeleteParticipant implements canonical.Backend.
func (a *Account) DeleteParticipant(ctx context.Context, campaignID string, ref canonical.ParticipantRef) (canonical.Participant, error) {
	var out canonical.Participant
	fn := func(w *work) error {
		p, err := w.resolve(ref)
		if err != nil {
			return err
		}
		if out, err = w.view(p); err != nil {
			return err
		}
		// Their links and coupons go with them.
		links, err := w.tx.ListLinks(w.ctx, w.acct(), store.LinkQuery{Participant: num(p.ID), Kinds: []string{store.LinkCode, store.LinkExtra}})
		if err != nil {
			return err
		}
		coupons, err := w.tx.ListCoupons(w.ctx, w.acct(), store.CouponQuery{Participant: num(p.ID)})
		if err != nil {
			return err
		}
		if err := w.remove(p); err != nil {
			return err
		}
		w.emit(canonical.Change{Kind: canonical.ChangeParticipantDeleted, Participant: cloneParticipant(out)})
		for _, l := range links {
			w.emit(canonical.Change{Kind: canonical.ChangeLinkDeleted, Link: cloneLink(l.Link)})
		}
		for _, c := range coupons {
			w.emit(canonical.Change{Kind: canonical.ChangeCouponDeleted, Coupon: cloneCoupon(c)})
		}
		return nil
	}
	return out, a.onParticipant(ctx, campaignID, ref, a.write, fn)
}

// remove deletes a participant and keeps every counter and rank right.
func (w *work) remove(p store.Participant) error {
	if err := w.dropOwnReferral(p); err != nil {
		return err
	}
	// The people they referred stay, unreferred; that takes p's credits
	// back, so reload p before it leaves the boards.
	if err := w.orphanReferrals(p); err != nil {
		return err
	}
	p, err := w.tx.GetParticipant(w.ctx, w.acct(), num(p.ID))
	if err != nil {
		return err
	}
	// Their scores leave every board.
	d := treeDeltas{}
	moveScore(d, boardAll, p.Ord, p.Referrals, 0)
	moveScore(d, boardPoints, p.Ord, p.Points, 0)
	months, err := w.tx.MonthlyScoresOf(w.ctx, w.cid, num(p.ID))
	if err != nil {
		return err
	}
	for m, n := range months {
		moveScore(d, boardMonth(m), p.Ord, n, 0)
	}
	markDeleted(d, p.Ord)
	if err := d.flush(w.ctx, w.tx, w.cid); err != nil {
		return err
	}
	// Payouts and commissions go with them; keep campaign totals right.
	if err := w.dropMoney(p); err != nil {
		return err
	}
	if err := w.tx.DeleteCounters(w.ctx, w.cid, num(p.ID)); err != nil {
		return err
	}
	return w.tx.DeleteParticipant(w.ctx, w.acct(), num(p.ID))
}

// orphanReferrals removes p's referrals of others, keeping the referred
// participants (unreferred) and the upline's level counters right.
func (w *work) orphanReferrals(p store.Participant) error {
	for {
		refs, err := w.tx.ListReferrals(w.ctx, w.acct(), store.ReferralQuery{Referrer: num(p.ID), Limit: 500})
		if err != nil {
			return err
		}
		if len(refs) == 0 {
			return nil
		}
		for _, r := range refs {
			if r.State == canonical.StateCredited {
				if err := w.uncredit(&r, canonical.StateExpired); err != nil {
					return err
				}
			}
			if r.ReferredID != "" {
				q, err := w.tx.GetParticipant(w.ctx, w.acct(), num(r.ReferredID))
				if err != nil {
					return err
				}
				// q's credits counted at level 3 for p's referrer.
				if p.ReferrerID != "" && q.Referrals > 0 {
					if err := w.count(num(p.ReferrerID), map[string]int64{"level3": -q.Referrals}); err != nil {
						return err
					}
				}
				q.ReferrerID, q.ReferralState, q.UpdatedAt = "", "", w.now
				if err := w.tx.UpdateParticipant(w.ctx, w.acct(), &q); err != nil {
					return err
				}
			}
			if err := w.deleteReferral(r); err != nil {
				return err
			}
		}
	}
}

// AddPoints implements canonical.Backend.
func (a *Account) AddPoints(ctx context.Context, campaignID string, ref canonical.ParticipantRef, delta int64) (canonical.Participant, error) {
	var out canonical.Participant
	err := a.write(ctx, campaignID, func(w *work) error {
		p, err := w.resolve(ref)
		if err != nil {
			return err
		}
		before := p.Participant
		if err := w.setPoints(&p, p.Points+delta); err != nil {
			return err
		}
		p.UpdatedAt = w.now
		if err := w.tx.UpdateParticipant(w.ctx, w.acct(), &p); err != nil {
			return err
		}
		if out, err = w.view(p); err != nil {
			return err
		}
		w.participantChanged(before, out)
		return nil
	})
	return out, err
}

// participantChanged emits what an update of a participant's own fields
// changed, from before to now (both as stored, now with its stats):
// participant.updated when anything did, then participant.confirmed when
// their email became verified and participant.fraud_changed when their
// fraud assessment or affiliate state moved.
func (w *work) participantChanged(before, now canonical.Participant) {
	if sameOwnFields(before, now) {
		return
	}
	snap := cloneParticipant(now) // one copy: no change mutates it
	w.emit(canonical.Change{Kind: canonical.ChangeParticipantUpdated, Participant: snap})
	if now.Verified && !before.Verified {
		w.emit(canonical.Change{Kind: canonical.ChangeParticipantConfirmed, Participant: snap})
	}
	if now.Fraud != before.Fraud || now.Affiliate.State != before.Affiliate.State {
		w.emit(canonical.Change{Kind: canonical.ChangeParticipantFraudChanged, Participant: snap})
	}
}

// sameOwnFields reports whether two renderings of a participant have the
// same stored fields (stats and the update time aside).
func sameOwnFields(a, b canonical.Participant) bool {
	a.Stats, b.Stats = canonical.ParticipantStats{}, canonical.ParticipantStats{}
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}
