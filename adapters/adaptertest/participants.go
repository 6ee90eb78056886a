package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// participantBehaviours cover participants, their referrals and paging.
var participantBehaviours = []behaviour{
	{name: "UnsupportedOperationsDoNoIO", run: testUnsupported},
	{name: "CreateAndGetParticipant", needs: ops("CreateParticipant", "GetParticipant"), run: testCreateGet},
	{name: "IdempotentCreate", needs: ops("CreateParticipant"), run: testIdempotent},
	{name: "ConcurrentDuplicateCreates", needs: ops("CreateParticipant"), run: testConcurrentCreates},
	{name: "ListParticipantsAcrossPages", needs: ops("CreateParticipant", "ListParticipants"), run: testPaging},
	{name: "LongListsPaged", needs: ops("CreateParticipant", "GetParticipant", "ListParticipants"), run: testLongLists},
	{name: "UpdateParticipant", needs: ops("CreateParticipant", "UpdateParticipant", "GetParticipant"), run: testUpdate},
	{name: "DeleteParticipant", needs: ops("CreateParticipant", "DeleteParticipant", "GetParticipant"), run: testDelete},
	{name: "DeleteReferrerKeepsReferred", needs: ops("CreateParticipant", "DeleteParticipant", "GetParticipant"),
		unless: noReferredCreate, run: testDeleteReferrer},
	{name: "NotFound", needs: ops("GetParticipant"), run: testNotFound},
	{name: "ReferralAttribution", needs: ops("CreateParticipant", "GetParticipant"), unless: noReferredCreate, run: testAttribution},
	{name: "ReferralsListed", needs: ops("CreateParticipant", "GetParticipant", "ListReferrals"), run: testReferralsListed},
	{name: "RewardEarnedAndApproved", needs: ops("CreateParticipant", "GetParticipant", "ListEarnedRewards"), run: testRewards},
	{name: "EmailConflict", needs: ops("CreateParticipant", "UpdateParticipant"), run: testConflict},
	{name: "SeekByOffset", needs: ops("CreateParticipant", "GetParticipant", "ListParticipants", "ListReferrals"), run: testSeek},
	{name: "Points", needs: ops("CreateParticipant", "AddPoints", "GetParticipant"), run: testPoints},
	{name: "ReferralPatched", needs: ops("CreateParticipant", "UpdateParticipant", "GetParticipant"), unless: noReferralPatch,
		run: testReferralPatched},
	{name: "ParticipantsFiltered", needs: ops("CreateParticipant", "GetParticipant", "ListParticipants"), run: testFilters},
}

// noReferredCreate skips behaviours that attribute referrals through
// CreateParticipant.
func noReferredCreate(l Limits) string {
	if l.NoReferredCreate {
		return "cannot attribute a referral on create"
	}
	return ""
}

// testUnsupported calls every operation Capabilities leaves out, with
// zero arguments, and expects NotImplemented and no I/O.
func testUnsupported(t *testing.T, s *suite) {
	b := s.h.Backend()
	caps := b.Capabilities()
	v := reflect.ValueOf(b)
	for _, op := range caps.Unsupported() {
		m := v.MethodByName(string(op))
		if !m.IsValid() {
			t.Errorf("%s: no method %s", caps.Backend, op)
			continue
		}
		before := s.h.Calls()
		if err := callWithZeros(s.ctx, m); canonical.CodeOf(err) != canonical.NotImplemented {
			t.Errorf("%s.%s is not in Capabilities but answered %v, want NotImplemented", caps.Backend, op, err)
		}
		if after := s.h.Calls(); after != before {
			t.Errorf("%s.%s is not in Capabilities but made %d requests", caps.Backend, op, after-before)
		}
	}
	if len(caps.Operations) == 0 {
		t.Errorf("%s lists no operations", caps.Backend)
	}
	for _, op := range caps.Operations {
		if !slices.Contains(canonical.AllOperations(), op) {
			t.Errorf("%s lists %q, which the contract does not have", caps.Backend, op)
		}
	}
}

