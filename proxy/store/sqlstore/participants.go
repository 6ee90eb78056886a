package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func setParticipantID(p *store.Participant, id string) { p.ID = id }

// participantCols are the projected columns, in the order participantArgs
// returns their values.
const participantCols = `campaign_id, ord, email_key, phone_key, wallet_key, other_key, name_key, referrer_id,
	ref_state, stripe_customer_id, is_affiliate, ip, referrals, points, created_at, doc`

func participantArgs(p *store.Participant) ([]any, error) {
	cp := *p
	cp.ID = ""
	cp.Stats = canonical.ParticipantStats{}
	doc, err := encode(cp)
	if err != nil {
		return nil, err
	}
	return []any{
		atoi(p.CampaignID), p.Ord,
		store.Key(p.Email), store.Key(p.Phone), store.Key(p.CryptoWallet), store.Key(p.OtherIdentifier), store.Key(p.Name()),
		nullID(atoi(p.ReferrerID)), string(p.ReferralState), p.Affiliate.StripeCustomerID,
		p.Affiliate.IsAffiliate, p.IPAddress, p.Referrals, p.Points, ms(p.CreatedAt), doc,
	}, nil
}

func (t *tx) InsertParticipant(ctx context.Context, account int64, p *store.Participant) error {
	args, err := participantArgs(p)
	if err != nil {
		return err
	}
	id, err := t.insertUnique(ctx, `INSERT INTO participants (account_id, `+participantCols+`)
		VALUES (?, `+placeholders(16)+`)`, append([]any{account}, args...)...)
	if err != nil {
		return err
	}
	p.ID = itoa(id)
	return nil
}

func (t *tx) GetParticipant(ctx context.Context, account, id int64) (store.Participant, error) {
	return getDoc(ctx, t, setParticipantID, `SELECT id, doc FROM participants WHERE account_id = ? AND id = ?`, account, id)
}

var identityColumn = map[string]string{
	"email": "email_key", "phone": "phone_key", "wallet": "wallet_key", "other": "other_key",
}

func (t *tx) FindParticipant(ctx context.Context, account, campaign int64, kind, value string) (store.Participant, error) {
	col, ok := identityColumn[kind]
	if !ok || value == "" {
		return store.Participant{}, fmt.Errorf("%w: identity %q", store.ErrNotFound, kind)
	}
	// The "<> ''" term lets SQLite use the partial unique index on col.
	return getDoc(ctx, t, setParticipantID,
		`SELECT id, doc FROM participants WHERE account_id = ? AND campaign_id = ? AND `+col+` = ? AND `+col+` <> ''`,
		account, campaign, value)
}

func (t *tx) UpdateParticipant(ctx context.Context, account int64, p *store.Participant) error {
	args, err := participantArgs(p)
	if err != nil {
		return err
	}
	return t.guard(ctx, false, func() error {
		return affected(t.exec(ctx, `UPDATE participants SET campaign_id = ?, ord = ?, email_key = ?, phone_key = ?, wallet_key = ?,
		other_key = ?, name_key = ?, referrer_id = ?, ref_state = ?, stripe_customer_id = ?, is_affiliate = ?, ip = ?,
		referrals = ?, points = ?, created_at = ?, doc = ? WHERE account_id = ? AND id = ?`,
			append(args, account, atoi(p.ID))...))
	})
}

func (t *tx) DeleteParticipant(ctx context.Context, account, id int64) error {
	return affected(t.exec(ctx, `DELETE FROM participants WHERE account_id = ? AND id = ?`, account, id))
}

// sortSpec is a keyset ordering: by col (then id) in one direction.
type sortSpec struct {
	col     string
	desc    bool
	numeric bool
}

var participantSorts = map[canonical.ParticipantSort]sortSpec{
	canonical.SortNewest:        {col: "id", desc: true, numeric: true},
	canonical.SortOldest:        {col: "id", numeric: true},
	canonical.SortEmailAsc:      {col: "email_key"},
	canonical.SortEmailDesc:     {col: "email_key", desc: true},
	canonical.SortNameAsc:       {col: "name_key"},
	canonical.SortNameDesc:      {col: "name_key", desc: true},
	canonical.SortReferralsDesc: {col: "referrals", desc: true, numeric: true},
	canonical.SortReferralsAsc:  {col: "referrals", numeric: true},
	canonical.SortPointsDesc:    {col: "points", desc: true, numeric: true},
	canonical.SortPointsAsc:     {col: "points", numeric: true},
	canonical.SortCreatedDesc:   {col: "created_at", desc: true, numeric: true},
}

