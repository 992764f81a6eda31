package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKernelAtLeast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		release string
		want    bool
	}{
		{"6.1.0-13-amd64", true},
		{"5.8.0", true},
		{"5.10-rc1", true},
		{"5.7.19-generic", false},
		{"4.19.0", false},
		{"10.0", true},
		{"6", false},
		{"", false},
		{"x.y", false},
	}
	for _, tt := range tests {
		if got := kernelAtLeast(tt.release, 5, 8); got != tt.want {
			t.Errorf("kernelAtLeast(%q, 5, 8) = %v, want %v", tt.release, got, tt.want)
		}
	}
}

// written makes a delivery written to dir's tmp/, as Deliver does before
// committing it.
func written(t *testing.T, dir Dir, name, text string) *delivery {
	t.Helper()
	tmp := filepath.Join(string(dir), "tmp", name)
	fd, err := createFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdWriter(fd).Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	return &delivery{fd: fd, tmp: tmp, dir: filepath.Join(string(dir), "new"), name: name}
}

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

// A round flushes and renames the data it is given and flushes the renames
// of the round before; both ways of flushing (each file and folder, or each
// file system) give the same result.
func TestRound(t *testing.T) {
	t.Parallel()
	for _, how := range []struct {
		name  string
		flush func(data, names []*delivery)
	}{
		{"fsync each", syncEach},
		{"syncfs", syncFileSystems},
	} {
		t.Run(how.name, func(t *testing.T) {
			t.Parallel()
			a, b := Dir(filepath.Join(t.TempDir(), "a")), Dir(filepath.Join(t.TempDir(), "b"))
			for _, d := range []Dir{a, b} {
				if err := d.Create(); err != nil {
					t.Fatal(err)
				}
			}
			first := []*delivery{written(t, a, "1", "one\n"), written(t, b, "2", "two\n")}
			for _, x := range first {
				x.dev = 1 // one file system, as far as syncFileSystems knows
			}
			how.flush(first, nil)
			renamed := settle(first, nil)
			second := []*delivery{written(t, a, "3", "three\n")}
			second[0].dev = 1
			how.flush(second, renamed)
			settle(second, renamed)
			for _, x := range append(first, second...) {
				if x.err != nil || !x.renamed {
					t.Errorf("%s: renamed %v, err %v", x.name, x.renamed, x.err)
				}
			}
			got := [][]string{files(t, a, "new"), files(t, b, "new"), files(t, a, "tmp"), files(t, b, "tmp")}
			want := [][]string{{"1: one\n", "3: three\n"}, {"2: two\n"}, nil, nil}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("a/new, b/new, a/tmp, b/tmp (-want +got):\n%s", diff)
			}
		})
	}
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

// Many deliveries at once into several folders (as many SMTP sessions
// make) are all there, each whole, and nothing is left in tmp/.
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
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				text := fmt.Sprintf("Subject: %d-%d\r\n\r\n%s\r\n", w, i, strings.Repeat("x", (w*each+i)%3000))
				if _, err := dirs[(w+i)%len(dirs)].Deliver(strings.NewReader(text)); err != nil {
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

// In a round where one delivery cannot be renamed (its new/ is gone), the
// others go on; the failed one leaves nothing behind and says why.
func TestRoundWithAFailure(t *testing.T) {
	t.Parallel()
	good, bad := Dir(filepath.Join(t.TempDir(), "good")), Dir(filepath.Join(t.TempDir(), "bad"))
	for _, d := range []Dir{good, bad} {
		if err := d.Create(); err != nil {
			t.Fatal(err)
		}
	}
	data := []*delivery{written(t, good, "1", "one\n"), written(t, bad, "2", "two\n"), written(t, good, "3", "three\n")}
	if err := os.Remove(filepath.Join(string(bad), "new")); err != nil {
		t.Fatal(err)
	}
	renamed := round(data, nil)
	round(nil, renamed)
	var names []string
	for _, x := range renamed {
		names = append(names, x.name)
	}
	got := []any{names, errors.Is(data[1].err, fs.ErrNotExist), data[0].err, data[2].err,
		files(t, good, "new"), files(t, good, "tmp"), files(t, bad, "tmp")}
	want := []any{[]string{"1", "3"}, true, nil, nil, []string{"1: one\n", "3: three\n"}, []string(nil), []string(nil)}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("renamed, errors, good/new, good/tmp, bad/tmp (-want +got):\n%s", diff)
	}
}
