package surfacetest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/openapi"
)

// WebhookChanges reads the canonical changes each webhook event of
// vendor's spec announces: x-webhooks: <event>: {changes: [kind, …]}.
func WebhookChanges(t testing.TB, vendor openapi.Vendor) map[string][]canonical.ChangeKind {
	t.Helper()
	doc, err := openapi.Load(vendor)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc.Extensions["x-webhooks"])
	if err != nil {
		t.Fatal(err)
	}
	var events map[string]struct {
		Changes []canonical.ChangeKind `json:"changes"`
	}
	if err := json.Unmarshal(b, &events); err != nil {
		t.Fatalf("the %s spec's x-webhooks: %v", vendor, err)
	}
	out := map[string][]canonical.ChangeKind{}
	for name, e := range events {
		out[name] = e.Changes
	}
	return out
}

// CheckPayload checks a webhook body with ValidBody and reports every
// field the schema does not declare: schemas built on a REST object
// (allOf) cannot close their objects, so this catches what
// additionalProperties: false would.
func CheckPayload(t testing.TB, what string, schema *openapi3.Schema, body []byte) {
	t.Helper()
	if err := ValidBody(schema, body); err != nil {
		t.Errorf("%s: %v\n%s", what, err, body)
		return
	}
	var v any
	_ = json.Unmarshal(body, &v)
	for _, f := range Undeclared(schema, v, "$") {
		t.Errorf("%s: field %s is not declared in the spec", what, f)
	}
}

// Undeclared lists the object keys of v, at any depth, that schema does
// not declare (through allOf too); free-form objects declare everything.
func Undeclared(schema *openapi3.Schema, v any, path string) []string {
	if schema == nil {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		props, free := properties(schema)
		var out []string
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p, ok := props[k]
			if !ok {
				if !free {
					out = append(out, path+"."+k)
				}
				continue
			}
			out = append(out, Undeclared(p, x[k], path+"."+k)...)
		}
		return out
	case []any:
		if schema.Items == nil {
			return nil
		}
		var out []string
		for i, e := range x {
			out = append(out, Undeclared(schema.Items.Value, e, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	return nil
}

// properties collects a schema's declared properties, allOf included;
// free is true when it takes any key (additionalProperties).
func properties(s *openapi3.Schema) (props map[string]*openapi3.Schema, free bool) {
	props = map[string]*openapi3.Schema{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for k, p := range s.Properties {
			props[k] = p.Value
		}
		if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil {
			free = true
		}
		for _, sub := range s.AllOf {
			walk(sub.Value)
		}
	}
	walk(s)
	return props, free
}

// WebhookSamples reads the documented webhook payloads in dir
// (testdata/<vendor>/webhooks): file name (without .json) to body. The
// file name is the event's name as the vendor spells it.
func WebhookSamples(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no webhook samples in %s", dir)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = b
	}
	return out
}
