package surfacetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
)

// JSONOptions loosen CompareJSON.
type JSONOptions struct {
	// Extra names object fields got may have that want lacks (a field
	// refbridge adds to a documented sample).
	Extra []string
	// TypeOnly names object fields whose values need only have the same
	// JSON type (a documented value inconsistent with the rest of its
	// sample).
	TypeOnly []string
}

// CompareJSON reports the first place where got, rendered as JSON,
// differs from want (a JSON document, or any value rendered as one),
// by its path ($.a.b[2]); nil when they agree. Numbers compare as JSON
// numbers, objects by field whatever the order.
func CompareJSON(want, got any, opts JSONOptions) error {
	w, err := asJSON(want)
	if err != nil {
		return fmt.Errorf("want: %w", err)
	}
	g, err := asJSON(got)
	if err != nil {
		return fmt.Errorf("got: %w", err)
	}
	return compareJSON("$", w, g, opts)
}

// asJSON decodes v, or v's JSON rendering, into plain JSON values.
func asJSON(v any) (any, error) {
	raw, ok := v.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	var out any
	err := json.Unmarshal(raw, &out)
	return out, err
}

func compareJSON(path string, want, got any, opts JSONOptions) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %T", path, got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			switch {
			case !ok:
				return fmt.Errorf("%s.%s: missing", path, k)
			case slices.Contains(opts.TypeOnly, k):
				if reflect.TypeOf(wv) != reflect.TypeOf(gv) {
					return fmt.Errorf("%s.%s: type %T, want %T", path, k, gv, wv)
				}
			default:
				if err := compareJSON(path+"."+k, wv, gv, opts); err != nil {
					return err
				}
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok && !slices.Contains(opts.Extra, k) {
				return fmt.Errorf("%s.%s: not in the documented payload", path, k)
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: want an array of %d, got %v", path, len(w), got)
		}
		for i := range w {
			if err := compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], opts); err != nil {
				return err
			}
		}
		return nil
	}
	if want != got {
		return fmt.Errorf("%s: want %#v, got %#v", path, want, got)
	}
	return nil
}
