package replay

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker/checkertest"
	"maillab/exercises/explain"
	"maillab/exercises/i18n"
	"maillab/server/journal"
)

var factLine = regexp.MustCompile(`(?m)^ +→ (.*)$`)

// lab replay tells, after the fact, what the console said as it happened:
// the same diagnoses, in the same words, from the journal of real
// sessions on a real server — the subject decoded beside its raw form.
func TestReplayDiagnosesOnARealServer(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{NoWeb: true})
	g3 := lab.Groups[3]
	pw := g3.Passwords["yom"]
	subject := "=?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=" // 日本語の件名
	sessions := []checkertest.Session{
		{From: "127.0.9.9", Addr: g3.SMTPAddr(), Delay: 20 * time.Millisecond,
			Lines: []string{"helo pc", "mail from:<yom@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "quit"}},
		{From: g3.Host, Addr: g3.POP3Addr(), Delay: 20 * time.Millisecond, Lines: []string{"user yom", "pass " + pw, "dele 1", "<close>"}},
		{From: g3.Host, Addr: g3.SMTPAddr(), Delay: 20 * time.Millisecond,
			Lines: []string{"helo pc", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>", "rcpt to:<yom@g3.lab.test>",
				"data", "To: hana@g3.lab.test", "Subject: " + subject, "", "body", ".", "quit"}},
	}
	for _, s := range sessions {
		checkertest.Type(t, s)
	}
	var events []journal.Event
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var err error
		if events, err = journal.ReadDirAll(filepath.Dir(g3.Data.JournalPath())); err != nil {
			t.Fatal(err)
		}
		if n := countKind(events, journal.Close); n >= len(sessions) || time.Now().After(deadline) {
			break
		}
	}
	for _, lang := range []i18n.Lang{i18n.En, i18n.Ja} {
		d := func(x i18n.Text, args ...any) string { return x.F(lang, args...) }
		want := [][]string{
			{d(explain.DiagRelayEither, "taro@g2.lab.test")},
			{d(explain.DiagDeleNoQuit, 1)},
			{d(explain.DiagSubjectRaw, "日本語の件名", subject), d(explain.DiagBcc, "yom@g3.lab.test")},
		}
		all := Sessions(events)
		var withOptions []string
		for i, s := range all {
			var b strings.Builder
			o := Options{Lang: lang, HandGap: time.Millisecond}
			if i == 0 {
				var c strings.Builder
				WriteWith(&c, Options{Lang: lang, HandGap: time.Millisecond, Classroom: lab.Classroom}, s, nil)
				withOptions = facts(c.String(), want[0][0], d(explain.DiagRelayHost, "taro@g2.lab.test", "127.0.9.9", g3.Host, g3.Host))
			}
			WriteWith(&b, o, s, nil)
			if i < len(want) {
				if diff := cmp.Diff(want[i], facts(b.String(), want[i]...)); diff != "" {
					t.Errorf("%s session %d (-want +got):\n%s\n%s", lang, i, diff, b.String())
				}
			}
		}
		// with the classroom, the one cause
		if diff := cmp.Diff([]string{d(explain.DiagRelayHost, "taro@g2.lab.test", "127.0.9.9", g3.Host, g3.Host)}, withOptions); diff != "" {
			t.Errorf("%s with the classroom (-want +got):\n%s", lang, diff)
		}
	}
}

// facts returns the "→" lines of a replay that are one of the texts.
func facts(out string, texts ...string) []string {
	var got []string
	for _, m := range factLine.FindAllStringSubmatch(out, -1) {
		for _, t := range texts {
			if m[1] == t {
				got = append(got, m[1])
			}
		}
	}
	return got
}

func countKind(events []journal.Event, kind string) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// The instructor's probes are labelled in the list of sessions.
func TestListLabelsProbes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	events := []journal.Event{
		{Time: at, Kind: journal.Open, Session: "pop3-a-1", Proto: "pop3", Remote: "127.0.1.1:4000", ClientGroup: 1},
		{Time: at, Kind: journal.Command, Session: "pop3-a-1", Proto: "pop3", Verb: "APOP", Line: "APOP grade-probe-1234abcd ****"},
		{Time: at, Kind: journal.Login, Session: "pop3-a-1", Proto: "pop3", User: "grade-probe-1234abcd", Method: "apop", Result: journal.ResultFail},
		{Time: at, Kind: journal.Open, Session: "pop3-a-2", Proto: "pop3", Remote: "127.0.1.3:4001", ClientGroup: 3},
		{Time: at, Kind: journal.Login, Session: "pop3-a-2", Proto: "pop3", User: "yom", Method: "pass", Result: journal.ResultOK},
	}
	for _, tt := range []struct {
		lang  i18n.Lang
		label string
	}{{i18n.En, "(instructor's probe)"}, {i18n.Ja, "（先生の確認用）"}} {
		var b strings.Builder
		WriteList(&b, tt.lang, Sessions(events))
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		var got []bool
		for _, l := range lines[1:] {
			got = append(got, strings.Contains(l, tt.label))
		}
		if diff := cmp.Diff([]bool{true, false}, got); diff != "" {
			t.Errorf("%s: probe labels (-want +got):\n%s\n%s", tt.lang, diff, b.String())
		}
	}
}
