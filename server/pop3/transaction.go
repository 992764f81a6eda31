package pop3

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"sync"

	"maillab/server/wire"
)

// STAT (RFC 1939 section 5): the messages not marked deleted, and their
// octets.
func (c *conn) statCmd(cmd command) error {
	if len(cmd.args) != 0 {
		return bad("syntax: STAT")
	}
	c.okf("%d %d", c.count, c.size)
	return nil
}

// LIST [msg] (RFC 1939 section 5).
func (c *conn) listCmd(cmd command) error {
	switch len(cmd.args) {
	case 0:
		c.okf("%s (%d octets)", messages(c.count), c.size)
		c.scanListing(func(i int) []byte { return strconv.AppendInt(c.buf, c.msgs[i].Size, 10) })
		return nil
	case 1:
		i, err := c.message(cmd.args[0])
		if err != nil {
			return err
		}
		c.okf("%d %d", i+1, c.msgs[i].Size)
		return nil
	}
	return bad("syntax: LIST [message]")
}

// UIDL [msg] (RFC 1939 section 7).
func (c *conn) uidlCmd(cmd command) error {
	switch len(cmd.args) {
	case 0:
		c.okf("")
		c.scanListing(func(i int) []byte { return append(c.buf, c.msgs[i].UID...) })
		return nil
	case 1:
		i, err := c.message(cmd.args[0])
		if err != nil {
			return err
		}
		c.okf("%d %s", i+1, c.msgs[i].UID)
		return nil
	}
	return bad("syntax: UIDL [message]")
}

// scanListing writes the lines "n value" of a LIST or UIDL listing for
// every message not marked deleted, and the final ".". The lines begin
// with a digit, so they need no byte-stuffing.
func (c *conn) scanListing(value func(i int) []byte) {
	for i := range c.msgs {
		if c.deleted[i] {
			continue
		}
		c.buf = strconv.AppendInt(c.buf[:0], int64(i+1), 10)
		c.buf = append(c.buf, ' ')
		c.buf = value(i)
		c.buf = append(c.buf, '\r', '\n')
		c.w.Write(c.buf)
	}
	c.w.WriteString(".\r\n")
}

// RETR msg (RFC 1939 section 5): the message is streamed from the maildrop
// and byte-stuffed on the way.
func (c *conn) retrCmd(cmd command) error {
	if len(cmd.args) != 1 {
		return bad("syntax: RETR message")
	}
	i, err := c.message(cmd.args[0])
	if err != nil {
		return err
	}
	m := c.msgs[i]
	rc, err := c.open(m)
	if err != nil {
		return err
	}
	defer rc.Close()

	c.okf("%d octets", m.Size)
	c.inMulti = true
	dw := wire.NewDotWriter(c.w)
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	src := &readerOnly{r: rc}
	_, err = io.CopyBuffer(dw, src, *buf)
	if err != nil {
		if src.err != nil {
			c.srv.logf("pop3: reading message %s for %v: %v", m.UID, c.nc.RemoteAddr(), src.err)
		}
		return errBroken
	}
	if err := dw.Close(); err != nil {
		return errBroken
	}
	c.inMulti = false
	c.sent = append(c.sent, retrieved{m.UID, m.Size})
	return nil
}

// copyBuffers are the buffers RETR reads messages into: shared by the
// connections, since a connection needs one only while it sends a message.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// readerOnly hides a reader's WriteTo, so that io.CopyBuffer uses the
// connection's buffer, and remembers the reader's own error.
type readerOnly struct {
	r   io.Reader
	err error
}

