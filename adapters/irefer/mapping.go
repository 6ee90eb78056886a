package irefer

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/irefer"
)

// none is what iRefer puts in reward_last / reward_next when there is no
// such tier.
const none = "None"

// timeLayout is iRefer's timestamp format: ISO 8601 in UTC without
// fractional seconds.
const timeLayout = "2006-01-02T15:04:05Z"

// Native keys (under canonical.IRefer) the surface reads and writes.
const (
	// nativePhone keeps newSignup's phone on the participant. iRefer's
	// phone is contact data, not an identity: the canonical Phone field
	// would make two people sharing a number one participant.
	nativePhone = "phone"
	// nativeSpecificAction on a campaign is the action (page name or URL)
	// newSpecificAction must be called with; unset accepts any action.
	nativeSpecificAction = "specific_action"
	// nativeConfirmationRequired on a campaign makes participants report
	// confirmed "0" until their email is verified.
	nativeConfirmationRequired = "confirmation_required"
	// nativeBrowserLists on a campaign lets browser calls (no api_key,
	// authenticated by the calling host) use the methods that list other
	// participants' data: referrers, rewards, specificActionSignups.
	nativeBrowserLists = "browser_lists"
	// Reward-tier settings iRefer reports on each reward trigger.
	nativeRewardQuantity = "reward_quantity"
	nativeRewardDelivery = "reward_delivery"
	nativeRewardGoalType = "reward_goal_type"
	nativeRewardTo       = "reward_to"
)

// infoKeys are newSignup's free-form fields, kept as Native values under
// their own names.
var infoKeys = [5]string{"info_1", "info_2", "info_3", "info_4", "info_5"}

// encoder renders an engine ID of a kind; an installation's
// IDs.EncodeID in production, the identity in golden tests.
type encoder func(kind Kind, id string) string

// sourceChannels maps newSignup's source letters to canonical channels.
var sourceChannels = map[api.Source]string{
	api.SourceTwitter:  "twitter",
	api.SourceFacebook: "facebook",
	api.SourceLinkedIn: "linkedin",
	api.SourceWhatsApp: "whatsapp",
	api.SourceEmail:    "email",
}

// sourceLetter renders a participant's source channel as iRefer's letter,
// "" for none or a channel iRefer has no letter for.
func sourceLetter(source string) string {
	s := strings.ToLower(source)
	for letter, ch := range sourceChannels {
		if s == ch || s == string(letter) {
			return string(letter)
		}
	}
	return ""
}

// formatTime renders t as iRefer does.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// referralLink is a participant's full share URL: the campaign's site with
// iref=<code> added to its query (a bare host gets the root path, as in
// "http://getirefer.com/?iref=z6VPk1s0").
func referralLink(site, code string) string {
	u, err := url.Parse(site)
	if err != nil || site == "" {
		return "?iref=" + url.QueryEscape(code)
	}
	if u.Path == "" && u.Opaque == "" {
		u.Path = "/"
	}
	param := "iref=" + url.QueryEscape(code)
	if u.RawQuery == "" {
		u.RawQuery = param
	} else {
		u.RawQuery += "&" + param
	}
	return u.String()
}

// The response objects are the surface's own structs, with fields in the
// order iRefer sends them (the generated types order them alphabetically).

// tier is one reward tier (rewards_offered, rewards_earned).
type tier struct {
	SignupsCount      string `json:"signups_count"`
	RewardHeading     string `json:"reward_heading"`
	RewardDescription string `json:"reward_description"`
}

// referrerStats is referrerStats' answer.
type referrerStats struct {
	CampaignName                 string `json:"campaign_name"`
	Email                        string `json:"email"`
	Confirmed                    string `json:"confirmed"`
	ReferralLink                 string `json:"referral_link"`
	ReferralsMade                int    `json:"referrals_made"`
	RewardLast                   string `json:"reward_last"`
	RewardLastDescription        string `json:"reward_last_description"`
	RewardNext                   string `json:"reward_next"`
	RewardNextDescription        string `json:"reward_next_description"`
	RewardNextReferralsRemaining int    `json:"reward_next_referrals_remaining"`
	RewardsEarned                []tier `json:"rewards_earned"`
	RewardsOffered               []tier `json:"rewards_offered"`
}

// campaignStats is campaignStats' answer.
type campaignStats struct {
	CampaignName      string `json:"campaign_name"`
	TotalViews        string `json:"total_views"`
	SignupsTotal      int    `json:"signups_total"`
	SignupsToday      int    `json:"signups_today"`
	Conversion        string `json:"conversion"`
	Referrals         int    `json:"referrals"`
	FacebookReferrals int    `json:"facebook_referrals"`
	WhatsappReferrals int    `json:"whatsapp_referrals"`
	TwitterReferrals  int    `json:"twitter_referrals"`
	LinkedinReferrals int    `json:"linkedin_referrals"`
	EmailReferrals    int    `json:"email_referrals"`
	RewardsOffered    []tier `json:"rewards_offered"`
}

