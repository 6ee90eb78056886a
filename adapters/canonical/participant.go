package canonical

import (
	"strings"
	"time"
)

// Participant is a person in a campaign: a GrowSurf participant, a
// ReferralHero subscriber, a Rewardful affiliate, an iRefer or Referral
// Rocket participant. A participant may refer others and may have been
// referred.
type Participant struct {
	ID         string `json:",omitzero"`
	CampaignID string `json:",omitzero"`
	// Email is the participant's address as given; lookups by email are
	// case-insensitive.
	Email string `json:",omitzero"`
	// Phone, CryptoWallet and OtherIdentifier are alternative unique
	// identifiers (ReferralHero campaigns may identify subscribers by them).
	Phone           string `json:",omitzero"`
	CryptoWallet    string `json:",omitzero"`
	OtherIdentifier string `json:",omitzero"`
	FirstName       string `json:",omitzero"`
	LastName        string `json:",omitzero"`
	// ReferralCode is the participant's own code, unique in the campaign.
	ReferralCode string `json:",omitzero"`
	// ReferrerID is the participant who referred this one, "" when direct.
	ReferrerID string `json:",omitzero"`
	// ReferralState is the state of the referral that brought this
	// participant in, "" when direct.
	ReferralState ReferralState `json:",omitzero"`
	// Source is how the participant arrived: a share channel (twitter,
	// facebook, linkedin, whatsapp, email) or a vendor's source string.
	Source   string            `json:",omitzero"`
	Metadata map[string]string `json:",omitzero"`
	Notes    string            `json:",omitzero"`
	// VanityKeys are extra codes that also resolve to this participant.
	VanityKeys   []string `json:",omitzero"`
	Unsubscribed bool     `json:",omitzero"`
	// Verified is set when the participant confirmed their email.
	Verified   bool       `json:",omitzero"`
	VerifiedAt *time.Time `json:",omitzero"`
	// Points are contest points (ReferralHero).
	Points     int64      `json:",omitzero"`
	Promoted   bool       `json:",omitzero"`
	PromotedAt *time.Time `json:",omitzero"`
	// Affiliate holds what affiliate programs know about the participant.
	Affiliate Affiliate `json:",omitzero"`
	// IPAddress, Fingerprint, MobileInstanceID, Device, OS and ScreenSize
	// are anti-fraud and analytics signals from signup.
	IPAddress        string    `json:",omitzero"`
	Fingerprint      string    `json:",omitzero"`
	MobileInstanceID string    `json:",omitzero"`
	Device           string    `json:",omitzero"`
	OS               string    `json:",omitzero"`
	ScreenSize       string    `json:",omitzero"`
	Fraud            Fraud     `json:",omitzero"`
	CreatedAt        time.Time `json:",omitzero"`
	UpdatedAt        time.Time `json:",omitzero"`
	// Stats are computed on reads and ignored on writes.
	Stats  ParticipantStats `json:",omitzero"`
	Native Native           `json:",omitzero"`
}

// Name joins the first and last name with a space.
func (p Participant) Name() string {
	return strings.TrimSpace(p.FirstName + " " + p.LastName)
}

// SplitName splits a single full name at its first space into first and
// last name, so that SplitName(p.Name()) restores both parts.
func SplitName(full string) (first, last string) {
	first, last, _ = strings.Cut(strings.TrimSpace(full), " ")
	return first, last
}

// AffiliateState is an affiliate's standing in an affiliate program.
type AffiliateState string

// Affiliate states.
const (
	AffiliateActive     AffiliateState = "active"
	AffiliateSuspicious AffiliateState = "suspicious"
	AffiliateSuspended  AffiliateState = "suspended"
	AffiliateBanned     AffiliateState = "banned"
)

