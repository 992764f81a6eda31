package web

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"

	"maillab/server/journal"
)

// A cursor is a byte offset in the whole journal: its segments one after
// the other, uncompressed, counted from the first event ever written (see
// journal.Segment). It stays valid when the current segment is rotated; a
// cursor in segments dropped since then reads on from the oldest left.

// journalEnd is the cursor of the end of the journal in dir, and its
// segments.
func journalEnd(dir string) (int64, []journal.Segment) {
	segs, err := journal.Segments(dir)
	if err != nil || len(segs) == 0 {
		return 0, nil
	}
	last := segs[len(segs)-1]
	size, err := last.Size()
	if err != nil {
		return last.Offset, segs
	}
	return last.Offset + size, segs
}

// readPage reads up to limit events of the journal in dir from cursor
// after. A line being written (no newline yet) is left for the next page.
// A page read while the current segment was being rotated (its file then
// being another) is read again.
func readPage(dir string, after int64, limit int, red *redactor) (Events, error) {
	page, err := readPageOnce(dir, after, limit, red)
	for range 3 {
		segs, _ := journal.Segments(dir)
		if len(segs) == 0 || segs[len(segs)-1].Offset == page.base {
			break
		}
		page, err = readPageOnce(dir, after, limit, red)
	}
	return page.Events, err
}

type pageRead struct {
	Events
	base int64 // the offset of the current segment when it was read
}

func readPageOnce(dir string, after int64, limit int, red *redactor) (pageRead, error) {
	var pr pageRead
	pr.Events = Events{Events: []journal.Event{}, Next: after}
	page := &pr.Events
	end, segs := journalEnd(dir)
	if len(segs) > 0 {
		pr.base = segs[len(segs)-1].Offset
	}
	if after > end {
		return pr, badCursor{"after is past the end of the journal"}
	}
	if len(segs) == 0 {
		return pr, nil
	}
	if after < segs[0].Offset {
		after = segs[0].Offset // what was before has been dropped
		page.Next = after
	}
	var read int64
	for i, seg := range segs {
		next := end
		if i+1 < len(segs) {
			next = segs[i+1].Offset
		}
		if after >= next && i+1 < len(segs) {
			continue
		}
		if after < seg.Offset {
			after = seg.Offset
			page.Next = after
		}
		done, err := readSegment(seg, after, limit, &read, red, page)
		if err != nil || done {
			return pr, err
		}
		after = page.Next
	}
	return pr, nil
}

// readSegment reads events of seg from cursor after into page, until limit
// events or maxPageBytes have been read (done: more may be waiting).
func readSegment(seg journal.Segment, after int64, limit int, read *int64, red *redactor, page *Events) (done bool, err error) {
	r, err := seg.Open()
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // dropped meanwhile
	}
	if err != nil {
		return false, err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	if skip := after - seg.Offset; skip > 0 {
		if _, err := io.CopyN(io.Discard, br, skip-1); err != nil {
			return false, badCursor{"after is past the end of the journal"}
		}
		b, err := br.ReadByte()
		if err != nil {
			return false, badCursor{"after is past the end of the journal"}
		}
		if b != '\n' {
			return false, badCursor{"after is not the start of an event: use a \"next\" of an earlier answer"}
		}
	}
	for {
		if len(page.Events) >= limit || *read >= maxPageBytes {
			_, perr := br.Peek(1)
			page.More = perr == nil || !seg.Current
			return true, nil
		}
		line, err := br.ReadBytes('\n')
		if len(line) == 0 || line[len(line)-1] != '\n' {
			return seg.Current, nil // the end, or a line still being written
		}
		*read += int64(len(line))
		page.Next += int64(len(line))
		var e journal.Event
		if json.Unmarshal(line, &e) == nil {
			page.Events = append(page.Events, red.event(e))
		}
		if err != nil {
			return seg.Current, nil
		}
	}
}
