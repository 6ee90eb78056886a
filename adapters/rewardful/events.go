package rewardful

import (
	"encoding/hex"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

var _ surface.WebhookSurface = (*Surface)(nil)

// Webhooks implements surface.WebhookSurface: Rewardful's webhook events,
// whose objects are rendered by the REST surface's mapping functions and
// ID codecs, so a webhook's ids are the ones the REST API shows.
func (*Surface) Webhooks(cfg surface.Config) surface.Webhooks {
	return &webhookRenderer{ids: newIDCodecs(cfg.IDSecret), events: surface.NewEventIDs(cfg.IDSecret)}
}

// SignatureHeader carries Rewardful's signature: the lower-case hex
// HMAC-SHA256 of the raw body keyed with the endpoint's signing secret.
const SignatureHeader = "X-Rewardful-Signature"

// apiVersion is the API version every event names.
const apiVersion = "v1"

func kinds(k ...canonical.ChangeKind) []canonical.ChangeKind { return k }

// webhookEvents are Rewardful's event types and the changes they
// announce. The types without changes are accepted in subscriptions but
// never sent: refbridge makes no change they announce (sales and
// referrals are not deleted or edited, payouts go from created to paid).
var webhookEvents = surface.WebhookEvents{
	{Name: "affiliate.created", Kinds: kinds(canonical.ChangeParticipantAdded)},
	{Name: "affiliate.confirmed", Kinds: kinds(canonical.ChangeParticipantConfirmed)},
	// A fraud or state change always comes with the participant.updated
	// of the same write, which announces it: mapping both here would send
	// one change twice under two event ids.
	{Name: "affiliate.updated", Kinds: kinds(canonical.ChangeParticipantUpdated, canonical.ChangeParticipantPromoted)},
	{Name: "affiliate.deleted", Kinds: kinds(canonical.ChangeParticipantDeleted)},
	{Name: "affiliate_link.created", Kinds: kinds(canonical.ChangeLinkCreated)},
	{Name: "affiliate_link.updated", Kinds: kinds(canonical.ChangeLinkUpdated)},
	{Name: "affiliate_link.deleted", Kinds: kinds(canonical.ChangeLinkDeleted)},
	{Name: "affiliate_coupon.created", Kinds: kinds(canonical.ChangeCouponCreated)},
	{Name: "affiliate_coupon.updated"},
	{Name: "affiliate_coupon.activated", Kinds: kinds(canonical.ChangeCouponActivated)},
	{Name: "affiliate_coupon.deactivated", Kinds: kinds(canonical.ChangeCouponDeactivated)},
	{Name: "affiliate_coupon.deleted", Kinds: kinds(canonical.ChangeCouponDeleted)},
	{Name: "referral.created", Kinds: kinds(canonical.ChangeReferralCreated)},
	{Name: "referral.lead", Kinds: kinds(canonical.ChangeReferralLead)},
	{Name: "referral.converted", Kinds: kinds(canonical.ChangeReferralConverted)},
	{Name: "referral.deleted"},
	{Name: "sale.created", Kinds: kinds(canonical.ChangeSaleCreated)},
	{Name: "sale.updated"},
	{Name: "sale.refunded", Kinds: kinds(canonical.ChangeSaleRefunded)},
	{Name: "sale.deleted"},
	{Name: "commission.created", Kinds: kinds(canonical.ChangeCommissionCreated)},
	{Name: "commission.updated", Kinds: kinds(canonical.ChangeCommissionAdjusted)},
	{Name: "commission.paid", Kinds: kinds(canonical.ChangeCommissionPaid)},
	{Name: "commission.voided", Kinds: kinds(canonical.ChangeCommissionVoided)},
	{Name: "commission.deleted"},
	{Name: "payout.created", Kinds: kinds(canonical.ChangePayoutCreated)},
	{Name: "payout.updated"},
	{Name: "payout.due"},
	{Name: "payout.paid", Kinds: kinds(canonical.ChangePayoutPaid)},
	{Name: "payout.deleted"},
	{Name: "payout.failed", Kinds: kinds(canonical.ChangePayoutFailed)},
}

// WebhookEventTypes lists Rewardful's webhook event types.
func WebhookEventTypes() []string { return webhookEvents.Names() }

// webhookRenderer renders Rewardful's webhooks in one installation.
type webhookRenderer struct {
	ids    *idCodecs
	events surface.EventIDs
}

// Kinds implements surface.Webhooks.
func (*webhookRenderer) Kinds(events []string) ([]canonical.ChangeKind, error) {
	return webhookEvents.Kinds(canonical.Rewardful, events)
}

// Policy implements surface.Webhooks: only a 200 acknowledges; anything
// else is retried with exponential backoff for up to three days
// (Rewardful's documented rule; the waits are refbridge's, about 70 hours
// in all). Rewardful documents no switching off.
func (*webhookRenderer) Policy() surface.WebhookPolicy {
	return surface.WebhookPolicy{
		Retries: []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour,
			12 * time.Hour, 24 * time.Hour, 24 * time.Hour},
		Timeout: 10 * time.Second,
		Success: func(status int) bool { return status == 200 },
	}
}

