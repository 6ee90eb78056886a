package canonical

import "time"

// ReferralState is where a referral stands. Vendors name these states
// differently; their adapters map them:
//
//	canonical    GrowSurf         ReferralHero   Rewardful   Referral Rocket
//	visitor      -                -              visitor     -
//	invited      INVITE_SENT      -              -           -
//	pending      CREDIT_PENDING   pending        lead        not qualified
//	unconfirmed  CREDIT_PENDING   unconfirmed    lead        not qualified
//	credited     CREDIT_AWARDED   confirmed      lead        qualified
//	expired      CREDIT_EXPIRED   -              (expired)   -
//
// A paid sale on the referral (Rewardful conversion) is recorded by
// ConvertedAt, independently of the state.
type ReferralState string

// Referral states.
const (
	// StateVisitor: someone arrived through a participant's link but has
	// not signed up.
	StateVisitor ReferralState = "visitor"
	// StateInvited: the referrer invited an email address that has not
	// signed up.
	StateInvited ReferralState = "invited"
	// StatePending: signed up, waiting for the qualifying event.
	StatePending ReferralState = "pending"
	// StateUnconfirmed: the event happened, waiting for review.
	StateUnconfirmed ReferralState = "unconfirmed"
	// StateCredited: the referral counts for its referrer.
	StateCredited ReferralState = "credited"
	// StateExpired: the referral can no longer be credited.
	StateExpired ReferralState = "expired"
)

// Valid reports whether s is one of the defined states.
func (s ReferralState) Valid() bool {
	switch s {
	case StateVisitor, StateInvited, StatePending, StateUnconfirmed, StateCredited, StateExpired:
		return true
	}
	return false
}

// Referral links a referrer to someone they brought in: a visitor, an
// invitee or a referred participant.
type Referral struct {
	ID         string `json:",omitzero"`
	CampaignID string `json:",omitzero"`
	ReferrerID string `json:",omitzero"`
	// ReferredID is the referred participant, "" for visitors and invites.
	ReferredID string `json:",omitzero"`
	// LinkID is the link the referral came through, if any.
	LinkID string `json:",omitzero"`
	// Email is the referred person's email (the invitee's for invites).
	Email string        `json:",omitzero"`
	State ReferralState `json:",omitzero"`
	// Visits counts the visitor's visits through the link.
	Visits int `json:",omitzero"`
	// Channel is the share channel the referral came from.
	Channel string `json:",omitzero"`
	// StripeCustomerID is the referred customer's id (Rewardful).
	StripeCustomerID string `json:",omitzero"`
	// QualifyingAmount is what the referred participant spent on the
	// qualifying purchase (Referral Rocket).
	QualifyingAmount *Money `json:",omitzero"`
	// LeadAt is when the referred person signed up; CreditedAt when the
	// referral was credited; ConvertedAt when the first paid sale happened.
	LeadAt      *time.Time `json:",omitzero"`
	CreditedAt  *time.Time `json:",omitzero"`
	ConvertedAt *time.Time `json:",omitzero"`
	// TriggerAt is when a delayed credit (GrowSurf delayInDays) is due.
	TriggerAt *time.Time `json:",omitzero"`
	// ExpiresAt is when an uncredited referral stops being attributable.
	ExpiresAt     *time.Time `json:",omitzero"`
	DeactivatedAt *time.Time `json:",omitzero"`
	CreatedAt     time.Time  `json:",omitzero"`
	UpdatedAt     time.Time  `json:",omitzero"`
	Native        Native     `json:",omitzero"`
}

// Link is a participant's trackable share link (a Rewardful affiliate link;
// every participant's referral code is also a link).
type Link struct {
	ID            string `json:",omitzero"`
	CampaignID    string `json:",omitzero"`
	ParticipantID string `json:",omitzero"`
	// Token is the link's code, unique in the account.
	Token       string    `json:",omitzero"`
	Visitors    int       `json:",omitzero"`
	Leads       int       `json:",omitzero"`
	Conversions int       `json:",omitzero"`
	CreatedAt   time.Time `json:",omitzero"`
	UpdatedAt   time.Time `json:",omitzero"`
}

// Visit is a visitor arriving through a link.
type Visit struct {
	// Token is the link token or referral code the visitor arrived with.
	Token string `json:",omitzero"`
	// VisitorID identifies a returning visitor; empty starts a new visitor.
	VisitorID string `json:",omitzero"`
	IP        string `json:",omitzero"`
	Channel   string `json:",omitzero"`
}

// EventKind is a kind of activity that only moves counters.
type EventKind string

// Event kinds.
const (
	// Impression: someone viewed a participant's share link.
	EventImpression EventKind = "impression"
	// Share: a participant shared on Channel.
	EventShare EventKind = "share"
	// CampaignView: someone viewed the campaign page (iRefer total_views).
	EventCampaignView EventKind = "campaign_view"
	// Invite: a participant invited Email.
	EventInvite EventKind = "invite"
)

// Event is activity that moves a participant's or a campaign's counters.
type Event struct {
	Kind EventKind `json:",omitzero"`
	// Participant is whose link was viewed, who shared or who invited; it
	// is empty for campaign views.
	Participant ParticipantRef `json:",omitzero"`
	Channel     string         `json:",omitzero"`
	// VisitorKey makes impressions countable as unique (an IP, a cookie).
	VisitorKey string `json:",omitzero"`
	// Email is the invitee for invites.
	Email string `json:",omitzero"`
}

// ConversionEvent is ReferralHero's tracked conversion event for a referred
// subscriber.
type ConversionEvent struct {
	// Participant is the referred subscriber, by identifier.
	Participant ParticipantRef `json:",omitzero"`
	// Referrer creates the referral when none exists yet.
	Referrer ParticipantRef `json:",omitzero"`
	// NewParticipant fills in the subscriber when the event creates it.
	NewParticipant *Participant `json:",omitzero"`
}

// SpecificAction is iRefer's record that a referred person completed the
// campaign's configured action.
type SpecificAction struct {
	ID         string `json:",omitzero"`
	CampaignID string `json:",omitzero"`
	ReferrerID string `json:",omitzero"`
	// ExternalID is the referred person's email or any unique id.
	ExternalID string    `json:",omitzero"`
	Action     string    `json:",omitzero"`
	IP         string    `json:",omitzero"`
	CreatedAt  time.Time `json:",omitzero"`
}
