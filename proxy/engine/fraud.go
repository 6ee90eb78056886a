package engine

import (
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// assessFraud rates a new participant from the signals the engine has:
//
//	HIGH   SELF_REFERRAL       the referrer's address is the same mailbox
//	                           (case, dots and +tags aside)
//	HIGH   DUPLICATE_IDENTITY  the referrer signed up from the same IP or
//	                           device fingerprint
//	MEDIUM SHARED_IP           other participants of the campaign signed up
//	                           from the same IP (HIGH from three on)
//	LOW    UNIQUE_IDENTITY     none of the above
//
// A self-referral is never attributed; the other levels are signals only.
func (w *work) assessFraud(p store.Participant, referrer *store.Participant) canonical.Fraud {
	if referrer != nil {
		if p.Email != "" && mailbox(p.Email) == mailbox(referrer.Email) {
			return canonical.Fraud{Risk: canonical.RiskHigh, Reason: canonical.ReasonSelfReferral}
		}
		if p.IPAddress != "" && p.IPAddress == referrer.IPAddress || p.Fingerprint != "" && p.Fingerprint == referrer.Fingerprint {
			return canonical.Fraud{Risk: canonical.RiskHigh, Reason: canonical.ReasonDuplicateIdentity}
		}
	}
	if p.IPAddress != "" {
		n, err := w.tx.CountIPs(w.ctx, w.acct(), w.cid, p.IPAddress, 0)
		switch {
		case err != nil:
			// A failed lookup only loses a signal; the signup goes on.
		case n >= 3:
			return canonical.Fraud{Risk: canonical.RiskHigh, Reason: canonical.ReasonSharedIP}
		case n >= 1:
			return canonical.Fraud{Risk: canonical.RiskMedium, Reason: canonical.ReasonSharedIP}
		}
	}
	return canonical.Fraud{Risk: canonical.RiskLow, Reason: canonical.ReasonUniqueIdentity}
}

// mailbox normalizes an address to the mailbox it delivers to: lower case,
// without a +tag, and for Gmail without dots.
func mailbox(email string) string {
	local, domain, ok := strings.Cut(store.Key(email), "@")
	if !ok {
		return store.Key(email)
	}
	local, _, _ = strings.Cut(local, "+")
	if domain == "gmail.com" || domain == "googlemail.com" {
		local, domain = strings.ReplaceAll(local, ".", ""), "gmail.com"
	}
	return local + "@" + domain
}
