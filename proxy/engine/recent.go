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
	if len(cs) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[eventKey]*canonical.Change, recentCapacity)
	}
	for i := range cs {
		c := &cs[i]
		id, err := parseID(c.ID, "event")
		if err != nil || !storedAlike(reflect.ValueOf(c).Elem(), false) {
			continue
		}
		k := eventKey{acct, id}
		if old := r.ring[r.next]; old != (eventKey{}) {
			delete(r.m, old)
		}
		r.ring[r.next] = k
		r.next = (r.next + 1) % recentCapacity
		r.m[k] = c
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
func storedAlike(v reflect.Value, free bool) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.String:
		// A json.Number in a free-form value comes back a float64.
		return (!free || v.Type() == reflect.TypeFor[string]()) && utf8.ValidString(v.String())
	case reflect.Bool:
		return true
	case reflect.Float64:
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32:
		// Typed numbers read back as they are; in a free-form value
		// they come back as float64.
		return !free
	case reflect.Pointer:
		return v.IsNil() || storedAlike(v.Elem(), free)
	case reflect.Interface:
		return v.IsNil() || storedAlike(v.Elem(), true)
	case reflect.Slice, reflect.Array:
		if free && v.Type() != reflect.TypeFor[[]any]() {
			return false
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return !free
		}
		for i := range v.Len() {
			if !storedAlike(v.Index(i), free) {
				return false
			}
		}
		return true
	case reflect.Map:
		if free && v.Type() != reflect.TypeFor[map[string]any]() {
			return false
		}
		if v.Type().Key().Kind() != reflect.String {
			return false
		}
		for it := v.MapRange(); it.Next(); {
			if !utf8.ValidString(it.Key().String()) || !storedAlike(it.Value(), free) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if free {
			return false
		}
		if v.Type() == reflect.TypeFor[time.Time]() {
			return v.Interface().(time.Time).Location() == time.UTC
		}
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				if !v.Field(i).IsZero() {
					return false
				}
				continue
			}
			if !storedAlike(v.Field(i), false) {
				return false
			}
		}
		return true
	}
	return false
}
