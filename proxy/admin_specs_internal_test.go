package proxy

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestReplaceServersYAML: only the top-level servers block changes, its
// comments and blank lines go with it, and a spec without one gains one.
func TestReplaceServersYAML(t *testing.T) {
	t.Parallel()
	servers := openapi3.Servers{{URL: "http://h:1/v2", Description: `say "hi"`}}
	block := "servers:\n  - url: \"http://h:1/v2\"\n    description: \"say \\\"hi\\\"\"\n"
	for _, tc := range []struct{ name, in, want string }{
		{"middle",
			"openapi: 3.0.3\nservers:\n  - url: https://x/v2\n\n  # prod\n  - url: https://y\nsecurity: []\n",
			"openapi: 3.0.3\n" + block + "security: []\n"},
		{"last", "a: 1\nservers:\n  - url: https://x\n", "a: 1\n" + block},
		{"none", "a: 1", "a: 1\n" + block},
		{"nested key untouched", "x:\n  servers:\n    - url: https://x\n", "x:\n  servers:\n    - url: https://x\n" + block},
	} {
		got, err := replaceServersYAML([]byte(tc.in), servers)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s:\ngot  %q, %v\nwant %q", tc.name, got, err, tc.want)
		}
	}
}
