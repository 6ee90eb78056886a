// Package storetest is the one conformance suite every store.Store
// implementation passes: Run it from the implementation's tests with a
// function that opens a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// Opener opens a fresh, empty store for one test; it registers its own
// cleanup with t.
type Opener func(t *testing.T) store.Store

// Run runs the suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"AccountsAndCredentials", testAccounts},
		{"Campaigns", testCampaigns},
		{"Rules", testRules},
		{"Participants", testParticipants},
		{"ParticipantPaging", testParticipantPaging},
		{"Leaderboard", testLeaderboard},
		{"MonthBoard", testMonthBoard},
		{"Links", testLinks},
		{"Referrals", testReferrals},
		{"Rewards", testRewards},
		{"Transactions", testTransactions},
		{"CommissionsAndPayouts", testCommissions},
		{"Coupons", testCoupons},
		{"CountersAndSets", testCounters},
		{"RankNodes", testRankNodes},
		{"Aliases", testAliases},
		{"EventLog", testEventLog},
		{"WebhookEndpoints", testWebhookEndpoints},
		{"FanOut", testFanOut},
		{"BatchAppend", testBatchAppend},
		{"DeliveryClaims", testClaims},
		{"Replay", testReplay},
		{"ConcurrentClaims", testConcurrentClaims},
		{"LockEndpoint", testLockEndpoint},
		{"LockEndpointLetsDeliveriesIn", testLockEndpointLetsDeliveriesIn},
		{"EventByID", testEventByID},
		{"LeaseRun", testLeaseRun},
		{"RecordClaimed", testRecordClaimed},
		{"RecordClaimedRun", testRecordClaimedRun},
		{"Rollback", testRollback},
		{"CancelledWrites", testCancelledWrites},
		{"TenantIsolation", testIsolation},
		{"SerializedCampaignWrites", testSerialized},
		{"DeleteCascades", testDeleteCascades},
		{"ConcurrentWritersFailIndependently", testIndependentFailures},
		{"BulkLoads", testBulk},
		{"Wipe", testWipe},
		{"Settings", testSettings},
		{"RankNodesStayExact", testRankNodesStayExact},
		{"WholeTrees", testWholeTrees},
		{"RefusesUnreadable", testRefusesUnreadable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// update runs fn in a transaction and fails the test on error.
func update(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func id(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

// fixture is an account with one campaign.
type fixture struct {
	account, campaign int64
}

func newFixture(t *testing.T, s store.Store) fixture {
	t.Helper()
	var f fixture
	update(t, s, func(tx store.Tx) error {
		a := canonical.Account{Name: "acme", CreatedAt: t0}
		if err := tx.InsertAccount(context.Background(), &a); err != nil {
			return err
		}
		c := canonical.Campaign{Name: "spring", Status: canonical.CampaignActive, CreatedAt: t0}
		if err := tx.InsertCampaign(context.Background(), id(a.ID), &c); err != nil {
			return err
		}
		f = fixture{id(a.ID), id(c.ID)}
		return nil
	})
	return f
}

// addParticipant inserts a participant with the next ordinal.
func (f fixture) addParticipant(t *testing.T, s store.Store, email string, referrals int64) store.Participant {
	t.Helper()
	var p store.Participant
	update(t, s, func(tx store.Tx) error {
		ctx := context.Background()
		ord, err := tx.NextOrdinal(ctx, f.account, f.campaign)
		if err != nil {
			return err
		}
		p = store.Participant{Ord: ord, Referrals: referrals}
		p.CampaignID, p.Email, p.CreatedAt = fmt.Sprint(f.campaign), email, t0.Add(time.Duration(ord)*time.Minute)
		return tx.InsertParticipant(ctx, f.account, &p)
	})
	return p
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func testAccounts(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	cred := canonical.Credential{AccountID: fmt.Sprint(f.account), Vendor: canonical.GrowSurf, Kind: canonical.APIKey, CreatedAt: t0}
	update(t, s, func(tx store.Tx) error { return tx.InsertCredential(ctx, &cred, "hash-1") })
	if cred.ID == "" {
		t.Fatal("credential ID not set")
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		dup := canonical.Credential{AccountID: fmt.Sprint(f.account), Vendor: canonical.GrowSurf, Kind: canonical.APIKey, CreatedAt: t0}
		return tx.InsertCredential(ctx, &dup, "hash-1")
	})
	wantErr(t, err, store.ErrConflict)
	// The same hash under another vendor is a different credential.
	update(t, s, func(tx store.Tx) error {
		other := canonical.Credential{AccountID: fmt.Sprint(f.account), Vendor: canonical.IRefer, Kind: canonical.LicenseKey,
			CampaignID: fmt.Sprint(f.campaign), CreatedAt: t0}
		return tx.InsertCredential(ctx, &other, "hash-1")
	})
	view(t, s, func(tx store.Tx) error {
		a, err := tx.GetAccount(ctx, f.account)
		if err != nil || a.Name != "acme" || !a.CreatedAt.Equal(t0) {
			t.Errorf("GetAccount = %+v, %v", a, err)
		}
		got, err := tx.FindCredential(ctx, canonical.IRefer, canonical.LicenseKey, "hash-1")
		if err != nil || got.AccountID != fmt.Sprint(f.account) || got.CampaignID != fmt.Sprint(f.campaign) {
			t.Errorf("FindCredential = %+v, %v", got, err)
		}
		_, err = tx.FindCredential(ctx, canonical.GrowSurf, canonical.APIKey, "nope")
		wantErr(t, err, store.ErrNotFound)
		list, err := tx.ListCredentials(ctx, f.account)
		if err != nil || len(list) != 2 || list[0].ID != cred.ID {
			t.Errorf("ListCredentials = %+v, %v", list, err)
		}
		accounts, err := tx.ListAccounts(ctx)
		if err != nil || len(accounts) != 1 {
			t.Errorf("ListAccounts = %+v, %v", accounts, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteCredential(ctx, f.account, id(cred.ID)) })
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteCredential(ctx, f.account, id(cred.ID)) })
	wantErr(t, err, store.ErrNotFound)
}

func testCampaigns(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var second canonical.Campaign
	update(t, s, func(tx store.Tx) error {
		second = canonical.Campaign{Name: "autumn", Status: canonical.CampaignDraft, Currency: "EUR", CreatedAt: t0,
			Rules: []canonical.RewardRule{{Title: "not stored with the campaign"}}}
		second.Native.Set(canonical.GrowSurf, "companyName", "Acme")
		return tx.InsertCampaign(ctx, f.account, &second)
	})
	update(t, s, func(tx store.Tx) error {
		c, err := tx.LockCampaign(ctx, f.account, id(second.ID))
		if err != nil {
			return err
		}
		if c.Name != "autumn" || c.Currency != "EUR" || c.Native.String(canonical.GrowSurf, "companyName") != "Acme" || c.Rules != nil {
			t.Errorf("LockCampaign = %+v", c)
		}
		c.Name, c.Status = "fall", canonical.CampaignDeleted
		return tx.UpdateCampaign(ctx, f.account, &c)
	})
	update(t, s, func(tx store.Tx) error {
		for want := int64(1); want <= 3; want++ {
			n, err := tx.NextOrdinal(ctx, f.account, f.campaign)
			if err != nil || n != want {
				t.Errorf("NextOrdinal = %d, %v; want %d", n, err, want)
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		c, err := tx.GetCampaign(ctx, f.account, id(second.ID))
		if err != nil || c.Name != "fall" || c.Status != canonical.CampaignDeleted {
			t.Errorf("GetCampaign after update = %+v, %v", c, err)
		}
		list, err := tx.ListCampaigns(ctx, f.account, 0, 10)
		if err != nil || len(list) != 1 || list[0].ID != fmt.Sprint(f.campaign) {
			t.Errorf("ListCampaigns (deleted omitted) = %+v, %v", list, err)
		}
		_, err = tx.GetCampaign(ctx, f.account, 999999)
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
}

func testRules(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	camp := fmt.Sprint(f.campaign)
	var rules []canonical.RewardRule
	update(t, s, func(tx store.Tx) error {
		for i, title := range []string{"third", "first", "second"} {
			r := canonical.RewardRule{CampaignID: camp, Kind: canonical.Milestone, Title: title, Order: []int{3, 1, 2}[i], Threshold: i + 1}
			if err := tx.InsertRule(ctx, f.account, &r); err != nil {
				return err
			}
			rules = append(rules, r)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		r := rules[1]
		r.Title = "first!"
		if err := tx.UpdateRule(ctx, f.account, &r); err != nil {
			return err
		}
		return tx.DeleteRule(ctx, f.account, id(rules[2].ID))
	})
	view(t, s, func(tx store.Tx) error {
		list, err := tx.ListRules(ctx, f.account, f.campaign)
		if err != nil {
			return err
		}
		var titles []string
		for _, r := range list {
			titles = append(titles, r.Title)
		}
		if !slices.Equal(titles, []string{"first!", "third"}) {
			t.Errorf("rules in order = %v", titles)
		}
		r, err := tx.GetRule(ctx, f.account, id(rules[0].ID))
		if err != nil || r.Threshold != 1 || r.Kind != canonical.Milestone {
			t.Errorf("GetRule = %+v, %v", r, err)
		}
		return nil
	})
}

// testWipe: Wipe leaves every table empty and the store usable.
func testWipe(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	f.addParticipant(t, s, "ann@example.com", 0)
	cred := canonical.Credential{AccountID: fmt.Sprint(f.account), Vendor: canonical.GrowSurf, Kind: canonical.APIKey, CreatedAt: t0}
	update(t, s, func(tx store.Tx) error { return tx.InsertCredential(ctx, &cred, "wipe-hash") })
	update(t, s, func(tx store.Tx) error { return tx.Wipe(ctx) })
	view(t, s, func(tx store.Tx) error {
		accounts, err := tx.ListAccounts(ctx)
		if err != nil || len(accounts) != 0 {
			t.Errorf("after Wipe, ListAccounts = %+v, %v", accounts, err)
		}
		_, err = tx.FindCredential(ctx, canonical.GrowSurf, canonical.APIKey, "wipe-hash")
		wantErr(t, err, store.ErrNotFound)
		_, err = tx.GetCampaign(ctx, f.account, f.campaign)
		wantErr(t, err, store.ErrNotFound)
		return nil
	})
	g := newFixture(t, s)
	g.addParticipant(t, s, "ann@example.com", 0)
}
