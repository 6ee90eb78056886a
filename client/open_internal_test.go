package client

import (
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestUnregisteredNamesThePackage: opening a scheme whose opener package
// was not imported says which package to import.
func TestUnregisteredNamesThePackage(t *testing.T) {
	t.Parallel()
	for scheme, pkg := range map[string]string{"growsurf": "client/growsurfclient", "irefer": "client/ireferclient",
		"sqlite": "client/engineclient", "postgres": "client/engineclient"} {
		err := unregistered(scheme)
		if canonical.CodeOf(err) != canonical.Invalid || !strings.Contains(err.Error(), `import _ "github.com/refbridge/refbridge/`+pkg+`"`) {
			t.Errorf("%s: %v, want Invalid naming %s", scheme, err, pkg)
		}
	}
}
