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
package maildir

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
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
	"syscall"
	"time"
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
// as the Maildir convention asks.
var hostname = func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	h = strings.ReplaceAll(h, "/", `\057`)
	return strings.ReplaceAll(h, ":", `\072`)
}()

// uniqueName returns a new file name that sorts by delivery time:
// seconds, microseconds, process id and a per-process counter.
func uniqueName(now time.Time) string {
	return fmt.Sprintf("%d.M%06dP%dQ%d.%s", now.Unix(), now.Nanosecond()/1000, pid, seq.Add(1), hostname)
}

var pid = os.Getpid() // os.Getpid asks the kernel every time

// Deliver writes the message read from r into the folder: into tmp/, fsync,
// rename into new/, fsync of new/. When it returns nil the message is on
// disk and survives a crash; on error nothing is left in new/.
//
// Deliveries that run at the same time (in any folders of this process)
// share their flushes — a group commit: while one batch is being flushed,
// the next gathers, and is flushed as a whole in the same order (data, then
// renames, then the new/ folders), so that each message is still on disk
// before its rename is, and both before Deliver returns.
//
// r gives the message with CRLF (or LF) line ends; it is stored with LF line
// ends. A CR left at the end of a line's text is dropped, since on disk it
// could not be told from a line end; a final line end is added if missing.
func (d Dir) Deliver(r io.Reader) (Message, error) {
	name := uniqueName(time.Now())
	tmp := filepath.Join(string(d), "tmp", name)
	fd, err := createFile(tmp)
	if err != nil {
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	size, lines, err := copyLF(fdWriter(fd), r)
	if err != nil {
		syscall.Close(fd)
		os.Remove(tmp)
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	final := fmt.Sprintf("%s,S=%d,W=%d", name, size, size+lines)
	x := &delivery{fd: fd, tmp: tmp, dir: filepath.Join(string(d), "new"), name: final}
	if err := commit(x); err != nil {
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	m, _ := parse("new/"+final, len("new/"))
	return m, nil
}

// createFile creates a new file for writing, mode 0600.
func createFile(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// fdWriter writes to a file descriptor (a new file, in blocking mode).
type fdWriter int

func (w fdWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := syscall.Write(int(w), p[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
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

// syncDir flushes a folder, so that the names made or removed in it
// survive a crash.
func syncDir(path string) error {
	fd, err := openDir(path)
	if err != nil {
		return err
	}
	err = fsync(fd, path)
	if cerr := syscall.Close(fd); err == nil && cerr != nil {
		err = &os.PathError{Op: "close", Path: path, Err: cerr}
	}
	return err
}

// List returns the messages in new/ and cur/, oldest first. Files whose
// names start with "." are ignored, as the Maildir convention asks.
//
// A POP3 login lists the maildrop, so this is read straight from the
// directory entries in large pieces, with one allocation per message.
func (d Dir) List() ([]Message, error) {
	var msgs []Message
	buf := direntBuffers.Get().(*[]byte)
	defer direntBuffers.Put(buf)
	for _, sub := range []string{"new", "cur"} {
		var err error
		if msgs, err = d.list(msgs, sub, *buf); err != nil {
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

// direntBuffers hold directory entries as the kernel returns them.
var direntBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// list appends the messages of the subfolder sub to msgs.
func (d Dir) list(msgs []Message, sub string, buf []byte) ([]Message, error) {
	dir := filepath.Join(string(d), sub)
	fd, err := openDir(dir)
	if err != nil {
		return msgs, err
	}
	defer syscall.Close(fd)
	if msgs == nil {
		// room for about as many messages as the directory can hold
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil {
			msgs = make([]Message, 0, min(st.Size/48, 1<<20))
		}
	}
	var name []byte // sub + "/" + the entry's name
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return msgs, &os.PathError{Op: "getdents", Path: dir, Err: err}
		}
		if n <= 0 {
			return msgs, nil
		}
		for b := buf[:n]; len(b) > 0; {
			entry, rest, ok := nextDirent(b)
			if !ok {
				break
			}
			b = rest
			if len(entry) == 0 || entry[0] == '.' {
				continue
			}
			name = append(append(append(name[:0], sub...), '/'), entry...)
			m, ok := parse(string(name), len(sub)+1)
			if !ok {
				path := filepath.Join(dir, string(entry))
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
	}
}

// openDir opens a directory for reading its entries.
func openDir(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// nextDirent returns the name of the first entry of b, a buffer filled by
// getdents64 (struct linux_dirent64: inode, offset, record length, type,
// name ended by NUL), and the entries after it.
func nextDirent(b []byte) (name, rest []byte, ok bool) {
	const nameOff = 8 + 8 + 2 + 1
	if len(b) < nameOff {
		return nil, nil, false
	}
	reclen := int(binary.NativeEndian.Uint16(b[16:18]))
	if reclen < nameOff || reclen > len(b) {
		return nil, nil, false
	}
	name = b[nameOff:reclen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return name, b[reclen:], true
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
	if i := strings.IndexByte(base, ':'); i >= 0 {
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
	path := filepath.Join(string(d), filepath.FromSlash(m.Name))
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if errors.Is(err, syscall.ENOENT) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return &fileReader{fd: fd, left: m.FileSize, sized: m.FileSize > 0}, nil
}

// fileReader reads a file through its descriptor, without the bookkeeping
// of an *os.File (which tries the poller for every file it opens).
type fileReader struct {
	fd    int
	left  int64 // octets still to read, when sized
	sized bool
}

func (r *fileReader) Read(p []byte) (int, error) {
	if r.fd < 0 {
		return 0, os.ErrClosed
	}
	if r.sized {
		if r.left <= 0 {
			return 0, io.EOF
		}
		if int64(len(p)) > r.left {
			p = p[:r.left]
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(r.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, io.EOF
		}
		r.left -= int64(n)
		return n, nil
	}
}

func (r *fileReader) Close() error {
	if r.fd < 0 {
		return os.ErrClosed
	}
	err := syscall.Close(r.fd)
	r.fd = -1
	return err
}

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
		if err := syncDir(filepath.Join(string(d), sub)); err != nil {
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
