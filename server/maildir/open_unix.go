//go:build unix

package maildir

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// openRead opens a file for reading it once, from start to end, through its
// descriptor, without the bookkeeping of an *os.File (which tries the
// poller for every file it opens): a POP3 session does this for every RETR.
func openRead(path string) (io.ReadCloser, error) {
	return openReadAt(unix.AT_FDCWD, path, path)
}

// openReadAt is openRead of name in the folder open as dirfd (or, with
// AT_FDCWD, of the path name); path names the file in errors.
func openReadAt(dirfd int, name, path string) (io.ReadCloser, error) {
	for {
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return &fdReader{fd: fd}, nil
	}
}

// folders are new/ and cur/ open as descriptors.
type folders struct {
	d        Dir
	new, cur int
}

func openFolders(d Dir) (*folders, error) {
	f := &folders{d: d, new: -1, cur: -1}
	for _, sub := range []struct {
		name string
		fd   *int
	}{{"new", &f.new}, {"cur", &f.cur}} {
		path := filepath.Join(string(d), sub.name)
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			f.close()
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		*sub.fd = fd
	}
	return f, nil
}

// open opens the message called name ("cur/…" or "new/…") for reading.
func (f *folders) open(name string) (io.ReadCloser, error) {
	path := filepath.Join(string(f.d), filepath.FromSlash(name))
	switch sub, base, _ := strings.Cut(name, "/"); sub {
	case "new":
		return openReadAt(f.new, base, path)
	case "cur":
		return openReadAt(f.cur, base, path)
	}
	return openRead(path)
}

func (f *folders) close() error {
	var err error
	for _, fd := range []*int{&f.new, &f.cur} {
		if *fd >= 0 {
			if e := unix.Close(*fd); e != nil && err == nil {
				err = e
			}
			*fd = -1
		}
	}
	return err
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
