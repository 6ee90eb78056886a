package referralrocket

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// timeLayout is Referral Rocket's date-time format: milliseconds and a
// numeric offset, +00:00 rather than Z.
const timeLayout = "2006-01-02T15:04:05.000-07:00"

// defaultCampaignURL is the vendor's hosted campaign page, used for share
// links when a campaign has no URL of its own.
const defaultCampaignURL = "https://referralrocket.io/campaign"

// Native keys this surface keeps on canonical entities.
const (
	// nativeFraudScore on a participant is the vendor's fraudScore; the
	// surface stores "" for participants created through it, as the vendor
	// does for API-created participants.
	nativeFraudScore = "fraudScore"
	// Campaign keys with no canonical field.
	nativeRewardHeader           = "rewardHeader"
	nativeRewardDescription      = "rewardDescription"
	nativeShareWidgetHeader      = "shareWidgetHeader"
	nativeShareWidgetDescription = "shareWidgetDescription"
	nativeRewardType             = "rewardType"
)

// formatTime renders t in the vendor's format, in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// participantResponse is the vendor's ParticipantResponse. Every key is
// always present; referredByCode is null for direct participants.
type participantResponse struct {
	Email                  string  `json:"email"`
	FirstName              string  `json:"firstName"`
	LastName               string  `json:"lastName"`
	ReferralCode           string  `json:"referralCode"`
	ReferredByCode         *string `json:"referredByCode"`
	CreatedOn              string  `json:"createdOn"`
	CampaignID             string  `json:"campaignId"`
	ShareLink              string  `json:"shareLink"`
	TotalReferrals         int     `json:"totalReferrals"`
	ReferralReward         int64   `json:"referralReward"`
	ReferralRewardRedeemed int64   `json:"referralRewardRedeemed"`
	ReferralRewardBalance  int64   `json:"referralRewardBalance"`
	RefereeReward          int64   `json:"refereeReward"`
	RefereeRewardRedeemed  int64   `json:"refereeRewardRedeemed"`
	RefereeRewardBalance   int64   `json:"refereeRewardBalance"`
	RewardEventCompleted   bool    `json:"rewardEventCompleted"`
	FraudScore             string  `json:"fraudScore"`
}

// campaignResponse is the vendor's CampaignResponse. Every key is always
// present; end is null when the campaign has no end date.
type campaignResponse struct {
	CampaignID             string  `json:"campaignId"`
	CampaignName           string  `json:"campaignName"`
	Status                 string  `json:"status"`
	CreatedOn              string  `json:"createdOn"`
	End                    *string `json:"end"`
	HostURL                string  `json:"hostURL"`
	Paused                 bool    `json:"paused"`
	Ended                  bool    `json:"ended"`
	RewardHeader           string  `json:"rewardHeader"`
	RewardDescription      string  `json:"rewardDescription"`
	ShareWidgetHeader      string  `json:"shareWidgetHeader"`
	ShareWidgetDescription string  `json:"shareWidgetDescription"`
	ReferrerReward         float64 `json:"referrerReward"`
	RefereeReward          float64 `json:"refereeReward"`
	RewardType             string  `json:"rewardType"`
	TotalParticipants      int     `json:"totalParticipants"`
}

// addParticipantRequest is addParticipant's body.
type addParticipantRequest struct {
	ID              string `json:"id"`
	Email           string `json:"email"`
	ReferredByCode  string `json:"referredByCode"`
	ReferredByEmail string `json:"referredByEmail"`
}

// qualifyParticipantRequest is qualifyParticipant's body. Amount is a
// pointer so an absent amount is told from zero.
type qualifyParticipantRequest struct {
	ID     string   `json:"id"`
	Email  string   `json:"email"`
	Amount *float64 `json:"amount"`
}

// campaignRef is what participant responses need of their campaign.
type campaignRef struct {
	// ID is the vendor campaign id.
	ID string
	// URL is the campaign's site; share links are built on it.
	URL string
}

// withQuery appends query parameters to base, keeping any query it has.
func withQuery(base string, pairs ...string) string {
	if strings.TrimSpace(base) == "" {
		base = defaultCampaignURL
	}
	var q strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(url.QueryEscape(pairs[i]))
		q.WriteByte('=')
		q.WriteString(url.QueryEscape(pairs[i+1]))
	}
	u, err := url.Parse(base)
	if err != nil {
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + q.String()
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + q.String()
	} else {
		u.RawQuery = q.String()
	}
	return u.String()
}

// shareLink builds a participant's referral link the way the vendor does:
// the campaign page with the campaign id and the referral code as query
// parameters (https://referralrocket.io/campaign?id=…&referralCode=…).
// refbridge uses the campaign's own URL as the page.
func shareLink(c campaignRef, code string) string {
	return withQuery(c.URL, "id", c.ID, "referralCode", code)
}

