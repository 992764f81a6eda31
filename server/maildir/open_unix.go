//go:build unix

package maildir

import (
	"io"
	"os"
	"syscall"
)

// openRead opens a file for reading it once, from start to end, through its
// descriptor, without the bookkeeping of an *os.File (which tries the
// poller for every file it opens): a POP3 session does this for every RETR.
func openRead(path string) (io.ReadCloser, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return &fdReader{fd: fd}, nil
	}
}

// fdReader reads a file through its descriptor.
type fdReader struct{ fd int }

func (r *fdReader) Read(p []byte) (int, error) {
	if r.fd < 0 {
		return 0, os.ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(r.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

func (r *fdReader) Close() error {
	if r.fd < 0 {
		return os.ErrClosed
	}
	err := syscall.Close(r.fd)
	r.fd = -1
	return err
}
