package journal_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/journal"
)

// ReadSince across rotated segments: events after t are found whether
// they are in an older, compressed segment or in the current one, and an
// old segment that ended long before t holds none of them.
func TestReadSinceSegments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := journal.OpenDir(dir, 3, journal.Options{SegmentBytes: 2 << 10})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	for i := range 200 {
		// a minute apart: the early segments end long before the middle
		j.Record(journal.Event{Time: base.Add(time.Duration(i) * time.Minute), Kind: journal.Note, Count: i})
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	segs, err := journal.Segments(dir)
	if err != nil || len(segs) < 4 {
		t.Fatalf("segments %v, %v: want several", segs, err)
	}
	for _, from := range []int{0, 1, 57, 150, 199, 200} {
		var got []int
		err := journal.ReadSince(dir, base.Add(time.Duration(from)*time.Minute), func(e journal.Event) error {
			got = append(got, e.Count)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for i := from; i < 200; i++ {
			want = append(want, i)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("from %d: -want +got:\n%s", from, diff)
		}
	}
}
