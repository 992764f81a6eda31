package pop3

import (
	"strings"

	"maillab/server/mask"
	"maillab/server/wire"
)

// command is a parsed command line.
type command struct {
	word string   // the keyword as the client typed it
	verb string   // the keyword in upper case
	args []string // the arguments, split at runs of spaces and tabs
	rest string   // everything after the keyword, spaces trimmed (PASS)
}

// parse splits a command line. It never fails; the handlers judge the
// arguments.
func parse(line string) command {
	line = strings.Trim(line, " \t")
	var cmd command
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		cmd.word = line
	} else {
		cmd.word, cmd.rest = line[:i], strings.Trim(line[i:], " \t")
	}
	cmd.verb = strings.ToUpper(cmd.word)
	cmd.args = fields(cmd.rest)
	return cmd
}

// fields splits s at runs of spaces and tabs.
func fields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

// Mask returns what may be kept of a POP3 command line (see package
// server/mask): a command of RFC 1939 or RFC 2449 with its arguments when
// they are message numbers, the name of USER and APOP when it has the
// shape of a user name, and nothing of PASS's password or APOP's digest
// ("PASS ****", "APOP yom ****"); any other line only as its class and
// length ("<unknown command, 12 bytes>"). A masked line masks to itself.
func Mask(line string) mask.Line {
	l, w, verb, done := mask.Known(line, func(v string) bool { _, ok := commands[v]; return ok })
	if done {
		return l
	}
	kept := make([]string, len(w.Args))
	for i, a := range w.Args {
		switch {
		case verb == "PASS":
			kept[i] = mask.Hidden
		case verb == "USER" && i == 0 && mask.Name(a),
			verb == "APOP" && i == 0 && len(w.Args) > 1 && mask.Name(a): // a lone word may be the digest
			kept[i] = a
		case verb != "USER" && verb != "APOP" && mask.Number(a):
			kept[i] = a
		default:
			kept[i] = mask.Hidden
		}
	}
	return mask.Join(w, verb, kept)
}

// handler carries out one command in a state where it is allowed. It
// writes a positive reply itself and returns nil, or returns an *errReply
// to be sent, errQuit to end the session, or another error when the
// connection has to be dropped.
type handler struct {
	authorization bool // allowed before login
	transaction   bool // allowed after login
	run           func(c *conn, cmd command) error
}

// commands are the commands of RFC 1939, RFC 2449 and RFC 2595 (STLS), by
// keyword.
var commands = map[string]handler{
	"USER": {authorization: true, run: (*conn).userCmd},
	"PASS": {authorization: true, run: (*conn).passCmd},
	"APOP": {authorization: true, run: (*conn).apopCmd},
	"QUIT": {authorization: true, transaction: true, run: (*conn).quitCmd},
	"CAPA": {authorization: true, transaction: true, run: (*conn).capaCmd},
	"STLS": {authorization: true, run: (*conn).stlsCmd},
	"STAT": {transaction: true, run: (*conn).statCmd},
	"LIST": {transaction: true, run: (*conn).listCmd},
	"RETR": {transaction: true, run: (*conn).retrCmd},
	"DELE": {transaction: true, run: (*conn).deleCmd},
	"NOOP": {transaction: true, run: (*conn).noopCmd},
	"RSET": {transaction: true, run: (*conn).rsetCmd},
	"TOP":  {transaction: true, run: (*conn).topCmd},
	"UIDL": {transaction: true, run: (*conn).uidlCmd},
}

// execute shows a command line to the tracer, with secrets hidden, and
// carries it out.
func (c *conn) execute(l wire.Line) error {
	line := string(l.Text)
	if c.tracer != nil {
		c.tracer.Command(Mask(line).Text)
	}
	cmd := parse(line)
	if strings.IndexByte(line, 0) >= 0 {
		return bad("NUL byte in command")
	}
	if hasControl(line) {
		// RFC 1939: keywords and arguments are printable. A backspace or
		// an arrow key typed in telnet ends up here.
		return bad("control character in command")
	}
	if sp := mask.Split(line).Space; sp != 0 {
		// An IME's full-width space looks like a space but is not one:
		// "PASS　secret" would otherwise be an unknown command, or a
		// password with a space in it.
		return bad("syntax error: %s between the words; type an ASCII space", mask.SpaceName(sp))
	}
	if cmd.verb == "" {
		return bad("empty command")
	}
	h, ok := commands[cmd.verb]
	if !ok {
		return bad("unknown command")
	}
	switch {
	case c.state == stateAuthorization && !h.authorization:
		return bad("%s is not valid in the %v state; log in first with USER and PASS, or APOP", cmd.verb, c.state)
	case c.state == stateTransaction && !h.transaction:
		return bad("%s is not valid in the %v state; already logged in", cmd.verb, c.state)
	}
	return h.run(c, cmd)
}

// hasControl reports whether s holds an ASCII control character other than
// the tab, which parse takes as a space.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < ' ' && b != '\t' || b == 0x7f {
			return true
		}
	}
	return false
}
