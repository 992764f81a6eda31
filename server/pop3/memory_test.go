package pop3_test

import (
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/server/pop3"
)

// memBackend is an in-memory reference backend: users with passwords (the
// APOP secret too), an exclusive lock per maildrop, and a record of every
// call, so that tests can tell what a session did to the storage. It can be
// told to fail or panic at one point.
type memBackend struct {
	mu    sync.Mutex
	users map[string]*memUser

	// Faults and options; set them before the server starts.
	newSessionErr error         // returned by NewSession
	loginErr      error         // returned by Login once the credentials are right
	deleteErr     error         // returned by Delete (after deleting nothing)
	panicAt       string        // where to panic once: newsession, login, messages, open, read, delete, unlock, close, command
	deleteGate    chan struct{} // when set, Delete reports on deleting and waits for the gate to close
	deleting      chan struct{}
	noTracer      bool // sessions do not implement pop3.Tracer

	closed chan *memSession // every session, once closed
}

type memUser struct {
	password string
	msgs     []memMessage
	locked   bool
}

type memMessage struct {
	uid  string
	body string // CRLF line ends, no byte-stuffing
	gone bool   // listed, but removed by something else before RETR
}

func newMemBackend() *memBackend {
	return &memBackend{
		users:  make(map[string]*memUser),
		closed: make(chan *memSession, 1000),
	}
}

// add creates a user with the messages given.
func (b *memBackend) add(name, password string, msgs ...memMessage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.users[name] = &memUser{password: password, msgs: msgs}
}

// numbered gives messages the uids "name-1", "name-2", ….
func numbered(name string, bodies ...string) []memMessage {
	msgs := make([]memMessage, len(bodies))
	for i, body := range bodies {
		msgs[i] = memMessage{uid: fmt.Sprintf("%s-%d", name, i+1), body: body}
	}
	return msgs
}

// uids lists the uids now stored for a user.
func (b *memBackend) uids(name string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var uids []string
	for _, m := range b.users[name].msgs {
		uids = append(uids, m.uid)
	}
	return uids
}

// shouldPanic reports whether to panic at where, which happens only once.
func (b *memBackend) shouldPanic(where string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.panicAt != where {
		return false
	}
	b.panicAt = ""
	return true
}

func (b *memBackend) NewSession(c pop3.ConnInfo) (pop3.Session, error) {
	if b.shouldPanic("newsession") {
		panic("test panic in NewSession")
	}
	if b.newSessionErr != nil {
		return nil, b.newSessionErr
	}
	s := &memSession{be: b, info: c}
	if b.noTracer {
		return struct{ pop3.Session }{s}, nil
	}
	return s, nil
}

// memSession is a session of memBackend; it also records what a Tracer is
// shown.
type memSession struct {
	be   *memBackend
	info pop3.ConnInfo

	mu        sync.Mutex
	events    []string
	commands  []string
	replies   []string
	retrieved []string
	open      int // message readers not closed yet
}

func (s *memSession) event(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, fmt.Sprintf(format, args...))
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (s *memSession) Login(name string, cred pop3.Credentials) (pop3.Maildrop, error) {
	if s.be.shouldPanic("login") {
		panic("test panic in Login")
	}
	b := s.be
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[name]
	if !ok {
		return nil, pop3.ErrAuth
	}
	if cred.APOP {
		ok = cred.Password == "" && cred.Digest == md5hex(s.info.Challenge+u.password)
	} else {
		ok = cred.Digest == "" && cred.Password == u.password
	}
	if !ok {
		return nil, pop3.ErrAuth
	}
	if b.loginErr != nil {
		return nil, b.loginErr
	}
	if u.locked {
		return nil, pop3.ErrInUse
	}
	u.locked = true
	s.event("lock %s", name)
	return &memDrop{s: s, name: name, msgs: slices.Clone(u.msgs)}, nil
}

func (s *memSession) Close() error {
	defer func() { s.be.closed <- s }()
	s.event("close")
	if s.be.shouldPanic("close") {
		panic("test panic in Close")
	}
	return nil
}

