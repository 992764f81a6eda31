package smtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"maillab/server/conns"
	"maillab/server/telnet"
	"maillab/server/wire"
)

// errShuttingDown ends a session that was waiting for a command when the
// server began to shut down.
var errShuttingDown = errors.New("smtp: shutting down")

// conn is one client connection and its session.
type conn struct {
	srv *Server
	raw net.Conn // the TCP connection, for Close from other goroutines
	nc  net.Conn // raw, or after STARTTLS the TLS connection over it
	r   *wire.Reader
	w   *bufio.Writer

	sess      Session
	tracer    Tracer       // sess, when it is one
	telnet    TelnetTracer // sess, when it is one
	tlsTracer TLSTracer    // sess, when it is one

	// Idle orders the read deadlines that the session sets against the
	// one Shutdown sets to wake a session waiting for a command.
	conns.Idle

	// Only the session's goroutine touches the rest.
	armed   bool  // give the next read from the connection a fresh deadline
	renew   bool  // give every read a fresh deadline (message data)
	readErr error // the first error reading the connection; sticky

	// dataDeadline, when set, is the end of the time the message data may
	// take: no read's deadline goes past it.
	dataDeadline time.Time

	greeted bool // HELO or EHLO accepted
	tls     bool // STARTTLS has succeeded
	inTx    bool // MAIL accepted
	rcpts   int  // recipients accepted in this transaction
	errs    int  // bad commands in a row
	cmds    int  // command lines read, for Server.MaxCommands

	out []byte // the reply line being formatted
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, raw: nc, nc: nc}
	f := telnet.NewFilter((*connReader)(c), (*connWriter)(c))
	f.Seen = c.telnetSeen
	c.r = wire.NewReader(f, s.maxLine())
	c.w = bufio.NewWriter((*connWriter)(c))
	return c
}

// telnetSeen tells the session of a Telnet command the client sent.
func (c *conn) telnetSeen(e telnet.Event) {
	if c.telnet != nil {
		c.telnet.Telnet(e.Name())
	}
}

// serve runs the session to its end and closes the connection.
func (c *conn) serve() {
	defer c.srv.frame.Remove(c)
	defer func() { c.nc.Close() }() // after STARTTLS, with TLS's close_notify
	if !c.open() {
		return
	}
	defer c.logout()
	defer c.recoverPanic()
	c.loop()
}

// open asks the backend for a session. When it refuses, the client gets
// the refusal instead of a greeting.
func (c *conn) open() (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.logf("smtp: panic in NewSession for %v: %v\n%s", c.nc.RemoteAddr(), r, debug.Stack())
			c.reply(421, "4.3.0", "internal error")
			c.flush()
			ok = false
		}
	}()
	sess, err := c.srv.Backend.NewSession(ConnInfo{RemoteAddr: c.nc.RemoteAddr(), LocalAddr: c.nc.LocalAddr()})
	if err == nil && sess == nil {
		err = errors.New("smtp: backend returned no session")
	}
	if err != nil {
		if e, ok := replyOf(err); ok {
			c.reply(e.Code, e.Enhanced, messageLines(e.Message)...)
		} else {
			c.srv.logf("smtp: new session for %v: %v", c.nc.RemoteAddr(), err)
			c.reply(421, "4.3.2", "Service not available, closing transmission channel")
		}
		c.flush()
		return false
	}
	c.sess = sess
	c.tracer, _ = sess.(Tracer)
	c.telnet, _ = sess.(TelnetTracer)
	c.tlsTracer, _ = sess.(TLSTracer)
	return true
}

// recoverPanic turns a panic of the backend (or of this package) into
// "421 4.3.0" for this client alone; the server goes on serving others.
func (c *conn) recoverPanic() {
	r := recover()
	if r == nil {
		return
	}
	c.srv.logf("smtp: panic serving %v: %v\n%s", c.nc.RemoteAddr(), r, debug.Stack())
	c.safely("reply after panic", func() {
		c.reply(421, "4.3.0", "internal error")
		c.flush()
	})
}

// logout tells the backend the connection has ended. It runs exactly once,
// however the session ended.
func (c *conn) logout() {
	c.safely("Logout", func() {
		if err := c.sess.Logout(); err != nil {
			c.srv.logf("smtp: logout %v: %v", c.nc.RemoteAddr(), err)
		}
	})
}

// safely runs f and logs a panic in it instead of crashing the server.
func (c *conn) safely(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.logf("smtp: panic in %s for %v: %v\n%s", what, c.nc.RemoteAddr(), r, debug.Stack())
		}
	}()
	f()
}

// loop greets the client and answers its commands until the session ends.
func (c *conn) loop() {
	c.reply(220, "", c.srv.hostname()+" ESMTP maillab")
	for {
		line, err := c.readCommand()
		switch {
		case err == nil:
			if c.cmds++; c.srv.MaxCommands > 0 && c.cmds > c.srv.MaxCommands {
				c.reply(421, "4.7.0", "Too many commands, closing connection")
				c.flush()
				c.drain()
				return
			}
			if done := c.command(line); done {
				c.flush()
				return
			}
		case errors.Is(err, wire.ErrLineTooLong):
			// The line was consumed whole; the session goes on. The
			// tracer does not see it: its text is gone.
			c.reply(500, "5.5.2", "Line too long")
		default:
			c.endOnReadError(err)
			return
		}
		if max := c.srv.maxErrors(); max > 0 && c.errs >= max {
			c.reply(421, "4.7.0", "Too many errors")
			c.flush()
			return
		}
	}
}

