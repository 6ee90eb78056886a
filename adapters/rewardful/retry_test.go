package rewardful_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
)

// TestRateLimitHint: a 429 carries Rewardful's RateLimit-Reset, for
// callers that retry (the migration tool honours it).
func TestRateLimitHint(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("RateLimit-Reset", "17")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":"Rate limit exceeded."}`))
	}))
	defer srv.Close()
	b, err := rewardful.NewBackend(&rewardful.BackendOptions{BaseURL: srv.URL, APISecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.ListCampaigns(context.Background(), canonical.ListOptions{})
	var hint interface{ RetryAfter() time.Duration }
	if canonical.CodeOf(err) != canonical.RateLimited || !errors.As(err, &hint) || hint.RetryAfter() != 17*time.Second {
		t.Fatalf("429: %v", err)
	}
}
