package group

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"maillab/server/account"
	"maillab/server/journal"
	"maillab/server/maildir"
	"maillab/server/relay"
	"maillab/server/smtp"
)

// smtpBackend gives the SMTP server the group's domain, accounts and
// Maildirs.
type smtpBackend struct{ s *Server }

func (b smtpBackend) NewSession(c smtp.ConnInfo) (smtp.Session, error) {
	js := b.s.journal.NewSession("smtp", c.RemoteAddr, c.LocalAddr, b.s.clientGroup(c.RemoteAddr))
	return &smtpSession{s: b.s, j: js, remote: c.RemoteAddr}, nil
}

// smtpSession is one SMTP connection.
type smtpSession struct {
	s        *Server
	j        *journal.Session
	remote   net.Addr
	helo     string
	extended bool
	tls      bool // STARTTLS succeeded (tls.go)

	lastID string // of the last message accepted
	telnet telnetNotes

	// the transaction
	inMail bool
	from   string
	rcpts  []recipient
}

// recipient is an accepted RCPT: a local user's mailbox, or an address of
// another classroom group, to be relayed.
type recipient struct {
	addr  string // as given, for the journal and Delivered-To
	user  string // local mailbox, or "" when relayed
	group int    // the classroom group to relay to, 0 when local
}

func (t *smtpSession) Hello(name string, extended bool) error {
	t.helo, t.extended = name, extended
	return nil
}

func (t *smtpSession) Mail(from string, _ smtp.MailOptions) error {
	t.inMail, t.from, t.rcpts = true, from, nil
	return nil
}

func (t *smtpSession) Rcpt(to string) error {
	local, domain, hasDomain := splitAddr(to)
	if !hasDomain && strings.EqualFold(local, Postmaster) {
		t.addRcpt(recipient{addr: Postmaster + "@" + t.s.data.Domain, user: Postmaster})
		return nil
	}
	if !strings.EqualFold(domain, t.s.data.Domain) {
		return t.relayRcpt(to, domain)
	}
	user := account.Normalize(local)
	if user != Postmaster {
		if _, err := t.s.data.Accounts.Lookup(user); errors.Is(err, account.ErrNoUser) {
			return &smtp.Error{Code: 550, Enhanced: "5.1.1", Message: fmt.Sprintf("<%s>: Recipient address rejected: User unknown in local recipient table", to)}
		} else if err != nil {
			return err
		}
	}
	t.addRcpt(recipient{addr: to, user: user})
	return nil
}

// relayRcpt takes an address of another domain: another classroom group's,
// from a client on a classroom host or this machine, goes to the relay
// queue; every other is refused, so that the server is never an open relay.
func (t *smtpSession) relayRcpt(to, domain string) error {
	denied := &smtp.Error{Code: 554, Enhanced: "5.7.1", Message: fmt.Sprintf("<%s>: Relay access denied", to)}
	c := t.s.cfg.Classroom
	if c == nil {
		return denied
	}
	g := c.GroupOfDomain(domain)
	if g == 0 || g == t.s.data.Group {
		return denied
	}
	// Every group's postmaster can be reached through any group's server
	// (the instructor's probes go that way); anyone else only from a
	// classroom host.
	local, _, _ := splitAddr(to)
	if !t.s.mayRelay(t.remote) && !strings.EqualFold(local, Postmaster) {
		return denied
	}
	t.addRcpt(recipient{addr: to, group: g})
	return nil
}

// addRcpt adds a recipient once: RCPT TO the same mailbox twice delivers
// one copy, as Postfix does.
func (t *smtpSession) addRcpt(r recipient) {
	for _, have := range t.rcpts {
		if have.group == r.group && (have.user == r.user && r.group == 0 || r.group != 0 && strings.EqualFold(have.addr, r.addr)) {
			return
		}
	}
	t.rcpts = append(t.rcpts, r)
}

// splitAddr splits an address at its last "@".
func splitAddr(a string) (local, domain string, ok bool) {
	i := strings.LastIndexByte(a, '@')
	if i < 0 {
		return a, "", false
	}
	return a[:i], a[i+1:], true
}

