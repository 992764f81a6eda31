package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// viaJSON is how the journal encoded events before appendEvent: the
// reference appendEvent must match byte for byte.
func viaJSON(t testing.TB, e Event) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 11, 25, 10, 3, 4, 123456000, time.FixedZone("JST", 9*3600))
	tests := []struct {
		name string
		e    Event
	}{
		{"only kind", Event{Time: at, Kind: Open}},
		{"empty kind is kept", Event{Time: at}},
		{"utc, whole second", Event{Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Kind: Stop}},
		{"open", Event{Time: at, Group: 3, Kind: Open, Session: "pop3-x-1", Proto: "pop3", Remote: "127.0.1.2:40000", Local: "127.0.1.3:1110", ClientGroup: 2}},
		{"command", Event{Time: at, Group: 3, Kind: Command, Verb: "APOP", Line: "apop yom ****"}},
		{"every field", Event{
			Time: at, Group: 9, Kind: Delivered, Session: "s", Proto: "smtp", Remote: "r", Local: "l", ClientGroup: 4,
			Line: "line", Verb: "VERB", Code: "250", User: "yom", Method: "apop", Result: ResultOK, Reason: "why",
			Challenge: "<1.2@g3.lab.test>", ID: "ID", MessageID: "<m@x>", From: "a@b", Rcpt: []string{"c@d", "e@f"},
			To: []string{"t@x"}, Cc: []string{"c@x"}, Subject: "=?UTF-8?B?5pel5pys?= \\x1b<\"x\">", Origin: OriginProbe, OtherGroup: 5, DestGroup: 2, Attempt: 3, UID: "u",
			UIDs: []string{"u1", "u2"}, Size: 1 << 40, Count: -1, Millis: 8000, Error: "it broke",
		}},
		{"empty lists left out", Event{Time: at, Kind: Accepted, Rcpt: []string{}, To: nil}},
		{"list of empty strings", Event{Time: at, Kind: Accepted, Rcpt: []string{"", ""}}},
		{"quotes and backslashes", Event{Time: at, Kind: Command, Line: `say "hi" \ there`}},
		{"control characters", Event{Time: at, Kind: Command, Line: "a\x00b\x01\x08\x0c\n\r\t\x1f\x7f"}},
		{"html is not escaped", Event{Time: at, Kind: Command, Line: "<a href='x'>&amp;</a>"}},
		{"utf-8", Event{Time: at, Kind: Note, Line: "日本語のメール — ok ✓"}},
		{"invalid utf-8", Event{Time: at, Kind: Command, Line: "a\xffb\xc3(c\xe2\x82"}},
		{"line and paragraph separators", Event{Time: at, Kind: Command, Line: "a\u2028b\u2029c"}},
		{"negative numbers", Event{Time: at, Kind: Note, Size: -5, Millis: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendEvent(nil, &tt.e))
			if diff := cmp.Diff(viaJSON(t, tt.e), got); diff != "" {
				t.Errorf("appendEvent (-encoding/json +got):\n%s", diff)
			}
		})
	}
}

// appendEvent knows every field of Event; when it does not, the journal
// falls back to encoding/json (slowly) until it is taught the new field.
func TestAppendEventKnowsEveryField(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(appendedFields, eventFields()); diff != "" {
		t.Errorf("Event's fields differ from appendEvent's: add the new field to appendEvent and appendedFields (-appendEvent +Event):\n%s", diff)
	}
	if !fastEncoding {
		t.Error("fastEncoding is off")
	}
}

// Random strings of every kind of byte in every field, set by reflection so
// that a field added to Event is covered too, encode as encoding/json
// encodes them.
func TestAppendEventRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", " ", `"`, `\`, "\n", "\r", "\t", "\x00", "\x1b", "\x7f", "<", "&",
		"é", "日", "\u2028", "\u2029", "\xff", "\xe2\x82", "😀", "\xed\xa0\x80"}
	str := func() string {
		if rng.IntN(3) == 0 {
			return ""
		}
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	num := func() int64 { return int64(rng.IntN(3) - 1 + rng.IntN(2)*rng.IntN(100000)) }
	for i := range 2000 {
		var e Event
		v := reflect.ValueOf(&e).Elem()
		for f := range v.NumField() {
			field := v.Field(f)
			switch field.Interface().(type) {
			case time.Time:
				field.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("", 60*(rng.IntN(1500)-750)))))
			case string:
				field.SetString(str())
			case int, int64:
				field.SetInt(num())
			case []string:
				if rng.IntN(3) > 0 {
					l := make([]string, rng.IntN(4))
					for i := range l {
						l[i] = str()
					}
					field.Set(reflect.ValueOf(l))
				}
			default:
				t.Fatalf("field %s of a type the test does not fill", v.Type().Field(f).Name)
			}
		}
		if got, want := string(appendEvent(nil, &e)), viaJSON(t, e); got != want {
			t.Fatalf("event %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// Sessions recording at once: every event is in the file, whole, once, in
// the order the observers saw them; and each Record returns only once its
// event is in the file.
func TestConcurrentRecord(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	j, err := OpenFile(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	j.Observe(func(e Event) { seen = append(seen, e.Line) })
	const writers, each = 16, DefaultSessionCommands - 1
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := j.NewSession("smtp", nil, nil, 0)
			for i := range each {
				line := fmt.Sprintf("w%d-%d %s", w, i, strings.Repeat("x", i%50))
				s.Record(Event{Kind: Command, Line: line})
				if i%37 == 0 {
					b, err := os.ReadFile(path)
					if err != nil || !bytes.Contains(b, []byte(`"line":"`+line+`"`)) {
						errs <- fmt.Errorf("event %q not in the file when Record returned (%v)", line, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	events, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Kind == Command {
			got = append(got, e.Line)
		}
	}
	var want []string
	for _, l := range seen {
		if l != "" {
			want = append(want, l)
		}
	}
	if len(got) != writers*each {
		t.Errorf("%d command events in the file, want %d", len(got), writers*each)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("file order differs from the subscribers' (-subscribers +file):\n%s", diff)
	}
}

// Recording after Close neither fails nor writes.
func TestRecordAfterClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	j, err := OpenFile(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	j.Record(Event{Kind: Start})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j.Record(Event{Kind: Stop})
	events, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]string{Start}, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

// Held events are neither in the file nor shown to subscribers until the
// session's next Record, which writes them before its own event, in order.
func TestHold(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)
	j, err := OpenFile(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	j.Observe(func(e Event) { seen = append(seen, e.Kind+" "+e.Line) })
	lines := func() []string {
		t.Helper()
		events, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			got = append(got, e.Kind+" "+e.Line)
		}
		return got
	}
	s := j.NewSession("smtp", nil, nil, 0)
	s.Hold(Event{Kind: Command, Line: "MAIL FROM:<a@g1.lab.test>"})
	other := j.NewSession("smtp", nil, nil, 0)
	other.Record(Event{Kind: Command, Line: "another session"})
	before := [][]string{lines(), seen}
	s.Record(Event{Kind: Reply, Line: "250 2.1.0 Ok"})
	s.Hold(Event{Kind: Command, Line: "QUIT"})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	after := [][]string{lines(), seen}
	want := []string{"open ", "open ", "cmd another session"}
	wantAfter := []string{"open ", "open ", "cmd another session", "cmd MAIL FROM:<a@g1.lab.test>", "reply 250 2.1.0 Ok"}
	if diff := cmp.Diff([][][]string{{want, want}, {wantAfter, wantAfter}}, [][][]string{before, after}); diff != "" {
		t.Errorf("file and subscribers, before and after the Record (-want +got):\n%s", diff)
	}
}
