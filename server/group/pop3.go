package group

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/journal"
	"maillab/server/maildir"
	"maillab/server/mask"
	"maillab/server/pop3"
)

func randomPassword() string { return account.RandomPassword(8) }

// pop3Backend gives the POP3 server the group's accounts and Maildirs.
type pop3Backend struct{ s *Server }

func (b pop3Backend) NewSession(c pop3.ConnInfo) (pop3.Session, error) {
	js, ip := b.s.newJournalSession("pop3", c.RemoteAddr, c.LocalAddr)
	js.Record(journal.Event{Kind: journal.Challenge, Challenge: c.Challenge})
	b.s.challenges.add(c.Challenge)
	return &pop3Session{s: b.s, j: js, challenge: c.Challenge, ip: ip}, nil
}

// pop3Session is one POP3 connection: it checks logins, locks maildrops and
// writes the journal.
type pop3Session struct {
	s         *Server
	j         *journal.Session
	challenge string
	ip        string // the client's address, for the throttle
	user      string // logged in
	commands  int
	retr      bool // the command being answered is RETR
	// unknownName is the name of the USER or APOP being answered when it
	// is nobody's, to be masked in the reply too
	unknownName string
	telnet      telnetNotes
}

func (p *pop3Session) Login(user string, cred pop3.Credentials) (pop3.Maildrop, error) {
	name := account.Normalize(user)
	method := "pass"
	if cred.APOP {
		method = "apop"
	}
	ev := journal.Event{Kind: journal.Login, User: name, Method: method}
	keys := []string{addrKey(p.ip), nameKey(name)}
	// Every login takes a try from the buckets of its address and its
	// name before anything is checked; none left, it is refused unchecked
	// and the session ends, so that guessing is capped however many
	// connections it uses, and no connection waits.
	if ok, wait := p.s.throttle.take(time.Now(), keys...); !ok {
		ev.Result, ev.Reason, ev.Millis = journal.ResultFail, ReasonThrottled, wait.Milliseconds()
		if !p.s.knownName(name) {
			ev.User = mask.Hidden
		}
		p.j.Record(ev)
		return nil, pop3.ErrThrottled
	}
	// fail answers a wrong user, password or digest alike; the try taken
	// is spent
	fail := func(reason string) (pop3.Maildrop, error) {
		ev.Result, ev.Reason = journal.ResultFail, reason
		p.j.Record(ev)
		return nil, pop3.ErrAuth
	}
	a, err := p.s.data.Accounts.Lookup(name)
	switch {
	case errors.Is(err, account.ErrNoUser):
		if f := p.s.cfg.UserElsewhere; f != nil {
			if g := f(name); g != 0 && g != p.s.data.Group {
				ev.OtherGroup = g
				return fail("other-group-user")
			}
		}
		if !isProbeName(name) {
			ev.User = mask.Hidden // nobody's name: it may be a password
		}
		return fail("unknown-user")
	case err != nil:
		p.s.throttle.giveBack(time.Now(), keys...)
		ev.Result, ev.Error = journal.ResultError, err.Error()
		p.j.Record(ev)
		return nil, err
	}
	if cred.APOP {
		if !a.CheckDigest(p.challenge, cred.Digest) {
			return fail(diagnoseAPOP(a, p.challenge, cred.Digest, p.s.challenges.list()))
		}
	} else if !a.CheckPassword(cred.Password) {
		return fail("wrong-password")
	}
	p.s.throttle.giveBack(time.Now(), keys[0])
	p.s.throttle.forget(keys[1])
	if !p.s.lockMaildrop(name) {
		ev.Result = journal.ResultInUse
		p.j.Record(ev)
		return nil, pop3.ErrInUse
	}
	mb := p.s.data.Mailbox(name)
	list, err := mb.List()
	if err != nil {
		p.s.release(name)
		ev.Result, ev.Error = journal.ResultError, err.Error()
		p.j.Record(ev)
		return nil, err
	}
	d := &maildrop{p: p, user: name, dir: mb, files: list}
	d.list = make([]pop3.Message, len(list))
	var octets int64
	for i, m := range list {
		d.list[i] = pop3.Message{UID: uid(m.Key), Size: m.Size}
		octets += m.Size
	}
	p.user = name
	ev.Result, ev.Count, ev.Size = journal.ResultOK, len(list), octets
	p.j.Record(ev)
	return d, nil
}

// probeNamePrefix begins the made-up user names of the failed APOP logins
// of `lab grade --probe` (checker.ProbeUserPrefix), which are followed by
// 8 hex digits; the journal keeps them so that the probe's sessions are
// known as the instructor's.
const probeNamePrefix = "grade-probe-"

// isProbeName reports whether name is a probe's made-up user name.
func isProbeName(name string) bool {
	hex, ok := strings.CutPrefix(name, probeNamePrefix)
	if !ok || len(hex) != 8 {
		return false
	}
	return strings.Trim(hex, "0123456789abcdef") == ""
}

// ReasonThrottled is the reason of a login refused unchecked because its
// user name or its client address has no tries left (see throttle).
const ReasonThrottled = "throttled"

// knownName reports whether name (in any case) is an account of this group
// or, as far as the server knows, of another group of the classroom: the
// names the journal may keep.
func (s *Server) knownName(name string) bool {
	name = account.Normalize(name)
	if isProbeName(name) {
		return true // the instructor's probe: its name marks its session
	}
	if _, err := s.data.Accounts.Lookup(name); err == nil {
		return true
	}
	if f := s.cfg.UserElsewhere; f != nil && f(name) != 0 {
		return true
	}
	return false
}

