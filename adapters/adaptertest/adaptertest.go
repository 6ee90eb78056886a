// Package adaptertest is the one conformance suite of the canonical
// Backend contract, in the style of go-cloud's drivertest: every
// implementation — the native engine, and each vendor's outbound backend
// pointed at refbridge's proxy serving that vendor — runs the same
// behaviours through RunConformanceTests.
//
// A behaviour that needs operations a backend's Capabilities do not list
// is skipped for it; instead, the suite checks that every unlisted
// operation answers NotImplemented without any I/O.
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

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Harness is one backend under test.
type Harness interface {
	// Backend is the backend under test, acting for a fresh account that
	// has the campaign Campaign describes.
	Backend() canonical.Backend
	// CampaignID is that campaign's ID as Backend knows it.
	CampaignID() string
	// Calls is how many requests (HTTP round trips, store transactions)
	// the backend has made so far.
	Calls() int
	// Close releases the harness.
	Close()
}

// HarnessMaker makes a fresh harness for one behaviour.
type HarnessMaker func(ctx context.Context, t *testing.T) (Harness, error)

// Campaign is the campaign every harness sets up: active, crediting
// referrals at signup, with a single-sided reward rule earned at one
// credited referral.
func Campaign() canonical.Campaign {
	return canonical.Campaign{
		Name:          "Conformance",
		Status:        canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup,
		Currency:      "USD",
		URL:           "https://shop.example.com",
		Rules: []canonical.RewardRule{{
			Kind:          canonical.SingleSided,
			Title:         "Friend bonus",
			Threshold:     1,
			Unlimited:     true,
			Visible:       true,
			ReferrerValue: canonical.Money{Amount: 1000, Currency: "USD"},
		}},
	}
}

// behaviour is one conformance check.
type behaviour struct {
	name  string
	needs []canonical.Operation
	run   func(t *testing.T, s *suite)
}

// suite is one behaviour's running state.
type suite struct {
	ctx  context.Context
	h    Harness
	b    canonical.Backend
	camp string
	seq  int
	mu   sync.Mutex
}

// email returns a fresh address for this behaviour.
func (s *suite) email(who string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("%s%d@conformance.example.com", who, s.seq)
}

var behaviours = []behaviour{
	{"UnsupportedOperationsDoNoIO", nil, testUnsupported},
	{"CreateAndGetParticipant", ops("CreateParticipant", "GetParticipant"), testCreateGet},
	{"IdempotentCreate", ops("CreateParticipant"), testIdempotent},
	{"ConcurrentDuplicateCreates", ops("CreateParticipant"), testConcurrentCreates},
	{"ListParticipantsAcrossPages", ops("CreateParticipant", "ListParticipants"), testPaging},
	{"UpdateParticipant", ops("CreateParticipant", "UpdateParticipant", "GetParticipant"), testUpdate},
	{"DeleteParticipant", ops("CreateParticipant", "DeleteParticipant", "GetParticipant"), testDelete},
	{"NotFound", ops("GetParticipant"), testNotFound},
	{"ReferralAttribution", ops("CreateParticipant", "GetParticipant"), testAttribution},
	{"ReferralsListed", ops("CreateParticipant", "ListReferrals"), testReferralsListed},
	{"RewardEarnedAndApproved", ops("CreateParticipant", "ListEarnedRewards"), testRewards},
	{"EmailConflict", ops("CreateParticipant", "UpdateParticipant"), testConflict},
	{"CampaignReadable", ops("GetCampaign"), testCampaign},
	{"SeekByOffset", ops("CreateParticipant", "ListParticipants", "ListReferrals"), testSeek},
}

func ops(names ...string) []canonical.Operation {
	out := make([]canonical.Operation, len(names))
	for i, n := range names {
		out[i] = canonical.Operation(n)
	}
	return out
}

// RunConformanceTests runs every behaviour against fresh harnesses.
func RunConformanceTests(t *testing.T, newHarness HarnessMaker) {
	t.Helper()
	for _, bh := range behaviours {
		t.Run(bh.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h, err := newHarness(ctx, t)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			caps := h.Backend().Capabilities()
			for _, op := range bh.needs {
				if !caps.Supports(op) {
					t.Skipf("%s does not support %s", caps.Backend, op)
				}
			}
			bh.run(t, &suite{ctx: ctx, h: h, b: h.Backend(), camp: h.CampaignID()})
		})
	}
}

// code fails t unless err carries the canonical code want.
func code(t *testing.T, what string, err error, want canonical.Code) {
	t.Helper()
	if got := canonical.CodeOf(err); got != want {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, want)
	}
}

