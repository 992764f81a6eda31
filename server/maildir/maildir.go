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
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
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
	return fmt.Sprintf("%d.M%06dP%dQ%d.%s", now.Unix(), now.Nanosecond()/1000, os.Getpid(), seq.Add(1), hostname)
}

// Deliver writes the message read from r into the folder: into tmp/, fsync,
// rename into new/, fsync of new/. When it returns nil the message is on
// disk and survives a crash; on error nothing is left in new/.
//
// r gives the message with CRLF (or LF) line ends; it is stored with LF line
// ends. A CR left at the end of a line's text is dropped, since on disk it
// could not be told from a line end; a final line end is added if missing.
func (d Dir) Deliver(r io.Reader) (Message, error) {
	name := uniqueName(time.Now())
	tmp := filepath.Join(string(d), "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	size, lines, err := copyLF(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	final := fmt.Sprintf("%s,S=%d,W=%d", name, size, size+lines)
	if err := os.Rename(tmp, filepath.Join(string(d), "new", final)); err != nil {
		os.Remove(tmp)
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	if err := syncDir(filepath.Join(string(d), "new")); err != nil {
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	m, _ := parse("new", final)
	return m, nil
}

// copyLF copies r to w turning line ends into LF, and returns the octets
// written and the number of lines. CRs at the end of a line are dropped even
// when a long line arrives in pieces.
func copyLF(w io.Writer, r io.Reader) (size, lines int64, err error) {
	br := bufio.NewReaderSize(r, 32<<10)
	bw := bufio.NewWriterSize(w, 32<<10)
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

func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// List returns the messages in new/ and cur/, oldest first. Files whose
// names start with "." are ignored, as the Maildir convention asks.
func (d Dir) List() ([]Message, error) {
	var msgs []Message
	for _, sub := range []string{"new", "cur"} {
		f, err := os.Open(filepath.Join(string(d), sub))
		if err != nil {
			return nil, fmt.Errorf("maildir: list: %w", err)
		}
		names, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("maildir: list: %w", err)
		}
		for _, name := range names {
			if strings.HasPrefix(name, ".") {
				continue
			}
			m, ok := parse(sub, name)
			if !ok {
				fi, err := os.Stat(filepath.Join(string(d), sub, name))
				if err != nil {
					if errors.Is(err, os.ErrNotExist) {
						continue // taken away meanwhile
					}
					return nil, fmt.Errorf("maildir: list: %w", err)
				}
				if !fi.Mode().IsRegular() {
					continue
				}
				// not named by us: count its lines to know its wire size
				if m.Size, err = wireSize(filepath.Join(string(d), sub, name)); err != nil {
					continue
				}
				m.FileSize = fi.Size()
			}
			msgs = append(msgs, m)
		}
	}
	sort.Slice(msgs, func(i, j int) bool {
		a, b := msgs[i], msgs[j]
		if a.sec != b.sec {
			return a.sec < b.sec
		}
		if a.usec != b.usec {
			return a.usec < b.usec
		}
		return a.Key < b.Key
	})
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
// when the name carries ",S=" and ",W=". ok is false when the wire size
// is not in the name.
func parse(sub, name string) (m Message, ok bool) {
	m.Name = sub + "/" + name
	base := name
	if i := strings.IndexByte(base, ':'); i >= 0 {
		base = base[:i] // flags, as in "…:2,S"
	}
	key := base
	if i := strings.IndexByte(key, ','); i >= 0 {
		key = key[:i]
	}
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
	for _, field := range strings.Split(base, ",")[1:] {
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
