package journal_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/journal"
)

// recordNotes records n note events "0", "1", … and returns their lines.
func recordNotes(j *journal.Journal, from, n int) []string {
	var lines []string
	for i := from; i < from+n; i++ {
		line := fmt.Sprintf("%d %s", i, strings.Repeat("x", 100))
		j.Record(journal.Event{Kind: journal.Note, Line: line})
		lines = append(lines, line)
	}
	return lines
}

func noteLines(t *testing.T, dir string) []string {
	t.Helper()
	events, err := journal.ReadDirAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Kind == journal.Note {
			got = append(got, e.Line)
		}
	}
	return got
}

// A journal rotated many times reads back whole and in order, across a
// restart; its rotated segments are compressed, named in order, and each
// begins where the one before it ends.
func TestSegmentsRotateAndReadBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opt := journal.Options{SegmentBytes: 4096}
	j, err := journal.OpenDir(dir, 3, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := recordNotes(j, 0, 300)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j, err = journal.OpenDir(dir, 3, opt) // a restart goes on where it was
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, recordNotes(j, 300, 100)...)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, noteLines(t, dir)); diff != "" {
		t.Errorf("events read back (-recorded +read):\n%s", diff)
	}
	checkSegments(t, dir, 10)
}

// checkSegments checks that dir holds at least min segments, the rotated
// ones compressed and named as SegmentName names them, each beginning where
// the one before it ends.
func checkSegments(t *testing.T, dir string, min int) {
	t.Helper()
	segs, err := journal.Segments(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) < min {
		t.Fatalf("%d segments, want at least %d", len(segs), min)
	}
	var problems []string
	var end int64
	for i, seg := range segs {
		last := i == len(segs)-1
		if seg.Current != last || seg.Compressed == last {
			problems = append(problems, fmt.Sprintf("%s: current %v, compressed %v", filepath.Base(seg.Path), seg.Current, seg.Compressed))
		}
		if seg.Offset != end {
			problems = append(problems, fmt.Sprintf("%s begins at %d, the one before ends at %d", filepath.Base(seg.Path), seg.Offset, end))
		}
		if !last && filepath.Base(seg.Path) != journal.SegmentName(seg.Offset, seg.End)+".gz" {
			problems = append(problems, fmt.Sprintf("%s: not its name", seg.Path))
		}
		n, err := segmentSize(seg)
		if err != nil {
			t.Fatal(err)
		}
		end += n
	}
	if diff := cmp.Diff([]string(nil), problems); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
}

// segmentSize is a segment's uncompressed size, read in full.
func segmentSize(seg journal.Segment) (int64, error) {
	f, err := os.Open(seg.Path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if seg.Compressed {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return 0, err
		}
		r = zr
	}
	return io.Copy(io.Discard, r)
}

// Past MaxBytes the oldest segments go: what is left is the newest events,
// with no gap, and the segments on disk stay within the bound.
func TestSegmentsOldestDropped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const segBytes, maxBytes = 4096, 6 * 1024
	j, err := journal.OpenDir(dir, 3, journal.Options{SegmentBytes: segBytes, MaxBytes: maxBytes, NoCompress: true})
	if err != nil {
		t.Fatal(err)
	}
	all := recordNotes(j, 0, 400)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	got := noteLines(t, dir)
	if len(got) == 0 || len(got) >= len(all) {
		t.Fatalf("%d events left of %d", len(got), len(all))
	}
	if diff := cmp.Diff(all[len(all)-len(got):], got); diff != "" {
		t.Errorf("the events left are not the newest (-want +got):\n%s", diff)
	}
	segs, _ := journal.Segments(dir)
	var total int64
	for _, s := range segs {
		fi, err := os.Stat(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	// the bound, plus what the current segment may have grown since the
	// last tidying (at most a segment and a write)
	if limit := int64(maxBytes + segBytes + 200); total > limit {
		t.Errorf("%d bytes of segments on disk, want at most %d", total, limit)
	}
}

// A journal that was never written has no segments and no events.
func TestSegmentsMissing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nothing")
	segs, err := journal.Segments(dir)
	if err != nil || segs != nil {
		t.Errorf("Segments: %v, %v", segs, err)
	}
	events, err := journal.ReadDirAll(dir)
	if err != nil || events != nil {
		t.Errorf("ReadDirAll: %v, %v", events, err)
	}
}

// Another process appending to the current segment (lab user add while the
// server runs) does not break the offsets: each segment still begins where
// the one before it ends, and every event is read back.
func TestSegmentsWithAnotherWriter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := journal.OpenDir(dir, 3, journal.Options{SegmentBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 30 {
		want = append(want, recordNotes(j, i*10, 10)...)
		other, err := journal.OpenFile(filepath.Join(dir, journal.FileName), 3)
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("other %d", i)
		other.Record(journal.Event{Kind: journal.Note, Line: line})
		other.Close()
		want = append(want, line)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, noteLines(t, dir)); diff != "" {
		t.Errorf("events read back (-recorded +read):\n%s", diff)
	}
	checkSegments(t, dir, 5)
}
