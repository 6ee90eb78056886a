package postgres_test

import (
	"context"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres"
	"github.com/refbridge/refbridge/proxy/store/postgres/pgtest"
	"github.com/refbridge/refbridge/proxy/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, pgtest.Open)
}

func TestUpgradeMarksLegacyIDs(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	storetest.Upgrade(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, func(t *testing.T, q string) { execSQL(t, dsn, q) })
}

func TestDamagedDocuments(t *testing.T) {
	t.Parallel()
	storetest.RunDamaged(t, func(t *testing.T) (store.Store, storetest.Corrupt) {
		dsn := pgtest.DSN(t)
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, func(t *testing.T, table string, id int64, doc string) {
			t.Helper()
			if n := execSQL(t, dsn, "UPDATE "+table+" SET doc = $1 WHERE id = $2", doc, id); n != 1 {
				t.Fatalf("corrupting %s %d: %d rows", table, id, n)
			}
		}
	})
}

// execSQL runs q on the database at dsn behind the store's back and
// returns how many rows it changed.
func execSQL(t *testing.T, dsn, q string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	tag, err := c.Exec(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return tag.RowsAffected()
}

// TestDeleteEndpointLocksEndpointFirst: deleting an endpoint while a
// delivery worker holds its lock waits for that worker, holding nothing
// the worker needs, so the worker leases the endpoint's deliveries and
// commits and then the delete does: neither transaction deadlocks and is
// run again.
func TestDeleteEndpointLocksEndpointFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	// The store's connections carry a name of their own, to find the
	// delete's connection waiting for a lock.
	app := "rbtest_delete_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Skip("a DSN that is not a URL: ", err)
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	var acct, ep int64
	err = s.Update(ctx, func(tx store.Tx) error {
		a := canonical.Account{Name: "acme", CreatedAt: now}
		if err := tx.InsertAccount(ctx, &a); err != nil {
			return err
		}
		acct, _ = strconv.ParseInt(a.ID, 10, 64)
		c := canonical.Campaign{Name: "spring", Status: canonical.CampaignActive, CreatedAt: now}
		if err := tx.InsertCampaign(ctx, acct, &c); err != nil {
			return err
		}
		e := canonical.WebhookEndpoint{Vendor: canonical.GrowSurf, URL: "https://hooks.example.com/", Enabled: true,
			Kinds: []canonical.ChangeKind{canonical.ChangeParticipantAdded}, CreatedAt: now}
		if err := tx.InsertEndpoint(ctx, acct, &e); err != nil {
			return err
		}
		ep, _ = strconv.ParseInt(e.ID, 10, 64)
		for range 3 {
			ch := canonical.Change{Kind: canonical.ChangeParticipantAdded, CampaignID: c.ID, At: now,
				Participant: &canonical.Participant{Email: "ann@example.com"}}
			if err := tx.AppendEvent(ctx, acct, &ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	watch, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)
	var workerRuns, deleteRuns atomic.Int32
	deleted := make(chan error, 1)
	startDelete := sync.OnceFunc(func() {
		go func() {
			deleted <- s.Update(ctx, func(tx store.Tx) error {
				deleteRuns.Add(1)
				return tx.DeleteEndpoint(ctx, acct, ep)
			})
		}()
	})
	err = s.Update(ctx, func(tx store.Tx) error {
		workerRuns.Add(1)
		if _, err := tx.LockEndpoint(ctx, acct, ep); err != nil {
			return err
		}
		startDelete()
		// Until the delete waits for a lock: the endpoint's, which this
		// transaction holds. (Bounded, should it never wait.)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		for waiting := 0; waiting == 0; {
			err := watch.QueryRow(wctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
				app).Scan(&waiting)
			if err != nil {
				return err
			}
		}
		run, err := tx.LeaseRun(ctx, acct, ep, now, now.Add(time.Minute), 10)
		if err == nil && len(run) != 3 {
			t.Errorf("leased %d deliveries, want 3", len(run))
		}
		return err
	})
	if err != nil {
		t.Errorf("the worker's transaction: %v", err)
	}
	if err := <-deleted; err != nil {
		t.Errorf("the delete: %v", err)
	}
	if w, d := workerRuns.Load(), deleteRuns.Load(); w != 1 || d != 1 {
		t.Errorf("the worker's transaction ran %d times, the delete %d; want once each (no deadlock)", w, d)
	}
}
