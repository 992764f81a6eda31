package journal_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"maillab/server/journal"
)

func TestRecordReadSubscribe(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), journal.FileName)
	j, err := journal.OpenFile(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	sub := j.Subscribe(func(e journal.Event) { seen = append(seen, e.Kind) })
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 1, 2), Port: 40000}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 1, 3), Port: 1110}
	s := j.NewSession("pop3", remote, local, 2)
	s.Record(journal.Event{Kind: journal.Command, Verb: "USER", Line: "user yom"})
	s.Record(journal.Event{Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultOK})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	<-sub.Done()
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("journal mode %v, want 0640", fi.Mode().Perm())
	}
	got, err := journal.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	id := s.ID()
	want := []journal.Event{
		{Group: 3, Kind: "open", Session: id, Proto: "pop3", Remote: "127.0.1.2:40000", Local: "127.0.1.3:1110", ClientGroup: 2},
		{Group: 3, Kind: "cmd", Session: id, Proto: "pop3", Verb: "USER", Line: "user yom"},
		{Group: 3, Kind: "login", Session: id, Proto: "pop3", User: "yom", Method: "pass", Result: "ok"},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(journal.Event{}, "Time")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	for _, e := range got {
		if time.Since(e.Time) > time.Minute {
			t.Errorf("event time %v not filled in", e.Time)
		}
	}
	if diff := cmp.Diff([]string{"open", "cmd", "login"}, seen); diff != "" {
		t.Errorf("subscriber saw (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(id, "pop3-") {
		t.Errorf("session id %q", id)
	}
}

func TestReadSkipsCutLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), journal.FileName)
	content := `{"t":"2026-11-25T10:00:00Z","ev":"open","session":"a"}` + "\n" +
		"not json\n" +
		`{"t":"2026-11-25T10:00:01Z","ev":"close","session":"a"}` + "\n" +
		`{"t":"2026-11-25T10:00:02Z","ev":"op` // cut by a crash
	os.WriteFile(path, []byte(content), 0o640)
	got, err := journal.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]string{"open", "close"}, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if evs, err := journal.ReadFile(filepath.Join(t.TempDir(), "missing")); err != nil || evs != nil {
		t.Errorf("missing file: %v, %v", evs, err)
	}
}

func TestConcurrentRecordsAreWholeLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), journal.FileName)
	j, err := journal.OpenFile(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := j.NewSession("smtp", nil, nil, 0)
			for range 100 {
				s.Record(journal.Event{Kind: journal.Command, Line: strings.Repeat("x", i*100)})
			}
		}()
	}
	wg.Wait()
	j.Close()
	got, err := journal.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 8*101 {
		t.Errorf("%d events, want %d", len(got), 8*101)
	}
}