// callWithZeros calls method m with ctx and zero values for its other
// arguments, and returns its error.
func callWithZeros(ctx context.Context, m reflect.Value) error {
	args := make([]reflect.Value, m.Type().NumIn())
	for i := range args {
		if at := m.Type().In(i); at == reflect.TypeFor[context.Context]() {
			args[i] = reflect.ValueOf(ctx)
		} else {
			args[i] = reflect.Zero(at)
		}
	}
	out := m.Call(args)
	err, _ := out[len(out)-1].Interface().(error)
	return err
}

func testCreateGet(t *testing.T, s *suite) {
	email := s.email("ann")
	p, created, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: s.camp, Email: email, FirstName: "Ann", LastName: "Lee",
			Metadata: map[string]string{"plan": "pro"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !created || p.ID == "" || !strings.EqualFold(p.Email, email) {
		t.Fatalf("create: created=%v %+v", created, p)
	}
	got := s.get(t, p)
	if got.ID != p.ID || !strings.EqualFold(got.Email, email) {
		t.Fatalf("get by ID %s: %+v", p.ID, got)
	}
	if !s.lim.NoNamesOnCreate && (got.FirstName != "Ann" || got.LastName != "Lee") {
		t.Errorf("created participant reads back named %q %q, want Ann Lee", got.FirstName, got.LastName)
	}
	if !s.lim.NoMetadata && got.Metadata["plan"] != "pro" {
		t.Errorf("created participant reads back with metadata %v, want plan=pro", got.Metadata)
	}
	byEmail, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByEmail(strings.ToUpper(email)))
	if err != nil || byEmail.ID != p.ID {
		t.Fatalf("get by email, in other case: %+v, %v", byEmail, err)
	}
	if p.ReferralCode != "" {
		byCode, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByCode(p.ReferralCode))
		if err != nil || byCode.ID != p.ID {
			t.Fatalf("get by code %q: %+v, %v", p.ReferralCode, byCode, err)
		}
	}
	for what, email := range map[string]string{"no email": "", "a malformed email": "not-an-email"} {
		_, _, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: s.camp, Email: email}})
		code(t, "create with "+what, err, canonical.Invalid)
	}
}

func testIdempotent(t *testing.T, s *suite) {
	email := s.email("bo")
	first := s.create(t, email, canonical.ParticipantRef{})
	again, created, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: s.camp, Email: email}})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || created {
		t.Fatalf("second create of %s: ID %q created=%v, want ID %q created=false", email, again.ID, created, first.ID)
	}
}

func testConcurrentCreates(t *testing.T, s *suite) {
	email := s.email("cy")
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, _, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
				Participant: canonical.Participant{CampaignID: s.camp, Email: email}})
			ids[i], errs[i] = p.ID, err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("concurrent creates of one email gave participants %q and %q", ids[0], ids[i])
		}
	}
}

func testPaging(t *testing.T, s *suite) {
	want := map[string]bool{}
	for i := range 5 {
		p := s.join(t, fmt.Sprintf("page%d-", i))
		want[p.ID] = true
	}
	seen := map[string]bool{}
	q := canonical.ParticipantQuery{CampaignID: s.camp, ListOptions: canonical.ListOptions{Limit: 2}}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("more than 10 pages of 2 for 5 participants")
		}
		page, err := s.b.ListParticipants(s.ctx, q)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(page.Items) > 2 {
			t.Fatalf("page of %d items with limit 2", len(page.Items))
		}
		for _, p := range page.Items {
			if seen[p.ID] {
				t.Fatalf("participant %s listed twice", p.ID)
			}
			seen[p.ID] = true
		}
		if page.Total >= 0 && page.Total != 5 {
			t.Fatalf("Total = %d, want 5 (or -1 for unknown)", page.Total)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("participant %s never listed", id)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("listed %d participants, want %d", len(seen), len(want))
	}
}

