package journal

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
)

// A subscriber that blocks does not hold Record up: the events go to the
// file; once it reads again it is told how many it lost, and it gets the
// newest ones.
func TestBlockedSubscriberLosesOldest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := OpenDir(dir, 1, Options{QueueEvents: 16})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var mu sync.Mutex
	var got []Event
	sub := j.Subscribe(func(e Event) {
		<-release
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	const total = 1000
	for i := range total {
		j.Record(Event{Kind: Note, Line: fmt.Sprint(i)})
	}
	events, err := ReadDirAll(dir)
	if err != nil || len(events) != total {
		t.Fatalf("%d events in the file while the subscriber is stuck, want %d (%v)", len(events), total, err)
	}
	close(release)
	sub.Wait()
	mu.Lock()
	defer mu.Unlock()
	var delivered, dropped int
	var last string
	for _, e := range got {
		switch e.Kind {
		case Dropped:
			dropped += e.Count
		case Note:
			delivered++
			last = e.Line
		}
	}
	type summary struct {
		Seen       int
		Last       string
		SomeLost   bool
		LostBefore bool
	}
	want := summary{Seen: total, Last: fmt.Sprint(total - 1), SomeLost: true, LostBefore: true}
	// the newest events come after the notice of what was lost, in order
	// (how many come after it depends on when the stuck subscriber took
	// its first event: at most the queue and the one in its hands)
	lastDrop := -1
	for i, e := range got {
		if e.Kind == Dropped {
			lastDrop = i
		}
	}
	lostBefore := lastDrop >= 0 && len(got)-lastDrop-1 >= 1 && len(got)-lastDrop-1 <= 17
	for i := lastDrop + 1; lostBefore && i < len(got); i++ {
		want := fmt.Sprint(total - (len(got) - i))
		lostBefore = got[i].Kind == Note && got[i].Line == want
	}
	gotSum := summary{Seen: delivered + dropped, Last: last, SomeLost: dropped > 0, LostBefore: lostBefore}
	if diff := cmp.Diff(want, gotSum); diff != "" {
		t.Errorf("subscriber (-want +got):\n%s", diff)
	}
	j.Close()
}

// A subscriber's panic is logged and the next events still come.
func TestSubscriberPanicRecovered(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	var mu sync.Mutex
	j, err := OpenDir(t.TempDir(), 1, Options{ErrorLog: log.New(&syncWriter{w: &logged, mu: &mu}, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	sub := j.Subscribe(func(e Event) {
		if e.Line == "boom" {
			panic("a subscriber's bug")
		}
		seen = append(seen, e.Line)
	})
	for _, l := range []string{"a", "boom", "b"} {
		j.Record(Event{Kind: Note, Line: l})
	}
	sub.Wait()
	if diff := cmp.Diff([]string{"a", "b"}, seen); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	mu.Lock()
	if !bytes.Contains(logged.Bytes(), []byte("panic in a subscriber (event note): a subscriber's bug")) {
		t.Errorf("error log:\n%s", logged.String())
	}
	mu.Unlock()
	j.Close()
}

// SubscribeBatches hands over every event inside a call of around, in
// order, and gathers the events queued while the subscriber was busy into
// one batch.
func TestSubscribeBatches(t *testing.T) {
	t.Parallel()
	j, err := OpenDir(t.TempDir(), 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var (
		batches [][]string
		inside  bool
		outside int // events delivered outside a batch: must stay 0
	)
	first := make(chan struct{})
	release := make(chan struct{})
	sub := j.SubscribeBatches(func(e Event) {
		if !inside {
			outside++
		}
		batches[len(batches)-1] = append(batches[len(batches)-1], e.Line)
		if e.Line == "a" {
			close(first)
			<-release // busy: the next events queue up
		}
	}, func(deliver func()) {
		batches = append(batches, nil)
		inside = true
		deliver()
		inside = false
	})
	j.Record(Event{Kind: Note, Line: "a"})
	<-first
	for _, l := range []string{"b", "c", "d"} {
		j.Record(Event{Kind: Note, Line: l})
	}
	close(release)
	sub.Wait()
	if diff := cmp.Diff([][]string{{"a"}, {"b", "c", "d"}}, batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if outside != 0 {
		t.Errorf("%d events delivered outside a batch", outside)
	}
	j.Close()
}

type syncWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// A write that fails (a closed file; a full disk) is kept, shown to the
// subscribers once, and cleared once writing works again.
func TestWriteErrorShownAndCleared(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := OpenDir(dir, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	sub := j.Subscribe(func(e Event) {
		if e.Kind == WriteFailed {
			seen = append(seen, e.Result)
		}
	})
	good := j.f
	bad, err := os.Open(filepath.Join(dir, FileName)) // read-only: writes fail
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	j.mu.Lock()
	j.f = bad
	j.mu.Unlock()
	j.Record(Event{Kind: Note, Line: "lost"})
	j.Record(Event{Kind: Note, Line: "lost too"})
	failing := j.WriteError() != nil
	j.mu.Lock()
	j.f = good
	j.mu.Unlock()
	j.Record(Event{Kind: Note, Line: "kept"})
	sub.Wait()
	type state struct {
		Failing, FailingAfter, ErrKept bool
		Seen                           []string
	}
	want := state{Failing: true, ErrKept: true, Seen: []string{ResultError, ResultOK}}
	got := state{Failing: failing, FailingAfter: j.WriteError() != nil, ErrKept: j.Err() != nil, Seen: seen}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	j.Close()
}

// On a full disk (/dev/full, where there is one) Record goes on and the
// error is kept.
func TestWriteErrorFullDisk(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		// Linux has it (CI runs there: there this fails); macOS and
		// Windows do not, and the closed-file test covers them
		testenv.Unavailable(t, "no /dev/full on this system")
	}
	j, err := OpenFile("/dev/full", 1)
	if err != nil {
		t.Fatal(err)
	}
	j.Record(Event{Kind: Note})
	if err := j.WriteError(); err == nil {
		t.Error("no write error on /dev/full")
	}
	j.Close()
}

// A session's first SessionCommands commands are recorded with their
// replies; the rest are counted in its close event.
func TestSessionBound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		commands             int
		wantCmds, wantReply  int
		wantSkipC, wantSkipR int
	}{
		{commands: 3, wantCmds: 3, wantReply: 3},
		{commands: 10, wantCmds: 10, wantReply: 10},
		{commands: 11, wantCmds: 10, wantReply: 10, wantSkipC: 1, wantSkipR: 1},
		{commands: 5000, wantCmds: 10, wantReply: 10, wantSkipC: 4990, wantSkipR: 4990},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.commands), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			j, err := OpenDir(dir, 1, Options{SessionCommands: 10})
			if err != nil {
				t.Fatal(err)
			}
			s := j.NewSession("pop3", nil, nil, 0)
			for range tt.commands {
				s.Hold(Event{Kind: Command, Verb: "NOOP", Line: "NOOP"})
				s.Record(Event{Kind: Reply, Code: "+OK", Line: "+OK"})
			}
			s.Record(Event{Kind: Retrieved, UID: "u1"}) // not a command: kept
			s.Record(Event{Kind: Close})
			j.Close()
			events, err := ReadDirAll(dir)
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			var closeEv Event
			for _, e := range events {
				count[e.Kind]++
				if e.Kind == Close {
					closeEv = e
				}
			}
			want := map[string]int{Open: 1, Command: tt.wantCmds, Reply: tt.wantReply, Retrieved: 1, Close: 1, "skipped cmds": tt.wantSkipC, "skipped replies": tt.wantSkipR}
			count["skipped cmds"], count["skipped replies"] = closeEv.SkippedCmds, closeEv.SkippedReplies
			if diff := cmp.Diff(want, count); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// OnlyRecorded passes the events of the file and holds back the ones the
// journal makes for its subscribers.
func TestOnlyRecorded(t *testing.T) {
	t.Parallel()
	var got []string
	fn := OnlyRecorded(func(e Event) { got = append(got, e.Kind) })
	for _, k := range []string{Open, Dropped, Command, WriteFailed, Close} {
		fn(Event{Kind: k})
	}
	if diff := cmp.Diff([]string{Open, Command, Close}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
