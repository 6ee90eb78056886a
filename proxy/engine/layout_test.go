package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/proxytest"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// oldFixture is testdata/v2-ranks.json.
type oldFixture struct {
	Account, Campaign string
	Now               time.Time
	Ranks             map[string]struct{ Rank, Monthly, PrevMonthly, Points int }
	Boards            map[canonical.Board][]string
}

var boards = []canonical.Board{canonical.AllTime, canonical.CurrentMonth, canonical.PreviousMonth, canonical.PointsBoard}

// TestOpenConvertsOldRankLayout opens a store written before the dense
// rank layout: every rank and leaderboard must read as the old version
// answered, stay right through later changes, and a second open must
// find nothing left to convert.
func TestOpenConvertsOldRankLayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var fx oldFixture
	raw, err := os.ReadFile("testdata/v2-ranks.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	path := proxytest.Gunzip(t, "testdata/v2-ranks.db.gz")
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &clock{t: fx.Now}
	eng, err := engine.Open(ctx, st, &engine.Options{Clock: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	b := eng.Backend(fx.Account)

	for id, want := range fx.Ranks {
		p, err := b.GetParticipant(ctx, fx.Campaign, canonical.ByID(id))
		if err != nil {
			t.Fatal(err)
		}
		s := p.Stats
		if s.Rank != want.Rank || s.MonthlyRank != want.Monthly || s.PrevMonthlyRank != want.PrevMonthly || s.PointsRank != want.Points {
			t.Errorf("participant %s ranks (all, month, prev, points) = (%d, %d, %d, %d), the old layout answered (%d, %d, %d, %d)",
				id, s.Rank, s.MonthlyRank, s.PrevMonthlyRank, s.PointsRank, want.Rank, want.Monthly, want.PrevMonthly, want.Points)
		}
	}
	for _, board := range boards {
		if got, want := leaderboard(t, b, fx.Campaign, board), fx.Boards[board]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("board %s after conversion:\n got %v\nwant %v", board, got, want)
		}
	}

	// Changes after the conversion keep every rank equal to the
	// participant's place on the leaderboards (ordered by the store).
	ids := fx.Boards[canonical.AllTime]
	for i := range 40 {
		ref := canonical.ByID(ids[(i*37)%len(ids)])
		in := canonical.NewParticipant{Referrer: ref}
		in.CampaignID, in.Email = fx.Campaign, fmt.Sprintf("after%d@example.com", i)
		if _, _, err := b.CreateParticipant(ctx, in); err != nil {
			t.Fatal(err)
		}
		if i%8 == 0 {
			if _, err := b.DeleteParticipant(ctx, fx.Campaign, canonical.ByID(ids[(i*53+11)%len(ids)])); err != nil {
				t.Fatal(err)
			}
			if _, err := b.AddPoints(ctx, fx.Campaign, ref, 25); err != nil {
				t.Fatal(err)
			}
		}
	}
	ranksMatchPlaces(t, b, fx.Campaign)

	// A second open converts nothing and changes nothing.
	if _, err := engine.Open(ctx, st, &engine.Options{Clock: c.Now}); err != nil {
		t.Fatal(err)
	}
	ranksMatchPlaces(t, b, fx.Campaign)
}

// leaderboard lists a board's participants in order.
func leaderboard(t *testing.T, b canonical.Backend, campaign string, board canonical.Board) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		page, err := b.Leaderboard(context.Background(), canonical.LeaderboardQuery{CampaignID: campaign, Board: board,
			ListOptions: canonical.ListOptions{Limit: 100, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Items {
			out = append(out, p.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			return out
		}
	}
}

// ranksMatchPlaces checks every participant's rank on every board against
// their place in the board's leaderboard.
func ranksMatchPlaces(t *testing.T, b canonical.Backend, campaign string) {
	t.Helper()
	place := map[canonical.Board]map[string]int{}
	for _, board := range boards {
		place[board] = map[string]int{}
		for i, id := range leaderboard(t, b, campaign, board) {
			place[board][id] = i + 1
		}
	}
	for id := range place[canonical.AllTime] {
		p, err := b.GetParticipant(context.Background(), campaign, canonical.ByID(id))
		if err != nil {
			t.Fatal(err)
		}
		s := p.Stats
		got := []int{s.Rank, s.MonthlyRank, s.PrevMonthlyRank, s.PointsRank}
		for i, board := range boards {
			if got[i] != place[board][id] {
				t.Errorf("participant %s: rank on %s is %d, place on its leaderboard %d", id, board, got[i], place[board][id])
			}
		}
	}
}
