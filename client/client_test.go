package client_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
)

// spy is a backend that records whether it was called.
type spy struct {
	canonical.Backend
	called  bool
	seek    bool
	offsets []int
}

func (s *spy) Capabilities() canonical.Capabilities {
	c := canonical.Capabilities{Backend: "spy", Operations: canonical.AllOperations()}
	if s.seek {
		c.Seek = []canonical.Operation{"ListParticipants"}
	}
	return c
}

func (s *spy) CreateParticipant(context.Context, canonical.NewParticipant) (canonical.Participant, bool, error) {
	s.called = true
	return canonical.Participant{}, false, canonical.Errorf(canonical.Conflict, "code taken")
}

func (s *spy) ListParticipants(_ context.Context, q canonical.ParticipantQuery) (canonical.Page[canonical.Participant], error) {
	s.called = true
	s.offsets = append(s.offsets, q.Offset)
	// Three pages of two, then one.
	next := map[string]string{"": "a", "a": "b", "b": "c", "c": ""}
	n := 2
	if q.Cursor == "c" {
		n = 1
	}
	items := make([]canonical.Participant, n)
	for i := range items {
		items[i].ID = q.Cursor + string(rune('0'+i))
	}
	return canonical.Page[canonical.Participant]{Items: items, NextCursor: next[q.Cursor], Total: -1}, nil
}

func TestValidationHappensBeforeTheBackend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   canonical.NewParticipant
	}{
		{"no campaign", canonical.NewParticipant{Participant: canonical.Participant{Email: "a@example.com"}}},
		{"no identity", canonical.NewParticipant{Participant: canonical.Participant{CampaignID: "1"}}},
		{"bad email", canonical.NewParticipant{Participant: canonical.Participant{CampaignID: "1", Email: "not-an-email"}}},
		{"display name", canonical.NewParticipant{Participant: canonical.Participant{CampaignID: "1", Email: "Ann <a@example.com>"}}},
	}
	for _, tt := range tests {
		s := &spy{}
		_, _, err := client.New(s).CreateParticipant(context.Background(), tt.in)
		if canonical.CodeOf(err) != canonical.Invalid || s.called {
			t.Errorf("%s: err %v, backend called %v; want Invalid without a call", tt.name, err, s.called)
		}
	}
}

func TestErrorsKeepTheirCodeAndGainTheOperation(t *testing.T) {
	t.Parallel()
	s := &spy{}
	_, _, err := client.New(s).CreateParticipant(context.Background(), canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: "1", Email: " ann@example.com "}})
	if !s.called {
		t.Fatal("a valid call did not reach the backend")
	}
	if canonical.CodeOf(err) != canonical.Conflict || canonical.MessageOf(err) != "CreateParticipant: code taken" {
		t.Fatalf("err = %v (code %s, message %q)", err, canonical.CodeOf(err), canonical.MessageOf(err))
	}
	var inner *canonical.Error
	if !errors.As(err, &inner) {
		t.Fatal("the canonical error is not reachable")
	}
}

func TestParticipantsIteratesEveryPage(t *testing.T) {
	t.Parallel()
	var ids []string
	for p, err := range client.New(&spy{}).Participants(context.Background(), canonical.ParticipantQuery{CampaignID: "1"}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if len(ids) != 7 || ids[0] != "0" || ids[6] != "c0" {
		t.Fatalf("iterated %v, want the 7 items of 4 pages in order", ids)
	}
	// Breaking out stops the paging.
	n := 0
	for range client.New(&spy{}).Participants(context.Background(), canonical.ParticipantQuery{CampaignID: "1"}) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("break after 3 gave %d", n)
	}
}

func TestOpenEngine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sdk.db")
	c, err := client.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	camp, err := c.CreateCampaign(ctx, canonical.Campaign{Name: " Spring ", Status: canonical.CampaignActive})
	if err != nil || camp.Name != "Spring" {
		t.Fatalf("create campaign: %+v, %v", camp, err)
	}
	if _, _, err := c.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp.ID, Email: "ann@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened, the only account is chosen, and the data is there.
	c, err = client.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := c.GetParticipant(ctx, camp.ID, canonical.ByEmail("ann@example.com"))
	if err != nil || p.Email != "ann@example.com" {
		t.Fatalf("after reopening: %+v, %v", p, err)
	}
	if _, err := client.Open(ctx, "sqlite://"+path+"?account=42"); canonical.CodeOf(err) != canonical.NotFound {
		t.Fatalf("unknown account: %v", err)
	}
	for _, bad := range []string{"ftp://x", "sqlite://", "::"} {
		if _, err := client.Open(ctx, bad); canonical.CodeOf(err) != canonical.Invalid {
			t.Errorf("Open(%q) = %v, want Invalid", bad, err)
		}
	}
}

func TestOffsetOnlyWhereTheBackendSeeks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := canonical.ParticipantQuery{CampaignID: "1", ListOptions: canonical.ListOptions{Offset: 3}}
	plain := &spy{}
	if _, err := client.New(plain).ListParticipants(ctx, q); canonical.CodeOf(err) != canonical.NotImplemented || plain.called {
		t.Errorf("offset on a backend that does not seek: %v, called %v; want NotImplemented without a call", err, plain.called)
	}
	q.Offset = -1
	seeker := &spy{seek: true}
	if _, err := client.New(seeker).ListParticipants(ctx, q); canonical.CodeOf(err) != canonical.Invalid || seeker.called {
		t.Errorf("negative offset: %v, called %v; want Invalid without a call", err, seeker.called)
	}
	// The iterator passes the offset to the first page only; later pages
	// continue from the cursor.
	q.Offset = 3
	n := 0
	for _, err := range client.New(seeker).Participants(ctx, q) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if want := []int{3, 0, 0, 0}; n != 7 || !slices.Equal(seeker.offsets, want) {
		t.Errorf("iterated %d items with offsets %v; want 7 with %v", n, seeker.offsets, want)
	}
}
