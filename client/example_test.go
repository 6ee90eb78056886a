package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
)

// exampleDB returns a fresh SQLite path and a cleanup.
func exampleDB() (string, func()) {
	dir, err := os.MkdirTemp("", "refbridge-example")
	if err != nil {
		panic(err)
	}
	return filepath.Join(dir, "refbridge.db"), func() { os.RemoveAll(dir) }
}

// Open a client on refbridge's own engine, in-process on a SQLite file.
// A vendor URL such as "growsurf://" (key from GROWSURF_API_KEY) opens
// the same Client over that vendor instead.
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
