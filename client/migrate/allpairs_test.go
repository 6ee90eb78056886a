package migrate_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/client"
	"github.com/refbridge/refbridge/client/migrate"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// side is one end of a migration: a proxy serving one vendor (or, for
// the engine, nothing), a tenant, and the backend that reaches it.
type side struct {
	tn       proxytest.Tenant
	b        canonical.Backend
	campaign string // the tenant's campaign in the backend's ID space
}

var backends = []canonical.Vendor{canonical.Engine, canonical.GrowSurf, canonical.ReferralHero, canonical.Rewardful, canonical.ReferralRocket, canonical.IRefer}

// open starts a proxy for vendor with a tenant and returns the backend
// a migration uses to reach it.
func open(t *testing.T, vendor canonical.Vendor, name string) side {
	t.Helper()
	vendors := []canonical.Vendor{vendor}
	if vendor == canonical.Engine {
		vendors = []canonical.Vendor{canonical.GrowSurf} // any; the engine is used directly
	}
	srv := proxytest.New(t, &proxytest.Options{Vendors: vendors})
	tn := srv.NewTenant(t, name, canonical.Campaign{Qualification: canonical.QualifyOnSignup, Currency: "USD",
		Rules: []canonical.RewardRule{
			{Kind: canonical.SingleSided, Title: "Friend bonus", Threshold: 1, Unlimited: true, Visible: true,
				ReferrerValue: canonical.Money{Amount: 500, Currency: "USD"}},
			{Kind: canonical.CommissionReward, Title: "10%", Visible: true,
				Commission: &canonical.CommissionRule{Type: canonical.PercentCommission, Percent: 10}}}})
	s := side{tn: tn}
	var err error
	switch vendor {
	case canonical.Engine:
		s.b, s.campaign = tn.Backend, tn.Campaign.ID
	case canonical.GrowSurf:
		s.b, err = growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: srv.URL + "/v2", APIKey: tn.Secret(vendor, canonical.APIKey)})
	case canonical.ReferralHero:
		s.b, err = referralhero.NewBackend(&referralhero.BackendOptions{BaseURL: srv.URL + "/api/v2", APIToken: tn.Secret(vendor, canonical.APIKey)})
		s.campaign = referralhero.NewIDs(srv.Engine.IDSecret()).ListUUID(tn.Campaign.ID)
	case canonical.Rewardful:
		s.b, err = rewardful.NewBackend(&rewardful.BackendOptions{BaseURL: srv.URL + "/v1", APISecret: tn.Secret(vendor, canonical.APISecret)})
	case canonical.ReferralRocket:
		s.campaign, _ = referralrocket.NewIDs(srv.Engine.IDSecret()).EncodeCampaignID(tn.Campaign.ID)
		s.b, err = referralrocket.NewBackend(&referralrocket.BackendOptions{BaseURL: srv.URL, APIKey: tn.Secret(vendor, canonical.APIKey), CampaignID: s.campaign})
	case canonical.IRefer:
		s.campaign = irefer.NewIDs(srv.Engine.IDSecret()).EncodeID(irefer.KindCampaign, tn.Campaign.ID)
		s.b, err = irefer.NewBackend(&irefer.BackendOptions{BaseURL: srv.URL, LicenseKey: tn.Secret(vendor, canonical.LicenseKey),
			APIKey: tn.Secret(vendor, canonical.SiteKey), CampaignID: s.campaign})
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.campaign == "" {
		page, err := s.b.ListCampaigns(context.Background(), canonical.ListOptions{Limit: 10})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("%s campaigns: %+v, %v", vendor, page.Items, err)
		}
		s.campaign = page.Items[0].ID
	}
	return s
}

// TestEveryPair migrates a small program between every ordered pair of
// the six backends and checks what arrived against what each side can
// represent: every participant arrives; who referred whom arrives
// wherever the target can attribute referrals, and is reported lost
// where it cannot.
func TestEveryPair(t *testing.T) {
	t.Parallel()
	const n = 13 // a root, three referred, nine referred by those
	for _, from := range backends {
		for _, to := range backends {
			if from == to {
				continue
			}
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				src := open(t, from, "source")
				seed(t, src.tn, n)
				sales(t, src.tn, 4, 4, 5000, "invoice", "in_")
				dst := open(t, to, "target")
				idmap, _ := migrate.OpenIDMap("")
				opts := migrate.Options{Campaigns: []string{src.campaign}, IDMap: idmap}
				// Targets that cannot create campaigns, and Rewardful, whose
				// campaigns need a commission rule the source does not
				// have, receive the program in their existing campaign.
				if !dst.b.Capabilities().Supports("CreateCampaign") || to == canonical.Rewardful {
					opts.TargetCampaign = dst.campaign
				}
				rep, err := migrate.Run(ctx, src.b, dst.b, opts)
				if err != nil {
					t.Fatal(err)
				}
				p := rep.Entity(migrate.EntityParticipants)
				if p.Read != n || p.Failed != 0 || p.Written+p.Skipped != n {
					var sb strings.Builder
					_ = rep.WriteText(&sb)
					t.Fatalf("participants %+v\n%s", p, sb.String())
				}
				target := dst.tn.Campaign.ID
				if opts.TargetCampaign == "" {
					target = newestCampaign(t, dst.tn.Backend)
				}
				want := engineGraph(t, src.tn.Backend, src.tn.Campaign.ID)
				got := engineGraph(t, dst.tn.Backend, target)
				if len(got) != n {
					t.Fatalf("%d participants arrived, want %d", len(got), n)
				}
				lostReferrers := 0
				for _, l := range rep.Losses {
					if l.Entity == migrate.EntityParticipants && l.Field == "referrer" {
						lostReferrers += l.Records
					}
				}
				wrong := 0
				for e, ref := range want {
					if _, ok := got[e]; !ok {
						t.Errorf("%s did not arrive", e)
					}
					if got[e] != ref {
						wrong++
					}
				}
				if wrong != lostReferrers {
					t.Errorf("%d participants arrived without their referrer, the report lists %d", wrong, lostReferrers)
				}
				// Every other participant field the target did not keep is
				// in the report, with exactly the records it affected.
				dstCampaign := opts.TargetCampaign
				if dstCampaign == "" {
					dstCampaign, _ = idmap.Get(migrate.EntityCampaigns, src.campaign)
				}
				checkFieldLosses(t, rep, src.b, src.campaign, dst.b, dstCampaign, idmap)
				if to != canonical.Rewardful && wrong != 0 {
					t.Errorf("%d of %d referrals did not arrive in %s, which attributes referrals", wrong, n-1, to)
				}
				// Rewards and money: nothing fails; where both sides show
				// commissions, their sums agree unless the report says why.
				for _, e := range []string{migrate.EntityRewards, migrate.EntityTransactions} {
					if x := rep.Entity(e); x.Failed != 0 {
						t.Errorf("%s: %+v", e, x)
					}
				}
				for _, m := range rep.Money {
					if m.Source != m.Target && !lostMoney(rep) {
						logReport(t, rep)
						t.Errorf("%s %s: source %d, target %d, and the report names no loss", m.Kind, m.Currency, m.Source, m.Target)
					}
				}
				t.Log(fmt.Sprintf("%s → %s: %d written, %d skipped, %d referrers lost", from, to, p.Written, p.Skipped, lostReferrers))
			})
		}
	}
}

