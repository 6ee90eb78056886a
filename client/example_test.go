package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/refbridge/refbridge/adapters/all"
	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
	"github.com/refbridge/refbridge/proxy"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// exampleDB returns a fresh SQLite path and a cleanup.
func exampleDB() (string, func()) {
	dir, err := os.MkdirTemp("", "refbridge-example")
	if err != nil {
		panic(err)
	}
	return filepath.Join(dir, "refbridge.db"), func() { os.RemoveAll(dir) }
}

// Open a client on refbridge's own engine, in-process on a SQLite file;
// the program imports _ "github.com/refbridge/refbridge/client/engineclient",
// which registers sqlite://. A vendor URL such as "growsurf://" (key from
// GROWSURF_API_KEY, registered by client/growsurfclient) opens the same
// Client over that vendor instead.
func ExampleOpen() {
	ctx := context.Background()
	path, cleanup := exampleDB()
	defer cleanup()

	c, err := client.Open(ctx, "sqlite://"+path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	fmt.Println(c.Capabilities().Backend)
	// Output: engine
}

// Create a participant referred by another one, by referral code.
func ExampleClient_CreateParticipant() {
	ctx := context.Background()
	path, cleanup := exampleDB()
	defer cleanup()
	c, err := client.Open(ctx, "sqlite://"+path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	camp, err := c.CreateCampaign(ctx, canonical.Campaign{Name: "Spring", Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup})
	if err != nil {
		fmt.Println(err)
		return
	}
	ann, _, err := c.CreateParticipant(ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: camp.ID, Email: "ann@example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	bo, created, err := c.CreateParticipant(ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: camp.ID, Email: "bo@example.com"},
		Referrer:    canonical.ByCode(ann.ReferralCode),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ann, err = c.GetParticipant(ctx, camp.ID, canonical.ByID(ann.ID))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(created, bo.ReferrerID == ann.ID, ann.Stats.Referrals)
	// Output: true true 1
}

// List every participant with an iterator; the client fetches the pages.
func ExampleClient_Participants() {
	ctx := context.Background()
	path, cleanup := exampleDB()
	defer cleanup()
	c, err := client.Open(ctx, "sqlite://"+path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	camp, err := c.CreateCampaign(ctx, canonical.Campaign{Name: "Spring", Status: canonical.CampaignActive})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, email := range []string{"ann@example.com", "bo@example.com", "cy@example.com"} {
		if _, _, err := c.CreateParticipant(ctx, canonical.NewParticipant{
			Participant: canonical.Participant{CampaignID: camp.ID, Email: email}}); err != nil {
			fmt.Println(err)
			return
		}
	}
	q := canonical.ParticipantQuery{CampaignID: camp.ID, Sort: canonical.SortOldest,
		ListOptions: canonical.ListOptions{Limit: 2}} // two per page
	for p, err := range c.Participants(ctx, q) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p.Email)
	}
	// Output:
	// ann@example.com
	// bo@example.com
	// cy@example.com
}

// The same code runs over any backend: here refbridge's engine
// in-process, then GrowSurf's API (served by a refbridge proxy on
// loopback, as the real api.growsurf.com would be addressed with
// "growsurf://" and GROWSURF_API_KEY).
func Example_switchVendor() {
	ctx := context.Background()
	path, cleanup := exampleDB()
	defer cleanup()
	growsurfURL, stop := startGrowSurfProxy()
	defer stop()

	for _, url := range []string{"sqlite://" + path, growsurfURL} {
		c, err := client.Open(ctx, url)
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := referAFriend(ctx, c); err != nil {
			fmt.Println(err)
		}
		c.Close()
	}
	// Output:
	// engine: ann@example.com referred 1
	// growsurf: ann@example.com referred 1
}

// referAFriend runs a small program on whatever backend c is.
func referAFriend(ctx context.Context, c *client.Client) error {
	camp, err := c.CreateCampaign(ctx, canonical.Campaign{Name: "Spring", Status: canonical.CampaignActive,
		Qualification: canonical.QualifyOnSignup})
	if err != nil {
		return err
	}
	ann, _, err := c.CreateParticipant(ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: camp.ID, Email: "ann@example.com"}})
	if err != nil {
		return err
	}
	if _, _, err := c.CreateParticipant(ctx, canonical.NewParticipant{
		Participant: canonical.Participant{CampaignID: camp.ID, Email: "bo@example.com"},
		Referrer:    canonical.ByID(ann.ID),
	}); err != nil {
		return err
	}
	ann, err = c.GetParticipant(ctx, camp.ID, canonical.ByEmail("ann@example.com"))
	if err != nil {
		return err
	}
	fmt.Printf("%s: %s referred %d\n", c.Capabilities().Backend, ann.Email, ann.Stats.Referrals)
	return nil
}

// startGrowSurfProxy serves refbridge's GrowSurf surface on loopback over
// a fresh engine and returns a client URL with a valid key.
func startGrowSurfProxy() (string, func()) {
	ctx := context.Background()
	path, cleanup := exampleDB()
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		panic(err)
	}
	eng := engine.New(st, nil)
	acct, err := eng.CreateAccount(ctx, "example")
	if err != nil {
		panic(err)
	}
	cred, err := eng.IssueCredential(ctx, canonical.Credential{AccountID: acct.ID, Vendor: canonical.GrowSurf, Kind: canonical.APIKey})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(proxy.New(eng, all.Surfaces(), nil))
	u := strings.TrimPrefix(srv.URL, "http://")
	return "growsurf://" + cred.Secret + "@" + u + "/v2?insecure=true", func() {
		srv.Close()
		st.Close()
		cleanup()
	}
}
