package referralhero

import (
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/referralhero"
)

// Page sizes the vendor documents.
const (
	listsPerPage       = 10
	subscribersPerPage = 50
	rewardsPerPage     = 10
	groupsPerPage      = 50
)

// fetchCap is the page size the surface asks backends for when it walks a
// whole list.
const fetchCap = 100

// listsPage is the data of listLists.
type listsPage struct {
	Response   string     `json:"response"`
	Lists      []listJSON `json:"lists"`
	Pagination pagination `json:"pagination"`
}

// ListLists serves GET /lists: the account's active lists, 10 per page.
func (s *server) ListLists(w http.ResponseWriter, r *http.Request, params api.ListListsParams) {
	c, ok := s.begin(w, r)
	if !ok {
		return
	}
	page := pageNumber(params.Page)
	camps, total, err := walk(func(cursor string) (canonical.Page[canonical.Campaign], error) {
		return c.b.ListCampaigns(c.ctx, canonical.ListOptions{Limit: fetchCap, Cursor: cursor})
	}, func(camp canonical.Campaign) bool { return camp.Status == canonical.CampaignActive }, page, listsPerPage, false)
	if err != nil {
		c.fail(err)
		return
	}
	out := listsPage{Response: "lists_retrieved", Lists: make([]listJSON, 0, len(camps)),
		Pagination: newPagination(page, listsPerPage, total)}
	for _, camp := range camps {
		st, err := c.b.CampaignStats(c.ctx, camp.ID)
		if err != nil {
			c.fail(err)
			return
		}
		out.Lists = append(out.Lists, renderList(c.h.ids, camp, st.Participants))
	}
	c.ok(out)
}

// CreateList serves POST /lists: a new active list (a referral campaign
// crediting referrals on sign-up, the vendor's one-event goal), whose
// website is the base of its referral links.
func (s *server) CreateList(w http.ResponseWriter, r *http.Request) {
	c, ok := s.begin(w, r)
	if !ok {
		return
	}
	f, ok := c.fields()
	if !ok {
		return
	}
	name, _ := f.str("name")
	if strings.TrimSpace(name) == "" {
		c.fail(fail(http.StatusBadRequest, codeNoName, msgNoName))
		return
	}
	website, _ := f.str("website")
	camp, err := c.b.CreateCampaign(c.ctx, canonical.Campaign{Name: strings.TrimSpace(name), URL: strings.TrimSpace(website),
		Kind: canonical.ReferralProgram, Status: canonical.CampaignActive, Qualification: canonical.QualifyOnSignup})
	if canonical.IsCode(err, canonical.Invalid) {
		err = &vendorError{status: http.StatusBadRequest, code: codeErrorListCreation, message: canonical.MessageOf(err), cause: err}
	}
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(renderList(c.h.ids, camp, 0))
}

// leaderboard is the data of getLeaderboard.
type leaderboard struct {
	Ranking []subscriberJSON `json:"ranking"`
}

// GetLeaderboard serves GET /lists/{uuid}/leaderboard: the top count
// subscribers (clamped to 10–100) by rank, by points in contests.
func (s *server) GetLeaderboard(w http.ResponseWriter, r *http.Request, uuid api.Uuid, params api.GetLeaderboardParams) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	count := 10
	if params.Count != nil {
		count = min(max(*params.Count, 10), 100)
	}
	board := canonical.AllTime
	if c.view.Contest {
		board = canonical.PointsBoard
	}
	pg, err := c.b.Leaderboard(c.ctx, canonical.LeaderboardQuery{CampaignID: c.camp.ID, Board: board,
		ListOptions: canonical.ListOptions{Limit: count}})
	if err != nil {
		c.fail(err)
		return
	}
	items := pg.Items
	if len(items) > count {
		items = items[:count]
	}
	ranking, err := c.subscribers(items)
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(leaderboard{Ranking: ranking})
}

// ListBonuses serves GET /lists/{uuid}/bonuses: the list's reward
// definitions (every reward rule but affiliate commissions), data being
// the array itself.
func (s *server) ListBonuses(w http.ResponseWriter, r *http.Request, uuid api.Uuid) {
	c, ok := s.list(w, r, uuid)
	if !ok {
		return
	}
	rules, err := c.b.ListRewardRules(c.ctx, c.camp.ID)
	if err != nil {
		c.fail(err)
		return
	}
	out := make([]rewardJSON, 0, len(rules))
	for _, rule := range rules {
		if rule.Kind == canonical.CommissionReward {
			continue
		}
		out = append(out, renderReward(c.h.ids, rule))
	}
	c.ok(out)
}
