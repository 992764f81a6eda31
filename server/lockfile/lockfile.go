// Package lockfile holds exclusive locks on files, between processes and
// between the open files of one process: flock on Linux and macOS,
// LockFileEx on Windows. A lock goes with its process, so a server that
// crashes leaves no stale lock behind.
package lockfile

import (
	"errors"
	"fmt"
	"os"
)

// ErrHeld is returned by TryLock when another holder has the lock.
var ErrHeld = errors.New("lockfile: held by another")

// Lock is an exclusive lock on a file, held until Unlock.
type Lock struct {
	f *os.File
}

// Acquire opens (creating, mode 0600) the file at path and waits until it
// holds an exclusive lock on it.
func Acquire(path string) (*Lock, error) {
	return open(path, true)
}

// TryLock is Acquire that does not wait: it fails with ErrHeld when the
// lock is held.
func TryLock(path string) (*Lock, error) {
	return open(path, false)
}

func open(path string, wait bool) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lockfile: %w", err)
	}
	if err := lock(f, wait); err != nil {
		f.Close()
		if errors.Is(err, ErrHeld) {
			return nil, err
		}
		return nil, fmt.Errorf("lockfile: lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// File is the locked file, open for reading and writing; its content is
// the holder's to use (a server writes its process id there). The lock
// covers no byte of it, so others can read it on every system.
func (l *Lock) File() *os.File { return l.f }

// Unlock releases the lock and closes the file.
func (l *Lock) Unlock() error {
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
