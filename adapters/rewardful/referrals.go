package rewardful

import (
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/rewardful"
)

// ListReferrals implements api.ServerInterface. conversion_state is
// Rewardful's funnel stage (see conversionState); the backend filters what
// it can and the rest is filtered here.
func (s *server) ListReferrals(w http.ResponseWriter, r *http.Request, params api.ListReferralsParams) {
	l := s.lookups(r)
	want := multi(r, params.ConversionState, "conversion_state")
	for _, v := range want {
		if v != "visitor" && v != "lead" && v != "conversion" {
			s.fail(w, r, badRequest("Invalid conversion_state: "+v))
			return
		}
	}
	expand, err := expansions(s.v, r, params.Expand)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, limit := pageParams(params.Page, params.Limit)
	render := func(ref canonical.Referral) (referralJSON, error) {
		return l.renderReferral(ref, has(expand, "affiliate"))
	}
	affID, given, ok := decodeRef(s.ids.affiliate, params.AffiliateId)
	if given && !ok {
		s.ok(w, pageOf([]referralJSON{}, page, limit))
		return
	}
	q := canonical.ReferralQuery{ReferrerID: affID, UpdatedSince: params.UpdatedSince, UpdatedUntil: params.UpdatedUntil}
	if params.Email != nil {
		q.Email = strings.TrimSpace(*params.Email)
	}
	if params.StripeCustomerId != nil {
		q.StripeCustomerID = strings.TrimSpace(*params.StripeCustomerId)
	}
	switch {
	case len(want) > 0 && !has(want, "lead") && !has(want, "conversion"):
		q.States = []canonical.ReferralState{canonical.StateVisitor, canonical.StateInvited}
	case len(want) > 0 && !has(want, "visitor") && !has(want, "lead"):
		converted := true
		q.Converted = &converted
	}
	fetch := func(o canonical.ListOptions) (canonical.Page[canonical.Referral], error) {
		q.ListOptions = o
		return l.b.ListReferrals(l.ctx, q)
	}
	if len(want) == 0 {
		// Every referral the backend lists is shown: page by offset.
		out, err := listPage(l, "ListReferrals", page, limit, fetch, render)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.ok(w, out)
		return
	}
	all, err := walk(func(cursor string) (canonical.Page[canonical.Referral], error) {
		return fetch(canonical.ListOptions{Limit: maxLimit, Cursor: cursor})
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kept := all[:0]
	for _, ref := range all {
		if has(want, conversionState(ref)) {
			kept = append(kept, ref)
		}
	}
	out, err := renderPage(kept, page, limit, render)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}
