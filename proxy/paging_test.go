package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// pagedList is one list operation of a vendor surface, at the vendor's
// own path, with the parameters it needs besides paging and the paging
// parameters it takes.
type pagedList struct {
	vendor canonical.Vendor
	path   string
	query  url.Values
	params []string
}

// takes reports whether l takes every parameter of q.
func (l pagedList) takes(q url.Values) bool {
	for name := range q {
		if !slices.Contains(l.params, name) {
			return false
		}
	}
	return true
}

// pagingFixture is a tenant whose lists have something on their first
// page: Ann, who referred Bo, in a referral campaign, and Cy in a GrowSurf
// affiliate program.
type pagingFixture struct {
	srv *proxytest.Server
	tn  proxytest.Tenant
	ann canonical.Participant
	// gs and gsAff are the GrowSurf ids of the referral campaign and of
	// the affiliate program.
	gs, gsAff string
	// routers find each vendor's spec operations on srv.
	routers map[canonical.Vendor]routers.Router
}

func newPagingFixture(t *testing.T) pagingFixture {
	t.Helper()
	srv := proxytest.New(t, nil)
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	f := pagingFixture{srv: srv, tn: tn, routers: map[canonical.Vendor]routers.Router{}}
	for _, v := range canonical.Vendors() {
		f.routers[v] = specRouter(t, v, srv.URL)
	}
	ctx := context.Background()
	join := func(campaign, email string, ref canonical.ParticipantRef) canonical.Participant {
		p, _, err := tn.Backend.CreateParticipant(ctx, canonical.NewParticipant{
			Participant: canonical.Participant{CampaignID: campaign, Email: email}, Referrer: ref})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.ann = join(tn.Campaign.ID, "ann@example.com", canonical.ParticipantRef{})
	join(tn.Campaign.ID, "bo@example.com", canonical.ByCode(f.ann.ReferralCode))
	aff, err := tn.Backend.CreateCampaign(ctx, canonical.Campaign{Name: "Partners", Kind: canonical.AffiliateProgram,
		Status: canonical.CampaignActive, URL: proxytest.SiteURL, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	join(aff.ID, "cy@example.com", canonical.ParticipantRef{})
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v2/campaigns", nil)
	if err != nil {
		t.Fatal(err)
	}
	authorize(req, tn, canonical.GrowSurf)
	var list struct {
		Campaigns []struct{ ID, Name string } `json:"campaigns"`
	}
	if err := json.Unmarshal(fetch(t, req).raw, &list); err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Campaigns {
		switch c.Name {
		case tn.Campaign.Name:
			f.gs = c.ID
		case aff.Name:
			f.gsAff = c.ID
		}
	}
	if f.gs == "" || f.gsAff == "" {
		t.Fatalf("GrowSurf lists neither campaign: %+v", list)
	}
	return f
}

// get sends a GET for l with its query plus extra, authenticated as the
// fixture's tenant.
func (f pagingFixture) get(t *testing.T, l pagedList, extra url.Values) (*http.Request, answer) {
	t.Helper()
	q := url.Values{}
	for k, v := range l.query {
		q[k] = v
	}
	for k, v := range extra {
		q[k] = v
	}
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+l.path+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	authorize(req, f.tn, l.vendor)
	return req, fetch(t, req)
}

// lists returns every paged list of every surface (iRefer's lists are not
// paged).
func (f pagingFixture) lists() []pagedList {
	var out []pagedList
	add := func(v canonical.Vendor, base string, q url.Values, params string, paths ...string) {
		for _, p := range paths {
			out = append(out, pagedList{vendor: v, path: base + p, query: q, params: strings.Fields(params)})
		}
	}
	gs, gsAff, ann := "/v2/campaign/"+f.gs, "/v2/campaign/"+f.gsAff, "/participant/ann@example.com"
	add(canonical.GrowSurf, gs, nil, "nextId limit", "/participants", "/leaderboard", ann+"/rewards")
	add(canonical.GrowSurf, gs, nil, "nextId limit offset", "/referrals", ann+"/referrals")
	add(canonical.GrowSurf, gs, nil, "limit offset", ann+"/activity-logs")
	add(canonical.GrowSurf, gsAff, nil, "nextId limit", "/commissions", "/participant/cy@example.com/commissions",
		"/payouts", "/participant/cy@example.com/payouts")
	rh := referralhero.NewIDs(f.tn.IDSecret)
	list := "/api/v2/lists/" + rh.ListUUID(f.tn.Campaign.ID)
	sub := "/subscribers/" + rh.SubscriberID(f.ann.ID)
	add(canonical.ReferralHero, "/api/v2/lists", nil, "page", "")
	add(canonical.ReferralHero, list, nil, "page", "/subscribers", "/rewards", "/coupon_groups", sub+"/referred", sub+"/rewards",
		sub+"/level_1_referrals", sub+"/level_2_referrals", sub+"/level_3_referrals", sub+"/level_2_all_referrals", sub+"/level_3_all_referrals")
	rr, _ := referralrocket.NewIDs(f.tn.IDSecret).EncodeCampaignID(f.tn.Campaign.ID)
	add(canonical.ReferralRocket, "/api/v1", url.Values{"id": {rr}}, "page size", "/getAllParticipants")
	add(canonical.ReferralRocket, "/api/v1", url.Values{"id": {rr}, "email": {"ann@example.com"}}, "page size", "/getReferrals")
	add(canonical.Rewardful, "/v1", nil, "page limit", "/campaigns", "/affiliate_links", "/affiliate_coupons")
	add(canonical.Rewardful, "/v1", nil, "page limit expand[] expand", "/affiliates", "/referrals", "/commissions", "/payouts")
	return out
}

// TestMalformedPagingAnswersTheVendors400 sends every paged list of every
// surface malformed cursors, offsets, pages, sizes, limits and expansions:
// each answer is the vendor's 400, exactly as its spec documents it for
// that operation, and never a 5xx.
func TestMalformedPagingAnswersTheVendors400(t *testing.T) {
	t.Parallel()
	f := newPagingFixture(t)
	// Malformed whatever the parameter's range: empty, not integers, or
	// past int64.
	ints := []string{"", "abc", "1.5", "1e3", "0x10", " 1", "99999999999999999999", "9223372036854775808", "-9223372036854775809"}
	// Cursors the engine never issued: not base64, base64 of garbage, an
	// ID cursor with a bad or overflowing ID, numbers.
	cursors := []string{"abc", "!!", "Z2FyYmFnZQ", "aWQ6eHg", "aWQ6OTk5OTk5OTk5OTk5OTk5OTk5OTk", "-1", "99999999999999999999", " ", "%", "\x00"}
	expands := []string{"bogus", "campaign,bogus", "links;campaign"}
	bad := map[canonical.Vendor]map[string][]string{
		// GrowSurf's limit is 1..100 (101 is the documented 400); offset
		// is 0 or more.
		canonical.GrowSurf: {"nextId": cursors, "limit": slices.Concat(ints, []string{"-1", "0", "101", "9223372036854775807"}),
			"offset": slices.Concat(ints, []string{"-1", "-9223372036854775808"})},
		// 1-based pages.
		canonical.ReferralHero: {"page": slices.Concat(ints, []string{"-1", "0"})},
		// Spring's 0-based page and its size are int32.
		canonical.ReferralRocket: {"page": slices.Concat(ints, []string{"-1", "2147483648"}),
			"size": slices.Concat(ints, []string{"-1", "0", "2147483648"})},
		// 1-based pages; limits of 1 or more (larger ones are clamped to
		// 100); expand[]=a&expand[]=b and expand=a take the same values.
		canonical.Rewardful: {"page": slices.Concat(ints, []string{"-1", "0"}), "limit": slices.Concat(ints, []string{"-1", "0"}),
			"expand[]": expands, "expand": expands},
	}
	for _, l := range f.lists() {
		for _, param := range l.params {
			for _, v := range bad[l.vendor][param] {
				q := url.Values{param: {v}}
				req, a := f.get(t, l, q)
				what := fmt.Sprintf("%s %s?%s", l.vendor, l.path, q.Encode())
				if a.status != http.StatusBadRequest {
					t.Errorf("%s: %d, want 400: %.300s", what, a.status, a.raw)
					continue
				}
				if why := conforms(f.routers[l.vendor], req, a); why != "" {
					t.Errorf("%s: the 400 is not the vendor's: %s\n%.300s", what, why, a.raw)
				}
			}
		}
	}
}

// TestPagesPastTheEndAreEmpty asks every paged list for pages far past its
// end — including pages whose offset overflows an int, which used to wrap
// around to the first page or to a negative offset — and expects the
// vendor's empty page.
func TestPagesPastTheEndAreEmpty(t *testing.T) {
	t.Parallel()
	f := newPagingFixture(t)
	maxInt := strconv.FormatInt(math.MaxInt64, 10)
	far := map[canonical.Vendor][]url.Values{
		canonical.GrowSurf:     {{"offset": {maxInt}}, {"offset": {maxInt}, "limit": {"100"}}},
		canonical.ReferralHero: {{"page": {maxInt}}, {"page": {"1073741825"}}},
		canonical.ReferralRocket: {
			{"page": {"2147483647"}, "size": {"2147483647"}},
			{"page": {"2147483647"}, "size": {"1"}},
		},
		canonical.Rewardful: {
			{"page": {maxInt}},
			{"page": {maxInt}, "limit": {maxInt}},
			// (page-1)*limit is 2^64: it wrapped around to offset 0.
			{"page": {"288230376151711745"}, "limit": {"64"}},
			// (page-1)*limit wrapped around to a negative offset.
			{"page": {"4611686018427387904"}, "limit": {"3"}},
		},
	}
	// A far page that wrapped around shows on lists with items on their
	// first page; every surface has some.
	withItems := map[canonical.Vendor]int{}
	for _, l := range f.lists() {
		if _, first := f.get(t, l, nil); first.status != http.StatusOK {
			t.Errorf("%s %s: first page: %d %.300s", l.vendor, l.path, first.status, first.raw)
		} else if hasItems(first.raw) {
			withItems[l.vendor]++
		}
		for _, q := range far[l.vendor] {
			if !l.takes(q) {
				continue
			}
			req, a := f.get(t, l, q)
			what := fmt.Sprintf("%s %s?%s", l.vendor, l.path, q.Encode())
			if a.status != http.StatusOK || !isEmptyPage(a.raw) {
				t.Errorf("%s: %d, want 200 and an empty page: %.300s", what, a.status, a.raw)
				continue
			}
			if why := conforms(f.routers[l.vendor], req, a); why != "" {
				t.Errorf("%s: the answer is not the vendor's: %s\n%.300s", what, why, a.raw)
			}
		}
	}
	for _, v := range []canonical.Vendor{canonical.GrowSurf, canonical.ReferralHero, canonical.ReferralRocket, canonical.Rewardful} {
		if withItems[v] == 0 {
			t.Errorf("%s: no paged list has items on its first page, so none would show a far page wrapping around", v)
		}
	}
}

// arrays returns the JSON arrays a list answer holds: the answer itself,
// or the arrays among its values and its values' values (GrowSurf's
// {"participants": […]}, ReferralHero's {"data": {"subscribers": […]}},
// Rewardful's {"data": […]}).
func arrays(raw []byte) [][]any {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out [][]any
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		switch x := v.(type) {
		case []any:
			out = append(out, x)
		case map[string]any:
			if depth < 2 {
				for _, c := range x {
					walk(c, depth+1)
				}
			}
		}
	}
	walk(v, 0)
	return out
}

// isEmptyPage reports whether a list answer holds a list and no items.
func isEmptyPage(raw []byte) bool {
	lists := arrays(raw)
	for _, l := range lists {
		if len(l) > 0 {
			return false
		}
	}
	return len(lists) > 0
}

// hasItems reports whether a list answer holds at least one item.
func hasItems(raw []byte) bool {
	for _, l := range arrays(raw) {
		if len(l) > 0 {
			return true
		}
	}
	return false
}
