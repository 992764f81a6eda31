package console

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/server/evidence"
	"maillab/server/journal"
)

// The SMTP mistakes, each explained after the server's reply.
func TestGuideExplainsSMTPMistakes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	cmd := func(verb, line string) journal.Event {
		return journal.Event{Kind: journal.Command, Verb: verb, Line: line}
	}
	reply := func(line string) journal.Event { return journal.Event{Kind: journal.Reply, Code: line[:3], Line: line} }
	tests := []struct {
		name   string
		events []journal.Event
		want   string // in English, after the time and session
	}{
		{"MAIL without <>", []journal.Event{cmd("MAIL", "mail from: yom@g3.lab.test"),
			reply("501 5.5.4 Syntax: MAIL FROM:<address> (the address must be in angle brackets <>)")},
			"  → the address is not in < > (that is what the 501 says): write MAIL FROM:<name@domain>, with the < and >."},
		{"RCPT without <>", []journal.Event{cmd("RCPT", "rcpt to:hana@g3.lab.test"),
			reply("501 5.5.4 Syntax: RCPT TO:<address> (the address must be in angle brackets <>)")},
			"  → the address is not in < > (that is what the 501 says): write RCPT TO:<name@domain>, with the < and >."},
		{"RCPT before MAIL", []journal.Event{cmd("RCPT", "rcpt to:<hana@g3.lab.test>"), reply("503 5.5.1 Need MAIL before RCPT")},
			"  → RCPT TO needs MAIL FROM first (503 means out of order): the envelope's sender comes first."},
		{"DATA before RCPT", []journal.Event{cmd("DATA", "data"), reply("503 5.5.1 Need RCPT before DATA (no recipient was accepted)")},
			"  → DATA needs an accepted RCPT TO first (503): the recipients come before the contents."},
		{"DATA before MAIL", []journal.Event{cmd("DATA", "data"), reply("503 5.5.1 Need MAIL and RCPT before DATA")},
			"  → DATA needs MAIL FROM and RCPT TO first (503): the envelope comes before the contents."},
		{"MAIL before HELO", []journal.Event{cmd("MAIL", "mail from:<yom@g3.lab.test>"), reply("503 5.5.1 Send HELO or EHLO first")},
			"  → say HELO (or EHLO) first (503)."},
		{"a message ended well", []journal.Event{cmd("DATA", "data"), reply("354 End data with <CR><LF>.<CR><LF>"),
			{Kind: journal.Data, Size: 10}, reply("250 2.0.0 Ok: queued as 1"), cmd("QUIT", "quit"), reply("221 2.0.0 Bye"), {Kind: journal.Close}}, ""},
		// a POP3 -ERR is the console's to explain
		{"POP3", []journal.Event{{Kind: journal.Command, Proto: "pop3", Verb: "RCPT", Line: "rcpt"}, {Kind: journal.Reply, Proto: "pop3", Code: "-ERR", Line: "-ERR unknown command"}}, ""},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		g := NewGuide(&out, i18n.En, false, GuideOptions{})
		for _, e := range tt.events {
			e.Time, e.Group, e.Session = at, 3, "smtp-x-4"
			if e.Proto == "" {
				e.Proto = "smtp"
			}
			g.Event(e)
		}
		want := ""
		if tt.want != "" {
			want = "10:00:00 smtp#4 " + tt.want + "\n"
		}
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// and in Japanese
	var out bytes.Buffer
	g := NewGuide(&out, i18n.Ja, false, GuideOptions{ShowGroup: true})
	for _, e := range []journal.Event{cmd("RCPT", "rcpt to:<hana@g3.lab.test>"), reply("503 5.5.1 Need MAIL before RCPT")} {
		e.Time, e.Group, e.Session, e.Proto = at, 3, "smtp-x-4", "smtp"
		g.Event(e)
	}
	if want := "10:00:00 g3 smtp#4   → RCPT TO の前に MAIL FROM が必要です（503 は順番が違うという返事です）。封筒には送信者を先に書きます。\n"; out.String() != want {
		t.Errorf("in Japanese:\n got %q\nwant %q", out.String(), want)
	}
}