func (t *smtpSession) Data(r io.Reader) error {
	msg, err := io.ReadAll(r)
	if err != nil {
		return err // nothing kept; the server answers for the read error
	}
	now := time.Now()
	id := newID(now)
	t.lastID = ""
	h := scanHeader(msg)
	if h.received >= MaxHops {
		return &smtp.Error{Code: 554, Enhanced: "5.4.6", Message: fmt.Sprintf("Too many hops: %d Received fields (a mail loop?)", h.received)}
	}
	// a message another group's relay sent before it died, sent again
	fromRelay := t.s.isRelayID(h.relayID, t.remote, t.helo)
	if fromRelay && t.s.seen.has(h.relayID) {
		t.j.Record(journal.Event{Kind: journal.Accepted, ID: id, MessageID: h.messageID, From: t.from, Reason: "duplicate-relay", Size: int64(len(msg))})
		t.lastID = id
		return nil
	}
	var added bytes.Buffer
	addedMessageID := h.messageID == ""
	if addedMessageID {
		h.messageID = "<" + id + "@" + t.s.data.Domain + ">"
	}
	rcptAddrs := make([]string, len(t.rcpts))
	for i, r := range t.rcpts {
		rcptAddrs[i] = r.addr
	}
	// Every copy is on disk before the message counts as accepted; if one
	// fails, those already written are taken back, so that the client's
	// retry after 451 does not deliver twice.
	var done []maildir.Message
	var doneDirs []maildir.Dir
	undo := func() {
		for i, m := range done {
			doneDirs[i].Remove(m)
		}
	}
	relayed := map[int][]string{} // group → addresses
	var groups []int
	for _, r := range t.rcpts {
		if r.group == 0 {
			continue
		}
		if relayed[r.group] == nil {
			groups = append(groups, r.group)
		}
		relayed[r.group] = append(relayed[r.group], r.addr)
	}
	var queued []relay.Entry
	for _, g := range groups {
		e := relay.Entry{ID: fmt.Sprintf("%s.g%d", id, g), From: t.from, Rcpts: relayed[g], DestGroup: g, MessageID: h.messageID, Origin: h.origin, Created: now, NextTry: now}
		added.Reset()
		for_ := ""
		if len(relayed[g]) == 1 {
			for_ = relayed[g][0]
		}
		t.writeReceived(&added, id, for_, now)
		if addedMessageID {
			fmt.Fprintf(&added, "Message-ID: %s\r\n", h.messageID)
		}
		if err := t.s.queue.Add(e, io.MultiReader(&added, withBlank(msg, h.missingBlank))); err != nil {
			for _, q := range queued {
				t.s.queue.Remove(q.ID)
			}
			return err
		}
		queued = append(queued, e)
	}
	undoQueued := func() {
		for _, q := range queued {
			t.s.queue.Remove(q.ID)
		}
	}
	for _, r := range t.rcpts {
		if r.group != 0 {
			continue
		}
		added.Reset()
		fmt.Fprintf(&added, "Return-Path: <%s>\r\n", t.from)
		fmt.Fprintf(&added, "Delivered-To: %s\r\n", r.addr)
		t.writeReceived(&added, id, r.addr, now)
		if addedMessageID {
			fmt.Fprintf(&added, "Message-ID: %s\r\n", h.messageID)
		}
		mb := t.s.data.Mailbox(r.user)
		head := added.Bytes()
		m, err := mb.Deliver(io.MultiReader(bytes.NewReader(head), withBlank(msg, h.missingBlank)))
		if errors.Is(err, fs.ErrNotExist) {
			// a mailbox not made yet, or taken away: make it and deliver
			if err = mb.Create(); err == nil {
				m, err = mb.Deliver(io.MultiReader(bytes.NewReader(head), withBlank(msg, h.missingBlank)))
			}
		}
		if err != nil {
			undo()
			undoQueued()
			t.j.Record(journal.Event{Kind: journal.Delivered, ID: id, User: r.user, Result: journal.ResultError, Error: err.Error()})
			return err
		}
		done, doneDirs = append(done, m), append(doneDirs, mb)
	}
	if fromRelay {
		if err := t.s.seen.add(h.relayID, now); err != nil {
			t.s.cfg.ErrorLog.Printf("relay ids: %v", err) // delivered; a retry might come twice
		}
	}
	// These are recorded with the reply that acknowledges the message.
	t.j.Hold(journal.Event{
		Kind: journal.Accepted, ID: id, MessageID: h.messageID, From: t.from, Rcpt: rcptAddrs,
		To: h.to, Cc: h.cc, Size: int64(len(msg)), Origin: h.origin,
	})
	i := 0
	for _, r := range t.rcpts {
		if r.group != 0 {
			continue
		}
		m := done[i]
		i++
		t.j.Hold(journal.Event{Kind: journal.Delivered, ID: id, MessageID: h.messageID, From: t.from, Rcpt: []string{r.addr}, User: r.user, UID: uid(m.Key), Size: m.Size, Result: journal.ResultOK, Origin: h.origin})
	}
	for _, e := range queued {
		// recorded at once (with what is held): the relay, kicked next,
		// records its attempts after it
		t.j.Record(journal.Event{Kind: journal.Queued, ID: e.ID, MessageID: e.MessageID, From: e.From, Rcpt: e.Rcpts, DestGroup: e.DestGroup, Origin: e.Origin})
	}
	if len(queued) > 0 {
		t.s.relayer.Kick()
	}
	t.lastID = id
	return nil
}

