package maildir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"maillab/server/durable"
)

// Staged is a message written to a Maildir's tmp/ and flushed to disk, not
// yet in the folder: Publish puts it there. Staging the copies of one
// message for all its recipients before publishing any makes a delivery
// that is redone after a crash leave each copy once.
type Staged struct {
	Dir  Dir
	Key  string // the unique part of its name, chosen by the caller
	name string // its name in new/, sizes included
}

// StageKey returns a unique name part for a message's copy: the time of
// the message (so the folder lists it in order), the caller's id of the
// message and the copy's number. The same arguments give the same key.
func StageKey(t time.Time, id string, copy int) string {
	return fmt.Sprintf("%d.M%06dS%sR%d.%s", t.Unix(), t.Nanosecond()/1000, id, copy, hostname)
}

// checkKey refuses a key that is no plain file name of a message.
func checkKey(key string) error {
	if key == "" || key[0] == '.' || strings.ContainsAny(key, `/\,:;`) {
		return fmt.Errorf("maildir: bad key %q", key)
	}
	return nil
}

// Stage writes the message read from r into tmp/ under the name key and
// flushes it (as Deliver does, LF line ends). A key staged again replaces
// the earlier copy.
func (d Dir) Stage(key string, r io.Reader) (Staged, error) {
	if err := checkKey(key); err != nil {
		return Staged{}, err
	}
	tmp := filepath.Join(string(d), "tmp", key)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return Staged{}, fmt.Errorf("maildir: stage: %w", err)
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
		return Staged{}, fmt.Errorf("maildir: stage: %w", err)
	}
	return Staged{Dir: d, Key: key, name: fmt.Sprintf("%s,S=%d,W=%d", key, size, size+lines)}, nil
}

// Restaged finds the message staged under key, after a restart; ok is
// false when tmp/ has none (never staged, or published since).
func (d Dir) Restaged(key string) (s Staged, ok bool, err error) {
	if err := checkKey(key); err != nil {
		return Staged{}, false, err
	}
	tmp := filepath.Join(string(d), "tmp", key)
	fi, err := os.Stat(tmp)
	if errors.Is(err, os.ErrNotExist) {
		return Staged{}, false, nil
	}
	if err != nil {
		return Staged{}, false, fmt.Errorf("maildir: %w", err)
	}
	wire, err := wireSize(tmp)
	if err != nil {
		return Staged{}, false, fmt.Errorf("maildir: %w", err)
	}
	return Staged{Dir: d, Key: key, name: fmt.Sprintf("%s,S=%d,W=%d", key, fi.Size(), wire)}, true, nil
}

// Unstage removes what was staged under key, if anything.
func (d Dir) Unstage(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(string(d), "tmp", key))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("maildir: %w", err)
	}
	return nil
}

// Publish renames the staged message into new/. It is delivered once new/
// is flushed (Committer.SyncDir of NewDir).
func (s Staged) Publish() (Message, error) {
	err := durable.Rename(filepath.Join(string(s.Dir), "tmp", s.Key), filepath.Join(string(s.Dir), "new", s.name))
	if err != nil {
		return Message{}, fmt.Errorf("maildir: publish: %w", err)
	}
	m, _ := parse("new/"+s.name, len("new/"))
	return m, nil
}

// NewDir is the folder new messages are renamed into, to flush after
// Publish.
func (d Dir) NewDir() string { return filepath.Join(string(d), "new") }

// SyncDir flushes the folder dir with a flush that starts after the call,
// shared with the other callers of c that wait meanwhile.
func (c *Committer) SyncDir(dir string) error { return c.syncDir(dir) }
