package smtp

import (
	"context"
	"errors"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
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
	// MaxErrors is the number of bad commands in a row (syntax errors,
	// commands out of sequence, unknown commands) after which the server
	// says "421 4.7.0 Too many errors" and closes the connection.
	MaxErrors int
	// ErrorLog receives panics of the backend, errors it returned that the
	// client only sees as a 451, and unexpected I/O errors. Nil means the
	// log package's standard logger.
	ErrorLog *log.Logger

	inShutdown atomic.Bool
	mu         sync.Mutex
	listeners  map[*net.Listener]struct{}
	conns      map[*conn]struct{}
	connGone   chan struct{} // a token whenever a connection ends
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close, or the error of Accept
// when it is not a temporary one. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	defer l.Close()
	if !s.trackListener(&l, true) {
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			if isTemporary(err) {
				// Out of file descriptors and the like: wait and try
				// again rather than give up the whole server.
				if delay == 0 {
					delay = 5 * time.Millisecond
				} else if delay *= 2; delay > time.Second {
					delay = time.Second
				}
				s.logf("smtp: accept: %v; retrying in %v", err, delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := s.newConn(nc)
		go c.serve()
	}
}

// ServeConn serves one connection and returns when the session has ended
// and the connection is closed.
func (s *Server) ServeConn(nc net.Conn) {
	s.newConn(nc).serve()
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
	s.inShutdown.Store(true)
	s.mu.Lock()
	s.closeListenersLocked()
	for c := range s.conns {
		c.interruptIfWaiting()
	}
	s.mu.Unlock()
	for {
		s.mu.Lock()
		n, gone := len(s.conns), s.connGoneLocked()
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-gone:
		case <-ctx.Done():
			s.closeConns()
			return ctx.Err()
		}
	}
}

// Close stops the server at once: it closes the listeners and every
// connection without a reply. Messages not yet acknowledged are not kept.
func (s *Server) Close() error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	err := s.closeListenersLocked()
	s.mu.Unlock()
	s.closeConns()
	return err
}

// trackListener adds or removes l; adding fails once the server is shut down.
func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.listeners, l)
		return true
	}
	if s.inShutdown.Load() {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[*net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	return true
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

// newConn registers a connection. A connection that arrives during shutdown
// is still registered; its session sees the shutdown at its first command.
func (s *Server) newConn(nc net.Conn) *conn {
	c := newConn(s, nc)
	s.mu.Lock()
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	return c
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	gone := s.connGoneLocked()
	s.mu.Unlock()
	select {
	case gone <- struct{}{}:
	default:
	}
}

func (s *Server) connGoneLocked() chan struct{} {
	if s.connGone == nil {
		s.connGone = make(chan struct{}, 1)
	}
	return s.connGone
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.nc.Close()
	}
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

// isTemporary reports whether an Accept error is worth retrying.
func isTemporary(err error) bool {
	var te interface{ Temporary() bool }
	return errors.As(err, &te) && te.Temporary()
}
