package canonical

import (
	"context"
	"net/url"
	"time"
)

// ChangeKind names a change to an account's data that some vendor announces
// to its customers by webhook. The engine appends a Change of its kind to
// the account's event log in the same transaction as the change, so an
// event exists exactly when its change committed.
type ChangeKind string

// The change kinds. Each change carries the entities named in its comment,
// as they were when the change committed (see Change).
const (
	// ChangeParticipantAdded: a participant joined (Participant, Referrer
	// when referred, Referral when referred). A signup is one change: it is
	// logged before the changes it causes (its referral, credit, rewards)
	// but carries the participant as the signup left them.
	ChangeParticipantAdded ChangeKind = "participant.added"
	// ChangeParticipantUpdated: a participant's own fields changed through
	// an update or by adding points (Participant). An update that changes
	// nothing logs nothing.
	ChangeParticipantUpdated ChangeKind = "participant.updated"
	// ChangeParticipantDeleted: a participant was removed (Participant, as
	// it was before); their links and coupons go with them, each logged
	// after it as deleted.
	ChangeParticipantDeleted ChangeKind = "participant.deleted"
	// ChangeParticipantConfirmed: a participant's email was verified
	// (Participant).
	ChangeParticipantConfirmed ChangeKind = "participant.confirmed"
	// ChangeParticipantPromoted: a participant was moved up a waitlist
	// (Participant).
	ChangeParticipantPromoted ChangeKind = "participant.promoted"
	// ChangeParticipantFraudChanged: a participant's fraud risk or
	// affiliate state changed (Participant).
	ChangeParticipantFraudChanged ChangeKind = "participant.fraud_changed"

	// ChangeReferralCreated: a referral began: a visit, an invite or a
	// referred signup (Referral, Participant = the referred when there is
	// one, Referrer).
	ChangeReferralCreated ChangeKind = "referral.created"
	// ChangeReferralLead: a visitor referral became a lead (Referral,
	// Participant, Referrer).
	ChangeReferralLead ChangeKind = "referral.lead"
	// ChangeReferralConverted: a referral's referred participant made a
	// first sale (Referral, Participant, Referrer, Transaction).
	ChangeReferralConverted ChangeKind = "referral.converted"
	// ChangeReferralCredited: a referral was credited to its referrer
	// (Referral, Participant, Referrer).
	ChangeReferralCredited ChangeKind = "referral.credited"

	// ChangeRewardEarned: a participant earned a reward (Reward, Rule,
	// Participant; Referrer or Referred is the other side of the referral
	// that earned it, when one did).
	ChangeRewardEarned ChangeKind = "reward.earned"
	// ChangeRewardApproved: a pending reward was approved (as
	// ChangeRewardEarned). A reward approved when earned logs only
	// ChangeRewardEarned; one approved and fulfilled at once logs both,
	// this one carrying it as approved.
	ChangeRewardApproved ChangeKind = "reward.approved"
	// ChangeRewardFulfilled: a reward was fulfilled, marked as given (as
	// ChangeRewardEarned).
	ChangeRewardFulfilled ChangeKind = "reward.fulfilled"

	// ChangeSaleCreated: a sale was recorded (Transaction, Participant,
	// Referrer when attributed).
	ChangeSaleCreated ChangeKind = "sale.created"
	// ChangeSaleRefunded: a sale was refunded in part or in full
	// (Transaction = the refund, Sale = the sale, Participant).
	ChangeSaleRefunded ChangeKind = "sale.refunded"

	// ChangeCommissionCreated: a sale earned a commission (Commission,
	// Participant = the affiliate, Transaction). A commission due at once
	// is created due.
	ChangeCommissionCreated ChangeKind = "commission.created"
	// ChangeCommissionAdjusted: a commission's amount, dates or state
	// changed other than by voiding or paying, falling due included
	// (Commission, Participant).
	ChangeCommissionAdjusted ChangeKind = "commission.adjusted"
	// ChangeCommissionVoided: a commission was voided (Commission,
	// Participant).
	ChangeCommissionVoided ChangeKind = "commission.voided"
	// ChangeCommissionPaid: a commission was paid with its payout
	// (Commission, Participant, Payout), or marked paid by itself
	// (Commission, Participant).
	ChangeCommissionPaid ChangeKind = "commission.paid"

	// ChangePayoutCreated: due commissions were bundled into a payout
	// (Payout, Participant).
	ChangePayoutCreated ChangeKind = "payout.created"
	// ChangePayoutPaid: a payout was paid (Payout, Participant).
	ChangePayoutPaid ChangeKind = "payout.paid"
	// ChangePayoutFailed: a payout failed (Payout, Participant). The
	// engine never fails a payout (paying one marks it paid), so it logs
	// none; the kind is for backends that do.
	ChangePayoutFailed ChangeKind = "payout.failed"

	// ChangeCouponCreated: a coupon was issued (Coupon, Participant when
	// it has an owner).
	ChangeCouponCreated ChangeKind = "coupon.created"
	// ChangeCouponActivated: a coupon was activated (Coupon, Participant).
	// The engine has no operation that archives or reactivates a coupon,
	// so it logs none.
	ChangeCouponActivated ChangeKind = "coupon.activated"
	// ChangeCouponDeactivated: a coupon was deactivated (Coupon,
	// Participant). The engine logs none (see ChangeCouponActivated).
	ChangeCouponDeactivated ChangeKind = "coupon.deactivated"
	// ChangeCouponDeleted: a coupon was removed (Coupon, as it was); in
	// the engine, with its owner.
	ChangeCouponDeleted ChangeKind = "coupon.deleted"

	// ChangeLinkCreated: a participant got a link (Link, Participant):
	// their main link, with their referral code, when they join, or
	// another.
	ChangeLinkCreated ChangeKind = "link.created"
	// ChangeLinkUpdated: a link changed (Link, Participant).
	ChangeLinkUpdated ChangeKind = "link.updated"
	// ChangeLinkDeleted: a link was removed (Link, as it was); in the
	// engine, with its owner.
	ChangeLinkDeleted ChangeKind = "link.deleted"

	// ChangeCampaignEnded: a campaign's status became ended (Campaign).
	ChangeCampaignEnded ChangeKind = "campaign.ended"
)