// webhookPayload is Rewardful's envelope: the object, the event and the
// delivery request.
type webhookPayload struct {
	Object  any          `json:"object"`
	Event   webhookEvent `json:"event"`
	Request webhookReq   `json:"request"`
}

type webhookEvent struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	CreatedAt  string `json:"created_at"`
	APIVersion string `json:"api_version"`
}

type webhookReq struct {
	ID string `json:"id"`
}

// Render implements surface.Webhooks: the event type the change goes out
// as, unless the endpoint's events leave it out, signed when the endpoint
// has a secret. event.id is the change's (the same on every attempt and
// replay), request.id the delivery's.
func (r *webhookRenderer) Render(ch canonical.Change, ep canonical.WebhookEndpoint, deliveryID string, _ time.Time) (surface.WebhookRequest, bool, error) {
	name, ok := webhookEvents.Name(ch.Kind, ep.Events, nil)
	if !ok {
		return surface.WebhookRequest{}, false, nil
	}
	obj, ok := r.object(ch)
	if !ok {
		return surface.WebhookRequest{}, false, nil
	}
	p := webhookPayload{Object: obj, Event: webhookEvent{ID: r.ids.event.encode(ch.ID), Type: name, CreatedAt: fmtTime(ch.At),
		APIVersion: apiVersion}, Request: webhookReq{ID: r.ids.request.encode(deliveryID)}}
	req, err := surface.NewWebhookRequest(p, r.events.Encode(ch.ID))
	if err != nil {
		return surface.WebhookRequest{}, false, canonical.Wrap(canonical.Internal, err, "render Rewardful webhook")
	}
	if ep.Secret != "" {
		req.Header.Set(SignatureHeader, hex.EncodeToString(surface.HMACSHA256([]byte(ep.Secret), req.Body)))
	}
	return req, true, nil
}

