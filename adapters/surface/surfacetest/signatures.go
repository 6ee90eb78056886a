package surfacetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// This file is a webhook receiver's side of each vendor's document,
// written from the documents alone and apart from the renderers: where a
// payload names its event, and how its signature is checked. Tests that
// take deliveries over HTTP use it to read and verify what arrived.

// WebhookEvent reads the event name from a webhook body of vendor ("" when
// the body has none): GrowSurf's event, Rewardful's event.type,
// ReferralHero's response, Referral Rocket's eventType.
func WebhookEvent(vendor canonical.Vendor, body []byte) string {
	var p struct {
		Event     json.RawMessage `json:"event"`
		Response  string          `json:"response"`
		EventType string          `json:"eventType"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	switch vendor {
	case canonical.GrowSurf:
		var s string
		_ = json.Unmarshal(p.Event, &s)
		return s
	case canonical.Rewardful:
		var e struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(p.Event, &e)
		return e.Type
	case canonical.ReferralHero:
		return p.Response
	case canonical.ReferralRocket:
		return p.EventType
	}
	return ""
}

// VerifySignature checks a delivery's signature as vendor documents it,
// for an endpoint with secret:
//
//   - GrowSurf: GrowSurf-Signature: ts=<unix ms>,v=<hex HMAC-SHA256 of
//     "<ts>.<body>">;
//   - Rewardful: X-Rewardful-Signature, hex HMAC-SHA256 of the body;
//   - ReferralHero: X-ReferralHero-Signature, Base64 HMAC-SHA256 of the
//     body (the encoding is refbridge's documented choice);
//   - Referral Rocket: X-RR-Signature, hex HMAC-SHA256 of the body keyed
//     with the secret's UTF-8 bytes.
func VerifySignature(vendor canonical.Vendor, h http.Header, body []byte, secret string) error {
	sum := func(msg []byte) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(msg)
		return m.Sum(nil)
	}
	var header, got, want string
	switch vendor {
	case canonical.GrowSurf:
		header = "GrowSurf-Signature"
		var ts string
		for part := range strings.SplitSeq(h.Get(header), ",") {
			k, v, _ := strings.Cut(part, "=")
			switch k {
			case "ts":
				ts = v
			case "v":
				got = v
			}
		}
		if ts == "" {
			return fmt.Errorf("%s %q has no ts", header, h.Get(header))
		}
		want = hex.EncodeToString(sum([]byte(ts + "." + string(body))))
	case canonical.Rewardful:
		header = "X-Rewardful-Signature"
		got, want = h.Get(header), hex.EncodeToString(sum(body))
	case canonical.ReferralHero:
		header = "X-ReferralHero-Signature"
		got, want = h.Get(header), base64.StdEncoding.EncodeToString(sum(body))
	case canonical.ReferralRocket:
		header = "X-RR-Signature"
		got, want = h.Get(header), hex.EncodeToString(sum(body))
	default:
		return fmt.Errorf("%s documents no webhook signature", vendor)
	}
	if got == "" {
		return fmt.Errorf("no %s header", header)
	}
	if !hmac.Equal([]byte(got), []byte(want)) {
		return errors.New(header + " does not verify")
	}
	return nil
}