// syncBuffer is a buffer the journal's goroutines write to while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the output holds every one of want (the server
// records a session's end just after the client sees it).
func waitFor(t *testing.T, out *syncBuffer, want ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := out.String()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console never said %q:\n%s", missing, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// On a real server: the guide next to the console announces each exercise
// as it passes — typed sessions at a human pace, once each — and explains
// SMTP mistakes; a client at machine speed passes nothing.
func TestGuideOnARealServer(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{3}, NoWeb: true})
	g3 := lab.Groups[3]
	var out syncBuffer
	con := New(&out, i18n.En, false)
	guide := NewGuide(&out, i18n.En, false, GuideOptions{Groups: []int{3}, HandGap: 75 * time.Millisecond,
		Evidence: map[int]*evidence.Tracker{3: g3.Server.Evidence()}})
	g3.Server.Journal().Subscribe(Together(con.Event, guide.Event))
	guide.Greet()
	if want := "Group 3: 0 of 6 exercises done. Next: pop3-telnet (Operate the POP3 server by hand with telnet) — lab show pop3-telnet\n"; out.String() != want {
		t.Errorf("greeting: %q", out.String())
	}
	pw := g3.Passwords["yom"]
	// at machine speed: nothing passes
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(), Lines: []string{"user yom", "pass " + pw, "list", "retr 1", "quit"}})
	// typed: pop3-telnet passes
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(), Delay: 150 * time.Millisecond,
		Lines: []string{"user yom", "pass " + pw, "list", "retr 1", "quit"}})
	waitFor(t, &out, "✓ Group 3 has done exercise pop3-telnet (Operate the POP3 server by hand with telnet)!\n",
		"  Next: apop-telnet (Log in with APOP (make the digest with md5sum)) → lab show apop-telnet\n")
	// SMTP mistakes typed by hand, then a message never ended
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(), Delay: 100 * time.Millisecond,
		Lines: []string{"helo pc3", "rcpt to:<hana@g3.lab.test>", "mail from: yom@g3.lab.test", "mail from:<yom@g3.lab.test>",
			"data", "rcpt to:<hana@g3.lab.test>", "data", "Subject: oops", "", "no dot", "quit", "<close>"}})
	waitFor(t, &out,
		"  → RCPT TO needs MAIL FROM first (503 means out of order)",
		"  → the address is not in < > (that is what the 501 says): write MAIL FROM:<name@domain>",
		"  → DATA needs an accepted RCPT TO first (503)",
		"  → the connection closed before the message was ended with a line holding only \".\"")
	// the same, done right: smtp-telnet passes
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(), Delay: 100 * time.Millisecond,
		Lines: []string{"helo pc3", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>", "data", "Subject: ok", "", "hello", ".", "quit"}})
	waitFor(t, &out, "✓ Group 3 has done exercise smtp-telnet (Send a message by typing SMTP into telnet)!\n")
	s := out.String()
	if n := strings.Count(s, "has done exercise"); n != 2 {
		t.Errorf("%d exercises announced, want 2:\n%s", n, s)
	}
	// the console's own lines are there too, in order before the guide's
	if i, j := strings.Index(s, "S: 503 5.5.1 Need MAIL before RCPT"), strings.Index(s, "→ RCPT TO needs MAIL FROM first"); i < 0 || j < i {
		t.Errorf("the explanation does not follow the reply:\n%s", s)
	}
}

// As `lab up` runs it: one guide on every group's journal sees the
// cross-group exercises pass — group 3's mail relayed to group 2 and read
// there, and group 3's mail fetched from group 1's machine.
func TestGuideForTheWholeClass(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{NoWeb: true})
	var out syncBuffer
	accounts := func(id int) []string {
		list, err := lab.Groups[id].Data.Accounts.List()
		if err != nil {
			t.Error(err)
		}
		var names []string
		for _, a := range list {
			names = append(names, a.Name)
		}
		return names
	}
	guide := NewGuide(&out, i18n.En, false, GuideOptions{Groups: []int{1, 2, 3}, Classroom: lab.Classroom, ShowGroup: true, Accounts: accounts})
	for _, g := range lab.Groups {
		g.Server.Journal().Subscribe(guide.Event)
	}
	g1, g2, g3 := lab.Groups[1], lab.Groups[2], lab.Groups[3]
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
		Lines: []string{"helo g3", "mail from:<yom@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "data", "To: taro@g2.lab.test", "", "hi", ".", "quit"}})
	// taro reads once the relay has delivered
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(readJournal(t, g2), `"from":"yom@g3.lab.test"`) {
		if time.Now().After(deadline) {
			t.Fatal("the relay never delivered to group 2")
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkertest.Type(t, checkertest.Session{From: g2.Host, Addr: g2.POP3Addr(), Lines: []string{"user taro", "pass " + g2.Passwords["taro"], "retr 2", "quit"}})
	waitFor(t, &out, "g2 pop3#", "✓ Group 3 has done exercise cross-send (Send mail to a member of another group, and have them confirm it arrived)!")
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g3.POP3Addr(), Secret: g3.Passwords["yom"], Lines: []string{"apop yom {digest}", "retr 1", "quit"}})
	waitFor(t, &out, "✓ Group 3 has done exercise cross-apop (Reach your group's APOP server from another group's machine)!")
	if s := out.String(); strings.Contains(s, "Group 1 has done") || strings.Contains(s, "Group 2 has done") {
		t.Errorf("another group announced:\n%s", s)
	}
}