func (t *tx) ListParticipants(ctx context.Context, account int64, q store.ParticipantQuery) ([]store.Participant, string, error) {
	spec, ok := participantSorts[q.Sort]
	if !ok {
		return nil, "", fmt.Errorf("sqlstore: unknown participant sort %q", q.Sort)
	}
	w := participantsWhere(account, q)
	if q.After != "" {
		if err := keysetAfter(&w, spec, q.After); err != nil {
			return nil, "", err
		}
	}
	dir := "ASC"
	if spec.desc {
		dir = "DESC"
	}
	order := " ORDER BY " + spec.col + " " + dir
	if spec.col != "id" {
		order += ", id " + dir
	}
	limit := limitOf(q.Limit)
	rows, err := listDocs(ctx, t, setParticipantID, `SELECT id, doc FROM participants`+w.sql()+order+` LIMIT +? OFFSET +?`,
		append(w.args, limit+1, max(q.Offset, 0))...)
	for i := range rows {
		if err == nil {
			err = t.projected(ctx, account, &rows[i])
		}
	}
	if err != nil || len(rows) <= limit {
		return rows, "", err
	}
	rows = rows[:limit]
	return rows, participantCursor(q.Sort, rows[limit-1]), nil
}

// projected fills in a participant listed by its ID alone, its document
// unreadable (Ord 0, which no stored participant has), with what its
// columns say, so that the cursors and board positions taken from it
// hold. The name comes back as its lower-case key, in FirstName.
func (t *tx) projected(ctx context.Context, account int64, p *store.Participant) error {
	if p.Ord != 0 {
		return nil
	}
	var (
		camp, created int64
		referrer      sql.NullInt64
		state         string
	)
	err := t.queryRow(ctx, `SELECT campaign_id, ord, email_key, name_key, referrer_id, ref_state, referrals, points, created_at
		FROM participants WHERE account_id = ? AND id = ?`, account, atoi(p.ID)).
		Scan(&camp, &p.Ord, &p.Email, &p.FirstName, &referrer, &state, &p.Referrals, &p.Points, &created)
	if err != nil {
		return notFound(err)
	}
	p.CampaignID, p.ReferralState, p.CreatedAt = itoa(camp), canonical.ReferralState(state), time.UnixMilli(created).UTC()
	if referrer.Valid {
		p.ReferrerID = itoa(referrer.Int64)
	}
	return nil
}

func (t *tx) CountMatching(ctx context.Context, account int64, q store.ParticipantQuery) (int, error) {
	return t.count(ctx, "participants", participantsWhere(account, q))
}

// participantsWhere is the filter of a participant query.
func participantsWhere(account int64, q store.ParticipantQuery) where {
	w := where{}
	w.add("account_id = ?", account)
	w.add("campaign_id = ?", q.Campaign)
	if q.ReferrerID != 0 {
		w.add("referrer_id = ?", q.ReferrerID)
	}
	if q.EmailKey != "" {
		w.add("email_key = ? AND email_key <> ''", q.EmailKey)
	}
	if q.StripeCustomerID != "" {
		w.add("stripe_customer_id = ? AND stripe_customer_id <> ''", q.StripeCustomerID)
	}
	if q.OnlyAffiliates {
		w.add("is_affiliate = ?", true)
	}
	in(&w, "ref_state", q.States)
	return w
}

// participantCursor is the keyset cursor after participant p in sort s.
func participantCursor(s canonical.ParticipantSort, p store.Participant) string {
	id := p.ID
	switch participantSorts[s].col {
	case "email_key":
		return store.Key(p.Email) + "\x1f" + id
	case "name_key":
		return store.Key(p.Name()) + "\x1f" + id
	case "referrals":
		return strconv.FormatInt(p.Referrals, 10) + "\x1f" + id
	case "points":
		return strconv.FormatInt(p.Points, 10) + "\x1f" + id
	case "created_at":
		return strconv.FormatInt(p.CreatedAt.UnixMilli(), 10) + "\x1f" + id
	}
	return id
}

