package migrate_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/client"
	"github.com/refbridge/refbridge/client/migrate"
	"github.com/refbridge/refbridge/proxy/proxytest"
)

// dropper is a target whose answers get lost: for the first requests of
// each kind it lets the proxy handle the request in full — the write is
// applied — then closes the connection without sending the answer.
type dropper struct {
	next  http.Handler
	kinds []dropKind
	mu    sync.Mutex
	left  map[string]int // kind → answers still to lose
	lost  map[string]int // kind → answers lost
}

// dropKind names requests by method and path.
type dropKind struct {
	name   string
	method string
	path   *regexp.Regexp
	times  int
}

func newDropper(next http.Handler, kinds []dropKind) *dropper {
	d := &dropper{next: next, kinds: kinds, left: map[string]int{}, lost: map[string]int{}}
	for _, k := range kinds {
		d.left[k.name] = k.times
	}
	return d
}

func (d *dropper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !d.take(r) {
		d.next.ServeHTTP(w, r)
		return
	}
	d.next.ServeHTTP(httptest.NewRecorder(), r)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic("dropper: " + err.Error()) // httptest servers always hijack
	}
	conn.Close()
}

// take reports whether r's answer is to be lost, and counts it.
func (d *dropper) take(r *http.Request) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range d.kinds {
		if r.Method == k.method && k.path.MatchString(r.URL.Path) && d.left[k.name] > 0 {
			d.left[k.name]--
			d.lost[k.name]++
			return true
		}
	}
	return false
}

