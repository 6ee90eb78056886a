package referralrocket

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// SignatureHeader carries a delivery's signature when its endpoint has a
// secret: the lowercase hex HMAC-SHA256 of the raw body. The key is the
// secret's UTF-8 bytes (the docs' Java sample); an endpoint whose native
// "secretEncoding" is "hex" is keyed with the hex-decoded secret instead
// (the docs' JavaScript sample). The docs disagree; the spec notes it.
const SignatureHeader = "X-RR-Signature"

// Native key of a webhook endpoint choosing the signature key encoding.
const nativeSecretEncoding = "secretEncoding"

// Event names. Only referrer_added is confirmed by a sample; the other
// two are the documented events ("Referee Created", "Participant
// unlocked a Reward") under the names refbridge chose by analogy.
const (
	eventReferrerAdded  = "referrer_added"
	eventRefereeAdded   = "referee_added"
	eventRewardUnlocked = "reward_unlocked"
)

// events are the vendor's webhook events. A signup goes out as
// referrer_added when direct, referee_added when referred.
var events = surface.WebhookEvents{
	{Name: eventReferrerAdded, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}},
	{Name: eventRefereeAdded, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}},
	{Name: eventRewardUnlocked, Kinds: []canonical.ChangeKind{canonical.ChangeRewardEarned}},
}

// EventNames lists the vendor's webhook event names.
func EventNames() []string { return events.Names() }

// policy is "exponential back-off for several days, then undeliverable":
// refbridge retries after 1 and 5 minutes, then 15 minutes, 1, 3, 6 and
// 12 hours, then daily three times (3 days 22 hours 21 minutes in all), and never
// turns the endpoint off. Any 2xx acknowledges; 10 seconds bound an
// attempt.
var policy = surface.WebhookPolicy{
	Retries: []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour,
		6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour},
	Timeout: 10 * time.Second,
}

var _ surface.WebhookSurface = (*Surface)(nil)

// Webhooks implements surface.WebhookSurface.
func (s *Surface) Webhooks(cfg surface.Config) surface.Webhooks {
	return &webhooks{ids: NewIDs(cfg.IDSecret), eventIDs: surface.NewEventIDs(cfg.IDSecret)}
}

// webhooks renders Referral Rocket's webhooks in one installation.
type webhooks struct {
	ids      IDs
	eventIDs surface.EventIDs
}

// Kinds implements surface.Webhooks.
func (w *webhooks) Kinds(names []string) ([]canonical.ChangeKind, error) {
	return events.Kinds(canonical.ReferralRocket, names)
}

// Policy implements surface.Webhooks.
func (w *webhooks) Policy() surface.WebhookPolicy { return policy }

// webhookEnvelope is the vendor's webhook body.
type webhookEnvelope struct {
	EventType string             `json:"eventType"`
	Data      webhookParticipant `json:"data"`
	// CreatedAt and UpdatedAt are Unix milliseconds.
	CreatedAt int64 `json:"createdAt"`
	UpdatedAt int64 `json:"updatedAt"`
}

// webhookParticipant is the participant snapshot of a webhook, named as
// the vendor names it there (unlike ParticipantResponse).
type webhookParticipant struct {
	ParticipantID               int64   `json:"participantId"`
	FirstName                   string  `json:"firstName"`
	LastName                    string  `json:"lastName"`
	Email                       string  `json:"email"`
	Code                        string  `json:"code"`
	CampaignID                  string  `json:"campaignId"`
	ReferredByCode              *string `json:"referredByCode"`
	ReferralReward              int64   `json:"referralReward"`
	ReferralRewardBalance       int64   `json:"referralRewardBalance"`
	ReferralRewardRedeemed      int64   `json:"referralRewardRedeemed"`
	RefereeReward               int64   `json:"refereeReward"`
	RefereeRewardBalance        int64   `json:"refereeRewardBalance"`
	RefereeRewardRedeemed       int64   `json:"refereeRewardRedeemed"`
	RefereeActionCompleted      bool    `json:"refereeActionCompleted"`
	RefereeActionCompletedLabel *string `json:"refereeActionCompletedLabel"`
	RewardType                  *string `json:"rewardType"`
	RewardCurrency              string  `json:"rewardCurrency"`
	CreatedOn                   string  `json:"createdOn"`
	UpdatedOn                   string  `json:"updatedOn"`
	Approval                    bool    `json:"approval"`
	TotalReferred               int     `json:"totalReferred"`
	TotalCompletedReferred      int     `json:"totalCompletedReferred"`
	AmountPaid                  int64   `json:"amountPaid"`
	PaymentCount                int     `json:"paymentCount"`
	RevenueGenerated            int64   `json:"revenueGenerated"`
	RewardDue                   int64   `json:"rewardDue"`
	RewardPaid                  int64   `json:"rewardPaid"`
	Score                       string  `json:"score"`
	ImpressionCount             int     `json:"impressionCount"`
}

