package referralhero_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// obj is a decoded JSON object.
type obj = map[string]any

// newEnv starts the surface over a fresh engine.
func newEnv(t *testing.T, opts *surfacetest.Options) *surfacetest.Env {
	t.Helper()
	return surfacetest.New(t, referralhero.NewSurface(), opts)
}

// reply is a decoded response.
type reply struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   obj
}

// data returns the envelope's data object.
func (r reply) data() obj {
	d, _ := r.Body["data"].(obj)
	return d
}

// req describes one request.
type req struct {
	method string
	path   string
	// body is sent as JSON unless form is set.
	body  any
	form  url.Values
	token string
	// auth is how the token travels: "bearer" (default), "header"
	// (X-API-Key), "query", "body", "none".
	auth string
}

// send performs r against env with tenant secret key (unless r.token).
func send(t *testing.T, env *surfacetest.Env, secret string, r req) reply {
	t.Helper()
	tok := secret
	if r.token != "" {
		tok = r.token
	}
	path := r.path
	var body io.Reader
	contentType := ""
	switch {
	case r.form != nil:
		f := url.Values{}
		for k, v := range r.form {
			f[k] = v
		}
		if r.auth == "body" {
			f.Set("api_token", tok)
		}
		body, contentType = strings.NewReader(f.Encode()), "application/x-www-form-urlencoded"
	case r.body != nil || r.auth == "body":
		m := r.body
		if r.auth == "body" {
			om, _ := r.body.(obj)
			cp := obj{}
			for k, v := range om {
				cp[k] = v
			}
			cp["api_token"] = tok
			m = cp
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	if r.auth == "query" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "api_token=" + url.QueryEscape(tok)
	}
	hr, err := http.NewRequest(r.method, env.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	switch r.auth {
	case "", "bearer":
		hr.Header.Set("Authorization", "Bearer "+tok)
	case "header":
		hr.Header.Set("X-API-Key", tok)
	}
	resp := env.Do(t, hr)
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %v\n%s", r.method, r.path, err, raw)
		}
	}
	return out
}

// num renders a decoded JSON number as an integer string.
func num(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

// api is a client of one tenant's surface.
type api struct {
	t      *testing.T
	env    *surfacetest.Env
	secret string
}

func newAPI(t *testing.T, env *surfacetest.Env) *api {
	return &api{t: t, env: env, secret: env.Secrets[canonical.APIKey]}
}

func (a *api) do(method, path string, body any) reply {
	a.t.Helper()
	return send(a.t, a.env, a.secret, req{method: method, path: path, body: body})
}

func (a *api) get(path string) reply { a.t.Helper(); return a.do(http.MethodGet, path, nil) }

func (a *api) post(path string, body any) reply {
	a.t.Helper()
	return a.do(http.MethodPost, path, body)
}

// ok fails unless r is a 200 success envelope.
func ok(t *testing.T, r reply) reply {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.Status, r.Raw)
	}
	return r
}

// codec is the ID codec of env's installation.
func codec(env *surfacetest.Env) *referralhero.IDs { return referralhero.NewIDs(env.Engine.IDSecret()) }

// listPath is the path of a campaign list of env plus rest.
func listPath(env *surfacetest.Env, campaignID, rest string) string {
	return "/api/v2/lists/" + codec(env).ListUUID(campaignID) + rest
}

// errorIs checks an error response exactly.
func errorIs(t *testing.T, r reply, status int, code, message string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	want := obj{"status": "error", "message": message}
	if code != "" {
		want["code"] = code
	}
	if message == "" {
		want["message"] = r.Body["message"]
	}
	got, _ := json.Marshal(r.Body)
	exp, _ := json.Marshal(want)
	if !bytes.Equal(got, exp) {
		t.Fatalf("error body %s, want %s", got, exp)
	}
}