// hostURL is the campaign page: its URL with the campaign id.
func hostURL(c campaignRef) string { return withQuery(c.URL, "id", c.ID) }

// zeroDecimal lists ISO 4217 currencies whose minor unit is the unit.
var zeroDecimal = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "ISK": true, "JPY": true, "KMF": true, "KRW": true,
	"PYG": true, "RWF": true, "UGX": true, "UYI": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

// minorPerUnit is how many minor units make one unit of currency.
func minorPerUnit(currency string) int64 {
	if zeroDecimal[strings.ToUpper(currency)] {
		return 1
	}
	return 100
}

// rewardUnits renders money as the vendor's integer reward amounts (whole
// currency units; fractions are dropped).
func rewardUnits(m canonical.Money) int64 { return m.Amount / minorPerUnit(m.Currency) }

// rewardValue renders money as the vendor's numeric reward values
// (currency units, fractions kept).
func rewardValue(m canonical.Money) float64 {
	return float64(m.Amount) / float64(minorPerUnit(m.Currency))
}

// purchaseAmount turns qualifyParticipant's amount (currency units) into
// money of the campaign's currency.
func purchaseAmount(amount float64, currency string) (canonical.Money, error) {
	minor := math.Round(amount * float64(minorPerUnit(currency)))
	if math.IsNaN(minor) || math.IsInf(minor, 0) || minor < 0 || minor > math.MaxInt64/2 {
		return canonical.Money{}, canonical.Errorf(canonical.Invalid, "amount must be a non-negative number")
	}
	return canonical.Money{Amount: int64(minor), Currency: currency}, nil
}

// fraudScore renders a participant's fraud score: the vendor's own value
// when the participant carries one (empty for participants created through
// this surface, as the vendor leaves it for API-created participants),
// otherwise the engine's risk level in the vendor's spelling (Low, Medium,
// High).
func fraudScore(p canonical.Participant) string {
	if v, ok := p.Native.Get(canonical.ReferralRocket, nativeFraudScore); ok {
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	}
	switch p.Fraud.Risk {
	case canonical.RiskLow:
		return "Low"
	case canonical.RiskMedium:
		return "Medium"
	case canonical.RiskHigh:
		return "High"
	}
	return ""
}

// toParticipant renders a canonical participant as the vendor's
// ParticipantResponse. referrerCode is the referral code of the
// participant's referrer, nil for direct participants.
func toParticipant(p canonical.Participant, c campaignRef, referrerCode *string) participantResponse {
	s := p.Stats
	referral, referralRedeemed := rewardUnits(s.ReferrerRewards), rewardUnits(s.ReferrerRewardsRedeemed)
	referee, refereeRedeemed := rewardUnits(s.ReferredRewards), rewardUnits(s.ReferredRewardsRedeemed)
	return participantResponse{
		Email:                  p.Email,
		FirstName:              p.FirstName,
		LastName:               p.LastName,
		ReferralCode:           p.ReferralCode,
		ReferredByCode:         referrerCode,
		CreatedOn:              formatTime(p.CreatedAt),
		CampaignID:             c.ID,
		ShareLink:              shareLink(c, p.ReferralCode),
		TotalReferrals:         s.ReferredSignups,
		ReferralReward:         referral,
		ReferralRewardRedeemed: referralRedeemed,
		ReferralRewardBalance:  referral - referralRedeemed,
		RefereeReward:          referee,
		RefereeRewardRedeemed:  refereeRedeemed,
		RefereeRewardBalance:   referee - refereeRedeemed,
		// Qualified, or credited by a campaign that credits on signup:
		// either way the referral counts for the referrer.
		RewardEventCompleted: s.Qualified || (p.ReferrerID != "" && p.ReferralState == canonical.StateCredited),
		FraudScore:           fraudScore(p),
	}
}

// campaignStatus maps a canonical status to the vendor's status word and
// its paused/ended flags. A draft is not live, so it reads as paused.
func campaignStatus(s canonical.CampaignStatus) (word string, paused, ended bool) {
	switch s {
	case canonical.CampaignActive:
		return "Active", false, false
	case canonical.CampaignEnded, canonical.CampaignDeleted:
		return "End", false, true
	default: // paused, draft
		return "Pause", true, false
	}
}

// mainRule picks the rule the vendor's single referrer/referee reward
// describes: the first single- or double-sided rule, else the first rule.
func mainRule(rules []canonical.RewardRule) (canonical.RewardRule, bool) {
	for _, r := range rules {
		if r.Kind == canonical.DoubleSided || r.Kind == canonical.SingleSided {
			return r, true
		}
	}
	if len(rules) > 0 {
		return rules[0], true
	}
	return canonical.RewardRule{}, false
}

