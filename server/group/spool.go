package group

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"maillab/server/durable"
	"maillab/server/journal"
	"maillab/server/maildir"
	"maillab/server/relay"
)

// The spool (DIR/gN/spool) is where an accepted message is made durable
// once, whatever its recipients, and goes to them from, so that a crash at
// any point leaves it in all its recipients' mailboxes or in none, and an
// acknowledged one in each exactly once:
//
//  1. The message streams into ID.tmp, its envelope on the first line.
//  2. While ID.tmp is flushed to disk, a copy for each local recipient is
//     staged: written and flushed in that Maildir's tmp/, under a key
//     fixed in the envelope, where no reader sees it.
//  3. ID.tmp is renamed ID.ready and the spool folder flushed: from here
//     the message is accepted.
//  4. The copies for other groups go into the relay queue and the staged
//     copies are renamed into new/; SMTP answers 250, and POP3 sees the
//     message at once. Then (not waited for by the client) new/ is
//     flushed, and ID.ready goes.
//
// A restart does step 4 again for every ID.ready: it renames the copies
// still staged (one not in tmp/ any more was renamed before the crash, and
// may since have been read and deleted) and queues the relayed copies
// again (their queue entry ids, and so the relay ids the peers see, stay
// the same, and a peer takes a relay id it has seen for a duplicate). An
// ID.tmp was never accepted: it and its staged copies are removed.

// spoolFolder is the spool's folder in a group's data folder.
const spoolFolder = "spool"

// spoolEntry is the envelope of a spooled message: the first line of its
// spool file, followed by the message as it was received (CRLF line ends,
// an empty line put where the header lacked one).
type spoolEntry struct {
	ID             string       `json:"id"`
	Time           time.Time    `json:"time"`
	From           string       `json:"from"`
	Local          []spoolCopy  `json:"local,omitempty"`
	Relay          []spoolRelay `json:"relay,omitempty"`
	MessageID      string       `json:"message_id"`
	AddedMessageID bool         `json:"added_message_id,omitempty"`
	Origin         string       `json:"origin,omitempty"`
	RelayID        string       `json:"relay_id,omitempty"` // of a message another group relayed
	Helo           string       `json:"helo"`
	IP             string       `json:"ip"` // as the Received field shows it
	// With is the protocol of the Received field: SMTP, ESMTP, ESMTPS.
	With     string `json:"with,omitempty"`
	Extended bool   `json:"extended,omitempty"` // of older spools: With ESMTP
	Size     int64  `json:"size"`               // of the message as received
}

// spoolCopy is a local recipient and the key of its copy.
type spoolCopy struct {
	Addr string `json:"addr"`
	User string `json:"user"`
	Key  string `json:"key"`
}

// spoolRelay is the recipients of one other group.
type spoolRelay struct {
	Group int      `json:"group"`
	Addrs []string `json:"addrs"`
}

func (s *Server) spoolDir() string { return filepath.Join(s.data.Dir, spoolFolder) }

func (s *Server) spoolPath(id, ext string) string {
	return filepath.Join(s.spoolDir(), id+ext)
}

// spoolWriters are the buffers writeSpool writes through.
var spoolWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}

// writeSpool writes e and the message (head, then what body gives) to
// ID.tmp and sets e.Size (step 1). It returns the file, still open, not
// yet flushed. On error nothing is left.
func (s *Server) writeSpool(e *spoolEntry, head []byte, missingBlank int, body io.Reader) (*os.File, error) {
	tmp := s.spoolPath(e.ID, ".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(s.spoolDir(), 0o700); err == nil {
			f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		}
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		os.Remove(tmp)
		return nil, err
	}
	w := spoolWriters.Get().(*bufio.Writer)
	w.Reset(f)
	defer func() { w.Reset(nil); spoolWriters.Put(w) }()
	// the envelope line (its Size is set at the end, for the journal)
	line, err := json.Marshal(e)
	if err != nil {
		return fail(err)
	}
	w.Write(line)
	w.WriteByte('\n')
	if missingBlank >= 0 && missingBlank <= len(head) {
		w.Write(head[:missingBlank])
		w.WriteString("\r\n")
		w.Write(head[missingBlank:])
	} else {
		w.Write(head)
	}
	n, err := io.Copy(w, body)
	if err != nil {
		return fail(err) // the client's data failed: nothing kept
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	e.Size = int64(len(head)) + n
	return f, nil
}

