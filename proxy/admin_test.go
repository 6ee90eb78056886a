package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/refbridge/refbridge/proxy"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

type adminEnv struct {
	t     *testing.T
	url   string
	token string
	reset int
	now   time.Time
}

func newAdminEnv(t *testing.T, ready error) *adminEnv {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "admin.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &adminEnv{t: t, token: "admintoken", now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	eng := engine.New(st, &engine.Options{Clock: func() time.Time { return e.now }})
	p := proxy.New(eng, nil, &proxy.Options{Admin: &proxy.AdminOptions{
		Token:    e.token,
		Accounts: eng,
		Ready:    func(context.Context) error { return ready },
		Test: &proxy.TestHooks{
			Reset:   func(context.Context) error { e.reset++; return nil },
			Advance: func(d time.Duration) time.Time { e.now = e.now.Add(d); return e.now },
		},
	}})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// do calls the admin API and decodes the answer into out (if not nil).
func (e *adminEnv) do(method, path, token string, body any, out any) int {
	e.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, e.url+"/_refbridge"+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			e.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t, nil)
	tok := e.token

	if code := e.do("GET", "/health", "", nil, nil); code != 200 {
		t.Fatalf("health: %d", code)
	}
	if code := e.do("GET", "/ready", "", nil, nil); code != 200 {
		t.Fatalf("ready: %d", code)
	}
	var fail struct {
		Error struct{ Code, Message string }
	}
	if code := e.do("GET", "/accounts", "", nil, &fail); code != 401 || fail.Error.Code != "unauthorized" {
		t.Fatalf("no token: %d %+v", code, fail)
	}
	if code := e.do("GET", "/accounts", "wrong", nil, nil); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}

	var acct struct{ ID, Name string }
	if code := e.do("POST", "/accounts", tok, map[string]string{"Name": "acme"}, &acct); code != 201 || acct.ID == "" || acct.Name != "acme" {
		t.Fatalf("create account: %d %+v", code, acct)
	}
	if code := e.do("POST", "/accounts", tok, map[string]string{"Nope": "x"}, &fail); code != 400 || fail.Error.Code != "invalid" {
		t.Fatalf("unknown field: %d %+v", code, fail)
	}
	var accts struct{ Items []struct{ ID string } }
	if code := e.do("GET", "/accounts", tok, nil, &accts); code != 200 || len(accts.Items) != 1 {
		t.Fatalf("list accounts: %d %+v", code, accts)
	}
	if code := e.do("GET", "/accounts/999", tok, nil, &fail); code != 404 || fail.Error.Code != "not_found" {
		t.Fatalf("missing account: %d %+v", code, fail)
	}

	base := "/accounts/" + acct.ID
	var camp struct{ ID, Name, Status string }
	if code := e.do("POST", base+"/campaigns", tok, map[string]any{"Name": "Spring", "Status": "active", "URL": "https://shop.example.com"}, &camp); code != 201 || camp.ID == "" || camp.Status != "active" {
		t.Fatalf("create campaign: %d %+v", code, camp)
	}
	if code := e.do("PATCH", base+"/campaigns/"+camp.ID, tok, map[string]any{"Name": "Summer"}, &camp); code != 200 || camp.Name != "Summer" {
		t.Fatalf("update campaign: %d %+v", code, camp)
	}
	var camps struct{ Items []struct{ ID string } }
	if code := e.do("GET", base+"/campaigns", tok, nil, &camps); code != 200 || len(camps.Items) != 1 {
		t.Fatalf("list campaigns: %d %+v", code, camps)
	}
	var rule struct{ ID, Kind string }
	if code := e.do("POST", base+"/campaigns/"+camp.ID+"/rules", tok, map[string]any{"Kind": "single_sided", "Title": "Free month", "Threshold": 1}, &rule); code != 201 || rule.ID == "" {
		t.Fatalf("create rule: %d %+v", code, rule)
	}
	var rules struct{ Items []struct{ ID string } }
	if code := e.do("GET", base+"/campaigns/"+camp.ID+"/rules", tok, nil, &rules); code != 200 || len(rules.Items) != 1 {
		t.Fatalf("list rules: %d %+v", code, rules)
	}
	if code := e.do("DELETE", base+"/campaigns/"+camp.ID+"/rules/"+rule.ID, tok, nil, nil); code != 204 {
		t.Fatalf("delete rule: %d", code)
	}

	var cred struct{ ID, Secret, Vendor, Kind string }
	if code := e.do("POST", base+"/credentials", tok, map[string]string{"Vendor": "growsurf", "Kind": "api_key"}, &cred); code != 201 || cred.Secret == "" {
		t.Fatalf("issue credential: %d %+v", code, cred)
	}
	var creds struct{ Items []struct{ ID, Secret string } }
	if code := e.do("GET", base+"/credentials", tok, nil, &creds); code != 200 || len(creds.Items) != 1 || creds.Items[0].Secret != "" {
		t.Fatalf("list credentials (no secrets): %d %+v", code, creds)
	}
	if code := e.do("DELETE", base+"/credentials/"+cred.ID, tok, nil, nil); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	if code := e.do("GET", base+"/credentials", tok, nil, &creds); code != 200 || len(creds.Items) != 0 {
		t.Fatalf("after revoke: %d %+v", code, creds)
	}

	var now struct{ Now time.Time }
	if code := e.do("POST", "/test/clock", tok, map[string]string{"Advance": "36h"}, &now); code != 200 || !now.Now.Equal(time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("advance: %d %+v", code, now)
	}
	if code := e.do("POST", "/test/clock", tok, map[string]string{"Advance": "-1h"}, nil); code != 400 {
		t.Fatalf("negative advance: %d", code)
	}
	if code := e.do("POST", "/test/reset", tok, nil, nil); code != 200 || e.reset != 1 {
		t.Fatalf("reset: %d, %d resets", code, e.reset)
	}
	if code := e.do("GET", "/nope", tok, nil, &fail); code != 404 || fail.Error.Code != "not_found" {
		t.Fatalf("unknown admin path: %d %+v", code, fail)
	}
}

func TestAdminReadiness(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t, errors.New("store down"))
	var body map[string]string
	if code := e.do("GET", "/ready", "", nil, &body); code != 503 || body["status"] != "unavailable" {
		t.Fatalf("ready with a failing store: %d %v", code, body)
	}
}

func TestAdminOffWithoutOptions(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, nil)
	resp, err := http.Get(srv.URL + "/_refbridge/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("admin without options: %d", resp.StatusCode)
	}
}

// TestAdminPathsAreNeverCleaned: a path under /_refbridge/ with an empty,
// "." or ".." segment is the admin API's own 404, never gorilla's 301 to
// the cleaned path (which may be a vendor surface's).
func TestAdminPathsAreNeverCleaned(t *testing.T) {
	t.Parallel()
	e := newAdminEnv(t, nil)
	for _, path := range []string{"//accounts", "/./accounts", "/x/../accounts", "/accounts/.", "/../v2/campaigns", "/%2e%2e/v2/campaigns"} {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/_refbridge"+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		a := fetch(t, req)
		var body struct{ Error struct{ Code string } }
		if err := json.Unmarshal(a.raw, &body); err != nil || a.status != http.StatusNotFound || body.Error.Code != "not_found" ||
			a.header.Get("Location") != "" {
			t.Errorf("GET /_refbridge%s: %d %q %s, want the admin API's 404", path, a.status, a.header.Get("Location"), a.raw)
		}
	}
}