func keysetAfter(w *where, spec sortSpec, after string) error {
	op := ">"
	if spec.desc {
		op = "<"
	}
	if spec.col == "id" {
		id, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return fmt.Errorf("sqlstore: participants after %q: %w", after, store.ErrBadCursor)
		}
		w.add("id "+op+" ?", id)
		return nil
	}
	val, idText, ok := strings.Cut(after, "\x1f")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil {
		return fmt.Errorf("sqlstore: participants after %q: %w", after, store.ErrBadCursor)
	}
	var v any = val
	if spec.numeric {
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return fmt.Errorf("sqlstore: participants after %q: %w", after, store.ErrBadCursor)
		}
		v = n
	}
	w.add("("+spec.col+" "+op+" ? OR ("+spec.col+" = ? AND id "+op+" ?))", v, v, id)
	return nil
}

func (t *tx) CountParticipants(ctx context.Context, account, campaign int64, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM participants WHERE account_id = ? AND campaign_id = ? AND created_at >= ?`,
		account, campaign, ms(since)).Scan(&n)
	return n, err
}

func (t *tx) LastOrdBefore(ctx context.Context, account, campaign int64, before time.Time) (int64, error) {
	var ord int64
	err := t.queryRow(ctx, `SELECT ord FROM participants WHERE account_id = ? AND campaign_id = ? AND created_at < ?
		ORDER BY created_at DESC, ord DESC LIMIT 1`, account, campaign, ms(before)).Scan(&ord)
	if err := notFound(err); err != nil && err != store.ErrNotFound {
		return 0, err
	}
	return ord, nil
}

func (t *tx) CountIPs(ctx context.Context, account, campaign int64, ip string, except int64) (int, error) {
	if ip == "" {
		return 0, nil
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM participants WHERE account_id = ? AND campaign_id = ? AND ip = ? AND ip <> '' AND id <> ?`,
		account, campaign, ip, except).Scan(&n)
	return n, err
}

func (t *tx) Leaderboard(ctx context.Context, account, campaign int64, q store.BoardQuery) ([]store.Scored, error) {
	limit := limitOf(q.Limit)
	if month, ok := strings.CutPrefix(q.Board, "month:"); ok {
		m, err := strconv.Atoi(month)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: bad board %q", q.Board)
		}
		return t.monthBoard(ctx, account, campaign, m, q, limit)
	}
	col := map[string]string{"referrals": "referrals", "points": "points"}[q.Board]
	if col == "" {
		return nil, fmt.Errorf("sqlstore: bad board %q", q.Board)
	}
	w := where{}
	w.add("account_id = ?", account)
	w.add("campaign_id = ?", campaign)
	if q.AfterOrd > 0 {
		w.add("("+col+" < ? OR ("+col+" = ? AND ord > ?))", q.AfterScore, q.AfterScore, q.AfterOrd)
	}
	if q.MaxOrd > 0 {
		w.add("ord <= ?", q.MaxOrd)
	}
	rows, err := t.query(ctx, `SELECT `+col+`, id, doc FROM participants`+w.sql()+` ORDER BY `+col+` DESC, ord ASC LIMIT +?`,
		append(w.args, limit)...)
	if err != nil {
		return nil, err
	}
	out, err := scanScored(rows)
	return t.projectedScores(ctx, account, out, err)
}

