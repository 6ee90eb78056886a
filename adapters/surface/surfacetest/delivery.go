package surfacetest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/deliver"
)

// Received is one webhook request a Receiver got.
type Received struct {
	Header http.Header
	Body   []byte
}

// Receiver is a webhook endpoint on loopback that records every request
// and answers with its status (200 until SetStatus).
type Receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []Received
	status int
}

// NewReceiver starts a receiver, closed when t ends.
func NewReceiver(t testing.TB) *Receiver {
	rc := &Receiver{status: http.StatusOK}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, Received{Header: r.Header.Clone(), Body: body})
		status := rc.status
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// SetStatus sets the status later requests are answered with.
func (rc *Receiver) SetStatus(status int) {
	rc.mu.Lock()
	rc.status = status
	rc.mu.Unlock()
}

// Got returns the requests received so far, in order.
func (rc *Receiver) Got() []Received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Received(nil), rc.got...)
}

// Deliver runs the delivery workers over the env's engine with its
// surface's renderer (as serve does, but allowed to reach loopback) until
// t ends, and returns settle, which returns once everything due on the
// env's clock has been attempted.
func (e *Env) Deliver(t testing.TB) (settle func()) {
	t.Helper()
	p := deliver.New(e.Engine, deliver.Options{Surfaces: []surface.Surface{e.Surface},
		Config: surface.Config{IDSecret: e.Engine.IDSecret()}, AllowPrivate: true, Workers: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Settle(ctx); err != nil {
			t.Fatalf("delivery workers did not settle: %v", err)
		}
	}
}
