package migrate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// IDMap maps every source ID to its target ID, per entity kind. It lives
// in a file of JSON lines, appended as entities are written, and doubles
// as the run's checkpoint: an entity in the map is done, so a run that
// was stopped and started again skips it.
type IDMap struct {
	mu      sync.Mutex
	m       map[string]string // kind + "\x00" + source → target
	f       *os.File
	w       *bufio.Writer
	pending int
}

// mapEntry is one line of the file.
type mapEntry struct {
	Kind   string `json:"kind"`
	Source string `json:"source"`
	Target string `json:"target"`
}

// syncEvery is how many entries may wait in memory before the file is
// synced; entries lost to a crash are found again on resume (creates are
// idempotent by email, sales by external id).
const syncEvery = 64

// OpenIDMap loads the map at path (creating it, and its directory) for
// appending; an empty path keeps the map in memory only.
func OpenIDMap(path string) (*IDMap, error) {
	m := &IDMap{m: map[string]string{}}
	if path == "" {
		return m, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		sc := bufio.NewScanner(f)
		line := 0
		for sc.Scan() {
			line++
			var e mapEntry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				// A line cut short by a crash is the last one; anything
				// else is a damaged file.
				if !sc.Scan() {
					break
				}
				f.Close()
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
			m.m[e.Kind+"\x00"+e.Source] = e.Target
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	if m.f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		return nil, err
	}
	m.w = bufio.NewWriter(m.f)
	return m, nil
}

// Get returns the target ID of a source entity.
func (m *IDMap) Get(kind, source string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.m[kind+"\x00"+source]
	return t, ok
}

// Len is the number of mapped entities.
func (m *IDMap) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

// Put records a mapping; durable says it must reach the disk before Put
// returns (an entity whose create is not idempotent).
func (m *IDMap) Put(kind, source, target string, durable bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[kind+"\x00"+source] = target
	if m.w == nil {
		return nil
	}
	b, err := json.Marshal(mapEntry{kind, source, target})
	if err != nil {
		return err
	}
	if _, err := m.w.Write(append(b, '\n')); err != nil {
		return err
	}
	m.pending++
	if durable || m.pending >= syncEvery {
		return m.syncLocked()
	}
	return nil
}

func (m *IDMap) syncLocked() error {
	if m.w == nil {
		return nil
	}
	if err := m.w.Flush(); err != nil {
		return err
	}
	m.pending = 0
	return m.f.Sync()
}

// Entries returns every mapping of kind.
func (m *IDMap) Entries(kind string) map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	prefix := kind + "\x00"
	for k, v := range m.m {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			out[k[len(prefix):]] = v
		}
	}
	return out
}

// HasTarget reports whether some source entity of kind maps to target.
// It scans the map: for kinds with few entries.
func (m *IDMap) HasTarget(kind, target string) bool {
	for _, t := range m.Entries(kind) {
		if t == target {
			return true
		}
	}
	return false
}

// Close syncs and closes the file.
func (m *IDMap) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.f == nil {
		return nil
	}
	err := m.syncLocked()
	return errors.Join(err, m.f.Close())
}
