package surface

import "testing"

// FuzzSuspectMissesNothing: the fast filter of CheckJSON flags every body
// the exact walk refuses, so skipping the walk for unflagged bodies
// changes no answer. The seeds run with go test; go test -fuzz explores.
func FuzzSuspectMissesNothing(f *testing.F) {
	for _, seed := range []string{
		`{"a":"b"}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `{"a":"\uDBFF\uDFFF"}`, `{"a":"\\ud800"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`, `{"a":"[[[["}`, `{"\u00e9":1}`,
		`{"a":`, "\xff", `"\ud83d\ude00"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := walkJSON(body); err != nil && !suspect(body) {
			t.Fatalf("walkJSON refuses %q (%v) but suspect lets it through", body, err)
		}
	})
}
