//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package deliver

import (
	"crypto/tls"
	"net"
	"syscall"
)

// peerSilent reports whether nothing is waiting to be read on c's socket
// and the peer has not closed it: a peek that would block. It never
// blocks and reads nothing.
func peerSilent(c net.Conn) bool {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true // not a socket (a test's pipe): the exchange finds out
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	silent := false
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		silent = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true // done either way: never wait for readability
	})
	return err == nil && silent
}
