package growsurf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/client/growsurf/growsurfserver"
)

// server implements api.ServerInterface over the caller's backend.
type server struct {
	cfg surface.Config
	ids *idCodecs
}

var _ growsurfserver.ServerInterface = (*server)(nil)

// Limitations lists the operations this surface cannot serve in full over
// canonical.Backend, with what is missing. Each still answers in
// GrowSurf's shapes.
var Limitations = map[string]string{
	"sendParticipantEmail":         "refbridge sends no email: the participant is looked up, then the call answers GrowSurf's documented 400 for a program without a verified custom email domain",
	"createMobileParticipantToken": "the participant is got or created for real, but the returned participantToken is not accepted anywhere: refbridge does not serve GrowSurf's mobile SDK endpoints",
	"getCampaignAnalytics":         "counters are the program's all-time totals whatever the window (canonical stats have no time windows); series and previousPeriod are left out; statusCounts and rates are computed",
	"getParticipantAnalytics":      "counters are all-time totals; series is left out (no per-period history in the canonical model)",
	"listParticipantActivityLogs":  "the log is derived from the participant's referrals, invites and earned rewards; shares and emails are not logged",
	"getLeaderboard":               "TOTAL_IMPRESSION_COUNT, UNIQUE_IMPRESSION_COUNT, BY_COMMISSIONS, BY_REVENUE and BY_LEADS have no canonical ranking and answer 400; ALL_TIME, BY_REFERRALS, CURRENT_MONTH and PREV_MONTH are served",
	"listReferrals":                "sortBy orders by creation only (createdAt; every other field sorts like createdAt), firstName/lastName filters apply within each page",
	"listParticipantReferrals":     "as listReferrals: sortBy orders by creation only, name filters apply within each page",
	"sendInvites":                  "invites are recorded (INVITE_SENT referrals, inviteCount) but no email is sent",
	"refundTransaction":            "refundStatus \"canceled\" (restoring reversed commissions) is not supported and answers success:false",
}

// backend is the caller's backend (set by the auth middleware).
func backend(r *http.Request) canonical.Backend {
	c, _ := surface.CallerFrom(r.Context())
	return c.Backend
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(s.cfg, w, r, err)
}

func (s *server) ok(w http.ResponseWriter, v any) { surface.WriteJSON(w, http.StatusOK, v) }

// decode reads a JSON body into dst; an empty body leaves dst as is.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return canonical.Wrap(canonical.Invalid, err, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return canonical.Wrap(canonical.Invalid, err, "invalid request body")
		}
		return badField("body", "INVALID_JSON", "The request body is not valid JSON.")
	}
	return nil
}

// campaignRef decodes a program id.
func (ids *idCodecs) campaignRef(id string) (string, error) {
	n, ok := ids.campaign.decode(id)
	if !ok {
		return "", notFound("Program not found.")
	}
	return n, nil
}

// participantRef reads {participantIdOrEmail}: an email when it has an @,
// else a participant id.
func (ids *idCodecs) participantRef(s string) (canonical.ParticipantRef, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return canonical.ByEmail(s), nil
	}
	id, ok := ids.participant.decode(s)
	if !ok {
		return canonical.ParticipantRef{}, notFound("Participant not found.")
	}
	return canonical.ByID(id), nil
}

// optionalRef is participantRef for referredBy: what does not resolve is
// the zero ref.
func (ids *idCodecs) optionalRef(s *string) canonical.ParticipantRef {
	if s == nil || strings.TrimSpace(*s) == "" {
		return canonical.ParticipantRef{}
	}
	ref, err := ids.participantRef(*s)
	if err != nil {
		return canonical.ParticipantRef{}
	}
	return ref
}

// call is one request's view of one program: the backend, the campaign
// and caches for rendering.
type call struct {
	ctx  context.Context
	b    canonical.Backend
	ids  *idCodecs
	camp canonical.Campaign
	now  time.Time
	// people caches participants read for referrer summaries.
	people map[string]canonical.Participant
}

