package adaptertest

import (
	"slices"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// statsBehaviours cover campaign counters and rankings.
var statsBehaviours = []behaviour{
	{name: "CampaignStatsCounted", needs: ops("CreateParticipant", "CampaignStats"), run: testCampaignStats},
	{name: "LeaderboardRanked", needs: ops("CreateParticipant", "Leaderboard"), run: testLeaderboard},
	{name: "PointsBoardRanked", needs: ops("CreateParticipant", "AddPoints", "Leaderboard"), unless: noBoard(canonical.PointsBoard),
		campaign: contestCampaign, run: testPointsBoard},
	{name: "MonthlyBoardsRollOver", needs: ops("CreateParticipant", "Leaderboard"),
		unless: noBoard(canonical.CurrentMonth, canonical.PreviousMonth), run: testMonthlyBoards},
}

// noBoard skips behaviours about boards the backend does not serve.
func noBoard(boards ...canonical.Board) func(Limits) string {
	return func(l Limits) string {
		for _, b := range boards {
			if l.Boards != nil && !slices.Contains(l.Boards, b) {
				return "the API has no " + string(b) + " board"
			}
		}
		return ""
	}
}

// contestCampaign is a contest ranking participants by points
// (ReferralHero ranks by points in contest lists only).
func contestCampaign() canonical.Campaign {
	c := Campaign()
	c.Name, c.Kind = "Contest conformance", canonical.ContestProgram
	return c
}

// reports says whether the backend's CampaignStats reports field.
func (l Limits) reports(field string) bool {
	return l.StatsCounters == nil || slices.Contains(l.StatsCounters, field)
}

func testCampaignStats(t *testing.T, s *suite) {
	a, b := s.join(t, "st-a"), s.join(t, "st-b")
	s.refer(t, "st-c", a)
	s.refer(t, "st-d", a)
	s.referFrom(t, "st-e", b, "twitter")
	st := must[canonical.CampaignStats](t, "campaign stats")(s.b.CampaignStats(s.ctx, s.camp))
	for _, c := range []struct {
		field     string
		got, want int
	}{
		{"Participants", st.Participants, 5},
		{"SignupsToday", st.SignupsToday, 5},
		{"Referrals", st.Referrals, 3},
		{"ReferredSignups", st.ReferredSignups, 3},
		{"PendingReferrals", st.PendingReferrals, 0},
		{"Leads", st.Leads, 3},
		// Friend bonus is approved at once: both referrers won.
		{"Winners", st.Winners, 2},
	} {
		if s.lim.reports(c.field) && c.got != c.want {
			t.Errorf("CampaignStats.%s = %d, want %d", c.field, c.got, c.want)
		}
	}
	if s.lim.reports("ReferralsByChannel") && st.ReferralsByChannel["twitter"] != 1 {
		t.Errorf("CampaignStats.ReferralsByChannel = %v, want twitter 1", st.ReferralsByChannel)
	}
	_, err := s.b.CampaignStats(s.ctx, "unknown-campaign-0")
	code(t, "stats of an unknown campaign", err, canonical.NotFound)
}

func testLeaderboard(t *testing.T, s *suite) {
	a, b, c := s.join(t, "lb-a"), s.join(t, "lb-b"), s.join(t, "lb-c")
	s.refer(t, "lb-b1", b)
	s.refer(t, "lb-b2", b)
	s.refer(t, "lb-a1", a)
	// All time: b (2), a (1), then c, first of those with none.
	var got []string
	var ranks []int
	q := canonical.LeaderboardQuery{CampaignID: s.camp, Board: canonical.AllTime, ListOptions: canonical.ListOptions{Limit: 2}}
	for range 10 {
		page := must[canonical.Page[canonical.Participant]](t, "leaderboard")(s.b.Leaderboard(s.ctx, q))
		if len(page.Items) > 2 {
			t.Fatalf("leaderboard page of %d with limit 2", len(page.Items))
		}
		for _, p := range page.Items {
			got, ranks = append(got, p.ID), append(ranks, p.Stats.Rank)
		}
		if q.Cursor = page.NextCursor; q.Cursor == "" || len(got) >= 3 {
			break
		}
	}
	if len(got) < 3 || !slices.Equal(got[:3], []string{b.ID, a.ID, c.ID}) || !slices.Equal(ranks[:3], []int{1, 2, 3}) {
		t.Fatalf("all-time leaderboard starts %v ranked %v, want %v ranked 1, 2, 3", got, ranks, []string{b.ID, a.ID, c.ID})
	}
	if s.supports("GetParticipant") {
		for i, p := range []canonical.Participant{b, a, c} {
			if r := s.get(t, p).Stats.Rank; r != i+1 {
				t.Errorf("%s reads back ranked %d, want %d as on the leaderboard", p.ID, r, i+1)
			}
		}
	}
	board := walk(t, "all-time board", func(o canonical.ListOptions) (canonical.Page[canonical.Participant], error) {
		return s.b.Leaderboard(s.ctx, canonical.LeaderboardQuery{CampaignID: s.camp, Board: canonical.AllTime, ListOptions: o})
	}, func(p canonical.Participant) string { return p.ID })
	if len(board) != 6 {
		t.Fatalf("all-time board of %d participants, want all 6", len(board))
	}
	_, err := s.b.Leaderboard(s.ctx, canonical.LeaderboardQuery{CampaignID: s.camp, Board: "bogus"})
	code(t, "an unknown board", err, canonical.Invalid)
}

func testPointsBoard(t *testing.T, s *suite) {
	a, b, c := s.join(t, "pb-a"), s.join(t, "pb-b"), s.join(t, "pb-c")
	for _, x := range []struct {
		p      canonical.Participant
		points int64
	}{{a, 10}, {b, 50}, {c, 10}} {
		must[canonical.Participant](t, "points")(s.b.AddPoints(s.ctx, s.camp, canonical.ByID(x.p.ID), x.points))
	}
	page := must[canonical.Page[canonical.Participant]](t, "points board")(s.b.Leaderboard(s.ctx,
		canonical.LeaderboardQuery{CampaignID: s.camp, Board: canonical.PointsBoard, ListOptions: canonical.ListOptions{Limit: 3}}))
	var got []string
	var ranks []int
	for _, p := range page.Items {
		got, ranks = append(got, p.ID), append(ranks, p.Stats.PointsRank)
	}
	// b has the most; a and c tie, and ties go to the earlier participant.
	if want := []string{b.ID, a.ID, c.ID}; !slices.Equal(got, want) || !slices.Equal(ranks, []int{1, 2, 3}) {
		t.Fatalf("points board %v ranked %v, want %v ranked 1, 2, 3", got, ranks, want)
	}
}

// board reads the first page of a board: its participants' IDs and their
// ranks on it.
func (s *suite) board(t *testing.T, b canonical.Board) (ids []string, ranks []int) {
	t.Helper()
	page := must[canonical.Page[canonical.Participant]](t, string(b)+" board")(s.b.Leaderboard(s.ctx,
		canonical.LeaderboardQuery{CampaignID: s.camp, Board: b, ListOptions: canonical.ListOptions{Limit: 100}}))
	for _, p := range page.Items {
		ids = append(ids, p.ID)
		switch b {
		case canonical.CurrentMonth:
			ranks = append(ranks, p.Stats.MonthlyRank)
		case canonical.PreviousMonth:
			ranks = append(ranks, p.Stats.PrevMonthlyRank)
		}
	}
	return ids, ranks
}

// testMonthlyBoards ranks a month's referrals on the current-month board,
// and, once the month is over, on the previous-month board.
func testMonthlyBoards(t *testing.T, s *suite) {
	a, b := s.join(t, "mo-a"), s.join(t, "mo-b")
	b1, b2 := s.refer(t, "mo-b1", b), s.refer(t, "mo-b2", b)
	a1 := s.refer(t, "mo-a1", a)
	all := []string{b.ID, a.ID, b1.ID, b2.ID, a1.ID}
	if ids, ranks := s.board(t, canonical.CurrentMonth); !slices.Equal(ids, all) || !slices.Equal(ranks, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("this month's board %v ranked %v, want %v ranked 1 to 5", ids, ranks, all)
	}
	if ids, _ := s.board(t, canonical.PreviousMonth); len(ids) != 0 {
		t.Fatalf("last month's board %v, want nobody (the campaign started this month)", ids)
	}
	// Into the next month (every harness starts on 10 March).
	s.h.Advance(25 * 24 * time.Hour)
	if ids, ranks := s.board(t, canonical.PreviousMonth); !slices.Equal(ids, all) || !slices.Equal(ranks, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("after the month turned, last month's board %v ranked %v, want %v ranked 1 to 5", ids, ranks, all)
	}
	// Nobody has referred anyone this month: join order decides.
	if ids, _ := s.board(t, canonical.CurrentMonth); !slices.Equal(ids, []string{a.ID, b.ID, b1.ID, b2.ID, a1.ID}) {
		t.Fatalf("after the month turned, this month's board %v, want join order", ids)
	}
	if st := s.get(t, b).Stats; st.Referrals != 2 || st.MonthlyReferrals != 0 || st.PrevMonthReferrals != 2 {
		t.Fatalf("after the month turned, %s counts %d referrals, %d this month, %d last month; want 2, 0, 2",
			b.ID, st.Referrals, st.MonthlyReferrals, st.PrevMonthReferrals)
	}
}