// commitSpool does steps 2 and 3 for the message written to f by
// writeSpool, and returns the staged copies. On error nothing is kept.
func (s *Server) commitSpool(e *spoolEntry, f *os.File) ([]maildir.Staged, error) {
	tmp := s.spoolPath(e.ID, ".tmp")
	synced := make(chan error, 1)
	go func() { synced <- f.Sync() }()
	staged, err := s.stage(e, tmp)
	serr := <-synced
	if cerr := f.Close(); serr == nil {
		serr = cerr
	}
	if err == nil {
		err = serr
	}
	if err == nil {
		err = durable.Rename(tmp, s.spoolPath(e.ID, ".ready"))
	}
	if err == nil {
		if err = s.data.commit.SyncDir(s.spoolDir()); err != nil {
			// the rename may be on disk or not: take it back either way
			os.Rename(s.spoolPath(e.ID, ".ready"), tmp)
		}
	}
	if err != nil {
		s.unstage(e)
		os.Remove(tmp)
		return nil, err
	}
	return staged, nil
}

// spoolFile is an open spool file: its envelope and where its message
// starts.
type spoolFile struct {
	f     *os.File
	start int64
}

// openSpool opens a spool file and reads its envelope.
func openSpool(path string) (*spoolFile, *spoolEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	line, err := bufio.NewReaderSize(f, 4<<10).ReadSlice('\n')
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("spool file %s: no envelope: %w", path, err)
	}
	var e spoolEntry
	if err := json.Unmarshal(line, &e); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("spool file %s: %w", path, err)
	}
	return &spoolFile{f: f, start: int64(len(line))}, &e, nil
}

// message returns a reader of the message, from its start.
func (sf *spoolFile) message() io.Reader {
	return io.NewSectionReader(sf.f, sf.start, 1<<62)
}

// delivered is what deliverSpool did: the local copies (in the order of
// e.Local; a zero Message for one renamed before a crash) and the relay
// queue entries.
type delivered struct {
	copies []maildir.Message
	queued []relay.Entry
}

// deliverSpool does step 4 for an ID.ready: staged holds the copies
// (a zero Staged for one not staged any more). It returns once the copies
// are renamed; the flushes of new/ and the removal of ID.ready follow in
// the background (the server's Shutdown waits for them), unless wait. A
// crash before they are done is harmless: a rename not on disk leaves the
// copy staged, and the restart renames it again. On error the spool file
// stays, and a restart tries again.
func (s *Server) deliverSpool(e *spoolEntry, staged []maildir.Staged, wait bool) (delivered, error) {
	var done delivered
	if len(e.Relay) > 0 {
		sf, _, err := openSpool(s.spoolPath(e.ID, ".ready"))
		if err != nil {
			return done, err
		}
		done.queued, err = s.queueRelays(e, sf)
		sf.f.Close()
		if err != nil {
			return done, err
		}
	}
	done.copies = make([]maildir.Message, len(e.Local))
	dirs := map[string]bool{}
	for i, st := range staged {
		if st.Key == "" {
			continue // renamed before a crash
		}
		m, err := st.Publish()
		if err != nil {
			return done, err
		}
		done.copies[i] = m
		dirs[st.Dir.NewDir()] = true
	}
	if e.RelayID != "" {
		if err := s.seen.add(e.RelayID, e.Time); err != nil {
			s.cfg.ErrorLog.Printf("relay ids: %v", err) // delivered; a retry might come twice
		}
	}
	if wait {
		return done, s.finishSpool(e.ID, dirs)
	}
	s.data.pending.Go(func() {
		if err := s.finishSpool(e.ID, dirs); err != nil {
			s.cfg.ErrorLog.Printf("spool: message %s: %v", e.ID, err)
		}
	})
	return done, nil
}

// finishSpool flushes the new/ folders the copies of message id were
// renamed into, and then removes its spool file.
func (s *Server) finishSpool(id string, dirs map[string]bool) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(dirs))
	for dir := range dirs {
		wg.Go(func() { errs <- s.data.commit.SyncDir(dir) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err // the spool file stays: a restart finishes
		}
	}
	return os.Remove(s.spoolPath(id, ".ready"))
}

