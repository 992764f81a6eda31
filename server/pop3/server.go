// Package pop3 is the POP3 server of the lab kit: RFC 1939 (USER/PASS and
// APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL) with RFC 2449
// CAPA, pipelining and the response codes AUTH, IN-USE and SYS/TEMP (RFC
// 2449, RFC 3206).
//
// Students talk to it by hand with telnet, so commands are taken in any
// case, with any number of spaces between arguments, and every mistake gets
// a plain "-ERR" saying what was wrong while the session goes on.
//
// The package knows nothing of storage: a [Backend] checks credentials and
// hands out locked maildrops. A [Session] that also implements [Tracer]
// follows the conversation, with passwords and APOP digests already
// replaced by "****".
package pop3

import (
	"context"
	"errors"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("pop3: server closed")

// Server is a POP3 server. Set its fields before calling Serve or ServeConn
// and do not change them afterwards. Limits are off when zero.
type Server struct {
	// Backend checks logins and provides the maildrops. Required.
	Backend Backend
	// Hostname is the host part of the default APOP challenge, e.g.
	// "g3.lab.test". When empty, the machine's host name is used.
	Hostname string
	// Implementation names the server in the greeting and in the CAPA
	// IMPLEMENTATION line, e.g. "maillab".
	Implementation string
	// MaxLine is the longest command line accepted, counting its CRLF
	// (RFC 2449 says 255). A longer line is answered "-ERR line too long"
	// and the session goes on. Zero means no limit.
	MaxLine int
	// IdleTimeout is the autologout timer (RFC 1939 asks for at least 10
	// minutes): a whole command line must arrive within it, and every write
	// to the client must make progress within it. A session that times out
	// is closed without deleting anything. Zero means no timeout.
	IdleTimeout time.Duration
	// MaxErrors closes the connection, with "-ERR too many errors", when
	// that many commands in a row have failed through the client's fault
	// (unknown, wrong state, bad syntax, bad message number, failed login),
	// or when that many logins have failed on the connection (USER's +OK
	// between two failed PASS does not start the count again). Zero means
	// never.
	MaxErrors int
	// Challenge, when set, returns the APOP timestamp for a new
	// connection, angle brackets included. Tests set it to get fixed
	// transcripts. When nil, every connection gets a fresh
	// "<pid.clock@Hostname>" where clock strictly increases.
	Challenge func() string
	// ErrorLog receives panics of the backend and unexpected I/O errors.
	// Nothing secret is ever logged. When nil, the log package's standard
	// logger is used.
	ErrorLog *log.Logger

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[*conn]struct{}
	done      chan struct{} // closed when shutting down and no connection is left
	closing   atomic.Bool   // Shutdown or Close was called
}

// Serve accepts connections on l and serves each in its own goroutine. It
// closes l when it returns, which is with ErrServerClosed after Shutdown or
// Close, or with the error that made Accept fail.
func (s *Server) Serve(l net.Listener) error {
	if !s.trackListener(&l, true) {
		l.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)

	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			if !temporary(err) {
				return err
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.logf("pop3: accept: %v; retrying in %v", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		go s.ServeConn(nc)
	}
}

// temporary reports whether an Accept error may go away by itself (too many
// open files, a connection aborted before it was accepted).
func temporary(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED)
}

// ServeConn serves one connection and returns when it has ended. It closes
// nc. After Shutdown or Close it closes nc at once.
func (s *Server) ServeConn(nc net.Conn) {
	c := newConn(s, nc)
	if !s.trackConn(c, true) {
		nc.Close()
		return
	}
	defer c.close()
	defer s.trackConn(c, false) // the session is over; lingering is not waited for
	c.serve()
}

// Shutdown stops the server gracefully: it closes the listeners, closes the
// connections that are waiting for a command (telling the client so), lets
// a command in progress finish (such as the deletions of a QUIT) and then
// closes its connection. A session ended this way deletes nothing. Shutdown
// returns when every connection has ended, or with ctx's error when ctx is
// done first; the connections left can then be cut with Close.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing.Store(true)
	err := s.closeListenersLocked()
	for c := range s.conns {
		c.interruptIfIdle()
	}
	done := s.doneLocked()
	s.mu.Unlock()

	select {
	case <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the server at once: it closes the listeners and every
// connection. Sessions cut this way delete nothing; their maildrops are
// unlocked and their sessions closed as their goroutines notice.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing.Store(true)
	err := s.closeListenersLocked()
	for c := range s.conns {
		c.nc.Close()
	}
	s.doneLocked()
	return err
}

func (s *Server) closeListenersLocked() error {
	var err error
	for l := range s.listeners {
		if cerr := (*l).Close(); cerr != nil && err == nil {
			err = cerr
		}
		delete(s.listeners, l)
	}
	return err
}

// doneLocked returns the channel that is closed once the server is closing
// and has no connections left, closing it already if that is so.
func (s *Server) doneLocked() chan struct{} {
	if s.done == nil {
		s.done = make(chan struct{})
	}
	if s.closing.Load() && len(s.conns) == 0 {
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	}
	return s.done
}

func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		if _, ok := s.listeners[l]; ok {
			(*l).Close()
			delete(s.listeners, l)
		}
		return true
	}
	if s.closing.Load() {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[*net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.conns, c)
		if s.closing.Load() {
			s.doneLocked()
		}
		return true
	}
	if s.closing.Load() {
		return false
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
	} else {
		log.Printf(format, args...)
	}
}

// challenge returns the APOP timestamp for a new connection.
func (s *Server) challenge() string {
	if s.Challenge != nil {
		return s.Challenge()
	}
	return newChallenge(s.Hostname)
}

// name is how the server calls itself in the greeting and at QUIT.
func (s *Server) name() string {
	if s.Implementation == "" {
		return "POP3 server"
	}
	return s.Implementation + " POP3 server"
}
