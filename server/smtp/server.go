package smtp

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
var ErrServerClosed = errors.New("smtp: server closed")

// The defaults of the limits, for a limit field left zero.
const (
	DefaultMaxLine         = 512             // RFC 5321 section 4.5.3.1.4
	DefaultMaxTextLine     = 1000            // RFC 5321 section 4.5.3.1.6
	DefaultMaxMessageBytes = 10 << 20        // 10 MiB
	DefaultMaxRecipients   = 100             // RFC 5321 section 4.5.3.1.8
	DefaultIdleTimeout     = 5 * time.Minute // RFC 5321 section 4.5.3.2.7
	DefaultMaxErrors       = 20
	DefaultMaxConns        = 500
	DefaultMaxConnsPerHost = 100
)

// Server is an SMTP server. Set its fields before calling Serve or ServeConn
// and do not change them afterwards. A limit left zero takes its default
// (DefaultMaxLine and the others), a negative one is off: the rule of
// conns.Limit, the same in package pop3 and in group.Limits.
type Server struct {
	// Backend is required: it makes a Session for every connection.
	Backend Backend
	// Hostname is the server's name in the greeting and the EHLO reply,
	// e.g. "g3.lab.test". Empty means "localhost".
	Hostname string
	// MaxLine is the longest command line accepted, counting its CRLF
	// (512, RFC 5321 section 4.5.3.1.4). A longer line is answered with
	// "500 5.5.2 Line too long" and the session goes on.
	MaxLine int
	// MaxTextLine is the longest line of message data, counting its CRLF
	// (1000, RFC 5321 section 4.5.3.1.6). A message with a longer line is
	// refused with "554 5.6.0" once its data has ended.
	MaxTextLine int
	// MaxMessageBytes is the largest message accepted (CRLF line ends,
	// stuffing dots not counted). It is advertised with the SIZE extension
	// (as "SIZE" alone when off).
	MaxMessageBytes int64
	// MaxRecipients is the number of accepted recipients per message
	// (100, RFC 5321 section 4.5.3.1.8); RCPTs beyond it get "452 4.5.3".
	MaxRecipients int
	// IdleTimeout is how long the server waits for the client: it is set
	// afresh before each command line and renewed on every read of message
	// data, and it bounds each write of replies. A client that is silent for
	// longer gets "421 4.4.2" and is disconnected.
	IdleTimeout time.Duration
	// DataTimeout is the most time the message data may take, from the
	// 354 to the final ".", however often the client sends a little: a
	// client still sending when it is over gets "421 4.4.2" and is
	// disconnected. Zero means DefaultDataTimeout.
	DataTimeout time.Duration
	// MaxErrors is the number of bad commands in a row (syntax errors,
	// commands out of sequence, unknown commands) after which the server
	// says "421 4.7.0 Too many errors" and closes the connection.
	MaxErrors int
	// MaxCommands is the most command lines one session may send (a
	// flood): the next gets "421 4.7.0 Too many commands" and the
	// connection is closed. Zero means no limit.
	MaxCommands int
	// TLSConfig, when set, holds the server's certificate: STARTTLS (RFC
	// 3207) is then offered in the EHLO reply. TLS 1.2 is the least
	// version taken, whatever MinVersion says.
	TLSConfig *tls.Config
	// ErrorLog receives panics of the backend, errors it returned that the
	// client only sees as a 451, and unexpected I/O errors. Nil means the
	// log package's standard logger.
	ErrorLog *log.Logger

	// MaxConns and MaxConnsPerHost bound the connections served at once,
	// in all and from one client address; a connection over a limit is
	// answered "421 4.7.0" and closed.
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
			Protocol: "smtp",
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
// returns ErrServerClosed after Shutdown or Close, or the error of Accept
// when it is not a temporary one. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	return s.fr().Serve(l, s.ServeConn)
}

// ServeConn serves one connection and returns when the session has ended
// and the connection is closed. Over a connection limit the client is told
// so (421) and the connection closed.
func (s *Server) ServeConn(nc net.Conn) {
	c := newConn(s, nc)
	if err := s.fr().Add(c, nc.RemoteAddr()); err != nil {
		switch {
		case errors.Is(err, conns.ErrTooManyFromHost):
			c.reply(421, "4.7.0", s.hostname()+" Error: too many connections from your host")
			c.flush()
		case errors.Is(err, conns.ErrTooMany):
			c.reply(421, "4.3.2", s.hostname()+" Error: too many connections, try again later")
			c.flush()
		}
		nc.Close()
		return
	}
	c.serve()
}

// Shutdown stops the server gracefully. It closes the listeners, answers
// "421 4.3.2 Service shutting down" to every session that is waiting for a
// command and closes it, and lets a session in the middle of DATA finish its
// message (and get its 250) before it is told the same. Shutdown returns when
// every session has ended, Logout included. When time runs out it closes the
// connections that remain (a message still being received is not
// acknowledged, so the client will send it again) and returns the context's
// error: shortly before ctx's deadline, so that it can still wait for their
// sessions to end (see conns.Set.Shutdown); at once when ctx is cancelled,
// and then a session's Logout may run after Shutdown returned.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.fr().Shutdown(ctx)
}

// Close stops the server at once: it closes the listeners and every
// connection without a reply. Messages not yet acknowledged are not kept.
func (s *Server) Close() error {
	return s.fr().Close()
}

func (s *Server) hostname() string {
	if s.Hostname == "" {
		return "localhost"
	}
	return s.Hostname
}

func (s *Server) logf(format string, args ...any) { s.fr().Logf(format, args...) }

// The limits in force; 0 is off.
func (s *Server) maxLine() int     { return conns.Limit(s.MaxLine, DefaultMaxLine) }
func (s *Server) maxTextLine() int { return conns.Limit(s.MaxTextLine, DefaultMaxTextLine) }
func (s *Server) maxMessageBytes() int64 {
	return conns.Limit(s.MaxMessageBytes, DefaultMaxMessageBytes)
}
func (s *Server) maxRecipients() int         { return conns.Limit(s.MaxRecipients, DefaultMaxRecipients) }
func (s *Server) idleTimeout() time.Duration { return conns.Limit(s.IdleTimeout, DefaultIdleTimeout) }
func (s *Server) maxErrors() int             { return conns.Limit(s.MaxErrors, DefaultMaxErrors) }