// addedFields returns the fields put at the top of the copy to c.
func (s *Server) addedFields(e *spoolEntry, c spoolCopy) []byte {
	var added bytes.Buffer
	fmt.Fprintf(&added, "Return-Path: <%s>\r\n", e.From)
	fmt.Fprintf(&added, "Delivered-To: %s\r\n", c.Addr)
	writeReceived(&added, e, s.data.Domain, c.Addr)
	if e.AddedMessageID {
		fmt.Fprintf(&added, "Message-ID: %s\r\n", e.MessageID)
	}
	return added.Bytes()
}

// stageCopy stages the copy to c of the message that open gives.
func (s *Server) stageCopy(e *spoolEntry, c spoolCopy, open func() io.Reader) (maildir.Staged, error) {
	added := s.addedFields(e, c)
	mb := s.data.Mailbox(c.User)
	st, err := mb.Stage(c.Key, io.MultiReader(bytes.NewReader(added), open()))
	if errors.Is(err, fs.ErrNotExist) {
		// a mailbox not made yet, or taken away: make it and stage (Stage
		// reads nothing before its file is open)
		if err = mb.Create(); err == nil {
			st, err = mb.Stage(c.Key, io.MultiReader(bytes.NewReader(added), open()))
		}
	}
	if err != nil {
		return maildir.Staged{}, fmt.Errorf("%s: %w", c.User, err)
	}
	return st, nil
}

// stage stages a copy of the message in the spool file at path for each
// local recipient (step 2), or on error none. (Staged side by side, the
// copies measured no faster: under load slower.)
func (s *Server) stage(e *spoolEntry, path string) ([]maildir.Staged, error) {
	if len(e.Local) == 0 {
		return nil, nil
	}
	sf, _, err := openSpool(path)
	if err != nil {
		return nil, err
	}
	defer sf.f.Close()
	staged := make([]maildir.Staged, len(e.Local))
	for i, c := range e.Local {
		if staged[i], err = s.stageCopy(e, c, sf.message); err != nil {
			s.unstage(e)
			return nil, err
		}
	}
	return staged, nil
}

// countingReader counts what it reads and keeps its first error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// deliverDirect delivers a message with one recipient, a local one, and
// none elsewhere, straight into its Maildir: a copy to one mailbox is in
// all or none of its mailboxes by itself, so its Maildir's tmp/ serves as
// its spool, and the message is written and flushed once, not twice. The
// message (head, then what body gives) is staged, renamed into new/ and
// new/ flushed (a flush shared with the deliveries at the same time), and
// then it is delivered. It sets e.Size. On error nothing is kept; clientErr
// is the client's read error, if that was the cause.
func (s *Server) deliverDirect(e *spoolEntry, head []byte, missingBlank int, body io.Reader) (m maildir.Message, clientErr, err error) {
	cr := &countingReader{r: body}
	msg := io.MultiReader(bytes.NewReader(head), cr)
	if missingBlank >= 0 && missingBlank <= len(head) {
		msg = io.MultiReader(bytes.NewReader(head[:missingBlank]), strings.NewReader("\r\n"), bytes.NewReader(head[missingBlank:]), cr)
	}
	// Stage reads nothing before its file is open: msg can be given again
	st, err := s.stageCopy(e, e.Local[0], func() io.Reader { return msg })
	if err != nil {
		if cr.err != nil {
			return m, cr.err, err
		}
		return m, nil, err
	}
	e.Size = int64(len(head)) + cr.n
	if m, err = st.Publish(); err != nil {
		st.Dir.Unstage(st.Key)
		return maildir.Message{}, nil, err
	}
	if err = s.data.commit.SyncDir(st.Dir.NewDir()); err != nil {
		// on disk or not: take it back, the client tries again
		os.Remove(filepath.Join(string(st.Dir), m.Name))
		return maildir.Message{}, nil, err
	}
	return m, nil, nil
}

