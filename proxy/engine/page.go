package engine

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// Cursors are opaque to callers: base64url of a short internal form, so
// nobody builds them by hand and they can change shape later.

func encodeCursor(s string) string {
	if s == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", canonical.Errorf(canonical.Invalid, "malformed cursor")
	}
	return string(b), nil
}

// idCursor decodes a cursor holding the last ID of the previous page.
func idCursor(c string) (int64, error) {
	s, err := decodeCursor(c)
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "id:"), 10, 64)
	if err != nil || !strings.HasPrefix(s, "id:") {
		return 0, canonical.Errorf(canonical.Invalid, "malformed cursor")
	}
	return n, nil
}

func cursorFromID(id string) string { return encodeCursor("id:" + id) }

// clampLimit applies a default and a maximum page size.
func clampLimit(n, def, max int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}

// pageOf turns limit+1 fetched rows into a page whose cursor is the last
// returned row's ID.
func pageOf[T any](rows []T, limit int, id func(T) string) canonical.Page[T] {
	p := canonical.Page[T]{Items: rows, Total: -1}
	if len(rows) > limit {
		p.Items = rows[:limit]
		p.NextCursor = cursorFromID(id(rows[limit-1]))
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}