func (s *memSession) Command(line string) {
	s.mu.Lock()
	s.commands = append(s.commands, line)
	s.mu.Unlock()
	if strings.HasPrefix(line, "NOOP") && s.be.shouldPanic("command") {
		panic("test panic in Tracer.Command")
	}
}

func (s *memSession) Reply(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, line)
}

// TLS makes memSession a pop3.TLSTracer; it records "tls TLS 1.3" or
// "tls failed".
func (s *memSession) TLS(state tls.ConnectionState, err error) {
	if err != nil {
		s.event("tls failed")
		return
	}
	s.event("tls %s", tls.VersionName(state.Version))
}

func (s *memSession) Retrieved(uid string, size int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retrieved = append(s.retrieved, fmt.Sprintf("%s %d", uid, size))
}

// memDrop is a locked maildrop of memBackend.
type memDrop struct {
	s    *memSession
	name string
	msgs []memMessage
}

func (d *memDrop) Messages() []pop3.Message {
	if d.s.be.shouldPanic("messages") {
		panic("test panic in Messages")
	}
	list := make([]pop3.Message, len(d.msgs))
	for i, m := range d.msgs {
		list[i] = pop3.Message{UID: m.uid, Size: int64(len(m.body))}
	}
	return list
}

func (d *memDrop) Open(uid string) (io.ReadCloser, error) {
	if d.s.be.shouldPanic("open") {
		panic("test panic in Open")
	}
	for _, m := range d.msgs {
		if m.uid == uid && m.gone {
			return nil, fmt.Errorf("memdrop: %q: %w", uid, pop3.ErrGone)
		}
		if m.uid == uid {
			d.s.mu.Lock()
			d.s.open++
			d.s.mu.Unlock()
			r := &memReader{s: d.s, r: strings.NewReader(m.body)}
			if d.s.be.shouldPanic("read") {
				r.panicAfter = len(m.body) / 2
			}
			return r, nil
		}
	}
	return nil, fmt.Errorf("memdrop: no message %q", uid)
}

func (d *memDrop) Delete(uids []string) error {
	b := d.s.be
	if b.shouldPanic("delete") {
		panic("test panic in Delete")
	}
	if b.deleteGate != nil {
		b.deleting <- struct{}{}
		<-b.deleteGate
	}
	d.s.event("delete %s %s", d.name, strings.Join(uids, " "))
	if b.deleteErr != nil {
		return b.deleteErr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[d.name]
	u.msgs = slices.DeleteFunc(u.msgs, func(m memMessage) bool { return slices.Contains(uids, m.uid) })
	return nil
}

func (d *memDrop) Unlock() error {
	d.s.event("unlock %s", d.name)
	b := d.s.be
	b.mu.Lock()
	u := b.users[d.name]
	if !u.locked {
		b.mu.Unlock()
		return errors.New("memdrop: not locked")
	}
	u.locked = false
	b.mu.Unlock()
	if b.shouldPanic("unlock") {
		panic("test panic in Unlock")
	}
	return nil
}

// memReader reads a message; it can be told to panic half-way.
type memReader struct {
	s          *memSession
	r          *strings.Reader
	read       int
	panicAfter int // 0 means never
	closed     bool
}

func (r *memReader) Read(p []byte) (int, error) {
	if r.panicAfter > 0 {
		if r.read >= r.panicAfter {
			panic("test panic reading a message")
		}
		p = p[:min(len(p), r.panicAfter-r.read)]
	}
	n, err := r.r.Read(p)
	r.read += n
	return n, err
}

func (r *memReader) Close() error {
	if r.closed {
		return errors.New("memreader: closed twice")
	}
	r.closed = true
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.open--
	return nil
}

// waitSession returns the next session of b to be closed, once closed. It
// checks that every message reader it opened was closed.
func (b *memBackend) waitSession(t *testing.T) *memSession {
	t.Helper()
	select {
	case s := <-b.closed:
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.open != 0 {
			t.Errorf("session left %d message readers open", s.open)
		}
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no session was closed within 10s")
		return nil
	}
}

// Events returns what the session did to the storage, in order.
func (s *memSession) Events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}