func testUpdate(t *testing.T, s *suite) {
	p := s.join(t, "dee")
	name := "Delia"
	got, err := s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(p.ID), canonical.ParticipantPatch{FirstName: &name})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if got.FirstName != name {
		t.Fatalf("update answered FirstName %q", got.FirstName)
	}
	again := s.get(t, p)
	if again.FirstName != name || !strings.EqualFold(again.Email, p.Email) {
		t.Fatalf("after update: %+v", again)
	}
	moved := s.email("moved")
	got, err = s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(p.ID), canonical.ParticipantPatch{Email: &moved})
	if err != nil || !strings.EqualFold(got.Email, moved) {
		t.Fatalf("change email: %+v, %v", got, err)
	}
	if byNew, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByEmail(moved)); err != nil || byNew.ID != p.ID || byNew.FirstName != name {
		t.Fatalf("get by the new email: %+v, %v", byNew, err)
	}
	_, err = s.b.GetParticipant(s.ctx, s.camp, canonical.ByEmail(p.Email))
	code(t, "get by the old email", err, canonical.NotFound)
	_, err = s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByEmail("nobody-upd@conformance.example.com"), canonical.ParticipantPatch{FirstName: &name})
	code(t, "update an unknown participant", err, canonical.NotFound)
}

func testDelete(t *testing.T, s *suite) {
	p := s.join(t, "eve")
	gone, err := s.b.DeleteParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if gone.ID != p.ID || !strings.EqualFold(gone.Email, p.Email) {
		t.Fatalf("delete answered %s <%s>, want what was removed: %s <%s>", gone.ID, gone.Email, p.ID, p.Email)
	}
	_, err = s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	code(t, "get after delete", err, canonical.NotFound)
	_, err = s.b.DeleteParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	code(t, "delete twice", err, canonical.NotFound)
}

// testDeleteReferrer checks that deleting a referred participant takes
// their referral out of the referrer's count, and that deleting a
// referrer leaves the participants they referred.
func testDeleteReferrer(t *testing.T, s *suite) {
	ref := s.join(t, "fay")
	a := s.create(t, s.email("gus"), referrerRef(ref))
	b := s.create(t, s.email("hal"), referrerRef(ref))
	if n := s.get(t, ref).Stats.Referrals; n != 2 {
		t.Fatalf("referrer's Stats.Referrals = %d after two referred signups, want 2", n)
	}
	must[canonical.Participant](t, "delete a referred participant")(s.b.DeleteParticipant(s.ctx, s.camp, canonical.ByID(a.ID)))
	if n := s.get(t, ref).Stats.Referrals; n != 1 {
		t.Fatalf("referrer's Stats.Referrals = %d after one referred participant was deleted, want 1", n)
	}
	must[canonical.Participant](t, "delete the referrer")(s.b.DeleteParticipant(s.ctx, s.camp, canonical.ByID(ref.ID)))
	left := s.get(t, b)
	if left.ReferrerID != "" {
		t.Fatalf("participant referred by a deleted referrer still names referrer %q", left.ReferrerID)
	}
}

func testNotFound(t *testing.T, s *suite) {
	_, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByEmail("nobody-at-all@conformance.example.com"))
	code(t, "unknown email", err, canonical.NotFound)
	for _, id := range []string{"999999999", "zzzzzz", "sub_000000000000", "00000000-0000-4000-8000-000000000000"} {
		_, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(id))
		code(t, "unknown ID "+id, err, canonical.NotFound)
	}
}

