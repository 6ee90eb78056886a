package metrics_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/refbridge/refbridge/proxy/metrics"
)

// TestCollectors: what the store, the read cache and the delivery workers
// report is served in the text format under refbridge's names.
func TestCollectors(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	st := m.Store()
	st.Transaction(false, time.Millisecond, nil)
	st.Transaction(true, 2*time.Millisecond, nil)
	st.Transaction(true, time.Millisecond, errors.New("x"))
	st.Commit(5, time.Millisecond, nil)
	st.Commit(1, time.Millisecond, errors.New("x"))
	hits := uint64(7)
	m.ReadCache(func() (uint64, uint64, int) { return hits, 3, 2 })
	hits = 9                                                     // read when scraped, not when registered
	m.ReadCache(func() (uint64, uint64, int) { return 1, 0, 1 }) // a second proxy's cache: summed
	if m.Store() != st || m.Webhooks() != m.Webhooks() {
		t.Fatal("a part's observer is made again: its collectors would be registered twice")
	}
	wh := m.Webhooks()
	wh.Attempt("rewardful", "delivered", time.Millisecond)
	wh.Attempt("rewardful", "delivered", time.Millisecond)
	wh.Attempt("growsurf", "failed", time.Second)
	r := m.Begin("growsurf")
	r.End("GET", "/v2/campaigns", 200)
	var nilMetrics *metrics.Metrics // records nothing, and nothing panics
	nilMetrics.Begin("x").End("GET", "", 500)
	nilMetrics.Store().Transaction(true, time.Millisecond, nil)
	nilMetrics.Store().Commit(1, time.Millisecond, nil)
	nilMetrics.Webhooks().Attempt("growsurf", "failed", time.Millisecond)
	nilMetrics.ReadCache(func() (uint64, uint64, int) { return 1, 1, 1 })
	nilRec := httptest.NewRecorder()
	nilMetrics.Handler().ServeHTTP(nilRec, httptest.NewRequest("GET", "/", nil))
	if nilRec.Code != 404 {
		t.Fatalf("nil metrics served %d", nilRec.Code)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`refbridge_store_transactions_total{kind="read",outcome="ok"} 1`,
		`refbridge_store_transactions_total{kind="write",outcome="ok"} 1`,
		`refbridge_store_transactions_total{kind="write",outcome="error"} 1`,
		`refbridge_store_transaction_duration_seconds_count{kind="write"} 2`,
		`refbridge_store_commit_writes_sum 6`,
		`refbridge_store_commit_writes_count 2`,
		`refbridge_store_commit_errors_total 1`,
		`refbridge_read_cache_hits_total 10`,
		`refbridge_read_cache_misses_total 3`,
		`refbridge_read_cache_entries 3`,
		`refbridge_webhook_attempts_total{outcome="delivered",vendor="rewardful"} 2`,
		`refbridge_webhook_attempts_total{outcome="failed",vendor="growsurf"} 1`,
		`refbridge_webhook_attempt_duration_seconds_count{vendor="growsurf"} 1`,
		`refbridge_http_requests_total{code="200",method="GET",route="/v2/campaigns",surface="growsurf"} 1`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// BenchmarkRequest is what counting one request costs (Begin and End).
func BenchmarkRequest(b *testing.B) {
	m := metrics.New()
	b.ReportAllocs()
	for b.Loop() {
		m.Begin("growsurf").End("GET", "/v2/campaign/{id}/participant/{participantIdOrEmail}", 200)
	}
}
