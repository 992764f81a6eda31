package checker_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"maillab/checker"
	"maillab/exercises/i18n"
	"maillab/server/account"
	"maillab/server/classroom"
	"maillab/server/datadir"
	summaries "maillab/server/evidence"
	"maillab/server/journal"
)

// benchData, when set, is where BenchmarkLabCheck1M leaves its data root,
// so that the lab command can be measured on it too:
//
//	go test ./checker -run - -bench LabCheck1M -benchtime 1x -bench-data /tmp/root
//	/usr/bin/time -v lab check --group 3 --data /tmp/root
var benchData = flag.String("bench-data", "", "leave BenchmarkLabCheck1M's data root here")

// classHistory plays n sessions of a class at group 3's server, as a
// semester makes them: POP3 sessions from the cluster's machines (some
// typed, most by mail clients), SMTP sessions delivering mail that is
// later read, and scanners that never log in. Events are given to fn in
// journal order; each session's come together, as the server records
// them at its end.
func classHistory(n int, fn func(session []journal.Event)) {
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	var evs []journal.Event
	for i := range n {
		proto := "pop3"
		if i%5 == 3 {
			proto = "smtp"
		}
		id := proto + "-bench-" + strconv.Itoa(i)
		pace := 20 * time.Millisecond
		if i%50 == 0 {
			pace = time.Duration(300+i%700) * time.Millisecond // typed by hand
		}
		evs = evs[:0]
		ev := func(e journal.Event) {
			e.Group, e.Session, e.Proto, e.Time = 3, id, proto, at
			at = at.Add(pace)
			evs = append(evs, e)
		}
		cmd := func(verb, line, code string) {
			ev(journal.Event{Kind: journal.Command, Verb: verb, Line: line})
			ev(journal.Event{Kind: journal.Reply, Code: code, Line: code + " ok"})
		}
		user := []string{"yom", "hana", "taro"}[i%3]
		switch i % 5 {
		case 0, 1, 2:
			ev(journal.Event{Kind: journal.Open, Proto: "pop3", Remote: fmt.Sprintf("127.0.1.%d:40000", 1+i%3), ClientGroup: 1 + i%3})
			cmd("USER", "USER "+user, "+OK")
			cmd("PASS", "PASS ****", "+OK")
			ev(journal.Event{Kind: journal.Login, User: user, Method: "pass", Result: journal.ResultOK})
			cmd("STAT", "STAT", "+OK")
			cmd("RETR", "RETR 1", "+OK")
			ev(journal.Event{Kind: journal.Retrieved, User: user, UID: "m" + strconv.Itoa(i-2)})
			cmd("QUIT", "QUIT", "+OK")
		case 3:
			from := fmt.Sprintf("%s@g%d.lab.test", user, 1+i%4)
			ev(journal.Event{Kind: journal.Open, Proto: "smtp", Remote: "127.0.1.2:40000", ClientGroup: 2})
			cmd("HELO", "HELO pc2", "250")
			cmd("MAIL", "MAIL FROM:<"+from+">", "250")
			cmd("RCPT", "RCPT TO:<"+user+"@g3.lab.test>", "250")
			cmd("DATA", "DATA", "354")
			ev(journal.Event{Kind: journal.Accepted, ID: "id" + strconv.Itoa(i), From: from, To: []string{"hana@g3.lab.test"}})
			ev(journal.Event{Kind: journal.Delivered, ID: "id" + strconv.Itoa(i), From: from, User: user,
				UID: "m" + strconv.Itoa(i), Rcpt: []string{user + "@g3.lab.test"}, Result: journal.ResultOK})
			ev(journal.Event{Kind: journal.Data})
			cmd("QUIT", "QUIT", "221")
		case 4:
			ev(journal.Event{Kind: journal.Open, Proto: "pop3", Remote: "192.0.2.7:40000"})
			cmd("CAPA", "CAPA", "+OK")
			cmd("QUIT", "QUIT", "+OK")
		}
		ev(journal.Event{Kind: journal.Close})
		fn(evs)
		at = at.Add(time.Second)
	}
}

