package engine

import (
	"context"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

var _ canonical.Webhooks = (*Account)(nil)

// ListChanges implements canonical.Webhooks.
func (a *Account) ListChanges(ctx context.Context, q canonical.ChangeQuery) (canonical.Page[canonical.Change], error) {
	after, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Change]{}, err
	}
	sq := store.EventQuery{Kinds: q.Kinds, AfterID: after, Since: q.Since}
	if err := changeFilter(q, &sq); err != nil {
		return canonical.Page[canonical.Change]{}, err
	}
	limit := clampLimit(q.Limit, 100, 1000)
	sq.Limit = limit + 1
	var rows []canonical.Change
	err = a.e.st.View(ctx, func(tx store.Tx) (err error) {
		rows, err = tx.ListEvents(ctx, a.id, sq)
		return err
	})
	if err != nil {
		return canonical.Page[canonical.Change]{}, storeErr(err, "changes")
	}
	return pageOf(rows, limit, func(c canonical.Change) string { return c.ID }), nil
}

// changeFilter sets the event and campaign q names on sq.
func changeFilter(q canonical.ChangeQuery, sq *store.EventQuery) (err error) {
	if q.EventID != "" {
		if sq.ID, err = parseID(q.EventID, "event"); err != nil {
			return err
		}
	}
	if q.CampaignID != "" {
		sq.Campaign, err = parseID(q.CampaignID, "campaign")
	}
	return err
}

// checkEndpoint validates an endpoint a caller gives.
func (a *Account) checkEndpoint(ctx context.Context, e *canonical.WebhookEndpoint) error {
	e.URL = strings.TrimSpace(e.URL)
	if err := canonical.CheckWebhookURL(e.URL); err != nil {
		return err
	}
	if e.Vendor == "" {
		return canonical.Errorf(canonical.Invalid, "a webhook endpoint needs the vendor whose payloads it takes")
	}
	if err := canonical.CheckValue("webhook endpoint", e); err != nil {
		return err
	}
	if e.CampaignID == "" {
		return nil
	}
	camp, err := parseID(e.CampaignID, "campaign")
	if err != nil {
		return err
	}
	return storeErr(a.e.st.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetCampaign(ctx, a.id, camp)
		return err
	}), "campaign "+e.CampaignID)
}

// CreateWebhookEndpoint implements canonical.Webhooks.
func (a *Account) CreateWebhookEndpoint(ctx context.Context, e canonical.WebhookEndpoint) (canonical.WebhookEndpoint, error) {
	if err := a.checkEndpoint(ctx, &e); err != nil {
		return canonical.WebhookEndpoint{}, err
	}
	now := a.now()
	e.ID, e.AccountID, e.CreatedAt, e.UpdatedAt = "", a.ID(), now, now
	e.AutoDisabled, e.FailureCount, e.LastFailureAt = false, 0, nil
	defer a.e.wrote(a.id)
	err := a.e.st.Update(ctx, func(tx store.Tx) error { return tx.InsertEndpoint(ctx, a.id, &e) })
	return e, storeErr(err, "webhook endpoint")
}

// GetWebhookEndpoint implements canonical.Webhooks.
func (a *Account) GetWebhookEndpoint(ctx context.Context, id string) (canonical.WebhookEndpoint, error) {
	n, err := parseID(id, "webhook endpoint")
	if err != nil {
		return canonical.WebhookEndpoint{}, err
	}
	var e canonical.WebhookEndpoint
	err = a.e.st.View(ctx, func(tx store.Tx) (err error) {
		e, err = tx.GetEndpoint(ctx, a.id, n)
		return err
	})
	e.AccountID = a.ID()
	return e, storeErr(err, "webhook endpoint "+id)
}

// UpdateWebhookEndpoint implements canonical.Webhooks.
func (a *Account) UpdateWebhookEndpoint(ctx context.Context, e canonical.WebhookEndpoint) (canonical.WebhookEndpoint, error) {
	n, err := parseID(e.ID, "webhook endpoint")
	if err != nil {
		return canonical.WebhookEndpoint{}, err
	}
	if err := a.checkEndpoint(ctx, &e); err != nil {
		return canonical.WebhookEndpoint{}, err
	}
	var out canonical.WebhookEndpoint
	defer a.e.wrote(a.id)
	err = a.e.st.Update(ctx, func(tx store.Tx) error {
		old, err := tx.LockEndpoint(ctx, a.id, n) // the failure state is read and written back: no run may record in between
		if err != nil {
			return err
		}
		out = e
		out.AccountID, out.CreatedAt, out.UpdatedAt = a.ID(), old.CreatedAt, a.now()
		switch {
		case out.ClearSecret:
			out.Secret, out.ClearSecret = "", false
		case out.Secret == "":
			out.Secret = old.Secret
		}
		out.AutoDisabled, out.FailureCount, out.LastFailureAt = old.AutoDisabled, old.FailureCount, old.LastFailureAt
		if out.Enabled && !old.Enabled {
			out.AutoDisabled, out.FailureCount = false, 0
		}
		return tx.UpdateEndpoint(ctx, a.id, &out)
	})
	return out, storeErr(err, "webhook endpoint "+e.ID)
}

