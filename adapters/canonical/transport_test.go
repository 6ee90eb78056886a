package canonical_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// timeout is a net.Error that timed out, as a dialer or a conn deadline
// returns.
type timeout struct{}

func (timeout) Error() string   { return "i/o timeout" }
func (timeout) Timeout() bool   { return true }
func (timeout) Temporary() bool { return true }

// TestTransportCode classifies made-up and real failures of an HTTP
// call over loopback.
func TestTransportCode(t *testing.T) {
	t.Parallel()
	syntax := json.Unmarshal([]byte("{"), &struct{}{})
	tests := []struct {
		name string
		err  error
		want canonical.Code
	}{
		{"nil", nil, ""},
		{"cancelled context", context.Canceled, canonical.Canceled},
		{"cancelled context in a url.Error", &url.Error{Op: "Post", URL: "http://x", Err: context.Canceled}, canonical.Canceled},
		{"passed deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), canonical.DeadlineExceeded},
		{"url.Error timeout", &url.Error{Op: "Get", URL: "http://x", Err: timeout{}}, canonical.DeadlineExceeded},
		{"net.OpError timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeout{}}, canonical.DeadlineExceeded},
		{"os deadline", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, canonical.DeadlineExceeded},
		{"DNS timeout", &net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}, canonical.DeadlineExceeded},
		{"net.OpError", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, canonical.Unavailable},
		{"unknown host", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, canonical.Unavailable},
		{"unexpected EOF", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), canonical.Unavailable},
		{"EOF in a url.Error", &url.Error{Op: "Post", URL: "http://x", Err: io.EOF}, canonical.Unavailable},
		{"closed connection", net.ErrClosed, canonical.Unavailable},
		{"undecodable answer", fmt.Errorf("decode: %w", syntax), canonical.Internal},
		{"anything else", errors.New("boom"), canonical.Internal},
		{"a coded error keeps its code", fmt.Errorf("pace: %w", canonical.Errorf(canonical.RateLimited, "slow down")), canonical.RateLimited},
	}
	for _, tt := range tests {
		if got := canonical.TransportCode(tt.err); got != tt.want {
			t.Errorf("%s: TransportCode(%v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestTransportCodeOfRealFailures makes real HTTP calls over loopback
// that fail each way and classifies what net/http returns.
func TestTransportCodeOfRealFailures(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	mux := http.NewServeMux()
	// The connection is closed without an answer, after the request
	// was read: the write may have been applied.
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	// The answer promises more body than it sends.
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"id":`))
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
	// No answer until the caller gives up.
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	call := func(ctx context.Context, c *http.Client, method, u string) error {
		req, err := http.NewRequestWithContext(ctx, method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		_, err = io.ReadAll(res.Body)
		return err
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		client *http.Client
		method string
		url    string
		want   canonical.Code
	}{
		{"connection refused", context.Background(), http.DefaultClient, http.MethodGet, refused, canonical.Unavailable},
		{"dropped after the request", context.Background(), http.DefaultClient, http.MethodPost, srv.URL + "/drop", canonical.Unavailable},
		{"body cut short", context.Background(), http.DefaultClient, http.MethodGet, srv.URL + "/short", canonical.Unavailable},
		{"client timeout", context.Background(), &http.Client{Timeout: 50 * time.Millisecond}, http.MethodGet, srv.URL + "/hang", canonical.DeadlineExceeded},
		{"cancelled", cancelled, http.DefaultClient, http.MethodGet, srv.URL + "/hang", canonical.Canceled},
	}
	for _, tt := range tests {
		err := call(tt.ctx, tt.client, tt.method, tt.url)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if got := canonical.TransportCode(err); got != tt.want {
			t.Errorf("%s: TransportCode(%v) = %q, want %q", tt.name, err, got, tt.want)
		}
		if ce := canonical.Transport(err, "call failed"); ce.Code != tt.want || ce.Message != "call failed" || !errors.Is(ce, err) {
			t.Errorf("%s: Transport = %+v", tt.name, ce)
		}
	}
}

// TestUncertainCodes: the codes after which a write may or may not have
// been applied.
func TestUncertainCodes(t *testing.T) {
	t.Parallel()
	for code, want := range map[canonical.Code]bool{
		canonical.Unavailable: true, canonical.DeadlineExceeded: true, canonical.Canceled: true, canonical.Internal: true,
		canonical.NotFound: false, canonical.Conflict: false, canonical.Invalid: false, canonical.Unauthorized: false,
		canonical.Forbidden: false, canonical.RateLimited: false, canonical.NotImplemented: false, "": false,
	} {
		if got := code.Uncertain(); got != want {
			t.Errorf("%q.Uncertain() = %v, want %v", code, got, want)
		}
	}
}
