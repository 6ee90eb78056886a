package engine

import (
	"reflect"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// recentCapacity is how many logged changes recentEvents holds. A signup's
// change is a few KiB (the participant, its campaign without rules, the
// referrer), so the cache stays within tens of MiB; it covers the
// deliveries of the last few seconds of a busy account, which is what
// workers that keep up read.
const recentCapacity = 4096

// eventKey names a logged change: its account and event ID in the store.
type eventKey struct{ account, id int64 }

// recentEvents holds the changes this engine last logged with deliveries
// queued, as they were committed, so that delivery workers render them
// without reading and decoding them back from the log. Logged changes
// never change, so a hit is exactly what the log holds; a miss (an event
// older than the cache, another replica's, or one logged before a
// restart) reads the log. The changes are shared: nothing may modify one.
type recentEvents struct {
	mu   sync.Mutex
	ring [recentCapacity]eventKey
	next int
	m    map[eventKey]*canonical.Change
}

// add holds the committed changes of one write of account acct; they carry
// their event IDs.
func (r *recentEvents) add(acct int64, cs []canonical.Change) {
	// Which to hold is worked out before taking the lock: the signups
	// adding and the workers reading share it.
	keep := make([]eventKey, len(cs))
	for i := range cs {
		if id, err := parseID(cs[i].ID, "event"); err == nil && storedAlike(reflect.ValueOf(&cs[i]).Elem(), false) {
			keep[i] = eventKey{acct, id}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range keep {
		if k == (eventKey{}) {
			continue
		}
		if r.m == nil {
			r.m = make(map[eventKey]*canonical.Change, recentCapacity)
		}
		if old := r.ring[r.next]; old != (eventKey{}) {
			delete(r.m, old)
		}
		r.ring[r.next] = k
		r.next = (r.next + 1) % recentCapacity
		r.m[k] = &cs[i]
	}
}

// get returns the change logged as event id of account acct, if held.
func (r *recentEvents) get(acct, id int64) (*canonical.Change, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.m[eventKey{acct, id}]
	return c, ok
}

// storedAlike reports whether v reads back from the event log exactly as
// it is: what encoding/json writes and reads back unchanged. A change
// that would not (a free-form value holding an int or a json.Number
// rather than a float64, a string that is not UTF-8, a time outside UTC)
// is not held, so a worker renders every change as the log holds it.
//
// Typed strings are not looked at: every value the engine stores passed
// canonical.CheckValue, which refuses strings and keys that are not UTF-8.
// So in typed values only times and free-form values can differ, and the
// walk visits only the fields that can lead to one (typePlan).
func storedAlike(v reflect.Value, free bool) bool {
	if free {
		return freeAlike(v)
	}
	switch v.Kind() {
	case reflect.Pointer:
		return v.IsNil() || storedAlike(v.Elem(), false)
	case reflect.Interface:
		return v.IsNil() || freeAlike(v.Elem())
	case reflect.Slice, reflect.Array:
		if !planOf(v.Type().Elem()).worth {
			return true
		}
		for i := range v.Len() {
			if !storedAlike(v.Index(i), false) {
				return false
			}
		}
		return true
	case reflect.Map:
		if !planOf(v.Type().Elem()).worth {
			return true
		}
		for it := v.MapRange(); it.Next(); {
			if !storedAlike(it.Value(), false) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time).Location() == time.UTC
		}
		for _, i := range planOf(v.Type()).fields {
			if !storedAlike(v.Field(i), false) {
				return false
			}
		}
		return true
	}
	return true
}

// freeAlike is storedAlike for a value inside a free-form value, which
// reads back as nil, bool, float64, string, []any or map[string]any.
func freeAlike(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Interface:
		return v.IsNil() || freeAlike(v.Elem())
	case reflect.Bool:
		return v.Type() == reflect.TypeFor[bool]()
	case reflect.Float64:
		return v.Type() == reflect.TypeFor[float64]()
	case reflect.String:
		// A json.Number comes back a float64.
		return v.Type() == reflect.TypeFor[string]() && utf8.ValidString(v.String())
	case reflect.Slice:
		if v.Type() != reflect.TypeFor[[]any]() {
			return false
		}
		for i := range v.Len() {
			if !freeAlike(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if v.Type() != reflect.TypeFor[map[string]any]() {
			return false
		}
		for it := v.MapRange(); it.Next(); {
			if !utf8.ValidString(it.Key().String()) || !freeAlike(it.Value()) {
				return false
			}
		}
		return true
	}
	return false
}

var timeType = reflect.TypeFor[time.Time]()

// typePlan says of a type whether a value of it can hold a time or a
// free-form value (worth walking) and, for a struct, which fields can.
type typePlan struct {
	worth  bool
	fields []int
}

// plans caches typePlan by reflect.Type.
var plans sync.Map

// planOf returns t's plan.
func planOf(t reflect.Type) *typePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	p := buildPlan(t, map[reflect.Type]bool{})
	plans.Store(t, p)
	return p
}

// buildPlan works t's plan out; seen breaks cycles of types (a type
// already being worked out counts as worth walking, to be safe).
func buildPlan(t reflect.Type, seen map[reflect.Type]bool) *typePlan {
	if seen[t] {
		return &typePlan{worth: true}
	}
	seen[t] = true
	defer delete(seen, t)
	switch t.Kind() {
	case reflect.Interface:
		return &typePlan{worth: true}
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return &typePlan{worth: buildPlan(t.Elem(), seen).worth}
	case reflect.Struct:
		if t == timeType {
			return &typePlan{worth: true}
		}
		p := &typePlan{}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.IsExported() && buildPlan(f.Type, seen).worth {
				p.fields = append(p.fields, i)
			}
		}
		p.worth = len(p.fields) > 0
		return p
	}
	return &typePlan{}
}
