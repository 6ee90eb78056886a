package irefer_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// countReferrers counts the requests for the referrers list.
type countReferrers struct{ n atomic.Int64 }

func (c *countReferrers) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/referrers") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestPagingFetchesTheListOnce: iRefer's referrers list is unpaged, so a
// listing fetches it once and pages through that snapshot; a new listing
// (no cursor) fetches it again.
func TestPagingFetchesTheListOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.IRefer}})
	tn := srv.NewTenant(t, "acme", canonical.Campaign{})
	for i := range 23 {
		if _, _, err := tn.Backend.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{
			CampaignID: tn.Campaign.ID, Email: fmt.Sprintf("p%d@example.com", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	counter := &countReferrers{}
	campaign := irefer.NewIDs(srv.Engine.IDSecret()).EncodeID(irefer.KindCampaign, tn.Campaign.ID)
	b, err := irefer.NewBackend(&irefer.BackendOptions{BaseURL: srv.URL, LicenseKey: tn.Secret(canonical.IRefer, canonical.LicenseKey),
		APIKey: tn.Secret(canonical.IRefer, canonical.SiteKey), CampaignID: campaign, HTTPClient: &http.Client{Transport: counter}})
	if err != nil {
		t.Fatal(err)
	}
	list := func() int {
		n := 0
		q := canonical.ParticipantQuery{CampaignID: campaign, ListOptions: canonical.ListOptions{Limit: 5}}
		for {
			page, err := b.ListParticipants(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Items)
			if page.NextCursor == "" {
				return n
			}
			q.Cursor = page.NextCursor
		}
	}
	if n := list(); n != 23 {
		t.Fatalf("listed %d participants, want 23", n)
	}
	if got := counter.n.Load(); got != 1 {
		t.Fatalf("5 pages fetched the referrers list %d times, want once", got)
	}
	if _, _, err := b.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: campaign, Email: "new@example.com"}}); err != nil {
		t.Fatal(err)
	}
	before := counter.n.Load()
	if n := list(); n != 24 {
		t.Fatalf("after a signup the listing has %d participants, want 24", n)
	}
	if got := counter.n.Load() - before; got != 1 {
		t.Fatalf("a new listing fetched the list %d times, want once", got)
	}
}
