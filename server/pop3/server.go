// Package pop3 is the POP3 server of the lab kit: RFC 1939 (USER/PASS and
// APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT, TOP, UIDL) with RFC 2449
// CAPA, pipelining and the response codes AUTH, IN-USE and SYS/TEMP (RFC
// 2449, RFC 3206), and STLS (RFC 2595) when it has a certificate.
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
	"crypto/tls"
	"errors"
	"log"
	"net"
	"time"

	"maillab/server/conns"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("pop3: server closed")

// The defaults of the limits, for a limit field left zero.
const (
	DefaultMaxLine         = 255 // RFC 2449 section 4
	DefaultIdleTimeout     = 10 * time.Minute
	DefaultMaxErrors       = 20
	DefaultMaxConns        = 500
	DefaultMaxConnsPerHost = 100
)

// Server is a POP3 server. Set its fields before calling Serve or ServeConn
// and do not change them afterwards. A limit left zero takes its default
// (DefaultMaxLine and the others), a negative one is off: the rule of
// conns.Limit, the same in package smtp and in group.Limits.
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
	// and the session goes on.
	MaxLine int
	// IdleTimeout is the autologout timer (RFC 1939 asks for at least 10
	// minutes): a whole command line must arrive within it, and every write
	// to the client must make progress within it. A session that times out
	// is closed without deleting anything.
	IdleTimeout time.Duration
	// MaxErrors closes the connection, with "-ERR too many errors", when
	// that many commands in a row have failed through the client's fault
	// (unknown, wrong state, bad syntax, bad message number, failed login),
	// or when that many logins have failed on the connection (USER's +OK
	// between two failed PASS does not start the count again).
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
	// TLSConfig, when set, holds the server's certificate: STLS (RFC
	// 2595) is then offered in CAPA and accepted before login. TLS 1.2 is
	// the least version taken, whatever MinVersion says.
	TLSConfig *tls.Config
	// ErrorLog receives panics of the backend and unexpected I/O errors.
	// Nothing secret is ever logged. When nil, the log package's standard
	// logger is used.
	ErrorLog *log.Logger

	// MaxConns and MaxConnsPerHost bound the connections served at once,
	// in all and from one client address; a connection over a limit is
	// answered "-ERR [SYS/TEMP]" and closed.
	MaxConns        int
	MaxConnsPerHost int
	// ReservedConns of MaxConns are kept for the clients TrustedConn
	// trusts (the classroom's hosts and their relays).
	ReservedConns int
	TrustedConn   func(remote net.Addr) bool

	frame conns.Frame
}

// fr is the server's frame, set up from the fields the first time.
func (s *Server) fr() *conns.Frame {
	return s.frame.Setup(func() conns.Config {
		return conns.Config{
			Protocol: "pop3",
			Limits: conns.Limits{
				Total:    conns.Limit(s.MaxConns, DefaultMaxConns),
				PerHost:  conns.Limit(s.MaxConnsPerHost, DefaultMaxConnsPerHost),
				Reserved: max(s.ReservedConns, 0),
			},
			Trusted:  s.TrustedConn,
			ErrorLog: s.ErrorLog,
			Closed:   ErrServerClosed,
		}
	})
}

// Serve accepts connections on l and serves each in its own goroutine. It
// closes l when it returns, which is with ErrServerClosed after Shutdown or
// Close, or with the error that made Accept fail.
func (s *Server) Serve(l net.Listener) error {
	return s.fr().Serve(l, s.ServeConn)
}

// ServeConn serves one connection and returns when it has ended. It closes
// nc. After Shutdown or Close it closes nc at once; over a connection limit
// it says so first.
func (s *Server) ServeConn(nc net.Conn) {
	c := newConn(s, nc)
	if err := s.fr().Add(c, nc.RemoteAddr()); err != nil {
		if !errors.Is(err, conns.ErrClosed) {
			c.writeErr(sysTemp("too many connections, try again later").(*errReply))
			c.flush()
		}
		nc.Close()
		return
	}
	defer c.close()
	defer s.frame.Remove(c) // the session is over; lingering is not waited for
	c.serve()
}

// Shutdown stops the server gracefully: it closes the listeners, closes the
// connections that are waiting for a command (telling the client so), lets
// a command in progress finish (such as the deletions of a QUIT) and then
// closes its connection. A session ended this way deletes nothing. Shutdown
// returns when every session has ended (maildrop unlocked, session closed).
// When time runs out it cuts the connections left (deleting nothing) and
// returns the context's error: shortly before ctx's deadline, so that it can
// still wait for their sessions to end (see conns.Set.Shutdown); at once when
// ctx is cancelled.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.fr().Shutdown(ctx)
}

// Close stops the server at once: it closes the listeners and every
// connection. Sessions cut this way delete nothing; their maildrops are
// unlocked and their sessions closed as their goroutines notice.
func (s *Server) Close() error {
	return s.fr().Close()
}

func (s *Server) logf(format string, args ...any) { s.fr().Logf(format, args...) }

// The limits in force; 0 is off.
func (s *Server) maxLine() int               { return conns.Limit(s.MaxLine, DefaultMaxLine) }
func (s *Server) idleTimeout() time.Duration { return conns.Limit(s.IdleTimeout, DefaultIdleTimeout) }
func (s *Server) maxErrors() int             { return conns.Limit(s.MaxErrors, DefaultMaxErrors) }

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