// open loads the program {id} of the caller.
func (s *server) open(r *http.Request, id string) (*call, error) {
	b := backend(r)
	// A program migrated from GrowSurf keeps answering its old id.
	cid, legacy := surface.Legacy(r.Context(), b, "campaign", canonical.GrowSurf, id)
	if !legacy {
		var err error
		if cid, err = s.ids.campaignRef(id); err != nil {
			return nil, err
		}
	}
	camp, err := b.GetCampaign(r.Context(), cid)
	if err != nil {
		return nil, err
	}
	if camp.Status == canonical.CampaignDeleted {
		return nil, notFound("Program not found.")
	}
	return &call{ctx: r.Context(), b: b, ids: s.ids, camp: camp, now: s.cfg.Clock(), people: map[string]canonical.Participant{}}, nil
}

// affiliateOnly refuses routes of affiliate programs on referral programs.
func (c *call) affiliateOnly() error {
	if c.camp.Kind != canonical.AffiliateProgram {
		return unprocessable("This endpoint is only available for affiliate programs.")
	}
	return nil
}

// participant resolves {participantIdOrEmail} in the program.
func (c *call) participant(s string) (canonical.Participant, error) {
	ref, err := c.ids.participantRef(s)
	if !strings.Contains(s, "@") {
		// A participant migrated from GrowSurf keeps answering its old id.
		if id, ok := surface.Legacy(c.ctx, c.b, "participant", canonical.GrowSurf, strings.TrimSpace(s)); ok {
			ref, err = canonical.ByID(id), nil
		}
	}
	if err != nil {
		return canonical.Participant{}, err
	}
	p, err := c.b.GetParticipant(c.ctx, c.camp.ID, ref)
	if err != nil {
		return p, err
	}
	if p.CampaignID != "" && p.CampaignID != c.camp.ID {
		return p, notFound("Participant not found.")
	}
	return p, nil
}

// render renders a participant with everything GrowSurf shows of them.
func (c *call) render(p canonical.Participant, isNew *bool) (participantOut, error) {
	x := participantExtras{IsNew: isNew}
	refs, err := c.b.ListReferrals(c.ctx, canonical.ReferralQuery{CampaignID: c.camp.ID, ReferrerID: p.ID,
		States: []canonical.ReferralState{canonical.StateCredited}, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		return participantOut{}, err
	}
	x.Credited = refs.Items
	rewards, err := c.b.ListEarnedRewards(c.ctx, canonical.RewardQuery{CampaignID: c.camp.ID, ParticipantID: p.ID,
		ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		return participantOut{}, err
	}
	x.Rewards = rewards.Items
	if p.ReferrerID != "" {
		ref, ok := c.people[p.ReferrerID]
		if !ok {
			ref, err = c.b.GetParticipant(c.ctx, c.camp.ID, canonical.ByID(p.ReferrerID))
			if err != nil && !canonical.IsCode(err, canonical.NotFound) {
				return participantOut{}, err
			}
			if err == nil {
				c.people[p.ReferrerID] = ref
			}
		}
		if ref.ID != "" {
			x.Referrer = &ref
			won, err := c.b.ListEarnedRewards(c.ctx, canonical.RewardQuery{CampaignID: c.camp.ID, ParticipantID: ref.ID,
				Statuses: []canonical.RewardStatus{canonical.RewardApproved, canonical.RewardFulfilled}, ListOptions: canonical.ListOptions{Limit: 1}})
			if err != nil {
				return participantOut{}, err
			}
			x.ReferrerWinner = len(won.Items) > 0
		}
	}
	return toParticipant(c.ids, p, c.camp, x, c.now), nil
}

// renderAll renders a page of participants.
func (c *call) renderAll(ps []canonical.Participant) ([]participantOut, error) {
	out := make([]participantOut, 0, len(ps))
	for _, p := range ps {
		v, err := c.render(p, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// pageLimit reads an optional limit with GrowSurf's undocumented default.
func pageLimit(l *int, def int) int {
	if l == nil || *l <= 0 {
		return def
	}
	return min(*l, 100)
}

// cursor reads an optional nextId.
func cursor(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// nextID renders a page's cursor as GrowSurf's nextId (null at the end).
func nextID(c string) *string {
	if c == "" {
		return nil
	}
	return &c
}

func itoa(n int) string { return strconv.Itoa(n) }
