package evidence_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/evidence"
	"maillab/server/journal"
)

// tlsLogin is the events of a POP3 session of group 3's machine that
// switched to TLS (or not) and logged in.
func tlsLogin(id string, at time.Time, tls bool) []journal.Event {
	es := []journal.Event{{Kind: journal.Open, Proto: "pop3", Remote: "127.0.1.3:4000", ClientGroup: 3}}
	if tls {
		es = append(es, journal.Event{Kind: journal.Command, Verb: "STLS"}, journal.Event{Kind: journal.Reply, Code: "+OK"},
			journal.Event{Kind: journal.TLS, Method: "TLS 1.3", Line: "TLS_AES_128_GCM_SHA256", Result: journal.ResultOK})
	}
	es = append(es, journal.Event{Kind: journal.Login, User: "weak1", Method: "pass", Result: journal.ResultOK},
		journal.Event{Kind: journal.Close})
	for i := range es {
		es[i].Group, es[i].Session, es[i].Time = 3, id, at.Add(time.Duration(i)*time.Second)
	}
	return es
}

// A crack, and the TLS logins before and after it, as the apop-weakness
// rule reads them: from the journal, and from lab crack's own file when
// the saved state was taken after the crack.
func TestCrackAndTLSLogin(t *testing.T) {
	t.Parallel()
	crack := epoch.Add(time.Hour)
	tests := []struct {
		name   string
		events []journal.Event
		want   [2]bool // a crack; a TLS login after it
	}{
		{"nothing", nil, [2]bool{false, false}},
		{"TLS login only", tlsLogin("a", crack.Add(time.Minute), true), [2]bool{false, true}},
		{"crack, then a plain login", append([]journal.Event{{Group: 3, Kind: evidence.KindCrack, User: "weak1", Time: crack}},
			tlsLogin("a", crack.Add(time.Minute), false)...), [2]bool{true, false}},
		{"TLS login, then the crack", append(tlsLogin("a", crack.Add(-time.Minute), true),
			journal.Event{Group: 3, Kind: evidence.KindCrack, User: "weak1", Time: crack}), [2]bool{true, false}},
		{"crack, then a TLS login", append([]journal.Event{{Group: 3, Kind: evidence.KindCrack, User: "weak1", Time: crack}},
			tlsLogin("a", crack.Add(time.Minute), true)...), [2]bool{true, true}},
	}
	for _, tt := range tests {
		st := evidence.New(3)
		for _, e := range tt.events {
			st.Apply(e)
		}
		// the state survives a save
		b, err := st.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		saved, err := evidence.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		got := [2]bool{saved.Crack != nil, saved.TLSLoginAfter(3, crack)}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// lab crack records into the data folder: Load finds the crack even when
// the state saved there is newer than the crack's journal event.
func TestRecordCrack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	if err := evidence.RecordCrack(dir, 3, evidence.Crack{User: "weak1", Time: at}); err != nil {
		t.Fatal(err)
	}
	// a server saves its state afterwards, not having seen the event
	st := evidence.New(3)
	st.Apply(journal.Event{Group: 3, Kind: journal.Start, Time: time.Now()})
	b, _ := st.MarshalJSON()
	if err := os.WriteFile(filepath.Join(dir, evidence.FileName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := evidence.Load(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&evidence.Crack{User: "weak1", Time: at}, got.Crack); diff != "" {
		t.Errorf("crack (-want +got):\n%s", diff)
	}
}
