package surfacetest_test

import (
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

func TestCompareJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		want, got any
		opts      surfacetest.JSONOptions
		diff      string // "" when they agree, else a part of the error
	}{
		{"equal, any order", []byte(`{"a":1,"b":[true,"x"]}`), map[string]any{"b": []any{true, "x"}, "a": 1}, surfacetest.JSONOptions{}, ""},
		{"value", []byte(`{"a":{"b":[1,2]}}`), []byte(`{"a":{"b":[1,3]}}`), surfacetest.JSONOptions{}, "$.a.b[1]: want 2, got 3"},
		{"missing", []byte(`{"a":1,"b":2}`), []byte(`{"a":1}`), surfacetest.JSONOptions{}, "$.b: missing"},
		{"extra refused", []byte(`{"a":1}`), []byte(`{"a":1,"z":0}`), surfacetest.JSONOptions{}, "$.z: not in the documented payload"},
		{"extra allowed", []byte(`{"a":1}`), []byte(`{"a":1,"z":0}`), surfacetest.JSONOptions{Extra: []string{"z"}}, ""},
		{"type only", []byte(`{"a":"x"}`), []byte(`{"a":"y"}`), surfacetest.JSONOptions{TypeOnly: []string{"a"}}, ""},
		{"type only, other type", []byte(`{"a":"x"}`), []byte(`{"a":1}`), surfacetest.JSONOptions{TypeOnly: []string{"a"}}, "$.a: type float64, want string"},
		{"array length", []byte(`[1]`), []byte(`[1,1]`), surfacetest.JSONOptions{}, "want an array of 1"},
		{"object for array", []byte(`{"a":[]}`), []byte(`{"a":{}}`), surfacetest.JSONOptions{}, "$.a: want an array"},
		{"not JSON", []byte(`{`), []byte(`{}`), surfacetest.JSONOptions{}, "want:"},
	} {
		err := surfacetest.CompareJSON(tc.want, tc.got, tc.opts)
		switch {
		case tc.diff == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.diff != "" && (err == nil || !strings.Contains(err.Error(), tc.diff)):
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.diff)
		}
	}
}
