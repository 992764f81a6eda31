package lockfile_test

import (
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"maillab/server/lockfile"
)

// A lock keeps out every other open of the file, in this process too, and
// is free again once unlocked; the file's content stays readable.
func TestTryLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "server.lock")
	first, err := lockfile.TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.File().WriteAt([]byte("4242\n"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := lockfile.TryLock(path); !errors.Is(err, lockfile.ErrHeld) {
		t.Fatalf("second TryLock: %v, want ErrHeld", err)
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	again, err := lockfile.TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	b := make([]byte, 5)
	if n, err := again.File().ReadAt(b, 0); n != 5 || string(b) != "4242\n" {
		t.Errorf("content %q (%v), want the first holder's", b[:n], err)
	}
	if err := again.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := lockfile.TryLock(filepath.Join(t.TempDir(), "no", "such", "folder")); err == nil || errors.Is(err, lockfile.ErrHeld) {
		t.Errorf("TryLock in a missing folder: %v, want an error of the open", err)
	}
}

// Acquire waits for the holder to unlock.
func TestAcquireWaits(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "accounts.lock")
	held, err := lockfile.Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	var released atomic.Bool
	got := make(chan bool)
	go func() {
		l, err := lockfile.Acquire(path)
		if err != nil {
			t.Error(err)
			got <- false
			return
		}
		got <- released.Load()
		l.Unlock()
	}()
	released.Store(true)
	if err := held.Unlock(); err != nil {
		t.Fatal(err)
	}
	if !<-got {
		t.Error("Acquire returned while the lock was held")
	}
}
