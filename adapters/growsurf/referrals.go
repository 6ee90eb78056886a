package growsurf

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// defaultReferralPage is the referral page size when limit is omitted.
const defaultReferralPage = 20

// referralList is GrowSurf's ReferralList.
type referralList struct {
	Referrals  []referralOut `json:"referrals"`
	Limit      int           `json:"limit"`
	More       bool          `json:"more"`
	NextID     *string       `json:"nextId"`
	NextOffset *int          `json:"nextOffset"`
}

// referralQuery gathers listReferrals' parameters (both routes share them).
type referralQuery struct {
	limit, offset              *int
	nextID                     *string
	desc                       *bool
	status                     *api.ReferralStatus
	email, firstName, lastName *string
	referrerID                 string
}

// listReferrals pages through the program's (or one referrer's) referrals.
func (c *call) listReferrals(q referralQuery) (referralList, error) {
	limit := pageLimit(q.limit, defaultReferralPage)
	cq := canonical.ReferralQuery{CampaignID: c.camp.ID, ReferrerID: q.referrerID, ListOptions: canonical.ListOptions{Limit: limit}}
	if q.status != nil {
		cq.States = referralStates(string(*q.status))
	} else {
		cq.States = referralStates("")
	}
	if q.email != nil {
		cq.Email = *q.email
	}
	// Newest first unless desc=false.
	cq.Oldest = q.desc != nil && !*q.desc
	skip := 0
	if q.offset != nil {
		skip = *q.offset
	} else {
		cq.Cursor = cursor(q.nextID)
	}
	// Offset paging walks the cursor pages up to the offset.
	for skip > 0 {
		cq.Limit = min(skip, 100)
		page, err := c.b.ListReferrals(c.ctx, cq)
		if err != nil {
			return referralList{}, err
		}
		skip -= len(page.Items)
		cq.Cursor = page.NextCursor
		if page.NextCursor == "" {
			return referralList{Referrals: []referralOut{}, Limit: limit}, nil
		}
	}
	cq.Limit = limit
	page, err := c.b.ListReferrals(c.ctx, cq)
	if err != nil {
		return referralList{}, err
	}
	out := referralList{Referrals: []referralOut{}, Limit: limit, More: page.NextCursor != ""}
	for _, ref := range page.Items {
		var referred *canonical.Participant
		if ref.ReferredID != "" {
			p, err := c.b.GetParticipant(c.ctx, c.camp.ID, canonical.ByID(ref.ReferredID))
			if err != nil && !canonical.IsCode(err, canonical.NotFound) {
				return out, err
			}
			if err == nil {
				referred = &p
			}
		}
		row := toReferral(c.ids, ref, referred)
		if q.firstName != nil && !strings.EqualFold(deref(row.FirstName), *q.firstName) ||
			q.lastName != nil && !strings.EqualFold(deref(row.LastName), *q.lastName) {
			continue
		}
		out.Referrals = append(out.Referrals, row)
	}
	if out.More {
		if q.offset != nil {
			out.NextOffset = ptr(*q.offset + len(page.Items))
		} else {
			out.NextID = nextID(page.NextCursor)
		}
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ListReferrals implements api.ServerInterface.
func (s *server) ListReferrals(w http.ResponseWriter, r *http.Request, id api.CampaignId, params api.ListReferralsParams) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.listReferrals(referralQuery{limit: params.Limit, offset: params.Offset, nextID: params.NextId, desc: params.Desc,
		status: params.ReferralStatus, email: params.Email, firstName: params.FirstName, lastName: params.LastName})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// ListParticipantReferrals implements api.ServerInterface.
func (s *server) ListParticipantReferrals(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail, params api.ListParticipantReferralsParams) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := c.listReferrals(referralQuery{limit: params.Limit, offset: params.Offset, nextID: params.NextId, desc: params.Desc,
		status: params.ReferralStatus, email: params.Email, firstName: params.FirstName, lastName: params.LastName, referrerID: p.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// triggerResult is GrowSurf's TriggerReferralResult.
type triggerResult struct {
	Success bool   `json:"success"`
	Message string `json:"message,omitempty"`
}

// TriggerReferral implements api.ServerInterface.
func (s *server) TriggerReferral(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.TriggerReferralRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	ref, err := s.ids.participantRef(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var delay time.Duration
	if in.DelayInDays != nil {
		delay = time.Duration(*in.DelayInDays) * 24 * time.Hour
	}
	done, err := c.b.TriggerReferral(c.ctx, c.camp.ID, ref, delay)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := triggerResult{Success: done, Message: "Referral triggered."}
	switch {
	case !done:
		out.Message = "The participant has no pending referral to credit."
	case delay > 0:
		out.Message = "Referral will be triggered in " + itoa(*in.DelayInDays) + " days."
	}
	s.ok(w, out)
}

// CancelReferralTrigger implements api.ServerInterface.
func (s *server) CancelReferralTrigger(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref, err := s.ids.participantRef(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	done, err := c.b.CancelReferralTrigger(c.ctx, c.camp.ID, ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := triggerResult{Success: done, Message: "Referral trigger canceled."}
	if !done {
		out.Message = "No pending referral trigger found."
	}
	s.ok(w, out)
}

// SendInvites implements api.ServerInterface: each address becomes an
// INVITE_SENT referral of the participant.
func (s *server) SendInvites(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.SendInvitesRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sent := 0
	for i, addr := range in.EmailAddresses {
		err := c.b.RecordEvent(c.ctx, c.camp.ID, canonical.Event{Kind: canonical.EventInvite, Participant: canonical.ByID(p.ID),
			Email: strings.TrimSpace(addr)})
		if canonical.IsCode(err, canonical.Invalid) {
			s.fail(w, r, badField("emailAddresses."+itoa(i), "INVALID_EMAIL", "Invalid email address."))
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sent++
	}
	s.ok(w, api.SendInvitesResult{Success: true, InvitesSent: sent, MessageType: "INVITE"})
}

// SendParticipantEmail implements api.ServerInterface. refbridge sends no
// email, so after the participant lookup it answers as GrowSurf does for a
// program without a verified custom email domain.
func (s *server) SendParticipantEmail(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.SendParticipantEmailRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.EmailType == nil && (in.Subject == nil || in.Body == nil) {
		s.fail(w, r, badField("emailType", "MISSING_EMAIL_TYPE", "Give emailType, or subject and body."))
		return
	}
	if _, err := c.participant(pid); err != nil {
		s.fail(w, r, err)
		return
	}
	s.fail(w, r, &vendorError{status: http.StatusBadRequest, message: "A verified custom email domain is required."})
}

// activityLog is one entry of a participant's activity log.
type activityLog struct {
	CreatedAt int64  `json:"createdAt"`
	Type      string `json:"type"`
	Text      string `json:"text"`
}

// maxActivity bounds how much history the activity log reads.
const maxActivity = 1000

// ListParticipantActivityLogs implements api.ServerInterface: the log is
// derived from the participant's signup, referrals, invites and rewards.
func (s *server) ListParticipantActivityLogs(w http.ResponseWriter, r *http.Request, id api.CampaignId, pid api.ParticipantIdOrEmail, params api.ListParticipantActivityLogsParams) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := c.participant(pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := p.Name()
	if name == "" {
		name = p.Email
	}
	logs := []activityLog{{CreatedAt: ms(p.CreatedAt), Type: "COMMON", Text: name + " joined the program."}}
	q := canonical.ReferralQuery{CampaignID: c.camp.ID, ReferrerID: p.ID, States: referralStates(""), ListOptions: canonical.ListOptions{Limit: 100}}
	for len(logs) < maxActivity {
		page, err := c.b.ListReferrals(c.ctx, q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, ref := range page.Items {
			switch ref.State {
			case canonical.StateInvited:
				logs = append(logs, activityLog{CreatedAt: ms(ref.CreatedAt), Type: "EMAIL", Text: name + " invited " + ref.Email + "."})
			default:
				logs = append(logs, activityLog{CreatedAt: ms(ref.CreatedAt), Type: "REFERRAL", Text: ref.Email + " signed up with " + name + "'s referral link."})
				if ref.CreditedAt != nil {
					logs = append(logs, activityLog{CreatedAt: ms(*ref.CreditedAt), Type: "REFERRAL", Text: name + " was credited for referring " + ref.Email + "."})
				}
			}
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	titles := map[string]string{}
	for _, rule := range c.camp.Rules {
		titles[rule.ID] = rule.Title
	}
	rq := canonical.RewardQuery{CampaignID: c.camp.ID, ParticipantID: p.ID, ListOptions: canonical.ListOptions{Limit: 100}}
	for len(logs) < maxActivity {
		page, err := c.b.ListEarnedRewards(c.ctx, rq)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, er := range page.Items {
			title := titles[er.RuleID]
			if title == "" {
				title = "a reward"
			} else {
				title = "the reward \"" + title + "\""
			}
			logs = append(logs, activityLog{CreatedAt: ms(er.CreatedAt), Type: "REWARD", Text: name + " earned " + title + "."})
		}
		if page.NextCursor == "" {
			break
		}
		rq.Cursor = page.NextCursor
	}
	slices.SortStableFunc(logs, func(a, b activityLog) int { return cmp.Compare(b.CreatedAt, a.CreatedAt) })
	limit := 20
	if params.Limit != nil {
		limit = *params.Limit
	}
	offset := 0
	if params.Offset != nil {
		offset = *params.Offset
	}
	out := struct {
		ActivityLogs []activityLog `json:"activityLogs"`
		Limit        int           `json:"limit"`
		Offset       *int          `json:"offset"`
	}{ActivityLogs: []activityLog{}, Limit: limit}
	if offset < len(logs) {
		end := min(offset+limit, len(logs))
		out.ActivityLogs = logs[offset:end]
		if end < len(logs) {
			out.Offset = ptr(end)
		}
	}
	s.ok(w, out)
}
