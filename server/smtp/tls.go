package smtp

import (
	"crypto/tls"
	"time"

	"maillab/server/wire"
)

// TLSTracer may be implemented by a Session to hear that the session went
// over to TLS with STARTTLS (RFC 3207): state is the connection's once the
// handshake has succeeded; err is set when it failed, and the session then
// ends. Nothing of the state is secret (version, cipher suite, server
// name). After a successful handshake the client must say EHLO again, and
// the Session hears it through Hello.
type TLSTracer interface {
	TLS(state tls.ConnectionState, err error)
}

// tlsConfig is the configuration for STARTTLS, TLS 1.2 at least.
func (s *Server) tlsConfig() *tls.Config {
	cfg := s.TLSConfig.Clone()
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	return cfg
}

// startTLS answers STARTTLS (RFC 3207 section 4) on a server with a
// certificate, and runs the handshake. After it the session starts again
// as RFC 3207 section 4.2 says: the HELO/EHLO and any transaction are
// forgotten and the client must say EHLO again. What the client sent after
// STARTTLS and before the handshake is thrown away unread, so that no
// command can be slipped in before TLS and run inside it (the command
// injection class of CVE-2011-0411). It reports whether the session is
// over.
func (c *conn) startTLS(arg string) (done bool) {
	switch {
	case arg != "":
		c.reply(501, "5.5.4", "Syntax: STARTTLS (no arguments)")
		return false
	case c.tls:
		c.reply(503, "5.5.1", "TLS already active")
		return false
	case !c.greeted:
		c.reply(503, "5.5.1", "Send EHLO first")
		return false
	case c.inTx:
		c.reply(503, "5.5.1", "MAIL transaction in progress; RSET first")
		return false
	}
	c.reply(220, "2.0.0", "Ready to start TLS")
	if err := c.flush(); err != nil {
		return true
	}
	tc := tls.Server(c.nc, c.srv.tlsConfig())
	if t := c.srv.idleTimeout(); t > 0 {
		c.nc.SetDeadline(time.Now().Add(t))
	}
	err := tc.Handshake()
	c.nc.SetDeadline(time.Time{})
	if c.tlsTracer != nil {
		c.tlsTracer.TLS(tc.ConnectionState(), err)
	}
	if err != nil {
		// Nothing more can be said: the client expects TLS.
		return true
	}
	c.tls = true
	c.nc = tc
	c.readErr = nil
	// a new line reader: the old one, and whatever it held, is dropped;
	// no Telnet filter (telnet does not speak TLS)
	c.r = wire.NewReader((*connReader)(c), c.srv.maxLine())
	c.greeted = false // no transaction: refused above
	return false
}
