//go:build !unix

package maildir

import (
	"io"
	"os"
)

// openRead opens a file for reading it once, from start to end.
func openRead(path string) (io.ReadCloser, error) { return os.Open(path) }
