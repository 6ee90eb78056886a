package deliver

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawEndpoint is a loopback endpoint that answers each request it reads
// with the next of its canned answers (raw bytes, so every answer shape
// can be sent), closing the connection after answers marked so.
type rawEndpoint struct {
	ln      net.Listener
	answers chan rawAnswer
	conns   atomic.Int32
	mu      sync.Mutex
	open    []net.Conn
	got     []*http.Request
	bodies  []string
}

type rawAnswer struct {
	bytes string
	close bool // close the connection after writing it
}

func newRawEndpoint(t *testing.T) *rawEndpoint {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &rawEndpoint{ln: ln, answers: make(chan rawAnswer, 16)}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		close(e.answers)
		e.mu.Lock()
		for _, c := range e.open {
			c.Close()
		}
		e.mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			e.conns.Add(1)
			e.mu.Lock()
			e.open = append(e.open, c)
			e.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					body, _ := io.ReadAll(req.Body)
					e.mu.Lock()
					e.got = append(e.got, req)
					e.bodies = append(e.bodies, string(body))
					e.mu.Unlock()
					a, ok := <-e.answers
					if !ok {
						return
					}
					if _, err := io.WriteString(c, a.bytes); err != nil || a.close {
						return
					}
				}
			}()
		}
	}()
	return e
}

func (e *rawEndpoint) url(t *testing.T) *url.URL {
	t.Helper()
	u, err := url.Parse("http://" + e.ln.Addr().String() + "/hooks/in?x=1")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *rawEndpoint) requests() ([]*http.Request, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*http.Request(nil), e.got...), append([]string(nil), e.bodies...)
}

func loopbackPoster() *poster { return newPoster(&net.Dialer{Timeout: 5 * time.Second}, nil, 2, false) }

func soon() time.Time { return time.Now().Add(10 * time.Second) }

