package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// sinceMargin is how far before the time asked for ReadSince starts to
// read: events are written in the order they were recorded, and a
// session's events carry the time they happened, which may be a little
// (the time of one command) before that of events written earlier.
const sinceMargin = 10 * time.Second

// ReadSince calls fn, in order, for each event of the journal in the data
// folder dir recorded at or after t (all of them for a zero t). A missing
// journal has none. It reads only the end of the journal that can hold
// such events: the rotated segments closed after t (their names carry
// when), then the current one from a point found by bisection on the
// events' times.
func ReadSince(dir string, t time.Time, fn func(Event) error) error {
	segs, err := Segments(dir)
	if err != nil {
		return err
	}
	var rotated []Segment
	for _, seg := range segs {
		// a segment's end is truncated to the second in its name
		if !seg.Current && (t.IsZero() || !seg.End.Add(time.Second+sinceMargin).Before(t)) {
			rotated = append(rotated, seg)
		}
	}
	for _, seg := range rotated {
		r, err := seg.Open()
		if errors.Is(err, os.ErrNotExist) {
			continue // removed meanwhile: older than what is kept
		}
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		err = readLinesSince(r, t, fn)
		r.Close()
		if err != nil {
			return err
		}
	}
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
	return readLinesSince(f, t, fn)
}

// readLinesSince calls fn for the events of r at or after t, skipping
// older lines by their leading time without decoding them.
func readLinesSince(r io.Reader, t time.Time, fn func(Event) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			if at, ok := lineTime(line); !ok || !at.Before(t) {
				var e Event
				if json.Unmarshal(line, &e) == nil && !e.Time.Before(t) {
					if ferr := fn(e); ferr != nil {
						return ferr
					}
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
}

// lineTime reads the time of the event on a journal line without decoding
// the rest: the journal writes it first.
func lineTime(line []byte) (time.Time, bool) {
	const prefix = `{"t":"`
	if !bytes.HasPrefix(line, []byte(prefix)) {
		return time.Time{}, false
	}
	rest := line[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return t, err == nil
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
		if t, ok := lineTime(line); ok {
			return at, t, true, nil
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
