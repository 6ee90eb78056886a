package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/refbridge/refbridge/proxy/proxytest"
)

// TestBinaryEndToEnd builds refbridge, serves a fresh SQLite database on
// a free loopback port, drives one flow per surface over HTTP with the
// demo credentials the binary printed, stops it with SIGTERM, starts it
// again on the same database and finds everything still there, under the
// same IDs.
func TestBinaryEndToEnd(t *testing.T) {
	t.Parallel()
	bin := build(t)
	db := filepath.Join(t.TempDir(), "e2e.db")

	first := start(t, bin, db)
	if len(first.secrets) != 6 {
		t.Fatalf("want 6 demo credentials printed, got %v\n%s", first.secrets, first.out)
	}
	c := &driver{t: t, base: first.base, s: first.secrets}
	ids := c.flows(queryParam(t, first.curl["Referral Rocket"], "id"), queryParam(t, first.curl["iRefer"], "campaign_id"))
	// The demo campaign is the database's campaign 1; a new installation
	// renders it under its own ID secret, not the fixed keys in the
	// source, with which anyone could decode it.
	for _, x := range []struct{ surface, got, fixedKey string }{
		{"GrowSurf", ids.gsCampaign, "f4ehlt"},
		{"ReferralHero", ids.rhList, "MFb4bbb9c83b"},
		{"Referral Rocket", ids.rrCampaign, "GDsLiolORy"},
		{"iRefer", ids.irCampaign, "669015"},
	} {
		if x.got == x.fixedKey {
			t.Errorf("%s renders campaign 1 as %s, as the fixed key does", x.surface, x.got)
		}
	}
	first.stop(t)

	second := start(t, bin, db)
	if !strings.Contains(second.out, "database has 1 account(s)") {
		t.Fatalf("restart did not find the demo account:\n%s", second.out)
	}
	c.base = second.base
	// The same IDs after the restart: those the first run handed out
	// resolve, and the surfaces list the campaign under them.
	c.readBack(ids)
	var camps struct{ Campaigns []struct{ ID string } }
	c.json(c.growsurf(http.MethodGet, "/v2/campaigns", nil), &camps)
	var lists struct {
		Data struct{ Lists []struct{ UUID string } }
	}
	c.json(c.referralhero(http.MethodGet, "/api/v2/lists", nil), &lists)
	if len(camps.Campaigns) != 1 || camps.Campaigns[0].ID != ids.gsCampaign || len(lists.Data.Lists) != 1 || lists.Data.Lists[0].UUID != ids.rhList {
		t.Fatalf("after the restart the campaign is listed as %+v and %+v, was %s and %s", camps, lists, ids.gsCampaign, ids.rhList)
	}
	// Everything written through five surfaces is one program: GrowSurf
	// lists all five participants.
	var list struct{ Participants []struct{ Email string } }
	c.json(c.growsurf(http.MethodGet, "/v2/campaign/"+ids.gsCampaign+"/participants?limit=100", nil), &list)
	if len(list.Participants) != 5 {
		t.Fatalf("GrowSurf lists %d participants after restart, want the 5 created through the 5 surfaces: %+v", len(list.Participants), list)
	}
	second.stop(t)
}

// TestBinaryKeepsOldIDs serves a database an earlier version wrote (the
// engine's v2 store fixture): the binary warns that it renders IDs with
// the fixed keys, and does, so every ID it handed out keeps resolving.
func TestBinaryKeepsOldIDs(t *testing.T) {
	t.Parallel()
	bin := build(t)
	db := proxytest.Gunzip(t, "../../proxy/engine/testdata/v2-ranks.db.gz")
	srv := start(t, bin, db)
	// A GrowSurf key for the fixture's account, through the admin API.
	c := &driver{t: t, base: srv.base, s: map[string]string{}}
	req := c.req(http.MethodPost, "/_refbridge/accounts/1/credentials", map[string]string{"Vendor": "growsurf", "Kind": "api_key"})
	req.Header.Set("Authorization", "Bearer e2e-admin")
	var cred struct{ Secret string }
	c.json(c.do(req), &cred)
	c.s["growsurf api_key"] = cred.Secret
	var camps struct{ Campaigns []struct{ ID string } }
	c.json(c.growsurf(http.MethodGet, "/v2/campaigns", nil), &camps)
	if len(camps.Campaigns) != 1 || camps.Campaigns[0].ID != "f4ehlt" {
		t.Fatalf("the fixture's campaign 1 is listed as %+v; the fixed key renders it f4ehlt", camps)
	}
	// The log is complete once the process has exited.
	srv.stop(t)
	if !strings.Contains(srv.stderr.String(), "fixed keys") {
		t.Errorf("serving a database from before logs no warning about its fixed ID keys:\n%s", srv.stderr)
	}
}