// ChangeKinds lists every change kind, in the order above.
func ChangeKinds() []ChangeKind {
	return []ChangeKind{
		ChangeParticipantAdded, ChangeParticipantUpdated, ChangeParticipantDeleted, ChangeParticipantConfirmed,
		ChangeParticipantPromoted, ChangeParticipantFraudChanged,
		ChangeReferralCreated, ChangeReferralLead, ChangeReferralConverted, ChangeReferralCredited,
		ChangeRewardEarned, ChangeRewardApproved, ChangeRewardFulfilled,
		ChangeSaleCreated, ChangeSaleRefunded,
		ChangeCommissionCreated, ChangeCommissionAdjusted, ChangeCommissionVoided, ChangeCommissionPaid,
		ChangePayoutCreated, ChangePayoutPaid, ChangePayoutFailed,
		ChangeCouponCreated, ChangeCouponActivated, ChangeCouponDeactivated, ChangeCouponDeleted,
		ChangeLinkCreated, ChangeLinkUpdated, ChangeLinkDeleted,
		ChangeCampaignEnded,
	}
}

// Change is one entry of an account's event log: a change, with the
// entities it concerns as they were when it committed. Which entity fields
// are set depends on Kind (see the kinds' comments); the others are nil.
// Changes are immutable once written; their IDs grow with commit order
// within a campaign.
type Change struct {
	ID         string     `json:",omitzero"`
	Kind       ChangeKind `json:",omitzero"`
	AccountID  string     `json:",omitzero"`
	CampaignID string     `json:",omitzero"`
	// At is when the change happened, on the engine's clock.
	At time.Time `json:",omitzero"`

	// Campaign is the change's campaign on every change (without its
	// rules, but for campaign.ended), so renderers can build links.
	Campaign    *Campaign    `json:",omitzero"`
	Participant *Participant `json:",omitzero"`
	// Referrer is Participant's referrer, on every change whose
	// Participant was referred (nil when the referrer is gone); Referred,
	// for a referrer's reward, the participant whose referral earned it.
	// The engine gives
	// them as stored, with their credited referral count
	// (Stats.Referrals) but not the stats that take reads to compute;
	// Participant comes with all its stats.
	Referrer    *Participant  `json:",omitzero"`
	Referred    *Participant  `json:",omitzero"`
	Referral    *Referral     `json:",omitzero"`
	Rule        *RewardRule   `json:",omitzero"`
	Reward      *EarnedReward `json:",omitzero"`
	Transaction *Transaction  `json:",omitzero"`
	// Sale is, on sale.refunded, the sale refunded (Transaction is the
	// refund), as vendors announce the sale with its refund.
	Sale       *Transaction `json:",omitzero"`
	Commission *Commission  `json:",omitzero"`
	Payout     *Payout      `json:",omitzero"`
	Coupon     *Coupon      `json:",omitzero"`
	Link       *Link        `json:",omitzero"`
}

