package irefer_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/openapi"
)

// TestSweep calls every operation of the spec with valid input, in an
// order that gives each one data to return, and validates every response
// against the spec.
func TestSweep(t *testing.T) {
	t.Parallel()
	env := newEnv(t, canonical.Campaign{})
	doc, err := openapi.Load(openapi.IRefer)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: env.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	// Arrange: a referrer with one referral (both through the API), so
	// that stats, rewards and specific actions all have something.
	_, aliceCode := signup(t, env, url.Values{"email": {"alice@example.com"}, "name": {"Alice Smith"}})

	requests := map[string]call{
		"newSignup": server("newSignup", url.Values{"email": {"bob@example.com"}, "name": {"Bob"},
			"referrer_code": {aliceCode}, "source": {"f"}, "phone": {"+1 555 0100"}, "info_1": {"one"}}),
		"newSignupV1": {prefix: "/v1", method: "newSignup", apiKey: ptr("site"),
			query: url.Values{"email": {"carol@example.com"}, "referrer_code": {aliceCode}, "source": {"t"}}},
		"referrerStats":   server("referrerStats", url.Values{"email": {"alice@example.com"}}),
		"referrerStatsV1": {prefix: "/v1", method: "referrerStats", apiKey: ptr("site"), query: url.Values{"email": {"alice@example.com"}}},
		"campaignStats":   browser("campaignStats", nil),
		"campaignStatsV1": {prefix: "/v1", method: "campaignStats", headers: map[string]string{"Origin": origin}},
		"newSpecificAction": server("newSpecificAction", url.Values{"external_id": {"bob@example.com"},
			"action": {"/thanks/"}, "referrer_code": {aliceCode}}),
		"newSpecificActionV1": {prefix: "/v1", method: "newSpecificAction", apiKey: ptr("site"), query: url.Values{
			"external_id": {"carol@example.com"}, "action": {"/thanks/"}, "referrer_code": {aliceCode}}},
		"referrers":               server("referrers", nil),
		"referrersV1":             {prefix: "/v1", method: "referrers", apiKey: ptr("site")},
		"rewards":                 server("rewards", nil),
		"rewardsV1":               {prefix: "/v1", method: "rewards", apiKey: ptr("site")},
		"specificActionSignups":   server("specificActionSignups", nil),
		"specificActionSignupsV1": {prefix: "/v1", method: "specificActionSignups", apiKey: ptr("site")},
	}
	order := []string{"newSignup", "newSignupV1", "referrerStats", "referrerStatsV1", "campaignStats", "campaignStatsV1",
		"newSpecificAction", "newSpecificActionV1", "referrers", "referrersV1", "rewards", "rewardsV1",
		"specificActionSignups", "specificActionSignupsV1"}

	var specOps []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			specOps = append(specOps, op.OperationID)
		}
	}
	sort.Strings(specOps)
	for _, id := range specOps {
		if _, ok := requests[id]; !ok {
			if _, limited := irefer.Limitations[id]; !limited {
				t.Errorf("operation %s is neither swept nor listed in Limitations", id)
			}
		}
	}

	served := 0
	for _, id := range order {
		c := requests[id]
		req, err := http.NewRequest(http.MethodGet, c.url(env), nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		res := send(t, env, req)

		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: spec route: %v", id, err)
		}
		if route.Operation.OperationID != id {
			t.Fatalf("%s: request routed to %s", id, route.Operation.OperationID)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status:  res.status,
			Header:  res.header,
			Body:    io.NopCloser(bytes.NewReader(res.raw)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s: response does not match the spec: %v\n%s", id, err, res.raw)
		}
		succeeded := res.status == http.StatusOK && res.body != nil && res.object()["error_code"] == nil
		switch {
		case succeeded && res.list() != nil:
			t.Logf("%-24s %d  %d items", id, res.status, len(res.list()))
		case succeeded:
			t.Logf("%-24s %d  %d fields", id, res.status, len(res.object()))
		default:
			t.Logf("%-24s %d  FAILED %s", id, res.status, res.raw)
		}
		if succeeded {
			served++
			continue
		}
		if reason, limited := irefer.Limitations[id]; limited {
			t.Logf("%-24s limited: %s", id, reason)
			continue
		}
		t.Errorf("%s did not succeed: %d %s", id, res.status, res.raw)
	}
	t.Logf("sweep: %d/%d operations served, %d in Limitations", served, len(specOps), len(irefer.Limitations))
}
