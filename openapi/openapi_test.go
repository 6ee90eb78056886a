package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/refbridge/refbridge/openapi"
)

// minOperations is the number of operations each spec must model at least,
// as counted over (path, method) pairs.
var minOperations = map[openapi.Vendor]int{
	openapi.ReferralRocket: 7,
	openapi.GrowSurf:       37,
	openapi.ReferralHero:   24,
	openapi.Rewardful:      24,
	openapi.IRefer:         14,
}

var camelCase = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

func TestSpecsLoadAndValidate(t *testing.T) {
	t.Parallel()
	for _, v := range openapi.Vendors() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			doc, err := openapi.Load(v)
			if err != nil {
				t.Fatal(err)
			}
			// Validate again explicitly with example validation on, so the
			// test does not depend on Load's options.
			if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
				t.Fatalf("validate: %v", err)
			}
			if doc.OpenAPI != "3.0.3" {
				t.Errorf("openapi version = %q, want 3.0.3", doc.OpenAPI)
			}
			if len(doc.Servers) == 0 || !strings.HasPrefix(doc.Servers[0].URL, "https://") {
				t.Errorf("servers[0] must be the vendor's real https base URL, got %v", doc.Servers)
			}
			seen := map[string]string{}
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					where := method + " " + path
					if !camelCase.MatchString(op.OperationID) {
						t.Errorf("%s: operationId %q is not camelCase", where, op.OperationID)
					}
					if prev, dup := seen[op.OperationID]; dup {
						t.Errorf("%s: operationId %q already used by %s", where, op.OperationID, prev)
					}
					seen[op.OperationID] = where
					checkResponses(t, where, op)
				}
			}
		})
	}
}

// checkResponses requires a success response and a body schema on every
// error response, so that every vendor error shape is machine-readable.
func checkResponses(t *testing.T, where string, op *openapi3.Operation) {
	t.Helper()
	if op.Responses == nil || op.Responses.Len() == 0 {
		t.Errorf("%s: no responses", where)
		return
	}
	success := false
	for code, ref := range op.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil {
			if code != "default" {
				t.Errorf("%s: response key %q is not a status code", where, code)
			}
			continue
		}
		if status >= 200 && status < 300 {
			success = true
		}
		if status >= 400 {
			if ref.Value == nil || len(ref.Value.Content) == 0 {
				t.Errorf("%s: error response %d has no body schema", where, status)
			}
		}
	}
	if !success {
		t.Errorf("%s: no 2xx response", where)
	}
}

func TestOperationCounts(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-16s %10s %10s\n", "vendor", "operations", "minimum")
	total := 0
	for _, v := range openapi.Vendors() {
		doc, err := openapi.Load(v)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, item := range doc.Paths.Map() {
			n += len(item.Operations())
		}
		total += n
		fmt.Fprintf(&b, "%-16s %10d %10d\n", v, n, minOperations[v])
		if n < minOperations[v] {
			t.Errorf("%s models %d operations, want at least %d", v, n, minOperations[v])
		}
	}
	fmt.Fprintf(&b, "%-16s %10d\n", "total", total)
	t.Log(b.String())
}

// TestTestdataMatchesSpec validates every documented vendor payload in
// testdata/<vendor>/ against the schema of the operation it belongs to.
//
// File names say where a payload belongs:
//
//	<operationId>.json           the 200 (or only 2xx) response body
//	<operationId>.<status>.json  the response body for that status
//	<operationId>.request.json   the request body (JSON or form fields)
//	<anything>.webhook.json      a webhook payload; not validated here
//	webhooks/<event>.json        a webhook payload (not read here: the vendor adapter's
//	                             tests validate it against the spec's x-webhooks)
func TestTestdataMatchesSpec(t *testing.T) {
	t.Parallel()
	for _, v := range openapi.Vendors() {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			doc, err := openapi.Load(v)
			if err != nil {
				t.Fatal(err)
			}
			ops := map[string]*openapi3.Operation{}
			for _, item := range doc.Paths.Map() {
				for _, op := range item.Operations() {
					ops[op.OperationID] = op
				}
			}
			files, err := filepath.Glob(filepath.Join("..", "testdata", string(v), "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(files) == 0 {
				t.Fatalf("no documented payloads in testdata/%s", v)
			}
			sort.Strings(files)
			checked := 0
			for _, file := range files {
				base := strings.TrimSuffix(filepath.Base(file), ".json")
				if strings.HasSuffix(base, ".webhook") {
					continue
				}
				opID, kind, _ := strings.Cut(base, ".")
				op, ok := ops[opID]
				if !ok {
					t.Errorf("%s: no operation %q in the %s spec", file, opID, v)
					continue
				}
				schema, err := payloadSchema(op, kind)
				if err != nil {
					t.Errorf("%s: %v", file, err)
					continue
				}
				raw, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				var value any
				if err := json.Unmarshal(raw, &value); err != nil {
					t.Errorf("%s: %v", file, err)
					continue
				}
				if err := schema.VisitJSON(value); err != nil {
					t.Errorf("%s does not match its schema: %v", file, err)
					continue
				}
				for _, field := range undeclared(schema, value, "$") {
					t.Errorf("%s: field %s is not declared in the spec", file, field)
				}
				checked++
			}
			t.Logf("%s: %d payloads match the spec", v, checked)
		})
	}
}

