package growsurf_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
)

// TestRateLimitHint: a 429 carries GrowSurf's wait, for callers that
// retry (the migration tool honours it).
func TestRateLimitHint(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("GrowSurf-Retry-After-Minute-Milliseconds", "60000")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"name":"RateLimit","code":"RATE_LIMIT","message":"You have reached your minute limit.","policyName":"MINUTE"}`))
	}))
	defer srv.Close()
	b, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.GetCampaign(context.Background(), "abc123")
	var hint interface{ RetryAfter() time.Duration }
	if canonical.CodeOf(err) != canonical.RateLimited || !errors.As(err, &hint) || hint.RetryAfter() != time.Minute {
		t.Fatalf("429: %v", err)
	}
}
