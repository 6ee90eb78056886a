package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

func setEventID(e *canonical.Change, id string)             { e.ID = id }
func setEndpointID(e *canonical.WebhookEndpoint, id string) { e.ID = id }

func (t *tx) AppendEvent(ctx context.Context, account int64, e *canonical.Change) error {
	es := []canonical.Change{*e}
	if _, err := t.AppendEvents(ctx, account, es); err != nil {
		return err
	}
	e.ID = es[0].ID
	return nil
}

// eventChunk is how many events one statement inserts; a longer batch
// takes several, so the store prepares at most this many statement texts.
const eventChunk = 16

func (t *tx) AppendEvents(ctx context.Context, account int64, es []canonical.Change) ([]bool, error) {
	queued := make([]bool, len(es))
	for i := 0; i < len(es); i += eventChunk {
		n := min(len(es)-i, eventChunk)
		if err := t.appendEvents(ctx, account, es[i:i+n], queued[i:i+n]); err != nil {
			return nil, err
		}
	}
	return queued, nil
}

// appendEvents inserts up to eventChunk events with one statement and
// queues their deliveries with another, setting queued[i] when es[i] got
// any.
func (t *tx) appendEvents(ctx context.Context, account int64, es []canonical.Change, queued []bool) error {
	args := make([]any, 0, 5*len(es))
	for _, e := range es {
		cp := e
		cp.ID = ""
		doc, err := encode(cp)
		if err != nil {
			return err
		}
		args = append(args, account, atoi(e.CampaignID), string(e.Kind), ms(e.At), doc)
	}
	one := "(" + placeholders(5) + ")"
	rows, err := t.query(ctx, `INSERT INTO events (account_id, campaign_id, kind, at, doc) VALUES `+
		strings.TrimSuffix(strings.Repeat(one+", ", len(es)), ", ")+` RETURNING id`, args...)
	if err != nil {
		return t.classify(err)
	}
	ids := make([]int64, 0, len(es))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t.classify(err)
	}
	if len(ids) != len(es) {
		return fmt.Errorf("sqlstore: inserted %d events, got %d IDs back", len(es), len(ids))
	}
	// One statement assigns its rows IDs in the order of its VALUES;
	// RETURNING need not list them in that order.
	slices.Sort(ids)
	for i := range es {
		es[i].ID = itoa(ids[i])
	}
	// Every enabled endpoint subscribed to an event's kind in its campaign
	// (or in every campaign) gets a delivery of it, due when it happened,
	// in event order.
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	rows, err = t.query(ctx, `INSERT INTO deliveries (account_id, endpoint_id, event_id, kind, state, attempts, next_at, lease_until, created_at, doc)
		SELECT k.account_id, k.endpoint_id, e.id, e.kind, ?, 0, e.at, 0, e.at, '{}'
		FROM events e JOIN webhook_kinds k ON k.account_id = e.account_id AND k.kind = e.kind
		JOIN webhook_endpoints ep ON ep.id = k.endpoint_id
		WHERE e.account_id = ? AND e.id IN (`+placeholders(len(ids))+`) AND ep.enabled = 1 AND (ep.campaign_id = 0 OR ep.campaign_id = e.campaign_id)
		ORDER BY e.id, k.endpoint_id RETURNING event_id`,
		append([]any{string(canonical.DeliveryPending), account}, idArgs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if i, ok := slices.BinarySearch(ids, id); ok {
			queued[i] = true
		}
	}
	return rows.Err()
}

func (t *tx) GetEvent(ctx context.Context, account, id int64) (canonical.Change, error) {
	return getDoc(ctx, t, setEventID, `SELECT id, doc FROM events WHERE account_id = ? AND id = ?`, account, id)
}

// eventsWhere selects the events q names.
func eventsWhere(account int64, q store.EventQuery) where {
	w := where{}
	w.add("account_id = ?", account)
	if q.ID != 0 {
		w.add("id = ?", q.ID)
	}
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	in(&w, "kind", q.Kinds)
	if q.AfterID > 0 {
		w.add("id > ?", q.AfterID)
	}
	if !q.Since.IsZero() {
		w.add("at >= ?", ms(q.Since))
	}
	return w
}