// signup is newSignup's answer; referrer is omitted for organic signups.
type signup struct {
	CampaignName                string  `json:"campaign_name"`
	Email                       string  `json:"email"`
	Confirmed                   string  `json:"confirmed"`
	ReferralLink                string  `json:"referral_link"`
	Referrer                    *string `json:"referrer,omitempty"`
	RewardNext                  string  `json:"reward_next"`
	RewardNextDescription       string  `json:"reward_next_description"`
	RewardNextReferralsRequired int     `json:"reward_next_referrals_required"`
	RewardsOffered              []tier  `json:"rewards_offered"`
}

// specificAction is newSpecificAction's answer.
type specificAction struct {
	CampaignName string `json:"campaign_name"`
	ExternalID   string `json:"external_id"`
}

// tierOf renders one reward tier.
func tierOf(r canonical.RewardRule) tier {
	return tier{SignupsCount: strconv.Itoa(r.Threshold), RewardHeading: r.Title, RewardDescription: r.Description}
}

// tiersOf renders tiers (already in ascending order) as rewards_offered;
// never nil, so an empty list is [] rather than null.
func tiersOf(tiers []canonical.RewardRule) []tier {
	out := make([]tier, 0, len(tiers))
	for _, t := range tiers {
		out = append(out, tierOf(t))
	}
	return out
}

// truthy reads a Native flag stored as a boolean, a number or a string.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x != 0
	case int:
		return x != 0
	case string:
		b, err := strconv.ParseBool(x)
		return err == nil && b || x == "1" || strings.EqualFold(x, "yes")
	}
	return false
}

// confirmed reports iRefer's confirmed flag: a verified email, or any
// participant of a campaign that does not ask for confirmation.
func confirmed(c canonical.Campaign, p canonical.Participant) bool {
	v, _ := c.Native.Get(canonical.IRefer, nativeConfirmationRequired)
	return p.Verified || !truthy(v)
}

func confirmedFlag(ok bool) string {
	if ok {
		return string(api.ConfirmedYes)
	}
	return string(api.ConfirmedNo)
}

// referrerStatsOf renders referrerStats: the participant's link, count,
// last and next tier and the tiers earned and offered. referrals_made is
// the credited referral count. A participant who still has to confirm
// their email is offered no next reward ("None"), as in the guide's
// sample, while the remaining count is still computed.
func referrerStatsOf(c canonical.Campaign, p canonical.Participant) referrerStats {
	tiers := canonical.Tiers(c.Rules)
	n := p.Stats.Referrals
	last, next, remaining := canonical.TierProgress(tiers, n)
	ok := confirmed(c, p)
	out := referrerStats{
		CampaignName:                 c.Name,
		Email:                        p.Email,
		Confirmed:                    confirmedFlag(ok),
		ReferralLink:                 referralLink(c.URL, p.ReferralCode),
		ReferralsMade:                n,
		RewardLast:                   none,
		RewardNext:                   none,
		RewardNextReferralsRemaining: remaining,
		RewardsEarned:                []tier{},
		RewardsOffered:               tiersOf(tiers),
	}
	if last != nil {
		out.RewardLast, out.RewardLastDescription = last.Title, last.Description
	}
	if next != nil && ok {
		out.RewardNext, out.RewardNextDescription = next.Title, next.Description
	}
	for _, t := range tiers {
		if n >= t.Threshold {
			out.RewardsEarned = append(out.RewardsEarned, tierOf(t))
		}
	}
	return out
}

// campaignStatsOf renders campaignStats. referrals counts every referred
// signup whatever its state, and the per-network counts split them by the
// channel of the link followed.
func campaignStatsOf(c canonical.Campaign, s canonical.CampaignStats) campaignStats {
	ch := s.ReferralsByChannel
	return campaignStats{
		CampaignName:      c.Name,
		TotalViews:        strconv.Itoa(s.Views),
		SignupsTotal:      s.Participants,
		SignupsToday:      s.SignupsToday,
		Conversion:        conversion(s),
		Referrals:         s.ReferredSignups,
		FacebookReferrals: ch["facebook"],
		WhatsappReferrals: ch["whatsapp"],
		TwitterReferrals:  ch["twitter"],
		LinkedinReferrals: ch["linkedin"],
		EmailReferrals:    ch["email"],
		RewardsOffered:    tiersOf(canonical.Tiers(c.Rules)),
	}
}