func (s *suite) create(t *testing.T, email string, referrer canonical.ParticipantRef) canonical.Participant {
	t.Helper()
	p, _, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: s.camp, Email: email, FirstName: "Conf", LastName: "Ormance"},
		Referrer:    referrer,
	})
	if !referrer.IsZero() && canonical.CodeOf(err) == canonical.NotImplemented {
		// The contract lets a backend whose API cannot attribute
		// referrals (Rewardful's affiliates have no referrer) refuse a
		// referred create.
		t.Skipf("%s cannot attribute referrals: %v", s.b.Capabilities().Backend, err)
	}
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	if p.ID == "" || !strings.EqualFold(p.Email, email) {
		t.Fatalf("create %s: got ID %q, email %q", email, p.ID, p.Email)
	}
	return p
}

// testUnsupported calls every operation Capabilities leaves out, with
// zero arguments, and expects NotImplemented and no I/O.
func testUnsupported(t *testing.T, s *suite) {
	caps := s.b.Capabilities()
	v := reflect.ValueOf(s.b)
	for _, op := range caps.Unsupported() {
		m := v.MethodByName(string(op))
		if !m.IsValid() {
			t.Errorf("%s: no method %s", caps.Backend, op)
			continue
		}
		before := s.h.Calls()
		args := make([]reflect.Value, m.Type().NumIn())
		for i := range args {
			at := m.Type().In(i)
			if at == reflect.TypeFor[context.Context]() {
				args[i] = reflect.ValueOf(s.ctx)
			} else {
				args[i] = reflect.Zero(at)
			}
		}
		out := m.Call(args)
		err, _ := out[len(out)-1].Interface().(error)
		if canonical.CodeOf(err) != canonical.NotImplemented {
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

func testCreateGet(t *testing.T, s *suite) {
	email := s.email("ann")
	p, created, err := s.b.CreateParticipant(s.ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: s.camp, Email: email, FirstName: "Ann", LastName: "Lee"}})
	if err != nil {
		t.Fatal(err)
	}
	if !created || p.ID == "" || !strings.EqualFold(p.Email, email) {
		t.Fatalf("create: created=%v %+v", created, p)
	}
	got, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	if err != nil {
		t.Fatalf("get by ID: %v", err)
	}
	if got.ID != p.ID || !strings.EqualFold(got.Email, email) {
		t.Fatalf("get by ID %s: %+v", p.ID, got)
	}
	byEmail, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByEmail(email))
	if canonical.CodeOf(err) == canonical.NotImplemented {
		return
	}
	if err != nil || byEmail.ID != p.ID {
		t.Fatalf("get by email: %+v, %v", byEmail, err)
	}
	if p.ReferralCode != "" {
		byCode, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByCode(p.ReferralCode))
		if canonical.CodeOf(err) != canonical.NotImplemented && (err != nil || byCode.ID != p.ID) {
			t.Fatalf("get by code %q: %+v, %v", p.ReferralCode, byCode, err)
		}
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
		p := s.create(t, s.email(fmt.Sprintf("page%d-", i)), canonical.ParticipantRef{})
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
	p := s.create(t, s.email("dee"), canonical.ParticipantRef{})
	name := "Delia"
	got, err := s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(p.ID), canonical.ParticipantPatch{FirstName: &name})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if got.FirstName != name {
		t.Fatalf("update answered FirstName %q", got.FirstName)
	}
	again, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if again.FirstName != name || !strings.EqualFold(again.Email, p.Email) {
		t.Fatalf("after update: %+v", again)
	}
}

func testDelete(t *testing.T, s *suite) {
	p := s.create(t, s.email("eve"), canonical.ParticipantRef{})
	if _, err := s.b.DeleteParticipant(s.ctx, s.camp, canonical.ByID(p.ID)); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	code(t, "get after delete", err, canonical.NotFound)
	_, err = s.b.DeleteParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	code(t, "delete twice", err, canonical.NotFound)
}

func testNotFound(t *testing.T, s *suite) {
	_, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByEmail("nobody-at-all@conformance.example.com"))
	if canonical.CodeOf(err) != canonical.NotImplemented {
		code(t, "unknown email", err, canonical.NotFound)
	}
	for _, id := range []string{"999999999", "zzzzzz", "sub_000000000000", "00000000-0000-4000-8000-000000000000"} {
		_, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(id))
		code(t, "unknown ID "+id, err, canonical.NotFound)
	}
}

// referrerRef is how a new participant names p as referrer: by code
// when the backend shows one, else by ID.
func referrerRef(p canonical.Participant) canonical.ParticipantRef {
	if p.ReferralCode != "" {
		return canonical.ByCode(p.ReferralCode)
	}
	return canonical.ByID(p.ID)
}