// Affiliate is what affiliate programs keep about a participant.
type Affiliate struct {
	IsAffiliate bool           `json:",omitzero"`
	State       AffiliateState `json:",omitzero"`
	PaypalEmail string         `json:",omitzero"`
	WiseEmail   string         `json:",omitzero"`
	// StripeCustomerID makes the affiliate a customer-referrer (Rewardful).
	StripeCustomerID string `json:",omitzero"`
	StripeAccountID  string `json:",omitzero"`
	// NoCommissionEmails turns off new-commission notifications.
	NoCommissionEmails bool `json:",omitzero"`
}

// FraudRisk is a participant's fraud risk level.
type FraudRisk string

// Fraud risk levels.
const (
	RiskNone   FraudRisk = ""
	RiskLow    FraudRisk = "LOW"
	RiskMedium FraudRisk = "MEDIUM"
	RiskHigh   FraudRisk = "HIGH"
)

// Fraud reason codes.
const (
	ReasonUniqueIdentity    = "UNIQUE_IDENTITY"
	ReasonDuplicateEmail    = "DUPLICATE_EMAIL"
	ReasonDuplicateIdentity = "DUPLICATE_IDENTITY"
	ReasonSelfReferral      = "SELF_REFERRAL"
	ReasonSharedIP          = "SHARED_IP"
	ReasonManualUpdate      = "MANUAL_UPDATE"
)

// Fraud is a participant's fraud assessment.
type Fraud struct {
	Risk   FraudRisk `json:",omitzero"`
	Reason string    `json:",omitzero"`
}

// ParticipantStats are a participant's counters and ranks, computed by the
// backend on every read.
type ParticipantStats struct {
	// Referrals counts credited referrals (GrowSurf referralCount,
	// ReferralHero people_referred, iRefer referrals_made).
	Referrals int `json:",omitzero"`
	// ReferredSignups counts every referred signup whatever its state
	// (Referral Rocket totalReferrals).
	ReferredSignups      int `json:",omitzero"`
	PendingReferrals     int `json:",omitzero"`
	UnconfirmedReferrals int `json:",omitzero"`
	// MonthlyReferrals and PrevMonthReferrals count credited referrals in
	// the current and the previous calendar month (UTC).
	MonthlyReferrals   int `json:",omitzero"`
	PrevMonthReferrals int `json:",omitzero"`
	// Level2Referrals and Level3Referrals count credited referrals of
	// referrals, two and three levels down.
	Level2Referrals int `json:",omitzero"`
	Level3Referrals int `json:",omitzero"`
	// Rank is the 1-based all-time position by credited referrals, ties
	// going to the earlier participant. MonthlyRank ranks the current
	// month; PrevMonthlyRank the previous one, 0 when the participant was
	// not in the campaign then.
	Rank            int `json:",omitzero"`
	MonthlyRank     int `json:",omitzero"`
	PrevMonthlyRank int `json:",omitzero"`
	// PointsRank is the position by points (contests).
	PointsRank        int `json:",omitzero"`
	Impressions       int `json:",omitzero"`
	UniqueImpressions int `json:",omitzero"`
	Invites           int `json:",omitzero"`
	// Shares counts shares per channel.
	Shares map[string]int `json:",omitzero"`
	// Visitors, Leads and Conversions are the affiliate funnel counters.
	Visitors    int `json:",omitzero"`
	Leads       int `json:",omitzero"`
	Conversions int `json:",omitzero"`
	// ReferrerRewards and ReferredRewards total the values of rewards
	// earned as referrer and as referred friend; the Redeemed amounts are
	// the fulfilled parts.
	ReferrerRewards         Money `json:",omitzero"`
	ReferrerRewardsRedeemed Money `json:",omitzero"`
	ReferredRewards         Money `json:",omitzero"`
	ReferredRewardsRedeemed Money `json:",omitzero"`
	// RewardsEarned counts earned rewards of every status but canceled.
	RewardsEarned int `json:",omitzero"`
	// Qualified is set once the participant's own referral was credited
	// through a qualifying event (Referral Rocket rewardEventCompleted).
	Qualified bool `json:",omitzero"`
}

