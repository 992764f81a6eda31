package maildir_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
	"maillab/server/maildir"
)

func newDir(t *testing.T) maildir.Dir {
	t.Helper()
	d := maildir.Dir(filepath.Join(t.TempDir(), "yom"))
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	return d
}

func read(t *testing.T, d maildir.Dir, m maildir.Message) string {
	t.Helper()
	f, err := d.Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeliverStoresLFAndCountsWireSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		disk     string
		wireSize int64
	}{
		{"crlf", "Subject: a\r\n\r\nbody\r\n", "Subject: a\n\nbody\n", 20},
		{"lf", "Subject: a\n\nbody\n", "Subject: a\n\nbody\n", 20},
		{"no final line end", "Subject: a\r\n\r\nbody", "Subject: a\n\nbody\n", 20},
		{"cr before crlf dropped", "x\r\r\n", "x\n", 3},
		{"bare cr inside kept", "a\rb\r\n", "a\rb\n", 5},
		{"empty", "", "", 0},
		{"long line in pieces", strings.Repeat("z", 70000) + "\r\r\n", strings.Repeat("z", 70000) + "\n", 70002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDir(t)
			m, err := d.Deliver(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, d, m); got != tt.disk {
				t.Errorf("on disk %q, want %q", got, tt.disk)
			}
			if m.Size != tt.wireSize || m.FileSize != int64(len(tt.disk)) {
				t.Errorf("sizes wire %d file %d, want %d %d", m.Size, m.FileSize, tt.wireSize, len(tt.disk))
			}
			list, err := d.List()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]maildir.Message{m}, list, cmp.AllowUnexported(maildir.Message{})); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			tmp, _ := os.ReadDir(filepath.Join(string(d), "tmp"))
			if len(tmp) != 0 {
				t.Errorf("tmp/ not empty after delivery: %v", tmp)
			}
		})
	}
}

func TestListOrderAndForeignNames(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	// Files put there by other Maildir software: names without our sizes,
	// flags in cur/, CRLF content, and dot files that must be ignored.
	// Flags follow the info separator, ':' (';' on Windows).
	info := string(maildir.InfoSeparator) + "2,S"
	files := map[string]string{
		"new/1000000002.V801I2.other":            "b\nc\n",
		"cur/1000000001.V801I1.other" + info:     "a\r\n",
		"cur/1000000003.M5P1Q1.h,S=2,W=3" + info: "c\n",
		"new/.hidden":                            "x",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(string(d), name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	list, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		Key  string
		Name string
		Size int64
	}
	var got []item
	for _, m := range list {
		got = append(got, item{m.Key, m.Name, m.Size})
	}
	want := []item{
		{"1000000001.V801I1.other", "cur/1000000001.V801I1.other" + info, 3},
		{"1000000002.V801I2.other", "new/1000000002.V801I2.other", 6},
		{"1000000003.M5P1Q1.h", "cur/1000000003.M5P1Q1.h,S=2,W=3" + info, 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

func TestConcurrentDeliveriesKeepOrderAndAll(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := d.Deliver(strings.NewReader(fmt.Sprintf("Subject: %d\r\n\r\nx\r\n", i)))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range list {
		seen[m.Key] = true
	}
	if len(list) != n || len(seen) != n {
		t.Fatalf("%d messages with %d distinct keys, want %d", len(list), len(seen), n)
	}
	// a later delivery lists last
	last, err := d.Deliver(strings.NewReader("late\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	list, _ = d.List()
	if list[len(list)-1].Key != last.Key {
		t.Errorf("newest message %s is not listed last", last.Key)
	}
}

func TestRemoveAndOpenMissing(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	m, err := d.Deliver(strings.NewReader("x\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(m); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(m); err != nil {
		t.Errorf("second Remove: %v, want nil", err)
	}
	if _, err := d.Open(m); err != maildir.ErrNotFound {
		t.Errorf("Open of removed message: %v, want ErrNotFound", err)
	}
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	list, _ := d.List()
	if len(list) != 0 {
		t.Errorf("List after Remove = %v", list)
	}
}

func TestCleanTmp(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	old := filepath.Join(string(d), "tmp", "old")
	fresh := filepath.Join(string(d), "tmp", "fresh")
	os.WriteFile(old, []byte("partial"), 0o600)
	os.WriteFile(fresh, []byte("in progress"), 0o600)
	past := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, past, past)
	if err := d.CleanTmp(36 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("old tmp file still there")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh tmp file removed: %v", err)
	}
}

// s-nail, an ordinary mail reader, reads what Deliver wrote.
func TestSNailReadsTheFolder(t *testing.T) {
	t.Parallel()
	snail := testenv.NeedTool(t, "s-nail")
	d := newDir(t)
	msgs := []string{
		"From: Alice <alice@g1.lab.test>\r\nTo: yom@g3.lab.test\r\nSubject: first hello\r\nDate: Wed, 25 Nov 2026 10:00:00 +0900\r\n\r\nbody one\r\n.dot line\r\n",
		"From: Bob <bob@g2.lab.test>\r\nTo: yom@g3.lab.test\r\nSubject: second note\r\nDate: Wed, 25 Nov 2026 10:05:00 +0900\r\n\r\nbody two\r\n",
	}
	for _, m := range msgs {
		if _, err := d.Deliver(strings.NewReader(m)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(snail, "-n", "-N", "-R", "-#", "-Y", "headers", "-Y", "print 1", "-Y", "quit", "-f", string(d))
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "LC_ALL=C.UTF-8", "MAIL=/dev/null")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("s-nail: %v\n%s%s", err, out.String(), errOut.String())
	}
	if errOut.Len() > 0 {
		t.Errorf("s-nail complained: %s", errOut.String())
	}
	t.Logf("s-nail:\n%s", out.String())
	for _, want := range []string{"first hello", "second note", "alice@g1.lab.test", "body one", ".dot line"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("s-nail output lacks %q:\n%s", want, out.String())
		}
	}
}

// Messages opened through the held folders read as the same bytes as by
// path, in new/ and cur/, delivered before or after the folders were
// opened; a message removed meanwhile is ErrNotFound.
func TestFoldersOpenReader(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	for _, body := range []string{"Subject: a\r\n\r\nfirst\r\n", "Subject: b\r\n\r\nsecond\r\n"} {
		if _, err := d.Deliver(strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	// a mail reader moves the first into cur/, as s-nail does
	list, err := d.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List: %v, %v", list, err)
	}
	name := strings.TrimPrefix(list[0].Name, "new/")
	if err := os.Rename(filepath.Join(string(d), "new", name), filepath.Join(string(d), "cur", name+":2,S")); err != nil {
		t.Fatal(err)
	}
	f, err := d.OpenFolders()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := d.Deliver(strings.NewReader("Subject: c\r\n\r\nthird, after the folders were opened\r\n")); err != nil {
		t.Fatal(err)
	}
	if list, err = d.List(); err != nil || len(list) != 3 {
		t.Fatalf("List: %v, %v", list, err)
	}
	var want, got []string
	for _, m := range list {
		want = append(want, read(t, d, m))
		rc, err := f.OpenReader(m)
		if err != nil {
			t.Fatalf("OpenReader(%s): %v", m.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("through the folders (-by path +through them):\n%s", diff)
	}
	if !strings.HasPrefix(list[0].Name, "cur/") && !strings.HasPrefix(list[1].Name, "cur/") {
		t.Errorf("no message in cur/: %v", list)
	}
	if err := d.Remove(list[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.OpenReader(list[2]); err != maildir.ErrNotFound {
		t.Errorf("OpenReader of a removed message: %v, want ErrNotFound", err)
	}
}
