package surface

import (
	"context"
	"net/http"
	"path"
	"strings"

	"github.com/gorilla/mux"
)

// Index returns a handler that serves r, the vendor's gorilla/mux router,
// without trying every route in turn. gorilla matches routes one after
// another with a regular expression each, so a call to the 30th route of
// a 55-route vendor pays for 30 regular expressions. Index groups the
// routes by method and number of path segments and checks their literal
// segments first; the one route that can match is then served by a
// one-route gorilla router carrying the same middlewares (mws, which must
// be what r.Use was given), so handlers see the same mux.Vars and
// mux.CurrentRoute. Anything the index cannot place — an unknown path, a
// wrong method — goes to r itself, which answers exactly as it always
// would.
//
// A path that is not in canonical form — with an empty, "." or ".."
// segment, literally or percent-encoded (/v2//campaigns, /v2/./campaigns,
// /v2/campaign/..%2F..%2F_refbridge) — is answered by r's NotFoundHandler,
// in the vendor's shape. gorilla would answer it with a 301 to the cleaned
// path, which is no answer of any vendor's and can point a client at
// another surface or out of the vendor's paths altogether; Index turns
// that off on r (SkipClean), so nothing a surface serves ever redirects.
//
// Call Index after every route is registered on r.
func Index(r *mux.Router, mws ...mux.MiddlewareFunc) http.Handler {
	r.SkipClean(true)
	idx := &index{full: r, byShape: map[string][]indexed{}}
	_ = r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tmpl, err := route.GetPathTemplate()
		if err != nil {
			return nil
		}
		if h := route.GetHandler(); h != nil {
			route.Handler(notingRoute(tmpl, h))
		}
		methods, err := route.GetMethods()
		if err != nil {
			return nil
		}
		one := mux.NewRouter().SkipClean(true)
		one.NotFoundHandler = r
		one.MethodNotAllowedHandler = r
		// The route is noted before the vendor's middlewares run, so a
		// request they refuse (401, 429) is labelled with it too.
		one.Use(func(next http.Handler) http.Handler { return notingRoute(tmpl, next) })
		one.Use(mws...)
		nr := one.Handle(tmpl, route.GetHandler()).Methods(methods...)
		if name := route.GetName(); name != "" {
			nr.Name(name)
		}
		segs := strings.Split(tmpl, "/")
		lits := make([]string, len(segs))
		for i, s := range segs {
			if !strings.Contains(s, "{") {
				lits[i] = s
			} else {
				lits[i] = "\x00" // a variable: matches any segment
			}
		}
		for _, m := range methods {
			key := shapeKey(m, len(segs))
			idx.byShape[key] = append(idx.byShape[key], indexed{lits: lits, h: one})
		}
		return nil
	})
	return idx
}

type index struct {
	full    *mux.Router
	byShape map[string][]indexed
}

type indexed struct {
	lits []string
	h    http.Handler
}

func shapeKey(method string, n int) string {
	return method + " " + string(rune('0'+n))
}

func (x *index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if !canonicalPath(path) {
		if x.full.NotFoundHandler != nil {
			x.full.NotFoundHandler.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	n := strings.Count(path, "/") + 1
	if n < 10 {
		for _, c := range x.byShape[shapeKey(r.Method, n)] {
			if literalsMatch(c.lits, path) {
				c.h.ServeHTTP(w, r)
				return
			}
		}
	}
	x.full.ServeHTTP(w, r)
}

// literalsMatch reports whether every literal segment of a template
// equals the path's segment at the same place.
func literalsMatch(lits []string, path string) bool {
	for i, lit := range lits {
		var seg string
		seg, path, _ = strings.Cut(path, "/")
		if lit != "\x00" && lit != seg {
			return false
		}
		if i == len(lits)-1 {
			return true
		}
	}
	return true
}

// canonicalPath reports whether p, a request's decoded URL path, is in
// canonical form: absolute, without empty, "." or ".." segments (a
// trailing slash is allowed). Percent-encoded dots and slashes are decoded
// in URL.Path, so they count as what they encode.
func canonicalPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// routeNoteKey keys the place NoteRoute makes in a request's context.
type routeNoteKey struct{}

// NoteRoute returns r with a place in its context where the handlers of
// an Index write the path template of the route they serve, and that
// place; it stays "" if no route matched. Metrics label requests with it
// (never with raw paths, which carry IDs).
func NoteRoute(r *http.Request) (*http.Request, *string) {
	route := new(string)
	return r.WithContext(context.WithValue(r.Context(), routeNoteKey{}, route)), route
}

// SetRoute writes tmpl to the place NoteRoute made in r's context, if
// any: for routers that are not an Index (the admin API).
func SetRoute(r *http.Request, tmpl string) {
	if p, ok := r.Context().Value(routeNoteKey{}).(*string); ok {
		*p = tmpl
	}
}

// notingRoute writes tmpl to the request's route note, then serves h.
func notingRoute(tmpl string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetRoute(r, tmpl)
		h.ServeHTTP(w, r)
	})
}