// lockWait is how long a login waits for another session to unlock the
// maildrop before it answers [IN-USE]: a student whose telnet was cut
// off logs in again at once, and the server may not have seen the old
// connection end yet.
const lockWait = 1500 * time.Millisecond

// lockMaildrop marks user's maildrop as locked by a session, waiting up
// to lockWait for the session that has it. It reports false when the
// maildrop stayed locked.
func (s *Server) lockMaildrop(user string) bool {
	deadline := time.Now().Add(lockWait)
	for {
		s.mu.Lock()
		busy := s.inUse[user]
		if !busy {
			s.inUse[user] = true
		}
		s.mu.Unlock()
		if !busy {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) release(user string) {
	s.mu.Lock()
	delete(s.inUse, user)
	s.mu.Unlock()
}

func (p *pop3Session) Close() error {
	p.j.Record(journal.Event{Kind: journal.Close, User: p.user, Count: p.commands})
	p.s.sessionEnded(p.ip, p.j)
	return nil
}

// Command, Reply and Retrieved make pop3Session a pop3.Tracer.
func (p *pop3Session) Command(line string) {
	p.commands++
	m := pop3.Mask(line) // masked already; this gives its verb or class
	p.retr = m.Verb == "RETR"
	if m.Verb == "USER" || m.Verb == "APOP" {
		// a name that is nobody's may be a password typed in its place
		w := mask.Split(m.Text)
		if len(w.Args) > 0 && w.Args[0] != mask.Hidden && !p.s.knownName(w.Args[0]) {
			p.unknownName = w.Args[0] // the reply to USER names it
			w.Args[0] = mask.Hidden
			m = mask.Join(w, m.Verb, w.Args)
		}
	}
	// recorded with what the command leads to: its reply at the latest
	p.j.Hold(commandEvent(m))
}

// commandEvent is the journal event of a masked command line.
func commandEvent(m mask.Line) journal.Event {
	e := journal.Event{Kind: journal.Command, Verb: m.Verb, Line: m.Text}
	if m.Space != 0 {
		e.Reason = mask.WideSpace
	}
	return e
}

func (p *pop3Session) Reply(line string) {
	if p.unknownName != "" {
		line = strings.ReplaceAll(line, p.unknownName, mask.Hidden)
		p.unknownName = ""
	}
	code, _, _ := strings.Cut(line, " ")
	e := journal.Event{Kind: journal.Reply, Code: code, Line: line}
	if p.retr && code == "+OK" {
		// The message follows; the retr event is recorded once it has
		// been sent, and the command and this reply with it, in one write.
		p.retr = false
		p.j.Hold(e)
		return
	}
	p.retr = false
	p.j.Record(e)
}

// Telnet makes pop3Session a pop3.TelnetTracer.
func (p *pop3Session) Telnet(name string) { p.telnet.note(p.j, name) }

func (p *pop3Session) Retrieved(uid string, size int64) {
	p.j.Record(journal.Event{Kind: journal.Retrieved, User: p.user, UID: uid, Size: size})
}

// maildrop is a user's Maildir as it was when the session locked it.
type maildrop struct {
	p     *pop3Session
	user  string
	dir   maildir.Dir
	list  []pop3.Message
	files []maildir.Message // list[i] is files[i]
	// folders are new/ and cur/ held open for RETR and TOP, from the
	// first of them until Unlock; nil before, or when they could not be
	// opened (a message is then opened by its path).
	folders *maildir.Folders
	// byUID finds a message by its UID; made on the first lookup, so that a
	// session that only asks STAT or LIST of a big maildrop does not pay
	// for it.
	byUID map[string]int
}

func (d *maildrop) Messages() []pop3.Message { return d.list }

// file returns the message of a UID.
func (d *maildrop) file(uid string) (maildir.Message, bool) {
	if d.byUID == nil {
		d.byUID = make(map[string]int, len(d.list))
		for i, m := range d.list {
			d.byUID[m.UID] = i
		}
	}
	i, ok := d.byUID[uid]
	if !ok {
		return maildir.Message{}, false
	}
	return d.files[i], true
}

func (d *maildrop) Open(uid string) (io.ReadCloser, error) {
	m, ok := d.file(uid)
	if !ok {
		return nil, fmt.Errorf("%w: %w", pop3.ErrGone, maildir.ErrNotFound)
	}
	if d.folders == nil {
		// held until Unlock: each RETR then looks up one name
		d.folders, _ = d.dir.OpenFolders()
	}
	var rc io.ReadCloser
	var err error
	if d.folders != nil {
		rc, err = d.folders.OpenReader(m)
	} else {
		rc, err = d.dir.OpenReader(m)
	}
	if errors.Is(err, maildir.ErrNotFound) {
		err = fmt.Errorf("%w: %w", pop3.ErrGone, err)
	}
	return rc, err
}

func (d *maildrop) Delete(uids []string) error {
	var errs []error
	for _, u := range uids {
		if m, ok := d.file(u); ok {
			errs = append(errs, d.dir.Remove(m))
		}
	}
	errs = append(errs, d.dir.Sync())
	err := errors.Join(errs...)
	ev := journal.Event{Kind: journal.Deleted, User: d.user, UIDs: uids, Count: len(uids)}
	if err != nil {
		ev.Result, ev.Error = journal.ResultError, err.Error()
	}
	d.p.j.Record(ev)
	return err
}

func (d *maildrop) Unlock() error {
	if d.folders != nil {
		d.folders.Close()
	}
	d.p.s.release(d.user)
	return nil
}
