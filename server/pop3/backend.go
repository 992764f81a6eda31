package pop3

import (
	"errors"
	"io"
	"net"
)

// ConnInfo describes a new client connection to the backend.
type ConnInfo struct {
	RemoteAddr net.Addr
	LocalAddr  net.Addr
	// Challenge is the APOP timestamp of this connection's greeting, with its
	// angle brackets, e.g. "<3384.1764098790123456@g3.lab.test>".
	Challenge string
}

// Backend is what the POP3 server needs from the rest of the system: the
// accounts and their maildrops. The protocol code knows nothing of storage.
type Backend interface {
	// NewSession is called for every connection before the greeting. An
	// error refuses the connection with "-ERR [SYS/TEMP]".
	NewSession(c ConnInfo) (Session, error)
}

// Credentials are what the client offered to log in: a password (USER/PASS)
// or an APOP digest of the connection's challenge.
type Credentials struct {
	Password string // set for USER/PASS
	// Digest is the APOP digest exactly as the client sent it. The backend
	// compares it with md5hex(challenge + secret) (RFC 1939 section 7).
	Digest string
	APOP   bool
}

// Errors a Session's Login may return. Any other error is answered with
// "-ERR [SYS/TEMP]".
var (
	// ErrAuth is returned for a wrong user, password or digest alike, so that
	// the reply tells nobody which user names exist.
	ErrAuth = errors.New("pop3: authentication failed")
	// ErrInUse is returned when the maildrop is locked by another session
	// (RFC 2449 response code [IN-USE]).
	ErrInUse = errors.New("pop3: maildrop in use")
	// ErrThrottled is returned when the login was refused unchecked: too
	// many failures for this name or from this address lately. The
	// client is told so and the session ends, so that a guesser holds
	// no connection.
	ErrThrottled = errors.New("pop3: too many failed logins")
	// ErrGone is returned (or wrapped) by a Maildrop's Open for a message
	// that was listed but has since been removed by something else: the
	// reply is a plain -ERR, since no retry can bring it back.
	ErrGone = errors.New("pop3: message removed")
)

// Session is one client's conversation as the backend sees it.
type Session interface {
	// Login checks the credentials of user and, when they are right, locks
	// the user's maildrop and returns it.
	Login(user string, cred Credentials) (Maildrop, error)
	// Close is called once when the connection ends, however it ends (QUIT,
	// a dropped connection, a timeout, a server shutdown), after the
	// maildrop (if any) has been unlocked.
	Close() error
}

// Message is one message of a maildrop as listed at login.
type Message struct {
	// UID is the message's unique-id (RFC 1939 section 7, UIDL): 1 to 70
	// characters from 0x21 to 0x7E, stable across sessions.
	UID string
	// Size is the message's size in octets as RFC 1939 counts it: with CRLF
	// line ends, without any byte-stuffing.
	Size int64
}

// Maildrop is a locked mailbox. Message numbers in the protocol are 1-based
// indexes into the list returned by Messages.
type Maildrop interface {
	// Messages lists the messages present when the maildrop was locked.
	Messages() []Message
	// Open returns the message with CRLF line ends and no byte-stuffing, or
	// an error wrapping ErrGone when it is no longer there.
	Open(uid string) (io.ReadCloser, error)
	// Delete removes the messages. It is called only in the UPDATE state,
	// after QUIT in the TRANSACTION state, and only for the messages
	// marked with DELE and not restored by RSET.
	Delete(uids []string) error
	// Unlock releases the maildrop. It is called exactly once, after Delete
	// if there was one.
	Unlock() error
}

// Tracer may be implemented by a Session to follow the conversation; the
// group server uses it for the journal and the live console.
type Tracer interface {
	// Command is called with every command line the client sent, in order,
	// before it is acted on. The password of PASS and the digest of APOP
	// are already replaced by "****", so no secret reaches a tracer.
	Command(line string)
	// Reply is called with the first line of every reply (the status line
	// of a multi-line reply; never message content), greeting included.
	Reply(line string)
	// Retrieved is called after a whole message has been sent in answer to
	// RETR.
	Retrieved(uid string, size int64)
}

// TelnetTracer may be implemented by a Session to hear of the Telnet
// commands (RFC 854) a telnet client sent, which the server answers and
// takes out of the byte stream (see server/telnet). name is the command
// as RFC 854 spells it: "BRK", "DO TIMING-MARK".
type TelnetTracer interface {
	Telnet(name string)
}
