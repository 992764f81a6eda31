package journal

import (
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A group's journal on disk is a sequence of segments in its data folder:
// the current one, FileName, and before it the rotated ones, each named
//
//	journal-OFFSET-END.jsonl      (just rotated)
//	journal-OFFSET-END.jsonl.gz   (compressed in the background)
//
// where OFFSET (12 digits) is where the segment begins in the whole
// journal, counting uncompressed bytes from the first event ever written,
// and END is when it was rotated, in UTC (20261203T114000Z): its events
// are all older. Sorted by name, the rotated segments are in order.

const (
	segmentPrefix = "journal-"
	segmentExt    = ".jsonl"
	gzExt         = ".gz"
	endLayout     = "20060102T150405Z"
)

// Segment is one file of a journal.
type Segment struct {
	Path string
	// Offset is where the segment begins in the whole journal
	// (uncompressed bytes).
	Offset int64
	// End is when the segment was rotated: its events are older. It is
	// zero for the current segment.
	End time.Time
	// Current says this is FileName, the segment being written.
	Current bool
	// Compressed says the file is gzip-compressed.
	Compressed bool
}

// SegmentName is the name of a rotated segment that begins at offset and
// was rotated at end.
func SegmentName(offset int64, end time.Time) string {
	return fmt.Sprintf("%s%012d-%s%s", segmentPrefix, offset, end.UTC().Format(endLayout), segmentExt)
}

// parseSegment reads a rotated segment's name.
func parseSegment(name string) (Segment, bool) {
	rest, ok := strings.CutPrefix(name, segmentPrefix)
	if !ok {
		return Segment{}, false
	}
	var seg Segment
	if r, ok := strings.CutSuffix(rest, gzExt); ok {
		rest, seg.Compressed = r, true
	}
	rest, ok = strings.CutSuffix(rest, segmentExt)
	if !ok {
		return Segment{}, false
	}
	off, end, ok := strings.Cut(rest, "-")
	if !ok {
		return Segment{}, false
	}
	n, err := strconv.ParseInt(off, 10, 64)
	if err != nil || n < 0 {
		return Segment{}, false
	}
	t, err := time.Parse(endLayout, end)
	if err != nil {
		return Segment{}, false
	}
	seg.Offset, seg.End = n, t
	return seg, true
}

// Segments lists the journal's segments in dir, oldest first, the current
// one (FileName, when it exists) last. A segment both compressed and not
// (compression under way) is listed once, uncompressed.
func Segments(dir string) ([]Segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("journal: %w", err)
	}
	var segs []Segment
	current := false
	for _, e := range entries {
		name := e.Name()
		if name == FileName {
			current = true
			continue
		}
		seg, ok := parseSegment(name)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		seg.Path = filepath.Join(dir, name)
		segs = append(segs, seg)
	}
	slices.SortFunc(segs, func(a, b Segment) int {
		// by offset; of two at one offset the uncompressed one first: it
		// is complete, the other may not be
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(b2i(a.Compressed), b2i(b.Compressed)))
	})
	segs = slices.CompactFunc(segs, func(a, b Segment) bool { return a.Offset == b.Offset })
	if current {
		base := int64(0)
		if len(segs) > 0 {
			base = segmentEnd(segs[len(segs)-1])
		}
		segs = append(segs, Segment{Path: filepath.Join(dir, FileName), Offset: base, Current: true})
	}
	return segs, nil
}

// b2i orders false before true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// segmentEnd is where the segment ends in the whole journal: its offset
// and its uncompressed size (for a compressed one, from the gzip trailer:
// segments are far smaller than 4 GiB).
func segmentEnd(seg Segment) int64 {
	size, err := uncompressedSize(seg)
	if err != nil {
		return seg.Offset
	}
	return seg.Offset + size
}

func uncompressedSize(seg Segment) (int64, error) {
	if !seg.Compressed {
		fi, err := os.Stat(seg.Path)
		if err != nil {
			if gz, err := os.Stat(seg.Path + gzExt); err == nil && gz.Mode().IsRegular() {
				return uncompressedSize(Segment{Path: seg.Path + gzExt, Compressed: true})
			}
			return 0, err
		}
		return fi.Size(), nil
	}
	f, err := os.Open(seg.Path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var tail [4]byte
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if _, err := f.ReadAt(tail[:], fi.Size()-4); err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint32(tail[:])), nil
}

// currentBase is the offset of FileName in the whole journal in dir.
func currentBase(dir string) int64 {
	segs, err := Segments(dir)
	if err != nil {
		return 0
	}
	for _, s := range segs {
		if s.Current {
			return s.Offset
		}
	}
	if len(segs) > 0 {
		return segmentEnd(segs[len(segs)-1])
	}
	return 0
}

// Size is the segment's uncompressed size (for a compressed one, from the
// gzip trailer: segments are far smaller than 4 GiB).
func (seg Segment) Size() (int64, error) { return uncompressedSize(seg) }

// Open opens the segment for reading its events, uncompressed. A rotated
// segment compressed since it was listed is found under its new name.
func (seg Segment) Open() (io.ReadCloser, error) { return seg.open() }

