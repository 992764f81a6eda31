// Package conns keeps the books of a TCP server — its listeners, its live
// connections, and how many come from each client host — so that the SMTP
// and POP3 servers share one accept loop, one set of connection limits and
// one graceful shutdown.
//
// A protocol server embeds a [Frame] (the Set, its configuration, its log)
// and gives each connection an [Idle], the one way a connection waits for
// a command and is woken there by Shutdown.
package conns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Errors of Add; a server answers them in its protocol before closing.
var (
	// ErrClosed: the server is shutting down.
	ErrClosed = errors.New("conns: server closed")
	// ErrTooMany: the server has Limits.Total connections already.
	ErrTooMany = errors.New("conns: too many connections")
	// ErrTooManyFromHost: the client's host has Limits.PerHost already.
	ErrTooManyFromHost = errors.New("conns: too many connections from one host")
)

// Limits bound the connections a server keeps at once; zero means no
// limit.
type Limits struct {
	Total   int
	PerHost int // from one client IP address
	// Reserved of the Total are kept for clients that Set.Trusted
	// trusts (the classroom's hosts, whose relays deliver here): others
	// may fill only Total-Reserved, so that they cannot lock them out.
	Reserved int
}

// Conn is a served connection, as the Set sees it.
type Conn interface {
	// Interrupt asks the connection to end as soon as it safely can: at
	// once when it waits for a command, after the command in progress
	// otherwise. It must not block.
	Interrupt()
	// Close cuts the connection at once.
	Close() error
}

// Set is the listeners and connections of one server. The zero value is
// ready to use; set Limits before serving.
type Set struct {
	Limits Limits
	// Trusted, when set, tells the clients that may use the reserved
	// slots. It is called with the Set's lock held and must answer at
	// once.
	Trusted func(remote net.Addr) bool

	closing atomic.Bool // read without mu: connections check it under locks of their own

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[Conn]string // → client host
	hosts     map[string]int
	changed   chan struct{} // a token whenever a connection goes
}

// Closing reports whether Shutdown or Close was called.
func (s *Set) Closing() bool { return s.closing.Load() }

// Serve accepts connections on l and hands each to serve in a goroutine of
// its own, until Shutdown or Close (then it returns ErrClosed) or a failure
// of Accept that is not temporary. Accept failures such as running out of
// file descriptors are waited out. Serve closes l when it returns.
func (s *Set) Serve(l net.Listener, serve func(net.Conn), logf func(string, ...any)) error {
	defer l.Close()
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.Closing() {
				return ErrClosed
			}
			if !temporary(err) {
				return err
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			if logf != nil {
				logf("accept: %v; retrying in %v", err, delay)
			}
			time.Sleep(delay)
			continue
		}
		delay = 0
		go serve(nc)
	}
}

// temporary reports whether an Accept error may go away by itself: out of
// file descriptors, a connection aborted before it was accepted, a timeout.
func temporary(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM)
}

// Add registers a connection from remote, or says why it may not be served:
// ErrClosed, ErrTooMany or ErrTooManyFromHost. A connection added must be
// removed with Remove when it ends.
func (s *Set) Add(c Conn, remote net.Addr) error {
	host := hostOf(remote)
	s.mu.Lock()
	defer s.mu.Unlock()
	total := s.Limits.Total
	if total > 0 && !(s.Trusted != nil && s.Trusted(remote)) {
		total = max(total-s.Limits.Reserved, 1)
	}
	switch {
	case s.closing.Load():
		return ErrClosed
	case total > 0 && len(s.conns) >= total:
		return fmt.Errorf("%w (%d)", ErrTooMany, total)
	case s.Limits.PerHost > 0 && s.hosts[host] >= s.Limits.PerHost:
		return fmt.Errorf("%w (%d from %s)", ErrTooManyFromHost, s.Limits.PerHost, host)
	}
	if s.conns == nil {
		s.conns, s.hosts = map[Conn]string{}, map[string]int{}
	}
	s.conns[c] = host
	s.hosts[host]++
	return nil
}

// Remove forgets a connection that has ended.
func (s *Set) Remove(c Conn) {
	s.mu.Lock()
	host, ok := s.conns[c]
	if ok {
		delete(s.conns, c)
		if s.hosts[host]--; s.hosts[host] <= 0 {
			delete(s.hosts, host)
		}
	}
	ch := s.changedLocked()
	s.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Len is the number of connections being served.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func (s *Set) changedLocked() chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{}, 1)
	}
	return s.changed
}

// Shutdown stops the server gracefully: the listeners are closed, every
// connection is interrupted (it ends when it safely can), and Shutdown
// waits for all of them to be removed, which a server does once the
// session's handler is done with its backend.
//
// When ctx has a deadline, the connections still there shortly before it
// (a tenth of the time left, at most CutMargin) are cut, and Shutdown waits
// the rest of the time for their handlers to notice and return: what the
// server's owner closes next, such as a journal or a lock, is then no longer
// in use. When ctx is cancelled, or its deadline comes first, the
// connections left are cut and Shutdown returns at once. Whenever
// connections were cut the error is ctx's (context.DeadlineExceeded for a
// cut before the deadline).
func (s *Set) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing.Store(true)
	err := s.closeListenersLocked()
	for c := range s.conns {
		c.Interrupt()
	}
	s.mu.Unlock()
	var cut <-chan time.Time
	if deadline, ok := ctx.Deadline(); ok {
		left := time.Until(deadline)
		t := time.NewTimer(left - min(left/10, CutMargin))
		defer t.Stop()
		cut = t.C
	}
	if s.waitEmpty(ctx.Done(), cut) {
		return err
	}
	s.closeConns()
	if s.waitEmpty(ctx.Done(), nil) {
		if err := ctx.Err(); err != nil {
			return err
		}
		return context.DeadlineExceeded // cut a little before it
	}
	s.mu.Lock()
	n := len(s.conns)
	s.mu.Unlock()
	return fmt.Errorf("%w (%d sessions cut and still ending)", ctx.Err(), n)
}

// CutMargin is the most time Shutdown keeps, before its context's
// deadline, for the handlers of the connections it cut to return.
const CutMargin = 2 * time.Second

// waitEmpty waits until no connection is left (true) or until done or
// timeout (false), whichever comes first.
func (s *Set) waitEmpty(done <-chan struct{}, timeout <-chan time.Time) bool {
	for {
		s.mu.Lock()
		n, ch := len(s.conns), s.changedLocked()
		s.mu.Unlock()
		if n == 0 {
			return true
		}
		select {
		case <-ch:
		case <-done:
			return false
		case <-timeout:
			return false
		}
	}
}

// Close stops the server at once: listeners and connections are closed.
func (s *Set) Close() error {
	s.mu.Lock()
	s.closing.Store(true)
	err := s.closeListenersLocked()
	s.mu.Unlock()
	s.closeConns()
	return err
}

func (s *Set) closeListenersLocked() error {
	var err error
	for l := range s.listeners {
		if cerr := l.Close(); cerr != nil && err == nil {
			err = cerr
		}
		delete(s.listeners, l)
	}
	return err
}

func (s *Set) closeConns() {
	s.mu.Lock()
	list := make([]Conn, 0, len(s.conns))
	for c := range s.conns {
		list = append(list, c)
	}
	s.mu.Unlock()
	for _, c := range list {
		c.Close()
	}
}

func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
