package referralhero

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// SignatureHeader carries a delivery's signature when its endpoint has a
// secret (the vendor's "Payload Verification" toggle): the Base64
// HMAC-SHA256 of the raw body keyed with the secret. The vendor's Ruby
// sample loads base64, so refbridge encodes it so (the spec notes the
// choice).
const SignatureHeader = "X-ReferralHero-Signature"

// events are the vendor's webhook events. Subscriber events carry the
// subscriber's own fields; reward events add the reward. bonus_unlocked
// is the older docs' name of reward_unlocked: an endpoint subscribed by
// that name gets the event under it.
var events = surface.WebhookEvents{
	{Name: "new_registration", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}},
	{Name: "subscriber_promoted", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantPromoted}},
	// A confirmed email always comes with the participant.updated of the
	// same write, which announces it (once).
	{Name: "subscriber_updated", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantUpdated}},
	{Name: "subscriber_deleted", Kinds: []canonical.ChangeKind{canonical.ChangeParticipantDeleted}},
	{Name: "reward_unlocked", Kinds: []canonical.ChangeKind{canonical.ChangeRewardEarned}},
	{Name: "bonus_unlocked", Kinds: []canonical.ChangeKind{canonical.ChangeRewardEarned}},
	{Name: "reward_sent", Kinds: []canonical.ChangeKind{canonical.ChangeRewardFulfilled}},
}

// EventNames lists the vendor's webhook event names.
func EventNames() []string { return events.Names() }

// policy is the vendor's documented schedule: 3 retries over 5 minutes
// (after 1, 3 and 5 minutes), the webhook disabled after 10 consecutive
// failures, and only a 200 acknowledges. The attempt timeout is not
// documented; 10 seconds is refbridge's choice.
var policy = surface.WebhookPolicy{
	Retries:      []time.Duration{time.Minute, 2 * time.Minute, 2 * time.Minute},
	DisableAfter: 10,
	Timeout:      10 * time.Second,
	Success:      func(status int) bool { return status == 200 },
}

var _ surface.WebhookSurface = (*Surface)(nil)

// Webhooks implements surface.WebhookSurface.
func (s *Surface) Webhooks(cfg surface.Config) surface.Webhooks {
	return &webhooks{ids: NewIDs(cfg.IDSecret), eventIDs: surface.NewEventIDs(cfg.IDSecret)}
}

// webhooks renders ReferralHero's webhooks in one installation.
type webhooks struct {
	ids      *IDs
	eventIDs surface.EventIDs
}

// Kinds implements surface.Webhooks.
func (w *webhooks) Kinds(names []string) ([]canonical.ChangeKind, error) {
	return events.Kinds(canonical.ReferralHero, names)
}

// Policy implements surface.Webhooks.
func (w *webhooks) Policy() surface.WebhookPolicy { return policy }

// referralSubscriberDeleted is the payload's referral when the
// subscriber's referrer no longer exists.
const referralSubscriberDeleted = "subscriber_deleted"

// webhookReferral is the payload's summary of the subscriber's referrer.
type webhookReferral struct {
	Name           string `json:"name"`
	Email          string `json:"email"`
	Code           string `json:"code"`
	PeopleReferred int    `json:"people_referred"`
	Points         int64  `json:"points"`
}

