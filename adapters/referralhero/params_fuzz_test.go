package referralhero

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// FuzzReadFields reads arbitrary query strings and bodies as
// ReferralHero's handlers do (query merged with a JSON or form body) and
// reads every field with every accessor: nothing panics, and text the
// surface check admits is read back as sent.
func FuzzReadFields(f *testing.F) {
	f.Add("email=ann%40example.com", "application/json", []byte(`{"name":"Ann","points":"10","extra_field":["a","b"]}`), "points")
	f.Add("tags[]=a&tags[]=b&list[1]=x&list[0]=y", "application/x-www-form-urlencoded", []byte("name=Bo&points=3"), "tags")
	f.Add("", "text/plain", []byte("{\"name\":\"\xff\"}"), "name")
	f.Add("name=%FF", "", []byte(`{"email":"\udfff"}`), "email")
	f.Fuzz(func(t *testing.T, query, contentType string, body []byte, key string) {
		r := httptest.NewRequest("POST", "/api/v2/lists/x/subscribers", bytes.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", contentType)
		fs, err := readFields(r)
		if err != nil {
			return
		}
		var texts []string
		keys := []string{key}
		for k := range fs {
			keys = append(keys, k)
		}
		for _, k := range keys {
			if s, ok := fs.str(k); ok {
				texts = append(texts, k, s)
			}
			texts = append(texts, fs.strs(k)...)
			fs.int(k)
			fs.float(k)
			fs.bool(k)
		}
		if surfacetest.CheckQuery(query) {
			surfacetest.CheckTextKept(t, contentType, body, texts)
		}
	})
}
