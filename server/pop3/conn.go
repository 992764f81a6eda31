package pop3

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"time"

	"maillab/server/conns"
	"maillab/server/telnet"
	"maillab/server/wire"
)

// state is the state of a POP3 session (RFC 1939 section 3).
type state int

const (
	stateAuthorization state = iota // before a successful login
	stateTransaction                // logged in, the maildrop locked
	stateUpdate                     // after QUIT in TRANSACTION: deleting, unlocking
)

func (s state) String() string {
	switch s {
	case stateAuthorization:
		return "AUTHORIZATION"
	case stateTransaction:
		return "TRANSACTION"
	case stateUpdate:
		return "UPDATE"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// errReply is a negative reply: "-ERR [code] text".
type errReply struct {
	code string // RFC 2449 response code without brackets, or ""
	text string
	bad  bool // the client's fault; counts toward Server.MaxErrors
	end  bool // the session ends after this reply
}

func (e *errReply) Error() string { return "pop3: " + e.text }

// bad returns the negative reply to a command that the client got wrong.
func bad(format string, args ...any) error {
	return &errReply{text: fmt.Sprintf(format, args...), bad: true}
}

// sysTemp returns a negative reply for a passing problem of the server.
func sysTemp(text string) error {
	return &errReply{code: "SYS/TEMP", text: text}
}

var (
	// errQuit ends the session after QUIT has been answered.
	errQuit = errors.New("pop3: quit")
	// errShutdown ends a session that waits for a command when the server
	// shuts down.
	errShutdown = errors.New("pop3: server shutting down")
	// errBroken ends a session whose connection failed; nothing more can
	// be said to the client.
	errBroken = errors.New("pop3: connection broken")
)

// When the server ends a session, it reads and discards for up to
// lingerTime, or lingerBytes, whatever the client still sends. Closing a
// TCP connection with unread input sends a reset, which can destroy the
// last reply before the client has read it ("-ERR too many errors" to a
// student who typed on).
const (
	lingerTime  = time.Second
	lingerBytes = 64 << 10
)

// conn is one client connection.
type conn struct {
	srv *Server
	raw net.Conn // the TCP connection, for Close from other goroutines
	nc  net.Conn // raw, or after STLS the TLS connection over it
	r   *wire.Reader
	w   *bufio.Writer
	tls bool // STLS has succeeded

	challenge string
	sess      Session
	tracer    Tracer       // sess as a Tracer, or nil
	telnet    TelnetTracer // sess as a TelnetTracer, or nil
	tlsTracer TLSTracer    // sess as a TLSTracer, or nil

	state    state
	user     string // the name given by USER, waiting for PASS
	drop     Maildrop
	unlocked bool
	msgs     []Message
	deleted  []bool
	count    int   // messages not marked deleted
	size     int64 // their octets

	errors       int  // consecutive bad commands
	authFailures int  // failed logins, consecutive or not
	commands     int  // command lines read, for Server.MaxCommands
	inMulti      bool // a multi-line reply is being written
	linger       bool // the server ends the session, not the client

	buf  []byte        // scratch space for reply lines
	sent []retrieved   // messages written out, reported to the tracer once flushed
	br   *bufio.Reader // for TOP, reused

	conns.Idle // waiting for a command; Shutdown wakes it there
}

// retrieved is a message sent in answer to RETR.
type retrieved struct {
	uid  string
	size int64
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, raw: nc, nc: nc}
	w := c.writer()
	c.w = newWriter(w)
	f := telnet.NewFilter(nc, w)
	f.Seen = c.telnetSeen
	c.r = wire.NewReader(f, s.maxLine())
	return c
}

// writer writes to c.nc, each write with a deadline when there is an idle
// timeout.
func (c *conn) writer() io.Writer {
	if d := c.srv.idleTimeout(); d > 0 {
		return deadlineWriter{c.nc, d}
	}
	return c.nc
}

// newWriter buffers the replies written to w.
func newWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 16<<10) }

// telnetSeen tells the session of a Telnet command the client sent.
func (c *conn) telnetSeen(e telnet.Event) {
	if c.telnet != nil {
		c.telnet.Telnet(e.Name())
	}
}

