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
	expand := multi(r, params.Expand, "expand")
	var all []canonical.Referral
	affID, given, ok := decodeRef(affiliateIDs, params.AffiliateId)
	if !given || ok {
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
		var err error
		all, err = walk(func(cursor string) (canonical.Page[canonical.Referral], error) {
			q.ListOptions = canonical.ListOptions{Limit: maxLimit, Cursor: cursor}
			return l.b.ListReferrals(l.ctx, q)
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if len(want) > 0 {
		kept := all[:0]
		for _, ref := range all {
			if has(want, conversionState(ref)) {
				kept = append(kept, ref)
			}
		}
		all = kept
	}
	page, limit := pageParams(params.Page, params.Limit)
	out, err := renderPage(all, page, limit, func(ref canonical.Referral) (referralJSON, error) {
		return l.renderReferral(ref, has(expand, "affiliate"))
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}
