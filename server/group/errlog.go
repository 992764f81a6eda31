package group

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync"
)

// ErrorLogName is the error log's name in a group's data folder; the one
// before it is kept as ErrorLogName + ".1".
const ErrorLogName = "server.log"

// errorLogBytes is the size at which server.log is rotated (once: the
// older one is removed), so the error log takes at most twice this.
const errorLogBytes = 1 << 20

// logFile is a file that is rotated once when it reaches max bytes: the
// file becomes path.1 (replacing the one before) and a new one is begun.
type logFile struct {
	path string
	max  int64

	mu   sync.Mutex
	f    *os.File
	size int64
	also io.Writer // a copy of every line (stderr), or nil
}

// openLogFile opens (appending, mode 0640) the log file at path.
func openLogFile(path string, max int64, also io.Writer) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("group: error log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("group: error log: %w", err)
	}
	return &logFile{path: path, max: max, f: f, size: fi.Size(), also: also}, nil
}

// Write writes one log entry (log.Logger writes each in one call) to the
// file and to the copy. It never fails: an error log that cannot be
// written must not stop what is being logged.
func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.also != nil {
		l.also.Write(p)
	}
	if l.f == nil {
		return len(p), nil
	}
	if l.size > 0 && l.size+int64(len(p)) > l.max {
		l.rotate()
	}
	n, _ := l.f.Write(p)
	l.size += int64(n)
	return len(p), nil
}

func (l *logFile) rotate() {
	old := l.path + ".1"
	if err := os.Rename(l.path, old); err != nil {
		return // go on in this file
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return
	}
	l.f.Close()
	l.f, l.size = f, 0
}

// Close closes the file; later entries go only to the copy.
func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// newErrorLog is the error log of the group's data folder dir: server.log
// there, and also (when set) a copy to also, each entry prefixed with the
// group.
func newErrorLog(dir string, group int, also io.Writer) (*log.Logger, io.Closer, error) {
	lf, err := openLogFile(filepath.Join(dir, ErrorLogName), errorLogBytes, also)
	if err != nil {
		return nil, nil, err
	}
	return log.New(lf, fmt.Sprintf("g%d ", group), log.LstdFlags|log.LUTC|log.Lmsgprefix), lf, nil
}
