package canonical

import (
	"reflect"
	"slices"
	"sync"
)

// Operation names one Backend method, e.g. "CreateParticipant".
type Operation string

// Capabilities lists what a backend can do. A backend returns
// NotImplemented, without any I/O, for every operation it does not list.
type Capabilities struct {
	// Backend names the implementation, e.g. "engine" or "growsurf".
	Backend    string      `json:",omitzero"`
	Operations []Operation `json:",omitzero"`
	// Seek lists the list operations that honour ListOptions.Offset and
	// ListOptions.WithTotal.
	Seek []Operation `json:",omitzero"`
}

// Seeks reports whether op honours ListOptions.Offset and WithTotal.
func (c Capabilities) Seeks(op Operation) bool {
	return slices.Contains(c.Seek, op)
}

// Supports reports whether op is listed.
func (c Capabilities) Supports(op Operation) bool {
	return slices.Contains(c.Operations, op)
}

// AllOperations returns every operation of the Backend contract, sorted.
func AllOperations() []Operation {
	return slices.Clone(allOperations())
}

var allOperations = sync.OnceValue(func() []Operation {
	t := reflect.TypeFor[Backend]()
	ops := make([]Operation, 0, t.NumMethod())
	for i := range t.NumMethod() {
		if name := t.Method(i).Name; name != "Capabilities" {
			ops = append(ops, Operation(name))
		}
	}
	slices.Sort(ops)
	return ops
})

// Unsupported returns the operations c does not list.
func (c Capabilities) Unsupported() []Operation {
	var out []Operation
	for _, op := range allOperations() {
		if !c.Supports(op) {
			out = append(out, op)
		}
	}
	return out
}
