package proxy

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/openapi"
)

// docsFiles are the reference pages' templates and assets; nothing is
// fetched from anywhere else.
//
//go:embed docs
var docsFiles embed.FS

var docsTemplates = template.Must(template.ParseFS(docsFiles, "docs/*.html"))

// docsAsset is one embedded static file of the reference pages.
type docsAsset struct {
	ctype string
	etag  string
	body  []byte
}

var docsAssets = func() map[string]docsAsset {
	out := map[string]docsAsset{}
	for name, ctype := range map[string]string{
		"docs.css": "text/css; charset=utf-8",
		"docs.js":  "text/javascript; charset=utf-8",
	} {
		out[name] = embeddedAsset(docsFiles, "docs/"+name, ctype)
	}
	return out
}()

// embeddedAsset reads an embedded file, tagged with its hash; a file
// missing is a build mistake.
func embeddedAsset(fsys embed.FS, path, ctype string) docsAsset {
	b, err := fsys.ReadFile(path)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return docsAsset{ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, body: b}
}

// docsCSP keeps the pages to this server: their own script and style,
// and fetch() only to this origin.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// docsRoutes serves the browsable reference of every vendor surface: an
// index at /_refbridge/docs, a page per vendor at /_refbridge/docs/{vendor}
// and their assets. Public, as the specs are.
func (a *admin) docsRoutes(r *mux.Router) {
	r.HandleFunc("/docs", a.docsIndex).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/docs/", a.docsIndex).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/docs/assets/{file}", a.docsAsset).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/docs/{vendor}", a.docsVendor).Methods(http.MethodGet, http.MethodHead)
}

func (a *admin) docsAsset(w http.ResponseWriter, r *http.Request) {
	a.serveAsset(w, r, docsAssets, "docs")
}

