package rewardful

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// FuzzReadFields reads arbitrary bodies as Rewardful's write requests do
// (JSON or form, by content type) and reads every field with every
// accessor: nothing panics, and text the surface check admits is read
// back as sent.
func FuzzReadFields(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", []byte("email=ann%40example.com&first_name=Ann&paypal_email=&receive_new_commission_notifications=true"), "email")
	f.Add("application/json", []byte(`{"email":"ann@example.com","commission_amount_cents":1000,"nested":{"a":[1,2]}}`), "commission_amount_cents")
	f.Add("", []byte(`{"email":"\ud800@x.com"}`), "email")
	f.Add("application/json", []byte("{\"email\":\"\xff\xfe@x.com\"}"), "email")
	f.Add("application/x-www-form-urlencoded", []byte("email=%FF%FE%40x.com"), "email")
	f.Fuzz(func(t *testing.T, contentType string, body []byte, key string) {
		r := httptest.NewRequest("POST", "/affiliates", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		fs, err := readFields(r)
		if err != nil {
			return
		}
		keys := []string{key}
		for k := range fs.json {
			keys = append(keys, k)
		}
		for k := range fs.form {
			keys = append(keys, k)
		}
		var texts []string
		for _, k := range keys {
			fs.has(k)
			fs.raw(k)
			if s, err := fs.str(k); err == nil && s != nil {
				texts = append(texts, k, *s)
			}
			fs.boolean(k)
			fs.integer(k)
			fs.number(k)
		}
		surfacetest.CheckTextKept(t, contentType, body, texts)
	})
}
