package proxy

import (
	"net/http"
	"net/http/pprof"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// debugRoutes serves the Go runtime's profiles behind the admin token, as
// net/http/pprof does at /debug/pprof/: GET /_refbridge/debug/pprof/profile?seconds=N
// (CPU, at most 50 s: the server's write timeout is 60), /trace, and
// /{name} for the named profiles (heap, goroutine, allocs, block, mutex,
// threadcreate). Operators read them with `go tool pprof`.
func (a *admin) debugRoutes(s *mux.Router) {
	s.HandleFunc("/debug/pprof/profile", pprof.Profile).Methods(http.MethodGet)
	s.HandleFunc("/debug/pprof/trace", pprof.Trace).Methods(http.MethodGet)
	s.HandleFunc("/debug/pprof/{profile}", func(w http.ResponseWriter, r *http.Request) {
		name := mux.Vars(r)["profile"]
		if !knownProfile(name) {
			a.fail(w, canonical.Errorf(canonical.NotFound, "no profile %q", name))
			return
		}
		pprof.Handler(name).ServeHTTP(w, r)
	}).Methods(http.MethodGet)
}

// knownProfile reports whether the runtime keeps a profile called name.
func knownProfile(name string) bool {
	switch name {
	case "heap", "goroutine", "allocs", "block", "mutex", "threadcreate":
		return true
	}
	return false
}