// nativeString returns a vendor-native string of the campaign, or def.
func nativeString(n canonical.Native, key, def string) string {
	if v, ok := n.Get(canonical.ReferralRocket, key); ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	return def
}

// toCampaign renders a canonical campaign as the vendor's
// CampaignResponse. id is the vendor campaign id; participants is the
// campaign's participant count.
func toCampaign(c canonical.Campaign, id string, participants int) campaignResponse {
	word, paused, ended := campaignStatus(c.Status)
	out := campaignResponse{
		CampaignID:        id,
		CampaignName:      c.Name,
		Status:            word,
		CreatedOn:         formatTime(c.CreatedAt),
		HostURL:           hostURL(campaignRef{ID: id, URL: c.URL}),
		Paused:            paused,
		Ended:             ended,
		TotalParticipants: participants,
	}
	if c.EndsAt != nil {
		end := formatTime(*c.EndsAt)
		out.End = &end
	}
	rewardType := "Monetary"
	if r, ok := mainRule(c.Rules); ok {
		out.RewardHeader = r.Title
		out.RewardDescription = r.Description
		out.ReferrerReward = rewardValue(r.ReferrerValue)
		out.RefereeReward = rewardValue(r.ReferredValue)
		if r.Commission != nil && r.Commission.Type == canonical.PercentCommission {
			rewardType = "Percentage"
			out.ReferrerReward = r.Commission.Percent
		}
		rewardType = nativeString(r.Native, nativeRewardType, rewardType)
	}
	out.RewardHeader = nativeString(c.Native, nativeRewardHeader, out.RewardHeader)
	out.RewardDescription = nativeString(c.Native, nativeRewardDescription, out.RewardDescription)
	out.ShareWidgetHeader = nativeString(c.Native, nativeShareWidgetHeader, out.RewardHeader)
	out.ShareWidgetDescription = nativeString(c.Native, nativeShareWidgetDescription, out.RewardDescription)
	out.RewardType = nativeString(c.Native, nativeRewardType, rewardType)
	return out
}

// toNewParticipant turns addParticipant's body into the engine's input.
// campaignID is the engine campaign ID. referredByCode wins over
// referredByEmail when both are given; an unknown referrer leaves the
// participant direct.
func toNewParticipant(req addParticipantRequest, campaignID string) canonical.NewParticipant {
	in := canonical.NewParticipant{}
	in.CampaignID = campaignID
	in.Email = strings.TrimSpace(req.Email)
	in.Native.Set(canonical.ReferralRocket, nativeFraudScore, "")
	switch {
	case strings.TrimSpace(req.ReferredByCode) != "":
		in.Referrer = canonical.ByCode(strings.TrimSpace(req.ReferredByCode))
	case strings.TrimSpace(req.ReferredByEmail) != "":
		in.Referrer = canonical.ByEmail(strings.TrimSpace(req.ReferredByEmail))
	}
	return in
}

// sortOf maps Spring sort criteria (property,asc|desc, repeatable) to the
// engine's one participant order; the first criterion decides. Without
// criteria participants come oldest first, the order a Spring repository
// returns unsorted rows in.
func sortOf(criteria []string) (canonical.ParticipantSort, error) {
	for _, c := range criteria {
		parts := strings.Split(c, ",")
		prop := strings.TrimSpace(parts[0])
		if prop == "" {
			continue
		}
		desc := false
		if len(parts) > 1 {
			switch strings.ToLower(strings.TrimSpace(parts[len(parts)-1])) {
			case "desc":
				desc = true
			case "asc", "":
			default:
				return "", canonical.Errorf(canonical.Invalid, "invalid sort direction in %q", c)
			}
		}
		pick := func(asc, dsc canonical.ParticipantSort) canonical.ParticipantSort {
			if desc {
				return dsc
			}
			return asc
		}
		switch prop {
		case "createdOn":
			return pick(canonical.SortOldest, canonical.SortNewest), nil
		case "email":
			return pick(canonical.SortEmailAsc, canonical.SortEmailDesc), nil
		case "firstName", "lastName":
			return pick(canonical.SortNameAsc, canonical.SortNameDesc), nil
		case "totalReferrals":
			return pick(canonical.SortReferralsAsc, canonical.SortReferralsDesc), nil
		default:
			return "", canonical.Errorf(canonical.Invalid, "No property '%s' found for type 'Participant'", prop)
		}
	}
	return canonical.SortOldest, nil
}
