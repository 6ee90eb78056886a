package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// Population describes a synthetic campaign population for benchmarks and
// load tests.
type Population struct {
	// Participants is how many participants to add.
	Participants int
	// Referrer returns the index (0-based, below i) of participant i's
	// referrer, or -1 for a direct signup.
	Referrer func(i int) int
	// Batch is how many participants go into one transaction (default
	// 5000).
	Batch int
}

// Seed bulk-loads a population into an empty campaign: every participant
// gets a referral code, every referral is credited now, and the counters,
// monthly scores and rank trees end up exactly as if each participant had
// signed up through CreateParticipant. It skips per-signup work the
// population does not need (fraud checks, reward rules), builds the rank
// trees once at the end instead of node by node, and writes in large
// transactions, which is what makes a million participants practical. A
// synthetic population is no change anyone is told of: Seed logs nothing
// to the event log.
func (e *Engine) Seed(ctx context.Context, accountID, campaignID string, pop Population) error {
	acct, err := parseID(accountID, "account")
	if err != nil {
		return err
	}
	camp, err := parseID(campaignID, "campaign")
	if err != nil {
		return err
	}
	defer e.wrote(acct)
	n := pop.Participants
	batch := pop.Batch
	if batch <= 0 {
		batch = 5000
	}
	refOf := make([]int32, n)
	referrals := make([]int64, n)
	for i := range n {
		r := -1
		if pop.Referrer != nil {
			r = pop.Referrer(i)
		}
		if r >= i {
			return canonical.Errorf(canonical.Invalid, "participant %d cannot be referred by %d", i, r)
		}
		refOf[i] = int32(r)
		if r >= 0 {
			referrals[r]++
		}
	}
	now := e.Now()
	month := monthKey(now)
	ids := make([]int64, n)
	var c canonical.Campaign
	err = e.st.View(ctx, func(tx store.Tx) (err error) {
		c, err = tx.GetCampaign(ctx, acct, camp)
		return err
	})
	if err != nil {
		return storeErr(err, "campaign "+campaignID)
	}
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		err := e.st.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.LockCampaign(ctx, acct, camp); err != nil {
				return err
			}
			first, err := tx.ReserveOrdinals(ctx, acct, camp, hi-lo)
			if err != nil {
				return err
			}
			if first != int64(lo+1) {
				return canonical.Errorf(canonical.Invalid, "Seed needs an empty campaign")
			}
			ps := make([]*store.Participant, 0, hi-lo)
			for i := lo; i < hi; i++ {
				p := &store.Participant{Ord: int64(i + 1), Referrals: referrals[i]}
				p.CampaignID, p.Email = c.ID, "seed"+strconv.Itoa(i)+"@example.com"
				p.ReferralCode = "s" + c.ID + "x" + strconv.Itoa(i)
				p.CreatedAt, p.UpdatedAt = now, now
				p.Fraud = canonical.Fraud{Risk: canonical.RiskLow, Reason: canonical.ReasonUniqueIdentity}
				if r := refOf[i]; r >= 0 {
					// A referrer in this same batch has no ID yet; it is
					// filled in below.
					p.ReferralState = canonical.StateCredited
					if int(r) < lo {
						p.ReferrerID = idOf(ids[r])
					}
				}
				ps = append(ps, p)
			}
			if err := tx.InsertParticipants(ctx, acct, ps); err != nil {
				return err
			}
			for k, p := range ps {
				ids[lo+k] = num(p.ID)
			}
			for k, p := range ps {
				if r := int(refOf[lo+k]); r >= lo {
					p.ReferrerID = idOf(ids[r])
					if err := tx.UpdateParticipant(ctx, acct, p); err != nil {
						return err
					}
				}
			}
			links := make([]*store.Link, len(ps))
			var refs []*canonical.Referral
			for k, p := range ps {
				i := lo + k
				l := &store.Link{Kind: store.LinkCode}
				l.CampaignID, l.ParticipantID, l.Token, l.CreatedAt, l.UpdatedAt = c.ID, p.ID, p.ReferralCode, now, now
				links[k] = l
				if r := refOf[i]; r >= 0 {
					refs = append(refs, &canonical.Referral{CampaignID: c.ID, ReferrerID: idOf(ids[r]), ReferredID: p.ID, Email: p.Email,
						State: canonical.StateCredited, LeadAt: &now, CreditedAt: &now, CreatedAt: now, UpdatedAt: now})
				}
			}
			if err := tx.InsertLinks(ctx, acct, links); err != nil {
				return err
			}
			return tx.InsertReferrals(ctx, acct, refs)
		})
		if err != nil {
			return storeErr(err, "seed")
		}
	}
	// Counters: leads, monthly scores and level counts.
	level2 := make([]int64, n)
	level3 := make([]int64, n)
	for i := range n {
		if r := refOf[i]; r >= 0 && referrals[i] > 0 {
			level2[r] += referrals[i]
			if rr := refOf[r]; rr >= 0 {
				level3[rr] += referrals[i]
			}
		}
	}
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		err := e.st.Update(ctx, func(tx store.Tx) error {
			var (
				rows   []store.CounterRow
				scores []store.MonthlyScore
			)
			for i := lo; i < hi; i++ {
				for name, v := range map[string]int64{"leads": referrals[i], "level2": level2[i], "level3": level3[i], "ref:credited": referrals[i]} {
					if v != 0 {
						rows = append(rows, store.CounterRow{Scope: ids[i], Name: name, Delta: v})
					}
				}
				if referrals[i] > 0 {
					scores = append(scores, store.MonthlyScore{Participant: ids[i], Ord: int64(i + 1), N: referrals[i]})
				}
			}
			if err := tx.AddCounterRows(ctx, camp, rows); err != nil {
				return err
			}
			return tx.SetMonthlyScores(ctx, camp, month, scores)
		})
		if err != nil {
			return storeErr(err, "seed")
		}
	}
	var total int64
	for _, r := range referrals {
		total += r
	}
	err = e.st.Update(ctx, func(tx store.Tx) error {
		return tx.AddCounters(ctx, camp, 0, map[string]int64{"ref:credited": total, "leads": total})
	})
	if err != nil {
		return storeErr(err, "seed")
	}
	// Rank trees, for the all-time board and this month's (the same
	// scores, since every credit happened now).
	trees := buildTrees(referrals)
	for _, board := range []string{boardAll, boardMonth(month)} {
		for name, nodes := range trees {
			if set, part, ok := strings.Cut(name, "#"); ok && set == ":pos" {
				// Nobody was deleted, so the positive ordinals are all
				// the not-zero ones.
				name = strings.TrimPrefix(nonZeroTree(board), board) + "#" + part
			}
			if err := e.writeNodes(ctx, camp, board+name, nodes, batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// buildTrees builds the rank trees of one board from the scores of
// ordinals 1..len(scores), keyed by tree suffix (":v", ":n", and the two
// trees of the member sets ":pos" and ":s:<k>").
func buildTrees(scores []int64) map[string]map[int64]int64 {
	n := int64(len(scores))
	byScore := map[int64][]int64{} // score → ordinals
	var maxScore int64
	values := map[int64]int64{}
	for i, s := range scores {
		if s > 0 {
			byScore[s] = append(byScore[s], int64(i+1))
			values[s]++
			maxScore = max(maxScore, s)
		}
	}
	out := map[string]map[int64]int64{}
	pos := make([]int64, 0, n)
	for s, ords := range byScore {
		memberSet(out, ":s:"+strconv.FormatInt(s, 10), ords)
		pos = append(pos, ords...)
	}
	memberSet(out, ":pos", pos)
	if len(pos) > 0 {
		out[":n"] = map[int64]int64{1: int64(len(pos))}
	}
	vals := make([]int64, 0, len(values))
	for s := range values {
		vals = append(vals, s)
	}
	out[":v"] = fenwick(vals, values, maxScore)
	return out
}

// memberSet adds the two trees of the member set of ords (see ranks.go) to
// trees under the name set.
func memberSet(trees map[string]map[int64]int64, set string, ords []int64) {
	words, counts := map[int64]int64{}, map[int64]int64{}
	var blocks []int64
	var last int64
	for _, o := range ords {
		block, bit := blockOf(o)
		if counts[block] == 0 {
			blocks = append(blocks, block)
		}
		counts[block]++
		words[block] |= 1 << bit
		last = max(last, block)
	}
	trees[set+"#w"] = words
	trees[set+"#c"] = fenwick(blocks, counts, last)
}

// fenwick builds the sparse tree of unit (or weight[i]) counts at indexes
// in [1, size]: the dense nodes up to size, plus the nodes above size whose
// range reaches into it.
func fenwick(idx []int64, weight map[int64]int64, size int64) map[int64]int64 {
	tree := make([]int64, size+1)
	for _, i := range idx {
		w := int64(1)
		if weight != nil {
			w = weight[i]
		}
		tree[i] += w
	}
	for i := int64(1); i <= size; i++ {
		if j := i + i&-i; j <= size {
			tree[j] += tree[i]
		}
	}
	out := map[int64]int64{}
	for i := int64(1); i <= size; i++ {
		if tree[i] != 0 {
			out[i] = tree[i]
		}
	}
	prefix := func(i int64) int64 {
		var s int64
		for ; i > 0; i -= i & -i {
			s += tree[i]
		}
		return s
	}
	for _, j := range upPath(size) {
		if j > size {
			if v := prefix(size) - prefix(j-j&-j); v != 0 {
				out[j] = v
			}
		}
	}
	return out
}

func (e *Engine) writeNodes(ctx context.Context, camp int64, tree string, nodes map[int64]int64, batch int) error {
	chunk := map[int64]int64{}
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		err := e.st.Update(ctx, func(tx store.Tx) error { return tx.AddNodes(ctx, camp, tree, chunk) })
		chunk = map[int64]int64{}
		return storeErr(err, fmt.Sprintf("rank tree %s", tree))
	}
	for node, v := range nodes {
		chunk[node] = v
		if len(chunk) >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
