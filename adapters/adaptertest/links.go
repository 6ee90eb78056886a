package adaptertest

import (
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// linkBehaviours cover participants' share links.
var linkBehaviours = []behaviour{
	{name: "LinksManaged", needs: ops("CreateParticipant", "CreateLink", "GetLink", "ListLinks", "UpdateLink"), run: testLinks},
}

func testLinks(t *testing.T, s *suite) {
	p, other := s.join(t, "ln"), s.join(t, "lo")
	l := must[canonical.Link](t, "create link")(s.b.CreateLink(s.ctx, s.camp, canonical.ByID(p.ID), "ann-spring"))
	if l.ID == "" || l.Token != "ann-spring" || l.ParticipantID != p.ID {
		t.Fatalf("created link %+v, want ann-spring of %s", l, p.ID)
	}
	gen := must[canonical.Link](t, "create a link with a generated token")(s.b.CreateLink(s.ctx, s.camp, canonical.ByID(p.ID), ""))
	if gen.ID == "" || gen.ID == l.ID || gen.Token == "" || gen.Token == l.Token {
		t.Fatalf("link with a generated token %+v", gen)
	}
	got := must[canonical.Link](t, "get link")(s.b.GetLink(s.ctx, l.ID))
	if got.ID != l.ID || got.Token != l.Token || got.ParticipantID != p.ID {
		t.Fatalf("link read back as %+v", got)
	}
	walk(t, "links", func(o canonical.ListOptions) (canonical.Page[canonical.Link], error) {
		return s.b.ListLinks(s.ctx, canonical.LinkQuery{CampaignID: s.camp, ParticipantID: p.ID, ListOptions: o})
	}, func(x canonical.Link) string { return x.ID })
	page := must[canonical.Page[canonical.Link]](t, "list links")(s.b.ListLinks(s.ctx, canonical.LinkQuery{CampaignID: s.camp, ParticipantID: p.ID}))
	at := func(id string) int {
		return slices.IndexFunc(page.Items, func(x canonical.Link) bool { return x.ID == id })
	}
	if i, j := at(gen.ID), at(l.ID); i < 0 || j < 0 || i > j {
		t.Fatalf("links of %s: %+v, want the generated link before ann-spring (newest first)", p.ID, page.Items)
	}
	for _, x := range page.Items {
		if x.ParticipantID != p.ID {
			t.Fatalf("links of %s include %+v", p.ID, x)
		}
	}
	u := must[canonical.Link](t, "update link")(s.b.UpdateLink(s.ctx, l.ID, "ann-autumn"))
	if u.ID != l.ID || u.Token != "ann-autumn" {
		t.Fatalf("update answered %+v, want %s with ann-autumn", u, l.ID)
	}
	if got := must[canonical.Link](t, "get link")(s.b.GetLink(s.ctx, l.ID)); got.Token != "ann-autumn" {
		t.Fatalf("updated link read back with %q", got.Token)
	}
	if s.supports("RecordVisit") {
		_, err := s.b.RecordVisit(s.ctx, s.camp, canonical.Visit{Token: "ann-spring"})
		code(t, "visit through the old token", err, canonical.NotFound)
		v := must[canonical.Referral](t, "visit through the new token")(s.b.RecordVisit(s.ctx, s.camp, canonical.Visit{Token: "ann-autumn"}))
		if v.ReferrerID != p.ID || v.LinkID != l.ID {
			t.Fatalf("visit through the new token answered %+v, want a visitor of %s through %s", v, p.ID, l.ID)
		}
	}
	_, err := s.b.UpdateLink(s.ctx, gen.ID, "ann-autumn")
	code(t, "take another link's token", err, canonical.Conflict)
	_, err = s.b.CreateLink(s.ctx, s.camp, canonical.ByID(other.ID), "ann-autumn")
	code(t, "create a link with a token in use", err, canonical.Conflict)
	_, err = s.b.CreateLink(s.ctx, s.camp, canonical.ByID(other.ID), "has space")
	code(t, "create a link with a bad token", err, canonical.Invalid)
	_, err = s.b.UpdateLink(s.ctx, l.ID, "bad token!")
	code(t, "update to a bad token", err, canonical.Invalid)
	_, err = s.b.GetLink(s.ctx, "999999999")
	code(t, "get an unknown link", err, canonical.NotFound)
}
