package rewardful_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// client calls the surface with one tenant's API secret.
type client struct {
	env    *surfacetest.Env
	secret string
}

func newEnv(t *testing.T, opts *surfacetest.Options) (*surfacetest.Env, *client) {
	t.Helper()
	env := surfacetest.New(t, rewardful.NewSurface(), opts)
	return env, &client{env: env, secret: env.Secrets[canonical.APISecret]}
}

// reply is a response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// do sends a request; body is form-encoded when it is url.Values, JSON
// otherwise (nil sends nothing).
func (c *client) do(t *testing.T, method, path string, body any) reply {
	t.Helper()
	var (
		rd     io.Reader
		ctype  string
		copied []byte
	)
	switch b := body.(type) {
	case nil:
	case url.Values:
		copied = []byte(b.Encode())
		ctype = "application/x-www-form-urlencoded"
	case string:
		copied = []byte(b)
		ctype = "application/json"
	default:
		var err error
		if copied, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
		ctype = "application/json"
	}
	if copied != nil {
		rd = bytes.NewReader(copied)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.secret != "" {
		req.SetBasicAuth(c.secret, "")
	}
	resp := c.env.Do(t, req)
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Keep a replayable copy of the request for response validation.
	vreq, _ := http.NewRequestWithContext(context.Background(), method, c.env.URL+path, bytes.NewReader(copied))
	if ctype != "" {
		vreq.Header.Set("Content-Type", ctype)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data, req: vreq}
}

// must fails the test unless the reply has the status.
func (r reply) must(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.req.Method, r.req.URL.Path, r.status, status, r.body)
	}
	return r
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// campaignID returns the engine ID of the tenant campaign with this name.
func engineCampaign(t *testing.T, b canonical.Backend, name string) canonical.Campaign {
	t.Helper()
	page, err := b.ListCampaigns(context.Background(), canonical.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no campaign %q", name)
	return canonical.Campaign{}
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