// deadlineWriter gives every write to the client a fresh deadline, so that
// a client that stops reading is dropped while a slow one that keeps
// reading is not.
type deadlineWriter struct {
	nc net.Conn
	d  time.Duration
}

func (w deadlineWriter) Write(p []byte) (int, error) {
	w.nc.SetWriteDeadline(time.Now().Add(w.d))
	return w.nc.Write(p)
}

// serve runs the session. Whatever happens, the maildrop is unlocked and
// the session closed (each once) before serve returns, and so before the
// connection is closed: a client that sees the connection end knows that
// both have been done.
func (c *conn) serve() {
	defer c.cleanup()
	defer c.recoverPanic()
	c.linger = true

	if !c.greet() {
		return
	}
	for {
		line, err := c.readLine()
		if errors.Is(err, wire.ErrLineTooLong) {
			err = bad("line too long")
		} else if err != nil {
			c.hangUp(err)
			return
		} else if c.commands++; c.srv.MaxCommands > 0 && c.commands > c.srv.MaxCommands {
			c.writeErr(&errReply{text: "too many commands in one session, closing connection"})
			c.flush()
			return
		} else {
			err = c.execute(line)
		}

		var reply *errReply
		switch {
		case err == nil:
			c.errors = 0
		case errors.Is(err, errQuit):
			c.flush()
			return
		case errors.As(err, &reply):
			if !c.fail(reply) {
				return
			}
		default:
			// The connection or the maildrop failed in the middle of a
			// reply; the client can only be dropped.
			c.linger = false
			return
		}
	}
}

// greet asks the backend for a session and greets the client with the
// APOP challenge.
func (c *conn) greet() bool {
	c.challenge = c.srv.challenge()
	sess, err := c.srv.Backend.NewSession(ConnInfo{
		RemoteAddr: c.nc.RemoteAddr(),
		LocalAddr:  c.nc.LocalAddr(),
		Challenge:  c.challenge,
	})
	if err == nil && sess == nil {
		err = errors.New("pop3: backend returned no session")
	}
	if err != nil {
		c.srv.logf("pop3: new session for %v: %v", c.nc.RemoteAddr(), err)
		c.writeErr(sysTemp("service not available, try again later").(*errReply))
		c.flush()
		return false
	}
	c.sess = sess
	c.tracer, _ = sess.(Tracer)
	c.telnet, _ = sess.(TelnetTracer)
	c.tlsTracer, _ = sess.(TLSTracer)
	c.okf("%s ready %s", c.srv.name(), c.challenge)
	return true
}

// readLine reads the next command line. It flushes the replies first unless
// another command is already waiting (pipelining, RFC 2449 section 6.6).
func (c *conn) readLine() (wire.Line, error) {
	if !c.lineBuffered() {
		if err := c.flush(); err != nil {
			return wire.Line{}, errBroken
		}
	}
	if !c.Begin(&c.srv.frame, c.nc) {
		return wire.Line{}, errShutdown
	}
	if d := c.srv.idleTimeout(); d > 0 {
		c.SetReadDeadline(d)
	}
	line, err := c.r.ReadLine()
	if !c.End(&c.srv.frame) {
		return wire.Line{}, errShutdown
	}
	return line, err
}

// lineBuffered reports whether a whole command line has been received and
// not read yet.
func (c *conn) lineBuffered() bool {
	n := c.r.R.Buffered()
	if n == 0 {
		return false
	}
	b, _ := c.r.R.Peek(n)
	return bytes.IndexByte(b, '\n') >= 0
}

// hangUp ends a session that did not end with QUIT, telling the client why
// when there is a reason it can hear. Nothing is deleted.
func (c *conn) hangUp(err error) {
	switch {
	case errors.Is(err, errShutdown):
		c.writeErr(&errReply{code: "SYS/TEMP", text: "server shutting down"})
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.writeErr(&errReply{text: "autologout: idle for too long"})
	default: // the client went away, or the connection broke
		c.linger = false
		return
	}
	c.flush()
}

