package growsurf

import (
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

var _ surface.WebhookSurface = (*Surface)(nil)

// Webhooks implements surface.WebhookSurface: GrowSurf's webhook events,
// rendered with the installation's ID codecs so that a webhook's ids are
// the ones GrowSurf's REST surface shows.
func (*Surface) Webhooks(cfg surface.Config) surface.Webhooks {
	return &webhookRenderer{ids: newIDCodecs(cfg.IDSecret), events: surface.NewEventIDs(cfg.IDSecret)}
}

// GrowSurf's webhook events (the WebhookEvent enum of the spec).
const (
	eventGoal        = "PARTICIPANT_REACHED_A_GOAL"
	eventParticipant = "NEW_PARTICIPANT_ADDED"
	eventFraud       = "PARTICIPANT_FRAUD_STATUS_UPDATED"
	eventEnded       = "CAMPAIGN_ENDED"
	eventCommission  = "NEW_COMMISSION_ADDED"
	eventAdjusted    = "COMMISSION_ADJUSTED"
	eventPayout      = "NEW_PAYOUT_ISSUED"
)

// webhookEvents are the canonical changes each GrowSurf event announces.
// A goal is announced when a reward is earned and again when a held
// reward is approved (GrowSurf: "once pending, once approved"); an
// adjusted commission covers refunds and chargebacks, which void or
// shrink it; a payout is announced once issued (paid).
var webhookEvents = surface.WebhookEvents{
	{Name: eventGoal, Kinds: []canonical.ChangeKind{canonical.ChangeRewardEarned, canonical.ChangeRewardApproved}},
	{Name: eventParticipant, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}},
	{Name: eventFraud, Kinds: []canonical.ChangeKind{canonical.ChangeParticipantFraudChanged}},
	{Name: eventEnded, Kinds: []canonical.ChangeKind{canonical.ChangeCampaignEnded}},
	{Name: eventCommission, Kinds: []canonical.ChangeKind{canonical.ChangeCommissionCreated}},
	{Name: eventAdjusted, Kinds: []canonical.ChangeKind{canonical.ChangeCommissionAdjusted, canonical.ChangeCommissionVoided}},
	{Name: eventPayout, Kinds: []canonical.ChangeKind{canonical.ChangePayoutPaid}},
}

// signatureHeader carries GrowSurf's signature: ts=<unix ms>,v=<hex of
// HMAC-SHA256(secret, ts + "." + body)>.
const signatureHeader = "GrowSurf-Signature"

// webhookRenderer renders GrowSurf's webhooks in one installation.
type webhookRenderer struct {
	ids    *idCodecs
	events surface.EventIDs
}

// Kinds implements surface.Webhooks.
func (*webhookRenderer) Kinds(events []string) ([]canonical.ChangeKind, error) {
	return webhookEvents.Kinds(canonical.GrowSurf, events)
}

// Policy implements surface.Webhooks. GrowSurf documents exponential
// backoff and switching a failing webhook off
// (autoDisabledDueToFailures) without figures; refbridge's choice (the
// spec's x-refbridge-note on WebhookEnvelope) is seven retries over 44 h 36 min
// in all, and the webhook off after 15 failed attempts in a
// row.
func (*webhookRenderer) Policy() surface.WebhookPolicy {
	return surface.WebhookPolicy{
		Retries: []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour,
			12 * time.Hour, 24 * time.Hour},
		DisableAfter: 15,
		Timeout:      10 * time.Second,
	}
}

// Render implements surface.Webhooks: the event the change goes out as,
// unless the endpoint's events leave it out; GrowSurf's payload has no
// event id, so the request carries surface.EventIDHeader.
func (r *webhookRenderer) Render(ch canonical.Change, ep canonical.WebhookEndpoint, _ string, at time.Time) (surface.WebhookRequest, bool, error) {
	if _, ok := webhookEvents.Name(ch.Kind, ep.Events, nil); !ok {
		return surface.WebhookRequest{}, false, nil
	}
	event, data, ok := r.payload(ch)
	if !ok {
		return surface.WebhookRequest{}, false, nil
	}
	req, err := surface.NewWebhookRequest(webhookPayload{Event: event, CreatedAt: ms(ch.At), Data: data}, r.events.Encode(ch.ID))
	if err != nil {
		return surface.WebhookRequest{}, false, canonical.Wrap(canonical.Internal, err, "render GrowSurf webhook")
	}
	if ep.Secret != "" {
		req.Header.Set(signatureHeader, sign(ep.Secret, at, req.Body))
	}
	return req, true, nil
}