// ParticipantRef addresses a participant by exactly one of its keys.
type ParticipantRef struct {
	ID    string `json:",omitzero"`
	Email string `json:",omitzero"`
	// Code matches the referral code or a vanity key.
	Code string `json:",omitzero"`
	// Identifier matches email, phone, crypto wallet or other identifier.
	Identifier string `json:",omitzero"`
}

// ByID addresses a participant by ID.
func ByID(id string) ParticipantRef { return ParticipantRef{ID: id} }

// ByEmail addresses a participant by email (case-insensitive).
func ByEmail(email string) ParticipantRef { return ParticipantRef{Email: email} }

// ByCode addresses a participant by referral code or vanity key.
func ByCode(code string) ParticipantRef { return ParticipantRef{Code: code} }

// ByIdentifier addresses a participant by any unique identifier.
func ByIdentifier(v string) ParticipantRef { return ParticipantRef{Identifier: v} }

// IsZero reports whether r addresses nobody.
func (r ParticipantRef) IsZero() bool {
	return r.ID == "" && r.Email == "" && r.Code == "" && r.Identifier == ""
}

// String describes r for error messages.
func (r ParticipantRef) String() string {
	switch {
	case r.ID != "":
		return "id " + r.ID
	case r.Email != "":
		return "email " + r.Email
	case r.Code != "":
		return "code " + r.Code
	case r.Identifier != "":
		return "identifier " + r.Identifier
	}
	return "nobody"
}

// NewParticipant is the input of CreateParticipant: the participant's own
// fields plus how they were referred.
type NewParticipant struct {
	// Participant carries the fields to store; ID, ReferrerID and Stats are
	// ignored. ReferralCode, when set, must be unused in the campaign.
	Participant
	// Referrer, when set and resolvable in the campaign, attributes the
	// new participant to that referrer. An unresolvable referrer is ignored
	// unless RequireReferrer is set.
	Referrer        ParticipantRef `json:",omitzero"`
	RequireReferrer bool           `json:",omitzero"`
	// InitialState forces the new referral's state (GrowSurf
	// referralStatus, ReferralHero status=custom_event_pending); empty
	// derives it from the campaign's Qualification.
	InitialState ReferralState `json:",omitzero"`
	// VisitorID attaches an anonymous visitor referral (see RecordVisit)
	// to the new participant, making it a lead.
	VisitorID string `json:",omitzero"`
}

// ParticipantPatch changes the non-nil fields of a participant.
type ParticipantPatch struct {
	Email           *string `json:",omitzero"`
	Phone           *string `json:",omitzero"`
	CryptoWallet    *string `json:",omitzero"`
	OtherIdentifier *string `json:",omitzero"`
	FirstName       *string `json:",omitzero"`
	LastName        *string `json:",omitzero"`
	Source          *string `json:",omitzero"`
	// Metadata replaces the whole metadata map.
	Metadata     map[string]string `json:",omitzero"`
	Notes        *string           `json:",omitzero"`
	VanityKeys   *[]string         `json:",omitzero"`
	Unsubscribed *bool             `json:",omitzero"`
	Verified     *bool             `json:",omitzero"`
	Points       *int64            `json:",omitzero"`
	// ReferralState moves the participant's own referral to a state.
	ReferralState *ReferralState `json:",omitzero"`
	// Referrer re-attributes the participant; a zero ref removes the
	// referrer.
	Referrer  *ParticipantRef `json:",omitzero"`
	Affiliate *Affiliate      `json:",omitzero"`
	// CampaignID moves the participant (a Rewardful affiliate) to another
	// campaign of the account.
	CampaignID *string `json:",omitzero"`
	Fraud      *Fraud  `json:",omitzero"`
	// Native values are merged key by key; a nil value deletes a key.
	Native Native `json:",omitzero"`
}