// Render implements surface.Webhooks: the {eventType, data, createdAt,
// updatedAt} body of the event the change goes out as, signed when the
// endpoint has a secret. Both timestamps are the change's time, so every
// attempt sends the same bytes.
func (w *webhooks) Render(c canonical.Change, e canonical.WebhookEndpoint, _ string, _ time.Time) (surface.WebhookRequest, bool, error) {
	if c.Participant == nil {
		if _, ok := events.Name(c.Kind, e.Events, nil); ok {
			return surface.WebhookRequest{}, false, fmt.Errorf("referralrocket webhook: %s change %s carries no participant", c.Kind, c.ID)
		}
		return surface.WebhookRequest{}, false, nil
	}
	referred := c.Participant.ReferrerID != ""
	name, ok := events.Name(c.Kind, e.Events, func(name string) bool {
		switch name {
		case eventReferrerAdded:
			return !referred
		case eventRefereeAdded:
			return referred
		}
		return true
	})
	if !ok {
		return surface.WebhookRequest{}, false, nil
	}
	data := w.participant(c)
	if data.ParticipantID == 0 || data.CampaignID == "" {
		return surface.WebhookRequest{}, false, fmt.Errorf("referralrocket webhook: change %s names participant %q of campaign %q, which have no Referral Rocket ids",
			c.ID, c.Participant.ID, c.CampaignID)
	}
	ms := c.At.UnixMilli()
	body := webhookEnvelope{EventType: name, Data: data, CreatedAt: ms, UpdatedAt: ms}
	req, err := surface.NewWebhookRequest(body, w.eventIDs.Encode(c.ID))
	if err != nil {
		return surface.WebhookRequest{}, false, fmt.Errorf("referralrocket webhook %s: %w", c.ID, err)
	}
	if e.Secret != "" {
		key := []byte(e.Secret)
		if v, _ := e.Native.Get(canonical.ReferralRocket, nativeSecretEncoding); v == "hex" {
			if k, err := hex.DecodeString(e.Secret); err == nil {
				key = k
			}
		}
		req.Header.Set(SignatureHeader, Sign(key, req.Body))
	}
	return req, true, nil
}

// Sign is the signature of body under key: the lowercase hex HMAC-SHA256.
func Sign(key, body []byte) string { return hex.EncodeToString(surface.HMACSHA256(key, body)) }

// participant renders the change's participant as the webhook's data,
// with the REST surface's reward amounts, counts and fraud score, so the
// two agree. refbridge keeps no per-participant payment or revenue totals:
// amountPaid and rewardPaid are the fulfilled reward value, rewardDue the
// unfulfilled, paymentCount and revenueGenerated 0 (the spec notes it).
func (w *webhooks) participant(c canonical.Change) webhookParticipant {
	p := *c.Participant
	campaignID, _ := w.ids.EncodeCampaignID(c.CampaignID)
	var referrerCode *string
	if c.Referrer != nil && c.Referrer.ID == p.ReferrerID && p.ReferrerID != "" {
		code := c.Referrer.ReferralCode
		referrerCode = &code
	}
	r := toParticipant(p, campaignRef{ID: campaignID}, referrerCode)
	out := webhookParticipant{
		ParticipantID: w.ids.EncodeParticipantID(p.ID), FirstName: p.FirstName, LastName: p.LastName, Email: p.Email,
		Code: p.ReferralCode, CampaignID: campaignID, ReferredByCode: referrerCode,
		ReferralReward: r.ReferralReward, ReferralRewardBalance: r.ReferralRewardBalance, ReferralRewardRedeemed: r.ReferralRewardRedeemed,
		RefereeReward: r.RefereeReward, RefereeRewardBalance: r.RefereeRewardBalance, RefereeRewardRedeemed: r.RefereeRewardRedeemed,
		RefereeActionCompleted: r.RewardEventCompleted, RewardCurrency: "USD",
		CreatedOn: r.CreatedOn, UpdatedOn: formatTime(p.UpdatedAt),
		Approval:      p.Affiliate.State != canonical.AffiliateSuspended && p.Affiliate.State != canonical.AffiliateBanned,
		TotalReferred: r.TotalReferrals, TotalCompletedReferred: p.Stats.Referrals,
		AmountPaid: r.ReferralRewardRedeemed + r.RefereeRewardRedeemed, RewardPaid: r.ReferralRewardRedeemed + r.RefereeRewardRedeemed,
		RewardDue: r.ReferralRewardBalance + r.RefereeRewardBalance,
		Score:     r.FraudScore, ImpressionCount: p.Stats.Impressions,
	}
	if p.UpdatedAt.IsZero() {
		out.UpdatedOn = out.CreatedOn
	}
	if c.Campaign != nil {
		if c.Campaign.Currency != "" {
			out.RewardCurrency = c.Campaign.Currency
		}
		if t := nativeString(c.Campaign.Native, nativeRewardType, ""); t != "" {
			out.RewardType = &t
		}
	}
	return out
}
