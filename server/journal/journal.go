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
	"log"
	"net"
	"os"
	"path/filepath"
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

	// Dropped is never written: a subscriber that fell behind gets it
	// before the events that follow the ones it lost; Count says how many.
	Dropped = "dropped"
	// WriteFailed is never written: subscribers get it when writing the
	// journal fails (Result ResultError, Error the cause) and again when
	// writing works again (Result ResultOK).
	WriteFailed = "journal-error"
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
	// Subject is the Subject field of an accepted message as it came
	// (encoded words and raw ISO-2022-JP kept, for the lesson), bounded
	// and with control characters escaped: a header, never the body.
	Subject string `json:"subject,omitempty"`
	Origin  string `json:"origin,omitempty"`
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
	// SkippedCmds and SkippedReplies, on close, count the command lines
	// and replies of the session that were not recorded: past the first
	// SessionCommands commands a session's commands are only counted.
	SkippedCmds    int `json:"skipped_cmds,omitempty"`
	SkippedReplies int `json:"skipped_replies,omitempty"`
}

// Journal appends events to a file and hands them to observers (at once,
// in order, under its lock) and subscribers (later, on their own
// goroutines, through bounded queues).
//
// When Record returns, its event is in the file. Sessions that record at
// the same time share the writes: while one of them writes, the events of
// the others gather behind it and go out together in the next write, in
// the order they were recorded.
//
// A journal opened with OpenDir is a sequence of segments: see Options.
type Journal struct {
	group int
	boot  string
	next  atomic.Int64
	opt   Options
	dir   string // "" for OpenFile: one file, never rotated

	mu   sync.Mutex
	f    *os.File
	size int64 // of the current segment
	// rotateAt is the size at which the current segment is rotated; only
	// the writer uses it.
	rotateAt int64
	base     int64  // the offset of the current segment in the whole journal
	pending  []byte // events encoded and not yet written, in order
	spare    []byte // the buffer of the last write, for reuse
	queued   uint64 // records (calls of record) so far
	written  uint64 // of which that many are in the file
	writing  bool   // a Record is writing (without mu held)
	wrote    sync.Cond
	obs      []func(Event)
	subs     []*Subscription
	err      error // the first write error
	failing  error // the error of the last write, nil once a write worked
	closed   bool

	segments *segmenter // nil for OpenFile
}

// Options bound a journal opened with OpenDir. Zero fields take the
// defaults (Default…).
type Options struct {
	// SegmentBytes: once the current segment (FileName) is this large it
	// is renamed to a segment named by its offset and end time
	// (SegmentName), and a new FileName is begun.
	SegmentBytes int64
	// MaxBytes bounds the segments on disk together (compressed sizes):
	// past it the oldest are removed.
	MaxBytes int64
	// SessionCommands is how many commands of a session (each with its
	// reply) are recorded; the ones after them are only counted, in the
	// session's close event.
	SessionCommands int
	// QueueEvents is how many events a subscriber may be behind before it
	// loses the oldest.
	QueueEvents int
	// NoCompress leaves rotated segments uncompressed (gzip by default).
	NoCompress bool
	// ErrorLog receives write errors, rotation and compression errors and
	// subscribers' panics; nil discards them.
	ErrorLog *log.Logger
}

// Default bounds of a journal (Options).
const (
	DefaultSegmentBytes    = 8 << 20
	DefaultMaxBytes        = 256 << 20
	DefaultSessionCommands = 200
	DefaultQueueEvents     = 1024
)

func (o Options) withDefaults() Options {
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.SessionCommands <= 0 {
		o.SessionCommands = DefaultSessionCommands
	}
	if o.QueueEvents <= 0 {
		o.QueueEvents = DefaultQueueEvents
	}
	return o
}

// OpenFile opens (creating it, mode 0640) the journal file at path for
// appending, as one file that is never rotated (for a command that adds an
// event or two while no server runs). group is written into every event.
func OpenFile(path string, group int) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return newJournal(f, group, Options{}), nil
}

// OpenDir opens the journal of a group's data folder dir: the current
// segment FileName (created, mode 0640, when missing) after the rotated
// ones. Rotated segments are compressed, and the oldest removed past
// MaxBytes, in the background; leftovers of an earlier run are taken care
// of too.
func OpenDir(dir string, group int, opt Options) (*Journal, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := newJournal(f, group, opt)
	j.dir, j.size = dir, fi.Size()
	j.base = currentBase(dir)
	j.segments = startSegmenter(dir, j.opt, j.logf)
	return j, nil
}

func newJournal(f *os.File, group int, opt Options) *Journal {
	j := &Journal{f: f, group: group, opt: opt.withDefaults(), boot: strconv.FormatInt(time.Now().Unix(), 36)}
	j.rotateAt = j.opt.SegmentBytes
	j.wrote.L = &j.mu
	return j
}

func (j *Journal) logf(format string, args ...any) {
	if j.opt.ErrorLog != nil {
		j.opt.ErrorLog.Printf(format, args...)
	}
}

