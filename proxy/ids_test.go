package proxy_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// fixedKeyIDs are how every surface rendered campaign 1 and participant 2
// before installations had ID secrets, with the fixed keys in the public
// source (pinned from that code).
var fixedKeyIDs = map[string]string{
	"growsurf campaign":       "f4ehlt",
	"growsurf participant":    "bi3qz6",
	"referralhero list":       "MFb4bbb9c83b",
	"referralhero subscriber": "sub_187eb6e5a866",
	"rewardful campaign":      "993d6434-c73f-4466-b6bb-d74ce00fad5c",
	"rewardful affiliate":     "c11055d1-b756-40fa-aecb-4a595ce8a843",
	"referralrocket campaign": "GDsLiolORy",
	"irefer campaign":         "669015",
	"irefer participant":      "302919",
}

// renderedIDs reads, through every surface, how it renders the tenant's
// campaign and its participant with the given email. Referral Rocket and
// iRefer take the campaign id as input, so theirs must be accepted.
func renderedIDs(t *testing.T, srv *proxytest.Server, tn proxytest.Tenant, email string) map[string]string {
	t.Helper()
	e := newMxEnv(t, srv, tn)
	out := map[string]string{
		"growsurf campaign":       e.gsCampaign,
		"growsurf participant":    gsID(t, e, email),
		"rewardful campaign":      e.rwCampaign,
		"rewardful affiliate":     rwID(t, e, email),
		"referralrocket campaign": e.rrCampaign,
	}
	lists := e.rh(t, http.MethodGet, "/api/v2/lists", nil).must(t, http.StatusOK, "referralhero: GET /lists")
	if l := jarr(lists.body, "data", "lists"); len(l) == 1 {
		out["referralhero list"] = jstr(l[0], "uuid")
	}
	sub := e.rh(t, http.MethodGet, rhPath(e, "/subscribers/retrieve_by_email?email="+url.QueryEscape(lookup(email))), nil).
		must(t, http.StatusOK, "referralhero: retrieve_by_email")
	out["referralhero subscriber"] = jstr(sub.body, "data", "id")
	e.rr(t, http.MethodGet, "/api/v1/getCampaign", url.Values{"id": {e.rrCampaign}}, nil).must(t, http.StatusOK, "referralrocket: getCampaign")
	for _, row := range jarr(irOK(t, e.ir(t, "referrers", nil), "irefer: referrers").body) {
		if strings.EqualFold(jstr(row, "email"), email) {
			out["irefer participant"], out["irefer campaign"] = jstr(row, "id"), jstr(row, "campaign_id")
		}
	}
	for name, id := range out {
		if id == "" {
			t.Fatalf("%s: not rendered (%v)", name, out)
		}
	}
	return out
}

// byVendor groups renderings by surface: a tuple per vendor, so that a
// comparison fails by chance only if every ID of the vendor coincides.
func byVendor(ids map[string]string) map[string]string {
	out := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(ids)) {
		vendor, _, _ := strings.Cut(name, " ")
		out[vendor] += name + "=" + ids[name] + " "
	}
	return out
}

// freshInstallation serves a new database with one tenant whose campaign
// is engine campaign 1 and whose second participant is participant 2.
func freshInstallation(t *testing.T) (*proxytest.Server, proxytest.Tenant, string) {
	t.Helper()
	srv := proxytest.New(t, nil)
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	var second canonical.Participant
	for _, email := range []string{"first@example.com", "second@example.com"} {
		p, _, err := tn.Backend.CreateParticipant(context.Background(), canonical.NewParticipant{
			Participant: canonical.Participant{CampaignID: tn.Campaign.ID, Email: email}})
		if err != nil {
			t.Fatal(err)
		}
		second = p
	}
	if tn.Campaign.ID != "1" || second.ID != "2" {
		t.Fatalf("a new database issued campaign %s and participant %s, want 1 and 2", tn.Campaign.ID, second.ID)
	}
	return srv, tn, second.Email
}

// TestIDsPerInstallation: two new installations render the same engine
// entities (campaign 1, participant 2) as different IDs on every surface,
// neither as the fixed public keys do; an installation renders them the
// same after a restart; and a database written before installations had
// ID secrets keeps rendering exactly the IDs the fixed keys gave it.
func TestIDsPerInstallation(t *testing.T) {
	t.Parallel()
	a, ta, emailA := freshInstallation(t)
	b, tb, emailB := freshInstallation(t)
	idsA, idsB := renderedIDs(t, a, ta, emailA), renderedIDs(t, b, tb, emailB)
	fixed, va, vb := byVendor(fixedKeyIDs), byVendor(idsA), byVendor(idsB)
	for vendor := range fixed {
		if va[vendor] == vb[vendor] {
			t.Errorf("%s: two installations render alike: %s", vendor, va[vendor])
		}
		if va[vendor] == fixed[vendor] || vb[vendor] == fixed[vendor] {
			t.Errorf("%s: an installation renders with the fixed keys: %s", vendor, fixed[vendor])
		}
	}

	// Restart: the same database, a new process.
	a.Close()
	again := proxytest.New(t, &proxytest.Options{DBPath: a.DBPath})
	ta.Backend = again.Engine.Backend(ta.Account.ID)
	if got := renderedIDs(t, again, ta, emailA); !maps.Equal(got, idsA) {
		t.Errorf("after a restart the surfaces render\n%v\nwere\n%v", got, idsA)
	}

	// A database from before: the v2 store fixture of the engine.
	old := proxytest.New(t, &proxytest.Options{DBPath: proxytest.Gunzip(t, "engine/testdata/v2-ranks.db.gz")})
	ctx := context.Background()
	acct, err := old.Engine.GetAccount(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	camp, err := old.Engine.Backend(acct.ID).GetCampaign(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := old.Engine.Backend(acct.ID).GetParticipant(ctx, camp.ID, canonical.ByID("2"))
	if err != nil {
		t.Fatal(err)
	}
	if got := renderedIDs(t, old, old.TenantOf(t, acct, camp), p.Email); !maps.Equal(got, fixedKeyIDs) {
		t.Errorf("a database from before renders\n%v\nit rendered\n%v", got, fixedKeyIDs)
	}
}
