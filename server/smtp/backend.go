package smtp

import (
	"fmt"
	"io"
	"net"
)

// ConnInfo describes a new client connection to the backend.
type ConnInfo struct {
	RemoteAddr net.Addr
	LocalAddr  net.Addr
}

// Backend is what the SMTP server needs from the rest of the system: who may
// receive mail, and where accepted mail goes. The protocol code knows
// nothing of storage.
type Backend interface {
	// NewSession is called for every connection before the greeting. An
	// error is answered with "421 4.3.2" (or the *Error's own reply) and the
	// connection is closed.
	NewSession(c ConnInfo) (Session, error)
}

// MailOptions are the ESMTP parameters of MAIL FROM (RFC 1870, RFC 6152).
type MailOptions struct {
	Size int64  // the SIZE the client declared, 0 if none
	Body string // "7BIT", "8BITMIME" or "" when not given
}

// Session is one client's conversation as the backend sees it. Any error
// that is not an *Error is answered with "451 4.3.0" (a local problem; the
// client will try again later).
type Session interface {
	// Hello is called for HELO and EHLO with the name the client gave.
	// extended is true for EHLO.
	Hello(name string, extended bool) error
	// Mail starts a transaction. from is the reverse-path without its angle
	// brackets; "" is the null reverse-path "<>" of bounces.
	Mail(from string, opts MailOptions) error
	// Rcpt adds a recipient (the forward-path without angle brackets). The
	// backend decides who is local, who is relayed, and who is refused.
	Rcpt(to string) error
	// Data receives the message, dot-unstuffed, every line ending in CRLF.
	// r reads it from the connection as it comes, so a backend should
	// stream it to disk rather than hold it (up to Server.MaxMessageBytes)
	// in memory; its reads fail with a timeout once Server.DataTimeout is
	// over. Data returns only once the message is safe (durable on disk),
	// because the server answers 250 as soon as it returns nil. When reading
	// r fails (a line or the message too long, the connection lost, the
	// time up) Data must return without keeping anything of the message.
	Data(r io.Reader) error
	// Reset ends the transaction (RSET, a new HELO/EHLO, or after DATA).
	Reset()
	// Logout is called once when the connection ends, however it ends.
	Logout() error
}

// Tracer may be implemented by a Session to follow the conversation; the
// group server uses it for the journal and the live console.
type Tracer interface {
	// Command is called with every command line the client sent, in order,
	// before it is acted on.
	Command(line string)
	// Reply is called with every reply line, greeting included.
	Reply(line string)
	// DataEnd is called when the data after DATA has been read to its final
	// ".": its size in octets (CRLF line ends, stuffing dots removed) and how
	// many of its lines ended in a bare LF.
	DataEnd(size int64, bareLFs int)
}

// TelnetTracer may be implemented by a Session to hear of the Telnet
// commands (RFC 854) a telnet client sent, which the server answers and
// takes out of the byte stream (see server/telnet). name is the command
// as RFC 854 spells it: "BRK", "DO TIMING-MARK".
type TelnetTracer interface {
	Telnet(name string)
}

// Error is an SMTP reply that a backend returns to refuse something; the
// server sends it as it is.
type Error struct {
	Code     int    // e.g. 550
	Enhanced string // RFC 3463 enhanced status code, e.g. "5.1.1"
	Message  string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("smtp: %d %s %s", e.Code, e.Enhanced, e.Message)
}

// QueueIDer may be implemented by a Session that gives every accepted
// message an id; the server then ends DATA with "250 2.0.0 Ok: queued as
// ID", as Postfix does, so that the student can find the message again in
// the console and the journal.
type QueueIDer interface {
	// QueueID returns the id of the message the last Data accepted.
	QueueID() string
}
