package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/pace"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/client"
	_ "github.com/refbridge/refbridge/client/allclients"
)

// TestOpenVendorURLs: each scheme opens its vendor's backend, with
// credentials from the URL or the environment, and says which credential
// is missing otherwise. Opening makes no request.
func TestOpenVendorURLs(t *testing.T) {
	for _, env := range []string{client.EnvGrowSurfKey, client.EnvReferralHeroToken, client.EnvRewardfulSecret,
		client.EnvReferralRocketKey, client.EnvIReferLicenseKey, client.EnvIReferAPIKey, client.EnvIReferCampaignID} {
		t.Setenv(env, "")
	}
	ctx := context.Background()
	tests := []struct {
		url     string
		backend string
		missing string
	}{
		{"growsurf://KEY@127.0.0.1:8080/v2?insecure=true", "growsurf", ""},
		{"growsurf://", "", client.EnvGrowSurfKey},
		{"referralhero://TOKEN@", "referralhero", ""},
		{"referralhero://", "", client.EnvReferralHeroToken},
		{"rewardful://SECRET@api.example.com/v1", "rewardful", ""},
		{"rewardful://", "", client.EnvRewardfulSecret},
		{"referralrocket://", "referralrocket", ""}, // the vendor itself needs no key
		{"irefer://LICENSE:SITE@?campaign_id=7", "irefer", ""},
		{"irefer://LICENSE:SITE@", "", client.EnvIReferCampaignID},
		{"irefer://", "", client.EnvIReferLicenseKey},
	}
	for _, tt := range tests {
		c, err := client.Open(ctx, tt.url)
		if tt.missing != "" {
			if canonical.CodeOf(err) != canonical.Invalid || !strings.Contains(canonical.MessageOf(err), tt.missing) {
				t.Errorf("Open(%q) = %v, want Invalid naming %s", tt.url, err, tt.missing)
			}
			continue
		}
		if err != nil {
			t.Errorf("Open(%q): %v", tt.url, err)
			continue
		}
		if got := c.Capabilities().Backend; got != tt.backend {
			t.Errorf("Open(%q) opened %q, want %q", tt.url, got, tt.backend)
		}
	}
	// The environment supplies what the URL leaves out.
	t.Setenv(client.EnvGrowSurfKey, "from-env")
	if _, err := client.Open(ctx, "growsurf://"); err != nil {
		t.Fatalf("key from %s: %v", client.EnvGrowSurfKey, err)
	}
}

// fakeClock advances only when slept on.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now, c.slept = c.now.Add(d), c.slept+d
	return nil
}

// TestVendorURLsPaceByDefault: vendor clients opened from URLs pace to
// the documented limits unless the URL says pace=off.
func TestVendorURLsPaceByDefault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type limited interface{ Limiter() *pace.Limiter }
	tests := []struct {
		url  string
		want []pace.Window
	}{
		{"growsurf://key@127.0.0.1:9/v2?insecure=true", growsurf.DocumentedLimits()},
		{"referralhero://tok@127.0.0.1:9/api/v2?insecure=true", referralhero.DocumentedLimits()},
		{"rewardful://secret@127.0.0.1:9/v1?insecure=true", rewardful.DocumentedLimits()},
		{"growsurf://key@127.0.0.1:9/v2?insecure=true&pace=off", nil},
		{"rewardful://secret@127.0.0.1:9/v1?pace=off", nil},
	}
	for _, tt := range tests {
		c, err := client.Open(ctx, tt.url)
		if err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		b, ok := c.Backend().(limited)
		if !ok {
			t.Fatalf("%s: %T has no limiter", tt.url, c.Backend())
		}
		if got := b.Limiter().Windows(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: paced to %v, want %v", tt.url, got, tt.want)
		}
	}
}

// TestVendorBackendsWaitOnTheirLimiter: every request of a paced vendor
// backend goes through its limiter, so a second request inside a
// one-request-a-minute window waits a minute.
func TestVendorBackendsWaitOnTheirLimiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		open func(base string, l *pace.Limiter) (canonical.Backend, error)
	}{
		{"growsurf", func(base string, l *pace.Limiter) (canonical.Backend, error) {
			return growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: base, APIKey: "k", Limiter: l})
		}},
		{"referralhero", func(base string, l *pace.Limiter) (canonical.Backend, error) {
			return referralhero.NewBackend(&referralhero.BackendOptions{BaseURL: base, APIToken: "t", Limiter: l})
		}},
		{"rewardful", func(base string, l *pace.Limiter) (canonical.Backend, error) {
			return rewardful.NewBackend(&rewardful.BackendOptions{BaseURL: base, APISecret: "s", Limiter: l})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Error(w, `{"error":"nope"}`, http.StatusNotFound)
			}))
			defer srv.Close()
			clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			b, err := tt.open(srv.URL, pace.NewWithClock(clock, pace.Window{Requests: 1, Per: time.Minute}))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				_, _ = b.ListCampaigns(ctx, canonical.ListOptions{})
			}
			if n := hits.Load(); n < 2 {
				t.Fatalf("%d requests reached the server, want at least 2", n)
			}
			if want := time.Duration(hits.Load()-1) * time.Minute; clock.slept != want {
				t.Fatalf("slept %v for %d requests at one a minute, want %v", clock.slept, hits.Load(), want)
			}
		})
	}
}

// TestOpenUnregisteredScheme: a scheme no package registered names the
// package to import; an unknown one lists the schemes refbridge knows.
func TestOpenUnregisteredScheme(t *testing.T) {
	t.Parallel()
	_, err := client.Open(context.Background(), "ftp://example.com")
	if canonical.CodeOf(err) != canonical.Invalid || !strings.Contains(err.Error(), "unknown client URL scheme") {
		t.Errorf("Open(ftp://) = %v, want an Invalid unknown scheme", err)
	}
	if got, want := client.Schemes(), []string{"growsurf", "irefer", "postgres", "postgresql", "referralhero", "referralrocket", "rewardful", "sqlite"}; !slices.Equal(got, want) {
		t.Errorf("allclients registered %v, want %v", got, want)
	}
}

// TestRegisterRefusesADuplicate: registering a taken scheme panics, as
// database/sql's Register does, instead of silently replacing an opener.
func TestRegisterRefusesADuplicate(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("a second Register for growsurf did not panic")
		}
	}()
	client.Register("growsurf", func(context.Context, *url.URL) (canonical.Backend, io.Closer, error) { return nil, nil, nil })
}
