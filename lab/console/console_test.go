package console

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/server/journal"
)

func TestRender(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	events := []journal.Event{
		{Kind: journal.Open, Session: "pop3-x-7", Remote: "127.0.1.2:4000", ClientGroup: 2},
		{Kind: journal.Challenge, Session: "pop3-x-7", Challenge: "<1.2@g3.lab.test>"},
		{Kind: journal.Command, Session: "pop3-x-7", Line: "APOP yom ****"},
		{Kind: journal.Login, Session: "pop3-x-7", User: "yom", Method: "apop", Result: journal.ResultFail, Reason: "apop-newline"},
		{Kind: journal.Reply, Session: "pop3-x-7", Code: "-ERR", Line: "-ERR [AUTH] authentication failed"},
	}
	tests := []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.En, `10:00:00 pop3#7 ── connection from 127.0.1.2:4000 (group 2's host) ──
10:00:00 pop3#7 APOP challenge: <1.2@g3.lab.test>   compute the digest with: lab digest '<1.2@g3.lab.test>'
10:00:00 pop3#7 C: APOP yom ****
10:00:00 pop3#7 yom's APOP login failed
10:00:00 pop3#7   → a newline went into the MD5: use printf '%s' or echo -n rather than plain echo
10:00:00 pop3#7 S: -ERR [AUTH] authentication failed
`},
		{i18n.Ja, `10:00:00 pop3#7 ── 127.0.1.2:4000（2 班のホスト）から接続 ──
10:00:00 pop3#7 APOP チャレンジ: <1.2@g3.lab.test>   ダイジェストは lab digest '<1.2@g3.lab.test>' で計算できます
10:00:00 pop3#7 C: APOP yom ****
10:00:00 pop3#7 yom の APOP ログインに失敗しました
10:00:00 pop3#7   → 改行まで MD5 に入っています。echo ではなく printf '%s' か echo -n を使ってください
10:00:00 pop3#7 S: -ERR [AUTH] authentication failed
`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		c := New(&out, tt.lang, false)
		for _, e := range events {
			e.Time = at
			c.Event(e)
		}
		if diff := cmp.Diff(tt.want, out.String()); diff != "" {
			t.Errorf("%s console (-want +got):\n%s", tt.lang, diff)
		}
	}
}

func TestColorOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	for _, useColor := range []bool{false, true} {
		var out bytes.Buffer
		New(&out, i18n.En, useColor).Event(journal.Event{Kind: journal.Command, Line: "QUIT", Time: time.Now()})
		if got := strings.Contains(out.String(), "\x1b["); got != useColor {
			t.Errorf("color %v: escape codes present = %v: %q", useColor, got, out.String())
		}
	}
}

// The notes with numbers: a throttled login, another group's user.
func TestLoginNotes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	c := New(&out, i18n.En, false)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	c.Event(journal.Event{Time: at, Kind: journal.Login, User: "suzuki", Method: "pass", Result: journal.ResultFail, Reason: "other-group-user", OtherGroup: 2})
	c.Event(journal.Event{Time: at, Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultFail, Reason: "throttled", Millis: 2000})
	want := `10:00:00 suzuki's USER/PASS login failed
10:00:00   → suzuki is a user of group 2: log in to group 2's server, or with a user of this group.
10:00:00 yom's USER/PASS login failed
10:00:00   → after too many failures, logins for this name (or from this machine) are refused for about 2.0 s more (against password guessing); check the password carefully before the next try.
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

// A console writing to a pipe that nobody reads does not stop the
// servers: hundreds of real POP3 and SMTP sessions complete while it is
// stuck, and once the pipe is read again the console says how many lines
// it left out.
func TestStuckConsoleDoesNotStopSessions(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{3}, NoWeb: true})
	g3 := lab.Groups[3]
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	con := New(pw, i18n.En, false)
	sub := g3.Server.Journal().Subscribe(con.Event)
	pass := g3.Passwords["yom"]
	const pop3Sessions, smtpSessions = 250, 10
	var ended int
	for range pop3Sessions {
		tr := checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(),
			Lines: []string{"user yom", "pass " + pass, "stat", "quit"}})
		// the greeting, USER, PASS, STAT and QUIT answered
		if strings.Count(tr, "S: +OK") == 5 {
			ended++
		}
	}
	for i := range smtpSessions {
		tr := checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
			Lines: []string{"helo pc3", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>", "data",
				"Subject: " + strings.Repeat("x", i), "", "hello", ".", "quit"}})
		if strings.Contains(tr, "S: 250 2.0.0 Ok: queued") && strings.Contains(tr, "S: 221") {
			ended++
		}
	}
	// now read the pipe: what the console still has comes out, with the
	// count of what it left out
	var out syncBuffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, pr); close(copied) }()
	sub.Wait()
	sub.Stop()
	<-sub.Done() // all written to the pipe; then read to its end
	pw.Close()
	<-copied
	type outcome struct {
		Ended     int
		Told      bool
		LastShown bool
	}
	s := out.String()
	got := outcome{ended, strings.Contains(s, "event(s) were not shown; the journal has them)"), strings.Contains(s, "── closed ──")}
	if diff := cmp.Diff(outcome{pop3Sessions + smtpSessions, true, true}, got); diff != "" {
		t.Errorf("(-want +got):\n%s\nlast output:\n%s", diff, s[max(0, len(s)-2000):])
	}
}

// What the journal tells its subscribers itself: lines left out, a write
// error and its end, a session whose flood was counted.
func TestRenderJournalNotices(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	events := []journal.Event{
		{Kind: journal.Dropped, Count: 42},
		{Kind: journal.WriteFailed, Result: journal.ResultError, Error: "write journal.jsonl: no space left on device"},
		{Kind: journal.WriteFailed, Result: journal.ResultOK},
		{Kind: journal.Close, Session: "pop3-x-9", SkippedCmds: 9800, SkippedReplies: 9801},
	}
	tests := []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.En, `10:00:00 (the console fell behind: 42 event(s) were not shown; the journal has them)
