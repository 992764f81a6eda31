package conns

import (
	"context"
	"errors"
	"log"
	"net"
	"sync"
	"time"
)

// Config is what a protocol server tells its Frame, once, before the first
// connection.
type Config struct {
	// Protocol names the server in its log lines, e.g. "pop3".
	Protocol string
	// Limits bound the connections served at once.
	Limits Limits
	// ErrorLog receives the frame's log lines; nil means the log
	// package's standard logger.
	ErrorLog *log.Logger
	// Closed is what Serve returns after Shutdown or Close, the
	// protocol's ErrServerClosed.
	Closed error
	// Trusted tells the clients that may use the reserved slots (see
	// Set.Trusted); nil trusts none.
	Trusted func(remote net.Addr) bool
}

// Frame is the part of a TCP server that does not depend on its protocol:
// the accept loop, the connection limits, the log, graceful shutdown. The
// POP3 and SMTP servers each embed one and add their protocol. The zero
// value is ready once Setup has been called.
type Frame struct {
	once sync.Once
	cfg  Config
	set  Set
}

// Setup configures the frame with what config returns, the first time it
// is called; later calls change nothing. It returns f, so that a server
// can write s.frame.Setup(s.config).Serve(l, s.ServeConn).
func (f *Frame) Setup(config func() Config) *Frame {
	f.once.Do(func() {
		f.cfg = config()
		f.set.Limits = f.cfg.Limits
		f.set.Trusted = f.cfg.Trusted
	})
	return f
}

// Serve accepts connections on l and hands each to serve in a goroutine of
// its own. It closes l when it returns: with Config.Closed after Shutdown or
// Close, or with the error that made Accept fail.
func (f *Frame) Serve(l net.Listener, serve func(net.Conn)) error {
	err := f.set.Serve(l, serve, func(format string, args ...any) { f.Logf(f.cfg.Protocol+": "+format, args...) })
	if errors.Is(err, ErrClosed) && f.cfg.Closed != nil {
		return f.cfg.Closed
	}
	return err
}

// Add registers a connection from remote before it is served, or says why
// it may not be (see Set.Add). A connection added must be removed with
// Remove once its session is over, backend calls included: Shutdown waits
// for that.
func (f *Frame) Add(c Conn, remote net.Addr) error { return f.set.Add(c, remote) }

// Remove forgets a connection whose session is over.
func (f *Frame) Remove(c Conn) { f.set.Remove(c) }

// Closing reports whether Shutdown or Close was called.
func (f *Frame) Closing() bool { return f.set.Closing() }

// Shutdown stops the server gracefully; see Set.Shutdown.
func (f *Frame) Shutdown(ctx context.Context) error { return f.set.Shutdown(ctx) }

// Close stops the server at once; see Set.Close.
func (f *Frame) Close() error { return f.set.Close() }

// Logf writes a line to the error log.
func (f *Frame) Logf(format string, args ...any) {
	if f.cfg.ErrorLog != nil {
		f.cfg.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// aLongTimeAgo is a read deadline in the past: it wakes a blocked read at
// once.
var aLongTimeAgo = time.Unix(1, 0)

// Idle is the part of a connection that waits for the client's next
// command, and lets Shutdown wake it there, and only there: a command in
// progress (a DATA being received, the deletions of a POP3 QUIT) finishes
// first. A connection embeds it, which gives it the Interrupt method of
// Conn. The zero value is ready to use.
//
// A read of a command goes Begin, read, End. Between them the connection's
// read deadline belongs to the Idle: set it with SetReadDeadline, which
// does not undo an interruption.
type Idle struct {
	mu          sync.Mutex
	nc          net.Conn
	waiting     bool // between Begin and End
	interrupted bool // Interrupt woke the read
}

// Begin marks the connection nc as waiting for a command. It returns false,
// and the session must end without reading, when the server is shutting
// down.
func (i *Idle) Begin(f *Frame, nc net.Conn) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if f.Closing() || i.interrupted {
		return false
	}
	i.nc, i.waiting = nc, true
	return true
}

// End marks the wait as over. It returns false when the server began to
// shut down meanwhile: then even a line that arrived must not be acted on,
// and the session must end.
func (i *Idle) End(f *Frame) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.waiting = false
	return !i.interrupted && !f.Closing()
}

// SetReadDeadline sets the read deadline of the connection given to Begin
// to d from now, unless Interrupt has woken it.
func (i *Idle) SetReadDeadline(d time.Duration) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.interrupted && i.nc != nil {
		i.nc.SetReadDeadline(time.Now().Add(d))
	}
}

// Interrupt wakes the connection when it is waiting for a command; a
// connection busy with one sees Closing before its next read. Shutdown
// calls it after marking the server as closing; it does not block.
func (i *Idle) Interrupt() {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.waiting {
		i.interrupted = true
		i.nc.SetReadDeadline(aLongTimeAgo)
	}
}

// Limit is the one rule for the limits of the servers: a limit of zero
// (a field left unset) takes its default, a negative one turns the limit
// off, which Limit returns as 0, and any other is itself. The servers'
// code then reads 0 as "no limit".
func Limit[T ~int | ~int64](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
