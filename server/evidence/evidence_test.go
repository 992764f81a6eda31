package evidence_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/evidence"
	"maillab/server/journal"
)

var epoch = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// history is n sessions of the kinds a class makes, as group 3's server
// records them: each a series of events, one second apart. Every session
// typed by hand and complete is slower than the one before, the worst case
// for what the state keeps; mail is delivered and half of it retrieved.
type history struct {
	n   int
	seq int
	at  time.Time
}

func (h *history) events(fn func(journal.Event)) {
	h.at = epoch
	for i := range h.n {
		id := "s-" + strconv.Itoa(i)
		pace := time.Duration(i%7+1) * 100 * time.Millisecond
		ev := func(e journal.Event) {
			e.Group, e.Session, e.Time = 3, id, h.at
			h.at = h.at.Add(pace)
			fn(e)
		}
		cmd := func(verb, code string) {
			ev(journal.Event{Kind: journal.Command, Verb: verb, Line: verb})
			ev(journal.Event{Kind: journal.Reply, Code: code, Line: code})
		}
		from := fmt.Sprintf("u%d@g%d.lab.test", i%50, 1+i%4)
		switch i % 4 {
		case 0, 1: // a POP3 session, from one of the groups' machines
			ev(journal.Event{Kind: journal.Open, Proto: "pop3", Remote: "127.0.1.3:4000", ClientGroup: 1 + i%3})
			cmd("USER", "+OK")
			cmd("PASS", "+OK")
			ev(journal.Event{Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultOK})
			cmd("STAT", "+OK")
			cmd("RETR", "+OK")
			uid := "welcome"
			if i%8 == 0 {
				uid = "m" + strconv.Itoa(i-2) // every other message delivered
			}
			ev(journal.Event{Kind: journal.Retrieved, User: "yom", UID: uid})
			for range i % 5 {
				cmd("NOOP", "+OK")
			}
			cmd("QUIT", "+OK")
		case 2: // an SMTP session delivering a message
			ev(journal.Event{Kind: journal.Open, Proto: "smtp", Remote: "127.0.0.1:4000"})
			cmd("HELO", "250")
			cmd("MAIL", "250")
			cmd("RCPT", "250")
			cmd("DATA", "354")
			ev(journal.Event{Kind: journal.Accepted, ID: "id" + strconv.Itoa(i), From: from, To: []string{"hana@g3.lab.test"}})
			ev(journal.Event{Kind: journal.Delivered, ID: "id" + strconv.Itoa(i), From: from, User: "yom", UID: "m" + strconv.Itoa(i),
				Rcpt: []string{"yom@g3.lab.test"}, Result: journal.ResultOK})
			ev(journal.Event{Kind: journal.Data})
			cmd("QUIT", "221")
		case 3: // a client that never ends its session properly
			ev(journal.Event{Kind: journal.Open, Proto: "pop3", Remote: "192.0.2.1:4000"})
			cmd("CAPA", "+OK")
		}
		ev(journal.Event{Kind: journal.Close})
		if i%1000 == 999 {
			ev(journal.Event{Kind: journal.Relayed, ID: "r" + strconv.Itoa(i), From: from, DestGroup: 2, Result: journal.ResultBounced})
		}
	}
}

