package pop3

import (
	"errors"
	"fmt"

	"maillab/server/mask"
)

// USER name (RFC 1939 section 7). The reply is the same whether or not the
// user exists, so that nobody can find out user names this way. It names
// the user only when the name has the shape of one: a password typed in
// its place is not echoed.
func (c *conn) userCmd(cmd command) error {
	c.user = ""
	if len(cmd.args) != 1 {
		return bad("syntax: USER name")
	}
	c.user = cmd.args[0]
	if !mask.Name(c.user) {
		c.okf("password required")
		return nil
	}
	c.okf("password required for %s", c.user)
	return nil
}

// PASS password (RFC 1939 section 7). The password is the rest of the line,
// so it may contain spaces. Whatever the outcome, the next PASS needs a new
// USER.
func (c *conn) passCmd(cmd command) error {
	if c.user == "" {
		return bad("give USER first, then PASS")
	}
	if cmd.rest == "" {
		return bad("syntax: PASS password")
	}
	name := c.user
	c.user = ""
	return c.login(name, Credentials{Password: cmd.rest}, "invalid user name or password")
}

// APOP name digest (RFC 1939 section 7): the digest is md5 of the greeting's
// timestamp followed by the shared secret, in lower-case hex. The backend
// checks it against the challenge it was given in ConnInfo.
func (c *conn) apopCmd(cmd command) error {
	c.user = ""
	if len(cmd.args) != 2 {
		return bad("syntax: APOP name digest")
	}
	return c.login(cmd.args[0], Credentials{Digest: cmd.args[1], APOP: true}, "invalid user name or digest")
}

// login asks the backend to check the credentials and lock the maildrop,
// and enters the TRANSACTION state when it did.
func (c *conn) login(name string, cred Credentials, denied string) error {
	drop, err := c.sess.Login(name, cred)
	if err == nil && drop == nil {
		err = errors.New("pop3: backend returned no maildrop")
	}
	switch {
	case errors.Is(err, ErrAuth):
		return &errReply{code: "AUTH", text: denied, bad: true}
	case errors.Is(err, ErrThrottled):
		return &errReply{code: "AUTH", text: "too many failed logins; wait a minute, then try again", end: true}
	case errors.Is(err, ErrInUse):
		return &errReply{code: "IN-USE", text: "maildrop already locked by another session"}
	case err != nil:
		c.srv.logf("pop3: login for %v: %v", c.nc.RemoteAddr(), err)
		return sysTemp("unable to open the maildrop, try again later")
	}

	c.drop = drop // from now on it is unlocked at the end, whatever happens
	c.msgs = drop.Messages()
	c.deleted = make([]bool, len(c.msgs))
	c.resetMarks()
	c.state = stateTransaction
	c.okf("%s's maildrop has %s (%d octets)", name, messages(c.count), c.size)
	return nil
}

// messages says "1 message" or "n messages".
func messages(n int) string {
	if n == 1 {
		return "1 message"
	}
	return fmt.Sprintf("%d messages", n)
}
