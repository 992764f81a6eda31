package durable_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/durable"
)

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	// an old temporary file with a wide mode must not pass it on
	os.WriteFile(path+".tmp", []byte("stale"), 0o666)
	if err := durable.Replace(path, strings.NewReader("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := durable.WriteFile(path, strings.NewReader("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(b) != "second" || fi.Mode().Perm() != 0o600 {
		t.Errorf("file %q mode %v", b, fi.Mode().Perm())
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }

// A failed write leaves the old file as it was and no temporary file.
func TestWriteFileFailureKeepsTheOld(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("old"), 0o600)
	if err := durable.WriteFile(path, failingReader{}, 0o600); err == nil {
		t.Fatal("no error")
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old" {
		t.Errorf("file now %q", b)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
	if err := durable.SyncDir(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("SyncDir of a missing folder: no error")
	}
}

// A file written under a new name is there, whole, with no temporary
// file beside it, and Rename moves over an existing file.
func TestWriteFileNewNameAndRename(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, content string
	}{
		{"a.json", "{}\n"},
		{"b.eml", strings.Repeat("line\n", 5000)},
		{"empty", ""},
	}
	for _, tt := range tests {
		if err := durable.WriteFile(filepath.Join(dir, tt.name), strings.NewReader(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := durable.Rename(filepath.Join(dir, "a.json"), filepath.Join(dir, "empty")); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(b)
	}
	want := map[string]string{"b.eml": tests[1].content, "empty": "{}\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folder (-want +got):\n%s", diff)
	}
	if err := durable.WriteFile(filepath.Join(dir, "missing", "f"), strings.NewReader("x"), 0o600); err == nil {
		t.Error("WriteFile into a missing folder: no error")
	}
}