// build builds the binary for the test; under -short it skips the test.
func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "refbridge")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is a running refbridge process.
type server struct {
	cmd     *exec.Cmd
	base    string
	out     string
	secrets map[string]string // "vendor kind" -> secret
	curl    map[string]string // vendor name -> the printed curl line
	stderr  *bytes.Buffer
	exited  chan error
}

// start runs serve, with extra flags, and waits until it prints its
// address.
func start(t *testing.T, bin, db string, extra ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--admin-token", "e2e-admin"}, extra...)...)
	cmd.Env = append(os.Environ(), "REFBRIDGE_LOG_FORMAT=json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, secrets: map[string]string{}, curl: map[string]string{}, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	inTable, vendor := false, ""
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		f := strings.Fields(line)
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok {
			vendor = name
		} else if strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			s.curl[vendor] = line
		}
		switch {
		case len(f) == 3 && f[0] == "surface" && f[1] == "kind":
			inTable = true
		case inTable && len(f) == 3:
			s.secrets[f[0]+" "+f[1]] = f[2]
		case inTable:
			inTable = false
		}
		if rest, ok := strings.CutPrefix(line, "refbridge listening on "); ok {
			s.base = rest
			break
		}
	}
	s.out = out.String()
	if s.base == "" {
		t.Fatalf("refbridge did not start:\n%s\n%s", s.out, s.stderr)
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		s.exited <- cmd.Wait()
	}()
	return s
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("refbridge exited with %v\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("refbridge did not stop after SIGTERM\n%s", s.stderr)
	}
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		t.Fatalf("no graceful-stop log line:\n%s", s.stderr)
	}
}

// driver drives the surfaces with the demo credentials.
type driver struct {
	t    *testing.T
	base string
	s    map[string]string
}

// ids is what the flows created, in each surface's own format.
type ids struct {
	gsCampaign, gsParticipant string
	rhList, rhSubscriber      string
	rwAffiliate               string
	rrCampaign                string
	irCampaign                string
}

type response struct {
	status int
	body   []byte
}

func (c *driver) do(req *http.Request) response {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, body}
}

