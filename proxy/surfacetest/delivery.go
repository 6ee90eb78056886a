package surfacetest

import (
	"context"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy/deliver"
)

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