func (t *tx) ListEvents(ctx context.Context, account int64, q store.EventQuery) ([]canonical.Change, error) {
	w := eventsWhere(account, q)
	return listDocs(ctx, t, setEventID, `SELECT id, doc FROM events`+w.sql()+` ORDER BY id LIMIT +?`,
		append(w.args, limitOf(q.Limit))...)
}

func (t *tx) InsertEndpoint(ctx context.Context, account int64, e *canonical.WebhookEndpoint) error {
	cp := *e
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	id, err := t.insertID(ctx, `INSERT INTO webhook_endpoints (account_id, vendor, campaign_id, enabled, doc) VALUES (?, ?, ?, ?, ?)`,
		account, string(e.Vendor), atoi(e.CampaignID), flag(e.Enabled), doc)
	if err != nil {
		return err
	}
	if err := t.setKinds(ctx, account, id, e.Kinds); err != nil {
		return err
	}
	e.ID = itoa(id)
	return nil
}

// setKinds replaces the kinds an endpoint subscribes to.
func (t *tx) setKinds(ctx context.Context, account, endpoint int64, kinds []canonical.ChangeKind) error {
	if _, err := t.exec(ctx, `DELETE FROM webhook_kinds WHERE endpoint_id = ?`, endpoint); err != nil {
		return err
	}
	seen := map[canonical.ChangeKind]bool{}
	var rows [][]any
	for _, k := range kinds {
		if !seen[k] {
			seen[k] = true
			rows = append(rows, []any{endpoint, account, string(k)})
		}
	}
	return t.execRows(ctx, `INSERT INTO webhook_kinds (endpoint_id, account_id, kind)`, 3, "", rows)
}

// flag stores a boolean as 0 or 1 in either database.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// endpointByID selects one endpoint of an account.
const endpointByID = `SELECT id, doc FROM webhook_endpoints WHERE account_id = ? AND id = ?`

func (t *tx) GetEndpoint(ctx context.Context, account, id int64) (canonical.WebhookEndpoint, error) {
	return getDoc(ctx, t, setEndpointID, endpointByID, account, id)
}

func (t *tx) LockEndpoint(ctx context.Context, account, id int64) (canonical.WebhookEndpoint, error) {
	// The lock's holder updates the endpoint but keeps its key: deliveries
	// queued to it meanwhile (their foreign key shares the key) need not
	// wait for a worker recording a run.
	return getDoc(ctx, t, setEndpointID, endpointByID+t.s.d.KeyKeptLockSuffix, account, id)
}

func (t *tx) UpdateEndpoint(ctx context.Context, account int64, e *canonical.WebhookEndpoint) error {
	cp := *e
	cp.ID = ""
	doc, err := encode(cp)
	if err != nil {
		return err
	}
	id := atoi(e.ID)
	return t.guard(ctx, true, func() error {
		err := affected(t.exec(ctx, `UPDATE webhook_endpoints SET vendor = ?, campaign_id = ?, enabled = ?, doc = ? WHERE account_id = ? AND id = ?`,
			string(e.Vendor), atoi(e.CampaignID), flag(e.Enabled), doc, account, id))
		if err != nil {
			return err
		}
		return t.setKinds(ctx, account, id, e.Kinds)
	})
}

func (t *tx) DeleteEndpoint(ctx context.Context, account, id int64) error {
	return t.guard(ctx, true, func() error {
		// The endpoint's row first, then its deliveries, in the order in
		// which a worker recording a run locks them (LockEndpoint, then
		// the run): the other order deadlocks with it. The foreign keys
		// cascade to the deliveries and kinds; the deletes after say so
		// without relying on it.
		if err := affected(t.exec(ctx, `DELETE FROM webhook_endpoints WHERE account_id = ? AND id = ?`, account, id)); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM deliveries WHERE account_id = ? AND endpoint_id = ?`, account, id); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM webhook_kinds WHERE account_id = ? AND endpoint_id = ?`, account, id)
		return err
	})
}