// TestPosterAnswers: every answer shape an endpoint may send gives its
// final status, and the connection is kept only when it can carry the
// next request.
func TestPosterAnswers(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", maxAnswer+1)
	tests := []struct {
		name   string
		answer string
		status int
		kept   bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, true},
		{"empty", "HTTP/1.1 204 No Content\r\n\r\n", 204, true},
		{"chunked", "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 201, true},
		{"interim first", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", 202, true},
		{"refused", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nnope", 500, true},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 200, false},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200, false},
		{"too long to drain", "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big, 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newRawEndpoint(t)
			e.answers <- rawAnswer{bytes: tt.answer}
			p := loopbackPoster()
			defer p.close()
			status, err := p.post(context.Background(), e.url(t), http.Header{}, []byte(`{}`), soon())
			if err != nil || status != tt.status {
				t.Fatalf("post = %d, %v; want %d", status, err, tt.status)
			}
			c, _ := p.take("http://" + e.ln.Addr().String())
			if c != nil {
				c.Close()
			}
			if kept := c != nil; kept != tt.kept {
				t.Fatalf("connection kept = %v, want %v", kept, tt.kept)
			}
		})
	}
}

// TestPosterRequest: the request carries the URL's path and query, the
// rendered header, the body with its length, and the URL's credentials
// as basic authentication; the poster's own fields cannot be overridden.
func TestPosterRequest(t *testing.T) {
	t.Parallel()
	e := newRawEndpoint(t)
	e.answers <- rawAnswer{bytes: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}
	u := e.url(t)
	u.User = url.UserPassword("hook", "s3cret")
	p := loopbackPoster()
	defer p.close()
	h := http.Header{"X-Signature": {"abc"}, "Content-Type": {"application/json"}, "Content-Length": {"999"}, "Host": {"evil"}}
	if _, err := p.post(context.Background(), u, h, []byte(`{"a":1}`), soon()); err != nil {
		t.Fatal(err)
	}
	reqs, bodies := e.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	user, pass, ok := r.BasicAuth()
	checks := []struct {
		name      string
		got, want any
	}{
		{"method", r.Method, "POST"},
		{"target", r.RequestURI, "/hooks/in?x=1"},
		{"host", r.Host, e.ln.Addr().String()},
		{"signature", r.Header.Get("X-Signature"), "abc"},
		{"content type", r.Header.Get("Content-Type"), "application/json"},
		{"length", r.ContentLength, int64(7)},
		{"body", bodies[0], `{"a":1}`},
		{"basic auth", [3]any{user, pass, ok}, [3]any{"hook", "s3cret", true}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestPosterReusesAndRecovers: posts share one kept connection; when the
// endpoint closed it while idle, the next post goes out once on a new
// one.
func TestPosterReusesAndRecovers(t *testing.T) {
	t.Parallel()
	e := newRawEndpoint(t)
	ok := "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	p := loopbackPoster()
	defer p.close()
	post := func() {
		t.Helper()
		if status, err := p.post(context.Background(), e.url(t), nil, []byte(`{}`), soon()); err != nil || status != 200 {
			t.Fatalf("post = %d, %v", status, err)
		}
	}
	for range 3 {
		e.answers <- rawAnswer{bytes: ok}
		post()
	}
	if n := e.conns.Load(); n != 1 {
		t.Fatalf("3 posts used %d connections, want 1", n)
	}
	// The endpoint answers without saying it closes, then closes.
	e.answers <- rawAnswer{bytes: ok, close: true}
	post()
	e.answers <- rawAnswer{bytes: ok}
	post()
	if reqs, _ := e.requests(); len(reqs) != 5 {
		t.Fatalf("endpoint got %d requests, want 5 (none posted twice)", len(reqs))
	}
	if n := e.conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2", n)
	}
}

// TestPosterGivesUp: an endpoint that never answers fails the post at
// its deadline, and ending the context ends a post at once.
func TestPosterGivesUp(t *testing.T) {
	t.Parallel()
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		e := newRawEndpoint(t)
		p := loopbackPoster()
		defer p.close()
		_, err := p.post(context.Background(), e.url(t), nil, nil, time.Now().Add(50*time.Millisecond))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("err = %v, want a deadline error", err)
		}
	})
	t.Run("context", func(t *testing.T) {
		t.Parallel()
		e := newRawEndpoint(t)
		p := loopbackPoster()
		defer p.close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := p.post(ctx, e.url(t), nil, nil, time.Now().Add(time.Hour))
			done <- err
		}()
		for {
			if reqs, _ := e.requests(); len(reqs) == 1 {
				break
			}
			runtime.Gosched()
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// TestPosterRefusesBadInput: a URL or header that would not make one
// well-formed request is refused before anything is sent; a URL the
// poster leaves to net/http says so.
func TestPosterRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newRawEndpoint(t)
	p := loopbackPoster()
	defer p.close()
	base := e.url(t)
	tests := []struct {
		name   string
		url    func() *url.URL
		header http.Header
		want   error // nil: any error
	}{
		{"header value with CRLF", func() *url.URL { return base }, http.Header{"X-A": {"a\r\nX-B: b"}}, nil},
		{"header name with space", func() *url.URL { return base }, http.Header{"X A": {"a"}}, nil},
		{"empty header name", func() *url.URL { return base }, http.Header{"": {"a"}}, nil},
		{"scheme", func() *url.URL { u := *base; u.Scheme = "ftp"; return &u }, nil, nil},
		{"no host", func() *url.URL { u := *base; u.Host = ""; return &u }, nil, nil},
		{"IDNA host", func() *url.URL { u := *base; u.Host = "bücher.example:80"; return &u }, nil, errNotPosted},
	}
	for _, tt := range tests {
		_, err := p.post(context.Background(), tt.url(), tt.header, nil, soon())
		if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if reqs, _ := e.requests(); len(reqs) != 0 {
		t.Fatalf("endpoint got %d requests, want none", len(reqs))
	}
}

// TestPosterTLS: an https endpoint is posted over TLS, verified against
// the configured roots, and its connection kept.
func TestPosterTLS(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.ProtoMajor != 1 || r.TLS == nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	u, _ := url.Parse(srv.URL + "/in")
	p := newPoster(&net.Dialer{}, &tls.Config{RootCAs: roots}, 2, false)
	defer p.close()
	for range 2 {
		if status, err := p.post(context.Background(), u, nil, []byte(`{}`), soon()); err != nil || status != 202 {
			t.Fatalf("post = %d, %v", status, err)
		}
	}
	untrusted := loopbackPoster()
	defer untrusted.close()
	if _, err := untrusted.post(context.Background(), u, nil, nil, soon()); err == nil {
		t.Fatal("posted to an endpoint whose certificate is not trusted")
	}
	if n.Load() != 2 {
		t.Fatalf("endpoint got %d requests, want 2", n.Load())
	}
}

// FuzzRequestHead: whatever the URL and header, the head written is
// either refused or parses back (with net/http's parser) to the same
// target, header values and length.
func FuzzRequestHead(f *testing.F) {
	f.Add("/in?x=1", "X-Signature", "abc", 12)
	f.Add("/a b", "X-A", "a\r\nb", 0)
	f.Add("", "Content-Length", "1", 3)
	f.Fuzz(func(t *testing.T, path, name, value string, n int) {
		if n < 0 {
			n = -n
		}
		u, err := url.Parse("http://example.test" + path)
		if err != nil || u.Host != "example.test" {
			return
		}
		head, err := requestHead(u, http.Header{name: {value}}, n)
		if err != nil {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(string(head))))
		if err != nil {
			t.Fatalf("head %q does not parse: %v", head, err)
		}
		if req.RequestURI != u.RequestURI() || req.Host != "example.test" || req.ContentLength != int64(n) {
			t.Fatalf("head %q parsed as %s %s length %d", head, req.Host, req.RequestURI, req.ContentLength)
		}
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length", "Transfer-Encoding", "Connection":
		default:
			if got := req.Header.Get(name); got != strings.Trim(value, " \t") {
				t.Fatalf("header %q = %q, want %q", name, got, value)
			}
		}
	})
}

// TestPosterDistrustsEndpoints: what a broken or hostile endpoint sends
// never makes a worker buffer without bound, never answers for a request
// it did not read, and never sends one request twice.
func TestPosterDistrustsEndpoints(t *testing.T) {
	t.Parallel()
	ok := "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	t.Run("endless header", func(t *testing.T) {
		t.Parallel()
		e := newRawEndpoint(t)
		e.answers <- rawAnswer{bytes: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 3<<20)}
		p := loopbackPoster()
		defer p.close()
		if _, err := p.post(context.Background(), e.url(t), nil, nil, soon()); !errors.Is(err, errAnswerTooLarge) {
			t.Fatalf("err = %v, want errAnswerTooLarge", err)
		}
	})
	t.Run("endless interim answers", func(t *testing.T) {
		t.Parallel()
		e := newRawEndpoint(t)
		e.answers <- rawAnswer{bytes: strings.Repeat("HTTP/1.1 103 Early Hints\r\n\r\n", maxInterim+2) + ok}
		p := loopbackPoster()
		defer p.close()
		if _, err := p.post(context.Background(), e.url(t), nil, nil, soon()); err == nil {
			t.Fatal("accepted more interim answers than net/http does")
		}
	})
	t.Run("an answer nobody asked for", func(t *testing.T) {
		t.Parallel()
		e := newRawEndpoint(t)
		// A 500, then a stray 200 on the same connection.
		e.answers <- rawAnswer{bytes: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n" + ok}
		e.answers <- rawAnswer{bytes: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"}
		p := loopbackPoster()
		defer p.close()
		for _, want := range []int{500, 503} {
			if status, err := p.post(context.Background(), e.url(t), nil, nil, soon()); err != nil || status != want {
				t.Fatalf("post = %d, %v; want %d (the stray 200 answers nothing)", status, err, want)
			}
		}
	})
	t.Run("body cut short after the status", func(t *testing.T) {
		t.Parallel()
		e := newRawEndpoint(t)
		e.answers <- rawAnswer{bytes: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok", close: true}
		p := loopbackPoster()
		defer p.close()
		if status, err := p.post(context.Background(), e.url(t), nil, nil, soon()); err != nil || status != 200 {
			t.Fatalf("post = %d, %v; want 200: the endpoint acknowledged", status, err)
		}
	})
	t.Run("reset after reading the request", func(t *testing.T) {
		t.Parallel()
		e := newRawEndpoint(t)
		e.answers <- rawAnswer{bytes: ok}
		p := loopbackPoster()
		defer p.close()
		if _, err := p.post(context.Background(), e.url(t), nil, nil, soon()); err != nil {
			t.Fatal(err)
		}
		// The endpoint reads the next request and closes without answering.
		e.answers <- rawAnswer{bytes: "", close: true}
		if _, err := p.post(context.Background(), e.url(t), nil, nil, soon()); err == nil {
			t.Fatal("a request the endpoint never answered was reported as posted")
		}
		if reqs, _ := e.requests(); len(reqs) != 2 {
			t.Fatalf("endpoint got %d requests for 2 posts, want 2 (none sent twice)", len(reqs))
		}
	})
	t.Run("non-ASCII query goes to net/http", func(t *testing.T) {
		t.Parallel()
		u, _ := url.Parse("http://127.0.0.1:9/hook?tenant=café")
		p := loopbackPoster()
		if _, err := p.post(context.Background(), u, nil, nil, soon()); !errors.Is(err, errNotPosted) {
			t.Fatalf("err = %v, want errNotPosted", err)
		}
	})
}

// TestPosterSkipsDeadConnections: kept connections the endpoint closed
// while they were idle (a restart, an idle timeout) are found before use,
// however many there are, and the post goes out once on a new one.
func TestPosterSkipsDeadConnections(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Start()
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/in")
	p := loopbackPoster()
	defer p.close()
	// Two connections at once, both kept.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.post(context.Background(), u, nil, nil, soon()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	srv.CloseClientConnections() // the endpoint drops every idle connection
	for i := 0; ; i++ {
		// Wait until the closes have reached this side's sockets.
		c, _ := p.take("http://" + u.Host)
		if c == nil {
			break
		}
		p.put("http://"+u.Host, c)
		if i > 1000 {
			t.Fatal("closed connections still look open")
		}
		runtime.Gosched()
	}
	if status, err := p.post(context.Background(), u, nil, nil, soon()); err != nil || status != 204 {
		t.Fatalf("post = %d, %v", status, err)
	}
	if n.Load() != 3 {
		t.Fatalf("endpoint got %d requests, want 3", n.Load())
	}
}