// Close cuts the connection at once (Close, or a Shutdown out of time).
func (c *conn) Close() error { return c.raw.Close() }

// close closes the connection; when the server ended the session, it first
// sends FIN and drains the client's input for a while.
func (c *conn) close() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok && c.linger && cw.CloseWrite() == nil {
		c.nc.SetReadDeadline(time.Now().Add(lingerTime))
		io.CopyN(io.Discard, c.nc, lingerBytes)
	}
	c.nc.Close()
}

// fail answers a failed command. It returns false when the session must
// end because of too many errors in a row.
func (c *conn) fail(e *errReply) bool {
	if e.end {
		c.writeErr(e)
		c.flush()
		return false
	}
	if e.bad {
		c.errors++
		if e.code == "AUTH" {
			c.authFailures++
		}
		if limit := c.srv.maxErrors(); limit > 0 && (c.errors >= limit || c.authFailures >= limit) {
			c.writeErr(&errReply{text: "too many errors"})
			c.flush()
			return false
		}
	}
	c.writeErr(e)
	return true
}

// okf writes a positive status line.
func (c *conn) okf(format string, args ...any) {
	c.buf = append(c.buf[:0], "+OK"...)
	if format != "" {
		c.buf = append(c.buf, ' ')
		c.buf = fmt.Appendf(c.buf, format, args...)
	}
	c.status(c.buf)
}

// writeErr writes a negative status line.
func (c *conn) writeErr(e *errReply) {
	c.buf = append(c.buf[:0], "-ERR "...)
	if e.code != "" {
		c.buf = append(c.buf, '[')
		c.buf = append(c.buf, e.code...)
		c.buf = append(c.buf, "] "...)
	}
	c.buf = append(c.buf, e.text...)
	c.status(c.buf)
}

// status writes the first line of a reply and shows it to the tracer.
func (c *conn) status(line []byte) {
	c.w.Write(line)
	c.w.WriteString("\r\n")
	if c.tracer != nil {
		c.tracer.Reply(string(line))
	}
}

// flush sends the replies written so far, then tells the tracer about the
// messages that have thereby been sent.
func (c *conn) flush() error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	if c.tracer != nil {
		for _, m := range c.sent {
			c.tracer.Retrieved(m.uid, m.size)
		}
	}
	c.sent = c.sent[:0]
	return nil
}

// recoverPanic turns a panic (of the backend, most likely) into a
// "-ERR [SYS/TEMP]" reply and a log entry, so that one broken session does
// not bring the server down.
func (c *conn) recoverPanic() {
	r := recover()
	if r == nil {
		return
	}
	c.srv.logf("pop3: panic serving %v: %v\n%s", c.nc.RemoteAddr(), r, debug.Stack())
	if c.inMulti {
		// In the middle of a multi-line reply an -ERR would be taken as
		// data; a reply cut short (no final ".") is all the client can be
		// told.
		c.w.Flush()
		return
	}
	line := "-ERR [SYS/TEMP] internal error"
	c.w.WriteString(line + "\r\n")
	c.w.Flush()
	if c.tracer != nil {
		c.safely("tracing", func() error { c.tracer.Reply(line); return nil })
	}
}

// cleanup unlocks the maildrop, if it is still locked, and closes the
// session. It runs once, at the end of every connection.
func (c *conn) cleanup() {
	c.unlock()
	if c.sess != nil {
		c.safely("closing session", c.sess.Close)
	}
}

// unlock unlocks the maildrop unless that has been done (or tried) already.
func (c *conn) unlock() {
	if c.drop == nil || c.unlocked {
		return
	}
	c.unlocked = true
	c.safely("unlocking maildrop", c.drop.Unlock)
}

// safely calls a backend function for which a panic or an error can only
// be logged.
func (c *conn) safely(what string, f func() error) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.logf("pop3: panic %s for %v: %v\n%s", what, c.nc.RemoteAddr(), r, debug.Stack())
		}
	}()
	if err := f(); err != nil {
		c.srv.logf("pop3: %s for %v: %v", what, c.nc.RemoteAddr(), err)
	}
}