// webhookPayload is the vendor's flat webhook payload, keys in the
// documented order; Reward is set on reward events only.
type webhookPayload struct {
	ListUUID     string `json:"list_uuid"`
	SubscriberID string `json:"subscriber_id"`
	Response     string `json:"response"`
	Name         string `json:"name"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Email        string `json:"email"`
	ExtraField   string `json:"extra_field"`
	ExtraField2  string `json:"extra_field_2"`
	Code         string `json:"code"`
	Source       string `json:"source"`
	Referred     bool   `json:"referred"`
	// Referral is "" when not referred, a webhookReferral, or
	// "subscriber_deleted".
	Referral     any           `json:"referral"`
	ReferralLink string        `json:"referral_link"`
	PeopleAhead  int           `json:"people_ahead"`
	CreatedAt    int64         `json:"created_at"`
	Reward       *unlockedJSON `json:"reward,omitempty"`
}

// Render implements surface.Webhooks: the flat payload of the event the
// change goes out as, signed when the endpoint has a secret. Changes no
// event announces, or that the endpoint's events leave out, are not
// rendered.
func (w *webhooks) Render(c canonical.Change, e canonical.WebhookEndpoint, _ string, _ time.Time) (surface.WebhookRequest, bool, error) {
	name, ok := events.Name(c.Kind, e.Events, nil)
	if !ok {
		return surface.WebhookRequest{}, false, nil
	}
	p, err := w.payload(name, c)
	if err != nil {
		return surface.WebhookRequest{}, false, err
	}
	req, err := surface.NewWebhookRequest(p, w.eventIDs.Encode(c.ID))
	if err != nil {
		return surface.WebhookRequest{}, false, fmt.Errorf("referralhero webhook %s: %w", c.ID, err)
	}
	if e.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(e.Secret, req.Body))
	}
	return req, true, nil
}

// Sign is the signature of body under secret: the Base64 HMAC-SHA256.
func Sign(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(surface.HMACSHA256([]byte(secret), body))
}

// payload renders change c as event name: the subscriber (for reward
// events the reward's owner) as the REST surface renders it, so ids,
// codes, links and counts agree with what the API answers.
func (w *webhooks) payload(name string, c canonical.Change) (webhookPayload, error) {
	if c.Participant == nil {
		return webhookPayload{}, fmt.Errorf("referralhero webhook: %s change %s carries no participant", c.Kind, c.ID)
	}
	p := *c.Participant
	view := listView{UUID: w.ids.ListUUID(c.CampaignID)}
	if c.Campaign != nil {
		view.SiteURL, view.Contest = c.Campaign.URL, c.Campaign.Kind == canonical.ContestProgram
	}
	// Change.Referrer is the participant's referrer: the engine names it
	// on every change of a referred participant while it exists.
	s := renderSubscriber(w.ids, p, view, c.Referrer)
	if s.ID == "" || view.UUID == "" {
		return webhookPayload{}, fmt.Errorf("referralhero webhook: change %s names subscriber %q of list %q, which have no ReferralHero ids",
			c.ID, p.ID, c.CampaignID)
	}
	out := webhookPayload{
		ListUUID: view.UUID, SubscriberID: s.ID, Response: name,
		Name: p.Name(), FirstName: p.FirstName, LastName: p.LastName, Email: p.Email,
		ExtraField: s.ExtraField, ExtraField2: s.ExtraField2, Code: s.Code, Source: s.Source,
		Referred: s.Referred, Referral: "", ReferralLink: s.ReferralLink, CreatedAt: s.CreatedAt,
	}
	if s.Position != nil && *s.Position > 0 {
		out.PeopleAhead = *s.Position - 1
	}
	switch {
	case p.ReferrerID == "":
	case c.Referrer != nil && c.Referrer.ID == p.ReferrerID:
		r := c.Referrer
		out.Referral = webhookReferral{Name: r.Name(), Email: r.Email, Code: r.ReferralCode,
			PeopleReferred: r.Stats.Referrals, Points: r.Points}
	default:
		out.Referral = referralSubscriberDeleted
	}
	if c.Kind == canonical.ChangeRewardEarned || c.Kind == canonical.ChangeRewardFulfilled {
		if c.Reward == nil {
			return webhookPayload{}, fmt.Errorf("referralhero webhook: %s change %s carries no reward", c.Kind, c.ID)
		}
		u := renderUnlocked(w.ids, *c.Reward, c.Rule, p)
		out.Reward = &u
	}
	return out, nil
}