func (t *tx) ListEndpoints(ctx context.Context, account int64, q store.EndpointQuery) ([]canonical.WebhookEndpoint, error) {
	w := where{}
	w.add("account_id = ?", account)
	if q.Vendor != "" {
		w.add("vendor = ?", string(q.Vendor))
	}
	if q.Campaign != 0 {
		w.add("campaign_id = ?", q.Campaign)
	}
	return listDocs(ctx, t, setEndpointID, `SELECT id, doc FROM webhook_endpoints`+w.sql()+` ORDER BY id`, w.args...)
}

// deliveryCols are the columns scanDelivery reads, prefixed by the
// deliveries table's alias d. The document holds what the last attempt
// left (time, status, error, delivery time); the columns the rest.
const deliveryCols = `d.id, d.account_id, d.endpoint_id, d.event_id, d.kind, d.state, d.attempts, d.next_at, d.created_at, d.doc`

// scanDelivery reads deliveryCols (and dest after them) into a Delivery.
func scanDelivery(sc interface{ Scan(...any) error }, dest ...any) (canonical.Delivery, error) {
	var (
		d                                          canonical.Delivery
		id, account, endpoint, event, due, created int64
		attempts                                   int
		kind, state, doc                           string
	)
	if err := sc.Scan(append([]any{&id, &account, &endpoint, &event, &kind, &state, &attempts, &due, &created, &doc}, dest...)...); err != nil {
		return d, err
	}
	decodeListed(id, doc, &d, func(d *canonical.Delivery, id string) { d.ID = id })
	d.AccountID, d.EndpointID, d.EventID, d.Kind = itoa(account), itoa(endpoint), itoa(event), canonical.ChangeKind(kind)
	d.State, d.Attempts = canonical.DeliveryState(state), attempts
	d.NextAttemptAt, d.CreatedAt = time.UnixMilli(due).UTC(), time.UnixMilli(created).UTC()
	return d, nil
}

func (t *tx) ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.DeliveryJob, error) {
	return t.claim(ctx, now, leaseUntil, limit)
}

func (t *tx) LeaseRun(ctx context.Context, account, endpoint int64, now, leaseUntil time.Time, limit int) ([]canonical.Delivery, error) {
	lock := ""
	if t.s.d.LockSuffix != "" {
		// Wait for rows another claimer holds rather than skip them: a
		// run must not have gaps.
		lock = " FOR UPDATE OF d"
	}
	rows, err := t.query(ctx, `SELECT `+deliveryCols+`, d.lease_until
		FROM deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
		WHERE d.endpoint_id = ? AND d.state = ? AND ep.account_id = ? AND ep.enabled = 1
		ORDER BY d.id LIMIT +?`+lock, endpoint, string(canonical.DeliveryPending), account, limitOf(limit))
	if err != nil {
		return nil, err
	}
	var run []canonical.Delivery
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var lease int64
			d, err := scanDelivery(rows, &lease)
			if err != nil {
				return err
			}
			// The run ends before the first delivery not due or leased.
			if d.NextAttemptAt.After(now) || lease > ms(now) {
				break
			}
			run = append(run, d)
		}
		return rows.Err()
	}()
	if err != nil || len(run) == 0 {
		return nil, err
	}
	ids := make([]int64, len(run))
	for i, d := range run {
		ids[i] = atoi(d.ID)
	}
	return run, t.setLease(ctx, ids, leaseUntil)
}

// setLease leases the deliveries ids until leaseUntil.
func (t *tx) setLease(ctx context.Context, ids []int64, leaseUntil time.Time) error {
	cond, arg := t.s.d.IntList("id", ids)
	_, err := t.exec(ctx, `UPDATE deliveries SET lease_until = ? WHERE `+cond, ms(leaseUntil), arg)
	return err
}

