package proxy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/adapters/surface"
)

// The console: server-rendered pages at /_refbridge/ui for people who
// would rather look at a referral tree than read JSON. Every read goes
// through the Accounts interface and the account's canonical.Backend (the
// engine's exported API); nothing here writes data.
//
// Authentication. A browser cannot send "Authorization: Bearer" on a
// navigation, so the login page takes the admin token in a form and sets
// a session cookie: HttpOnly, SameSite=Strict, Secure when the request
// came over TLS, scoped to /_refbridge/ui. The cookie holds an expiry and
// an HMAC-SHA256 of it keyed by the token, never the token itself; it
// dies with its expiry or when the token changes. A Bearer header works
// as well, for scripts.
//
// CSRF. The only forms that POST are login and logout. Besides
// SameSite=Strict, every POST must carry an Origin header naming this
// host (or, without Origin, a Referer on this host); otherwise 403.

//go:embed ui
var uiFiles embed.FS

var uiTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	},
	"inc": func(i int) int { return i + 1 },
	"ms": func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
	},
	"plinkOf": func(account string, p canonical.Participant) uiLink {
		return uiLink{Account: account, P: p}
	},
	"treeOf": func(account string, nodes []*uiNode) uiTree {
		return uiTree{Account: account, Nodes: nodes}
	},
}).ParseFS(uiFiles, "ui/*.html"))

var uiAssets = map[string]docsAsset{"ui.css": embeddedAsset(uiFiles, "ui/ui.css", "text/css; charset=utf-8")}

// uiCSP: the console's own stylesheet, no script at all, forms posting
// only to this origin.
const uiCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

const (
	uiPrefix     = adminPrefix + "ui"
	uiCookie     = "refbridge_ui"
	uiSessionTTL = 12 * time.Hour
	uiPageSize   = 25
	// uiSearchScan caps how many participants a search reads: the
	// backend matches emails exactly, so substrings are matched here.
	uiSearchScan = 20000
	// uiTreeDepth is how many levels of referred participants the tree
	// shows below a participant, uiTreeUp how many referrers above.
	uiTreeDepth = 3
	uiTreeUp    = 5
	uiTreeNodes = 500
)

// uiRoutes adds the console to the admin router: login, logout and the
// stylesheet are public, the pages need a session or the Bearer token.
func (a *admin) uiRoutes(r *mux.Router) {
	r.HandleFunc("/ui/login", a.uiLoginPage).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/ui/login", a.uiLogin).Methods(http.MethodPost)
	r.HandleFunc("/ui/logout", a.uiLogout).Methods(http.MethodPost)
	r.HandleFunc("/ui/assets/{file}", a.uiAsset).Methods(http.MethodGet, http.MethodHead)
	u := r.PathPrefix("/ui").Subrouter()
	u.Use(a.uiAuth)
	get := []string{http.MethodGet, http.MethodHead}
	u.HandleFunc("", a.uiAccounts).Methods(get...)
	u.HandleFunc("/", a.uiAccounts).Methods(get...)
	u.HandleFunc("/requests", a.uiRequests).Methods(get...)
	u.HandleFunc("/accounts/{account}", a.uiAccount).Methods(get...)
	u.HandleFunc("/accounts/{account}/deliveries", a.uiDeliveries).Methods(get...)
	u.HandleFunc("/accounts/{account}/campaigns/{campaign}", a.uiParticipants).Methods(get...)
	u.HandleFunc("/accounts/{account}/campaigns/{campaign}/leaderboard", a.uiLeaderboard).Methods(get...)
	u.HandleFunc("/accounts/{account}/campaigns/{campaign}/participants/{participant}", a.uiParticipant).Methods(get...)
}

// uiSession is the cookie value for an expiry: "<unix>.<hex HMAC>".
func (a *admin) uiSession(exp int64) string {
	m := hmac.New(sha256.New, []byte(a.opts.Token))
	m.Write([]byte("refbridge console session " + strconv.FormatInt(exp, 10)))
	return strconv.FormatInt(exp, 10) + "." + hex.EncodeToString(m.Sum(nil))
}

// uiAuthed reports whether r carries the admin token or a live session.
func (a *admin) uiAuthed(r *http.Request) bool {
	if a.opts.Token == "" {
		return false
	}
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		return a.bearerOK(r)
	}
	c, err := r.Cookie(uiCookie)
	if err != nil {
		return false
	}
	ts, _, _ := strings.Cut(c.Value, ".")
	exp, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Now().Unix() >= exp {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(a.uiSession(exp))) == 1
}

// uiAuth sends a request without a session to the login page (a GET) or
// refuses it (401).
func (a *admin) uiAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.uiAuthed(r) {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			a.fail(w, canonical.Errorf(canonical.Unauthorized, "log in at %s/login", uiPrefix))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, uiPrefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	})
}

