package canonical

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Limits on what a value may hold, so that everything a backend accepts
// can be stored and read back unchanged. encoding/json refuses to decode
// a document nested deeper than 10,000 levels, and silently replaces bytes
// that are not UTF-8 with U+FFFD when it encodes.
const (
	// MaxDepth is how many levels of objects and arrays a free-form value
	// may nest: a native value such as GrowSurf's design object, or a
	// whole request body on a vendor surface. The vendors' documented
	// objects nest four levels at most; 32 leaves room for any settings
	// object a vendor's dashboard writes.
	MaxDepth = 32
	// MaxValueBytes is the size of the largest free-form value, measured
	// as its JSON text (escapes aside), and of the longest string: 64 KiB.
	MaxValueBytes = 64 << 10
)

// CheckValue reports, as an Invalid error naming the offending part, the
// first part of v that must not be stored:
//   - a string or map key, anywhere in v, that is not valid UTF-8;
//   - a string longer than MaxValueBytes;
//   - a free-form value (one held in an interface: a Native value) nested
//     deeper than MaxDepth or larger than MaxValueBytes;
//   - a number JSON cannot hold (NaN, ±Inf), or a function or channel.
//
// name labels v itself in messages ("code"); fields, map keys and indices
// below it are named as in Go ("Participant.Native.growsurf.design").
// Backends call it on every value they are given to store.
func CheckValue(name string, v any) error {
	c := checker{path: make([]step, 1, 8)}
	c.path[0] = step{name: name, index: -1}
	_, err := c.walk(reflect.ValueOf(v), -1)
	return err
}

// checker walks a value, keeping the path to the part being checked.
type checker struct {
	path []step
	// root is the length of path at the free-form value being walked:
	// depth errors name that value, not the path as deep as the nesting.
	root int
}

// step is one step of a path: a field or map key (name), or a list index
// (index >= 0). Paths are rendered only for errors.
type step struct {
	name  string
	index int
}

// walk checks v and returns the approximate size of its JSON text. depth
// is v's nesting level inside the free-form value that holds it, or -1
// outside any.
func (c *checker) walk(v reflect.Value, depth int) (int, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return len("null"), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return len("null"), nil
		}
		if v.Kind() == reflect.Pointer || depth >= 0 {
			return c.walk(v.Elem(), depth)
		}
		// An interface outside any free-form value starts one.
		c.root = len(c.path)
		n, err := c.walk(v.Elem(), 0)
		if err == nil && n > MaxValueBytes {
			err = c.fail("is larger than %d bytes", MaxValueBytes)
		}
		return n, err
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return 0, c.fail("is not valid UTF-8")
		}
		if len(s) > MaxValueBytes {
			return 0, c.fail("is longer than %d bytes", MaxValueBytes)
		}
		return len(s) + 2, nil
	case reflect.Bool:
		return len("false"), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var buf [24]byte
		return len(strconv.AppendInt(buf[:0], v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		var buf [24]byte
		return len(strconv.AppendUint(buf[:0], v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, c.fail("is not a number JSON can hold")
		}
		var buf [32]byte
		return len(strconv.AppendFloat(buf[:0], f, 'g', -1, 64)), nil
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
		if depth >= 0 {
			if depth++; depth > MaxDepth {
				return 0, failAt(c.path[:c.root], "nests deeper than %d levels", MaxDepth)
			}
		}
		return c.composite(v, depth)
	}
	return 0, c.fail("cannot be stored (a %s)", v.Kind())
}

// composite walks the fields, entries or elements of v.
func (c *checker) composite(v reflect.Value, depth int) (int, error) {
	size := 2
	switch v.Kind() {
	case reflect.Struct:
		for _, f := range exportedFields(v.Type()) {
			if !f.embedded {
				c.path = append(c.path, step{name: f.name, index: -1})
			}
			n, err := c.walk(v.Field(f.index), depth)
			if !f.embedded {
				c.path = c.path[:len(c.path)-1]
			}
			if err != nil {
				return 0, err
			}
			size += n + len(f.name) + 4
		}
	case reflect.Map:
		if v.Len() == 0 {
			break
		}
		key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		for it := v.MapRange(); it.Next(); {
			key.SetIterKey(it)
			val.SetIterValue(it)
			name := ""
			if key.Kind() == reflect.String {
				name = key.String()
				if !utf8.ValidString(name) {
					return 0, c.fail("has a key that is not valid UTF-8")
				}
			}
			c.path = append(c.path, step{name: name, index: -1})
			n, err := c.walk(val, depth)
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return 0, err
			}
			size += n + len(name) + 4
		}
	default:
		for i := range v.Len() {
			c.path = append(c.path, step{index: i})
			n, err := c.walk(v.Index(i), depth)
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return 0, err
			}
			size += n + 1
		}
	}
	return size, nil
}

// field is an exported struct field.
type field struct {
	name     string
	index    int
	embedded bool
}

// fieldCache holds each struct type's exported fields (reflect.Type.Field
// allocates on every call).
var fieldCache sync.Map // reflect.Type → []field

func exportedFields(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			fs = append(fs, field{name: f.Name, index: i, embedded: f.Anonymous})
		}
	}
	fieldCache.Store(t, fs)
	return fs
}

// fail returns an Invalid error about the part at the current path.
func (c *checker) fail(format string, args ...any) *Error {
	return failAt(c.path, format, args...)
}

// failAt returns an Invalid error about the part at path.
func failAt(path []step, format string, args ...any) *Error {
	var b strings.Builder
	for _, s := range path {
		switch {
		case s.index >= 0:
			fmt.Fprintf(&b, "[%d]", s.index)
		case s.name == "":
		case b.Len() > 0:
			b.WriteString("." + s.name)
		default:
			b.WriteString(s.name)
		}
	}
	name := b.String()
	if name == "" {
		name = "value"
	}
	return Errorf(Invalid, "%s "+format, append([]any{name}, args...)...)
}
