package maildir_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"maillab/server/maildir"
)

// benchBody is a message of about size octets with CRLF line ends, as it
// comes out of SMTP.
func benchBody(size int) string {
	var b strings.Builder
	b.WriteString("Return-Path: <a@g1.lab.test>\r\nDelivered-To: b@g1.lab.test\r\nSubject: bench\r\n\r\n")
	for b.Len() < size {
		b.WriteString("The quick brown fox jumps over the lazy dog; a line of a benchmark.\r\n")
	}
	return b.String()
}

// BenchmarkDeliver delivers 1 KiB messages durably (tmp, fsync, rename,
// fsync of new/), from one writer and from 16 at once into 16 Maildirs, as
// 16 SMTP sessions do, through one Committer, so that concurrent deliveries
// share their flushes; for comparison, 16 writers each flushing alone; and
// 16 writers into one Maildir (16 sessions sending to one user).
func BenchmarkDeliver(b *testing.B) {
	body := benchBody(1 << 10)
	for _, bench := range []struct {
		writers int
		alone   bool
		oneDir  bool
	}{{1, false, false}, {16, false, false}, {16, true, false}, {16, false, true}} {
		name := fmt.Sprintf("%d-writers", bench.writers)
		if bench.alone {
			name += "-alone"
		}
		if bench.oneDir {
			name += "-1-maildir"
		}
		writers := bench.writers
		b.Run(name, func(b *testing.B) {
			root := b.TempDir()
			dirs := make([]maildir.Dir, writers)
			for i := range dirs {
				dirs[i] = maildir.Dir(filepath.Join(root, fmt.Sprint(i)))
				if bench.oneDir {
					dirs[i] = maildir.Dir(root)
				}
				if err := dirs[i].Create(); err != nil {
					b.Fatal(err)
				}
			}
			var c maildir.Committer
			deliver := func(d maildir.Dir, r io.Reader) (maildir.Message, error) { return c.Deliver(d, r) }
			if bench.alone {
				deliver = maildir.Dir.Deliver
			}
			var next atomic.Int64
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						if _, err := deliver(dirs[w], strings.NewReader(body)); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}

// bigDir is a Maildir of n messages named as Deliver names them, written
// without the flushes of a delivery, to be quick to make.
func bigDir(b *testing.B, n int) maildir.Dir {
	b.Helper()
	d := maildir.Dir(filepath.Join(b.TempDir(), "big"))
	if err := d.Create(); err != nil {
		b.Fatal(err)
	}
	body := []byte("Subject: one of many\n\nbody\n")
	for i := range n {
		name := fmt.Sprintf("%d.M%06dP%dQ%d.bench,S=%d,W=%d", 1764000000+i/1000, i%1000*997, 4242, i+1, len(body), len(body)+3)
		if err := os.WriteFile(filepath.Join(string(d), "new", name), body, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// BenchmarkList lists a Maildir of 10,000 messages (what a POP3 login
// does).
func BenchmarkList(b *testing.B) {
	d := bigDir(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		list, err := d.List()
		if err != nil || len(list) != 10000 {
			b.Fatalf("%d messages, %v", len(list), err)
		}
	}
}

// BenchmarkRead opens a 10 KiB message and reads it whole (what RETR does
// before byte-stuffing).
func BenchmarkRead(b *testing.B) {
	d := maildir.Dir(filepath.Join(b.TempDir(), "r"))
	if err := d.Create(); err != nil {
		b.Fatal(err)
	}
	m, err := d.Deliver(strings.NewReader(benchBody(10 << 10)))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	b.SetBytes(m.FileSize)
	b.ReportAllocs()
	for b.Loop() {
		rc, err := d.OpenReader(m)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{rc}, buf)
		rc.Close()
		if err != nil || n != m.FileSize {
			b.Fatalf("read %d of %d: %v", n, m.FileSize, err)
		}
	}
}
