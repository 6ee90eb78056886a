package sqlstore

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// TestEncodeRefusesWhatDecodeRefuses: around encoding/json's nesting
// limit, encode stores exactly the documents json.Unmarshal reads back.
func TestEncodeRefusesWhatDecodeRefuses(t *testing.T) {
	t.Parallel()
	for _, n := range []int{decodeDepth - 1, decodeDepth, decodeDepth + 1} {
		var v any = 1.0
		for range n - 1 {
			v = []any{v}
		}
		v = map[string]any{"a": v} // objects and arrays count alike
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back any
		readable := json.Unmarshal(raw, &back) == nil
		doc, err := encode(v)
		switch {
		case readable && (err != nil || doc != string(raw)):
			t.Errorf("depth %d: encode = %v, but the decoder reads the document back", n, err)
		case !readable && !errors.Is(err, store.ErrTooDeep):
			t.Errorf("depth %d: encode = %d bytes, %v; want ErrTooDeep, as the decoder refuses the document", n, len(doc), err)
		}
	}
}

// BenchmarkEncode measures encoding a typical participant's document, its
// depth check included; "marshal" is json.Marshal alone, for comparison.
func BenchmarkEncode(b *testing.B) {
	p := store.Participant{Ord: 42, Referrals: 3}
	p.CampaignID, p.Email, p.FirstName, p.LastName = "7", "ann@example.com", "Ann", "Lee"
	p.ReferralCode, p.CreatedAt = "x7f3k2ab", time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	p.Metadata = map[string]string{"plan": "pro", "source": "newsletter"}
	p.Native.Set(canonical.GrowSurf, "fraudRiskLevel", "LOW")
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := encode(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
