// Package maildir stores mail in Maildir folders (the layout of qmail,
// Postfix, Dovecot, mutt and s-nail): a message is written under tmp/,
// flushed to disk, and renamed into new/, and the folder itself is flushed
// before delivery is reported done. Readers list new/ and cur/.
//
// Messages arrive with CRLF line ends, as they travel on the wire, and are
// kept with LF line ends, as every Unix mail tool expects of a Maildir (s-nail
// and mutt do not take a CRLF blank line for the end of the header). Both
// sizes go into the file name, as Dovecot writes them: ",S=" the size on
// disk and ",W=" the size with CRLF line ends, which is what POP3 counts; so
// listing a maildrop reads no message.
//
// It works on Linux, macOS and Windows. A message's info (flags, as in
// "…:2,S") follows InfoSeparator: ':' on Linux and macOS, where s-nail,
// mutt and Dovecot read the same folders, and ';' on Windows, whose file
// names cannot hold ':' (Dovecot's maildir_info_separator setting reads
// such folders).
package maildir

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"maillab/server/durable"
)

// Dir is the path of a Maildir folder (the one holding tmp, new and cur).
type Dir string

// Message is one message of a folder.
type Message struct {
	// Key is the unique part of the file name, the same in new/ and cur/
	// and across restarts; POP3 uses it as the message's UIDL.
	Key string
	// Name is the path below the folder, e.g. "new/1764…,S=1128".
	Name string
	// Size is the message's size with CRLF line ends: its size on the wire,
	// and in POP3 octets (RFC 1939).
	Size int64
	// FileSize is its size on disk, with LF line ends.
	FileSize int64

	sec, usec int64 // delivery time from the name, for ordering
}

// ErrNotFound is returned for a message key that is not in the folder.
var ErrNotFound = errors.New("maildir: no such message")

// Create makes the folder and its tmp, new and cur subfolders (mode 0700)
// when they are missing.
func (d Dir) Create() error {
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(string(d), sub), 0o700); err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
	}
	return nil
}

var seq atomic.Int64

// hostname is the host part of new file names, with "/" and ":" encoded
// as the Maildir convention asks (and on Windows every character a file
// name cannot hold).
var hostname = safeHost(func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	return h
}())

// uniqueName returns a new file name that sorts by delivery time:
// seconds, microseconds, process id and a per-process counter.
func uniqueName(now time.Time) string {
	return fmt.Sprintf("%d.M%06dP%dQ%d.%s", now.Unix(), now.Nanosecond()/1000, pid, seq.Add(1), hostname)
}

var pid = os.Getpid() // os.Getpid asks the kernel every time

// Deliver writes the message read from r into the folder: into tmp/, a
// flush to disk, a rename into new/, a flush of new/. When it returns nil
// the message is on disk and survives a crash; on error nothing is left in
// new/. It flushes on its own; a Committer shares the flushes of many
// deliveries.
//
// r gives the message with CRLF (or LF) line ends; it is stored with LF line
// ends. A CR left at the end of a line's text is dropped, since on disk it
// could not be told from a line end; a final line end is added if missing.
func (d Dir) Deliver(r io.Reader) (Message, error) {
	var c Committer
	return c.Deliver(d, r)
}

// copyBuffers are the reader and writer buffers of copyLF.
var copyBuffers = sync.Pool{New: func() any {
	return &lfCopier{br: bufio.NewReaderSize(nil, 32<<10), bw: bufio.NewWriterSize(nil, 32<<10)}
}}

type lfCopier struct {
	br *bufio.Reader
	bw *bufio.Writer
}