// serveAsset answers with the embedded file named by the route's {file}
// among assets, revalidated by its ETag; what names the page set in a
// 404.
func (a *admin) serveAsset(w http.ResponseWriter, r *http.Request, assets map[string]docsAsset, what string) {
	name := mux.Vars(r)["file"]
	f, ok := assets[name]
	if !ok {
		a.fail(w, canonical.Errorf(canonical.NotFound, "no %s asset %s", what, name))
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}

func (a *admin) docsIndex(w http.ResponseWriter, r *http.Request) {
	pages, err := loadDocsPages()
	if err != nil {
		a.fail(w, canonical.Wrap(canonical.Internal, err, "the embedded specs do not load"))
		return
	}
	a.docsRender(w, "index.html", struct{ Pages []*docsPage }{pages})
}

func (a *admin) docsVendor(w http.ResponseWriter, r *http.Request) {
	v := openapi.Vendor(mux.Vars(r)["vendor"])
	if !v.Known() {
		a.fail(w, canonical.Errorf(canonical.NotFound, "no docs for %s: try one of %s", v, specNames()))
		return
	}
	pages, err := loadDocsPages()
	if err != nil {
		a.fail(w, canonical.Wrap(canonical.Internal, err, "the embedded specs do not load"))
		return
	}
	i := slices.IndexFunc(pages, func(p *docsPage) bool { return p.Vendor == string(v) })
	if i < 0 {
		a.fail(w, canonical.Errorf(canonical.Internal, "no docs page for %s", v))
		return
	}
	a.docsRender(w, "vendor.html", struct {
		*docsPage
		Pages []*docsPage
	}{pages[i], pages})
}

// docsRender renders a reference page.
func (a *admin) docsRender(w http.ResponseWriter, name string, data any) {
	a.renderHTML(w, http.StatusOK, docsTemplates, name, data, map[string]string{
		"Content-Security-Policy": docsCSP,
		"Referrer-Policy":         "no-referrer",
	})
}

// renderHTML executes a template into a buffer first, so a failure is
// an error answer rather than half a page, and sends it with headers.
func (a *admin) renderHTML(w http.ResponseWriter, status int, t *template.Template, name string, data any, headers map[string]string) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		a.fail(w, canonical.Wrap(canonical.Internal, err, "rendering "+name))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	for k, v := range headers {
		h.Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// The reference pages, built from the specs once.
var docsCache struct {
	once  sync.Once
	pages []*docsPage
	err   error
}

func loadDocsPages() ([]*docsPage, error) {
	docsCache.once.Do(func() {
		docs, err := loadSpecs()
		if err != nil {
			docsCache.err = err
			return
		}
		for _, v := range openapi.Vendors() {
			docsCache.pages = append(docsCache.pages, newDocsPage(v, docs[v]))
		}
	})
	return docsCache.pages, docsCache.err
}

// docsPage is one vendor's reference, ready for the template: every
// string in it is spec text the template escapes.
type docsPage struct {
	Vendor      string
	Title       string
	Version     string
	Description string
	// Base is the path prefix of the vendor's API on this server, from
	// the spec's servers ("/v2", or "" at the root).
	Base     string
	Schemes  []docsScheme
	Groups   []docsGroup
	Schemas  []docsSchema
	NumOps   int
	Optional bool // some operation may be called without a credential
}

// docsScheme is a way to send the credential, from securitySchemes.
type docsScheme struct {
	Name        string
	Kind        string // bearer, basic, header, query or "" (not sendable here)
	Param       string // the header or query parameter name
	Hint        string // how the credential is sent, for people
	Note        string // how to type it, when that needs saying
	Description string
}

type docsGroup struct {
	Name        string
	Anchor      string
	Description string
	Ops         []docsOp
}

type docsOp struct {
	Anchor      string
	ID          string // the operationId, or METHOD path when it has none
	Method      string
	Path        string
	Summary     string
	Description string
	Deprecated  bool
	Params      []docsParam
	Body        *docsBody
	Responses   []docsResponse
	// Schemes are the ways to authenticate, in the spec's order;
	// NoAuth says the operation may also go without.
	Schemes []docsScheme
	NoAuth  bool
}

type docsParam struct {
	Name        string
	In          string
	Required    bool
	Type        []typePart
	Description string
	Example     string
}

type docsBody struct {
	ContentType string
	Required    bool
	Description string
	Type        []typePart
	Example     string // the spec's
	Sample      string // the try-it form's: the example, or one built from the schema
}

type docsResponse struct {
	Status      string
	Description string
	ContentType string
	Type        []typePart
	Example     string
}

type docsSchema struct {
	Name        string
	Anchor      string
	Type        []typePart
	Description string
	Enum        []string
	Properties  []docsProperty
	Example     string
}

type docsProperty struct {
	Name        string
	Type        []typePart
	Required    bool
	Description string
}

// typePart is a piece of a rendered schema type: text, or a schema's
// name linking to its entry.
type typePart struct {
	Text string
	Link string
}

const schemaRefPrefix = "#/components/schemas/"

func newDocsPage(v openapi.Vendor, doc *openapi3.T) *docsPage {
	p := &docsPage{Vendor: string(v)}
	if doc.Info != nil {
		p.Title, p.Version, p.Description = doc.Info.Title, doc.Info.Version, doc.Info.Description
	}
	if len(doc.Servers) > 0 {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil {
			p.Base = strings.TrimSuffix(u.Path, "/")
		}
	}
	schemes := map[string]docsScheme{}
	if doc.Components != nil {
		for _, name := range slices.Sorted(maps.Keys(doc.Components.SecuritySchemes)) {
			if ref := doc.Components.SecuritySchemes[name]; ref != nil && ref.Value != nil {
				s := newDocsScheme(name, ref.Value)
				schemes[name] = s
				p.Schemes = append(p.Schemes, s)
			}
		}
	}

	groups := map[string]*docsGroup{}
	var order []string
	for _, t := range doc.Tags {
		groups[t.Name] = &docsGroup{Name: t.Name, Description: t.Description}
		order = append(order, t.Name)
	}
	var extra []string
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(path)
		for _, method := range docsMethods {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			o := newDocsOp(doc, method, path, item, op, schemes)
			if o.NoAuth {
				p.Optional = true
			}
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			g := groups[tag]
			if g == nil {
				g = &docsGroup{Name: tag}
				groups[tag] = g
				extra = append(extra, tag)
			}
			g.Ops = append(g.Ops, o)
			p.NumOps++
		}
	}
	slices.Sort(extra)
	for _, name := range append(order, extra...) {
		if g := groups[name]; len(g.Ops) > 0 {
			g.Anchor = "tag-" + anchor(name)
			p.Groups = append(p.Groups, *g)
		}
	}

	if doc.Components != nil {
		for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
			ref := doc.Components.Schemas[name]
			if ref == nil || ref.Value == nil {
				continue
			}
			s := ref.Value
			ds := docsSchema{Name: name, Anchor: "schema-" + anchor(name), Type: schemaType(&openapi3.SchemaRef{Value: s}),
				Description: s.Description, Example: exampleText(s.Example)}
			for _, e := range s.Enum {
				ds.Enum = append(ds.Enum, fmt.Sprint(e))
			}
			for _, prop := range slices.Sorted(maps.Keys(s.Properties)) {
				pr := docsProperty{Name: prop, Type: schemaType(s.Properties[prop]), Required: slices.Contains(s.Required, prop)}
				if pv := s.Properties[prop].Value; pv != nil {
					pr.Description = pv.Description
				}
				ds.Properties = append(ds.Properties, pr)
			}
			p.Schemas = append(p.Schemas, ds)
		}
	}
	return p
}

var docsMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions}

func newDocsScheme(name string, s *openapi3.SecurityScheme) docsScheme {
	ds := docsScheme{Name: name, Description: s.Description}
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		ds.Kind, ds.Hint = "bearer", "Authorization: Bearer <credential>"
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
		ds.Kind, ds.Hint = "basic", "Authorization: Basic <user:password>"
		ds.Note = "In Try it, type user:password; without a colon, what you type is the user and the password is empty."
	case s.Type == "apiKey" && s.In == "header":
		ds.Kind, ds.Param, ds.Hint = "header", s.Name, "header "+s.Name+": <credential>"
	case s.Type == "apiKey" && s.In == "query":
		ds.Kind, ds.Param, ds.Hint = "query", s.Name, "query parameter "+s.Name+"=<credential>"
	default:
		ds.Hint = s.Type + " " + s.In + " " + s.Name + " (not sent by this page)"
	}
	return ds
}

func newDocsOp(doc *openapi3.T, method, path string, item *openapi3.PathItem, op *openapi3.Operation, schemes map[string]docsScheme) docsOp {
	o := docsOp{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description, Deprecated: op.Deprecated}
	if o.ID == "" {
		o.ID = method + " " + path
	}
	o.Anchor = "op-" + anchor(o.ID)

	// Operation parameters override the path item's of the same name
	// and location.
	var params []*openapi3.Parameter
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil {
				continue
			}
			prm := ref.Value
			params = slices.DeleteFunc(params, func(q *openapi3.Parameter) bool { return q.Name == prm.Name && q.In == prm.In })
			params = append(params, prm)
		}
	}
	for _, prm := range params {
		dp := docsParam{Name: prm.Name, In: prm.In, Required: prm.Required, Type: schemaType(prm.Schema), Description: prm.Description}
		ex := prm.Example
		if ex == nil && prm.Schema != nil && prm.Schema.Value != nil {
			ex = prm.Schema.Value.Example
		}
		if ex != nil {
			if s, ok := ex.(string); ok {
				dp.Example = s
			} else {
				dp.Example = exampleText(ex)
			}
		}
		o.Params = append(o.Params, dp)
	}

	if op.RequestBody != nil && op.RequestBody.Value != nil {
		rb := op.RequestBody.Value
		ct, mt := pickContent(rb.Content)
		b := &docsBody{ContentType: ct, Required: rb.Required, Description: rb.Description}
		if mt != nil {
			b.Type = schemaType(mt.Schema)
			b.Example = mediaExample(ct, mt)
			b.Sample = b.Example
			if b.Sample == "" {
				b.Sample = encodeExample(ct, sample(mt.Schema, 0))
			}
		}
		o.Body = b
	}

	if op.Responses != nil {
		codes := slices.Sorted(maps.Keys(op.Responses.Map()))
		for _, code := range codes {
			ref := op.Responses.Value(code)
			if ref == nil || ref.Value == nil {
				continue
			}
			dr := docsResponse{Status: code}
			if ref.Value.Description != nil {
				dr.Description = *ref.Value.Description
			}
			if ct, mt := pickContent(ref.Value.Content); mt != nil {
				dr.ContentType = ct
				dr.Type = schemaType(mt.Schema)
				dr.Example = mediaExample(ct, mt)
			}
			o.Responses = append(o.Responses, dr)
		}
	}

	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	for _, req := range reqs {
		if len(req) == 0 {
			o.NoAuth = true
		}
		for _, name := range slices.Sorted(maps.Keys(req)) {
			if s, ok := schemes[name]; ok && !slices.ContainsFunc(o.Schemes, func(x docsScheme) bool { return x.Name == name }) {
				o.Schemes = append(o.Schemes, s)
			}
		}
	}
	if len(reqs) == 0 {
		o.NoAuth = true
	}
	return o
}

// pickContent chooses the media type shown: JSON, else a form, else the
// first by name; one with an example wins over one without, so the try-it
// body starts from something.
func pickContent(c openapi3.Content) (string, *openapi3.MediaType) {
	best, bestScore := "", -1
	for _, ct := range slices.Sorted(maps.Keys(c)) {
		score := 0
		switch ct {
		case "application/json":
			score = 2
		case "application/x-www-form-urlencoded":
			score = 1
		}
		if mediaExample(ct, c[ct]) != "" {
			score += 4
		}
		if score > bestScore {
			best, bestScore = ct, score
		}
	}
	if best == "" {
		return "", nil
	}
	return best, c[best]
}

