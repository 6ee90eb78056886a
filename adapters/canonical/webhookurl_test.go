package canonical_test

import (
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

func TestCheckWebhookURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://hooks.example.com/in", true},
		{"http://127.0.0.1:8080/hook?x=1", true},
		{"https://user:pw@hooks.example.com", true},
		{"", false},
		{"hooks.example.com/in", false},
		{"/relative/path", false},
		{"ftp://hooks.example.com/in", false},
		{"javascript:alert(1)", false},
		{"https://", false},
		{"https://:443/x", false},
		{"http://exa mple.com", false},
		{"https://hooks.example.com/%zz", false},
	} {
		err := canonical.CheckWebhookURL(tc.url)
		if (err == nil) != tc.ok || (err != nil && !canonical.IsCode(err, canonical.Invalid)) {
			t.Errorf("CheckWebhookURL(%q) = %v, want ok %v (Invalid otherwise)", tc.url, err, tc.ok)
		}
	}
}