// The per-event cost of keeping the summaries up to date, after a history
// of 1,000, 10,000 and 100,000 sessions: it does not grow.
func BenchmarkTrackerObserve(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run("sessions="+strconv.Itoa(n), func(b *testing.B) {
			tr := summaries.NewTracker(summaries.New(3))
			classHistory(n, func(evs []journal.Event) {
				for _, e := range evs {
					tr.Observe(e)
				}
			})
			var more []journal.Event
			classHistory(5000, func(evs []journal.Event) { more = append(more, evs...) })
			b.ResetTimer()
			for i := range b.N {
				tr.Observe(more[i%len(more)])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
		})
	}
}

// A check of every exercise, as `lab check` and the live guide make it,
// after 1,000, 10,000 and 100,000 sessions; retained-B is the size of the
// summaries (as saved, in bytes).
func BenchmarkCheckAfter(b *testing.B) {
	c, err := classroomForBench()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000, 100000} {
		b.Run("sessions="+strconv.Itoa(n), func(b *testing.B) {
			ev := checker.NewEvidence(c)
			ev.SetGroup(3, "g3.lab.test", []string{"yom", "hana", "taro"})
			st := summaries.New(3)
			classHistory(n, func(evs []journal.Event) {
				for _, e := range evs {
					st.Apply(e)
				}
			})
			ev.SetState(3, st)
			for _, p := range []int{1, 2} {
				ev.SetState(p, summaries.New(p))
			}
			raw, err := json.Marshal(st)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				checker.Check(ev, 3, checker.Options{Lang: i18n.En})
			}
			b.ReportMetric(float64(len(raw)), "retained-B")
		})
	}
}

func classroomForBench() (*classroom.Classroom, error) {
	return classroom.Parse("classroom.toml", []byte(classroomFile))
}

// `lab check --data` of a group whose journal holds 1,000,000 events: the
// collector reads the saved summaries and the journal's tail since them,
// and the checker decides. alloc-MiB is the most memory one check
// allocated in all (an upper bound of what it holds at once).
func BenchmarkLabCheck1M(b *testing.B) {
	root := *benchData
	if root == "" {
		root = b.TempDir()
	}
	dir := datadir.DirFor(root, 3)
	if _, err := os.Stat(filepath.Join(dir, datadir.EvidenceFile)); err != nil {
		makeClassData(b, dir)
	}
	fi, _ := os.Stat(filepath.Join(dir, journal.FileName))
	b.Logf("journal of %d MiB", fi.Size()>>20)
	b.ResetTimer()
	var most uint64
	for range b.N {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		col := checker.Collector{DataRoot: root}
		ev := col.Collect(context.Background(), []int{3})
		r := checker.Check(ev, 3, checker.Options{Lang: i18n.En})
		if len(r.Exercises) != 6 || !ev.Has(3) {
			b.Fatalf("report %+v, %v", r, ev.Err(3))
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		most = max(most, after.TotalAlloc-before.TotalAlloc)
	}
	b.ReportMetric(float64(most)/(1<<20), "alloc-MiB")
}

// makeClassData makes group 3's data folder in dir: three accounts, a
// journal of 1,000,000 events of classHistory as the server writes it
// (one JSON event a line), and the summaries the server kept of it, saved.
func makeClassData(b *testing.B, dir string) {
	b.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	store := account.Open(dir)
	for _, u := range []string{"yom", "hana", "taro"} {
		if err := store.Add(u, u+"-secret"); err != nil && !errors.Is(err, account.ErrExists) {
			b.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(dir, journal.FileName))
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	tr := summaries.NewTracker(summaries.New(3))
	events := 0
	classHistory(1000000/8, func(evs []journal.Event) {
		for _, e := range evs {
			if events == 1000000 {
				return
			}
			if err := enc.Encode(e); err != nil {
				b.Fatal(err)
			}
			tr.Observe(e)
			events++
		}
	})
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := tr.Save(dir); err != nil {
		b.Fatal(err)
	}
}
