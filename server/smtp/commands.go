package smtp

import (
	"bytes"
	"strconv"

	"maillab/server/wire"
)

// helpText is the answer to HELP: what a student needs to send a message
// by hand, in the order the commands are used.
var helpText = []string{
	"Commands, in the order a message needs them:",
	"  HELO <your host name>   or   EHLO <your host name>",
	"  MAIL FROM:<sender@domain>",
	"  RCPT TO:<recipient@domain>   (once for each recipient)",
	"  DATA   then the message, then a line with only a dot: .",
	"Also: RSET (start over)  NOOP  VRFY <user>  HELP  QUIT",
	"End of HELP info",
}

// notImplemented reports the commands of SMTP and its extensions that this
// server knows but does not offer: RFC 5321 says 502 for them, not 500.
func notImplemented(verb string) bool {
	switch verb {
	case "EXPN", // no mailing lists here; see the comment where it is answered
		"BDAT", "STARTTLS", "AUTH", // extensions not offered
		"ETRN", "ATRN", "TURN", // RFC 1985, RFC 2645, RFC 821
		"SEND", "SOML", "SAML": // RFC 821, gone since RFC 2821
		return true
	}
	return false
}

// command acts on one command line. It reports whether the session is over.
func (c *conn) command(l wire.Line) (done bool) {
	if c.tracer != nil {
		c.tracer.Command(string(l.Text))
	}
	text := l.Text
	if bytes.IndexByte(text, 0) >= 0 {
		c.reply(500, "5.5.2", "NUL character in command line")
		return false
	}
	text = bytes.Trim(text, " \t")
	verb, rest := text, []byte(nil)
	if i := bytes.IndexAny(text, " \t"); i >= 0 {
		verb, rest = text[:i], bytes.TrimLeft(text[i+1:], " \t")
	}
	var up [8]byte
	if len(verb) == 0 || len(verb) > len(up) {
		c.reply(500, "5.5.2", "Command not recognized")
		return false
	}
	for i, b := range verb {
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		up[i] = b
	}
	arg := string(rest)
	switch name := string(up[:len(verb)]); name {
	case "HELO":
		c.hello(arg, false)
	case "EHLO":
		c.hello(arg, true)
	case "MAIL":
		c.mail(arg)
	case "RCPT":
		c.rcpt(arg)
	case "DATA":
		return c.data(arg)
	case "RSET":
		if arg != "" {
			c.reply(501, "5.5.4", "Syntax: RSET (no arguments)")
			break
		}
		c.resetTx()
		c.reply(250, "2.0.0", "Ok")
	case "NOOP":
		c.reply(250, "2.0.0", "Ok")
	case "QUIT":
		if arg != "" {
			c.reply(501, "5.5.4", "Syntax: QUIT (no arguments)")
			break
		}
		c.reply(221, "2.0.0", "Bye")
		return true
	case "VRFY":
		if arg == "" {
			c.reply(501, "5.5.4", "Syntax: VRFY <user>")
			break
		}
		// RFC 5321 section 3.5.3 and 7.3: 252 says neither yes nor no,
		// so VRFY cannot be used to find out who has a mailbox here.
		c.reply(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery")
	case "HELP":
		c.reply(214, "2.0.0", helpText...)
	default:
		if notImplemented(name) {
			// EXPN: a group's domain has no mailing lists to expand, and
			// EXPN is not among the commands RFC 5321 section 4.5.1
			// requires, so "not implemented" is the honest answer; a 252
			// would suggest there was something to expand.
			c.reply(502, "5.5.1", name+" not implemented")
			break
		}
		c.reply(500, "5.5.2", "Command not recognized")
	}
	return false
}

// hello answers HELO and EHLO. Either starts the session afresh: a
// transaction under way is reset (RFC 5321 section 4.1.4).
func (c *conn) hello(arg string, extended bool) {
	verb := "HELO"
	if extended {
		verb = "EHLO"
	}
	if arg == "" {
		c.reply(501, "5.5.4", "Syntax: "+verb+" <your host name>")
		return
	}
	if c.inTx {
		c.resetTx()
	}
	c.greeted = false
	if err := c.sess.Hello(arg, extended); err != nil {
		c.replyError(err)
		return
	}
	c.greeted = true
	host := c.srv.hostname()
	if !extended {
		c.reply(250, "", host)
		return
	}
	size := "SIZE"
	if n := c.srv.maxMessageBytes(); n > 0 {
		size = "SIZE " + strconv.FormatInt(n, 10)
	}
	c.reply(250, "", host, "PIPELINING", size, "8BITMIME", "ENHANCEDSTATUSCODES", "HELP")
}

// mail answers MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME].
func (c *conn) mail(arg string) {
	switch {
	case !c.greeted:
		c.reply(503, "5.5.1", "Send HELO or EHLO first")
		return
	case c.inTx:
		c.reply(503, "5.5.1", "Nested MAIL command (one sender per message; RSET starts over)")
		return
	}
	from, opts, perr := parseMail(arg, c.srv.maxMessageBytes())
	if perr != nil {
		c.reply(perr.code, perr.enh, perr.msg)
		return
	}
	if err := c.sess.Mail(from, opts); err != nil {
		c.replyError(err)
		return
	}
	c.inTx = true
	c.rcpts = 0
	c.reply(250, "2.1.0", "Ok")
}

// rcpt answers RCPT TO:<forward-path>.
func (c *conn) rcpt(arg string) {
	if !c.inTx {
		c.reply(503, "5.5.1", "Need MAIL before RCPT")
		return
	}
	to, perr := parseRcpt(arg)
	if perr != nil {
		c.reply(perr.code, perr.enh, perr.msg)
		return
	}
	if max := c.srv.maxRecipients(); max > 0 && c.rcpts >= max {
		// RFC 5321 section 4.5.3.1.10: a temporary refusal, so that the
		// client sends the rest of the recipients in another transaction.
		c.reply(452, "4.5.3", "Too many recipients")
		return
	}
	if err := c.sess.Rcpt(to); err != nil {
		c.replyError(err)
		return
	}
	c.rcpts++
	c.reply(250, "2.1.5", "Ok")
}

// resetTx ends the transaction, if any, on both sides.
func (c *conn) resetTx() {
	c.inTx = false
	c.rcpts = 0
	c.sess.Reset()
}
