package smtp

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
var ErrServerClosed = errors.New("smtp: server closed")

// Server is an SMTP server. Set its fields before calling Serve or ServeConn
// and do not change them afterwards. Limits are zero when off; the values in
// the comments are what a group server uses.
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
	// stuffing dots not counted). It is advertised with the SIZE extension.
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
	// ErrorLog receives panics of the backend, errors it returned that the
	// client only sees as a 451, and unexpected I/O errors. Nil means the
	// log package's standard logger.
	ErrorLog *log.Logger

	// MaxConns and MaxConnsPerHost bound the connections served at once,
	// in all and from one client address; a connection over a limit is
	// answered "421 4.7.0" and closed. Zero means no limit.
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
// returns ErrServerClosed after Shutdown or Close, or the error of Accept
// when it is not a temporary one. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	err := s.set.Serve(l, s.ServeConn, func(format string, args ...any) { s.logf("smtp: "+format, args...) })
	if errors.Is(err, conns.ErrClosed) {
		return ErrServerClosed
	}
	return err
}

// ServeConn serves one connection and returns when the session has ended
// and the connection is closed. Over a connection limit the client is told
// so (421) and the connection closed.
func (s *Server) ServeConn(nc net.Conn) {
	s.init()
	c := newConn(s, nc)
	if err := s.set.Add(c, nc.RemoteAddr()); err != nil {
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
// every session has ended, or, when ctx ends first, closes the connections
// that remain (a message still being received is not acknowledged, so the
// client will send it again) and returns ctx.Err(). In that case the
// sessions' Logout may still run after Shutdown returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	return s.set.Shutdown(ctx)
}

// Close stops the server at once: it closes the listeners and every
// connection without a reply. Messages not yet acknowledged are not kept.
func (s *Server) Close() error {
	s.init()
	return s.set.Close()
}

func (s *Server) hostname() string {
	if s.Hostname == "" {
		return "localhost"
	}
	return s.Hostname
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}
