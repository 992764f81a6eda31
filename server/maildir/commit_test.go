package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// files lists a subfolder's files with their contents.
func files(t *testing.T, dir Dir, sub string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(string(dir), sub))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(string(dir), sub, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Name()+": "+string(b))
	}
	return out
}

// Callers that ask for a flush of a folder while one runs share the next
// one, and all get its result.
func TestSyncDirShares(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error // of the second flush
	}{
		{"success", nil},
		{"failure", errors.New("disk gone")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			var calls []string
			var c Committer
			c.flush = func(dir string) error { // called one at a time
				calls = append(calls, dir)
				if len(calls) == 1 {
					<-release
					return nil
				}
				return tt.err
			}
			first := make(chan error)
			go func() { first <- c.syncDir("new") }()
			const waiters = 10
			results := make(chan error, waiters)
			for !c.state("new", func(fl *dirFlush) bool { return fl.running }) {
				runtime.Gosched()
			}
			for range waiters {
				go func() { results <- c.syncDir("new") }()
			}
			for !c.state("new", func(fl *dirFlush) bool { return fl.waiting == waiters }) {
				runtime.Gosched()
			}
			close(release)
			got := []error{<-first}
			for range waiters {
				got = append(got, <-results)
			}
			want := []error{nil}
			for range waiters {
				want = append(want, tt.err)
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"new", "new"}, calls); diff != "" {
				t.Errorf("flushes (-want +got):\n%s", diff)
			}
		})
	}
}

// state reports f of the flushing of dir, under its lock.
func (c *Committer) state(dir string, f func(*dirFlush) bool) bool {
	c.mu.Lock()
	fl := c.dirs[dir]
	c.mu.Unlock()
	if fl == nil {
		return false
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return f(fl)
}

// A delivery whose new/ folder is gone fails, is not found in the folder
// (not in tmp/ either), and the error says the folder is missing, which is
// what lets a caller make the Maildir and try again.
func TestDeliverWithoutNew(t *testing.T) {
	t.Parallel()
	d := Dir(filepath.Join(t.TempDir(), "yom"))
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(string(d), "new")); err != nil {
		t.Fatal(err)
	}
	_, err := d.Deliver(strings.NewReader("Subject: x\r\n\r\nbody\r\n"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Deliver: %v, want an error of a missing file", err)
	}
	if got := files(t, d, "tmp"); len(got) != 0 {
		t.Errorf("left in tmp/: %q", got)
	}
	_, err = Dir(filepath.Join(t.TempDir(), "never-made")).Deliver(strings.NewReader("x\r\n"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Deliver into no folder: %v, want an error of a missing file", err)
	}
}

// Many deliveries at once into several folders through one Committer (as
// many SMTP sessions of a group make) are all there, each whole, and nothing is left in tmp/.
func TestDeliverConcurrently(t *testing.T) {
	t.Parallel()
	dirs := make([]Dir, 4)
	for i := range dirs {
		dirs[i] = Dir(filepath.Join(t.TempDir(), fmt.Sprint(i)))
		if err := dirs[i].Create(); err != nil {
			t.Fatal(err)
		}
	}
	const writers, each = 16, 40
	var c Committer
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				text := fmt.Sprintf("Subject: %d-%d\r\n\r\n%s\r\n", w, i, strings.Repeat("x", (w*each+i)%3000))
				if _, err := c.Deliver(dirs[(w+i)%len(dirs)], strings.NewReader(text)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var subjects []string
	for _, d := range dirs {
		list, err := d.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			b, err := os.ReadFile(filepath.Join(string(d), m.Name))
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != m.FileSize || m.Size != m.FileSize+int64(strings.Count(string(b), "\n")) {
				t.Errorf("%s: %d octets, name says %d on disk and %d on the wire", m.Name, len(b), m.FileSize, m.Size)
			}
			subject, _, _ := strings.Cut(strings.TrimPrefix(string(b), "Subject: "), "\n")
			subjects = append(subjects, subject)
		}
		if left := files(t, d, "tmp"); len(left) != 0 {
			t.Errorf("left in %s/tmp: %d files", d, len(left))
		}
	}
	var want []string
	for w := range writers {
		for i := range each {
			want = append(want, fmt.Sprintf("%d-%d", w, i))
		}
	}
	slices.Sort(want)
	slices.Sort(subjects)
	if diff := cmp.Diff(want, subjects); diff != "" {
		t.Errorf("messages delivered (-want +got):\n%s", diff)
	}
}
