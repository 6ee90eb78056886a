package deliver

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A poster posts deliveries over kept-alive HTTP/1.1 connections, each
// exchange on the calling worker's goroutine: it writes the request in
// one system call and reads the answer with the standard library's
// parser (http.ReadResponse). net/http's client hands every request to
// two goroutines of its own (one writes, one reads) and back; for a
// small POST to an endpoint answering at once that hand-off is a large
// part of a delivery's cost.
//
// It trusts an endpoint no further than net/http does: an answer may make
// it read at most answerBudget (headers, up to maxInterim interim
// answers, and maxAnswer of body); a connection is kept only if nothing
// follows its answer, and taken again only if the endpoint has neither
// closed it nor sent anything since; a request is posted a second time
// (once, on a new connection) only when not a byte of it went out.
//
// It speaks HTTP/1.1 only, to the endpoint itself: a URL whose host or
// request target is not printable ASCII, or (with envProxy) that
// http.ProxyFromEnvironment sends through a proxy, is posted with the
// pool's http.Client instead (errNotPosted).
type poster struct {
	dialer  *net.Dialer
	tls     *tls.Config // nil: crypto/tls's defaults, with HTTP/1.1 offered
	maxIdle int         // unused connections kept per endpoint host
	// envProxy leaves URLs that the environment's proxy settings
	// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) send through a proxy to
	// net/http; without it every URL is dialled directly.
	envProxy bool

	mu    sync.Mutex
	idle  map[string][]*postConn // by scheme://host:port
	swept time.Time
}

// postConn is one kept-alive connection to an endpoint.
type postConn struct {
	net.Conn
	in   *budget // what the reader may still take from the connection
	br   *bufio.Reader
	used time.Time // when its last answer was read
}

// budget limits how much an answer may make the poster read: net/http's
// client stops at 10 MB of header; an endpoint must not make a worker
// buffer more than answerBudget for one answer.
type budget struct {
	r io.Reader
	n int64
}

// errAnswerTooLarge ends an answer that overran its budget.
var errAnswerTooLarge = errors.New("answer too large (over 1 MiB of header or interim answers)")

func (b *budget) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errAnswerTooLarge
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	return n, err
}

// Limits of the poster's connections.
const (
	// idleConnTimeout is how long an unused connection is kept (net/http's
	// default transport keeps them 90 s; endpoints often close sooner).
	idleConnTimeout = 30 * time.Second
	// maxAnswer is how much of an answer's body is read; the connection
	// of a longer one is closed rather than drained.
	maxAnswer = 64 << 10
	// answerBudget is the most read from a connection for one answer,
	// interim answers, headers and body together.
	answerBudget = 1<<20 + maxAnswer
	// maxInterim is how many interim (1xx) answers may precede the
	// final one, as net/http allows.
	maxInterim = 5
)

// errNotPosted says the poster leaves a URL to net/http: it goes through
// a proxy, its host needs IDNA encoding, or its request target holds
// bytes the poster does not write as they are (net/http writes them as
// it always did).
var errNotPosted = errors.New("deliver: endpoint is posted with net/http")

// newPoster returns a poster dialling with dialer, keeping up to maxIdle
// unused connections per endpoint host (one per worker that may post
// there at once); with envProxy, URLs the environment sends through a
// proxy are left to net/http.
func newPoster(dialer *net.Dialer, tlsConfig *tls.Config, maxIdle int, envProxy bool) *poster {
	return &poster{dialer: dialer, tls: tlsConfig, maxIdle: max(maxIdle, 1), envProxy: envProxy, idle: map[string][]*postConn{}}
}

// post posts body to u with header (and Host, Content-Length), and returns
// the answer's status code once its body has been read. It gives up at
// deadline, or when ctx ends.
func (p *poster) post(ctx context.Context, u *url.URL, header http.Header, body []byte, deadline time.Time) (int, error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return 0, fmt.Errorf("unsupported protocol scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return 0, errors.New("no host in request URL")
	}
	if !asciiHost(u.Host) {
		return 0, errNotPosted
	}
	if p.envProxy {
		if proxied, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err != nil || proxied != nil {
			return 0, errNotPosted
		}
	}
	head, err := requestHead(u, header, len(body))
	if err != nil {
		return 0, err
	}
	key := u.Scheme + "://" + canonicalAddr(u)
	c, reused := p.take(key)
	for {
		if c == nil {
			if c, err = p.dial(ctx, u, deadline); err != nil {
				return 0, err
			}
		}
		status, keep, err := exchange(ctx, c, head, body, deadline)
		if err == nil {
			if keep {
				p.put(key, c)
			} else {
				c.Close()
			}
			return status, nil
		}
		c.Close()
		// A kept connection that failed before a byte of the request
		// went out (the endpoint closed it after take looked) is posted
		// on again, once, on a new connection, as net/http does. Once
		// anything was written the attempt has failed: the endpoint may
		// have the request, and the retry schedule decides what follows.
		var unsent unsentError
		if !reused || !errors.As(err, &unsent) || ctx.Err() != nil {
			return 0, err
		}
		c, reused = nil, false
	}
}

// unsentError is a failure to write any byte of a request.
type unsentError struct{ error }

func (e unsentError) Unwrap() error { return e.error }