func (c *driver) req(method, path string, body any) *http.Request {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// json decodes a 200 answer into v.
func (c *driver) json(r response, v any) {
	c.t.Helper()
	if r.status != http.StatusOK && r.status != http.StatusCreated {
		c.t.Fatalf("status %d: %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		c.t.Fatalf("%v: %s", err, r.body)
	}
}

func (c *driver) growsurf(method, path string, body any) response {
	req := c.req(method, path, body)
	req.Header.Set("Authorization", "Bearer "+c.s["growsurf api_key"])
	return c.do(req)
}

func (c *driver) referralhero(method, path string, body any) response {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return c.do(c.req(method, path+sep+"api_token="+c.s["referralhero api_key"], body))
}

func (c *driver) rewardful(method, path string, form url.Values) response {
	var req *http.Request
	if form != nil {
		req = c.req(method, path, nil)
		req.Body = io.NopCloser(strings.NewReader(form.Encode()))
		req.ContentLength = int64(len(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = c.req(method, path, nil)
	}
	req.SetBasicAuth(c.s["rewardful api_secret"], "")
	return c.do(req)
}

func (c *driver) referralrocket(method, path string, body any) response {
	req := c.req(method, path, body)
	req.Header.Set("X-API-Key", c.s["referralrocket api_key"])
	return c.do(req)
}

func (c *driver) irefer(method string, q url.Values) response {
	q.Set("api_key", c.s["irefer site_key"])
	return c.do(c.req(http.MethodGet, "/v1.0/"+c.s["irefer license_key"]+".js/"+method+"?"+q.Encode(), nil))
}

// flows creates one participant through each surface and reads it back
// through the same surface.
func (c *driver) flows(rrCampaign, irCampaign string) ids {
	c.t.Helper()
	out := ids{rrCampaign: rrCampaign, irCampaign: irCampaign}

	// GrowSurf: find the program, add a participant, get it by id.
	var camps struct{ Campaigns []struct{ ID string } }
	c.json(c.growsurf(http.MethodGet, "/v2/campaigns", nil), &camps)
	if len(camps.Campaigns) != 1 {
		c.t.Fatalf("GrowSurf campaigns: %+v", camps)
	}
	out.gsCampaign = camps.Campaigns[0].ID
	var gp struct{ ID, Email string }
	c.json(c.growsurf(http.MethodPost, "/v2/campaign/"+out.gsCampaign+"/participant", map[string]any{"email": "gs@example.com", "firstName": "Gia"}), &gp)
	out.gsParticipant = gp.ID

	// ReferralHero: find the list, add a subscriber referred by the
	// GrowSurf participant (by email), get it by id.
	var lists struct {
		Data struct{ Lists []struct{ UUID string } }
	}
	c.json(c.referralhero(http.MethodGet, "/api/v2/lists", nil), &lists)
	if len(lists.Data.Lists) != 1 {
		c.t.Fatalf("ReferralHero lists: %+v", lists)
	}
	out.rhList = lists.Data.Lists[0].UUID
	var sub struct{ Data struct{ ID string } }
	c.json(c.referralhero(http.MethodPost, "/api/v2/lists/"+out.rhList+"/subscribers", map[string]any{"email": "rh@example.com", "referrer": "gs@example.com"}), &sub)
	out.rhSubscriber = sub.Data.ID

	// Rewardful: create an affiliate, read it back.
	var aff struct{ ID, Email string }
	c.json(c.rewardful(http.MethodPost, "/v1/affiliates", url.Values{"first_name": {"Rae"}, "last_name": {"Ward"}, "email": {"rw@example.com"}}), &aff)
	out.rwAffiliate = aff.ID

	// Referral Rocket (campaign id from the printed curl line): add a
	// participant.
	var rp struct{ Email string }
	c.json(c.referralrocket(http.MethodPost, "/api/v1/addParticipant", map[string]any{"id": out.rrCampaign, "email": "rr@example.com"}), &rp)

	// iRefer (campaign id from the printed curl line): sign up.
	var signup struct{ Email string }
	c.json(c.irefer("newSignup", url.Values{"campaign_id": {out.irCampaign}, "email": {"ir@example.com"}, "name": {"Ira"}}), &signup)
	if signup.Email != "ir@example.com" {
		c.t.Fatalf("iRefer newSignup answered %+v", signup)
	}

	c.readBack(out)
	return out
}

// readBack reads every flow's participant through its own surface.
func (c *driver) readBack(in ids) {
	c.t.Helper()
	var gp struct{ Email string }
	c.json(c.growsurf(http.MethodGet, "/v2/campaign/"+in.gsCampaign+"/participant/"+in.gsParticipant, nil), &gp)
	var sub struct {
		Data struct {
			Email      string
			ReferredBy struct{ Email string } `json:"referred_by"`
		}
	}
	c.json(c.referralhero(http.MethodGet, "/api/v2/lists/"+in.rhList+"/subscribers/"+in.rhSubscriber, nil), &sub)
	var aff struct{ Email string }
	c.json(c.rewardful(http.MethodGet, "/v1/affiliates/"+in.rwAffiliate, nil), &aff)
	var rp struct{ Email string }
	c.json(c.referralrocket(http.MethodGet, "/api/v1/getParticipant?"+url.Values{"id": {in.rrCampaign}, "email": {"rr@example.com"}}.Encode(), nil), &rp)
	var st struct{ Email string }
	c.json(c.irefer("referrerStats", url.Values{"campaign_id": {in.irCampaign}, "email": {"ir@example.com"}}), &st)
	got := []string{gp.Email, sub.Data.Email, aff.Email, rp.Email, st.Email}
	want := []string{"gs@example.com", "rh@example.com", "rw@example.com", "rr@example.com", "ir@example.com"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		c.t.Fatalf("read back %v, want %v", got, want)
	}
	if sub.Data.ReferredBy.Email != "gs@example.com" {
		c.t.Fatalf("the ReferralHero subscriber is not referred by the GrowSurf participant: %+v", sub.Data)
	}
}

// queryParam reads a query parameter of the URL in a printed curl line.
func queryParam(t *testing.T, line, name string) string {
	t.Helper()
	i := strings.Index(line, "http")
	if i < 0 {
		t.Fatalf("no URL in demo line %q", line)
	}
	raw := strings.Trim(strings.Fields(line[i:])[0], "'")
	u, err := url.Parse(raw)
	if err != nil || u.Query().Get(name) == "" {
		t.Fatalf("no %s in %q", name, raw)
	}
	return u.Query().Get(name)
}