func size(t *testing.T, st *evidence.State) int {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// The state does not grow with the history: past its bounds (4,096
// deliveries waiting to be read are reached after some 20,000 sessions of
// this history), it is no bigger after 100,000 sessions than after
// 50,000 (but for longer numbers in it), and under 1 MiB.
func TestStateIsBounded(t *testing.T) {
	t.Parallel()
	sizes := map[int]int{}
	for _, n := range []int{1000, 10000, 50000, 100000} {
		st := evidence.New(3)
		h := &history{n: n}
		h.events(st.Apply)
		sizes[n] = size(t, st)
		if int(st.Events) < 10*n {
			t.Fatalf("%d sessions made only %d events", n, st.Events)
		}
	}
	const limit = 1 << 20
	for n, s := range sizes {
		if s > limit {
			t.Errorf("after %d sessions the state is %d bytes, over %d", n, s, limit)
		}
	}
	if sizes[100000] > sizes[50000]+sizes[50000]/20 { // longer numbers only
		t.Errorf("the state grew with the history: %v bytes", sizes)
	}
	t.Logf("state size by sessions: %v", sizes)
}

// A state saved in the data folder and loaded again, with the events
// recorded after the save, is the state of all the events; a folder with
// no saved state has its journal read.
func TestSaveAndLoad(t *testing.T) {
	t.Parallel()
	var all []journal.Event
	(&history{n: 400}).events(func(e journal.Event) { all = append(all, e) })
	whole := evidence.New(3)
	for _, e := range all {
		whole.Apply(e)
	}
	tests := []struct {
		name  string
		saved int // events applied before the save; -1: no save
	}{
		{"no saved state", -1},
		{"saved at the end", len(all)},
		{"saved half way", len(all) / 2},
		{"saved at the start", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			j, err := journal.OpenFile(filepath.Join(dir, journal.FileName), 3)
			if err != nil {
				t.Fatal(err)
			}
			tr := evidence.NewTracker(evidence.New(3))
			j.Observe(tr.Observe)
			for i, e := range all {
				if i == tt.saved {
					if err := tr.Save(dir); err != nil {
						t.Fatal(err)
					}
				}
				j.Record(e)
			}
			if tt.saved == len(all) {
				if err := tr.Save(dir); err != nil {
					t.Fatal(err)
				}
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := evidence.Load(dir, 3)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(asJSON(t, whole), asJSON(t, got)); diff != "" {
				t.Errorf("loaded state (-all events +loaded):\n%s", diff)
			}
		})
	}
}

func asJSON(t *testing.T, st *evidence.State) map[string]any {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// ReadSince gives exactly the events from a time on, however long the
// journal (it bisects the file to find where to start).
func TestReadSince(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	const n = 5000 // about 500 KiB
	for i := range n {
		e := journal.Event{Time: epoch.Add(time.Duration(i) * time.Second), Group: 3, Kind: journal.Command, Session: "s", Verb: "NOOP",
			Line: fmt.Sprintf("NOOP %080d", i)}
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	f.WriteString(`{"t":"2026-11-25T10:00:00Z","gr`) // a line cut short
	f.Close()
	tests := []struct {
		since     time.Time
		wantFirst int
	}{
		{time.Time{}, 0},
		{epoch, 0},
		{epoch.Add(2500 * time.Second), 2500},
		{epoch.Add(4999 * time.Second), 4999},
		{epoch.Add(4998*time.Second + time.Millisecond), 4999},
		{epoch.Add(n * time.Second), n},
	}
	for _, tt := range tests {
		var got []int
		err := journal.ReadSince(dir, tt.since, func(e journal.Event) error {
			got = append(got, int(e.Time.Sub(epoch)/time.Second))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for i := tt.wantFirst; i < n; i++ {
			want = append(want, i)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("since %v (-want +got):\n%s", tt.since, diff)
		}
	}
	if err := journal.ReadSince(t.TempDir(), epoch, func(journal.Event) error { return nil }); err != nil {
		t.Errorf("no journal: %v", err)
	}
}

// A session's summary is bounded: the first MaxCommands commands in
// full, then counts; its pace is the median gap of those.
func TestSessionIsBounded(t *testing.T) {
	t.Parallel()
	st := evidence.New(3)
	at := epoch
	ev := func(e journal.Event) {
		e.Group, e.Session, e.Proto, e.Time = 3, "flood", "pop3", at
		st.Apply(e)
	}
	ev(journal.Event{Kind: journal.Open, Remote: "127.0.0.1:5000"})
	for i := range 10000 {
		gap := time.Second
		if i >= evidence.MaxCommands {
			gap = time.Millisecond // the flood after the first commands does not change the pace
		}
		at = at.Add(gap)
		ev(journal.Event{Kind: journal.Command, Verb: "NOOP"})
		ev(journal.Event{Kind: journal.Reply, Code: "+OK"})
	}
	for range 100 {
		ev(journal.Event{Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultFail})
	}
	ev(journal.Event{Kind: journal.Close})
	ss := st.Candidates(evidence.POP3Telnet, 3)
	if len(ss) != 1 {
		t.Fatalf("%d candidates", len(ss))
	}
	s := ss[0]
	m, ok := s.MedianGap()
	type summary struct {
		Commands, Kept, Logins, LoginsKept int
		Median                             time.Duration
		HasMedian                          bool
	}
	want := summary{Commands: 10000, Kept: 1, Logins: 100, LoginsKept: evidence.MaxLogins, Median: time.Second, HasMedian: true}
	got := summary{s.Commands, len(s.Cmds), s.LoginCount, len(s.Logins), m, ok}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

// lab hint runs in its own process and keeps its tiers in the data
// folder's hints.json: a loaded state has them, with those of the journal.
func TestLoadTakesHints(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := journal.OpenFile(filepath.Join(dir, journal.FileName), 3)
	if err != nil {
		t.Fatal(err)
	}
	j.Record(journal.Event{Kind: journal.Hint, ID: "pop3-telnet", Count: 1})
	j.Record(journal.Event{Kind: journal.Hint, ID: "apop-telnet", Count: 1})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hints.json"), []byte(`{"apop-telnet": 2, "cross-send": 3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := evidence.Load(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"pop3-telnet": 1, "apop-telnet": 2, "cross-send": 3}
	if diff := cmp.Diff(want, st.Hints); diff != "" {
		t.Errorf("hints (-want +got):\n%s", diff)
	}
}

// Marked counts the messages DELE marked that are still marked: an RSET
// takes the marks back, a QUIT's deletions clear them, a refused DELE
// marks nothing. The count survives evidence.json.
func TestSessionMarked(t *testing.T) {
	t.Parallel()
	type cmd struct{ verb, code string }
	dele, rset := cmd{"DELE", "+OK"}, cmd{"RSET", "+OK"}
	tests := []struct {
		name    string
		cmds    []cmd
		deleted bool // QUIT removed the marked messages
		want    int
	}{
		{name: "no DELE", cmds: []cmd{{"RETR", "+OK"}}, want: 0},
		{name: "two marks, closed without QUIT", cmds: []cmd{dele, dele}, want: 2},
		{name: "a refused DELE", cmds: []cmd{dele, {"DELE", "-ERR"}}, want: 1},
		{name: "RSET takes the marks back", cmds: []cmd{dele, dele, rset, dele}, want: 1},
		{name: "QUIT removed them", cmds: []cmd{dele, {"QUIT", "+OK"}}, deleted: true, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := evidence.New(3)
			at := epoch
			ev := func(e journal.Event) {
				at = at.Add(time.Second)
				e.Group, e.Session, e.Proto, e.Time = 3, "pop3-x-1", "pop3", at
				st.Apply(e)
			}
			ev(journal.Event{Kind: journal.Open, Remote: "127.0.0.1:5000"})
			ev(journal.Event{Kind: journal.Command, Verb: "USER"})
			ev(journal.Event{Kind: journal.Reply, Code: "+OK"})
			ev(journal.Event{Kind: journal.Command, Verb: "PASS"})
			ev(journal.Event{Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultOK})
			ev(journal.Event{Kind: journal.Reply, Code: "+OK"})
			for _, c := range tt.cmds {
				ev(journal.Event{Kind: journal.Command, Verb: c.verb})
				ev(journal.Event{Kind: journal.Reply, Code: c.code})
			}
			if tt.deleted {
				ev(journal.Event{Kind: journal.Deleted, User: "yom", Count: 1})
			}
			ev(journal.Event{Kind: journal.Close})
			b, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			saved, err := evidence.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, s := range []*evidence.State{st, saved} {
				ss := s.Candidates(evidence.POP3Telnet, 3)
				if len(ss) != 1 {
					t.Fatalf("%d candidates", len(ss))
				}
				got = append(got, ss[0].Marked)
			}
			if diff := cmp.Diff([]int{tt.want, tt.want}, got); diff != "" {
				t.Errorf("Marked, live and saved (-want +got):\n%s", diff)
			}
		})
	}
}

// The relay may take an entry from the queue, and record its end, before
// the session that queued it records "queued": in either order, an entry
// relayed or bounced waits no more; one deferred still waits.
func TestRelayFlowInEitherOrder(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ev := func(kind, id, result string) journal.Event {
		return journal.Event{Time: at, Group: 3, Kind: kind, ID: id, From: "hana@g3.lab.test", Rcpt: []string{"taro@g2.lab.test"}, DestGroup: 2, Result: result}
	}
	queued := func(id string) journal.Event { return ev(journal.Queued, id, "") }
	relayed := func(id, result string) journal.Event { return ev(journal.Relayed, id, result) }
	tests := []struct {
		name    string
		events  []journal.Event
		waiting map[int]int
		bounced map[int]int
	}{
		{"queued, relayed", []journal.Event{queued("a"), relayed("a", journal.ResultOK)}, map[int]int{}, map[int]int{}},
		{"relayed, then queued", []journal.Event{relayed("a", journal.ResultOK), queued("a")}, map[int]int{}, map[int]int{}},
		{"bounced, then queued", []journal.Event{relayed("a", journal.ResultBounced), queued("a")}, map[int]int{}, map[int]int{2: 1}},
		{"deferred, then queued", []journal.Event{relayed("a", journal.ResultDeferred), queued("a")}, map[int]int{2: 1}, map[int]int{}},
		{"two, one ended early", []journal.Event{queued("a"), relayed("b", journal.ResultOK), queued("b")}, map[int]int{2: 1}, map[int]int{}},
	}
	for _, tt := range tests {
		for _, save := range []bool{false, true} {
			st := evidence.New(3)
			for i, e := range tt.events {
				st.Apply(e)
				if save && i == 0 { // saved and loaded between the two
					b, err := json.Marshal(st)
					if err != nil {
						t.Fatal(err)
					}
					st = evidence.New(3)
					if err := json.Unmarshal(b, st); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := struct{ Waiting, Bounced map[int]int }{st.Flow.WaitingFor(), st.Flow.Bounced}
			want := struct{ Waiting, Bounced map[int]int }{tt.waiting, tt.bounced}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (saved between: %v) (-want +got):\n%s", tt.name, save, diff)
			}
		}
	}
}