// DeleteWebhookEndpoint implements canonical.Webhooks.
func (a *Account) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	n, err := parseID(id, "webhook endpoint")
	if err != nil {
		return err
	}
	defer a.e.wrote(a.id)
	return storeErr(a.e.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteEndpoint(ctx, a.id, n) }), "webhook endpoint "+id)
}

// ListWebhookEndpoints implements canonical.Webhooks.
func (a *Account) ListWebhookEndpoints(ctx context.Context, q canonical.WebhookEndpointQuery) ([]canonical.WebhookEndpoint, error) {
	sq := store.EndpointQuery{Vendor: q.Vendor}
	if q.CampaignID != "" {
		n, err := parseID(q.CampaignID, "campaign")
		if err != nil {
			return nil, err
		}
		sq.Campaign = n
	}
	var out []canonical.WebhookEndpoint
	err := a.e.st.View(ctx, func(tx store.Tx) (err error) {
		out, err = tx.ListEndpoints(ctx, a.id, sq)
		return err
	})
	for i := range out {
		out[i].AccountID = a.ID()
	}
	return out, storeErr(err, "webhook endpoints")
}

// ListDeliveries implements canonical.Webhooks.
func (a *Account) ListDeliveries(ctx context.Context, q canonical.DeliveryQuery) (canonical.Page[canonical.Delivery], error) {
	before, err := idCursor(q.Cursor)
	if err != nil {
		return canonical.Page[canonical.Delivery]{}, err
	}
	limit := clampLimit(q.Limit, 50, 500)
	sq := store.DeliveryQuery{States: q.States, Before: before, Limit: limit + 1}
	if q.EndpointID != "" {
		if sq.Endpoint, err = parseID(q.EndpointID, "webhook endpoint"); err != nil {
			return canonical.Page[canonical.Delivery]{}, err
		}
	}
	if q.EventID != "" {
		if sq.Event, err = parseID(q.EventID, "event"); err != nil {
			return canonical.Page[canonical.Delivery]{}, err
		}
	}
	var rows []canonical.Delivery
	err = a.e.st.View(ctx, func(tx store.Tx) (err error) {
		rows, err = tx.ListDeliveries(ctx, a.id, sq)
		return err
	})
	if err != nil {
		return canonical.Page[canonical.Delivery]{}, storeErr(err, "deliveries")
	}
	return pageOf(rows, limit, func(d canonical.Delivery) string { return d.ID }), nil
}

// ReplayDeliveries implements canonical.Webhooks.
func (a *Account) ReplayDeliveries(ctx context.Context, endpointID string, q canonical.ChangeQuery) (int, error) {
	n, err := parseID(endpointID, "webhook endpoint")
	if err != nil {
		return 0, err
	}
	after, err := idCursor(q.Cursor)
	if err != nil {
		return 0, err
	}
	sq := store.EventQuery{AfterID: after, Since: q.Since, Limit: q.Limit}
	if err := changeFilter(q, &sq); err != nil {
		return 0, err
	}
	var queued int
	defer a.e.wrote(a.id)
	err = a.e.st.Update(ctx, func(tx store.Tx) error {
		ep, err := tx.GetEndpoint(ctx, a.id, n)
		if err != nil {
			return err
		}
		// Only the endpoint's campaign, when it has one: a replay never
		// sends an endpoint what fan-out would not have.
		if ep.CampaignID != "" {
			camp := num(ep.CampaignID)
			if sq.Campaign != 0 && sq.Campaign != camp {
				return canonical.Errorf(canonical.Invalid, "webhook endpoint %s takes campaign %s only, not %s", endpointID, ep.CampaignID, q.CampaignID)
			}
			sq.Campaign = camp
		}
		// Only what the endpoint subscribes to, narrowed by q.Kinds.
		sq.Kinds = ep.Kinds
		if len(q.Kinds) > 0 {
			sq.Kinds = nil
			for _, k := range q.Kinds {
				if ep.Subscribes(k) {
					sq.Kinds = append(sq.Kinds, k)
				}
			}
		}
		if len(sq.Kinds) == 0 {
			return nil
		}
		queued, err = tx.QueueDeliveries(ctx, a.id, n, sq, a.now())
		return err
	})
	return queued, storeErr(err, "webhook endpoint "+endpointID)
}