// queueHead selects the head of endpoint ep's queue: its first pending
// delivery (one argument: the pending state).
const queueHead = `SELECT h.id FROM deliveries h WHERE h.endpoint_id = ep.id AND h.state = ? ORDER BY h.id LIMIT 1`

// claim leases up to limit due heads of enabled endpoints' queues.
func (t *tx) claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.DeliveryJob, error) {
	lock := ""
	if t.s.d.LockSuffix != "" {
		// Replicas claiming at once skip each other's rows instead of
		// waiting for them.
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	// From each enabled endpoint to the head of its queue (its first
	// pending delivery, by the queue index), so a claim costs the number
	// of endpoints, not of pending deliveries.
	rows, err := t.query(ctx, `SELECT `+deliveryCols+`, ev.doc, ep.doc
		FROM webhook_endpoints ep
		JOIN deliveries d ON d.id = (`+queueHead+`)
		JOIN events ev ON ev.id = d.event_id
		WHERE ep.enabled = 1 AND d.next_at <= ? AND d.lease_until <= ?
		ORDER BY d.id LIMIT +?`+lock,
		string(canonical.DeliveryPending), ms(now), ms(now), limitOf(limit))
	if err != nil {
		return nil, err
	}
	var jobs []store.DeliveryJob
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var evDoc, epDoc string
			d, err := scanDelivery(rows, &evDoc, &epDoc)
			if err != nil {
				return err
			}
			job := store.DeliveryJob{Delivery: d}
			decodeListed(atoi(d.EventID), evDoc, &job.Event, setEventID)
			decodeListed(atoi(d.EndpointID), epDoc, &job.Endpoint, setEndpointID)
			job.Event.AccountID, job.Endpoint.AccountID = d.AccountID, d.AccountID
			jobs = append(jobs, job)
		}
		return rows.Err()
	}()
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = atoi(j.Delivery.ID)
	}
	return jobs, t.setLease(ctx, ids, leaseUntil)
}

