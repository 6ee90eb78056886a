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

// WebhookSpec is one webhook event of a vendor's spec: its payload's
// schema and the canonical changes it announces.
type WebhookSpec struct {
	Schema  *openapi3.Schema
	Changes []canonical.ChangeKind
}

// WebhookSchemas reads the x-webhooks section of vendor's spec: each
// webhook event the vendor sends, as the vendor names it, with the
// component schema of its payload and the changes it announces.
//
//	x-webhooks:
//	  NEW_PARTICIPANT_ADDED:
//	    schema: WebhookNewParticipantAdded
//	    changes: [participant.added]
func WebhookSchemas(t testing.TB, vendor openapi.Vendor) map[string]WebhookSpec {
	t.Helper()
	doc, err := openapi.Load(vendor)
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := doc.Extensions["x-webhooks"]
	if !ok {
		t.Fatalf("%s spec has no x-webhooks", vendor)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var events map[string]struct {
		Schema  string                 `json:"schema"`
		Changes []canonical.ChangeKind `json:"changes"`
	}
	if err := json.Unmarshal(b, &events); err != nil {
		t.Fatalf("%s x-webhooks: %v", vendor, err)
	}
	out := map[string]WebhookSpec{}
	for ev, e := range events {
		ref := doc.Components.Schemas[e.Schema]
		if ref == nil || ref.Value == nil {
			t.Fatalf("%s x-webhooks %s: no component schema %q", vendor, ev, e.Schema)
		}
		out[ev] = WebhookSpec{Schema: ref.Value, Changes: e.Changes}
	}
	return out
}

// CheckWebhookPayload validates a webhook body against schema and
// reports every field the schema does not declare, so a payload cannot
// drift from its spec unnoticed.
func CheckWebhookPayload(t testing.TB, what string, schema *openapi3.Schema, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: not JSON: %v", what, err)
		return
	}
	if err := schema.VisitJSON(v); err != nil {
		t.Errorf("%s does not match its schema: %v\n%s", what, err, body)
		return
	}
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