func readJournal(t *testing.T, g *checkertest.Group) string {
	t.Helper()
	b, err := os.ReadFile(g.Data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// What passed before the guide started is not announced again; the
// greeting counts it. The guide learns it from the server's live evidence
// (as lab start and lab up run it), or from the journal's events.
func TestGuideHistory(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts func(g3 *checkertest.Group) GuideOptions
	}{
		{"live evidence", func(g3 *checkertest.Group) GuideOptions {
			return GuideOptions{Evidence: map[int]*evidence.Tracker{3: g3.Server.Evidence()}}
		}},
		{"journal events", func(g3 *checkertest.Group) GuideOptions {
			history, err := journal.ReadFile(g3.Data.JournalPath())
			if err != nil {
				t.Fatal(err)
			}
			return GuideOptions{History: map[int][]journal.Event{3: history}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lab := checkertest.Start(t, checkertest.Config{Groups: []int{3}, NoWeb: true})
			g3 := lab.Groups[3]
			pw := g3.Passwords["yom"]
			typed := checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(), Delay: 100 * time.Millisecond, Lines: []string{"user yom", "pass " + pw, "stat", "retr 1", "quit"}}
			checkertest.Type(t, typed)
			waitJournal(t, g3, `"ev":"close"`)
			var out syncBuffer
			o := tt.opts(g3)
			o.Groups, o.HandGap = []int{3}, 50*time.Millisecond
			guide := NewGuide(&out, i18n.Ja, false, o)
			g3.Server.Journal().Subscribe(guide.Event)
			guide.Greet()
			if want := "3 班の課題: 1 / 6 できています。次は apop-telnet「APOP でログインする（ダイジェストは md5sum で作る）」です（lab show apop-telnet）。\n"; out.String() != want {
				t.Errorf("greeting:\n got %q\nwant %q", out.String(), want)
			}
			checkertest.Type(t, typed)
			typed.Lines = []string{"apop yom {digest}", "retr 1", "quit"}
			typed.Secret = pw
			checkertest.Type(t, typed)
			waitFor(t, &out, "✓ 3 班が課題 apop-telnet「APOP でログインする（ダイジェストは md5sum で作る）」をクリアしました！")
			if strings.Contains(out.String(), "pop3-telnet「") {
				t.Errorf("pop3-telnet announced again:\n%s", out.String())
			}
		})
	}
}

// waitJournal waits until the group's journal holds s (a session's end is
// recorded just after the client sees it).
func waitJournal(t *testing.T, g *checkertest.Group, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(readJournal(t, g), s) {
		if time.Now().After(deadline) {
			t.Fatalf("the journal never held %s", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Under lab start, a peer's server runs in another process: the guide
// sees the peer retrieve this group's mail only by polling the peer's
// /api/evidence, and announces cross-send as soon as a poll shows it.
func TestGuidePollsPeers(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{2, 3}, Clusters: [][]int{{2, 3}}})
	g2, g3 := lab.Groups[2], lab.Groups[3]
	var out syncBuffer
	guide := NewGuide(&out, i18n.En, false, GuideOptions{Groups: []int{3}, Classroom: lab.Classroom,
		Evidence: map[int]*evidence.Tracker{3: g3.Server.Evidence()}, PollPeers: 20 * time.Millisecond})
	guide.minPoll = 0
	g3.Server.Journal().Subscribe(guide.Event)
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { guide.Watch(ctx); close(watched) }()
	t.Cleanup(func() { cancel(); <-watched })
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
		Lines: []string{"helo g3", "mail from:<yom@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "data", "To: taro@g2.lab.test", "", "hi", ".", "quit"}})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(readJournal(t, g2), `"from":"yom@g3.lab.test"`) {
		if time.Now().After(deadline) {
			t.Fatal("the relay never delivered to group 2")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s := out.String(); strings.Contains(s, "cross-send") {
		t.Fatalf("cross-send announced before the peer read the mail:\n%s", s)
	}
	checkertest.Type(t, checkertest.Session{From: g2.Host, Addr: g2.POP3Addr(), Lines: []string{"user taro", "pass " + g2.Passwords["taro"], "retr 2", "quit"}})
	waitFor(t, &out, "✓ Group 3 has done exercise cross-send (Send mail to a member of another group, and have them confirm it arrived)!")
	// done: the guide stops polling
	select {
	case <-watched:
	case <-time.After(20 * time.Second):
		t.Error("Watch still polls after cross-send passed")
	}
}

// Sessions that end faster than the guide checks (sixteen mail clients)
// get a check a little later, never none: the last session's exercise is
// announced once, after that session's prefix.
func TestGuideChecksLater(t *testing.T) {
	t.Parallel()
	events, err := journal.ReadFile("../../checker/testdata/journals/pop3-typed/g3.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	guide := NewGuide(&out, i18n.En, false, GuideOptions{Groups: []int{3}})
	// a session at machine speed ends just before the typed one: its
	// check comes first, the typed session's waits
	at := events[0].Time
	guide.Event(journal.Event{Time: at, Group: 3, Kind: journal.Open, Session: "pop3-fast-9", Proto: "pop3", Remote: "127.0.1.3:40000"})
	guide.Event(journal.Event{Time: at, Group: 3, Kind: journal.Close, Session: "pop3-fast-9", Proto: "pop3"})
	for _, e := range events {
		guide.Event(e)
	}
	const passed = "pop3#1 ✓ Group 3 has done exercise pop3-telnet"
	waitFor(t, &out, passed)
	if n := strings.Count(out.String(), "has done exercise"); n != 1 {
		t.Errorf("%d exercises announced, want 1:\n%s", n, out.String())
	}
}
