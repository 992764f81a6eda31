package maildir

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"maillab/server/durable"
)

// Committer delivers into Maildirs sharing the flushes of their new/
// folders between the deliveries that run at the same time — a group
// commit. A group's server has one for the Maildirs of its users; nothing
// is shared between Committers. The zero Committer is ready to use.
//
// Each delivery flushes its own file (the file system joins the flushes
// that come at once into one journal commit), renames it into new/, and
// then needs a flush of new/ that starts after its rename: when one is
// running, it waits for it to end and the next one is made for all those
// that waited meanwhile. So sixteen sessions delivering to one user make
// about two folder flushes, not sixteen, and a delivery on its own is
// flushed as before, with no waiting.
type Committer struct {
	mu    sync.Mutex
	dirs  map[string]*dirFlush
	flush func(dir string) error // durable.SyncDir, but for tests
}

// dirFlush is the flushing of one folder.
type dirFlush struct {
	mu       sync.Mutex
	cond     sync.Cond
	running  bool
	waiting  int    // callers waiting for a flush to end
	started  uint64 // flushes started
	finished uint64 // the last flush finished
	err      error  // its error
}

// Deliver writes the message read from r into the Maildir d, as Dir.Deliver
// does, sharing the flushes of new/ with the other deliveries of c.
func (c *Committer) Deliver(d Dir, r io.Reader) (Message, error) {
	name, err := d.write(r, uniqueName(time.Now()))
	if err != nil {
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	if err := c.syncDir(filepath.Join(string(d), "new")); err != nil {
		os.Remove(filepath.Join(string(d), "new", name))
		return Message{}, fmt.Errorf("maildir: deliver: %w", err)
	}
	m, _ := parse("new/"+name, len("new/"))
	return m, nil
}

// syncDir flushes the folder dir with a flush that starts after the call.
func (c *Committer) syncDir(dir string) error {
	c.mu.Lock()
	if c.dirs == nil {
		c.dirs = map[string]*dirFlush{}
	}
	fl := c.dirs[dir]
	if fl == nil {
		fl = &dirFlush{}
		fl.cond.L = &fl.mu
		c.dirs[dir] = fl
	}
	flush := c.flush
	if flush == nil {
		flush = durable.SyncDir
	}
	c.mu.Unlock()

	fl.mu.Lock()
	defer fl.mu.Unlock()
	need := fl.started + 1 // the first flush that starts from now on
	for {
		switch {
		case fl.finished >= need:
			return fl.err
		case !fl.running:
			fl.running = true
			fl.started++
			n := fl.started
			fl.mu.Unlock()
			err := flush(dir)
			fl.mu.Lock()
			fl.running, fl.finished, fl.err = false, n, err
			fl.cond.Broadcast()
		default:
			fl.waiting++
			fl.cond.Wait()
			fl.waiting--
		}
	}
}

// write writes the message read from r into tmp/ as name, flushes it to
// disk and renames it into new/, and returns its name there (with its
// sizes). On error nothing is left in tmp/ or new/.
func (d Dir) write(r io.Reader, name string) (string, error) {
	tmp := filepath.Join(string(d), "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	size, lines, err := copyLF(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	final := fmt.Sprintf("%s,S=%d,W=%d", name, size, size+lines)
	if err == nil {
		err = durable.Rename(tmp, filepath.Join(string(d), "new", final))
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return final, nil
}