func testAttribution(t *testing.T, s *suite) {
	p := s.create(t, s.email("pat"), canonical.ParticipantRef{})
	q := s.create(t, s.email("quinn"), referrerRef(p))
	if q.ReferrerID != "" && q.ReferrerID != p.ID {
		t.Fatalf("referred participant's ReferrerID %q, want %q", q.ReferrerID, p.ID)
	}
	got, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(p.ID))
	if err != nil {
		t.Fatalf("get referrer: %v", err)
	}
	if got.Stats.Referrals != 1 {
		t.Fatalf("referrer's Stats.Referrals = %d after one referred signup, want 1 (credited at signup)", got.Stats.Referrals)
	}
	again, err := s.b.GetParticipant(s.ctx, s.camp, canonical.ByID(q.ID))
	if err != nil {
		t.Fatalf("get referred: %v", err)
	}
	if again.ReferrerID != "" && again.ReferrerID != p.ID {
		t.Fatalf("referred participant read back with ReferrerID %q, want %q", again.ReferrerID, p.ID)
	}
}

func testReferralsListed(t *testing.T, s *suite) {
	p := s.create(t, s.email("rae"), canonical.ParticipantRef{})
	q := s.create(t, s.email("sam"), referrerRef(p))
	page, err := s.b.ListReferrals(s.ctx, canonical.ReferralQuery{CampaignID: s.camp, ReferrerID: p.ID})
	if err != nil {
		t.Fatalf("list referrals: %v", err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("referrals of %s: %+v, want one", p.ID, page.Items)
	}
	r := page.Items[0]
	if r.ReferrerID != "" && r.ReferrerID != p.ID {
		t.Fatalf("referral's ReferrerID %q, want %q", r.ReferrerID, p.ID)
	}
	if r.ReferredID != "" && r.ReferredID != q.ID && !strings.EqualFold(r.Email, q.Email) {
		t.Fatalf("referral names %q / %q, want %s", r.ReferredID, r.Email, q.ID)
	}
	if r.State != "" && r.State != canonical.StateCredited {
		t.Fatalf("referral state %q, want credited (the campaign credits at signup)", r.State)
	}
}

func testRewards(t *testing.T, s *suite) {
	p := s.create(t, s.email("tia"), canonical.ParticipantRef{})
	s.create(t, s.email("uma"), referrerRef(p))
	page, err := s.b.ListEarnedRewards(s.ctx, canonical.RewardQuery{CampaignID: s.camp, ParticipantID: p.ID})
	if err != nil {
		t.Fatalf("list rewards: %v", err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("rewards of the referrer after one credited referral: %+v, want one", page.Items)
	}
	rw := page.Items[0]
	if rw.Status != canonical.RewardPending && rw.Status != canonical.RewardApproved {
		t.Fatalf("new reward status %q, want pending or approved", rw.Status)
	}
	if !s.b.Capabilities().Supports("ApproveReward") || rw.Status != canonical.RewardPending {
		return
	}
	ok, err := s.b.ApproveReward(s.ctx, rw.ID, false)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if ok.Status != canonical.RewardApproved {
		t.Fatalf("approved reward status %q", ok.Status)
	}
	_, err = s.b.ApproveReward(s.ctx, rw.ID, false)
	code(t, "approve twice", err, canonical.Conflict)
}

func testConflict(t *testing.T, s *suite) {
	a := s.create(t, s.email("vic"), canonical.ParticipantRef{})
	b := s.create(t, s.email("wes"), canonical.ParticipantRef{})
	taken := a.Email
	_, err := s.b.UpdateParticipant(s.ctx, s.camp, canonical.ByID(b.ID), canonical.ParticipantPatch{Email: &taken})
	if canonical.CodeOf(err) == canonical.NotImplemented {
		t.Skip("email changes are not supported")
	}
	code(t, "take another participant's email", err, canonical.Conflict)
	var ce *canonical.Error
	if !errors.As(err, &ce) || ce.Message == "" {
		t.Fatalf("conflict error without a message: %v", err)
	}
}

func testCampaign(t *testing.T, s *suite) {
	c, err := s.b.GetCampaign(s.ctx, s.camp)
	if err != nil {
		t.Fatalf("get campaign: %v", err)
	}
	if c.ID != s.camp || c.Name != Campaign().Name {
		t.Fatalf("campaign %+v, want ID %q named %q", c, s.camp, Campaign().Name)
	}
	_, err = s.b.GetCampaign(s.ctx, "unknown-campaign-0")
	code(t, "unknown campaign", err, canonical.NotFound)
}

// testSeek checks, for the participant and referral lists a backend
// seeks, that a page at an offset is that slice of the cursor walk and
// that Total counts the whole list.
func testSeek(t *testing.T, s *suite) {
	caps := s.b.Capabilities()
	if !caps.Seeks("ListParticipants") && !caps.Seeks("ListReferrals") {
		t.Skipf("%s seeks neither list", caps.Backend)
	}
	for _, op := range caps.Seek {
		if !caps.Supports(op) {
			t.Errorf("%s seeks %s, which it does not support", caps.Backend, op)
		}
	}
	root := s.create(t, s.email("root"), canonical.ParticipantRef{})
	for i := range 5 {
		s.create(t, s.email(fmt.Sprintf("seek%d-", i)), referrerRef(root))
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