// copyLF copies r to w turning line ends into LF, and returns the octets
// written and the number of lines. CRs at the end of a line are dropped even
// when a long line arrives in pieces.
func copyLF(w io.Writer, r io.Reader) (size, lines int64, err error) {
	c := copyBuffers.Get().(*lfCopier)
	c.br.Reset(r)
	c.bw.Reset(w)
	defer func() {
		c.br.Reset(nil)
		c.bw.Reset(nil)
		copyBuffers.Put(c)
	}()
	br, bw := c.br, c.bw
	heldCR := 0 // CRs seen at the end of a piece: written only if text follows
	for {
		chunk, rerr := br.ReadSlice('\n')
		text := bytes.TrimSuffix(chunk, []byte{'\n'})
		ended := len(text) < len(chunk) || (rerr == io.EOF && len(chunk) > 0)
		body := bytes.TrimRight(text, "\r")
		if len(body) > 0 {
			for ; heldCR > 0; heldCR-- {
				bw.WriteByte('\r')
				size++
			}
		}
		heldCR += len(text) - len(body)
		bw.Write(body)
		size += int64(len(body))
		if ended {
			heldCR = 0
			bw.WriteByte('\n')
			size++
			lines++
		}
		switch {
		case rerr == nil, errors.Is(rerr, bufio.ErrBufferFull):
			continue
		case rerr == io.EOF:
			return size, lines, bw.Flush()
		default:
			return 0, 0, rerr
		}
	}
}

// List returns the messages in new/ and cur/, oldest first. Files whose
// names start with "." are ignored, as the Maildir convention asks.
//
// A POP3 login lists the maildrop, so this reads only the names: the sizes
// are in them.
func (d Dir) List() ([]Message, error) {
	var msgs []Message
	for _, sub := range []string{"new", "cur"} {
		var err error
		if msgs, err = d.list(msgs, sub); err != nil {
			return nil, fmt.Errorf("maildir: list: %w", err)
		}
	}
	return sortByTime(msgs), nil
}

