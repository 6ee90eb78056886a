package surface

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateAddress is returned when an outbound delivery would reach a
// loopback, private, link-local or otherwise internal address.
var ErrPrivateAddress = errors.New("outbound delivery to an internal address refused")

// safeClient is the default client for outbound deliveries (webhook
// tests): the URL comes from a caller, so a delivery must not become a
// way to reach the proxy's own network.
var safeClient = &http.Client{
	Timeout: 10 * time.Second,
	Transport: &http.Transport{
		Proxy:                 nil,
		DialContext:           OutboundDialer(false).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// OutboundDialer returns the dialer of outbound deliveries: it gives up
// connecting after 5 seconds and, unless allowInternal, refuses
// loopback, private, link-local and other internal addresses (wrapping
// ErrPrivateAddress), after name resolution.
func OutboundDialer(allowInternal bool) *net.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowInternal {
		d.Control = refuseInternal
	}
	return d
}

// refuseInternal runs after name resolution, on the address actually
// dialled, so DNS answers pointing inside are refused too.
func refuseInternal(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
	}
	ip = ip.Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
	}
	return nil
}

// OutboundClient returns c.Outbound, or a client that refuses internal
// addresses, follows no redirects and times out after 10 seconds.
func (c Config) OutboundClient() *http.Client {
	if c.Outbound != nil {
		return c.Outbound
	}
	return safeClient
}

// OpenClient returns a client for outbound deliveries that reaches any
// address, internal ones included: for local development, where webhook
// receivers listen on loopback (refbridge serve --webhooks-allow-private).
// Like the default it follows no redirects and times out after 10 seconds.
func OpenClient() *http.Client {
	return &http.Client{Timeout: safeClient.Timeout, CheckRedirect: safeClient.CheckRedirect}
}
