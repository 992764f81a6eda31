//go:build !unix

package maildir

import (
	"io"
	"os"
	"path/filepath"
)

// openRead opens a file for reading it once, from start to end.
func openRead(path string) (io.ReadCloser, error) { return os.Open(path) }

// folders is a Maildir whose messages are opened by path.
type folders struct{ d Dir }

func openFolders(d Dir) (*folders, error) { return &folders{d: d}, nil }

func (f *folders) open(name string) (io.ReadCloser, error) {
	return openRead(filepath.Join(string(f.d), filepath.FromSlash(name)))
}

func (f *folders) close() error { return nil }
