package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
)

// TestVendorCallFailureCodes: every vendor's outbound backend codes a
// call that fails by what the caller can do about it — the vendor's
// 502/503 and a connection refused or dropped after the request are
// Unavailable, a 504 is DeadlineExceeded, a cancelled call Canceled —
// and a retrying caller can tell them from answers about the request.
func TestVendorCallFailureCodes(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()
	status := func(code int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(code)
			_, _ = w.Write([]byte("<html>upstream trouble</html>"))
		})
	}
	drop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
	servers := map[string]string{"refused": refused}
	for name, h := range map[string]http.Handler{"502": status(502), "503": status(503), "504": status(504), "500": status(500), "drop": drop} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		servers[name] = strings.TrimPrefix(srv.URL, "http://")
	}
	vendors := []struct {
		url      string // with %s for host:port
		campaign string
	}{
		{"growsurf://key@%s/v2", "abc123"},
		{"referralhero://token@%s/api/v2", "MFb4bbb9c83b"},
		{"rewardful://secret@%s/v1", "0d2f6b3e-8f4a-4b7e-9a51-6f2c9d1e7a42"},
		{"referralrocket://key@%s", "AbCdEfGhIj"},
		{"irefer://LICENSE:SITE@%s?campaign_id=7", "7"},
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		server string
		ctx    context.Context
		want   canonical.Code
	}{
		{"502", context.Background(), canonical.Unavailable},
		{"503", context.Background(), canonical.Unavailable},
		{"504", context.Background(), canonical.DeadlineExceeded},
		{"500", context.Background(), canonical.Internal},
		{"refused", context.Background(), canonical.Unavailable},
		{"drop", context.Background(), canonical.Unavailable},
		{"502", cancelled, canonical.Canceled},
	}
	for _, v := range vendors {
		for _, tt := range tests {
			u := strings.Replace(v.url, "%s", servers[tt.server], 1)
			if strings.Contains(u, "?") {
				u += "&insecure=true&pace=off"
			} else {
				u += "?insecure=true&pace=off"
			}
			c, err := client.Open(context.Background(), u)
			if err != nil {
				t.Fatalf("open %s: %v", u, err)
			}
			_, err = c.GetCampaign(tt.ctx, v.campaign)
			if got := canonical.CodeOf(err); got != tt.want {
				t.Errorf("%s, %s: %v (code %q), want %q", c.Capabilities().Backend, tt.server, err, got, tt.want)
			}
			if strings.Contains(canonical.MessageOf(err), "upstream trouble") {
				t.Errorf("%s, %s: the vendor's failure page reached the message: %q", c.Capabilities().Backend, tt.server, canonical.MessageOf(err))
			}
			if tt.ctx == cancelled && !errors.Is(err, context.Canceled) {
				t.Errorf("%s: a cancelled call does not wrap context.Canceled: %v", c.Capabilities().Backend, err)
			}
		}
	}
}