// sign is GrowSurf's signature of body sent at t.
func sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(ms(t), 10)
	return "ts=" + ts + ",v=" + hex.EncodeToString(surface.HMACSHA256([]byte(secret), append([]byte(ts+"."), body...)))
}

// webhookPayload is GrowSurf's envelope.
type webhookPayload struct {
	Event     string `json:"event"`
	CreatedAt int64  `json:"createdAt"`
	Data      any    `json:"data"`
}

// campaignSummaryOut is the program in a webhook's data: what the event
// knows of it (the counters of GET /campaign are not part of an event).
type campaignSummaryOut struct {
	ID          string  `json:"id"`
	Name        string  `json:"name,omitempty"`
	Type        string  `json:"type,omitempty"`
	Status      string  `json:"status,omitempty"`
	CurrencyISO *string `json:"currencyISO,omitempty"`
}

// eventParticipantOut is a participant in a webhook: GrowSurf's
// Participant plus, in a goal event, the other side of the referral.
type eventParticipantOut struct {
	participantOut
	Referee *refereeOut `json:"referee,omitempty"`
}

// refereeOut is the friend whose referral earned a referrer's reward.
type refereeOut struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
}

// goalRewardOut is a goal event's reward: the CampaignReward merged with
// the ParticipantReward (id is the ParticipantReward's, rewardId the
// CampaignReward's).
type goalRewardOut struct {
	rewardOut
	RewardID   string `json:"rewardId"`
	Approved   bool   `json:"approved"`
	IsReferrer bool   `json:"isReferrer"`
	ReferrerID string `json:"referrerId,omitempty"`
	ReferredID string `json:"referredId,omitempty"`
}

// The data of each event.
type (
	participantData struct {
		Participant eventParticipantOut `json:"participant"`
		Campaign    campaignSummaryOut  `json:"campaign"`
		Referrer    *referrerOut        `json:"referrer,omitempty"`
	}
	goalData struct {
		Participant eventParticipantOut `json:"participant"`
		Reward      goalRewardOut       `json:"reward"`
		Campaign    campaignSummaryOut  `json:"campaign"`
	}
	campaignData struct {
		Campaign campaignSummaryOut `json:"campaign"`
	}
	commissionData struct {
		Commission  commissionOut       `json:"commission"`
		Participant eventParticipantOut `json:"participant"`
		Campaign    campaignSummaryOut  `json:"campaign"`
	}
	payoutData struct {
		Payout      payoutOut           `json:"payout"`
		Participant eventParticipantOut `json:"participant"`
		Campaign    campaignSummaryOut  `json:"campaign"`
	}
)

// payload builds the event name and data of a change; ok is false when
// GrowSurf announces nothing for it (a kind it has no event for, an event
// of the other program type, a change without the entities its event
// shows).
func (r *webhookRenderer) payload(ch canonical.Change) (event string, data any, ok bool) {
	event, ok = webhookEvents.Name(ch.Kind, nil, nil)
	if !ok {
		return "", nil, false
	}
	camp := canonical.Campaign{ID: ch.CampaignID}
	if ch.Campaign != nil {
		camp = *ch.Campaign
		if camp.ID == "" {
			camp.ID = ch.CampaignID
		}
	}
	known := ch.Campaign != nil
	summary := r.campaign(camp, known)
	switch event {
	case eventParticipant:
		if ch.Participant == nil {
			return "", nil, false
		}
		d := participantData{Participant: r.participant(*ch.Participant, camp, nil, ch.At), Campaign: summary}
		if ch.Referrer != nil {
			d.Referrer = toReferrer(r.ids, *ch.Referrer, camp, false)
		}
		return event, d, true
	case eventFraud:
		if ch.Participant == nil {
			return "", nil, false
		}
		return event, participantData{Participant: r.participant(*ch.Participant, camp, nil, ch.At), Campaign: summary}, true
	case eventEnded:
		return event, campaignData{Campaign: summary}, true
	case eventGoal:
		return r.goal(ch, camp, summary)
	case eventCommission, eventAdjusted:
		// Affiliate programs only.
		if ch.Commission == nil || ch.Participant == nil || (known && camp.Kind != canonical.AffiliateProgram) {
			return "", nil, false
		}
		return event, commissionData{Commission: toCommission(r.ids, *ch.Commission, camp),
			Participant: r.participant(*ch.Participant, camp, nil, ch.At), Campaign: summary}, true
	case eventPayout:
		if ch.Payout == nil || ch.Participant == nil || (known && camp.Kind != canonical.AffiliateProgram) {
			return "", nil, false
		}
		return event, payoutData{Payout: toPayout(r.ids, *ch.Payout, camp),
			Participant: r.participant(*ch.Participant, camp, nil, ch.At), Campaign: summary}, true
	}
	return "", nil, false
}

