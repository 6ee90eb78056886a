package engine

import (
	"fmt"
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

// fmtInts and fmtSscan encode and decode leaderboard cursors.
func fmtInts(a, b int64) string { return strconv.FormatInt(a, 10) + ":" + strconv.FormatInt(b, 10) }

func fmtSscan(s string, a, b *int64) (int, error) {
	return fmt.Sscanf(s, "%d:%d", a, b)
}

// toString renders a native value for comparisons.
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
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