// conversion is signups per view as a percentage with one decimal
// ("21.4%"), "0.0%" without views.
func conversion(s canonical.CampaignStats) string {
	return fmt.Sprintf("%.1f%%", s.ConversionRate()*100)
}

// signupOf renders newSignup's answer: the participant's own link and the
// next tier to reach (for a new participant, the first one).
// referrerEmail is the referrer's address, "" for an organic signup, in
// which case referrer is omitted.
func signupOf(c canonical.Campaign, p canonical.Participant, referrerEmail string) signup {
	tiers := canonical.Tiers(c.Rules)
	_, next, remaining := canonical.TierProgress(tiers, p.Stats.Referrals)
	out := signup{
		CampaignName:                c.Name,
		Email:                       p.Email,
		Confirmed:                   confirmedFlag(confirmed(c, p)),
		ReferralLink:                referralLink(c.URL, p.ReferralCode),
		RewardNext:                  none,
		RewardNextReferralsRequired: remaining,
		RewardsOffered:              tiersOf(tiers),
	}
	if next != nil {
		out.RewardNext, out.RewardNextDescription = next.Title, next.Description
	}
	if referrerEmail != "" {
		out.Referrer = &referrerEmail
	}
	return out
}

// newParticipantOf turns newSignup's parameters into the engine's input.
// name is split into first and last name; source is kept as its channel
// name; phone and info_1..info_5 are kept as Native values; referrer_code
// attributes the signup when it resolves (an unknown code makes an
// organic signup). ip is the signup's address, "" when unknown.
func newParticipantOf(campaignID string, in api.NewSignupParams, ip string) canonical.NewParticipant {
	np := canonical.NewParticipant{}
	np.CampaignID = campaignID
	np.Email = strings.TrimSpace(in.Email)
	np.IPAddress = ip
	if in.Name != nil {
		np.FirstName, np.LastName = canonical.SplitName(*in.Name)
	}
	if in.Source != nil {
		if ch, ok := sourceChannels[*in.Source]; ok {
			np.Source = ch
		}
	}
	if in.Phone != nil && *in.Phone != "" {
		np.Native.Set(canonical.IRefer, nativePhone, *in.Phone)
	}
	for i, v := range []*string{in.Info1, in.Info2, in.Info3, in.Info4, in.Info5} {
		if v != nil && *v != "" {
			np.Native.Set(canonical.IRefer, infoKeys[i], *v)
		}
	}
	if in.ReferrerCode != nil && strings.TrimSpace(*in.ReferrerCode) != "" {
		np.Referrer = canonical.ByCode(strings.TrimSpace(*in.ReferrerCode))
	}
	return np
}

// referrer is one row of the referrers list. It is its own type because
// created_at has no fractional seconds and the nullable fields are sent
// as explicit nulls.
type referrer struct {
	ID             string  `json:"id"`
	CampaignID     string  `json:"campaign_id"`
	ReferralLink   string  `json:"referral_link"`
	ReferrerEmail  *string `json:"referrer_email"`
	Name           *string `json:"name"`
	Email          string  `json:"email"`
	Phone          *string `json:"phone"`
	Info1          *string `json:"info_1"`
	Info2          *string `json:"info_2"`
	Info3          *string `json:"info_3"`
	Info4          *string `json:"info_4"`
	Info5          *string `json:"info_5"`
	CreatedAt      string  `json:"created_at"`
	IP             string  `json:"ip"`
	SourceNetwork  string  `json:"source_network"`
	ReferralsCount string  `json:"referrals_count"`
}