// monthBoard pages a month's ranking: participants with credited referrals
// that month by count, then everyone else by ordinal.
func (t *tx) monthBoard(ctx context.Context, account, campaign int64, month int, q store.BoardQuery, limit int) ([]store.Scored, error) {
	var out []store.Scored
	maxOrd := q.MaxOrd
	if maxOrd <= 0 {
		maxOrd = 1<<62 - 1
	}
	if q.AfterOrd == 0 || q.AfterScore > 0 {
		w := where{}
		w.add("m.campaign_id = ?", campaign)
		w.add("m.month = ?", month)
		w.add("m.ord <= ?", maxOrd)
		if q.AfterOrd > 0 {
			w.add("(m.n < ? OR (m.n = ? AND m.ord > ?))", q.AfterScore, q.AfterScore, q.AfterOrd)
		}
		w.add("p.account_id = ?", account)
		rows, err := t.query(ctx, `SELECT m.n, p.id, p.doc FROM monthly_scores m JOIN participants p ON p.id = m.participant_id`+
			w.sql()+` ORDER BY m.n DESC, m.ord ASC LIMIT +?`, append(w.args, limit)...)
		if err != nil {
			return nil, err
		}
		out, err = scanScored(rows)
		if out, err = t.projectedScores(ctx, account, out, err); err != nil {
			return nil, err
		}
		if len(out) == limit {
			return out, nil
		}
	}
	after := int64(0)
	if q.AfterScore == 0 {
		after = q.AfterOrd
	}
	rows, err := t.query(ctx, `SELECT 0, p.id, p.doc FROM participants p
		WHERE p.account_id = ? AND p.campaign_id = ? AND p.ord > ? AND p.ord <= ? AND NOT EXISTS (
			SELECT 1 FROM monthly_scores m WHERE m.campaign_id = p.campaign_id AND m.month = ? AND m.participant_id = p.id)
		ORDER BY p.ord ASC LIMIT +?`, account, campaign, after, maxOrd, month, limit-len(out))
	if err != nil {
		return nil, err
	}
	zeros, err := scanScored(rows)
	zeros, err = t.projectedScores(ctx, account, zeros, err)
	return append(out, zeros...), err
}

// projectedScores fills in (see projected) the participants of scanned
// board rows whose documents are unreadable; err is the scan's.
func (t *tx) projectedScores(ctx context.Context, account int64, rows []store.Scored, err error) ([]store.Scored, error) {
	for i := range rows {
		if err == nil {
			err = t.projected(ctx, account, &rows[i].Participant)
		}
	}
	return rows, err
}

func scanScored(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]store.Scored, error) {
	defer rows.Close()
	var out []store.Scored
	for rows.Next() {
		var (
			s   store.Scored
			id  int64
			doc string
		)
		if err := rows.Scan(&s.Score, &id, &doc); err != nil {
			return nil, err
		}
		decodeListed(id, doc, &s.Participant, setParticipantID)
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *tx) SetMonthlyScore(ctx context.Context, campaign int64, month int, participant, ord, n int64) error {
	if n == 0 {
		_, err := t.exec(ctx, `DELETE FROM monthly_scores WHERE campaign_id = ? AND month = ? AND participant_id = ?`,
			campaign, month, participant)
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO monthly_scores (campaign_id, month, participant_id, ord, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (campaign_id, month, participant_id) DO UPDATE SET n = excluded.n, ord = excluded.ord`,
		campaign, month, participant, ord, n)
	return err
}

func (t *tx) GetMonthlyScore(ctx context.Context, campaign int64, month int, participant int64) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT n FROM monthly_scores WHERE campaign_id = ? AND month = ? AND participant_id = ?`,
		campaign, month, participant).Scan(&n)
	if err := notFound(err); err != nil && err != store.ErrNotFound {
		return 0, err
	}
	return n, nil
}

func (t *tx) MonthlyScores(ctx context.Context, campaign, participant int64, months ...int) ([]int64, error) {
	out := make([]int64, len(months))
	if len(months) == 0 {
		return out, nil
	}
	args := []any{campaign, participant}
	for _, m := range months {
		args = append(args, m)
	}
	rows, err := t.query(ctx, `SELECT month, n FROM monthly_scores WHERE campaign_id = ? AND participant_id = ? AND month IN (`+
		placeholders(len(months))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			m int
			n int64
		)
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		for i, want := range months {
			if want == m {
				out[i] = n
			}
		}
	}
	return out, rows.Err()
}

func (t *tx) MonthlyScoresOf(ctx context.Context, campaign, participant int64) (map[int]int64, error) {
	rows, err := t.query(ctx, `SELECT month, n FROM monthly_scores WHERE campaign_id = ? AND participant_id = ?`, campaign, participant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var (
			m int
			n int64
		)
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		out[m] = n
	}
	return out, rows.Err()
}
