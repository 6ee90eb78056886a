package canonical_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// TestUnsupportedAnswersNotImplemented: every operation of the contract
// answers NotImplemented, naming the vendor.
func TestUnsupportedAnswersNotImplemented(t *testing.T) {
	t.Parallel()
	v := reflect.ValueOf(canonical.Unsupported{Name: "Acme"})
	for _, op := range canonical.AllOperations() {
		m := v.MethodByName(string(op))
		if !m.IsValid() {
			t.Errorf("Unsupported lacks %s", op)
			continue
		}
		args := make([]reflect.Value, m.Type().NumIn())
		for i := range args {
			if at := m.Type().In(i); at == reflect.TypeFor[context.Context]() {
				args[i] = reflect.ValueOf(context.Background())
			} else {
				args[i] = reflect.Zero(at)
			}
		}
		out := m.Call(args)
		err, _ := out[len(out)-1].Interface().(error)
		if canonical.CodeOf(err) != canonical.NotImplemented || !strings.Contains(err.Error(), "Acme cannot "+string(op)) {
			t.Errorf("%s: %v", op, err)
		}
	}
}
