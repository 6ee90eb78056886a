package proxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/openapi"
)

// specRoutes serves the five vendor specs, with their servers pointing at
// this refbridge, at GET /_refbridge/openapi/{vendor}.yaml and .json.
// They are public, as the vendors' own documentation is: they hold no
// account data.
func (a *admin) specRoutes(r *mux.Router) {
	r.HandleFunc("/openapi/{file}", a.spec).Methods(http.MethodGet, http.MethodHead)
}

// specs holds each vendor's parsed spec, loaded on first use.
var specs struct {
	once sync.Once
	docs map[openapi.Vendor]*openapi3.T
	err  error
}

func loadSpecs() (map[openapi.Vendor]*openapi3.T, error) {
	specs.once.Do(func() {
		specs.docs = map[openapi.Vendor]*openapi3.T{}
		for _, v := range openapi.Vendors() {
			doc, err := openapi.Load(v)
			if err != nil {
				specs.err = err
				return
			}
			specs.docs[v] = doc
		}
	})
	return specs.docs, specs.err
}

func (a *admin) spec(w http.ResponseWriter, r *http.Request) {
	name, format, _ := strings.Cut(mux.Vars(r)["file"], ".")
	v := openapi.Vendor(name)
	if !v.Known() || (format != "yaml" && format != "json") {
		a.fail(w, canonical.Errorf(canonical.NotFound, "no spec %s: try one of %s, as .yaml or .json", mux.Vars(r)["file"], specNames()))
		return
	}
	docs, err := loadSpecs()
	if err != nil {
		a.fail(w, canonical.Wrap(canonical.Internal, err, "the embedded specs do not load"))
		return
	}
	doc := docs[v]
	servers := servedServers(doc.Servers, requestBase(r))
	var body []byte
	if format == "json" {
		d := *doc // a shallow copy: the shared document is never written
		d.Servers = servers
		body, err = json.Marshal(&d)
	} else {
		var raw []byte
		if raw, err = openapi.Raw(v); err == nil {
			body, err = replaceServersYAML(raw, servers)
		}
	}
	if err != nil {
		a.fail(w, canonical.Wrap(canonical.Internal, err, "rendering the spec"))
		return
	}
	ctype := "application/yaml"
	if format == "json" {
		ctype = "application/json"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	// The servers come from this request's Host and scheme: a shared
	// cache must not give one host's copy to another.
	h.Set("Vary", "Host, X-Forwarded-Proto")
	h.Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(body)
}

// specNames lists the vendors whose specs are served.
func specNames() string {
	var names []string
	for _, v := range openapi.Vendors() {
		names = append(names, string(v))
	}
	return strings.Join(names, ", ")
}

// requestBase is the scheme and host this request reached refbridge at:
// https when it came over TLS or through a proxy that says so
// (X-Forwarded-Proto), and its Host.
func requestBase(r *http.Request) *url.URL {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host}
}

// servedServers is the vendor's servers moved onto base: each keeps its
// path (refbridge serves every vendor's own paths at its root), and says
// which vendor URL it stands for.
func servedServers(vendor openapi3.Servers, base *url.URL) openapi3.Servers {
	out := make(openapi3.Servers, 0, len(vendor))
	for _, s := range vendor {
		path := ""
		if u, err := url.Parse(s.URL); err == nil {
			path = strings.TrimSuffix(u.Path, "/")
		}
		out = append(out, &openapi3.Server{
			URL:         base.Scheme + "://" + base.Host + path,
			Description: "refbridge, answering as " + s.URL,
		})
	}
	return out
}

// replaceServersYAML returns the spec's YAML text with its top-level
// servers block replaced, everything else (order, comments) as written.
func replaceServersYAML(raw []byte, servers openapi3.Servers) ([]byte, error) {
	var block bytes.Buffer
	block.WriteString("servers:\n")
	for _, s := range servers {
		// JSON strings are YAML flow scalars: quoting stays exact.
		u, err := json.Marshal(s.URL)
		if err != nil {
			return nil, err
		}
		d, err := json.Marshal(s.Description)
		if err != nil {
			return nil, err
		}
		block.WriteString("  - url: " + string(u) + "\n    description: " + string(d) + "\n")
	}
	lines := strings.SplitAfter(string(raw), "\n")
	var out strings.Builder
	out.Grow(len(raw) + block.Len())
	replaced := false
	for i := 0; i < len(lines); i++ {
		if replaced || strings.TrimRight(lines[i], "\r\n") != "servers:" {
			out.WriteString(lines[i])
			continue
		}
		out.Write(block.Bytes())
		replaced = true
		// Skip the old block: its indented, blank and comment lines.
		for i+1 < len(lines) && (lines[i+1] == "\n" || strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "#")) {
			i++
		}
	}
	if !replaced {
		// No servers block: add one at the end (a top-level key).
		if !strings.HasSuffix(out.String(), "\n") {
			out.WriteString("\n")
		}
		out.Write(block.Bytes())
	}
	return []byte(out.String()), nil
}