// WebhookEndpoint is one subscription of an account to its events, in one
// vendor's webhook shape: where to post, which events, and how the vendor
// signs them. The vendor's surface sets Kinds from Events (the vendor's
// own event names); the engine fans each event out to the enabled
// endpoints whose Kinds hold its kind.
type WebhookEndpoint struct {
	ID        string `json:",omitzero"`
	AccountID string `json:",omitzero"`
	// Vendor is the surface whose payloads, signature and retry schedule
	// the endpoint gets.
	Vendor Vendor `json:",omitzero"`
	// CampaignID limits the endpoint to one campaign; "" means every
	// campaign of the account.
	CampaignID string `json:",omitzero"`
	URL        string `json:",omitzero"`
	// Events are the vendor's event names the endpoint subscribes to, as
	// the vendor spells them; Kinds the canonical kinds they cover.
	Events []string     `json:",omitzero"`
	Kinds  []ChangeKind `json:",omitzero"`
	// Secret signs deliveries as the vendor does; it is never shown once
	// set. An update that leaves it "" keeps the stored one.
	Secret string `json:",omitzero"`
	// ClearSecret, in an update, removes the stored secret instead (the
	// endpoint's deliveries go out unsigned). It is never stored.
	ClearSecret bool `json:"-"`
	Enabled     bool `json:",omitzero"`
	// AutoDisabled is set when delivery failures turned the endpoint off
	// (Enabled is then false); FailureCount counts consecutive failed
	// attempts, LastFailureAt the latest.
	AutoDisabled  bool       `json:",omitzero"`
	FailureCount  int        `json:",omitzero"`
	LastFailureAt *time.Time `json:",omitzero"`
	CreatedAt     time.Time  `json:",omitzero"`
	UpdatedAt     time.Time  `json:",omitzero"`
	// Native keeps the vendor's own fields of the endpoint (GrowSurf's
	// webhook id).
	Native Native `json:",omitzero"`
}

