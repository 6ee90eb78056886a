package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// tally is a store.Observer that counts what it is told.
type tally struct {
	mu                    sync.Mutex
	reads, writes, failed int
	commits, commitWrites int
	negativeDurationSeen  bool
}

func (o *tally) Transaction(write bool, d time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err != nil:
		o.failed++
	case write:
		o.writes++
	default:
		o.reads++
	}
	o.negativeDurationSeen = o.negativeDurationSeen || d < 0
}

func (o *tally) Commit(writes int, d time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.commits++
	o.commitWrites += writes
	o.negativeDurationSeen = o.negativeDurationSeen || d < 0
}

// TestObserver: every View and Update is reported once with its outcome,
// and the commits' sizes add up to the writes they carried, however the
// group commit batched them.
func TestObserver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "o.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o := &tally{}
	st.(store.Observable).Observe(o)
	const writers = 40
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := st.Update(ctx, func(store.Tx) error { return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	boom := errors.New("boom")
	if err := st.Update(ctx, func(store.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing update: %v", err)
	}
	for range 3 {
		if err := st.View(ctx, func(store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.writes != writers || o.failed != 1 || o.reads != 3 || o.negativeDurationSeen {
		t.Fatalf("observed %d writes, %d failed, %d reads (negative duration %v); want %d, 1, 3",
			o.writes, o.failed, o.reads, o.negativeDurationSeen, writers)
	}
	// The failed write's savepoint rolled back inside a batch that still
	// committed, so it is carried by a commit too.
	if o.commitWrites != writers+1 || o.commits < 1 || o.commits > writers+1 {
		t.Fatalf("%d commits carried %d writes, want %d", o.commits, o.commitWrites, writers+1)
	}
}