// goal renders PARTICIPANT_REACHED_A_GOAL: referral programs only; a
// reward's approval is announced only where approval is manual (elsewhere
// the earned reward was announced approved already).
func (r *webhookRenderer) goal(ch canonical.Change, camp canonical.Campaign, summary campaignSummaryOut) (string, any, bool) {
	known := ch.Campaign != nil
	if ch.Reward == nil || ch.Participant == nil || (known && camp.Kind == canonical.AffiliateProgram) {
		return "", nil, false
	}
	if ch.Kind == canonical.ChangeRewardApproved && known && !camp.ManualApproval {
		return "", nil, false
	}
	p := *ch.Participant
	won, ok := toParticipantReward(r.ids, *ch.Reward, p)
	if !ok {
		return "", nil, false
	}
	rule := canonical.RewardRule{ID: ch.Reward.RuleID, Kind: canonical.SingleSided}
	if ch.Rule != nil {
		rule = *ch.Rule
	} else if i := slices.IndexFunc(camp.Rules, func(x canonical.RewardRule) bool { return x.ID == ch.Reward.RuleID }); i >= 0 {
		rule = camp.Rules[i]
	}
	base, ok := toReward(r.ids, rule)
	if !ok {
		return "", nil, false
	}
	base.ID = won.ID
	reward := goalRewardOut{rewardOut: base, RewardID: won.RewardID, Approved: won.Approved, IsReferrer: won.IsReferrer,
		ReferrerID: won.ReferrerID, ReferredID: won.ReferredID}
	who := r.participant(p, camp, []canonical.EarnedReward{*ch.Reward}, ch.At)
	if ch.Reward.IsReferrer && ch.Referred != nil {
		who.Referee = &refereeOut{ID: r.ids.participant.encode(ch.Referred.ID), Email: ch.Referred.Email,
			FirstName: strOrNull(ch.Referred.FirstName), LastName: strOrNull(ch.Referred.LastName)}
	}
	if !ch.Reward.IsReferrer && ch.Referrer != nil {
		who.Referrer = toReferrer(r.ids, *ch.Referrer, camp, false)
	}
	return eventGoal, goalData{Participant: who, Reward: reward, Campaign: summary}, true
}

// participant renders p as GET /participant does, from what the event
// carries: its rewards are those the event concerns, its referral lists
// empty (an event holds no lists).
func (r *webhookRenderer) participant(p canonical.Participant, camp canonical.Campaign, rewards []canonical.EarnedReward, now time.Time) eventParticipantOut {
	return eventParticipantOut{participantOut: toParticipant(r.ids, p, camp, participantExtras{Rewards: rewards}, now)}
}

// campaign renders the program summary; known is false when the change
// names the campaign only by id.
func (r *webhookRenderer) campaign(c canonical.Campaign, known bool) campaignSummaryOut {
	out := campaignSummaryOut{ID: r.ids.campaign.encode(c.ID)}
	if known {
		out.Name, out.Type, out.Status = c.Name, campaignType(c.Kind), campaignStatus(c.Status)
		out.CurrencyISO = strOrNull(c.Currency)
	}
	return out
}