// TestLostAnswersDuplicateNothing migrates two programs — an affiliate
// program with sales, refunds and approved commissions, and a referral
// program — into a proxy acting as GrowSurf whose connection drops after
// it applied a write, for the first writes of every kind: campaigns, a
// reward rule, a campaign's update, participants, a sale, a refund and a
// commission's approval. The outcome is that of a run that lost nothing:
// the campaigns and the rule the target made are found and taken,
// participants and the sale are found by email and external id, the
// approval is found done, and the refund, which GrowSurf gives no way to
// look up, is not sent again but reported as the one failure.
func TestLostAnswersDuplicateNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newProgram(t, 30)
	camp := src.campaign.ID
	// GrowSurf has no manual rewards: the campaign is created bare and
	// its rules added one by one.
	if _, err := src.c.CreateRewardRule(ctx, camp, canonical.RewardRule{Kind: canonical.ManualReward, Title: "Swag", Visible: true}); err != nil {
		t.Fatal(err)
	}
	refundSales(t, src.c, camp, saleRefund{"o5", 0}, saleRefund{"o10", 505})
	friends := referralProgram(t, src.c, "Friends", 12)

	b := proxytest.New(t, &proxytest.Options{Vendors: []canonical.Vendor{canonical.GrowSurf}})
	migrateTo := func(name string, wrap func(http.Handler) http.Handler) (*migrate.Report, *client.Client) {
		tn := b.NewTenant(t, name, canonical.Campaign{})
		srv := httptest.NewServer(wrap(b.Proxy))
		t.Cleanup(srv.Close)
		dst, err := growsurf.NewBackend(&growsurf.BackendOptions{BaseURL: srv.URL + "/v2", APIKey: tn.Secret(canonical.GrowSurf, canonical.APIKey)})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := migrate.Run(ctx, src.c, dst, migrate.Options{RetryBase: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		logReport(t, rep)
		return rep, client.New(tn.Backend)
	}
	post := func(name, path string, times int) dropKind {
		return dropKind{name, http.MethodPost, regexp.MustCompile(path), times}
	}
	d := newDropper(nil, []dropKind{
		post("create campaign", `^/v2/campaigns$`, 2),
		{"update campaign", http.MethodPatch, regexp.MustCompile(`^/v2/campaign/[^/]+$`), 1},
		post("create rule", `/reward-configs$`, 1),
		post("add participant", `/participant$`, 3),
		post("record sale", `/transaction$`, 1),
		post("refund", `/transaction/refund$`, 1),
		post("approve commission", `/commission/[^/]+/approve$`, 1),
	})
	rep, lossy := migrateTo("lossy", func(h http.Handler) http.Handler { d.next = h; return d })
	for _, k := range d.kinds {
		if d.lost[k.name] != k.times {
			t.Errorf("%s: %d answers lost, want %d (the run never made that write)", k.name, d.lost[k.name], k.times)
		}
	}
	clean, sound := migrateTo("sound", func(h http.Handler) http.Handler { return h })

	// Every source campaign arrived once, with what a run that lost
	// nothing brought: participants, rules, sales, refunds, earned
	// rewards and commissions by state.
	for _, sc := range []canonical.Campaign{src.campaign, friends} {
		got, want := outcome(t, lossy, sc.Name), outcome(t, sound, sc.Name)
		if got != want {
			t.Errorf("%s after lost answers:\n%s\nafter none:\n%s", sc.Name, got, want)
		}
		if n := count(t, sound, campaignNamed(t, sound, sc.Name).ID); n == 0 {
			t.Errorf("%s: nothing arrived", sc.Name)
		}
	}
	if got, want := refunds(t, lossy, campaignNamed(t, lossy, src.campaign.Name).ID), refunds(t, src.c, camp); !slices.Equal(got, want) {
		t.Errorf("target refunds %v, source %v", got, want)
	}

	// The report: the refund whose answer was lost is the one failure,
	// saying why it was not sent again; the losses are those of a run
	// that lost nothing.
	if !slices.Equal(rep.Losses, clean.Losses) {
		t.Errorf("losses after lost answers %+v, after none %+v", rep.Losses, clean.Losses)
	}
	for _, e := range []string{migrate.EntityCampaigns, migrate.EntityParticipants, migrate.EntityRewards} {
		if x, y := rep.Entity(e), clean.Entity(e); x.Failed != 0 || x.Written+x.Skipped != y.Written+y.Skipped {
			t.Errorf("%s: %+v after lost answers, %+v after none", e, x, y)
		}
	}
	if c := rep.Entity(migrate.EntityCampaigns); c.Written != 2 {
		t.Errorf("campaigns: %+v", c)
	}
	tr := rep.Entity(migrate.EntityTransactions)
	if tr.Failed != 1 || len(tr.Errors) != 1 || !strings.Contains(tr.Errors[0], "cannot be checked") {
		t.Errorf("transactions: %+v, want the refund with the lost answer as the one failure", tr)
	}
}

// referralProgram adds to source c a referral program named name whose n
// participants refer each other in a chain and earn a reward each time,
// every other one approved.
func referralProgram(t *testing.T, c *client.Client, name string, n int) canonical.Campaign {
	t.Helper()
	ctx := context.Background()
	camp, err := c.CreateCampaign(ctx, canonical.Campaign{Name: name, Status: canonical.CampaignActive, Qualification: canonical.QualifyOnSignup,
		ManualApproval: true, URL: "https://friends.example.com", Rules: []canonical.RewardRule{{Kind: canonical.SingleSided, Title: "Thanks",
			Threshold: 1, Unlimited: true, Visible: true, ReferrerValue: canonical.Money{Amount: 300, Currency: "USD"}}}})
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for i := range n {
		in := canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp.ID, Email: fmt.Sprintf("f%03d@example.com", i)}}
		if prev != "" {
			in.Referrer = canonical.ByID(prev)
		}
		p, _, err := c.CreateParticipant(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		prev = p.ID
	}
	approveEveryOther(t, c, camp.ID)
	return camp
}