func (t *tx) RecordAttempt(ctx context.Context, account int64, d *canonical.Delivery) error {
	doc, err := attemptDoc(*d)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE deliveries SET state = ?, attempts = ?, next_at = ?, lease_until = 0, doc = ?
		WHERE account_id = ? AND id = ?`, string(d.State), d.Attempts, ms(d.NextAttemptAt), doc, account, atoi(d.ID)))
}

func (t *tx) RecordClaimed(ctx context.Context, account int64, outcomes []store.Outcome) ([]bool, error) {
	// Outcomes that set the same columns go in one statement: a run
	// delivered at one instant is one UPDATE however long it is.
	type key struct {
		state             string
		attempts, claimed int
		next              int64
		tried, delivered  int64 // the last attempt's times, -1 for none
		status            int
		err               string
	}
	type group struct {
		key
		doc string
		ids []int64
	}
	var groups []*group
	byKey := map[key]*group{}
	at := make(map[int64]int, len(outcomes))
	for i, o := range outcomes {
		d := o.Delivery
		k := key{state: string(d.State), attempts: d.Attempts, claimed: o.Claimed, next: ms(d.NextAttemptAt),
			tried: nanosOrNone(d.LastAttemptAt), delivered: nanosOrNone(d.DeliveredAt), status: d.LastStatus, err: d.LastError}
		g := byKey[k]
		if g == nil {
			doc, err := attemptDoc(d)
			if err != nil {
				return nil, err
			}
			g = &group{key: k, doc: doc}
			byKey[k] = g
			groups = append(groups, g)
		}
		id := atoi(d.ID)
		g.ids = append(g.ids, id)
		at[id] = i
	}
	stored := make([]bool, len(outcomes))
	for _, g := range groups {
		cond, arg := t.s.d.IntList("id", g.ids)
		rows, err := t.query(ctx, `UPDATE deliveries SET state = ?, attempts = ?, next_at = ?, lease_until = 0, doc = ?
			WHERE account_id = ? AND state = ? AND attempts = ? AND `+cond+` RETURNING id`,
			g.state, g.attempts, g.next, g.doc, account, string(canonical.DeliveryPending), g.claimed, arg)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			if i, ok := at[id]; ok {
				stored[i] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, t.classify(err)
		}
	}
	return stored, nil
}

// nanosOrNone is *t in Unix nanoseconds, or -1 for nil.
func nanosOrNone(t *time.Time) int64 {
	if t == nil {
		return -1
	}
	return t.UnixNano()
}

// attemptDoc encodes what a delivery's document holds: what its last
// attempt left (the columns carry identity, kind, state, attempts and
// times).
func attemptDoc(d canonical.Delivery) (string, error) {
	return encode(canonical.Delivery{LastAttemptAt: d.LastAttemptAt, LastStatus: d.LastStatus, LastError: d.LastError,
		DeliveredAt: d.DeliveredAt})
}

func (t *tx) GetDelivery(ctx context.Context, account, id int64) (canonical.Delivery, error) {
	d, err := scanDelivery(t.queryRow(ctx, `SELECT `+deliveryCols+` FROM deliveries d WHERE d.account_id = ? AND d.id = ?`, account, id))
	return d, notFound(err)
}

func (t *tx) ListDeliveries(ctx context.Context, account int64, q store.DeliveryQuery) ([]canonical.Delivery, error) {
	w := where{}
	w.add("d.account_id = ?", account)
	if q.Endpoint != 0 {
		w.add("d.endpoint_id = ?", q.Endpoint)
	}
	if q.Event != 0 {
		w.add("d.event_id = ?", q.Event)
	}
	in(&w, "d.state", q.States)
	if q.Before > 0 {
		w.add("d.id < ?", q.Before)
	}
	rows, err := t.query(ctx, `SELECT `+deliveryCols+` FROM deliveries d`+w.sql()+` ORDER BY d.id DESC LIMIT +?`,
		append(w.args, limitOf(q.Limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []canonical.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *tx) QueueDeliveries(ctx context.Context, account, endpoint int64, q store.EventQuery, at time.Time) (int, error) {
	var exists int
	err := t.queryRow(ctx, `SELECT 1 FROM webhook_endpoints WHERE account_id = ? AND id = ?`, account, endpoint).Scan(&exists)
	if err != nil {
		return 0, notFound(err)
	}
	w := eventsWhere(account, q)
	// Deliveries go out in delivery id order: queue them in event order
	// whatever plan the database picks.
	limit := ` ORDER BY id`
	args := append([]any{endpoint, string(canonical.DeliveryPending), ms(at), ms(at)}, w.args...)
	if q.Limit > 0 {
		limit, args = limit+` LIMIT +?`, append(args, q.Limit)
	}
	res, err := t.exec(ctx, `INSERT INTO deliveries (account_id, endpoint_id, event_id, kind, state, attempts, next_at, lease_until, created_at, doc)
		SELECT account_id, ?, id, kind, ?, 0, ?, 0, ?, '{}' FROM events`+w.sql()+limit, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// NextDue is the earliest time the head of an enabled endpoint's queue
// falls due or its lease ends; ErrNotFound when there is none.
func (t *tx) NextDue(ctx context.Context) (time.Time, error) {
	var next sql.NullInt64
	err := t.queryRow(ctx, `SELECT MIN(CASE WHEN d.lease_until > d.next_at THEN d.lease_until ELSE d.next_at END)
		FROM webhook_endpoints ep JOIN deliveries d ON d.id = (`+queueHead+`)
		WHERE ep.enabled = 1`, string(canonical.DeliveryPending)).Scan(&next)
	if err != nil {
		return time.Time{}, err
	}
	if !next.Valid {
		return time.Time{}, store.ErrNotFound
	}
	return time.UnixMilli(next.Int64).UTC(), nil
}
