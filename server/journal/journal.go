// Package journal records what happens on a group's server as JSON lines in
// its data folder: every session's opening and end, each command (with its
// secret already masked by the protocol code), each reply's status, logins,
// and what became of each message. It is the evidence the checker reads.
//
// Nothing secret is written: no password, no APOP digest, no message body.
// Events carry envelopes, message ids and the addresses of the To and Cc
// header fields, which is all the exercises need.
package journal

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// FileName is the journal's name in a group's data folder.
const FileName = "journal.jsonl"

// Kinds of events.
const (
	Open      = "open"      // a client connected
	Close     = "close"     // the session ended
	Command   = "cmd"       // a command line, secrets masked
	Reply     = "reply"     // a reply line (the status line of multi-line replies)
	Challenge = "challenge" // a POP3 greeting's APOP timestamp was issued
	Login     = "login"     // a POP3 login attempt and its result
	Retrieved = "retr"      // a whole message was sent for RETR
	Deleted   = "deleted"   // messages removed at the POP3 UPDATE state
	Data      = "data"      // the data after SMTP DATA was read
	Accepted  = "accepted"  // a message was accepted (250 after DATA)
	Delivered = "delivered" // a message was put into a mailbox
	Queued    = "queued"    // a message for another group went into the relay queue
	Relayed   = "relayed"   // a relay attempt to another group's server and its result
	Bounced   = "bounced"   // a message that could not be relayed went back to its sender
	Account   = "account"   // an account was created or changed
	Hint      = "hint"      // lab hint was used: ID is the exercise, Count the tier
	Note      = "note"      // something the console should tell the student
	TLS       = "tls"       // STLS/STARTTLS: Method the TLS version, Line the cipher suite; Result and Error
	Start     = "start"     // the server started
	Stop      = "stop"      // the server stopped
)

// Results of a login or a delivery.
const (
	ResultOK    = "ok"
	ResultFail  = "fail"
	ResultInUse = "in-use"
	ResultError = "error"
	// ResultDeferred is a relay attempt that will be tried again (a 4xx
	// answer, or the peer could not be reached).
	ResultDeferred = "deferred"
	// ResultBounced is a relay attempt answered with 5xx, or given up.
	ResultBounced = "bounced"
)

// Origins of messages the kit writes itself; they never count toward an
// exercise.
const (
	OriginWelcome = "welcome"
	OriginBounce  = "bounce"
	OriginProbe   = "probe"
)

// Event is one line of the journal. Which fields are set depends on Kind.
type Event struct {
	Time    time.Time `json:"t"`
	Group   int       `json:"group,omitempty"`
	Kind    string    `json:"ev"`
	Session string    `json:"session,omitempty"`
	Proto   string    `json:"proto,omitempty"` // "smtp" or "pop3"

	Remote string `json:"remote,omitempty"` // the client's address, on open
	Local  string `json:"local,omitempty"`  // the server's address, on open
	// ClientGroup is the classroom group whose host the client connected
	// from (0 when it is none of them), on open.
	ClientGroup int `json:"client_group,omitempty"`

	Line string `json:"line,omitempty"` // command or reply line
	Verb string `json:"verb,omitempty"` // command verb, upper case
	Code string `json:"code,omitempty"` // reply status: "+OK", "-ERR", "250" …

	User      string `json:"user,omitempty"`
	Method    string `json:"method,omitempty"` // login: "pass" or "apop"
	Result    string `json:"result,omitempty"` // ResultOK, ResultFail …
	Reason    string `json:"reason,omitempty"` // why, as a short key
	Challenge string `json:"challenge,omitempty"`

	ID        string   `json:"id,omitempty"` // the server's id of a message
	MessageID string   `json:"message_id,omitempty"`
	From      string   `json:"from,omitempty"` // envelope sender
	Rcpt      []string `json:"rcpt,omitempty"` // envelope recipients
	To        []string `json:"to,omitempty"`   // addresses of the To field
	Cc        []string `json:"cc,omitempty"`   // addresses of the Cc field
	Origin    string   `json:"origin,omitempty"`
	// OtherGroup is the classroom group a user name belongs to, when a
	// login here used another group's user.
	OtherGroup int `json:"other_group,omitempty"`
	// DestGroup is the classroom group a relayed message goes to.
	DestGroup int      `json:"dest_group,omitempty"`
	Attempt   int      `json:"attempt,omitempty"`
	UID       string   `json:"uid,omitempty"`
	UIDs      []string `json:"uids,omitempty"`
	Size      int64    `json:"size,omitempty"`
	Count     int      `json:"count,omitempty"`
	Millis    int64    `json:"ms,omitempty"` // a duration
	Error     string   `json:"error,omitempty"`
}