// QueueID makes smtpSession an smtp.QueueIDer: "250 2.0.0 Ok: queued as ID".
func (t *smtpSession) QueueID() string { return t.lastID }

// withBlank reads msg with an empty line inserted at offset at (none when
// at is negative).
func withBlank(msg []byte, at int) io.Reader {
	if at < 0 {
		return bytes.NewReader(msg)
	}
	return io.MultiReader(bytes.NewReader(msg[:at]), strings.NewReader("\r\n"), bytes.NewReader(msg[at:]))
}

// writeReceived writes the trace field of RFC 5321 section 4.4.
func (t *smtpSession) writeReceived(w *bytes.Buffer, id, rcpt string, now time.Time) {
	with := t.with()
	ip := "unknown"
	if h := hostOf(t.remote); h != nil {
		ip = h.String()
		if h.To4() == nil {
			ip = "IPv6:" + ip
		}
	}
	helo := t.helo
	if helo == "" {
		helo = "unknown"
	}
	if rcpt == "" { // several recipients: naming them would show each the others
		fmt.Fprintf(w, "Received: from %s ([%s])\r\n\tby %s (maillab) with %s id %s;\r\n\t%s\r\n",
			helo, ip, t.s.data.Domain, with, id, now.Format(time.RFC1123Z))
		return
	}
	fmt.Fprintf(w, "Received: from %s ([%s])\r\n\tby %s (maillab) with %s id %s\r\n\tfor <%s>; %s\r\n",
		helo, ip, t.s.data.Domain, with, id, rcpt, now.Format(time.RFC1123Z))
}

func (t *smtpSession) Reset() { t.inMail, t.from, t.rcpts = false, "", nil }

func (t *smtpSession) Logout() error {
	t.j.Record(journal.Event{Kind: journal.Close})
	return nil
}

// Command, Reply and DataEnd make smtpSession an smtp.Tracer.
func (t *smtpSession) Command(line string) {
	// masked already; this gives its verb or class
	// recorded with what the command leads to: its reply at the latest
	t.j.Hold(commandEvent(smtp.Mask(line)))
}

func (t *smtpSession) Reply(line string) {
	code := line
	if len(code) > 3 {
		code = code[:3]
	}
	t.j.Record(journal.Event{Kind: journal.Reply, Code: code, Line: line})
}

// Telnet makes smtpSession an smtp.TelnetTracer.
func (t *smtpSession) Telnet(name string) { t.telnet.note(t.j, name) }

func (t *smtpSession) DataEnd(size int64, bareLFs int) {
	e := journal.Event{Kind: journal.Data, Size: size, Count: bareLFs}
	if bareLFs > 0 {
		e.Reason = "bare-lf"
	}
	t.j.Hold(e) // recorded with the reply that ends the data
}

var idSeq atomic.Uint32

// newID returns a message id for this server: the time in microseconds
// and a counter, in upper-case hex, as Postfix's queue ids look.
func newID(now time.Time) string {
	return fmt.Sprintf("%X%04X", now.UnixMicro(), idSeq.Add(1)&0xffff)
}