func (r *readerOnly) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// TOP msg n (RFC 1939 section 7): the header, the blank line, and the first
// n lines of the body (all of it when it is shorter), byte-stuffed.
func (c *conn) topCmd(cmd command) error {
	if len(cmd.args) != 2 {
		return bad("syntax: TOP message lines")
	}
	i, err := c.message(cmd.args[0])
	if err != nil {
		return err
	}
	lines, ok := number(cmd.args[1])
	if !ok {
		return bad("syntax: TOP message lines (lines is a number, 0 or more)")
	}
	m := c.msgs[i]
	rc, err := c.open(m)
	if err != nil {
		return err
	}
	defer rc.Close()

	c.okf("top of message follows")
	c.inMulti = true
	if c.br == nil {
		c.br = bufio.NewReaderSize(rc, 4096)
	} else {
		c.br.Reset(rc)
	}
	dw := wire.NewDotWriter(c.w)
	inBody := false   // the blank line after the header has been sent
	lineStart := true // the next chunk begins a line
	body := 0         // body lines sent
	for !inBody || body < lines {
		chunk, err := c.br.ReadSlice('\n')
		if len(chunk) > 0 {
			ends := chunk[len(chunk)-1] == '\n'
			if !inBody && lineStart && (string(chunk) == "\r\n" || string(chunk) == "\n") {
				inBody = true
			} else if inBody && ends {
				body++
			}
			lineStart = ends
			if _, werr := dw.Write(chunk); werr != nil {
				return errBroken
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			c.srv.logf("pop3: reading message %s for %v: %v", m.UID, c.nc.RemoteAddr(), err)
			return errBroken
		}
	}
	c.br.Reset(nil)
	if err := dw.Close(); err != nil {
		return errBroken
	}
	c.inMulti = false
	return nil
}

// open opens a message of the maildrop for RETR or TOP.
func (c *conn) open(m Message) (io.ReadCloser, error) {
	rc, err := c.drop.Open(m.UID)
	if errors.Is(err, ErrGone) {
		// not transient: RFC 2449's [SYS/TEMP] would invite a retry
		return nil, &errReply{text: "message removed since the maildrop was locked (by another program)"}
	}
	if err != nil {
		c.srv.logf("pop3: opening message %s for %v: %v", m.UID, c.nc.RemoteAddr(), err)
		return nil, sysTemp("unable to read the message, try again later")
	}
	return rc, nil
}

// DELE msg (RFC 1939 section 5): the message is only marked; it is deleted
// at QUIT.
func (c *conn) deleCmd(cmd command) error {
	if len(cmd.args) != 1 {
		return bad("syntax: DELE message")
	}
	i, err := c.message(cmd.args[0])
	if err != nil {
		return err
	}
	c.deleted[i] = true
	c.count--
	c.size -= c.msgs[i].Size
	c.okf("message %d deleted", i+1)
	return nil
}

// NOOP (RFC 1939 section 5).
func (c *conn) noopCmd(cmd command) error {
	if len(cmd.args) != 0 {
		return bad("syntax: NOOP")
	}
	c.okf("")
	return nil
}

// RSET (RFC 1939 section 5): every message marked deleted is restored.
func (c *conn) rsetCmd(cmd command) error {
	if len(cmd.args) != 0 {
		return bad("syntax: RSET")
	}
	c.resetMarks()
	c.okf("maildrop has %s (%d octets)", messages(c.count), c.size)
	return nil
}

// resetMarks unmarks every message.
func (c *conn) resetMarks() {
	clear(c.deleted)
	c.count = len(c.msgs)
	c.size = 0
	for _, m := range c.msgs {
		c.size += m.Size
	}
}

// message returns the index in msgs of the message numbered arg, which must
// exist and not be marked deleted.
func (c *conn) message(arg string) (int, error) {
	n, ok := number(arg)
	if !ok || n == 0 {
		return 0, bad("no such message")
	}
	if n > len(c.msgs) {
		return 0, bad("no such message, only %s in maildrop", messages(len(c.msgs)))
	}
	if c.deleted[n-1] {
		return 0, bad("message %d already deleted", n)
	}
	return n - 1, nil
}

// number parses a non-negative decimal number of at most nine digits: no
// sign, no spaces.
func number(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// QUIT (RFC 1939 sections 4 and 6). In the TRANSACTION state it enters the
// UPDATE state: the marked messages are deleted, then the maildrop is
// unlocked, then the client is answered.
func (c *conn) quitCmd(cmd command) error {
	if len(cmd.args) != 0 {
		return bad("syntax: QUIT")
	}
	if c.state == stateAuthorization {
		c.okf("%s signing off", c.srv.name())
		return errQuit
	}

	c.state = stateUpdate
	var uids []string
	for i, m := range c.msgs {
		if c.deleted[i] {
			uids = append(uids, m.UID)
		}
	}
	var err error
	if len(uids) > 0 {
		err = c.drop.Delete(uids)
	}
	c.unlock()
	if err != nil {
		c.srv.logf("pop3: deleting messages for %v: %v", c.nc.RemoteAddr(), err)
		c.writeErr(&errReply{code: "SYS/TEMP", text: "some deleted messages not removed"})
		return errQuit
	}
	left := "maildrop empty"
	if c.count > 0 {
		left = messages(c.count) + " left"
	}
	c.okf("%s signing off (%s)", c.srv.name(), left)
	return errQuit
}
