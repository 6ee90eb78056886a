package engine

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestRecentHoldsOnlyWhatReadsBackAlike: a change is held for the workers
// only when the log would give it back exactly as it is; one that would
// come back otherwise is left to be read from the log. (Typed strings are
// UTF-8 by canonical.CheckValue before anything is stored.)
func TestRecentHoldsOnlyWhatReadsBackAlike(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	change := func(meta map[string]any, email string, when time.Time) canonical.Change {
		return canonical.Change{ID: "7", Kind: canonical.ChangeParticipantAdded, At: when,
			Participant: &canonical.Participant{Email: email, Native: canonical.Native{canonical.GrowSurf: meta}, CreatedAt: when}}
	}
	for _, tc := range []struct {
		name string
		c    canonical.Change
		held bool
	}{
		{"plain", change(nil, "ann@example.com", at), true},
		{"free-form as decoded", change(map[string]any{"n": 1.5, "s": "x", "b": true, "l": []any{"a", 2.0, nil},
			"m": map[string]any{"k": "v"}}, "ann@example.com", at), true},
		{"an int in a free-form value", change(map[string]any{"n": 1}, "ann@example.com", at), false},
		{"a json.Number", change(map[string]any{"n": json.Number("12345678901234567890")}, "ann@example.com", at), false},
		{"a typed list in a free-form value", change(map[string]any{"l": []string{"a"}}, "ann@example.com", at), false},
		{"a free-form string that is not UTF-8", change(map[string]any{"s": "ann\xff"}, "ann@example.com", at), false},
		{"a free-form key that is not UTF-8", change(map[string]any{"m": map[string]any{"\xff": "v"}}, "ann@example.com", at), false},
		{"a time outside UTC", change(nil, "ann@example.com", at.In(time.FixedZone("X", 3600))), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := storedAlike(reflect.ValueOf(tc.c), false); got != tc.held {
				t.Errorf("storedAlike = %v, want %v", got, tc.held)
			}
			var r recentEvents
			r.add(1, []canonical.Change{tc.c})
			if _, ok := r.get(1, 7); ok != tc.held {
				t.Errorf("held = %v, want %v", ok, tc.held)
			}
			if !tc.held {
				return
			}
			// What is held reads back from JSON unchanged.
			raw, err := json.Marshal(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			var back canonical.Change
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.c) {
				t.Errorf("read back %+v, held %+v", back, tc.c)
			}
		})
	}
}

// TestRecentKeepsTheLatest: the cache holds the last recentCapacity
// changes and forgets older ones.
func TestRecentKeepsTheLatest(t *testing.T) {
	t.Parallel()
	var r recentEvents
	cs := make([]canonical.Change, recentCapacity+10)
	for i := range cs {
		cs[i] = canonical.Change{ID: idOf(int64(i + 1)), Kind: canonical.ChangeParticipantAdded}
	}
	r.add(3, cs)
	for _, tc := range []struct {
		id   int64
		held bool
	}{{1, false}, {10, false}, {11, true}, {recentCapacity + 10, true}} {
		if _, ok := r.get(3, tc.id); ok != tc.held {
			t.Errorf("event %d held = %v, want %v", tc.id, ok, tc.held)
		}
	}
	if _, ok := r.get(4, recentCapacity+10); ok {
		t.Error("another account's event is held")
	}
	if len(r.m) != recentCapacity {
		t.Errorf("holds %d changes, want %d", len(r.m), recentCapacity)
	}
}

// BenchmarkStoredAlike walks a signup's change as the engine logs it.
func BenchmarkStoredAlike(b *testing.B) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	p := &canonical.Participant{ID: "12", CampaignID: "3", Email: "ann@example.com", FirstName: "Ann", ReferralCode: "ann12",
		ReferrerID: "9", CreatedAt: at, UpdatedAt: at,
		Native: canonical.Native{canonical.GrowSurf: {"shareUrl": "https://x.example.com/?grsf=ann12", "score": 3.0}}}
	c := canonical.Change{ID: "77", AccountID: "1", CampaignID: "3", Kind: canonical.ChangeParticipantAdded, At: at, Participant: p,
		Referrer: p, Campaign: &canonical.Campaign{ID: "3", Name: "Launch", CreatedAt: at, UpdatedAt: at}}
	v := reflect.ValueOf(c)
	for b.Loop() {
		if !storedAlike(v, false) {
			b.Fatal("not alike")
		}
	}
}