func testAttribution(t *testing.T, s *suite) {
	p := s.join(t, "pat")
	q := s.create(t, s.email("quinn"), referrerRef(p))
	if q.ReferrerID != p.ID {
		t.Fatalf("referred participant's ReferrerID %q, want %q", q.ReferrerID, p.ID)
	}
	got := s.get(t, p)
	if got.Stats.Referrals != 1 {
		t.Fatalf("referrer's Stats.Referrals = %d after one referred signup, want 1 (credited at signup)", got.Stats.Referrals)
	}
	again := s.get(t, q)
	if again.ReferrerID != p.ID {
		t.Fatalf("referred participant read back with ReferrerID %q, want %q", again.ReferrerID, p.ID)
	}
	s.state(t, "referred participant (the campaign credits at signup)", again.ReferralState, canonical.StateCredited)
	_, _, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: s.camp, Email: s.email("orphan")},
		Referrer:    canonical.ByEmail("nobody-refers@conformance.example.com"), RequireReferrer: true,
	})
	code(t, "RequireReferrer with a referrer that does not resolve", err, canonical.NotFound)
	// The same mailbox under a +tag is the referrer themself: the
	// participant is added, but not as their referral.
	local, domain, _ := strings.Cut(p.Email, "@")
	self := s.get(t, s.create(t, local+"+again@"+domain, referrerRef(p)))
	if self.ReferrerID != "" {
		t.Fatalf("a self-referral was attributed to %q", self.ReferrerID)
	}
	if !s.lim.NoFraudRisk && self.Fraud.Risk != canonical.RiskHigh || !s.lim.NoFraudReason && self.Fraud.Reason != canonical.ReasonSelfReferral {
		t.Fatalf("a self-referral read back flagged %+v, want %s %s", self.Fraud, canonical.RiskHigh, canonical.ReasonSelfReferral)
	}
	if n := s.get(t, p).Stats.Referrals; n != 1 {
		t.Fatalf("referrer's Stats.Referrals = %d after a self-referral, want 1", n)
	}
}

func testReferralsListed(t *testing.T, s *suite) {
	p := s.join(t, "rae")
	first := s.refer(t, "sam", p)
	s.h.Advance(time.Hour)
	q := s.refer(t, "sol", p)
	page, err := s.b.ListReferrals(s.ctx, canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: p.ID})
	if err != nil {
		t.Fatalf("list referrals: %v", err)
	}
	if len(page.Items) != 2 {
		t.Fatalf("referrals of %s: %+v, want two", p.ID, page.Items)
	}
	names := func(r canonical.Referral, x canonical.Participant) bool {
		return r.ReferredID == x.ID || strings.EqualFold(r.Email, x.Email)
	}
	if !names(page.Items[1], first) {
		t.Fatalf("referrals of %s: %+v, want %s's (the newest) first, then %s's", p.ID, page.Items, q.Email, first.Email)
	}
	r := page.Items[0]
	if r.ReferrerID != p.ID {
		t.Fatalf("referral's ReferrerID %q, want %q", r.ReferrerID, p.ID)
	}
	if r.ReferredID != q.ID && !strings.EqualFold(r.Email, q.Email) {
		t.Fatalf("referral names %q / %q, want %s", r.ReferredID, r.Email, q.ID)
	}
	s.state(t, "referral (the campaign credits at signup)", r.State, canonical.StateCredited)
	walk(t, "referrals", func(o canonical.ListOptions) (canonical.Page[canonical.Referral], error) {
		return s.b.ListReferrals(s.ctx, canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: p.ID, ListOptions: o})
	}, func(r canonical.Referral) string { return r.ID })
	other, err := s.b.ListReferrals(s.ctx, canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: q.ID})
	if err != nil || len(other.Items) != 0 {
		t.Fatalf("referrals of a participant who referred nobody: %+v, %v", other.Items, err)
	}
}

