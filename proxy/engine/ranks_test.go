package engine_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/engine"
)

// model is a brute-force picture of a campaign: who is in it, in join
// order, with which scores.
type model struct {
	order   []string // participant IDs in join order
	alive   map[string]bool
	created map[string]time.Time
	all     map[string]int
	month   map[string]map[int]int // id → month → credited referrals
	points  map[string]int64
}

// rank ranks id among the participants for whom in is true, by score
// descending, ties to the earlier participant.
func (m *model) rank(id string, in func(string) bool, score func(string) int64) int {
	var ids []string
	for _, p := range m.order {
		if m.alive[p] && in(p) {
			ids = append(ids, p)
		}
	}
	pos := map[string]int{}
	for i, p := range m.order {
		pos[p] = i
	}
	sort.SliceStable(ids, func(i, j int) bool {
		if score(ids[i]) != score(ids[j]) {
			return score(ids[i]) > score(ids[j])
		}
		return pos[ids[i]] < pos[ids[j]]
	})
	for i, p := range ids {
		if p == id {
			return i + 1
		}
	}
	return 0
}

func monthOf(t time.Time) int { return t.Year()*100 + int(t.Month()) }

// TestRanksAgreeWithBruteForce drives a campaign through random joins,
// referrals, points, deletions and month changes, and checks every rank
// and every leaderboard page against a brute-force ranking.
func TestRanksAgreeWithBruteForce(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			rng := rand.New(rand.NewPCG(seed, 99))
			c := e.campaign(canonical.Campaign{})
			m := &model{alive: map[string]bool{}, created: map[string]time.Time{}, all: map[string]int{},
				month: map[string]map[int]int{}, points: map[string]int64{}}
			codes := map[string]string{}
			referrerOf := map[string]string{}
			join := func(ref string) {
				var r canonical.ParticipantRef
				if ref != "" {
					r = canonical.ByCode(codes[ref])
				}
				p := e.join(c.ID, fmt.Sprintf("p%d@example.com", len(m.order)), r)
				m.order = append(m.order, p.ID)
				m.alive[p.ID], m.created[p.ID], codes[p.ID] = true, e.clock.Now(), p.ReferralCode
				m.month[p.ID] = map[int]int{}
				if ref != "" {
					referrerOf[p.ID] = ref
					m.all[ref]++
					m.month[ref][monthOf(e.clock.Now())]++
				}
			}
			aliveIDs := func() []string {
				var out []string
				for _, p := range m.order {
					if m.alive[p] {
						out = append(out, p)
					}
				}
				return out
			}
			for step := 0; step < 260; step++ {
				alive := aliveIDs()
				switch r := rng.IntN(100); {
				case r < 35 || len(alive) < 3:
					join("")
				case r < 80:
					join(alive[rng.IntN(len(alive))])
				case r < 88:
					p := alive[rng.IntN(len(alive))]
					d := int64(rng.IntN(50) - 10)
					got, err := e.b.AddPoints(e.ctx, c.ID, canonical.ByID(p), d)
					if err != nil {
						t.Fatal(err)
					}
					m.points[p] = max(0, m.points[p]+d)
					if got.Points != m.points[p] {
						t.Fatalf("points = %d, want %d", got.Points, m.points[p])
					}
				case r < 93:
					p := alive[rng.IntN(len(alive))]
					if _, err := e.b.DeleteParticipant(e.ctx, c.ID, canonical.ByID(p)); err != nil {
						t.Fatal(err)
					}
					m.alive[p] = false
					if ref := referrerOf[p]; ref != "" && m.alive[ref] {
						m.all[ref]--
						// The credit is taken back in the month it was given.
						for _, mo := range []int{monthOf(m.created[p])} {
							m.month[ref][mo]--
						}
					}
					for q, ref := range referrerOf {
						if ref == p {
							delete(referrerOf, q)
						}
					}
				default:
					e.clock.Advance(time.Duration(rng.IntN(20)+5) * 24 * time.Hour)
				}
			}
			now := e.clock.Now()
			cur := monthOf(now)
			firstOfMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			prev := monthOf(firstOfMonth.AddDate(0, -1, 0))
			everyone := func(string) bool { return true }
			before := func(p string) bool { return m.created[p].Before(firstOfMonth) }
			for _, p := range aliveIDs() {
				got := e.get(c.ID, p).Stats
				want := canonical.ParticipantStats{
					Rank:        m.rank(p, everyone, func(q string) int64 { return int64(m.all[q]) }),
					MonthlyRank: m.rank(p, everyone, func(q string) int64 { return int64(m.month[q][cur]) }),
					PointsRank:  m.rank(p, everyone, func(q string) int64 { return m.points[q] }),
				}
				if before(p) {
					want.PrevMonthlyRank = m.rank(p, before, func(q string) int64 { return int64(m.month[q][prev]) })
				}
				if got.Rank != want.Rank || got.MonthlyRank != want.MonthlyRank || got.PrevMonthlyRank != want.PrevMonthlyRank ||
					got.PointsRank != want.PointsRank {
					t.Errorf("participant %s ranks (all, month, prev, points) = (%d, %d, %d, %d), want (%d, %d, %d, %d)", p,
						got.Rank, got.MonthlyRank, got.PrevMonthlyRank, got.PointsRank,
						want.Rank, want.MonthlyRank, want.PrevMonthlyRank, want.PointsRank)
				}
				if r, err := e.b.(*engine.Account).Rank(e.ctx, c.ID, p, canonical.PreviousMonth); err != nil || r != want.PrevMonthlyRank {
					t.Errorf("Rank(%s, prev month) = %d, %v; want %d", p, r, err, want.PrevMonthlyRank)
				}
				if r, err := e.b.(*engine.Account).Rank(e.ctx, c.ID, p, canonical.PointsBoard); err != nil || r != want.PointsRank {
					t.Errorf("Rank(%s, points) = %d, %v; want %d", p, r, err, want.PointsRank)
				}
				if got.Referrals != m.all[p] || got.MonthlyReferrals != m.month[p][cur] || got.PrevMonthReferrals != m.month[p][prev] {
					t.Errorf("participant %s counts (all, month, prev) = (%d, %d, %d), want (%d, %d, %d)", p,
						got.Referrals, got.MonthlyReferrals, got.PrevMonthReferrals, m.all[p], m.month[p][cur], m.month[p][prev])
				}
			}
			// Leaderboard pages list everyone in rank order, ranks counting up.
			for _, board := range []canonical.Board{canonical.AllTime, canonical.CurrentMonth, canonical.PreviousMonth, canonical.PointsBoard} {
				var got []string
				cursor := ""
				for {
					page, err := e.b.Leaderboard(e.ctx, canonical.LeaderboardQuery{CampaignID: c.ID, Board: board,
						ListOptions: canonical.ListOptions{Limit: 7, Cursor: cursor}})
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range page.Items {
						got = append(got, p.ID)
						rank := map[canonical.Board]int{canonical.AllTime: p.Stats.Rank, canonical.CurrentMonth: p.Stats.MonthlyRank,
							canonical.PreviousMonth: p.Stats.PrevMonthlyRank, canonical.PointsBoard: p.Stats.PointsRank}[board]
						if rank != len(got) {
							t.Errorf("board %s: %s listed at %d with rank %d", board, p.ID, len(got), rank)
						}
					}
					if cursor = page.NextCursor; cursor == "" {
						break
					}
				}
				in, score := everyone, func(q string) int64 { return int64(m.all[q]) }
				switch board {
				case canonical.CurrentMonth:
					score = func(q string) int64 { return int64(m.month[q][cur]) }
				case canonical.PreviousMonth:
					in, score = before, func(q string) int64 { return int64(m.month[q][prev]) }
				case canonical.PointsBoard:
					score = func(q string) int64 { return m.points[q] }
				}
				var want []string
				for _, p := range aliveIDs() {
					if in(p) {
						want = append(want, p)
					}
				}
				sort.SliceStable(want, func(i, j int) bool {
					return m.rank(want[i], in, score) < m.rank(want[j], in, score)
				})
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("board %s = %v, want %v", board, got, want)
				}
			}
		})
	}
}

