package surface

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
)

// NewWebhookRequest encodes payload as a webhook's JSON body (as
// EncodeJSON does) with its Content-Type and, when eventID is set, the
// EventIDHeader.
func NewWebhookRequest(payload any, eventID string) (WebhookRequest, error) {
	body, err := EncodeJSON(payload)
	if err != nil {
		return WebhookRequest{}, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if eventID != "" {
		h.Set(EventIDHeader, eventID)
	}
	return WebhookRequest{Body: body, Header: h}, nil
}

// HMACSHA256 is the HMAC-SHA256 of body keyed with key, the MAC most
// vendors sign webhooks with (each encodes it its own way).
func HMACSHA256(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}