func testRewards(t *testing.T, s *suite) {
	p := s.join(t, "tia")
	s.refer(t, "uma", p)
	page, err := s.b.ListEarnedRewards(s.ctx, canonical.RewardQuery{CampaignID: s.camp, ParticipantID: p.ID})
	if err != nil {
		t.Fatalf("list rewards: %v", err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("rewards of the referrer after one credited referral: %+v, want one", page.Items)
	}
	rw := page.Items[0]
	if rw.ParticipantID != p.ID {
		t.Fatalf("reward's ParticipantID %q, want %q", rw.ParticipantID, p.ID)
	}
	if rw.Status != canonical.RewardApproved {
		t.Fatalf("new reward status %q, want approved (the campaign does not hold rewards for approval)", rw.Status)
	}
}

func testConflict(t *testing.T, s *suite) {
	a := s.join(t, "vic")
	b := s.join(t, "wes")
	taken := a.Email
	_, err := s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(b.ID), canonical.ParticipantPatch{Email: &taken})
	code(t, "take another participant's email", err, canonical.Conflict)
	var ce *canonical.Error
	if !errors.As(err, &ce) || ce.Message == "" {
		t.Fatalf("conflict error without a message: %v", err)
	}
}

// testSeek checks, for the participant and referral lists a backend
// seeks, that a page at an offset is that slice of the cursor walk and
// that Total counts the whole list.
func testSeek(t *testing.T, s *suite) {
	caps := s.b.Capabilities()
	for _, op := range caps.Seek {
		if !caps.Supports(op) {
			t.Errorf("%s seeks %s, which it does not support", caps.Backend, op)
		}
	}
	if !caps.Seeks("ListParticipants") && !caps.Seeks("ListReferrals") {
		t.Skipf("%s seeks neither list (Capabilities.Seek)", caps.Backend)
	}
	root := s.join(t, "root")
	for i := range 5 {
		s.refer(t, fmt.Sprintf("seek%d-", i), root)
	}
	if caps.Seeks("ListParticipants") {
		list := func(o canonical.ListOptions) (canonical.Page[canonical.Participant], error) {
			return s.b.ListParticipants(s.ctx, canonical.ParticipantQuery{CampaignID: s.camp, ListOptions: o})
		}
		seekAgrees(t, "participants", list, func(p canonical.Participant) string { return p.ID })
	}
	if caps.Seeks("ListReferrals") {
		list := func(o canonical.ListOptions) (canonical.Page[canonical.Referral], error) {
			return s.b.ListReferrals(s.ctx, canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: root.ID, ListOptions: o})
		}
		seekAgrees(t, "referrals", list, func(r canonical.Referral) string { return r.ID })
	}
}

