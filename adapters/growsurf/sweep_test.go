package growsurf_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/openapi"
)

// campaignID finds the GrowSurf id of a program by name.
func (h *harness) campaignID(name string) string {
	h.t.Helper()
	r := must(h.t, h.do("GET", "/campaigns", nil), 200, "list campaigns")
	for _, c := range r.get("campaigns").([]any) {
		m := c.(map[string]any)
		if m["name"] == name {
			return m["id"].(string)
		}
	}
	h.t.Fatalf("no program %q", name)
	return ""
}

// TestSweep calls every operation of the spec with valid input and checks
// each response against the spec.
func TestSweep(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	var hookCalls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hookCalls.Add(1)
		_, _ = w.Write([]byte("OK"))
	}))
	t.Cleanup(hook.Close)

	got := map[string]int{}
	call := func(op, method, path string, body any, want int) reply {
		t.Helper()
		r := h.do(method, path, body)
		got[op] = r.status
		if r.status != want {
			t.Errorf("%s: status %d, want %d: %s", op, r.status, want, r.raw)
		}
		return r
	}

	// Programs.
	call("listCampaigns", "GET", "/campaigns", nil, 200)
	cid := h.campaignID("Spring launch")
	// Manual approval so earned rewards wait in PENDING.
	manual := true
	if _, err := h.env.Backend.UpdateCampaign(ctx, h.env.Campaign.ID, canonical.CampaignPatch{ManualApproval: &manual}); err != nil {
		t.Fatal(err)
	}
	call("getCampaign", "GET", "/campaign/"+cid, nil, 200)
	call("updateCampaign", "PATCH", "/campaign/"+cid, map[string]any{"name": "Spring launch", "companyName": "Acme"}, 200)
	aff := call("createCampaign", "POST", "/campaigns", map[string]any{"type": "AFFILIATE", "name": "Partners", "currencyISO": "EUR",
		"rewards": []any{map[string]any{"type": "AFFILIATE", "title": "20%", "commissionStructure": map[string]any{"type": "PERCENT", "percent": 20}}}}, 200)
	affID := aff.str("id")
	call("cloneCampaign", "POST", "/campaign/"+cid+"/clone", nil, 200)

	// Reward configs, current and legacy paths.
	call("listRewardConfigs", "GET", "/campaign/"+cid+"/reward-configs", nil, 200)
	rc := call("createRewardConfig", "POST", "/campaign/"+cid+"/reward-configs", map[string]any{"type": "SINGLE_SIDED",
		"title": "Per referral", "description": "$5", "metadata": map[string]any{"sku": "FIVE"}}, 200)
	ruleID := rc.str("id")
	call("updateRewardConfig", "PATCH", "/campaign/"+cid+"/reward-configs/"+ruleID, map[string]any{"description": "$6"}, 200)
	call("listRewardConfigsLegacy", "GET", "/campaign/"+cid+"/rewards", nil, 200)
	legacy := call("createRewardConfigLegacy", "POST", "/campaign/"+cid+"/rewards", map[string]any{"type": "MILESTONE",
		"conversionsRequired": 50, "title": "Fifty"}, 200)
	call("updateRewardConfigLegacy", "PATCH", "/campaign/"+cid+"/rewards/"+legacy.str("id"), map[string]any{"title": "Fifty!"}, 200)
	call("deleteRewardConfigLegacy", "DELETE", "/campaign/"+cid+"/rewards/"+legacy.str("id"), nil, 200)

	// Participants.
	ana := call("addParticipant", "POST", "/campaign/"+cid+"/participant", map[string]any{"email": "ana@example.com", "firstName": "Ana",
		"metadata": map[string]any{"plan": "pro", "seats": 5}}, 200)
	anaID := ana.str("id")
	ben := must(t, h.do("POST", "/campaign/"+cid+"/participant", map[string]any{"email": "ben@example.com", "referredBy": "ana@example.com",
		"referralStatus": "CREDIT_PENDING"}), 200, "add ben")
	must(t, h.do("POST", "/campaign/"+cid+"/participant", map[string]any{"email": "cat@example.com", "referredBy": anaID}), 200, "add cat")
	call("createMobileParticipantToken", "POST", "/campaign/"+cid+"/mobile-participant-token", map[string]any{"email": "dan@example.com"}, 200)
	call("listParticipants", "GET", "/campaign/"+cid+"/participants?limit=2", nil, 200)
	call("getParticipant", "GET", "/campaign/"+cid+"/participant/"+esc("ana@example.com"), nil, 200)
	call("updateParticipant", "POST", "/campaign/"+cid+"/participant/"+anaID, map[string]any{"lastName": "Lima", "notes": "vip",
		"vanityKeys": []string{"ana-lima"}}, 200)
	call("getLeaderboard", "GET", "/campaign/"+cid+"/leaderboard?leaderboardType=ALL_TIME&limit=5", nil, 200)

	// Referrals and triggers.
	call("listReferrals", "GET", "/campaign/"+cid+"/referrals", nil, 200)
	call("listParticipantReferrals", "GET", "/campaign/"+cid+"/participant/"+anaID+"/referrals?desc=true", nil, 200)
	call("triggerReferral", "POST", "/campaign/"+cid+"/participant/"+ben.str("id")+"/ref", map[string]any{"delayInDays": 3}, 200)
	call("cancelReferralTrigger", "DELETE", "/campaign/"+cid+"/participant/"+ben.str("id")+"/ref", nil, 200)
	must(t, h.do("POST", "/campaign/"+cid+"/participant/"+ben.str("id")+"/ref", nil), 200, "trigger now")
	call("sendInvites", "POST", "/campaign/"+cid+"/participant/"+anaID+"/invites", map[string]any{"emailAddresses": []string{"eve@example.com"},
		"subjectText": "Join", "messageText": "Hi"}, 200)
	call("sendParticipantEmail", "POST", "/campaign/"+cid+"/participant/"+anaID+"/email", map[string]any{"emailType": "goalAchieved"}, 400)

	// Earned rewards: Ana earned one per credited referral (cat at signup,
	// ben on the trigger), both pending approval.
	rw := call("listParticipantRewards", "GET", "/campaign/"+cid+"/participant/"+anaID+"/rewards", nil, 200)
	rewards, _ := rw.get("rewards").([]any)
	if len(rewards) < 2 {
		t.Fatalf("want 2 earned rewards, got %s", rw.raw)
	}
	r1, r2 := rw.str("rewards", "0", "id"), rw.str("rewards", "1", "id")
	call("approveParticipantReward", "POST", "/campaign/"+cid+"/reward/"+r1+"/approve", map[string]any{"fulfill": false}, 200)
	call("fulfillParticipantReward", "POST", "/campaign/"+cid+"/reward/"+r1+"/fulfill", nil, 200)
	call("deleteParticipantReward", "DELETE", "/campaign/"+cid+"/reward/"+r2, nil, 200)
	call("deleteRewardConfig", "DELETE", "/campaign/"+cid+"/reward-configs/"+ruleID, nil, 200)

	// Analytics.
	call("getCampaignAnalytics", "GET", "/campaign/"+cid+"/analytics?include=statusCounts,rates", nil, 200)
	call("getParticipantAnalytics", "GET", "/campaign/"+cid+"/participant/"+anaID+"/analytics", nil, 200)
	call("listParticipantActivityLogs", "GET", "/campaign/"+cid+"/participant/"+anaID+"/activity-logs?limit=2", nil, 200)

	// Configuration objects.
	for _, area := range []string{"Design", "Emails", "Options", "Installation"} {
		path := "/campaign/" + cid + "/" + map[string]string{"Design": "design", "Emails": "emails", "Options": "options", "Installation": "installation"}[area]
		call("updateCampaign"+area, "PATCH", path, map[string]any{"theme": map[string]any{"color": "#123456"}}, 200)
		call("getCampaign"+area, "GET", path, nil, 200)
	}

	// Webhooks.
	call("listWebhooks", "GET", "/campaign/"+cid+"/webhooks", nil, 200)
	wh := call("createWebhook", "POST", "/campaign/"+cid+"/webhooks", map[string]any{"payloadUrl": hook.URL,
		"events": []string{"NEW_PARTICIPANT_ADDED"}, "secret": "s3cret"}, 200)
	call("updateWebhook", "PATCH", "/campaign/"+cid+"/webhooks/"+wh.str("id"), map[string]any{"isEnabled": true}, 200)
	tw := call("testWebhook", "POST", "/campaign/"+cid+"/webhooks/"+wh.str("id")+"/test", nil, 200)
	if tw.get("success") != true || hookCalls.Load() != 1 {
		t.Errorf("test webhook: %s (receiver called %d times)", tw.raw, hookCalls.Load())
	}
	call("deleteWebhook", "DELETE", "/campaign/"+cid+"/webhooks/"+wh.str("id"), nil, 200)

	// Affiliate program: sales, commissions, payouts. Commissions are held
	// 30 days so they start PENDING.
	affCampaign := findCampaign(t, h, "Partners")
	hold := 30
	if _, err := h.env.Backend.UpdateCampaign(ctx, affCampaign.ID, canonical.CampaignPatch{CommissionHoldDays: &hold}); err != nil {
		t.Fatal(err)
	}
	aa := must(t, h.do("POST", "/campaign/"+affID+"/participant", map[string]any{"email": "aff@example.com", "isAffiliate": true}), 200, "affiliate")
	must(t, h.do("POST", "/campaign/"+affID+"/participant", map[string]any{"email": "buyer@example.com", "referredBy": aa.str("id")}), 200, "buyer")
	call("recordTransaction", "POST", "/campaign/"+affID+"/participant/"+esc("buyer@example.com")+"/transaction",
		map[string]any{"currency": "EUR", "grossAmount": 4900, "invoiceId": "in_1"}, 200)
	must(t, h.do("POST", "/campaign/"+affID+"/participant/"+esc("buyer@example.com")+"/transaction",
		map[string]any{"currency": "EUR", "grossAmount": 1000, "invoiceId": "in_2"}), 200, "second sale")
	call("refundTransaction", "POST", "/campaign/"+affID+"/participant/"+esc("buyer@example.com")+"/transaction/refund",
		map[string]any{"amendmentType": "REFUND", "refundAmount": 900, "invoiceId": "in_1"}, 200)
	cl := call("listCommissions", "GET", "/campaign/"+affID+"/commissions", nil, 200)
	call("listParticipantCommissions", "GET", "/campaign/"+affID+"/participant/"+aa.str("id")+"/commissions?status=PENDING", nil, 200)
	call("approveCommission", "POST", "/campaign/"+affID+"/commission/"+cl.str("commissions", "0", "id")+"/approve", nil, 200)
	call("deleteCommission", "DELETE", "/campaign/"+affID+"/commission/"+cl.str("commissions", "1", "id"), nil, 200)
	call("listPayouts", "GET", "/campaign/"+affID+"/payouts", nil, 200)
	call("listParticipantPayouts", "GET", "/campaign/"+affID+"/participant/"+aa.str("id")+"/payouts", nil, 200)

	// Deletions last.
	call("bulkDeleteParticipants", "POST", "/campaign/"+cid+"/participants/bulk-delete",
		map[string]any{"participants": []string{"dan@example.com", "nobody@example.com", "dan@example.com"}}, 200)
	call("deleteParticipant", "DELETE", "/campaign/"+cid+"/participant/"+esc("cat@example.com"), nil, 200)

	// Every operation of the spec was called, and each succeeded or is a
	// documented limitation.
	doc, err := openapi.Load(openapi.GrowSurf)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	sort.Strings(ops)
	ok, limited := 0, 0
	for _, op := range ops {
		status, called := got[op]
		_, isLimited := growsurf.Limitations[op]
		switch {
		case !called:
			t.Errorf("%s: never called", op)
		case status == 200:
			ok++
			t.Logf("%-30s %d", op, status)
		case isLimited:
			limited++
			t.Logf("%-30s %d (limitation)", op, status)
		default:
			t.Errorf("%s: status %d and not a documented limitation", op, status)
		}
	}
	t.Logf("sweep: %d operations, %d answered 200, %d documented limitations answered otherwise", len(ops), ok, limited)
	if h.validated < len(ops) {
		t.Errorf("only %d responses were validated against the spec", h.validated)
	}
}

// findCampaign finds a program of the harness tenant by name.
func findCampaign(t *testing.T, h *harness, name string) canonical.Campaign {
	t.Helper()
	page, err := h.env.Backend.ListCampaigns(context.Background(), canonical.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no campaign %q", name)
	return canonical.Campaign{}
}
