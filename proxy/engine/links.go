package engine

import (
	"context"
	"errors"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// ListLinks implements canonical.Backend.
func (a *Account) ListLinks(ctx context.Context, q canonical.LinkQuery) (canonical.Page[canonical.Link], error) {
	limit := clampLimit(q.Limit, 25, 100)
	before, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Link]{}, err
	}
	var page canonical.Page[canonical.Link]
	err = a.e.st.View(ctx, func(tx store.Tx) error {
		sq := store.LinkQuery{Campaign: num(q.CampaignID), Participant: num(q.ParticipantID),
			Kinds: []string{store.LinkCode, store.LinkExtra}, Before: before, Limit: limit + 1}
		if (q.CampaignID != "" && sq.Campaign == 0) || (q.ParticipantID != "" && sq.Participant == 0) {
			page.Items, page.Total = []canonical.Link{}, -1
			return nil
		}
		rows, err := tx.ListLinks(ctx, a.id, sq)
		if err != nil {
			return err
		}
		links := make([]canonical.Link, len(rows))
		for i, r := range rows {
			links[i] = r.Link
		}
		page = pageOf(links, limit, func(l canonical.Link) string { return l.ID })
		return nil
	})
	return page, storeErr(err, "link")
}

// CreateLink implements canonical.Backend.
func (a *Account) CreateLink(ctx context.Context, campaignID string, owner canonical.ParticipantRef, token string) (canonical.Link, error) {
	if err := canonical.CheckValue("token", token); err != nil {
		return canonical.Link{}, err
	}
	var out canonical.Link
	fn := func(w *work) error {
		p, err := w.resolve(owner)
		if err != nil {
			return err
		}
		if token == "" {
			if token, err = w.freshToken(); err != nil {
				return err
			}
		}
		if !validToken(token) {
			return canonical.Errorf(canonical.Invalid, "token %q must be letters, digits, dashes, dots or underscores", token)
		}
		l := store.Link{Kind: store.LinkExtra}
		l.CampaignID, l.ParticipantID, l.Token, l.CreatedAt, l.UpdatedAt = w.camp.ID, p.ID, token, w.now, w.now
		if err := w.tx.InsertLink(w.ctx, w.acct(), &l); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return canonical.Errorf(canonical.Conflict, "token %q is already in use", token)
			}
			return err
		}
		out = l.Link
		return w.linkChange(canonical.ChangeLinkCreated, l.Link, p)
	}
	return out, a.onParticipant(ctx, campaignID, owner, a.write, fn)
}

// GetLink implements canonical.Backend.
func (a *Account) GetLink(ctx context.Context, id string) (canonical.Link, error) {
	n, err := parseID(id, "link")
	if err != nil {
		return canonical.Link{}, err
	}
	var l store.Link
	err = a.e.st.View(ctx, func(tx store.Tx) (err error) {
		l, err = tx.GetLink(ctx, a.id, n)
		if err == nil && l.Kind == store.LinkVanity {
			err = store.ErrNotFound
		}
		return err
	})
	return l.Link, storeErr(err, "link "+id)
}

// UpdateLink implements canonical.Backend. Changing a participant's main
// link changes their referral code.
func (a *Account) UpdateLink(ctx context.Context, id, token string) (canonical.Link, error) {
	if err := canonical.CheckValue("token", token); err != nil {
		return canonical.Link{}, err
	}
	n, err := parseID(id, "link")
	if err != nil {
		return canonical.Link{}, err
	}
	if !validToken(token) {
		return canonical.Link{}, canonical.Errorf(canonical.Invalid, "token %q must be letters, digits, dashes, dots or underscores", token)
	}
	locate := func(tx store.Tx) (string, error) {
		l, err := tx.GetLink(context.Background(), a.id, n)
		if err != nil || l.Kind == store.LinkVanity {
			return "", notFound("link %q not found", id)
		}
		return l.CampaignID, nil
	}
	var out canonical.Link
	err = a.writeAny(ctx, locate, func(w *work) error {
		l, err := w.tx.GetLink(w.ctx, w.acct(), n)
		if err != nil {
			return err
		}
		l.Token, l.UpdatedAt = token, w.now
		if err := w.tx.UpdateLink(w.ctx, w.acct(), &l); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return canonical.Errorf(canonical.Conflict, "token %q is already in use", token)
			}
			return err
		}
		p, err := w.tx.GetParticipant(w.ctx, w.acct(), num(l.ParticipantID))
		if err != nil {
			return err
		}
		if l.Kind == store.LinkCode {
			p.ReferralCode, p.UpdatedAt = token, w.now
			if err := w.tx.UpdateParticipant(w.ctx, w.acct(), &p); err != nil {
				return err
			}
		}
		out = l.Link
		return w.linkChange(canonical.ChangeLinkUpdated, l.Link, p)
	})
	return out, err
}

// linkChange emits a change of link l, owned by p.
func (w *work) linkChange(kind canonical.ChangeKind, l canonical.Link, owner store.Participant) error {
	p, err := w.snap(owner)
	if err != nil {
		return err
	}
	w.emit(canonical.Change{Kind: kind, Link: cloneLink(l), Participant: p})
	return nil
}
