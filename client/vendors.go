package client

import (
	"net/url"

	"github.com/refbridge/refbridge/adapters/canonical"
)

// vendorOpeners open each vendor's outbound backend from its URL.
var vendorOpeners = map[string]func(*url.URL) (canonical.Backend, error){}
