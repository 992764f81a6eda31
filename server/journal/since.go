package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// sinceMargin is how far before the time asked for ReadSince starts to
// read: events are written in the order they were recorded, and a
// session's events carry the time they happened, which may be a little
// before that of events written earlier.
const sinceMargin = time.Minute

// ReadSince calls fn, in order, for each event of the journal in the data
// folder dir recorded at or after t (all of them for a zero t). A missing
// journal has none. It reads only the end of the journal that can hold
// such events, found by bisection on the events' times.
func ReadSince(dir string, t time.Time, fn func(Event) error) error {
	f, err := os.Open(filepath.Join(dir, FileName))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	var start int64
	if !t.IsZero() {
		fi, err := f.Stat()
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		if start, err = lineBefore(f, fi.Size(), t.Add(-sinceMargin)); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return Read(f, func(e Event) error {
		if e.Time.Before(t) {
			return nil
		}
		return fn(e)
	})
}

// lineBefore returns the offset of a line of the journal f (of size bytes)
// whose event is before t, with no such line far after it: where a
// reader of the events from t on may start.
func lineBefore(f *os.File, size int64, t time.Time) (int64, error) {
	lo, hi := int64(0), size
	for hi-lo > 64<<10 {
		mid := lo + (hi-lo)/2
		at, when, ok, err := lineAfter(f, mid, hi)
		if err != nil {
			return 0, err
		}
		if ok && when.Before(t) {
			lo = at
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// lineAfter finds the first whole line that starts after offset off (and
// before end) and returns its offset and its event's time.
func lineAfter(f *os.File, off, end int64) (int64, time.Time, bool, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(f, off, end-off), 16<<10)
	skip, err := br.ReadBytes('\n')
	if err != nil {
		if err == io.EOF {
			err = nil
		}
		return 0, time.Time{}, false, err
	}
	at := off + int64(len(skip))
	for {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 || line[len(line)-1] != '\n' {
			if err == io.EOF {
				err = nil
			}
			return 0, time.Time{}, false, err
		}
		var e struct {
			T time.Time `json:"t"`
		}
		if json.Unmarshal(bytes.TrimSpace(line), &e) == nil && !e.T.IsZero() {
			return at, e.T, true, nil
		}
		at += int64(len(line)) // not an event: try the next line
	}
}
