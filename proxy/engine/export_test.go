package engine

import (
	"strconv"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// RecentEvent is the change the engine holds for delivery workers as
// event id of the account, if it holds one (tests compare it with the
// log's).
func (e *Engine) RecentEvent(account, id string) (canonical.Change, bool) {
	acct, _ := strconv.ParseInt(account, 10, 64)
	n, _ := strconv.ParseInt(id, 10, 64)
	c, ok := e.recent.get(acct, n)
	if !ok {
		return canonical.Change{}, false
	}
	return *c, true
}
