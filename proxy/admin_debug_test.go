package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// TestAdminProfiles: the runtime's profiles are served behind the admin
// token, in pprof's format; an unknown profile is the admin API's 404.
func TestAdminProfiles(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t, nil)
	get := func(path, token string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/_refbridge"+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	for _, tc := range []struct {
		name, path, token string
		status            int
		gzip              bool
	}{
		{"heap", "/debug/pprof/heap", e.token, http.StatusOK, true},
		{"goroutines", "/debug/pprof/goroutine", e.token, http.StatusOK, true},
		{"CPU for a second", "/debug/pprof/profile?seconds=1", e.token, http.StatusOK, true},
		{"no token", "/debug/pprof/heap", "", http.StatusUnauthorized, false},
		{"wrong token", "/debug/pprof/heap", "nope", http.StatusUnauthorized, false},
		{"unknown profile", "/debug/pprof/bogus", e.token, http.StatusNotFound, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, body := get(tc.path, tc.token)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			// pprof's protobuf profiles are gzipped.
			if isGzip := bytes.HasPrefix(body, []byte{0x1f, 0x8b}); isGzip != tc.gzip {
				t.Errorf("gzipped profile = %v, want %v (%d bytes)", isGzip, tc.gzip, len(body))
			}
		})
	}
}
