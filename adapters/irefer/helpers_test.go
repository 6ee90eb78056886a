package irefer_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// origin is the test campaign's site as a browser sends it.
const origin = surfacetest.SiteURL

// tiers are the milestone rules most tests run with.
func tiers() []canonical.RewardRule {
	return []canonical.RewardRule{
		{Kind: canonical.Milestone, Title: "Get a $10 Coupon!", Description: "Refer 1 friend for $10.", Threshold: 1},
		{Kind: canonical.Milestone, Title: "Get a $50 Coupon!", Description: "Refer 3 friends for $50.", Threshold: 3, Repeat: true},
	}
}

// newEnv starts the surface over a campaign with tiers; c adjusts it.
func newEnv(t *testing.T, c canonical.Campaign) *surfacetest.Env {
	t.Helper()
	if c.Rules == nil {
		c.Rules = tiers()
	}
	return surfacetest.New(t, irefer.NewSurface(), &surfacetest.Options{Campaign: c})
}

// call describes one request to the surface.
type call struct {
	prefix string // "/v1.0" (default) or "/v1"
	method string
	key    string // license key; the env's when empty
	query  url.Values
	// campaign overrides campaign_id; the env's campaign when nil.
	campaign *string
	// apiKey adds api_key (the env's site key when "site").
	apiKey  *string
	headers map[string]string
	verb    string
}

// result is a decoded response.
type result struct {
	status int
	header http.Header
	raw    []byte
	body   any
}

// object returns the body as a JSON object (nil when it is not one).
func (r result) object() map[string]any { m, _ := r.body.(map[string]any); return m }

// list returns the body as a JSON array (nil when it is not one).
func (r result) list() []any { l, _ := r.body.([]any); return l }

func ptr[T any](v T) *T { return &v }

// codec is the ID codec of env's installation.
func codec(env *surfacetest.Env) *irefer.IDs { return irefer.NewIDs(env.Engine.IDSecret()) }

func campaignID(env *surfacetest.Env) string {
	return codec(env).EncodeID(irefer.KindCampaign, env.Campaign.ID)
}

// url builds the request URL of c.
func (c call) url(env *surfacetest.Env) string {
	prefix := c.prefix
	if prefix == "" {
		prefix = "/v1.0"
	}
	key := c.key
	if key == "" {
		key = env.Secrets[canonical.LicenseKey]
	}
	q := url.Values{}
	for k, v := range c.query {
		q[k] = v
	}
	if c.campaign != nil {
		if *c.campaign != "-" {
			q.Set("campaign_id", *c.campaign)
		}
	} else {
		q.Set("campaign_id", campaignID(env))
	}
	if c.apiKey != nil {
		k := *c.apiKey
		if k == "site" {
			k = env.Secrets[canonical.SiteKey]
		}
		q.Set("api_key", k)
	}
	return env.URL + prefix + "/" + key + ".js/" + c.method + "?" + q.Encode()
}

// server is a call with the site's api_key (a server-side call).
func server(method string, q url.Values) call {
	return call{method: method, query: q, apiKey: ptr("site")}
}

// browser is a call without api_key from a page on the campaign's site.
func browser(method string, q url.Values) call {
	return call{method: method, query: q, headers: map[string]string{"Origin": origin}}
}

func do(t *testing.T, env *surfacetest.Env, c call) result {
	t.Helper()
	verb := c.verb
	if verb == "" {
		verb = http.MethodGet
	}
	req, err := http.NewRequest(verb, c.url(env), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	return send(t, env, req)
}

func send(t *testing.T, env *surfacetest.Env, req *http.Request) result {
	t.Helper()
	resp := env.Do(t, req)
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &res.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v: %s", req.Method, req.URL.Path, err, raw)
		}
	}
	return res
}

// errorBody is iRefer's exact error object for a method.
func errorBody(method string) string {
	return `{"error":"input missing or incorrect","error_code":"irefer_api_` + method + `_err_401"}`
}

// wantError fails unless res is exactly iRefer's error for method.
func wantError(t *testing.T, what string, res result, method string) {
	t.Helper()
	if res.status != http.StatusOK || strings.TrimSpace(string(res.raw)) != errorBody(method) {
		t.Errorf("%s: got %d %s, want 200 %s", what, res.status, res.raw, errorBody(method))
	}
}

// wantOK fails unless res is a 200 success (not the error object).
func wantOK(t *testing.T, what string, res result) {
	t.Helper()
	if res.status != http.StatusOK || res.body == nil || res.object()["error_code"] != nil {
		t.Fatalf("%s: got %d %s", what, res.status, res.raw)
	}
}

// codeOf extracts the iref code of a referral link.
func codeOf(t *testing.T, link any) string {
	t.Helper()
	s, _ := link.(string)
	u, err := url.Parse(s)
	if err != nil || u.Query().Get("iref") == "" {
		t.Fatalf("referral link %q has no iref code", s)
	}
	return u.Query().Get("iref")
}

// signup signs email up with a server-side call and returns its code.
func signup(t *testing.T, env *surfacetest.Env, q url.Values) (result, string) {
	t.Helper()
	res := do(t, env, server("newSignup", q))
	wantOK(t, "newSignup "+q.Get("email"), res)
	return res, codeOf(t, res.object()["referral_link"])
}
