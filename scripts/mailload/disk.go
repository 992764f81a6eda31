//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// runDisk measures the durable-Maildir limit of the disk under dir: writers
// goroutines, each with a Maildir of its own (as each SMTP session of the
// load delivers to a mailbox of its own), write messages of size octets the
// way a careful delivery agent does — create in tmp/, write, fsync, rename
// into new/, fsync new/ — until messages files are in place.
func runDisk(args []string) (*Result, error) {
	fs := newFlags("disk")
	dir := fs.String("dir", "", "folder to write under (on the disk of the servers' data)")
	writers := fs.Int("writers", 16, "concurrent writers")
	messages := fs.Int("messages", 20000, "messages in all")
	size := fs.Int("size", 1024, "octets per message")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *dir == "" {
		return nil, fmt.Errorf("-dir is required")
	}
	body := bytes.Repeat([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"), *size/64+1)[:*size]
	dirs := make([]string, *writers)
	for i := range dirs {
		dirs[i] = filepath.Join(*dir, fmt.Sprintf("w%02d", i+1))
		for _, sub := range []string{"tmp", "new", "cur"} {
			if err := os.MkdirAll(filepath.Join(dirs[i], sub), 0o700); err != nil {
				return nil, err
			}
		}
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	start := time.Now()
	for w := range *writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			newDir, err := os.Open(filepath.Join(dirs[w], "new"))
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			defer newDir.Close()
			for next.Add(1) <= int64(*messages) {
				if err := durableWrite(dirs[w], newDir, body); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	rate := float64(*messages) / elapsed.Seconds()
	status("disk: %d durable Maildir deliveries from %d writers in %v: %.0f/s", *messages, *writers, elapsed.Round(time.Millisecond), rate)
	return &Result{Test: "disk", Server: "disk", Values: map[string]float64{
		"rate": rate, "messages": float64(*messages), "writers": float64(*writers), "seconds": elapsed.Seconds(),
	}}, nil
}

var diskSeq atomic.Int64

// durableWrite delivers one message into the Maildir dir: tmp, fsync,
// rename, fsync of new/.
func durableWrite(dir string, newDir *os.File, body []byte) error {
	name := strconv.FormatInt(time.Now().UnixNano(), 10) + ".P" + strconv.Itoa(os.Getpid()) + "Q" + strconv.FormatInt(diskSeq.Add(1), 10) + ".bench"
	tmp := filepath.Join(dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
		return err
	}
	return newDir.Sync()
}
