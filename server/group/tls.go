package group

import (
	"crypto/tls"
	"crypto/x509"

	"maillab/server/journal"
)

// tlsEvent is the journal's record of a STLS or STARTTLS handshake: the
// version and cipher suite when it succeeded, the error when it failed.
// Nothing of it is secret.
func tlsEvent(state tls.ConnectionState, err error) journal.Event {
	if err != nil {
		return journal.Event{Kind: journal.TLS, Result: journal.ResultFail, Error: err.Error()}
	}
	return journal.Event{Kind: journal.TLS, Result: journal.ResultOK,
		Method: tls.VersionName(state.Version), Line: tls.CipherSuiteName(state.CipherSuite)}
}

// TLS makes pop3Session a pop3.TLSTracer.
func (p *pop3Session) TLS(state tls.ConnectionState, err error) {
	p.j.Record(tlsEvent(state, err))
}

// TLS makes smtpSession a smtp.TLSTracer; the messages of a session over
// TLS get "with ESMTPS" in their Received field.
func (t *smtpSession) TLS(state tls.ConnectionState, err error) {
	t.tls = err == nil
	t.j.Record(tlsEvent(state, err))
}

// with is the protocol of the Received field (RFC 5321 section 4.4, with
// RFC 3848's ESMTPS for a session over TLS).
func (t *smtpSession) with() string {
	switch {
	case t.tls && t.extended:
		return "ESMTPS"
	case t.extended:
		return "ESMTP"
	}
	return "SMTP"
}

// relayTLS is the relay's TLS configuration for a group's server: the
// class CA's verification of the group's domain when there is a class CA,
// else encryption without verification (opportunistic TLS, RFC 7435),
// which still hides the mail from a classmate who only listens.
func (s *Server) relayTLS(roots *x509.CertPool) func(group int) *tls.Config {
	c := s.cfg.Classroom
	if c == nil {
		return nil
	}
	return func(group int) *tls.Config {
		return &tls.Config{
			ServerName:         c.GroupDomain(group),
			RootCAs:            roots,
			InsecureSkipVerify: roots == nil,
			MinVersion:         tls.VersionTLS12,
		}
	}
}

// Certificate is the servers' certificate, or nil when they have none.
func (s *Server) Certificate() *x509.Certificate {
	if s.cfg.TLS == nil || len(s.cfg.TLS.Certificates) == 0 {
		return nil
	}
	return s.cfg.TLS.Certificates[0].Leaf
}