// object renders the change's object as the REST API renders it; ok is
// false when the change lacks it.
func (r *webhookRenderer) object(ch canonical.Change) (any, bool) {
	var camp canonical.Campaign
	if ch.Campaign != nil {
		camp = *ch.Campaign
	}
	switch ch.Kind {
	case canonical.ChangeParticipantAdded, canonical.ChangeParticipantConfirmed, canonical.ChangeParticipantUpdated,
		canonical.ChangeParticipantFraudChanged, canonical.ChangeParticipantPromoted, canonical.ChangeParticipantDeleted:
		if ch.Participant == nil {
			return nil, false
		}
		return r.affiliate(*ch.Participant, ch.Campaign), true
	case canonical.ChangeLinkCreated, canonical.ChangeLinkUpdated, canonical.ChangeLinkDeleted:
		if ch.Link == nil {
			return nil, false
		}
		return linkOut(r.ids, *ch.Link, camp, true), true
	case canonical.ChangeCouponCreated, canonical.ChangeCouponActivated, canonical.ChangeCouponDeactivated, canonical.ChangeCouponDeleted:
		if ch.Coupon == nil {
			return nil, false
		}
		return couponOut(r.ids, *ch.Coupon), true
	case canonical.ChangeReferralCreated, canonical.ChangeReferralLead, canonical.ChangeReferralConverted:
		if ch.Referral == nil {
			return nil, false
		}
		return r.referral(*ch.Referral, ch, camp, true), true
	case canonical.ChangeSaleCreated, canonical.ChangeSaleRefunded:
		return r.sale(ch, camp)
	case canonical.ChangeCommissionCreated, canonical.ChangeCommissionAdjusted, canonical.ChangeCommissionVoided,
		canonical.ChangeCommissionPaid:
		if ch.Commission == nil {
			return nil, false
		}
		out := commissionOut(r.ids, *ch.Commission)
		if ch.Campaign != nil {
			s := campaignSummaryOut(r.ids, camp)
			out.Campaign = &s
		}
		if ch.Transaction != nil && ch.Transaction.ID == ch.Commission.TransactionID {
			sale := saleOut(r.ids, *ch.Transaction, nil)
			if ch.Participant != nil {
				a := affiliateOut(r.ids, *ch.Participant)
				sale.Affiliate = &a
			}
			out.Sale = &sale
		}
		return out, true
	case canonical.ChangePayoutCreated, canonical.ChangePayoutPaid, canonical.ChangePayoutFailed:
		if ch.Payout == nil {
			return nil, false
		}
		out := payoutOut(r.ids, *ch.Payout)
		if ch.Participant != nil {
			a := affiliateOut(r.ids, *ch.Participant)
			out.Affiliate = &a
		}
		return out, true
	}
	return nil, false
}

// affiliate renders a participant as GET /affiliates/:id does, with the
// relations the change carries (its campaign; links and coupon are not
// part of a participant change and are left out).
func (r *webhookRenderer) affiliate(p canonical.Participant, camp *canonical.Campaign) affiliateJSON {
	out := affiliateOut(r.ids, p)
	if camp != nil {
		s := campaignSummaryOut(r.ids, *camp)
		out.Campaign = &s
	}
	return out
}

// referral renders a referral as GET /referrals does with the affiliate
// expanded: its link (when the change carries it), its customer (the
// referred participant) and its affiliate (the referrer).
func (r *webhookRenderer) referral(ref canonical.Referral, ch canonical.Change, camp canonical.Campaign, withAffiliate bool) referralJSON {
	var link *linkJSON
	if ch.Link != nil && ch.Link.ID == ref.LinkID {
		l := linkOut(r.ids, *ch.Link, camp, false)
		link = &l
	}
	out := referralOut(r.ids, ref, link, ch.Participant)
	if withAffiliate && ch.Referrer != nil {
		a := r.affiliate(*ch.Referrer, ch.Campaign)
		out.Affiliate = &a
	}
	return out
}

// sale renders the sale of a sale change with its referral and affiliate;
// on sale.refunded, the sale refunded with the refund.
func (r *webhookRenderer) sale(ch canonical.Change, camp canonical.Campaign) (any, bool) {
	if ch.Transaction == nil {
		return nil, false
	}
	t, refunds := *ch.Transaction, []canonical.Transaction(nil)
	if ch.Kind == canonical.ChangeSaleRefunded {
		if ch.Sale == nil {
			return nil, false
		}
		t, refunds = *ch.Sale, []canonical.Transaction{*ch.Transaction}
	}
	out := saleOut(r.ids, t, refunds)
	if ch.Referral != nil {
		ref := r.referral(*ch.Referral, ch, camp, false)
		out.Referral = &ref
	}
	if ch.Referrer != nil {
		a := affiliateOut(r.ids, *ch.Referrer)
		out.Affiliate = &a
	}
	return out, true
}
