package referralrocket_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/surfacetest"
)

// TestSweep calls every operation of the spec with valid input and
// validates each response against the spec.
func TestSweep(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Load(openapi.ReferralRocket)
	if err != nil {
		t.Fatal(err)
	}
	env := surfacetest.New(t, referralrocket.NewSurface(), &surfacetest.Options{Campaign: canonical.Campaign{
		Qualification: canonical.QualifyOnEvent,
		Rules: []canonical.RewardRule{{
			Kind: canonical.DoubleSided, Title: "Refer a friend and win", Description: "$20 each",
			ReferrerValue: canonical.Money{Amount: 2000}, ReferredValue: canonical.Money{Amount: 2000},
			ReferredAtSignup: true, Unlimited: true,
		}},
	}})
	doc.Servers = openapi3.Servers{{URL: env.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	cid := campaignID(t, env, env.Campaign)
	referrer := add(t, env, cid, "lee@example.com", nil)

	// In call order: later calls rely on earlier ones.
	calls := []struct {
		op string
		c  call
	}{
		{"addParticipant", call{method: http.MethodPost, path: "/api/v1/addParticipant",
			body: map[string]string{"id": cid, "email": "pat@example.com", "referredByCode": referrer.ReferralCode}}},
		{"getCampaign", call{path: "/api/v1/getCampaign", query: url.Values{"id": {cid}}}},
		{"validateCode", call{path: "/api/v1/validateCode", query: url.Values{"campaignId": {cid}, "code": {referrer.ReferralCode}}}},
		{"getParticipant", call{path: "/api/v1/getParticipant", query: url.Values{"id": {cid}, "email": {"pat@example.com"}}}},
		{"getAllParticipants", call{path: "/api/v1/getAllParticipants", query: url.Values{"id": {cid}, "page": {"0"}, "size": {"20"}, "sort": {"createdOn,desc"}}}},
		{"getReferrals", call{path: "/api/v1/getReferrals", query: url.Values{"id": {cid}, "email": {"lee@example.com"}}}},
		{"qualifyParticipant", call{method: http.MethodPost, path: "/api/v1/qualifyParticipant",
			body: map[string]any{"id": cid, "email": "pat@example.com", "amount": 250}}},
	}

	want := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			want[op.OperationID] = true
		}
	}
	ok, limited, failed := 0, 0, 0
	for _, tc := range calls {
		delete(want, tc.op)
		req := tc.c.request(t, env)
		resp := env.Do(t, req)
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		// A fresh request for routing and validation: the sent one's body
		// is spent.
		vreq := tc.c.request(t, env)
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatalf("%s: no spec route: %v", tc.op, err)
		}
		if route.Operation.OperationID != tc.op {
			t.Fatalf("%s: routed to %s", tc.op, route.Operation.OperationID)
		}
		verr := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route},
			Status:                 resp.StatusCode,
			Header:                 resp.Header,
			Body:                   io.NopCloser(bytes.NewReader(body)),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true},
		})
		_, isLimited := referralrocket.Limitations[tc.op]
		switch {
		case resp.StatusCode == http.StatusOK && verr == nil:
			ok++
			t.Logf("%-20s %d ok %s", tc.op, resp.StatusCode, body)
		case isLimited && verr == nil:
			limited++
			t.Logf("%-20s %d limitation: %s", tc.op, resp.StatusCode, referralrocket.Limitations[tc.op])
		default:
			failed++
			t.Errorf("%-20s %d: %s (validation: %v)", tc.op, resp.StatusCode, body, verr)
		}
	}
	for op := range want {
		failed++
		t.Errorf("%s: not called by the sweep", op)
	}
	t.Logf("sweep: %d operations, %d ok, %d limitations, %d failed", ok+limited+failed, ok, limited, failed)
}