// Subscribes reports whether the endpoint takes events of kind.
func (e WebhookEndpoint) Subscribes(kind ChangeKind) bool {
	for _, k := range e.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// DeliveryState is where a delivery of an event to an endpoint stands.
type DeliveryState string

// The delivery states.
const (
	// DeliveryPending: not yet delivered; attempted when NextAttemptAt
	// comes (and the endpoint is enabled).
	DeliveryPending DeliveryState = "pending"
	// DeliveryDelivered: the endpoint acknowledged it.
	DeliveryDelivered DeliveryState = "delivered"
	// DeliveryFailed: the vendor's retry schedule ran out (undeliverable);
	// a replay sends it again.
	DeliveryFailed DeliveryState = "failed"
)

// Delivery is one change on its way to one endpoint: every attempt
// carries the same change (event) ID, so receivers can tell a retry from a
// new event.
type Delivery struct {
	ID         string `json:",omitzero"`
	AccountID  string `json:",omitzero"`
	EndpointID string `json:",omitzero"`
	// EventID is the Change delivered, Kind its kind.
	EventID string        `json:",omitzero"`
	Kind    ChangeKind    `json:",omitzero"`
	State   DeliveryState `json:",omitzero"`
	// Attempts counts the attempts made; NextAttemptAt is when the next is
	// due (pending only).
	Attempts      int        `json:",omitzero"`
	NextAttemptAt time.Time  `json:",omitzero"`
	LastAttemptAt *time.Time `json:",omitzero"`
	// LastStatus is the HTTP status of the last attempt (0 when none came
	// back); LastError says what went wrong with it.
	LastStatus  int        `json:",omitzero"`
	LastError   string     `json:",omitzero"`
	DeliveredAt *time.Time `json:",omitzero"`
	CreatedAt   time.Time  `json:",omitzero"`
}

// WebhookEndpointQuery selects an account's webhook endpoints.
type WebhookEndpointQuery struct {
	// Vendor, when set, selects that vendor's endpoints; CampaignID, when
	// set, that campaign's own endpoints (not those of every campaign).
	Vendor     Vendor `json:",omitzero"`
	CampaignID string `json:",omitzero"`
}

// DeliveryQuery selects an account's deliveries, newest first.
type DeliveryQuery struct {
	EndpointID string          `json:",omitzero"`
	EventID    string          `json:",omitzero"`
	States     []DeliveryState `json:",omitzero"`
	ListOptions
}

// ChangeQuery selects an account's changes, oldest first.
type ChangeQuery struct {
	// EventID, when set, selects that one change.
	EventID    string       `json:",omitzero"`
	CampaignID string       `json:",omitzero"`
	Kinds      []ChangeKind `json:",omitzero"`
	// Since selects changes at or after that time (zero: all).
	Since time.Time `json:",omitzero"`
	ListOptions
}

// Webhooks is what a backend that keeps the event log and delivers
// webhooks itself (the engine) offers beside the Backend contract: the
// account's event log, its webhook endpoints, their deliveries, and
// replays. Vendor surfaces reach it by type assertion on the caller's
// backend.
type Webhooks interface {
	// ListChanges pages the account's event log, oldest first.
	ListChanges(ctx context.Context, q ChangeQuery) (Page[Change], error)
	// CreateWebhookEndpoint stores a new endpoint; Invalid without a URL
	// or Vendor, NotFound for an unknown campaign.
	CreateWebhookEndpoint(ctx context.Context, e WebhookEndpoint) (WebhookEndpoint, error)
	GetWebhookEndpoint(ctx context.Context, id string) (WebhookEndpoint, error)
	// UpdateWebhookEndpoint replaces an endpoint's URL, events, kinds,
	// secret ("" keeps it, unless ClearSecret) and Enabled; enabling
	// clears AutoDisabled and the failure count.
	UpdateWebhookEndpoint(ctx context.Context, e WebhookEndpoint) (WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, id string) error
	ListWebhookEndpoints(ctx context.Context, q WebhookEndpointQuery) ([]WebhookEndpoint, error)
	// ListDeliveries pages the account's deliveries, newest first.
	ListDeliveries(ctx context.Context, q DeliveryQuery) (Page[Delivery], error)
	// ReplayDeliveries queues a new delivery to the endpoint of the
	// changes q selects (those of its kinds only), due now, and reports
	// how many.
	ReplayDeliveries(ctx context.Context, endpointID string, q ChangeQuery) (int, error)
}

// CheckWebhookURL reports, as an Invalid error, why raw cannot be a
// webhook endpoint's URL: it must be an absolute http or https URL with a
// host. Where it may point (no internal addresses) is the delivery's
// concern, checked on the address dialled.
func CheckWebhookURL(raw string) error {
	if raw == "" {
		return Errorf(Invalid, "a webhook endpoint needs a URL")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return Errorf(Invalid, "webhook URL %q is not an absolute http or https URL", raw)
	}
	return nil
}