// uiSameOrigin is the CSRF check of a POST: its Origin (or, without one,
// its Referer) is this host.
func uiSameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" || src == "null" {
		return false
	}
	u, err := url.Parse(src)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// uiNext is where to go after logging in: a console path, never
// elsewhere.
func uiNext(next string) string {
	if next == uiPrefix || strings.HasPrefix(next, uiPrefix+"/") && !strings.HasPrefix(next, uiPrefix+"/login") &&
		!strings.Contains(next, "//") && !strings.Contains(next, `\`) {
		return next
	}
	return uiPrefix
}

type uiLoginData struct {
	Next  string
	Error string
}

func (a *admin) uiLoginPage(w http.ResponseWriter, r *http.Request) {
	a.uiRender(w, http.StatusOK, "login.html", uiLoginData{Next: uiNext(r.URL.Query().Get("next"))})
}

func (a *admin) uiLogin(w http.ResponseWriter, r *http.Request) {
	if !uiSameOrigin(r) {
		a.fail(w, canonical.Errorf(canonical.Forbidden, "a console form must come from this origin"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		a.fail(w, canonical.Wrap(canonical.Invalid, err, "the form could not be read"))
		return
	}
	next := uiNext(r.PostForm.Get("next"))
	token := r.PostForm.Get("token")
	if a.opts.Token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(a.opts.Token)) != 1 {
		a.uiRender(w, http.StatusUnauthorized, "login.html", uiLoginData{Next: next, Error: "That is not the admin token."})
		return
	}
	exp := time.Now().Add(uiSessionTTL).Unix()
	http.SetCookie(w, &http.Cookie{
		Name: uiCookie, Value: a.uiSession(exp), Path: uiPrefix, MaxAge: int(uiSessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *admin) uiLogout(w http.ResponseWriter, r *http.Request) {
	if !uiSameOrigin(r) {
		a.fail(w, canonical.Errorf(canonical.Forbidden, "a console form must come from this origin"))
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: uiCookie, Value: "", Path: uiPrefix, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, uiPrefix+"/login", http.StatusSeeOther)
}

func (a *admin) uiAsset(w http.ResponseWriter, r *http.Request) {
	a.serveAsset(w, r, uiAssets, "console")
}

// uiRender renders a console page, kept out of caches.
func (a *admin) uiRender(w http.ResponseWriter, status int, name string, data any) {
	a.renderHTML(w, status, uiTemplates, name, data, map[string]string{
		"Content-Security-Policy": uiCSP,
		// The Referer reaches this server only, for the CSRF check.
		"Referrer-Policy": "same-origin",
		"Cache-Control":   "no-store",
	})
}

// uiError renders a failed read as a page with the error's status.
func (a *admin) uiError(w http.ResponseWriter, err error) {
	code, msg := uiPublic(err)
	if code >= 500 {
		a.p.log.Error("console request failed", "err", err)
	}
	a.uiRender(w, code, "error.html", struct {
		Status  int
		Message string
	}{code, msg})
}

// uiAccountOf returns the account named in the path and its backend.
func (a *admin) uiAccountOf(r *http.Request) (canonical.Account, canonical.Backend, error) {
	acct, err := a.opts.Accounts.GetAccount(r.Context(), mux.Vars(r)["account"])
	if err != nil {
		return acct, nil, err
	}
	return acct, a.opts.Accounts.Backend(acct.ID), nil
}

// uiCampaignOf returns the account and campaign named in the path.
func (a *admin) uiCampaignOf(r *http.Request) (canonical.Account, canonical.Campaign, canonical.Backend, error) {
	acct, b, err := a.uiAccountOf(r)
	if err != nil {
		return acct, canonical.Campaign{}, nil, err
	}
	c, err := b.GetCampaign(r.Context(), mux.Vars(r)["campaign"])
	return acct, c, b, err
}

func (a *admin) uiAccounts(w http.ResponseWriter, r *http.Request) {
	accts, err := a.opts.Accounts.Accounts(r.Context())
	if err != nil {
		a.uiError(w, err)
		return
	}
	a.uiRender(w, http.StatusOK, "accounts.html", struct{ Accounts []canonical.Account }{accts})
}

type uiCampaign struct {
	canonical.Campaign
	Rules    []canonical.RewardRule
	RulesErr string
}

func (a *admin) uiAccount(w http.ResponseWriter, r *http.Request) {
	acct, b, err := a.uiAccountOf(r)
	if err != nil {
		a.uiError(w, err)
		return
	}
	var camps []uiCampaign
	opts := canonical.ListOptions{Limit: 100}
	for {
		page, err := b.ListCampaigns(r.Context(), opts)
		if err != nil {
			a.uiError(w, err)
			return
		}
		for _, c := range page.Items {
			uc := uiCampaign{Campaign: c}
			uc.Rules, err = b.ListRewardRules(r.Context(), c.ID)
			if err != nil {
				_, uc.RulesErr = uiPublic(err)
			}
			camps = append(camps, uc)
		}
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	a.uiRender(w, http.StatusOK, "account.html", struct {
		Account   canonical.Account
		Campaigns []uiCampaign
	}{acct, camps})
}

// uiParticipants lists a campaign's participants, newest first, or those
// whose email or name contains q (case-insensitively), a page at a time.
func (a *admin) uiParticipants(w http.ResponseWriter, r *http.Request) {
	acct, camp, b, err := a.uiCampaignOf(r)
	if err != nil {
		a.uiError(w, err)
		return
	}
	query := r.URL.Query()
	q := strings.TrimSpace(query.Get("q"))
	data := struct {
		Account             canonical.Account
		Campaign            canonical.Campaign
		Q                   string
		Participants        []canonical.Participant
		Page                int
		Prev, Next          string // query strings of the neighbouring pages
		Scanned             int
		Capped              bool
		PageSize, ScanLimit int
	}{Account: acct, Campaign: camp, Q: q, PageSize: uiPageSize, ScanLimit: uiSearchScan}
	if q == "" {
		page, err := b.ListParticipants(r.Context(), canonical.ParticipantQuery{
			CampaignID: camp.ID, ListOptions: canonical.ListOptions{Limit: uiPageSize, Cursor: query.Get("cursor")},
		})
		if err != nil {
			a.uiError(w, err)
			return
		}
		data.Participants = page.Items
		if page.NextCursor != "" {
			data.Next = url.Values{"cursor": {page.NextCursor}}.Encode()
		}
	} else {
		n, _ := strconv.Atoi(query.Get("page"))
		data.Page = max(n, 0)
		needle := strings.ToLower(q)
		skip := data.Page * uiPageSize
		more := false
		opts := canonical.ListOptions{Limit: 200}
	scan:
		for {
			page, err := b.ListParticipants(r.Context(), canonical.ParticipantQuery{CampaignID: camp.ID, ListOptions: opts})
			if err != nil {
				a.uiError(w, err)
				return
			}
			for _, p := range page.Items {
				data.Scanned++
				if !strings.Contains(strings.ToLower(p.Email), needle) && !strings.Contains(strings.ToLower(p.Name()), needle) {
					continue
				}
				switch {
				case skip > 0:
					skip--
				case len(data.Participants) < uiPageSize:
					data.Participants = append(data.Participants, p)
				default:
					more = true
					break scan
				}
			}
			if page.NextCursor == "" {
				break
			}
			if data.Scanned >= uiSearchScan {
				data.Capped = true
				break
			}
			opts.Cursor = page.NextCursor
		}
		if more {
			data.Next = url.Values{"q": {q}, "page": {strconv.Itoa(data.Page + 1)}}.Encode()
		}
		if data.Page > 0 {
			data.Prev = url.Values{"q": {q}, "page": {strconv.Itoa(data.Page - 1)}}.Encode()
		}
	}
	a.uiRender(w, http.StatusOK, "participants.html", data)
}

// uiBoards are the rankings the leaderboard page offers.
var uiBoards = []canonical.Board{canonical.AllTime, canonical.CurrentMonth, canonical.PreviousMonth, canonical.PointsBoard}

func (a *admin) uiLeaderboard(w http.ResponseWriter, r *http.Request) {
	acct, camp, b, err := a.uiCampaignOf(r)
	if err != nil {
		a.uiError(w, err)
		return
	}
	board := canonical.Board(r.URL.Query().Get("board"))
	if board == "" {
		board = canonical.AllTime
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if n <= 0 || n > 100 {
		n = 25
	}
	page, err := b.Leaderboard(r.Context(), canonical.LeaderboardQuery{CampaignID: camp.ID, Board: board, ListOptions: canonical.ListOptions{Limit: n}})
	if err != nil {
		a.uiError(w, err)
		return
	}
	a.uiRender(w, http.StatusOK, "leaderboard.html", struct {
		Account      canonical.Account
		Campaign     canonical.Campaign
		Board        canonical.Board
		Boards       []canonical.Board
		N            int
		Participants []canonical.Participant
	}{acct, camp, board, uiBoards, n, page.Items})
}

// uiLink and uiTree are what the "plink" and "tree" templates take.
type uiLink struct {
	Account string
	P       canonical.Participant
}

type uiTree struct {
	Account string
	Nodes   []*uiNode
}

// uiNode is a participant in a referral tree with those they referred.
type uiNode struct {
	canonical.Participant
	Self     bool // the participant the page is about
	Children []*uiNode
	// More says children were left out (the tree's size limit).
	More bool
}

func (a *admin) uiParticipant(w http.ResponseWriter, r *http.Request) {
	acct, camp, b, err := a.uiCampaignOf(r)
	if err != nil {
		a.uiError(w, err)
		return
	}
	ctx := r.Context()
	p, err := b.GetParticipant(ctx, camp.ID, canonical.ByID(mux.Vars(r)["participant"]))
	if err != nil {
		a.uiError(w, err)
		return
	}
	self := &uiNode{Participant: p, Self: true}
	budget := uiTreeNodes
	if err := uiReferred(ctx, b, camp.ID, self, uiTreeDepth, &budget); err != nil {
		a.uiError(w, err)
		return
	}
	// The referrers above, each wrapping the one below.
	root, up := self, 0
	for id := p.ReferrerID; id != "" && up < uiTreeUp; up++ {
		ref, err := b.GetParticipant(ctx, camp.ID, canonical.ByID(id))
		if err != nil {
			break // a referrer since deleted: the chain ends here
		}
		root = &uiNode{Participant: ref, Children: []*uiNode{root}}
		id = ref.ReferrerID
	}
	a.uiRender(w, http.StatusOK, "participant.html", struct {
		Account     canonical.Account
		Campaign    canonical.Campaign
		Participant canonical.Participant
		Tree        []*uiNode
		Depth, Up   int
	}{acct, camp, p, []*uiNode{root}, uiTreeDepth, uiTreeUp})
}

// uiReferred fills n's children with the participants n referred, depth
// levels down, reading at most *budget participants in all.
func uiReferred(ctx context.Context, b canonical.Backend, campaignID string, n *uiNode, depth int, budget *int) error {
	if depth == 0 {
		n.More = n.Stats.ReferredSignups > 0
		return nil
	}
	opts := canonical.ListOptions{Limit: 100}
	for {
		page, err := b.ListParticipants(ctx, canonical.ParticipantQuery{CampaignID: campaignID, ReferrerID: n.ID, Sort: canonical.SortOldest, ListOptions: opts})
		if err != nil {
			return err
		}
		for _, c := range page.Items {
			if *budget <= 0 {
				n.More = true
				return nil
			}
			*budget--
			n.Children = append(n.Children, &uiNode{Participant: c})
		}
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	for _, c := range n.Children {
		if err := uiReferred(ctx, b, campaignID, c, depth-1, budget); err != nil {
			return err
		}
	}
	return nil
}

func (a *admin) uiDeliveries(w http.ResponseWriter, r *http.Request) {
	acct, b, err := a.uiAccountOf(r)
	if err != nil {
		a.uiError(w, err)
		return
	}
	data := struct {
		Account    canonical.Account
		Deliveries []canonical.Delivery
		Endpoints  map[string]string // endpoint ID to URL
		Kept       bool              // the backend keeps webhooks
	}{Account: acct, Endpoints: map[string]string{}}
	if wh, ok := b.(canonical.Webhooks); ok {
		data.Kept = true
		page, err := wh.ListDeliveries(r.Context(), canonical.DeliveryQuery{ListOptions: canonical.ListOptions{Limit: 50}})
		if err != nil {
			a.uiError(w, err)
			return
		}
		data.Deliveries = page.Items
		eps, err := wh.ListWebhookEndpoints(r.Context(), canonical.WebhookEndpointQuery{})
		if err != nil {
			a.uiError(w, err)
			return
		}
		for _, e := range eps {
			data.Endpoints[e.ID] = e.URL
		}
	}
	a.uiRender(w, http.StatusOK, "deliveries.html", data)
}

// uiSurfaceRequests is one surface's latest requests.
type uiSurfaceRequests struct {
	Vendor   string
	Requests []recentRequest
}

// uiRequests shows each surface's latest requests, newest first: the
// route template matched, never the raw path or query, which may carry
// credentials and participants' emails.
func (a *admin) uiRequests(w http.ResponseWriter, _ *http.Request) {
	var out []uiSurfaceRequests
	for _, v := range a.p.recentOrder {
		out = append(out, uiSurfaceRequests{Vendor: v, Requests: a.p.recent[v].list()})
	}
	a.uiRender(w, http.StatusOK, "requests.html", struct {
		Surfaces []uiSurfaceRequests
		Kept     int
	}{out, recentPerSurface})
}

// uiPublic is an error's HTTP status and the message that may be shown.
func uiPublic(err error) (int, string) {
	code, msg := surface.Public(err)
	return surface.Status(code), msg
}
