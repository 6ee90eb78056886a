package proxy_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/openapi"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// This file holds what the reliability tests share: calling any vendor
// surface of a proxytest server with a tenant's credentials, and checking
// an answer against the vendor's spec.

// authorize adds the tenant's credential for vendor v to req the way the
// vendor's clients send it (iRefer's license key is in the path; its site
// key goes in the query).
func authorize(req *http.Request, tn proxytest.Tenant, v canonical.Vendor) {
	switch v {
	case canonical.GrowSurf, canonical.ReferralHero:
		req.Header.Set("Authorization", "Bearer "+tn.Secret(v, canonical.APIKey))
	case canonical.ReferralRocket:
		req.Header.Set(referralrocket.APIKeyHeader, tn.Secret(v, canonical.APIKey))
	case canonical.Rewardful:
		req.SetBasicAuth(tn.Secret(v, canonical.APISecret), "")
	case canonical.IRefer:
		q := req.URL.Query()
		q.Set("api_key", tn.Secret(v, canonical.SiteKey))
		req.URL.RawQuery = q.Encode()
	}
}

// answer is a response with its body read.
type answer struct {
	status int
	header http.Header
	raw    []byte
}

// fetch sends req and reads the answer, following no redirect.
func fetch(t *testing.T, req *http.Request) answer {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// specRouter finds operations of vendor v's spec for requests to the
// vendor's own paths under base (a proxytest server's URL).
func specRouter(t *testing.T, v canonical.Vendor, base string) routers.Router {
	t.Helper()
	doc, err := openapi.Load(openapi.Vendor(v))
	if err != nil {
		t.Fatal(err)
	}
	vendorURL, err := url.Parse(doc.Servers[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: base + vendorURL.Path}}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// conforms reports why a's status and body are not a response the spec
// documents for req's operation ("" when they are).
func conforms(router routers.Router, req *http.Request, a answer) string {
	vreq := req.Clone(context.Background())
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		return "no operation in the spec: " + err.Error()
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route},
		Status:                 a.status,
		Header:                 a.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(a.raw)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err.Error()
	}
	return ""
}