// seekAgrees compares offset pages of list with its cursor walk.
func seekAgrees[T any](t *testing.T, what string, list func(canonical.ListOptions) (canonical.Page[T], error), id func(T) string) {
	t.Helper()
	var order []string
	o := canonical.ListOptions{Limit: 1}
	for range 20 {
		page, err := list(o)
		if err != nil {
			t.Fatalf("%s walk: %v", what, err)
		}
		for _, it := range page.Items {
			order = append(order, id(it))
		}
		if o.Cursor = page.NextCursor; o.Cursor == "" {
			break
		}
	}
	if len(order) < 5 {
		t.Fatalf("%s walk found %d items, want at least 5", what, len(order))
	}
	ids := func(items []T) []string {
		out := []string{}
		for _, it := range items {
			out = append(out, id(it))
		}
		return out
	}
	for off := 0; off <= len(order); off++ {
		page, err := list(canonical.ListOptions{Limit: 2, Offset: off, WithTotal: true})
		want := order[off:min(off+2, len(order))]
		if err != nil || !slices.Equal(ids(page.Items), want) {
			t.Fatalf("%s at offset %d = %v, %v; want %v", what, off, ids(page.Items), err, want)
		}
		if page.Total != len(order) {
			t.Errorf("%s at offset %d: Total = %d, want %d", what, off, page.Total, len(order))
		}
		if (off+2 < len(order)) != (page.NextCursor != "") {
			t.Errorf("%s at offset %d: next cursor %q with %d items after the page", what, off, page.NextCursor, len(order)-off-2)
		}
	}
	first, err := list(canonical.ListOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	page, err := list(canonical.ListOptions{Limit: 2, Cursor: first.NextCursor, Offset: 2})
	if want := order[3:5]; err != nil || !slices.Equal(ids(page.Items), want) {
		t.Fatalf("%s after the first item, offset 2 = %v, %v; want %v", what, ids(page.Items), err, want)
	}
}

// testPoints checks that AddPoints adds and removes points and that the
// total never drops below zero.
func testPoints(t *testing.T, s *suite) {
	p := s.join(t, "pia")
	add := func(delta, want int64) {
		t.Helper()
		got, err := s.b.AddPoints(s.ctx, s.camp, canonical.ByID(p.ID), delta)
		if err != nil {
			t.Fatalf("add %d points: %v", delta, err)
		}
		if got.Points != want {
			t.Fatalf("after adding %d points: Points = %d, want %d", delta, got.Points, want)
		}
		if read := s.get(t, p); read.Points != want {
			t.Fatalf("after adding %d points: read back Points = %d, want %d", delta, read.Points, want)
		}
	}
	add(10, 10)
	add(-4, 6)
	add(-100, 0)
	_, err := s.b.AddPoints(s.ctx, s.camp, canonical.ByEmail("nobody-points@conformance.example.com"), 5)
	code(t, "points for an unknown participant", err, canonical.NotFound)
}

// testFilters checks ListParticipants' Email and ReferrerID filters.
func testFilters(t *testing.T, s *suite) {
	p := s.join(t, "flt")
	a, b := s.refer(t, "flt-a", p), s.refer(t, "flt-b", p)
	s.refer(t, "flt-c", a)
	list := func(q canonical.ParticipantQuery) []string {
		t.Helper()
		q.CampaignID, q.Limit = s.camp, 100
		var ids []string
		for _, x := range must[canonical.Page[canonical.Participant]](t, "list participants")(s.b.ListParticipants(s.ctx, q)).Items {
			ids = append(ids, x.ID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := list(canonical.ParticipantQuery{Email: strings.ToUpper(a.Email)}); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("participants with email %s: %v, want %v", a.Email, got, []string{a.ID})
	}
	if got := list(canonical.ParticipantQuery{Email: "nobody-filtered@conformance.example.com"}); len(got) != 0 {
		t.Errorf("participants with an unknown email: %v", got)
	}
	if s.lim.NoReferredCreate {
		return // the backend's participants have no referrer to filter on
	}
	want := []string{a.ID, b.ID}
	slices.Sort(want)
	if got := list(canonical.ParticipantQuery{ReferrerID: p.ID}); !slices.Equal(got, want) {
		t.Errorf("participants referred by %s: %v, want %v", p.ID, got, want)
	}
}

// longList is how many participants LongListsPaged adds: more than one
// page of every vendor's own paging (ReferralHero's 50 subscribers, 10
// rewards).
const longList = 55

// testLongLists pages one item at a time through lists longer than the
// vendors' own pages: a referrer's referred participants, referrals,
// rewards and the leaderboard.
func testLongLists(t *testing.T, s *suite) {
	ref := s.join(t, "long")
	for i := range longList - 1 {
		s.refer(t, fmt.Sprintf("long%02d-", i), ref)
	}
	ids := walk(t, "participants", func(o canonical.ListOptions) (canonical.Page[canonical.Participant], error) {
		return s.b.ListParticipants(s.ctx, canonical.ParticipantQuery{CampaignID: s.camp, ListOptions: o})
	}, func(p canonical.Participant) string { return p.ID })
	if len(ids) != longList {
		t.Fatalf("walked %d participants, want %d", len(ids), longList)
	}
	for _, l := range []struct {
		op   canonical.Operation
		want int
		walk func() []string
	}{
		{"ListReferrals", longList - 1, func() []string {
			return walk(t, "referrals", func(o canonical.ListOptions) (canonical.Page[canonical.Referral], error) {
				return s.b.ListReferrals(s.ctx, canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: ref.ID, ListOptions: o})
			}, func(r canonical.Referral) string { return r.ID })
		}},
		{"ListEarnedRewards", longList - 1, func() []string {
			return walk(t, "rewards", func(o canonical.ListOptions) (canonical.Page[canonical.EarnedReward], error) {
				return s.b.ListEarnedRewards(s.ctx, canonical.RewardQuery{CampaignID: s.camp, ParticipantID: ref.ID, ListOptions: o})
			}, func(r canonical.EarnedReward) string { return r.ID })
		}},
		{"Leaderboard", longList, func() []string {
			return walk(t, "leaderboard", func(o canonical.ListOptions) (canonical.Page[canonical.Participant], error) {
				return s.b.Leaderboard(s.ctx, canonical.LeaderboardQuery{CampaignID: s.camp, ListOptions: o})
			}, func(p canonical.Participant) string { return p.ID })
		}},
	} {
		if !s.supports(l.op) {
			continue
		}
		if n := len(l.walk()); n != l.want {
			t.Errorf("%s walked %d items, want %d", l.op, n, l.want)
		}
	}
}

// noReferralPatch skips behaviours that change referrals through
// UpdateParticipant.
func noReferralPatch(l Limits) string {
	if l.NoReferredCreate || l.NoReferralPatch {
		return "cannot change a participant's referral"
	}
	return ""
}

// testReferralPatched moves a referral to another referrer, removes it,
// refuses cycles, and moves a referral's state.
func testReferralPatched(t *testing.T, s *suite) {
	p1, p2 := s.join(t, "rp1"), s.join(t, "rp2")
	q := s.refer(t, "rq", p1)
	patch := func(what string, who canonical.Participant, pp canonical.ParticipantPatch) canonical.Participant {
		t.Helper()
		return must[canonical.Participant](t, what)(s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(who.ID), pp))
	}
	counts := func(want1, want2 int) {
		t.Helper()
		if n1, n2 := s.credited(t, p1), s.credited(t, p2); n1 != want1 || n2 != want2 {
			t.Fatalf("referrers have %d and %d credited referrals, want %d and %d", n1, n2, want1, want2)
		}
	}
	if u := patch("move the referral", q, canonical.ParticipantPatch{Referrer: ptr(referrerRef(p2))}); u.ReferrerID != p2.ID {
		t.Fatalf("moved referral answered referrer %q, want %q", u.ReferrerID, p2.ID)
	}
	counts(0, 1)
	if u := patch("remove the referral", q, canonical.ParticipantPatch{Referrer: &canonical.ParticipantRef{}}); u.ReferrerID != "" {
		t.Fatalf("removed referral answered referrer %q", u.ReferrerID)
	}
	if got := s.get(t, q); got.ReferrerID != "" {
		t.Fatalf("participant reads back referred by %q after the referral was removed", got.ReferrerID)
	}
	counts(0, 0)
	patch("refer again", q, canonical.ParticipantPatch{Referrer: ptr(referrerRef(p1))})
	_, err := s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(p1.ID), canonical.ParticipantPatch{Referrer: ptr(referrerRef(q))})
	code(t, "a referral cycle", err, canonical.Invalid)
	_, err = s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(p1.ID), canonical.ParticipantPatch{Referrer: ptr(referrerRef(p1))})
	code(t, "refer oneself", err, canonical.Invalid)
	counts(1, 0)
	pending := canonical.StatePending
	patch("back to pending", q, canonical.ParticipantPatch{ReferralState: &pending})
	counts(0, 0)
	s.state(t, "referral set pending", s.get(t, q).ReferralState, canonical.StatePending)
	credited := canonical.StateCredited
	patch("credit", q, canonical.ParticipantPatch{ReferralState: &credited})
	counts(1, 0)
}