// mediaExample is the media type's example, its first named example,
// or its schema's example, encoded for ct.
func mediaExample(ct string, mt *openapi3.MediaType) string {
	ex := mt.Example
	if ex == nil && len(mt.Examples) > 0 {
		if ref := mt.Examples[slices.Sorted(maps.Keys(mt.Examples))[0]]; ref != nil && ref.Value != nil {
			ex = ref.Value.Value
		}
	}
	if ex == nil && mt.Schema != nil && mt.Schema.Value != nil {
		ex = mt.Schema.Value.Example
	}
	return encodeExample(ct, ex)
}

// encodeExample writes an example value as a body of type ct: form-encoded
// for a form, else indented JSON (or the string itself).
func encodeExample(ct string, ex any) string {
	if m, ok := ex.(map[string]any); ok && ct == "application/x-www-form-urlencoded" {
		form := url.Values{}
		for k, v := range m {
			if b, err := json.Marshal(v); err == nil && !isScalar(v) {
				form.Set(k, string(b))
			} else {
				form.Set(k, fmt.Sprint(v))
			}
		}
		return form.Encode()
	}
	return exampleText(ex)
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// sample builds a value that fits a schema, for a try-it body the spec
// gives no example of: the schema's own examples, defaults and first enum
// values where it has them, its required properties (all of them when
// none is required), a one-item array, and placeholders by type.
func sample(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > 4 {
		return nil
	}
	s := ref.Value
	switch {
	case s.Example != nil:
		return s.Example
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.OneOf) > 0:
		return sample(s.OneOf[0], depth+1)
	case len(s.AnyOf) > 0:
		return sample(s.AnyOf[0], depth+1)
	case len(s.AllOf) > 0:
		out := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := sample(part, depth+1).(map[string]any); ok {
				for k, v := range m {
					out[k] = v
				}
			}
		}
		return out
	case s.Type.Is("array"):
		if item := sample(s.Items, depth+1); item != nil {
			return []any{item}
		}
		return []any{}
	case s.Type.Is("object") || len(s.Properties) > 0:
		names := s.Required
		if len(names) == 0 {
			names = slices.Sorted(maps.Keys(s.Properties))
		}
		out := map[string]any{}
		for _, name := range names {
			if v := sample(s.Properties[name], depth+1); v != nil {
				out[name] = v
			}
		}
		return out
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return *s.Min
		}
		return 0
	case s.Type.Is("boolean"):
		return false
	case s.Type.Is("string"):
		switch s.Format {
		case "email":
			return "someone@example.com"
		case "date-time":
			return "2026-01-01T00:00:00Z"
		case "date":
			return "2026-01-01"
		case "uri", "url":
			return "https://example.com/"
		}
		return "string"
	}
	return nil
}

func exampleText(ex any) string {
	switch ex := ex.(type) {
	case nil:
		return ""
	case string:
		if json.Valid([]byte(ex)) {
			return ex
		}
	}
	b, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return fmt.Sprint(ex)
	}
	return string(b)
}

// schemaType renders a schema's type: a named schema links to its entry,
// arrays and maps say of what, compositions list their members.
func schemaType(ref *openapi3.SchemaRef) []typePart {
	if ref == nil {
		return nil
	}
	if name, ok := strings.CutPrefix(ref.Ref, schemaRefPrefix); ok {
		return []typePart{{Text: name, Link: "#schema-" + anchor(name)}}
	}
	s := ref.Value
	if s == nil {
		return []typePart{{Text: ref.Ref}}
	}
	join := func(sep string, refs openapi3.SchemaRefs) []typePart {
		var out []typePart
		for i, r := range refs {
			if i > 0 {
				out = append(out, typePart{Text: sep})
			}
			out = append(out, schemaType(r)...)
		}
		return out
	}
	switch {
	case len(s.OneOf) > 0:
		return join(" | ", s.OneOf)
	case len(s.AnyOf) > 0:
		return join(" | ", s.AnyOf)
	case len(s.AllOf) > 0:
		return join(" & ", s.AllOf)
	case s.Type.Is("array"):
		return append([]typePart{{Text: "array of "}}, schemaType(s.Items)...)
	case s.Type.Is("object") && s.AdditionalProperties.Schema != nil && len(s.Properties) == 0:
		return append([]typePart{{Text: "map of "}}, schemaType(s.AdditionalProperties.Schema)...)
	}
	t := strings.Join(s.Type.Slice(), " | ")
	if t == "" {
		t = "any"
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if s.Nullable {
		t += ", nullable"
	}
	return []typePart{{Text: t}}
}

// anchor makes s usable as an HTML id and URL fragment.
func anchor(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, s)
}