// payloadSchema finds the schema that a testdata payload of the given kind
// ("" for the success response, "request", or a status code) must match.
func payloadSchema(op *openapi3.Operation, kind string) (*openapi3.Schema, error) {
	if kind == "request" {
		if op.RequestBody == nil || op.RequestBody.Value == nil {
			return nil, fmt.Errorf("operation %s takes no request body", op.OperationID)
		}
		return firstSchema(op.RequestBody.Value.Content)
	}
	var resp *openapi3.ResponseRef
	if kind == "" {
		for _, code := range []string{"200", "201", "202"} {
			if resp = op.Responses.Value(code); resp != nil {
				break
			}
		}
	} else {
		resp = op.Responses.Value(kind)
	}
	if resp == nil || resp.Value == nil {
		return nil, fmt.Errorf("operation %s has no response %q", op.OperationID, kind)
	}
	return firstSchema(resp.Value.Content)
}

func firstSchema(content openapi3.Content) (*openapi3.Schema, error) {
	types := make([]string, 0, len(content))
	for mt := range content {
		types = append(types, mt)
	}
	sort.Strings(types)
	for _, mt := range types {
		if mt := content[mt]; mt.Schema != nil && mt.Schema.Value != nil {
			return mt.Schema.Value, nil
		}
	}
	return nil, fmt.Errorf("no schema among media types %v", types)
}

// undeclared lists the object keys in value that schema does not declare,
// so that a documented payload cannot carry a field the spec forgot. Free-form
// objects (additionalProperties set, or no properties at all) accept any key.
func undeclared(schema *openapi3.Schema, value any, at string) []string {
	if schema == nil {
		return nil
	}
	var out []string
	switch v := value.(type) {
	case map[string]any:
		props, free := declared(schema)
		if free {
			for key, item := range v {
				if p, ok := props[key]; ok {
					out = append(out, undeclared(p, item, at+"."+key)...)
				}
			}
			return out
		}
		for key, item := range v {
			p, ok := props[key]
			if !ok {
				out = append(out, at+"."+key)
				continue
			}
			out = append(out, undeclared(p, item, at+"."+key)...)
		}
	case []any:
		items := itemsOf(schema)
		for i, item := range v {
			out = append(out, undeclared(items, item, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return out
}

// declared collects the properties a schema declares across allOf, oneOf
// and anyOf, and whether it also admits keys it does not name.
func declared(schema *openapi3.Schema) (map[string]*openapi3.Schema, bool) {
	props := map[string]*openapi3.Schema{}
	free := schema.AdditionalProperties.Has != nil && *schema.AdditionalProperties.Has ||
		schema.AdditionalProperties.Schema != nil
	for name, ref := range schema.Properties {
		props[name] = ref.Value
	}
	branches := 0
	for _, group := range []openapi3.SchemaRefs{schema.AllOf, schema.OneOf, schema.AnyOf} {
		for _, ref := range group {
			branches++
			sub, subFree := declared(ref.Value)
			free = free || subFree
			for name, p := range sub {
				if _, ok := props[name]; !ok {
					props[name] = p
				}
			}
		}
	}
	if len(props) == 0 && branches == 0 {
		free = true
	}
	return props, free
}

// itemsOf finds the item schema of an array schema, looking through
// composition.
func itemsOf(schema *openapi3.Schema) *openapi3.Schema {
	if schema.Items != nil {
		return schema.Items.Value
	}
	for _, group := range []openapi3.SchemaRefs{schema.AllOf, schema.OneOf, schema.AnyOf} {
		for _, ref := range group {
			if items := itemsOf(ref.Value); items != nil {
				return items
			}
		}
	}
	return nil
}

func TestSharedLoadsOnce(t *testing.T) {
	t.Parallel()
	for _, v := range openapi.Vendors() {
		a, err := openapi.Shared(v)
		if err != nil {
			t.Fatalf("Shared(%s): %v", v, err)
		}
		b, _ := openapi.Shared(v)
		if a != b || a.Paths.Len() == 0 {
			t.Errorf("Shared(%s) = %p then %p, want one loaded document", v, a, b)
		}
	}
	if _, err := openapi.Shared("nosuch"); err == nil {
		t.Error("Shared(nosuch) succeeded")
	}
}