// open opens a segment for reading, decompressing it when it is
// compressed. A rotated segment compressed since it was listed is found
// under its new name.
func (seg Segment) open() (io.ReadCloser, error) {
	f, err := os.Open(seg.Path)
	if errors.Is(err, os.ErrNotExist) && !seg.Current && !seg.Compressed {
		seg.Path += gzExt
		seg.Compressed = true
		f, err = os.Open(seg.Path)
	}
	if err != nil {
		return nil, err
	}
	if !seg.Compressed {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", seg.Path, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

// ReadDir calls fn for each event of the journal in dir, every segment in
// order, oldest first. Segments removed while it reads (dropped past the
// size bound) are skipped; a missing journal has no events.
func ReadDir(dir string, fn func(Event) error) error {
	segs, err := Segments(dir)
	if err != nil {
		return err
	}
	return ReadSegments(segs, fn)
}

// ReadSegments calls fn for each event of segs, in order. A segment that
// is gone is skipped.
func ReadSegments(segs []Segment, fn func(Event) error) error {
	for _, seg := range segs {
		r, err := seg.open()
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		err = Read(r, fn)
		r.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadDirAll returns every event of the journal in dir (see ReadDir).
func ReadDirAll(dir string) ([]Event, error) {
	var events []Event
	err := ReadDir(dir, func(e Event) error { events = append(events, e); return nil })
	return events, err
}

// rotate renames the current segment f (of size bytes as this journal
// counts them, beginning at base) to its rotated name and opens a new
// FileName, returned with the size f had (another process, `lab user add`,
// may have appended to it too); nil when that failed (the journal goes on
// in f). It runs in the one writer, without the journal's lock.
func (j *Journal) rotate(f *os.File, base, size int64) (*os.File, int64) {
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	cur := filepath.Join(j.dir, FileName)
	rotated := filepath.Join(j.dir, SegmentName(base, time.Now()))
	if err := os.Rename(cur, rotated); err != nil {
		j.logf("journal: rotating: %v", err)
		j.rotateAt = size + j.opt.SegmentBytes // try again a segment later
		return nil, size
	}
	nf, err := os.OpenFile(cur, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		j.logf("journal: rotating: %v", err)
		if os.Rename(rotated, cur) != nil {
			j.logf("journal: rotating: could not put %s back", rotated)
		}
		j.rotateAt = size + j.opt.SegmentBytes
		return nil, size
	}
	j.rotateAt = j.opt.SegmentBytes
	f.Close()
	j.segments.kick()
	return nf, size
}

// segmenter compresses rotated segments and removes the oldest past the
// bound, on a goroutine of its own.
type segmenter struct {
	dir  string
	opt  Options
	logf func(string, ...any)
	wake chan struct{}
	quit chan struct{}
	wg   sync.WaitGroup
}

func startSegmenter(dir string, opt Options, logf func(string, ...any)) *segmenter {
	s := &segmenter{dir: dir, opt: opt, logf: logf, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	s.wg.Add(1)
	go s.run()
	s.kick() // leftovers of an earlier run
	return s
}

func (s *segmenter) kick() {
	if s == nil {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *segmenter) stop() {
	close(s.quit)
	s.wg.Wait()
}

func (s *segmenter) run() {
	defer s.wg.Done()
	for {
		select {
		case <-s.quit:
			s.tidy() // what the last rotation left
			return
		case <-s.wake:
			s.tidy()
		}
	}
}

// tidy compresses every rotated segment not compressed yet, then removes
// the oldest segments while all of them together are over MaxBytes (never
// the current one, nor the newest rotated one).
func (s *segmenter) tidy() {
	if matches, _ := filepath.Glob(filepath.Join(s.dir, segmentPrefix+"*"+gzExt+".tmp")); len(matches) > 0 {
		for _, m := range matches {
			os.Remove(m)
		}
	}
	segs, err := Segments(s.dir)
	if err != nil {
		s.logf("%v", err)
		return
	}
	if !s.opt.NoCompress {
		for i, seg := range segs {
			if seg.Current || seg.Compressed {
				continue
			}
			if err := compress(seg.Path); err != nil {
				s.logf("journal: compressing %s: %v", filepath.Base(seg.Path), err)
				continue
			}
			segs[i].Path, segs[i].Compressed = seg.Path+gzExt, true
		}
	}
	var total int64
	sizes := make([]int64, len(segs))
	for i, seg := range segs {
		if fi, err := os.Stat(seg.Path); err == nil {
			sizes[i] = fi.Size()
			total += sizes[i]
		}
	}
	for i := 0; total > s.opt.MaxBytes && i < len(segs)-2; i++ {
		if err := os.Remove(segs[i].Path); err != nil {
			s.logf("journal: removing %s: %v", filepath.Base(segs[i].Path), err)
			continue
		}
		total -= sizes[i]
	}
}

// compress writes path as path.gz (through a temporary file, synced) and
// removes path.
func compress(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := path + gzExt + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(out, gzip.BestSpeed)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path+gzExt)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Remove(path)
}
