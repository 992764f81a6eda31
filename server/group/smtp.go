package group

import (
	"bufio"
	"errors"
	"fmt"
	"io"
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
	js, ip := b.s.newJournalSession("smtp", c.RemoteAddr, c.LocalAddr)
	return &smtpSession{s: b.s, j: js, remote: c.RemoteAddr, ip: ip}, nil
}

// smtpSession is one SMTP connection.
type smtpSession struct {
	s        *Server
	j        *journal.Session
	remote   net.Addr
	ip       string // the client's address, for the flood watch
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

// maxHead is the most of a message's top kept in memory to read its
// header; the rest streams to the spool file.
const maxHead = 64 << 10

// dataBudget bounds the memory of all messages being received at once:
// each holds at most maxHead of its header and two buffers.
const (
	dataBudget     = 64 << 20
	dataPerMessage = maxHead + 64<<10
)

// Data streams the message to the group's spool and answers once it is
// durable there, after it has gone to each recipient (see spool.go).
func (t *smtpSession) Data(r io.Reader) error {
	if !t.s.data.takeDataSlot() {
		return &smtp.Error{Code: 451, Enhanced: "4.3.1", Message: "Too many messages being received at once, try again later"}
	}
	defer t.s.data.releaseDataSlot()
	br := bufio.NewReaderSize(r, 4<<10)
	head, err := readHead(br)
	if err != nil {
		return err // nothing kept; the server answers for the read error
	}
	now := time.Now()
	id := newID(now)
	t.lastID = ""
	h := scanHeader(head)
	if h.received >= MaxHops {
		return &smtp.Error{Code: 554, Enhanced: "5.4.6", Message: fmt.Sprintf("Too many hops: %d Received fields (a mail loop?)", h.received)}
	}
	// a message another group's relay sent before it died, sent again
	fromRelay := t.s.isRelayID(h.relayID, t.remote, t.helo)
	if !fromRelay && h.relayID != "" {
		// a relay id only a classroom relay may give: anyone else's is
		// taken out of the header, so that no copy of the message carries
		// it on (to a mailbox, or to another group's relay)
		head = relay.StripRelayID(head)
		h = scanHeader(head)
	}
	if fromRelay && t.s.seen.has(h.relayID) {
		n, err := io.Copy(io.Discard, br)
		if err != nil {
			return err
		}
		t.j.Record(journal.Event{Kind: journal.Accepted, ID: id, MessageID: h.messageID, From: t.from, Reason: "duplicate-relay", Size: int64(len(head)) + n})
		t.lastID = id
		return nil
	}
	e := &spoolEntry{ID: id, Time: now, From: t.from, MessageID: h.messageID, Origin: h.origin, Helo: t.helo, IP: "unknown", With: t.with()}
	if e.AddedMessageID = h.messageID == ""; e.AddedMessageID {
		e.MessageID = "<" + id + "@" + t.s.data.Domain + ">"
	}
	if fromRelay {
		e.RelayID = h.relayID
	}
	if ip := hostOf(t.remote); ip != nil {
		e.IP = ip.String()
		if ip.To4() == nil {
			e.IP = "IPv6:" + e.IP
		}
	}
	if e.Helo == "" {
		e.Helo = "unknown"
	}
	rcptAddrs := make([]string, len(t.rcpts))
	relayAt := map[int]int{} // group → index in e.Relay
	for i, r := range t.rcpts {
		rcptAddrs[i] = r.addr
		if r.group == 0 {
			e.Local = append(e.Local, spoolCopy{Addr: r.addr, User: r.user, Key: maildir.StageKey(now, id, len(e.Local))})
			continue
		}
		at, ok := relayAt[r.group]
		if !ok {
			at = len(e.Relay)
			relayAt[r.group] = at
			e.Relay = append(e.Relay, spoolRelay{Group: r.group})
		}
		e.Relay[at].Addrs = append(e.Relay[at].Addrs, r.addr)
	}
	var done delivered
	if len(e.Local) == 1 && len(e.Relay) == 0 && e.RelayID == "" {
		// one local copy: its Maildir is its spool (deliverDirect)
		m, clientErr, err := t.s.deliverDirect(e, head, h.missingBlank, br)
		if clientErr != nil {
			return clientErr // nothing kept; the server answers for the read error
		}
		if err != nil {
			t.j.Record(journal.Event{Kind: journal.Delivered, ID: id, Result: journal.ResultError, Error: err.Error()})
			return err // nothing kept: the client tries again
		}
		done.copies = []maildir.Message{m}
	} else {
		f, err := t.s.writeSpool(e, head, h.missingBlank, br)
		if err != nil {
			return err
		}
		staged, err := t.s.commitSpool(e, f)
		if err != nil {
			t.j.Record(journal.Event{Kind: journal.Delivered, ID: id, Result: journal.ResultError, Error: err.Error()})
			return err // nothing kept: the client tries again
		}
		done, err = t.s.deliverSpool(e, staged, false)
		if err != nil {
			// The message is in the spool, ready, and goes to its recipients
			// when the server starts again: it is accepted.
			t.j.Record(journal.Event{Kind: journal.Delivered, ID: id, Result: journal.ResultError, Error: err.Error()})
			t.s.cfg.ErrorLog.Printf("spool: message %s: %v", id, err)
			if done.copies == nil {
				done.copies = make([]maildir.Message, len(e.Local))
			}
		}
	}
	// These are recorded with the reply that acknowledges the message.
	t.j.Hold(journal.Event{
		Kind: journal.Accepted, ID: id, MessageID: e.MessageID, From: t.from, Rcpt: rcptAddrs,
		To: h.to, Cc: h.cc, Subject: h.subject, Size: e.Size, Origin: h.origin,
	})
	for i, c := range e.Local {
		m := done.copies[i]
		if m.Key == "" {
			continue
		}
		t.j.Hold(journal.Event{Kind: journal.Delivered, ID: id, MessageID: e.MessageID, From: t.from, Rcpt: []string{c.Addr}, User: c.User, UID: uid(m.Key), Size: m.Size, Result: journal.ResultOK, Origin: h.origin})
	}
	for _, q := range done.queued {
		// recorded at once (with what is held): the relay, kicked next,
		// records its attempts after it
		t.j.Record(journal.Event{Kind: journal.Queued, ID: q.ID, MessageID: q.MessageID, From: q.From, Rcpt: q.Rcpts, DestGroup: q.DestGroup, Origin: q.Origin})
	}
	if len(done.queued) > 0 {
		t.s.relayer.Kick()
	}
	t.lastID = id
	return nil
}

// readHead reads the top of a message up to the end of its header (the
// first empty line, included), or maxHead octets, or the end.
func readHead(br *bufio.Reader) ([]byte, error) {
	var head []byte
	for len(head) < maxHead {
		line, err := br.ReadSlice('\n')
		head = append(head, line...)
		if err == io.EOF {
			return head, nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
		if err == nil && (len(line) == 1 || len(line) == 2 && line[0] == '\r') {
			break // the empty line
		}
	}
	return head, nil
}

// QueueID makes smtpSession an smtp.QueueIDer: "250 2.0.0 Ok: queued as ID".
func (t *smtpSession) QueueID() string { return t.lastID }

func (t *smtpSession) Reset() { t.inMail, t.from, t.rcpts = false, "", nil }

func (t *smtpSession) Logout() error {
	t.j.Record(journal.Event{Kind: journal.Close})
	t.s.sessionEnded(t.ip, t.j)
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
