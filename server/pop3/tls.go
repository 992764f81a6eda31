package pop3

import (
	"crypto/tls"
	"time"

	"maillab/server/wire"
)

// TLSTracer may be implemented by a Session to hear that the session went
// over to TLS with STLS (RFC 2595): state is the connection's once the
// handshake has succeeded; err is set when it failed, and the session then
// ends. Nothing of the state is secret (version, cipher suite, server
// name).
type TLSTracer interface {
	TLS(state tls.ConnectionState, err error)
}

// tlsConfig is the configuration for STLS, TLS 1.2 at least, or nil when
// the server has no certificate.
func (s *Server) tlsConfig() *tls.Config {
	if s.TLSConfig == nil {
		return nil
	}
	cfg := s.TLSConfig.Clone()
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	return cfg
}

// STLS (RFC 2595 section 4): only in the AUTHORIZATION state, only once,
// only when the server has a certificate. After the handshake the session
// goes on in the AUTHORIZATION state with everything the client said
// before it forgotten (a USER waiting for its PASS); what the client sent
// after STLS and before the handshake is thrown away unread, so that no
// command can be slipped in before TLS and run inside it (the command
// injection class of CVE-2011-0411). The APOP timestamp stays the
// greeting's.
func (c *conn) stlsCmd(cmd command) error {
	cfg := c.srv.tlsConfig()
	switch {
	case len(cmd.args) != 0:
		return bad("syntax: STLS")
	case c.tls:
		return bad("TLS is already active")
	case cfg == nil:
		return bad("STLS not available: this server has no certificate")
	}
	c.user = ""
	c.okf("Begin TLS negotiation")
	if err := c.flush(); err != nil {
		return errBroken
	}
	tc := tls.Server(c.nc, cfg)
	if d := c.srv.idleTimeout(); d > 0 {
		c.nc.SetDeadline(time.Now().Add(d))
	}
	err := tc.Handshake()
	c.nc.SetDeadline(time.Time{})
	if c.tlsTracer != nil {
		c.tlsTracer.TLS(tc.ConnectionState(), err)
	}
	if err != nil {
		// Nothing more can be said: the client expects TLS.
		c.linger = false
		return errBroken
	}
	c.tls = true
	c.nc = tc
	c.setIO()
	return nil
}

// setIO reads and writes the connection c.nc: after STLS a new line reader
// on the TLS connection (the old one, and whatever it held, is dropped),
// with no Telnet filter (telnet does not speak TLS).
func (c *conn) setIO() {
	c.w = newWriter(c.writer())
	c.r = wire.NewReader(c.nc, c.srv.maxLine())
}
