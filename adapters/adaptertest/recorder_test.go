package adaptertest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// stub performs nothing: every operation answers NotImplemented.
type stub struct{ canonical.Unsupported }

func (stub) Capabilities() canonical.Capabilities { return canonical.Capabilities{Backend: "stub"} }

// TestRecorderNamesEveryOperation calls each operation through a recorder
// and checks that the call is recorded under that operation's name alone,
// and that a NotImplemented answer does not count as exercising it.
func TestRecorderNamesEveryOperation(t *testing.T) {
	t.Parallel()
	for _, op := range canonical.AllOperations() {
		r := newRecorder(stub{canonical.Unsupported{Name: "stub"}})
		m := reflect.ValueOf(r).MethodByName(string(op))
		if !m.IsValid() {
			t.Fatalf("the recorder has no method %s", op)
		}
		callWithZeros(context.Background(), m)
		if len(r.calls) != 1 || !slices.Equal(r.calls[op], []canonical.Code{canonical.NotImplemented}) {
			t.Errorf("calling %s recorded %v", op, r.calls)
		}
		if got := r.operations(); len(got) != 0 {
			t.Errorf("a NotImplemented %s counts as exercised: %v", op, got)
		}
	}
	r := newRecorder(stub{canonical.Unsupported{Name: "stub"}})
	r.note("GetCampaign", nil)
	r.note("GetCampaign", canonical.Errorf(canonical.NotImplemented, "no"))
	r.note("ListCampaigns", canonical.Errorf(canonical.NotFound, "no"))
	if got := r.operations(); !slices.Equal(got, []canonical.Operation{"GetCampaign", "ListCampaigns"}) {
		t.Errorf("operations() = %v, want GetCampaign and ListCampaigns (any answer but NotImplemented counts)", got)
	}
}