// campaignNamed is the one campaign named name of c.
func campaignNamed(t *testing.T, c *client.Client, name string) canonical.Campaign {
	t.Helper()
	var found []canonical.Campaign
	for camp, err := range c.Campaigns(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if camp.Name == name {
			found = append(found, camp)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d campaigns named %q, want 1", len(found), name)
	}
	return found[0]
}

// outcome describes what a migration left in the campaign named name of
// a target engine: the campaign's status and URL, its rules, its
// participants (each email once) with who referred whom, its sales and
// refunds, earned rewards by status, and commissions and payouts by
// state.
func outcome(t *testing.T, c *client.Client, name string) string {
	t.Helper()
	ctx := context.Background()
	camp := campaignNamed(t, c, name)
	var sb strings.Builder
	fmt.Fprintf(&sb, "status %s, url %s\n", camp.Status, camp.URL)
	rules, err := c.ListRewardRules(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range rules {
		kinds = append(kinds, string(r.Kind))
	}
	slices.Sort(kinds)
	fmt.Fprintf(&sb, "rules %v\n", kinds)
	g, rewards := graph(t, c, camp.ID)
	emails := slices.Sorted(maps.Keys(g))
	if n := count(t, c, camp.ID); n != len(emails) {
		fmt.Fprintf(&sb, "%d participants for %d emails\n", n, len(emails))
	}
	for _, e := range emails {
		fmt.Fprintf(&sb, "%s ← %s %v\n", e, g[e], rewards[e])
	}
	var sales []string
	for tr, err := range c.Transactions(ctx, canonical.TransactionQuery{CampaignID: camp.ID}) {
		if err != nil {
			t.Fatal(err)
		}
		if tr.Kind == canonical.Sale {
			sales = append(sales, fmt.Sprint(tr.Amount))
		}
	}
	slices.Sort(sales)
	fmt.Fprintf(&sb, "sales %v\nrefunds %v\n%s\n", sales, refunds(t, c, camp.ID), moneyStates(t, c, camp.ID))
	return sb.String()
}

// failsAfter is a target that fails the first calls of some writes after
// it applied them (a server that committed, then failed to answer:
// Internal), so the caller cannot tell whether they were applied.
type failsAfter struct {
	*client.Client
	mu   sync.Mutex
	left map[string]int // operation → calls still to fail
}

// after turns the successful call of op into the failure, while calls of
// op are still to fail.
func (f *failsAfter) after(op string, err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil || f.left[op] == 0 {
		return err
	}
	f.left[op]--
	return canonical.Wrap(canonical.Internal, io.ErrUnexpectedEOF, op+": the target failed after the write")
}

func (f *failsAfter) CreateCampaign(ctx context.Context, c canonical.Campaign) (canonical.Campaign, error) {
	out, err := f.Client.CreateCampaign(ctx, c)
	if err = f.after("CreateCampaign", err); err != nil {
		return canonical.Campaign{}, err
	}
	return out, nil
}

func (f *failsAfter) CreateParticipant(ctx context.Context, in canonical.NewParticipant) (canonical.Participant, bool, error) {
	out, created, err := f.Client.CreateParticipant(ctx, in)
	if err = f.after("CreateParticipant", err); err != nil {
		return canonical.Participant{}, false, err
	}
	return out, created, nil
}

func (f *failsAfter) CreateTransaction(ctx context.Context, in canonical.NewTransaction) (canonical.TransactionResult, error) {
	out, err := f.Client.CreateTransaction(ctx, in)
	if err = f.after("CreateTransaction", err); err != nil {
		return canonical.TransactionResult{}, err
	}
	return out, nil
}

func (f *failsAfter) RefundTransaction(ctx context.Context, in canonical.NewRefund) (canonical.RefundResult, error) {
	out, err := f.Client.RefundTransaction(ctx, in)
	if err = f.after("RefundTransaction", err); err != nil {
		return canonical.RefundResult{}, err
	}
	return out, nil
}

func (f *failsAfter) ApproveReward(ctx context.Context, id string, fulfill bool) (canonical.EarnedReward, error) {
	out, err := f.Client.ApproveReward(ctx, id, fulfill)
	if err = f.after("ApproveReward", err); err != nil {
		return canonical.EarnedReward{}, err
	}
	return out, nil
}

func (f *failsAfter) ApproveCommission(ctx context.Context, id string) (canonical.Commission, error) {
	out, err := f.Client.ApproveCommission(ctx, id)
	if err = f.after("ApproveCommission", err); err != nil {
		return canonical.Commission{}, err
	}
	return out, nil
}

func (f *failsAfter) PayPayout(ctx context.Context, id string) (canonical.Payout, error) {
	out, err := f.Client.PayPayout(ctx, id)
	if err = f.after("PayPayout", err); err != nil {
		return canonical.Payout{}, err
	}
	return out, nil
}

func (f *failsAfter) CreateCoupon(ctx context.Context, campaignID string, owner canonical.ParticipantRef, code string) (canonical.Coupon, error) {
	out, err := f.Client.CreateCoupon(ctx, campaignID, owner, code)
	if err = f.after("CreateCoupon", err); err != nil {
		return canonical.Coupon{}, err
	}
	return out, nil
}

func (f *failsAfter) CreateCouponGroup(ctx context.Context, campaignID string, g canonical.NewCouponGroup) (canonical.CouponGroup, error) {
	out, err := f.Client.CreateCouponGroup(ctx, campaignID, g)
	if err = f.after("CreateCouponGroup", err); err != nil {
		return canonical.CouponGroup{}, err
	}
	return out, nil
}

// TestFailuresAfterWritesDuplicateNothing migrates a program into the
// engine, which fails the first writes of every kind after applying
// them: the campaign, participants, sales, both refunds, reward and
// commission approvals, a payout's payment, a coupon and a coupon group.
// Each is found on the target before it would be sent again, so the
// outcome, and the report, are those of a run that failed nothing.
func TestFailuresAfterWritesDuplicateNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newProgram(t, 40)
	camp := src.campaign.ID
	refundSales(t, src.c, camp, saleRefund{"o5", 0}, saleRefund{"o10", 505})
	if _, err := src.c.CreateCouponGroup(ctx, camp, canonical.NewCouponGroup{Name: "Spring codes", Active: true,
		Codes: []string{"SPRING-A", "SPRING-B"}}); err != nil {
		t.Fatal(err)
	}
	for i, code := range []string{"ANA10", "BEN10"} {
		if _, err := src.c.CreateCoupon(ctx, camp, canonical.ByEmail(email(i+1)), code); err != nil {
			t.Fatal(err)
		}
	}
	run := func(left map[string]int) (*migrate.Report, *client.Client) {
		dst, err := client.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "target.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dst.Close() })
		target := &failsAfter{Client: dst, left: left}
		rep, err := migrate.Run(ctx, src.c, target, migrate.Options{RetryBase: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		logReport(t, rep)
		for op, n := range target.left {
			if n != 0 {
				t.Errorf("%s: %d failures left (the run never made that write)", op, n)
			}
		}
		return rep, dst
	}
	rep, lossy := run(map[string]int{"CreateCampaign": 1, "CreateParticipant": 2, "CreateTransaction": 1, "RefundTransaction": 2,
		"ApproveReward": 2, "ApproveCommission": 1, "PayPayout": 1, "CreateCoupon": 1, "CreateCouponGroup": 1})
	clean, sound := run(nil)

	if got, want := outcome(t, lossy, src.campaign.Name), outcome(t, sound, src.campaign.Name); got != want {
		t.Errorf("after failures:\n%s\nafter none:\n%s", got, want)
	}
	target := campaignNamed(t, lossy, src.campaign.Name).ID
	if got, want := refunds(t, lossy, target), refunds(t, src.c, camp); !slices.Equal(got, want) {
		t.Errorf("target refunds %v, source %v", got, want)
	}
	coupons, err := lossy.ListCoupons(ctx, canonical.CouponQuery{CampaignID: target, ListOptions: canonical.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, cp := range coupons.Items {
		codes = append(codes, cp.Code)
	}
	slices.Sort(codes)
	if !slices.Equal(codes, []string{"ANA10", "BEN10"}) {
		t.Errorf("target coupons %v", codes)
	}
	if groups, err := lossy.ListCouponGroups(ctx, target, canonical.ListOptions{}); err != nil || len(groups.Items) != 1 {
		t.Errorf("target coupon groups %+v, %v", groups.Items, err)
	}
	if !slices.Equal(rep.Losses, clean.Losses) {
		t.Errorf("losses after failures %+v, after none %+v", rep.Losses, clean.Losses)
	}
	for _, e := range rep.Entities {
		if e.Failed != 0 {
			t.Errorf("%s: %+v", e.Entity, e)
		}
	}
}