10:00:00 cannot write the journal: write journal.jsonl: no space left on device. Check the free disk space; until this is fixed, nothing is recorded for the exercises.
10:00:00 the journal is being written again.
10:00:00 pop3#9 ── closed (after the first 200 commands, 9800 more were counted, not recorded) ──
`},
		{i18n.Ja, `10:00:00 （表示が追いつかなかったため、42 件の表示を省略しました。記録はジャーナルに残っています）
10:00:00 ジャーナルに書き込めません: write journal.jsonl: no space left on device。ディスクの空きを確かめてください。直るまで演習の記録が残りません。
10:00:00 ジャーナルにまた書き込めるようになりました。
10:00:00 pop3#9 ── 切断（最初の 200 個より後の 9800 個のコマンドは記録せず、数だけ数えました）──
`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		c := New(&out, tt.lang, false)
		for _, e := range events {
			e.Time = at
			c.Event(e)
		}
		if diff := cmp.Diff(tt.want, out.String()); diff != "" {
			t.Errorf("%s console (-want +got):\n%s", tt.lang, diff)
		}
	}
}

// A session at a program's pace shows its first ProgramAfter commands,
// then says it counts the rest; an error still shows, and the close says
// how many lines were left out. The same session typed by hand shows every
// line.
func TestConsoleCondensesAProgram(t *testing.T) {
	t.Parallel()
	const retrs = 40
	session := func(gap time.Duration) []journal.Event {
		at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
		ev := []journal.Event{{Time: at, Kind: journal.Open, Proto: "pop3", Session: "pop3-x-7", Remote: "127.0.0.1:4000"}}
		for i := 1; i <= retrs; i++ {
			at = at.Add(gap)
			n := strconv.Itoa(i)
			ev = append(ev,
				journal.Event{Time: at, Kind: journal.Command, Proto: "pop3", Session: "pop3-x-7", Verb: "RETR", Line: "RETR " + n},
				journal.Event{Time: at, Kind: journal.Reply, Proto: "pop3", Session: "pop3-x-7", Code: "+OK", Line: "+OK 120 octets"},
				journal.Event{Time: at, Kind: journal.Retrieved, Proto: "pop3", Session: "pop3-x-7", User: "yom", UID: n, Size: 120})
		}
		at = at.Add(gap)
		return append(ev,
			journal.Event{Time: at, Kind: journal.Command, Proto: "pop3", Session: "pop3-x-7", Verb: "RETR", Line: "RETR 99"},
			journal.Event{Time: at, Kind: journal.Reply, Proto: "pop3", Session: "pop3-x-7", Code: "-ERR", Line: "-ERR no such message, only 40 messages in maildrop"},
			journal.Event{Time: at, Kind: journal.Close, Proto: "pop3", Session: "pop3-x-7"})
	}
	type summary struct {
		Retrs, Retrieved int  // C: RETR n and retrieved lines shown
		Notice           bool // the session is said to be counted
		Error            bool // the failing command and its -ERR shown
		Hidden           string
	}
	tests := []struct {
		name string
		gap  time.Duration
		want summary
	}{
		// ProgramAfter commands shown with their replies, and the last,
		// whose reply is an error; the other 20 commands, 20 replies and
		// 20 retrievals counted
		{"a mail client", time.Millisecond, summary{Retrs: ProgramAfter + 1, Retrieved: ProgramAfter, Notice: true, Error: true,
			Hidden: "(60 lines of this session were not shown)"}},
		{"typed by hand", 2 * time.Second, summary{Retrs: retrs + 1, Retrieved: retrs, Error: true}},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		c := New(&out, i18n.En, false)
		for _, e := range session(tt.gap) {
			c.Event(e)
		}
		s := out.String()
		got := summary{
			Retrs:     strings.Count(s, "C: RETR "),
			Retrieved: strings.Count(s, "yom retrieved"),
			Notice:    strings.Contains(s, "goes on at a program's pace"),
		}
		// the failing command shown, then its -ERR
		if i := strings.Index(s, "C: RETR 99"); i >= 0 {
			got.Error = strings.Contains(s[i:], "S: -ERR no such message")
		}
		if i := strings.Index(s, "(6"); i >= 0 {
			got.Hidden = strings.TrimSpace(s[i : strings.IndexByte(s[i:], '\n')+i])
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s\n%s", tt.name, diff, s)
		}
	}
}
