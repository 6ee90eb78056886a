package engine

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// Leaderboard implements canonical.Backend.
func (a *Account) Leaderboard(ctx context.Context, q canonical.LeaderboardQuery) (canonical.Page[canonical.Participant], error) {
	var page canonical.Page[canonical.Participant]
	limit := clampLimit(q.Limit, 10, 100)
	after, err := decodeCursor(q.Cursor)
	if err != nil {
		return page, err
	}
	var afterScore, afterOrd int64
	if after != "" {
		if _, err := fmtSscan(after, &afterScore, &afterOrd); err != nil {
			return page, canonical.Errorf(canonical.Invalid, "malformed cursor")
		}
	}
	err = a.read(ctx, q.CampaignID, func(w *work) error {
		board, treeBoard, maxOrd, err := w.boardOf(q.Board)
		if err != nil {
			return err
		}
		if maxOrd < 0 { // nobody was in the campaign then
			page.Items, page.Total = []canonical.Participant{}, -1
			return nil
		}
		rows, err := w.tx.Leaderboard(w.ctx, w.acct(), w.cid, store.BoardQuery{Board: board,
			AfterScore: afterScore, AfterOrd: afterOrd, Limit: limit + 1, MaxOrd: maxOrd})
		if err != nil {
			return err
		}
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		page.Items, page.Total = make([]canonical.Participant, 0, len(rows)), -1
		rank := 0
		for i, r := range rows {
			v, err := w.view(r.Participant)
			if err != nil {
				return err
			}
			// A page is a run of consecutive ranks: compute the first,
			// count on from there.
			if i == 0 {
				if rank, err = rankOf(w.ctx, w.tx, w.cid, treeBoard, r.Ord, r.Score); err != nil {
					return err
				}
			} else {
				rank++
			}
			setBoardRank(&v.Stats, q.Board, rank)
			page.Items = append(page.Items, v)
		}
		if more {
			last := rows[len(rows)-1]
			page.NextCursor = encodeCursor(fmtInts(last.Score, last.Ord))
		}
		return nil
	})
	return page, err
}

// boardOf maps a canonical board to the store's board, the rank trees'
// board and the highest ordinal it ranks.
func (w *work) boardOf(b canonical.Board) (store string, tree string, maxOrd int64, err error) {
	switch b {
	case canonical.AllTime, "":
		return "referrals", boardAll, 0, nil
	case canonical.PointsBoard:
		return "points", boardPoints, 0, nil
	case canonical.CurrentMonth:
		m := monthKey(w.now)
		return "month:" + itoa(m), boardMonth(m), 0, nil
	case canonical.PreviousMonth:
		prev := monthStart(w.now).AddDate(0, -1, 0)
		maxOrd, err := w.lastOrdBefore(monthStart(w.now))
		return "month:" + itoa(monthKey(prev)), boardMonth(monthKey(prev)), maxOrd, err
	}
	return "", "", 0, canonical.Errorf(canonical.Invalid, "unknown leaderboard %q", b)
}

// setBoardRank stores a leaderboard position in the stat of its board.
func setBoardRank(s *canonical.ParticipantStats, b canonical.Board, rank int) {
	switch b {
	case canonical.CurrentMonth:
		s.MonthlyRank = rank
	case canonical.PreviousMonth:
		s.PrevMonthlyRank = rank
	case canonical.PointsBoard:
		s.PointsRank = rank
	default:
		s.Rank = rank
	}
}

// itoa is strconv.Itoa, for board keys.
func itoa(n int) string { return strconv.Itoa(n) }

// fmtInts and fmtSscan encode and decode leaderboard cursors.
func fmtInts(a, b int64) string { return strconv.FormatInt(a, 10) + ":" + strconv.FormatInt(b, 10) }

func fmtSscan(s string, a, b *int64) (int, error) {
	return fmt.Sscanf(s, "%d:%d", a, b)
}

// lastOrdBefore is the highest ordinal among participants created before t.
func (w *work) lastOrdBefore(t time.Time) (int64, error) {
	n, err := w.tx.LastOrdBefore(w.ctx, w.acct(), w.cid, t)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return -1, nil // nobody: exclude everyone
	}
	return n, nil
}
