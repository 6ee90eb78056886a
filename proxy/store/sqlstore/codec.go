package sqlstore

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
)

// decodeDepth is how deeply encoding/json nests objects and arrays
// before it refuses to decode a document (its scanner's unexported
// maxNestingDepth).
const decodeDepth = 10000

// encode renders v as its stored document. A document the decoder would
// refuse is not written: json.Marshal's output is always well-formed, so
// the one way it can fail to read back is nesting past decodeDepth, which
// is counted here (TestEncodeRefusesWhatDecodeRefuses holds the two
// limits together).
func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode: %w", err)
	}
	if _, depth, _ := valueEnd(b, 0); depth > decodeDepth {
		return "", fmt.Errorf("sqlstore: encode %T: %w", v, store.ErrTooDeep)
	}
	return string(b), nil
}

// decode reads the stored document of record id into v, a pointer to a
// zero value. A document the decoder refuses — one written before encode
// checked, holding a native value nested past encoding/json's limit — is
// read without the native values that break it (see salvage); what was
// left out is logged once per record and process, and the record's next
// write stores it clean. A document that stays unreadable is
// store.ErrUnreadable, and v is left zero.
func decode(id int64, doc string, v any) error {
	err := json.Unmarshal([]byte(doc), v)
	if err == nil {
		return nil
	}
	zero := func() { reflect.ValueOf(v).Elem().SetZero() }
	zero() // a failed decode may have filled part of v
	if clean, dropped, ok := salvage([]byte(doc)); ok {
		if json.Unmarshal(clean, v) == nil {
			report(v, id, "stored document partly unreadable: read without the values listed; the record's next write stores it without them",
				"dropped", dropped, "cause", err)
			return nil
		}
		zero()
	}
	return fmt.Errorf("sqlstore: decode %T %d: %w: %v", v, id, store.ErrUnreadable, err)
}

// decodeListed is decode for a row of a list: a record that cannot be
// read at all is listed by its ID alone (setID sets it on the zero value
// left in v), so one damaged row neither fails the list nor shortens its
// page, which would end the listing early. Reading the record itself
// answers store.ErrUnreadable.
func decodeListed[T any](id int64, doc string, v *T, setID func(*T, string)) {
	if err := decode(id, doc, v); err != nil {
		report(v, id, "stored document unreadable: listed by its ID alone", "err", err)
	}
	setID(v, itoa(id))
}

// reported remembers the records report has logged, so a damaged record
// read on every request is logged once per process.
var reported sync.Map

// report logs a problem with a stored record once. The store has no
// logger of its own: it writes to slog's default logger, which
// `refbridge serve` points at its log.
func report(v any, id int64, msg string, args ...any) {
	typ := strings.TrimPrefix(fmt.Sprintf("%T", v), "*")
	if _, seen := reported.LoadOrStore(fmt.Sprintf("%s %d %s", typ, id, msg), true); seen {
		return
	}
	slog.Warn("sqlstore: "+msg, append([]any{"type", typ, "id", id}, args...)...)
}

// salvage rebuilds a stored document without the native values that keep
// it from decoding. Every member is kept as written except Native, whose
// vendors' values are kept one by one when they are JSON nested no deeper
// than canonical.MaxDepth — what is accepted today. dropped names what
// was left out ("Native.growsurf.design"); ok is false when doc is not an
// object this can take apart.
func salvage(doc []byte) (clean []byte, dropped []string, ok bool) {
	clean, ok = prune(doc, nil, &dropped)
	return clean, dropped, ok
}

// prune rebuilds the object b at path (nil for the document, then Native,
// then one vendor's values), adding what it leaves out to dropped.
func prune(b []byte, path []string, dropped *[]string) ([]byte, bool) {
	ms, ok := members(b)
	if !ok {
		return nil, false
	}
	out := []byte{'{'}
	for _, m := range ms {
		p := append(path[:len(path):len(path)], m.key)
		val := m.val
		switch {
		case len(path) == 0 && m.key != "Native":
			// A structured field: kept as it is.
		case len(path) < 2:
			// Native, then a vendor's values: pruned one by one. What is
			// left empty goes too (Native.Set leaves no empty maps).
			if val, ok = prune(m.val, p, dropped); !ok {
				*dropped = append(*dropped, strings.Join(p, "."))
				continue
			}
			if string(val) == "{}" {
				continue
			}
		case m.depth > canonical.MaxDepth || !json.Valid(m.val):
			*dropped = append(*dropped, strings.Join(p, "."))
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, m.rawKey...), ':'), val...)
	}
	return append(out, '}'), true
}

// member is one member of a JSON object, as text.
type member struct {
	key    string
	rawKey []byte // the key as written, quotes included
	val    []byte
	depth  int // how deeply val nests objects and arrays
}

// members takes the JSON object at the start of b apart, however deeply
// it nests (encoding/json stops at 10,000 levels). It finds each value's
// end by its quotes and brackets only; the values are left for the
// decoder to check.
func members(b []byte) ([]member, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	var out []member
	if i = skipSpace(b, i+1); i < len(b) && b[i] == '}' {
		return out, true
	}
	for i < len(b) && b[i] == '"' {
		end, ok := stringEnd(b, i)
		var key string
		if !ok || json.Unmarshal(b[i:end], &key) != nil {
			return nil, false
		}
		colon := skipSpace(b, end)
		if colon >= len(b) || b[colon] != ':' {
			return nil, false
		}
		start := skipSpace(b, colon+1)
		stop, depth, ok := valueEnd(b, start)
		if !ok {
			return nil, false
		}
		out = append(out, member{key: key, rawKey: b[i:end], val: b[start:stop], depth: depth})
		switch i = skipSpace(b, stop); {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == '}':
			return out, true
		default:
			return nil, false
		}
	}
	return nil, false
}

// valueEnd returns the end of the JSON value starting at b[i] and how
// deeply it nests.
func valueEnd(b []byte, i int) (end, depth int, ok bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	switch b[i] {
	case '"':
		end, ok = stringEnd(b, i)
		return end, 0, ok
	case '{', '[':
		level := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				e, ok := stringEnd(b, i)
				if !ok {
					return 0, 0, false
				}
				i = e - 1
			case '{', '[':
				level++
				depth = max(depth, level)
			case '}', ']':
				if level--; level == 0 {
					return i + 1, depth, true
				}
			}
		}
		return 0, 0, false
	}
	for end = i; end < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[end])); end++ {
	}
	return end, 0, end > i
}

// stringEnd returns the end of the JSON string starting at b[i].
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