// nativeString reads a Native value as an optional string.
func nativeString(n canonical.Native, key string) *string {
	v, ok := n.Get(canonical.IRefer, key)
	if !ok || v == nil {
		return nil
	}
	s, isString := v.(string)
	if !isString {
		s = fmt.Sprint(v)
	}
	return &s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// referrerOf renders a participant as a referrers row; referral_link is
// the bare code there. referrerEmail is the email of whoever referred them
// (nil when nobody did).
func referrerOf(enc encoder, p canonical.Participant, referrerEmail *string) referrer {
	phone := nativeString(p.Native, nativePhone)
	if phone == nil {
		phone = optional(p.Phone)
	}
	info := [5]*string{}
	for i, k := range infoKeys {
		info[i] = nativeString(p.Native, k)
	}
	return referrer{
		ID:             enc(KindParticipant, p.ID),
		CampaignID:     enc(KindCampaign, p.CampaignID),
		ReferralLink:   p.ReferralCode,
		ReferrerEmail:  referrerEmail,
		Name:           optional(p.Name()),
		Email:          p.Email,
		Phone:          phone,
		Info1:          info[0],
		Info2:          info[1],
		Info3:          info[2],
		Info4:          info[3],
		Info5:          info[4],
		CreatedAt:      formatTime(p.CreatedAt),
		IP:             p.IPAddress,
		SourceNetwork:  sourceLetter(p.Source),
		ReferralsCount: strconv.Itoa(p.Stats.Referrals),
	}
}

// rewardTriggered is one row of the rewards list.
type rewardTriggered struct {
	ID                    string `json:"id"`
	CampaignID            string `json:"campaign_id"`
	TriggeredAt           string `json:"triggered_at"`
	RecipientID           string `json:"recipient_id"`
	RecipientEmail        string `json:"recipient_email"`
	RecipientName         string `json:"recipient_name"`
	RecipientReferralCode string `json:"recipient_referral_code"`
	ReferralsMade         string `json:"referrals_made"`
	RewardID              string `json:"reward_id"`
	RewardHeading         string `json:"reward_heading"`
	RewardDescription     string `json:"reward_description"`
	RewardSignupsCount    string `json:"reward_signups_count"`
	RewardQuantity        string `json:"reward_quantity"`
	RewardDelivery        string `json:"reward_delivery"`
	RewardGoalType        string `json:"reward_goal_type"`
	RewardTo              string `json:"reward_to"`
}

// ruleSetting reads one of a rule's iRefer settings from Native, with a
// default.
func ruleSetting(r canonical.RewardRule, key, def string) string {
	if s := r.Native.String(canonical.IRefer, key); s != "" {
		return s
	}
	return def
}

// rewardOf renders an earned reward as a rewards row. recipient is the
// participant who earned it; rule is the rule it was earned under (a zero
// rule when that rule was deleted since). The tier settings come from the
// rule's Native values when it has them; otherwise quantity is SINGLE,
// delivery EACHTIME for a repeating tier and ONCE for the others, goal
// type STANDARD, and reward_to REFFERER (sic, iRefer's spelling) for the
// referrer's side and REFERRED for the referred friend's side.
func rewardOf(enc encoder, er canonical.EarnedReward, recipient canonical.Participant, rule canonical.RewardRule) rewardTriggered {
	delivery, to := "ONCE", "REFFERER"
	if rule.Repeat {
		delivery = "EACHTIME"
	}
	if !er.IsReferrer {
		to = "REFERRED"
	}
	description := rule.Description
	if !er.IsReferrer && rule.ReferredDescription != "" {
		description = rule.ReferredDescription
	}
	return rewardTriggered{
		ID:                    enc(KindEarnedReward, er.ID),
		CampaignID:            enc(KindCampaign, er.CampaignID),
		TriggeredAt:           formatTime(er.CreatedAt),
		RecipientID:           enc(KindParticipant, er.ParticipantID),
		RecipientEmail:        recipient.Email,
		RecipientName:         recipient.Name(),
		RecipientReferralCode: recipient.ReferralCode,
		ReferralsMade:         strconv.Itoa(er.ReferralsAtEarning),
		RewardID:              enc(KindRewardRule, er.RuleID),
		RewardHeading:         rule.Title,
		RewardDescription:     description,
		RewardSignupsCount:    strconv.Itoa(rule.Threshold),
		RewardQuantity:        ruleSetting(rule, nativeRewardQuantity, "SINGLE"),
		RewardDelivery:        ruleSetting(rule, nativeRewardDelivery, delivery),
		RewardGoalType:        ruleSetting(rule, nativeRewardGoalType, "STANDARD"),
		RewardTo:              ruleSetting(rule, nativeRewardTo, to),
	}
}

// specificActionSignup is one row of the specificActionSignups list.
type specificActionSignup struct {
	ID             string `json:"id"`
	CampaignID     string `json:"campaign_id"`
	ReferrerEmail  string `json:"referrer_email"`
	ReferredPerson string `json:"referred_person"`
	SpecificAction string `json:"specific_action"`
	CreatedAt      string `json:"created_at"`
	IP             string `json:"ip"`
}

// specificActionSignupOf renders a recorded specific action;
// referrerEmail is the credited referrer's email ("" when they are gone).
func specificActionSignupOf(enc encoder, a canonical.SpecificAction, referrerEmail string) specificActionSignup {
	return specificActionSignup{
		ID:             enc(KindSpecificAction, a.ID),
		CampaignID:     enc(KindCampaign, a.CampaignID),
		ReferrerEmail:  referrerEmail,
		ReferredPerson: a.ExternalID,
		SpecificAction: a.Action,
		CreatedAt:      formatTime(a.CreatedAt),
		IP:             a.IP,
	}
}
