//go:build !windows

package main

import (
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// blockingConn is a TCP connection read and written with blocking system
// calls from the goroutine's own thread, as a C client with a thread per
// connection does. Through Go's network poller every reply would wake a
// poller thread and hand the goroutine over to another; on a machine of two
// cores shared with the server under test, that bookkeeping of the load
// generator would take a share of the CPU the server needs.
type blockingConn struct {
	net.Conn     // for Close and the addresses
	fd       int // a duplicate of the connection's descriptor, in blocking mode
}

// dialBlocking connects to addr and returns the connection in blocking
// mode, every read and write bounded by timeout.
func dialBlocking(addr string, timeout time.Duration) (*blockingConn, error) {
	return dialBlockingFrom(addr, "", timeout)
}

// dialBlockingFrom is dialBlocking from the local address from ("": any).
func dialBlockingFrom(addr, from string, timeout time.Duration) (*blockingConn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	sc, err := nc.(*net.TCPConn).SyscallConn()
	if err != nil {
		nc.Close()
		return nil, err
	}
	var fd int
	var ctrlErr error
	err = sc.Control(func(s uintptr) {
		// a duplicate, so that the poller keeps its own descriptor
		// (non-blocking) and this one can block
		if fd, ctrlErr = syscall.Dup(int(s)); ctrlErr != nil {
			return
		}
		syscall.CloseOnExec(fd)
		if ctrlErr = syscall.SetNonblock(fd, false); ctrlErr != nil {
			return
		}
		tv := syscall.NsecToTimeval(timeout.Nanoseconds())
		if ctrlErr = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); ctrlErr != nil {
			return
		}
		ctrlErr = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv)
	})
	if err == nil {
		err = ctrlErr
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &blockingConn{Conn: nc, fd: fd}, nil
}

func (c *blockingConn) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(c.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, fmt.Errorf("read: timed out")
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (c *blockingConn) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := syscall.Write(c.fd, p[n:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return n, fmt.Errorf("write: timed out")
		case err != nil:
			return n, err
		}
		n += m
	}
	return n, nil
}

func (c *blockingConn) Close() error {
	syscall.Close(c.fd)
	return c.Conn.Close()
}
