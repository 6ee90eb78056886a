package canonical_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

func TestTierProgress(t *testing.T) {
	t.Parallel()
	rules := []canonical.RewardRule{
		{Kind: canonical.Milestone, Title: "20% off", Threshold: 6},
		{Kind: canonical.SingleSided, Title: "not a tier"},
		{Kind: canonical.Milestone, Title: "Free shipping", Threshold: 2},
	}
	tiers := canonical.Tiers(rules)
	if len(tiers) != 2 || tiers[0].Title != "Free shipping" || tiers[1].Title != "20% off" {
		t.Fatalf("tiers = %+v", tiers)
	}
	// The iRefer guide's samples: 2 referrals made, next tier at 6 → 4 to go.
	tests := []struct {
		referrals  int
		last, next string
		remaining  int
	}{
		{0, "", "Free shipping", 2},
		{1, "", "Free shipping", 1},
		{2, "Free shipping", "20% off", 4},
		{6, "20% off", "", 0},
		{9, "20% off", "", 0},
	}
	for _, tc := range tests {
		last, next, remaining := canonical.TierProgress(tiers, tc.referrals)
		if title(last) != tc.last || title(next) != tc.next || remaining != tc.remaining {
			t.Errorf("%d referrals: last %q next %q remaining %d; want %q %q %d",
				tc.referrals, title(last), title(next), remaining, tc.last, tc.next, tc.remaining)
		}
	}
	// An EACHTIME tier repeats: at 3 and 6 and 9 …
	each := canonical.Tiers([]canonical.RewardRule{{Kind: canonical.Milestone, Title: "every 3", Threshold: 3, Repeat: true}})
	for referrals, want := range map[int]int{0: 3, 2: 1, 3: 3, 4: 2, 6: 3} {
		if _, next, remaining := canonical.TierProgress(each, referrals); title(next) != "every 3" || remaining != want {
			t.Errorf("repeating tier at %d referrals: next %q remaining %d, want %d", referrals, title(next), remaining, want)
		}
	}
}

func title(r *canonical.RewardRule) string {
	if r == nil {
		return ""
	}
	return r.Title
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	base := canonical.Errorf(canonical.NotFound, "participant %q not found", "x")
	wrapped := fmtWrap(base)
	tests := []struct {
		err  error
		code canonical.Code
		msg  string
	}{
		{nil, "", ""},
		{base, canonical.NotFound, `participant "x" not found`},
		{wrapped, canonical.NotFound, `participant "x" not found`},
		{errPlain{}, canonical.Internal, "internal error"},
		{canonical.Wrap(canonical.Conflict, errPlain{}, "taken"), canonical.Conflict, "taken"},
		// A context's own errors mean the same wherever they surface.
		{context.Canceled, canonical.Canceled, "request canceled"},
		{fmt.Errorf("store: begin: %w", context.DeadlineExceeded), canonical.DeadlineExceeded, "request timed out"},
		{canonical.Wrap(canonical.Internal, context.Canceled, "engine gave up"), canonical.Internal, "engine gave up"},
	}
	for _, tc := range tests {
		if got := canonical.CodeOf(tc.err); got != tc.code {
			t.Errorf("CodeOf(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if got := canonical.MessageOf(tc.err); got != tc.msg {
			t.Errorf("MessageOf(%v) = %q, want %q", tc.err, got, tc.msg)
		}
	}
	var e *canonical.Error
	cause := errPlain{}
	w := canonical.Wrap(canonical.Internal, cause, "db down")
	if w.Unwrap() != cause || !canonical.IsCode(w, canonical.Internal) || canonical.IsCode(nil, canonical.Internal) {
		t.Errorf("Wrap/Unwrap/IsCode broken: %v", w)
	}
	_ = e
}

type errPlain struct{}

func (errPlain) Error() string { return "plain" }

func fmtWrap(err error) error { return wrapErr{err} }

type wrapErr struct{ err error }

func (w wrapErr) Error() string { return "context: " + w.err.Error() }
func (w wrapErr) Unwrap() error { return w.err }