// Journal appends events to a file and hands them to subscribers (the live
// console) in the same order.
//
// When Record returns, its event is in the file. Sessions that record at
// the same time share the writes: while one of them writes, the events of
// the others gather behind it and go out together in the next write, in
// the order they were recorded.
type Journal struct {
	group int
	boot  string
	next  atomic.Int64

	mu      sync.Mutex
	f       *os.File
	pending []byte // events encoded and not yet written, in order
	spare   []byte // the buffer of the last write, for reuse
	queued  uint64 // records (calls of record) so far
	written uint64 // of which that many are in the file
	writing bool   // a Record is writing (without mu held)
	wrote   sync.Cond
	subs    []func(Event)
	err     error // the first write error
}

// OpenFile opens (creating it, mode 0640) the journal file at path for
// appending. group is written into every event.
func OpenFile(path string, group int) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &Journal{f: f, group: group, boot: strconv.FormatInt(time.Now().Unix(), 36)}
	j.wrote.L = &j.mu
	return j, nil
}

// Observe calls fn with every event recorded from now on, in order, before
// Record returns. fn runs while the journal is locked: it must be O(1),
// must not block and must not record. It is for lossless bookkeeping (the
// evidence summaries), never for output to a terminal or a network.
func (j *Journal) Observe(fn func(Event)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.subs = append(j.subs, fn)
}

// Subscribe calls fn with every event recorded from now on, in order. fn
// runs while the journal is locked, so it must be quick and must not record.
func (j *Journal) Subscribe(fn func(Event)) {
	j.Observe(fn)
}

// Record appends e, filling in its time and group when unset. A write error
// is kept and returned by Err and Close; recording goes on.
func (j *Journal) Record(e Event) {
	j.record([]Event{e})
}

// record appends events, in order, in one write: when it returns they are
// in the file and the subscribers have seen them.
func (j *Journal) record(events []Event) {
	for i := range events {
		e := &events[i]
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		if e.Group == 0 {
			e.Group = j.group
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f != nil {
		for i := range events {
			j.pending = encodeEvent(j.pending, &events[i])
		}
		j.queued++
	}
	mine := j.queued
	for _, e := range events {
		for _, fn := range j.subs {
			fn(e)
		}
	}
	for j.written < mine && j.f != nil {
		if j.writing {
			j.wrote.Wait()
			continue
		}
		j.writeLocked()
	}
}

// writeLocked writes every pending event in one write, with mu released
// while it writes. mu must be held and no other write be going on.
func (j *Journal) writeLocked() {
	buf, upto, f := j.pending, j.queued, j.f
	j.pending, j.spare = j.spare[:0], nil
	j.writing = true
	j.mu.Unlock()
	_, err := f.Write(buf)
	j.mu.Lock()
	j.writing = false
	if err != nil && j.err == nil {
		j.err = fmt.Errorf("journal: %w", err)
	}
	j.written = upto
	if cap(buf) <= 1<<20 {
		j.spare = buf[:0]
	}
	j.wrote.Broadcast()
}

// Err returns the first error met while writing.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Close flushes the file to disk and closes it.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.f != nil && (j.writing || j.written < j.queued) {
		if j.writing {
			j.wrote.Wait()
			continue
		}
		j.writeLocked()
	}
	if j.f == nil {
		return j.err
	}
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	if j.err != nil {
		return j.err
	}
	return err
}

// Session is the part of the journal one connection writes to.
type Session struct {
	j     *Journal
	id    string
	proto string

	mu   sync.Mutex
	held []Event // by Hold, for the next Record
}

// NewSession starts a session of proto ("smtp" or "pop3") with a new id and
// records its Open event.
func (j *Journal) NewSession(proto string, remote, local net.Addr, clientGroup int) *Session {
	s := &Session{j: j, proto: proto, id: fmt.Sprintf("%s-%s-%d", proto, j.boot, j.next.Add(1))}
	e := Event{Kind: Open, ClientGroup: clientGroup}
	if remote != nil {
		e.Remote = remote.String()
	}
	if local != nil {
		e.Local = local.String()
	}
	s.Record(e)
	return s
}

// ID is the session's id, unique in the journal.
func (s *Session) ID() string { return s.id }

// Record appends e as an event of this session, after the events held for
// it, all in one write: when Record returns they are in the file and the
// subscribers have seen them.
func (s *Session) Record(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold(e)
	s.j.record(s.held)
	clear(s.held)
	s.held = s.held[:0]
}

// Hold keeps e (its time taken now) to be recorded, in order, with the
// session's next Record, which then costs one write for all of them. A
// server holds a command's events and records them with its reply, so that
// they are in the file before the client can see the reply. A session ends
// with a Record (its close event), or what it holds is never written.
func (s *Session) Hold(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold(e)
}

func (s *Session) hold(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Session, e.Proto = s.id, s.proto
	s.held = append(s.held, e)
}

// Read calls fn for each event in r, in order. Lines that are not events
// (a line cut short by a crash) are skipped.
func Read(r io.Reader, fn func(Event) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var e Event
			if json.Unmarshal(line, &e) == nil {
				if ferr := fn(e); ferr != nil {
					return ferr
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
}

// ReadFile returns every event of the journal file at path; a missing file
// has none.
func ReadFile(path string) ([]Event, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	var events []Event
	err = Read(f, func(e Event) error { events = append(events, e); return nil })
	return events, err
}
