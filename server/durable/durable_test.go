package durable_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
