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
	"time"

	"maillab/server/conns"
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
	// MaxCommands closes the connection, with "-ERR too many commands in
	// one session", when the client sends more command lines than this in
	// one session (a flood). Zero means no limit.
	MaxCommands int
	// Challenge, when set, returns the APOP timestamp for a new
	// connection, angle brackets included. Tests set it to get fixed
	// transcripts. When nil, every connection gets a fresh
	// "<pid.clock@Hostname>" where clock strictly increases.
	Challenge func() string
	// ErrorLog receives panics of the backend and unexpected I/O errors.
	// Nothing secret is ever logged. When nil, the log package's standard
	// logger is used.
	ErrorLog *log.Logger

	// MaxConns and MaxConnsPerHost bound the connections served at once,
	// in all and from one client address; a connection over a limit is
	// answered "-ERR [SYS/TEMP]" and closed. Zero means no limit.
	MaxConns        int
	MaxConnsPerHost int

	set  conns.Set
	once sync.Once
}

func (s *Server) init() {
	s.once.Do(func() {
		s.set.Limits = conns.Limits{Total: s.MaxConns, PerHost: s.MaxConnsPerHost}
	})
}

// Serve accepts connections on l and serves each in its own goroutine. It
// closes l when it returns, which is with ErrServerClosed after Shutdown or
// Close, or with the error that made Accept fail.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	err := s.set.Serve(l, s.ServeConn, func(format string, args ...any) { s.logf("pop3: "+format, args...) })
	if errors.Is(err, conns.ErrClosed) {
		return ErrServerClosed
	}
	return err
}

// ServeConn serves one connection and returns when it has ended. It closes
// nc. After Shutdown or Close it closes nc at once; over a connection limit
// it says so first.
func (s *Server) ServeConn(nc net.Conn) {
	s.init()
	c := newConn(s, nc)
	if err := s.set.Add(c, nc.RemoteAddr()); err != nil {
		if !errors.Is(err, conns.ErrClosed) {
			c.writeErr(sysTemp("too many connections, try again later").(*errReply))
			c.flush()
		}
		nc.Close()
		return
	}
	defer c.close()
	defer s.set.Remove(c) // the session is over; lingering is not waited for
	c.serve()
}

// Shutdown stops the server gracefully: it closes the listeners, closes the
// connections that are waiting for a command (telling the client so), lets
// a command in progress finish (such as the deletions of a QUIT) and then
// closes its connection. A session ended this way deletes nothing. Shutdown
// returns when every connection has ended, or, when ctx ends first, cuts the
// connections left (deleting nothing) and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	return s.set.Shutdown(ctx)
}

// Close stops the server at once: it closes the listeners and every
// connection. Sessions cut this way delete nothing; their maildrops are
// unlocked and their sessions closed as their goroutines notice.
func (s *Server) Close() error {
	s.init()
	return s.set.Close()
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
