package smtp

import (
	"bytes"
	"strconv"
	"strings"

	"maillab/server/mask"
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
		"BDAT", "AUTH", // extensions not offered
		"STARTTLS",             // when the server has no certificate
		"ETRN", "ATRN", "TURN", // RFC 1985, RFC 2645, RFC 821
		"SEND", "SOML", "SAML": // RFC 821, gone since RFC 2821
		return true
	}
	return false
}

// verbs are the commands this server answers, offered or not.
var verbs = map[string]bool{
	"HELO": true, "EHLO": true, "MAIL": true, "RCPT": true, "DATA": true,
	"RSET": true, "NOOP": true, "QUIT": true, "VRFY": true, "HELP": true, "EXPN": true,
	"BDAT": true, "STARTTLS": true, "AUTH": true, "ETRN": true, "ATRN": true,
	"TURN": true, "SEND": true, "SOML": true, "SAML": true,
}

// Mask returns what may be kept of an SMTP command line (see package
// server/mask): a verb of SMTP with the host of HELO/EHLO, the address and
// SIZE/BODY of MAIL FROM and RCPT TO, the user of VRFY/EXPN and the
// mechanism of AUTH, each only when it has the shape of one; "****" for
// any other argument (AUTH's credentials always); any other line (a POP3
// command typed here, an AUTH continuation line) only as its class and
// length ("<unknown command, 12 bytes>"). A masked line masks to itself.
func Mask(line string) mask.Line {
	l, w, verb, done := mask.Known(line, func(v string) bool { return verbs[v] })
	if done {
		return l
	}
	kept := make([]string, len(w.Args))
	for i, a := range w.Args {
		kept[i] = mask.Hidden
		switch verb {
		case "HELO", "EHLO", "VRFY", "EXPN":
			if i == 0 && mask.Token(a, 255) {
				kept[i] = a
			}
		case "AUTH":
			if i == 0 && mechanism(a) {
				kept[i] = a
			}
		case "HELP":
			// a topic is kept only when it is a command this server
			// knows: any other word may be a password typed in place
			if i == 0 && verbs[strings.ToUpper(a)] {
				kept[i] = a
			}
		case "MAIL", "RCPT":
			if pathArg(verb, i, a) || i > 0 && param(a) {
				kept[i] = a
			}
		}
	}
	return mask.Join(w, verb, kept)
}

// mechanism reports whether a has the shape of a SASL mechanism name
// (RFC 4422 section 3.1): 1 to 20 upper-case letters, digits, '-' or '_'
// (typed in any case).
func mechanism(a string) bool {
	if a == "" || len(a) > 20 {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// pathArg reports whether the i-th word of MAIL or RCPT may be kept as the
// "FROM:<path>" or "TO:<path>" part: "FROM:<a@b>", or "FROM:" and "<a@b>"
// typed apart.
func pathArg(verb string, i int, a string) bool {
	if !mask.Token(a, 300) {
		return false
	}
	key := "FROM:"
	if verb == "RCPT" {
		key = "TO:"
	}
	switch {
	case i == 0:
		return len(a) >= len(key) && strings.EqualFold(a[:len(key)], key)
	case i == 1:
		return strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">")
	}
	return false
}

// param reports whether a is an ESMTP parameter that may be kept: SIZE=n
// or BODY=7BIT|8BITMIME.
func param(a string) bool {
	k, v, _ := strings.Cut(a, "=")
	switch strings.ToUpper(k) {
	case "SIZE":
		return mask.Number(v)
	case "BODY":
		return strings.EqualFold(v, "7BIT") || strings.EqualFold(v, "8BITMIME")
	}
	return false
}

// command acts on one command line. It reports whether the session is over.
func (c *conn) command(l wire.Line) (done bool) {
	if c.tracer != nil {
		c.tracer.Command(Mask(string(l.Text)).Text)
	}
	text := l.Text
	if bytes.IndexByte(text, 0) >= 0 {
		c.reply(500, "5.5.2", "NUL character in command line")
		return false
	}
	if sp := mask.Split(string(text)).Space; sp != 0 {
		// An IME's full-width space looks like a space but is not one.
		code, at := 501, bytes.IndexAny(text, " \t")
		if at < 0 || bytes.IndexFunc(text, func(r rune) bool { return r == sp }) < at {
			code = 500 // inside the verb: not a command at all
		}
		c.reply(code, "5.5.2", "Syntax error: "+mask.SpaceName(sp)+" between the words; type an ASCII space")
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
	case "STARTTLS":
		if c.srv.TLSConfig == nil {
			c.reply(502, "5.5.1", name+" not implemented")
			break
		}
		return c.startTLS(arg)
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
	if c.srv.TLSConfig != nil && !c.tls {
		c.reply(250, "", host, "PIPELINING", size, "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS", "HELP")
		return
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