// Observe calls fn with every event recorded from now on, in order, before
// Record returns. fn runs while the journal is locked: it must be O(1),
// must not block and must not record. It is for lossless bookkeeping (the
// evidence summaries), never for output to a terminal or a network: use
// Subscribe for those.
func (j *Journal) Observe(fn func(Event)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.obs = append(j.obs, fn)
}

// Record appends e, filling in its time and group when unset. A write error
// is kept and returned by Err and Close, shown to subscribers
// (WriteFailed) and by WriteError; recording goes on.
func (j *Journal) Record(e Event) {
	j.record([]Event{e})
}

// record appends events, in order, in one write: when it returns they are
// in the file, the observers have seen them and the subscribers have them
// in their queues.
func (j *Journal) record(events []Event) {
	if len(events) == 0 {
		return
	}
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
		for _, fn := range j.obs {
			fn(e)
		}
		for _, s := range j.subs {
			s.push(e)
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
// while it writes, and begins a new segment when the current one is full.
// mu must be held and no other write be going on.
func (j *Journal) writeLocked() {
	buf, upto, f, base := j.pending, j.queued, j.f, j.base
	j.pending, j.spare = j.spare[:0], nil
	j.writing = true
	j.mu.Unlock()
	n, err := f.Write(buf)
	size := j.size + int64(n)
	var nf *os.File
	if err == nil && j.dir != "" && size >= j.rotateAt {
		nf, size = j.rotate(f, base, size)
	}
	j.mu.Lock()
	j.writing = false
	j.size = size
	if nf != nil {
		j.f, j.base, j.size = nf, j.base+size, 0
	}
	j.noteWrite(err)
	j.written = upto
	if cap(buf) <= 1<<20 {
		j.spare = buf[:0]
	}
	j.wrote.Broadcast()
}

// noteWrite keeps the outcome of a write; subscribers hear when writing
// fails and when it works again. mu must be held.
func (j *Journal) noteWrite(err error) {
	switch {
	case err != nil && j.failing == nil:
		j.failing = fmt.Errorf("journal: %w", err)
		if j.err == nil {
			j.err = j.failing
		}
		j.logf("journal: writing failed: %v", err)
		j.publishLocked(Event{Time: time.Now(), Group: j.group, Kind: WriteFailed, Result: ResultError, Error: err.Error()})
	case err == nil && j.failing != nil:
		j.failing = nil
		j.logf("journal: writing works again")
		j.publishLocked(Event{Time: time.Now(), Group: j.group, Kind: WriteFailed, Result: ResultOK})
	}
}

// publishLocked hands a synthetic event to the subscribers (not the file,
// not the observers). mu must be held.
func (j *Journal) publishLocked(e Event) {
	for _, s := range j.subs {
		s.push(e)
	}
}

// Err returns the first error met while writing.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// WriteError returns the error of the last write when it failed, nil when
// it worked (the journal is being written again).
func (j *Journal) WriteError() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.failing
}

// Close flushes the file to disk and closes it, lets the subscribers
// deliver what they have (waiting for them at most a few seconds: one
// that is stuck is left behind) and waits for the compression under way.
func (j *Journal) Close() error {
	j.mu.Lock()
	for j.f != nil && (j.writing || j.written < j.queued) {
		if j.writing {
			j.wrote.Wait()
			continue
		}
		j.writeLocked()
	}
	if j.closed {
		j.mu.Unlock()
		return j.err
	}
	j.closed = true
	subs := j.subs
	j.subs = nil
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	if j.err != nil {
		err = j.err
	}
	j.mu.Unlock()
	closeSubscriptions(subs, closeWait)
	if j.segments != nil {
		j.segments.stop()
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

	commands       int // command lines seen
	skippedCmds    int // of which not recorded
	skippedReplies int
	quiet          bool // records nothing (NewQuietSession)
}

// NewQuietSession starts a session of proto that records neither its open
// and close nor its commands, replies and challenge: its commands are only
// counted (Commands). What it does is still recorded (logins, messages
// accepted, delivered, retrieved, deleted): each costs real work, so a
// flood cannot multiply them. A server gives it to a client address that
// keeps flooding, so that the flood costs the journal nothing.
func (j *Journal) NewQuietSession(proto string) *Session {
	return &Session{j: j, proto: proto, quiet: true, id: fmt.Sprintf("%s-%s-%d", proto, j.boot, j.next.Add(1))}
}

// Quiet says whether the session is quiet (NewQuietSession).
func (s *Session) Quiet() bool { return s.quiet }

// Commands is how many command lines the session has seen, recorded or
// not.
func (s *Session) Commands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands
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
//
// Only the first SessionCommands commands of a session are recorded, with
// their replies; those after them, and every reply from then on, are
// counted, and the counts go into the session's close event.
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
	if s.quiet {
		switch e.Kind {
		case Command:
			s.commands++
			return
		case Open, Close, Reply, Challenge:
			return
		}
	}
	switch e.Kind {
	case Command:
		s.commands++
		if s.commands > s.j.opt.SessionCommands {
			s.skippedCmds++
			return
		}
	case Reply:
		if s.skippedCmds > 0 {
			s.skippedReplies++
			return
		}
	case Close:
		e.SkippedCmds, e.SkippedReplies = s.skippedCmds, s.skippedReplies
	}
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