// queueRelays puts the copies for other groups into the relay queue; one
// queued before is replaced.
func (s *Server) queueRelays(e *spoolEntry, sf *spoolFile) ([]relay.Entry, error) {
	var queued []relay.Entry
	var added bytes.Buffer
	for _, r := range e.Relay {
		q := relay.Entry{ID: fmt.Sprintf("%s.g%d", e.ID, r.Group), From: e.From, Rcpts: r.Addrs, DestGroup: r.Group,
			MessageID: e.MessageID, Origin: e.Origin, Created: e.Time, NextTry: e.Time}
		added.Reset()
		for_ := ""
		if len(r.Addrs) == 1 {
			for_ = r.Addrs[0]
		}
		writeReceived(&added, e, s.data.Domain, for_)
		if e.AddedMessageID {
			fmt.Fprintf(&added, "Message-ID: %s\r\n", e.MessageID)
		}
		if err := s.queue.Add(q, io.MultiReader(&added, sf.message())); err != nil {
			return queued, err
		}
		queued = append(queued, q)
	}
	return queued, nil
}

// unstage takes back the staged copies of e.
func (s *Server) unstage(e *spoolEntry) {
	for _, c := range e.Local {
		s.data.Mailbox(c.User).Unstage(c.Key)
	}
}

// recoverSpool finishes, at start, the deliveries a crash cut short, and
// records them in the journal.
func (s *Server) recoverSpool() error {
	entries, err := os.ReadDir(s.spoolDir())
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(s.spoolDir(), 0o700)
	}
	if err != nil {
		return fmt.Errorf("group: spool: %w", err)
	}
	kicked := false
	for _, de := range entries {
		name := de.Name()
		path := filepath.Join(s.spoolDir(), name)
		id, ext := strings.TrimSuffix(name, filepath.Ext(name)), filepath.Ext(name)
		switch ext {
		case ".tmp": // never accepted
			if sf, e, err := openSpool(path); err == nil {
				sf.f.Close()
				s.unstage(e)
			}
			os.Remove(path)
			continue
		case ".ready":
		default:
			continue
		}
		sf, e, err := openSpool(path)
		if err != nil {
			s.cfg.ErrorLog.Printf("spool: %v", err)
			continue
		}
		sf.f.Close()
		if e.ID != id {
			s.cfg.ErrorLog.Printf("spool: %s holds message %s", name, e.ID)
			continue
		}
		staged := make([]maildir.Staged, len(e.Local))
		for i, c := range e.Local {
			st, ok, err := s.data.Mailbox(c.User).Restaged(c.Key)
			if err != nil {
				s.cfg.ErrorLog.Printf("spool: message %s: %v", e.ID, err)
			}
			if ok {
				staged[i] = st
			}
		}
		done, err := s.deliverSpool(e, staged, true)
		if err != nil {
			s.cfg.ErrorLog.Printf("spool: message %s: %v", e.ID, err)
			continue
		}
		for i, c := range e.Local {
			m := done.copies[i]
			if m.Key == "" {
				continue
			}
			s.journal.Record(journal.Event{Kind: journal.Delivered, ID: e.ID, MessageID: e.MessageID, From: e.From, Rcpt: []string{c.Addr},
				User: c.User, UID: uid(m.Key), Size: m.Size, Result: journal.ResultOK, Origin: e.Origin, Reason: "recovered"})
		}
		for _, q := range done.queued {
			s.journal.Record(journal.Event{Kind: journal.Queued, ID: q.ID, MessageID: q.MessageID, From: q.From, Rcpt: q.Rcpts,
				DestGroup: q.DestGroup, Origin: q.Origin, Reason: "recovered"})
			kicked = true
		}
	}
	if kicked {
		s.relayer.Kick()
	}
	return nil
}

// writeReceived writes the trace field of RFC 5321 section 4.4 for a copy
// to rcpt ("" for a copy to several, which must not name them).
func writeReceived(w *bytes.Buffer, e *spoolEntry, domain, rcpt string) {
	with := e.With
	switch {
	case with != "":
	case e.Extended:
		with = "ESMTP"
	default:
		with = "SMTP"
	}
	if rcpt == "" { // several recipients: naming them would show each the others
		fmt.Fprintf(w, "Received: from %s ([%s])\r\n\tby %s (maillab) with %s id %s;\r\n\t%s\r\n",
			e.Helo, e.IP, domain, with, e.ID, e.Time.Format(time.RFC1123Z))
		return
	}
	fmt.Fprintf(w, "Received: from %s ([%s])\r\n\tby %s (maillab) with %s id %s\r\n\tfor <%s>; %s\r\n",
		e.Helo, e.IP, domain, with, e.ID, rcpt, e.Time.Format(time.RFC1123Z))
}