// exchange writes one request on c and reads its answer, and says
// whether c may carry another.
func exchange(ctx context.Context, c *postConn, head, body []byte, deadline time.Time) (status int, keep bool, err error) {
	if err := c.SetDeadline(deadline); err != nil {
		return 0, false, unsentError{err}
	}
	// Ending ctx (the pool abandoning attempts) ends the exchange now.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if !stop() {
			keep = false // its deadline is spent
		}
		if err != nil && ctx.Err() != nil {
			err = ctx.Err()
		}
	}()
	bufs := net.Buffers{head, body}
	if n, err := bufs.WriteTo(c); err != nil {
		if n == 0 {
			return 0, false, unsentError{err}
		}
		return 0, false, err
	}
	c.in.n = answerBudget
	for interim := 0; ; interim++ {
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil {
			return 0, false, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			// An interim answer (103 Early Hints): the final one follows.
			if interim == maxInterim {
				return 0, false, errors.New("too many interim (1xx) answers")
			}
			continue
		}
		// The status is the answer: a body cut short or too long only
		// stops the connection from being kept, as on net/http's path.
		n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer+1))
		keep = err == nil && !resp.Close && n <= maxAnswer && resp.StatusCode != http.StatusSwitchingProtocols &&
			c.br.Buffered() == 0 // bytes after the answer belong to no request
		c.used = time.Now()
		return resp.StatusCode, keep, nil
	}
}

// requestHead is the request line and header of a POST of n bytes to u.
func requestHead(u *url.URL, header http.Header, n int) ([]byte, error) {
	target := u.RequestURI()
	if !asciiHost(target) {
		return nil, errNotPosted
	}
	var b strings.Builder
	b.Grow(256)
	b.WriteString("POST ")
	b.WriteString(target)
	b.WriteString(" HTTP/1.1\r\nHost: ")
	b.WriteString(u.Host)
	b.WriteString("\r\n")
	if u.User != nil && header.Get("Authorization") == "" {
		// As net/http does: credentials in the URL are sent as basic
		// authentication.
		password, _ := u.User.Password()
		b.WriteString("Authorization: Basic ")
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + password)))
		b.WriteString("\r\n")
	}
	for name, values := range header {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length", "Transfer-Encoding", "Connection":
			continue // the poster's own
		}
		if !validHeaderName(name) {
			return nil, fmt.Errorf("invalid header field name %q", name)
		}
		for _, v := range values {
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("invalid header field value for %q", name)
			}
			b.WriteString(name)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteString("\r\n")
		}
	}
	b.WriteString("Content-Length: ")
	b.WriteString(strconv.Itoa(n))
	b.WriteString("\r\n\r\n")
	return []byte(b.String()), nil
}

// asciiHost reports whether s (a host, or a request target) can be
// written on the wire as it is: printable ASCII without spaces (a
// bracketed IPv6 literal included). Other hosts need IDNA encoding,
// which net/http does.
func asciiHost(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return s != ""
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v holds no control characters but
// horizontal tab (RFC 9110 field-value).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// canonicalAddr is u's host and port, the scheme's port if none.
func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// dial opens a connection to u's host (and its TLS session for https).
func (p *poster) dial(ctx context.Context, u *url.URL, deadline time.Time) (*postConn, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	nc, err := p.dialer.DialContext(ctx, "tcp", canonicalAddr(u))
	if err != nil {
		return nil, err
	}
	if u.Scheme == "https" {
		cfg := &tls.Config{}
		if p.tls != nil {
			cfg = p.tls.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, err
		}
		nc = tc
	}
	in := &budget{r: nc, n: answerBudget}
	return &postConn{Conn: nc, in: in, br: bufio.NewReaderSize(in, 4<<10)}, nil
}

// take returns a kept connection for key that is fresh enough and still
// open, if there is one.
func (p *poster) take(key string) (*postConn, bool) {
	var dead []*postConn
	defer func() { closeAll(dead) }()
	for {
		p.mu.Lock()
		conns := p.idle[key]
		if len(conns) == 0 {
			p.mu.Unlock()
			return nil, false
		}
		c := conns[len(conns)-1]
		p.idle[key] = conns[:len(conns)-1]
		p.mu.Unlock()
		if time.Since(c.used) < idleConnTimeout && idleOpen(c) {
			return c, true
		}
		dead = append(dead, c)
	}
}

// idleOpen reports whether an idle connection can carry a request: the
// endpoint has neither closed it nor sent anything on it since its last
// answer (an unasked-for answer, or a 408 before closing).
func idleOpen(c *postConn) bool {
	if c.br.Buffered() > 0 || c.SetDeadline(time.Time{}) != nil {
		return false
	}
	return peerSilent(c.Conn)
}

// put keeps c for the next post to key, and closes connections that
// have been idle too long (looked for at most once per idle period).
func (p *poster) put(key string, c *postConn) {
	var dead []*postConn
	defer func() { closeAll(dead) }()
	p.mu.Lock()
	defer p.mu.Unlock()
	if conns := p.idle[key]; len(conns) < p.maxIdle {
		p.idle[key] = append(conns, c)
	} else {
		dead = append(dead, c)
	}
	if c.used.Sub(p.swept) < idleConnTimeout {
		return
	}
	p.swept = c.used
	for k, conns := range p.idle {
		kept := conns[:0]
		for _, old := range conns {
			if c.used.Sub(old.used) < idleConnTimeout {
				kept = append(kept, old)
			} else {
				dead = append(dead, old)
			}
		}
		if len(kept) == 0 {
			delete(p.idle, k)
		} else {
			p.idle[k] = kept
		}
	}
}

// close closes every kept connection.
func (p *poster) close() {
	var dead []*postConn
	p.mu.Lock()
	for k, conns := range p.idle {
		dead = append(dead, conns...)
		delete(p.idle, k)
	}
	p.mu.Unlock()
	closeAll(dead)
}

// closeAll closes conns, outside the pool's lock: closing a TLS
// connection writes to it.
func closeAll(conns []*postConn) {
	for _, c := range conns {
		c.Close()
	}
}
