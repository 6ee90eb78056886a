package proxy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The browser tests' driver: Debian's chromium, headless, spoken to over
// the DevTools protocol on its pipe with the standard library only.

// chromium returns the browser to run, or skips the test (under -short,
// or when none is installed); what names what goes untested.
func chromium(t *testing.T, what string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the headless Chromium test takes a few seconds")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install chromium): " + what + " are not tested in a browser")
	return ""
}

// fitsWidth says the page needs no horizontal scrolling.
const fitsWidth = `document.documentElement.scrollWidth <= document.documentElement.clientWidth`

// browser is a Chromium speaking the DevTools protocol on the pipe of
// --remote-debugging-pipe: JSON messages ending in a NUL byte, commands
// on its fd 3, answers and events on its fd 4.
type browser struct {
	w       *os.File
	mu      sync.Mutex
	next    int
	pending map[int]chan cdpMessage
	errs    []string
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct{ Message string }
	SessionID string `json:"sessionId,omitempty"`
}

func startBrowser(t *testing.T, ctx context.Context, bin string) *browser {
	t.Helper()
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, outW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers go with it
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	cmdR.Close()
	outW.Close()
	b := &browser{w: cmdW, pending: map[int]chan cdpMessage{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.read(outR)
	}()
	t.Cleanup(func() {
		closed := make(chan error, 1)
		go func() { closed <- b.send(context.Background(), "", "Browser.close", nil, nil) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		cmdW.Close()
		<-done
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("chromium said:\n%.4000s", stderr.String())
		}
	})
	return b
}

// read delivers answers to their callers and keeps the pages' script
// errors and console errors.
func (b *browser) read(r *os.File) {
	defer r.Close()
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(line[:len(line)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if ch, ok := b.pending[m.ID]; ok && m.ID != 0 {
			delete(b.pending, m.ID)
			ch <- m
		}
		switch m.Method {
		case "Runtime.exceptionThrown", "Log.entryAdded", "Runtime.consoleAPICalled":
			s := string(m.Params)
			// An answer other than 2xx is logged as a network error:
			// not a fault of the page.
			network := strings.Contains(s, `"source":"network"`)
			if m.Method == "Runtime.exceptionThrown" || !network && (strings.Contains(s, `"level":"error"`) || strings.Contains(s, `"type":"error"`)) {
				b.errs = append(b.errs, m.Method+": "+s)
			}
		}
		b.mu.Unlock()
	}
}

func (b *browser) errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.errs)
}

// send runs one command (in a page's session, or the browser's when
// session is "") and decodes its result into out.
func (b *browser) send(ctx context.Context, session, method string, params, out any) error {
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if params == nil {
		msg["params"] = map[string]any{}
	}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.w.Write(append(raw, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: the browser went away", method)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// tab is one page of the browser.
type tab struct {
	b       *browser
	session string
}

func (b *browser) newPage(t *testing.T, ctx context.Context) *tab {
	t.Helper()
	var target struct{ TargetID string }
	if err := b.send(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var attached struct{ SessionID string }
	if err := b.send(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		t.Fatal(err)
	}
	p := &tab{b: b, session: attached.SessionID}
	for _, domain := range []string{"Page.enable", "Runtime.enable", "Log.enable"} {
		p.call(t, ctx, domain, nil, nil)
	}
	return p
}

func (p *tab) call(t *testing.T, ctx context.Context, method string, params, out any) {
	t.Helper()
	if err := p.b.send(ctx, p.session, method, params, out); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its
// value into out.
func (p *tab) eval(t *testing.T, ctx context.Context, expr string, out any) {
	t.Helper()
	var res struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails json.RawMessage
	}
	p.call(t, ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if len(res.ExceptionDetails) > 0 {
		t.Fatalf("%s: %s", expr, res.ExceptionDetails)
	}
	if out != nil {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			t.Fatalf("%s: %v (%s)", expr, err, res.Result.Value)
		}
	}
}

// open navigates to url and waits until the page and its assets have
// loaded.
func (p *tab) open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	p.openAt(t, ctx, url, url)
}

// openAt navigates to url and waits until the page at want (where url
// redirects) and its assets have loaded.
func (p *tab) openAt(t *testing.T, ctx context.Context, url, want string) {
	t.Helper()
	var nav struct{ ErrorText string }
	p.call(t, ctx, "Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		t.Fatalf("%s: %s", url, nav.ErrorText)
	}
	p.waitFor(t, ctx, want)
}

// waitFor waits until the page at url and its assets have loaded.
func (p *tab) waitFor(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		var state string
		p.eval(t, ctx, `location.href === `+jsString(url)+` ? document.readyState : "at " + location.href`, &state)
		if state == "complete" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: still %s", url, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// click scrolls the element into view and clicks its middle with the
// mouse, as a person would.
func (p *tab) click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	var box struct{ X, Y float64 }
	p.eval(t, ctx, `(() => { const e = document.querySelector(`+jsString(selector)+`);
		if (!e) return null;
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`, &box)
	if box.X == 0 && box.Y == 0 {
		t.Fatalf("no visible %s on the page", selector)
	}
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		p.call(t, ctx, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": box.X, "y": box.Y, "button": "left", "clickCount": 1}, nil)
	}
}

func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(errors.New("unreachable"))
	}
	return string(b)
}