// sortByTime returns msgs oldest first (by the time in their names, then
// by key). It sorts small records of the time and position rather than the
// messages themselves, which is several times quicker for a big maildrop.
func sortByTime(msgs []Message) []Message {
	type entry struct {
		sec, usec int64
		i         int
	}
	order := make([]entry, len(msgs))
	for i, m := range msgs {
		order[i] = entry{m.sec, m.usec, i}
	}
	slices.SortFunc(order, func(a, b entry) int {
		if c := cmp.Compare(a.sec, b.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(a.usec, b.usec); c != 0 {
			return c
		}
		return strings.Compare(msgs[a.i].Key, msgs[b.i].Key)
	})
	sorted := make([]Message, len(msgs))
	for i, e := range order {
		sorted[i] = msgs[e.i]
	}
	return sorted
}

// list appends the messages of the subfolder sub to msgs.
func (d Dir) list(msgs []Message, sub string) ([]Message, error) {
	dir := filepath.Join(string(d), sub)
	f, err := os.Open(dir)
	if err != nil {
		return msgs, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return msgs, err
	}
	msgs = slices.Grow(msgs, len(names))
	for _, entry := range names {
		if entry == "" || entry[0] == '.' {
			continue
		}
		m, ok := parse(sub+"/"+entry, len(sub)+1)
		if !ok {
			path := filepath.Join(dir, entry)
			fi, err := os.Stat(path)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // taken away meanwhile
				}
				return msgs, err
			}
			if !fi.Mode().IsRegular() {
				continue
			}
			// not named by us: count its lines to know its wire size
			if m.Size, err = wireSize(path); err != nil {
				continue
			}
			m.FileSize = fi.Size()
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// wireSize reads a message file and returns its size with CRLF line ends.
func wireSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var size int64
	last := byte('\n')
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		chunk := buf[:n]
		size += int64(n) + int64(bytes.Count(chunk, []byte{'\n'})) - int64(bytes.Count(chunk, []byte("\r\n")))
		if n > 0 {
			if last == '\r' && chunk[0] == '\n' {
				size-- // a CRLF split between two reads
			}
			last = chunk[n-1]
		}
		if err == io.EOF {
			return size, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// parse reads what a file name tells: its key, its time, and its sizes
// when the name carries ",S=" and ",W=". name is the path below the folder
// ("new/…"), the file's own name starting at offset at. ok is false when the
// wire size is not in the name.
func parse(name string, at int) (m Message, ok bool) {
	m.Name = name
	base := name[at:]
	if i := strings.IndexByte(base, InfoSeparator); i >= 0 {
		base = base[:i] // flags, as in "…:2,S"
	}
	key, fields, _ := strings.Cut(base, ",")
	m.Key = key
	// time: "<sec>.M<usec>P…" (ours) or at least "<sec>.…"
	if dot := strings.IndexByte(key, '.'); dot > 0 {
		m.sec, _ = strconv.ParseInt(key[:dot], 10, 64)
		rest := key[dot+1:]
		if strings.HasPrefix(rest, "M") {
			end := 1
			for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
				end++
			}
			m.usec, _ = strconv.ParseInt(rest[1:end], 10, 64)
		}
	}
	for fields != "" {
		var field string
		field, fields, _ = strings.Cut(fields, ",")
		k, v, found := strings.Cut(field, "=")
		if !found {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			continue
		}
		switch k {
		case "S":
			m.FileSize = n
		case "W":
			m.Size = n
			ok = true
		}
	}
	return m, ok
}

// Open opens a message listed by List. Its content has LF line ends.
func (d Dir) Open(m Message) (*os.File, error) {
	f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(m.Name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// OpenReader opens a message listed by List for reading it once, from
// the start to the end, with fewer system calls than Open: a POP3 session
// reads a message this way for every RETR. Its content has LF line ends.
// When the message's name gives its size on disk, reading stops there.
func (d Dir) OpenReader(m Message) (io.ReadCloser, error) {
	f, err := openRead(filepath.Join(string(d), filepath.FromSlash(m.Name)))
	return finishReader(m, f, err)
}

// finishReader finishes an OpenReader of m: ErrNotFound for a message
// gone, and reading stopped at the size its name gives.
func finishReader(m Message, f io.ReadCloser, err error) (io.ReadCloser, error) {
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if m.FileSize <= 0 {
		return f, nil
	}
	return &sizedReader{r: f, left: m.FileSize}, nil
}

// Folders is a Maildir's new/ and cur/ held open while a POP3 session
// reads its messages, so that opening a message looks up one name in an
// open folder instead of every folder of its path from the root (on
// Unix; elsewhere a message is opened by its path). Close it when done.
type Folders struct{ f *folders }

// OpenFolders opens the folders of d for reading its messages.
func (d Dir) OpenFolders() (*Folders, error) {
	f, err := openFolders(d)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	return &Folders{f}, nil
}

// OpenReader is Dir.OpenReader through the open folders.
func (f *Folders) OpenReader(m Message) (io.ReadCloser, error) {
	r, err := f.f.open(m.Name)
	return finishReader(m, r, err)
}

// Close closes the folders.
func (f *Folders) Close() error { return f.f.close() }

// sizedReader reads a file up to the size its name gives.
type sizedReader struct {
	r    io.ReadCloser
	left int64
}

func (r *sizedReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.r.Read(p)
	r.left -= int64(n)
	return n, err
}

func (r *sizedReader) Close() error { return r.r.Close() }

// Remove deletes a message listed by List. A message already gone is not
// an error (another reader may have removed it).
func (d Dir) Remove(m Message) error {
	err := os.Remove(filepath.Join(string(d), filepath.FromSlash(m.Name)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("maildir: remove: %w", err)
	}
	return nil
}

// Sync flushes the folder's directories, so that removals are on disk.
func (d Dir) Sync() error {
	for _, sub := range []string{"new", "cur"} {
		if err := durable.SyncDir(filepath.Join(string(d), sub)); err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
	}
	return nil
}

// CleanTmp removes files in tmp/ older than age: what a crash left behind
// in the middle of a delivery that was never reported done.
func (d Dir) CleanTmp(age time.Duration) error {
	dir := filepath.Join(string(d), "tmp")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	cutoff := time.Now().Add(-age)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || fi.ModTime().After(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("maildir: %w", err)
		}
	}
	return nil
}
