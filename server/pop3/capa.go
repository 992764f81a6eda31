package pop3

// capabilities are announced by CAPA (RFC 2449 section 5), the same in both
// states; STLS (RFC 2595) besides, before login and before TLS, when the
// server has a certificate. APOP needs no tag: the timestamp in the greeting announces it.
var capabilities = []string{
	"TOP",
	"USER",
	"UIDL",
	"RESP-CODES",
	"AUTH-RESP-CODE",
	"PIPELINING",
}

// CAPA (RFC 2449 section 5).
func (c *conn) capaCmd(cmd command) error {
	if len(cmd.args) != 0 {
		return bad("syntax: CAPA")
	}
	c.okf("capability list follows")
	for _, capability := range capabilities {
		c.w.WriteString(capability)
		c.w.WriteString("\r\n")
	}
	if c.srv.TLSConfig != nil && !c.tls && c.state == stateAuthorization {
		// RFC 2595 section 4: STLS is offered only where it may be used
		c.w.WriteString("STLS\r\n")
	}
	if c.srv.Implementation != "" {
		c.w.WriteString("IMPLEMENTATION ")
		c.w.WriteString(c.srv.Implementation)
		c.w.WriteString("\r\n")
	}
	c.w.WriteString(".\r\n")
	return nil
}