// checkFieldLosses fails t unless the report's participant field losses
// (the referrer aside: the graph checks cover it) are exactly what
// reading every migrated participant on both sides measures.
func checkFieldLosses(t *testing.T, rep *migrate.Report, src canonical.Backend, srcCampaign string, dst canonical.Backend, dstCampaign string, idmap *migrate.IDMap) {
	t.Helper()
	measured := fieldLosses(t, src, srcCampaign, dst, dstCampaign, idmap.Entries(migrate.EntityParticipants))
	reported := map[string]int{}
	for _, l := range rep.Losses {
		if l.Entity == migrate.EntityParticipants && l.Field != "referrer" {
			reported[l.Field] += l.Records
		}
	}
	if fmt.Sprint(measured) != fmt.Sprint(reported) {
		t.Errorf("fields the target did not keep: measured %v, reported %v", measured, reported)
	}
}

// fieldLosses reads every migrated participant on both sides and counts,
// per field, the records whose value the target did not keep (the fields
// the report compares, the referrer aside).
func fieldLosses(t *testing.T, src canonical.Backend, srcCampaign string, dst canonical.Backend, dstCampaign string, ids map[string]string) map[string]int {
	t.Helper()
	ctx := context.Background()
	lost := map[string]int{}
	var ps []canonical.Participant
	referred := false
	for p, err := range client.New(src).Participants(ctx, canonical.ParticipantQuery{CampaignID: srcCampaign}) {
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
		referred = referred || p.ReferrerID != ""
	}
	// A source whose participants do not say who referred them (Rewardful)
	// says it in its referrals, with their states.
	if !referred && src.Capabilities().Supports("ListReferrals") {
		of := map[string]canonical.Referral{}
		for ref, err := range client.New(src).Referrals(ctx, canonical.ReferralQuery{CampaignID: srcCampaign}) {
			if err != nil {
				t.Fatal(err)
			}
			of[ref.ReferredID] = ref
		}
		for i, p := range ps {
			if ref, ok := of[p.ID]; ok && ref.ReferrerID != "" {
				ps[i].ReferrerID = ref.ReferrerID
				if p.ReferralState == "" {
					ps[i].ReferralState = ref.State
				}
			}
		}
	}
	n := 0
	for _, p := range ps {
		id, ok := ids[p.ID]
		if !ok {
			t.Fatalf("source participant %s is not in the ID map", p.ID)
		}
		q, err := dst.GetParticipant(ctx, dstCampaign, canonical.ByID(id))
		if err != nil {
			t.Fatalf("target participant %s (source %s): %v", id, p.ID, err)
		}
		n++
		for field, differs := range map[string]bool{
			"first name":    p.FirstName != "" && q.FirstName != p.FirstName,
			"last name":     p.LastName != "" && q.LastName != p.LastName,
			"phone":         p.Phone != "" && q.Phone != p.Phone,
			"metadata":      len(p.Metadata) > 0 && !maps.Equal(p.Metadata, q.Metadata),
			"points":        p.Points != 0 && q.Points != p.Points,
			"referral code": p.ReferralCode != "" && q.ReferralCode != p.ReferralCode,
			"referral state " + string(p.ReferralState): p.ReferrerID != "" && p.ReferralState != "" && q.ReferralState != p.ReferralState,
		} {
			if differs {
				lost[field]++
			}
		}
	}
	if n != len(ids) {
		t.Fatalf("read %d source participants, the map has %d", n, len(ids))
	}
	return lost
}

// lostMoney reports whether the report names a loss of sales or
// commission states.
func lostMoney(rep *migrate.Report) bool {
	for _, l := range rep.Losses {
		if l.Entity == migrate.EntityTransactions {
			return true
		}
	}
	return false
}
