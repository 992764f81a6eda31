package group

import (
	"errors"
	"io"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/journal"
	"maillab/server/maildir"
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
}

func (p *pop3Session) Login(user string, cred pop3.Credentials) (pop3.Maildrop, error) {
	name := account.Normalize(user)
	method := "pass"
	if cred.APOP {
		method = "apop"
	}
	ev := journal.Event{Kind: journal.Login, User: name, Method: method}
	keys := []string{"ip " + p.ip, "user " + name}
	// fail answers a wrong user, password or digest alike, after a delay
	// that grows with the failures from this address or for this name
	fail := func(reason string) (pop3.Maildrop, error) {
		ev.Result, ev.Reason = journal.ResultFail, reason
		if d := p.s.throttle.failed(time.Now(), keys...); d > 0 {
			ev.Millis = d.Milliseconds()
			p.j.Record(ev)
			time.Sleep(d)
		} else {
			p.j.Record(ev)
		}
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
		return fail("unknown-user")
	case err != nil:
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
	p.s.throttle.succeeded(keys...)
	p.s.mu.Lock()
	busy := p.s.inUse[name]
	if !busy {
		p.s.inUse[name] = true
	}
	p.s.mu.Unlock()
	if busy {
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
	verb, _, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	p.retr = verb == "RETR"
	// recorded with what the command leads to: its reply at the latest
	p.j.Hold(journal.Event{Kind: journal.Command, Verb: verb, Line: line})
}

func (p *pop3Session) Reply(line string) {
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
		return nil, maildir.ErrNotFound
	}
	return d.dir.OpenReader(m)
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
	d.p.s.release(d.user)
	return nil
}