// TestReferralCountsMatchCreditedReferrals checks, after random activity,
// that every participant's referral count equals the number of their
// credited referrals and the level counts match the referral graph.
func TestReferralCountsMatchCreditedReferrals(t *testing.T) {
	t.Parallel()
	for _, q := range []canonical.Qualification{canonical.QualifyOnSignup, canonical.QualifyOnEvent} {
		t.Run(string(q), func(t *testing.T) {
			t.Parallel()
			checkReferralCounts(t, q)
		})
	}
}

func checkReferralCounts(t *testing.T, q canonical.Qualification) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(7, 7))
	c := e.campaign(canonical.Campaign{Qualification: q})
	var ids []string
	codes := map[string]string{}
	for i := range 120 {
		var ref canonical.ParticipantRef
		if len(ids) > 0 && rng.IntN(4) > 0 {
			ref = canonical.ByCode(codes[ids[rng.IntN(len(ids))]])
		}
		p := e.join(c.ID, fmt.Sprintf("u%d@example.com", i), ref)
		ids, codes[p.ID] = append(ids, p.ID), p.ReferralCode
		if rng.IntN(3) == 0 && len(ids) > 1 {
			// Trigger a random pending referral; some are deleted later.
			_, err := e.b.TriggerReferral(e.ctx, c.ID, canonical.ByID(ids[rng.IntN(len(ids))]), 0)
			if err != nil && !canonical.IsCode(err, canonical.NotFound) {
				t.Fatal(err)
			}
		}
		if rng.IntN(15) == 0 {
			victim := ids[rng.IntN(len(ids))]
			if _, err := e.b.DeleteParticipant(e.ctx, c.ID, canonical.ByID(victim)); err != nil && !canonical.IsCode(err, canonical.NotFound) {
				t.Fatal(err)
			}
		}
	}
	page, err := e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	all := page.Items
	for page.NextCursor != "" {
		page, err = e.b.ListParticipants(e.ctx, canonical.ParticipantQuery{CampaignID: c.ID, ListOptions: canonical.ListOptions{Limit: 100, Cursor: page.NextCursor}})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
	}
	byID := map[string]canonical.Participant{}
	children := map[string][]string{}
	for _, p := range all {
		byID[p.ID] = p
		if p.ReferrerID != "" {
			children[p.ReferrerID] = append(children[p.ReferrerID], p.ID)
		}
	}
	credited := func(id string) int {
		n := 0
		for _, ch := range children[id] {
			if byID[ch].ReferralState == canonical.StateCredited {
				n++
			}
		}
		return n
	}
	for _, p := range all {
		if p.ReferrerID != "" && byID[p.ReferrerID].ID == "" {
			t.Errorf("%s is referred by deleted %s", p.ID, p.ReferrerID)
		}
		refs, err := e.b.ListReferrals(e.ctx, canonical.ReferralQuery{CampaignID: c.ID, ReferrerID: p.ID,
			States: []canonical.ReferralState{canonical.StateCredited}, ListOptions: canonical.ListOptions{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		l2, l3 := 0, 0
		for _, ch := range children[p.ID] {
			l2 += credited(ch)
			for _, gch := range children[ch] {
				l3 += credited(gch)
			}
		}
		all, err := e.b.ListReferrals(e.ctx, canonical.ReferralQuery{CampaignID: c.ID, ReferrerID: p.ID, ListOptions: canonical.ListOptions{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, r := range all.Items {
			if r.State == canonical.StatePending {
				pending++
			}
		}
		if p.Stats.PendingReferrals != pending || p.Stats.ReferredSignups != len(all.Items) {
			t.Errorf("%s: pending %d (listed %d), referred signups %d (listed %d)",
				p.ID, p.Stats.PendingReferrals, pending, p.Stats.ReferredSignups, len(all.Items))
		}
		s := p.Stats
		if s.Referrals != len(refs.Items) || s.Referrals != credited(p.ID) || s.Level2Referrals != l2 || s.Level3Referrals != l3 {
			t.Errorf("%s: referrals %d (credited referrals %d, graph %d), level2 %d (graph %d), level3 %d (graph %d)",
				p.ID, s.Referrals, len(refs.Items), credited(p.ID), s.Level2Referrals, l2, s.Level3Referrals, l3)
		}
	}
}