// readCommand flushes the replies when the client is waiting for them, and
// reads the next command line with a fresh deadline.
func (c *conn) readCommand() (wire.Line, error) {
	if err := c.flushUnlessPipelined(); err != nil {
		return wire.Line{}, err
	}
	if !c.Begin(&c.srv.frame, c.nc) {
		return wire.Line{}, errShuttingDown
	}
	c.armed = true
	line, err := c.r.ReadLine()
	c.armed = false
	if !c.End(&c.srv.frame) {
		// Even a line that made it: it has not been acted on, and the
		// read deadline is gone.
		return wire.Line{}, errShuttingDown
	}
	return line, err
}

// endOnReadError ends the session after a failed read of a command.
func (c *conn) endOnReadError(err error) {
	switch {
	case errors.Is(err, errShuttingDown):
		c.reply(421, "4.3.2", "Service shutting down")
		c.flush()
	case isTimeout(err):
		c.replyTimeout()
	case !isClosed(err):
		c.srv.logf("smtp: read from %v: %v", c.nc.RemoteAddr(), err)
	}
}

func (c *conn) replyTimeout() {
	c.reply(421, "4.4.2", c.srv.hostname()+" Error: timeout exceeded")
	c.flush()
}

// flushUnlessPipelined sends the replies written so far unless another
// complete command is already waiting to be read (RFC 2920: a pipelined
// group of commands is answered in one go).
func (c *conn) flushUnlessPipelined() error {
	if n := c.r.R.Buffered(); n > 0 {
		if b, _ := c.r.R.Peek(n); bytes.IndexByte(b, '\n') >= 0 {
			return nil
		}
	}
	return c.flush()
}

func (c *conn) flush() error {
	if c.w.Buffered() == 0 {
		return nil
	}
	return c.w.Flush()
}

// reply writes one reply, of one line or of several (all with the same code
// and enhanced code, RFC 2034 section 4), and tells the tracer. enh is ""
// for the replies that carry none: the greeting, HELO/EHLO and 354.
func (c *conn) reply(code int, enh string, lines ...string) {
	for i, text := range lines {
		b := strconv.AppendInt(c.out[:0], int64(code), 10)
		if i < len(lines)-1 {
			b = append(b, '-')
		} else {
			b = append(b, ' ')
		}
		b = append(b, enh...)
		if enh != "" && text != "" {
			b = append(b, ' ')
		}
		b = append(b, text...)
		b = bytes.TrimRight(b, " ")
		c.out = b
		if c.tracer != nil {
			c.tracer.Reply(string(b))
		}
		c.w.Write(b)
		c.w.WriteString("\r\n")
	}
	switch {
	case code < 400:
		c.errs = 0
	case code >= 500 && code <= 504, code == 555:
		// syntax errors, commands out of sequence or not implemented:
		// the client is not speaking SMTP well
		c.errs++
	}
}

// replyError answers with the backend's refusal: its *Error as it is, any
// other error as a local problem that the client may retry (451 4.3.0).
func (c *conn) replyError(err error) {
	if e, ok := replyOf(err); ok {
		c.reply(e.Code, e.Enhanced, messageLines(e.Message)...)
		return
	}
	c.srv.logf("smtp: backend, for %v: %v", c.nc.RemoteAddr(), err)
	c.reply(451, "4.3.0", "Requested action aborted: local error in processing")
}

// replyOf finds the *Error in err when it is a usable reply: a refusal
// (4xx or 5xx) with no line breaks in its enhanced code.
func replyOf(err error) (*Error, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code < 400 || e.Code > 599 || strings.ContainsAny(e.Enhanced, " \r\n") {
		return nil, false
	}
	return e, true
}

// messageLines splits a backend's message into reply lines, so that a line
// break in it cannot forge a reply of its own.
func messageLines(msg string) []string {
	if !strings.ContainsAny(msg, "\r\n") {
		return []string{msg}
	}
	lines := strings.Split(strings.ReplaceAll(msg, "\r", ""), "\n")
	for len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// connReader reads the connection with the deadlines of IdleTimeout. A read
// error is sticky: once the connection has failed (timeout, end, reset)
// nothing more is read from it.
type connReader conn

func (r *connReader) Read(p []byte) (int, error) {
	c := (*conn)(r)
	if c.readErr != nil {
		return 0, c.readErr
	}
	if t := c.srv.idleTimeout(); t > 0 && (c.armed || c.renew) {
		c.armed = false
		if !c.dataDeadline.IsZero() {
			// the whole message data has one deadline, never renewed
			t = min(t, max(time.Until(c.dataDeadline), time.Nanosecond))
		}
		c.SetReadDeadline(t)
	}
	n, err := c.nc.Read(p)
	if err != nil {
		c.readErr = err
	}
	return n, err
}

// connWriter writes to the connection, each write bounded by IdleTimeout so
// that a client that never reads its replies cannot hold the session.
type connWriter conn

func (w *connWriter) Write(p []byte) (int, error) {
	c := (*conn)(w)
	if t := c.srv.idleTimeout(); t > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(t))
	}
	return c.nc.Write(p)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isClosed reports whether err is the ordinary end of a connection, not
// worth a log line.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}

// Close cuts the connection at once (Close, or a Shutdown out of time).
func (c *conn) Close() error { return c.raw.Close() }

// drain half-closes the connection and reads what the client has still
// sent (a little, briefly), so that closing does not reset the connection
// before a pipelining client has read the last reply.
func (c *conn) drain() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.CopyN(io.Discard, c.nc, 1<<20)
	}
}
