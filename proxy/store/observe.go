package store

import "time"

// Observer is told what a store does, for metrics. Its methods are called
// on the store's hot paths, from many goroutines at once: they must be
// cheap and safe for concurrent use.
type Observer interface {
	// Transaction is called when a View (write false) or an Update (write
	// true) returns, with how long it took (for an Update, from the call,
	// so waiting for a grouped commit counts) and its error.
	Transaction(write bool, d time.Duration, err error)
	// Commit is called when a write transaction's commit returns, with
	// how many Updates it carried (more than one where the store groups
	// them) and how long the commit took.
	Commit(writes int, d time.Duration, err error)
}

// Observable is a Store that reports to an Observer. Observe is called
// once, before the store is used.
type Observable interface {
	Observe(Observer)
}
