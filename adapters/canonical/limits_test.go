package canonical_test

import (
	"math"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// nest returns a value of n nested objects around 1 ({"a":{"a":…1}}).
func nest(n int) any {
	var v any = 1.0
	for range n {
		v = map[string]any{"a": v}
	}
	return v
}

// withNative returns a participant holding v as its GrowSurf "design".
func withNative(v any) canonical.NewParticipant {
	var p canonical.NewParticipant
	p.Email = "ann@example.com"
	p.Native.Set(canonical.GrowSurf, "design", v)
	return p
}

func TestCheckValue(t *testing.T) {
	t.Parallel()
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	strs := make([]any, 2000)
	for i := range strs {
		strs[i] = strings.Repeat("x", 40)
	}
	tests := []struct {
		name    string
		label   string
		v       any
		wantErr string // "" for accepted
	}{
		{"plain participant", "", canonical.NewParticipant{Participant: canonical.Participant{
			Email: "Zoë@example.com", Metadata: map[string]string{"plan": "pro"}}}, ""},
		{"native at the depth limit", "", withNative(nest(canonical.MaxDepth)), ""},
		{"native past the depth limit", "", withNative(nest(canonical.MaxDepth + 1)),
			"Native.growsurf.design nests deeper than 32 levels"},
		{"native 9,999 deep", "", withNative(nest(9999)), "Native.growsurf.design nests deeper than 32 levels"},
		{"native that contains itself", "", withNative(cyclic), "nests deeper than 32 levels"},
		{"native of 60 KiB", "", withNative(map[string]any{"s": strings.Repeat("x", 60<<10)}), ""},
		{"native over 64 KiB in many strings", "", withNative(strs), "Native.growsurf.design is larger than 65536 bytes"},
		{"one string over 64 KiB", "", withNative(map[string]any{"s": strings.Repeat("x", 65<<10)}),
			"Native.growsurf.design.s is longer than 65536 bytes"},
		{"email not UTF-8", "", canonical.NewParticipant{Participant: canonical.Participant{Email: "\xff\xfe@x.com"}},
			"Email is not valid UTF-8"},
		{"metadata value not UTF-8", "", canonical.ParticipantPatch{Metadata: map[string]string{"plan": "a\xc3"}},
			"Metadata.plan is not valid UTF-8"},
		{"metadata key not UTF-8", "", canonical.ParticipantPatch{Metadata: map[string]string{"\xff": "x"}},
			"Metadata has a key that is not valid UTF-8"},
		{"surrogate half encoded in UTF-8", "", withNative("\xed\xa0\x80"), "Native.growsurf.design is not valid UTF-8"},
		{"list element not UTF-8", "codes", []string{"ok", "\xffbad"}, "codes[1] is not valid UTF-8"},
		{"bare string not UTF-8", "token", "\xff", "token is not valid UTF-8"},
		{"NaN in a native value", "", withNative(map[string]any{"n": math.NaN()}),
			"Native.growsurf.design.n is not a number JSON can hold"},
		{"function in a native value", "", withNative(func() {}), "Native.growsurf.design cannot be stored"},
		{"nil native value", "", withNative(nil), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := canonical.CheckValue(tc.label, tc.v)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("CheckValue = %v, want nil", err)
			case tc.wantErr == "":
			case err == nil:
				t.Fatalf("CheckValue = nil, want an error containing %q", tc.wantErr)
			case !canonical.IsCode(err, canonical.Invalid) || !strings.Contains(canonical.MessageOf(err), tc.wantErr):
				t.Fatalf("CheckValue = %v (code %s), want invalid: …%s…", err, canonical.CodeOf(err), tc.wantErr)
			}
		})
	}
}

// BenchmarkCheckValue measures the check on a typical new participant.
func BenchmarkCheckValue(b *testing.B) {
	p := withNative(map[string]any{"color": "#ff0000", "fonts": []any{"Inter", "Georgia"}, "radius": 4.0})
	p.FirstName, p.LastName, p.Metadata = "Ann", "Lee", map[string]string{"plan": "pro", "source": "newsletter"}
	for b.Loop() {
		if err := canonical.CheckValue("", p); err != nil {
			b.Fatal(err)
		}
	}
}
