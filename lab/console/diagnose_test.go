package console

import (
	"bytes"
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

// arrow is an explanation line of the console or the guide: what follows
// the time, group and session.
var arrow = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d (?:g\d+ )?\S+ +(→ .*|instructor's probe.*|先生の確認用.*)$`)

// median is the pace a too-fast session reports, which the test cannot fix.
var median = regexp.MustCompile(`(median of|中央値) [0-9.]+(µs|ms|s)`)

// Each mistake the checker can see, made on a real server by a real
// session, is explained on the console as it happens, in the words of the
// shared table, in both languages.
func TestConsoleDiagnosesOnARealServer(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Lang{i18n.En, i18n.Ja} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			lab := checkertest.Start(t, checkertest.Config{NoWeb: true})
			g3 := lab.Groups[3]
			var out syncBuffer
			con := New(&out, lang, false)
			con.Classroom, con.HandGap = lab.Classroom, time.Hour
			guide := NewGuide(&out, lang, false, GuideOptions{Groups: []int{3}, Classroom: lab.Classroom})
			g3.Server.Journal().Subscribe(Together(con.Event, journal.OnlyRecorded(guide.Event)))
			pw := g3.Passwords["yom"]
			d := func(x i18n.Text, args ...any) string { return "→ " + x.F(lang, args...) }
			tooFast := "→ " + explain.DiagThisSession.In(lang) + explain.DiagTooFast.F(lang, time.Duration(0), time.Hour)
			tooFast = median.ReplaceAllString(tooFast, "$1 X")
			bcc := "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=" // 日本語, as Japanese mailers write it
			tests := []struct {
				name string
				s    checkertest.Session
				want []string
			}{
				{"relay from a host off the classroom", checkertest.Session{From: "127.0.9.9", Addr: g3.SMTPAddr(),
					Lines: []string{"helo pc", "mail from:<yom@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "quit"}},
					[]string{d(explain.DiagRelayHost, "taro@g2.lab.test", "127.0.9.9", g3.Host, g3.Host), tooFast}},
				{"relay outside the class", checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
					Lines: []string{"helo pc", "mail from:<yom@g3.lab.test>", "rcpt to:<bob@example.com>", "quit"}},
					[]string{d(explain.DiagRelayDomain, "bob@example.com", "example.com"), tooFast}},
				{"DELE without QUIT", checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(),
					Lines: []string{"user yom", "pass " + pw, "dele 1", "<close>"}},
					[]string{d(explain.DiagDeleNoQuit, 1)}},
				{"a full-width space", checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(),
					Lines: []string{"user\u3000yom", "quit"}},
					[]string{d(explain.DiagWideSpace)}},
				{"telnet's own commands", checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(),
					Lines: []string{"noop\xff\xf3\xff\xfd\x06", "quit"}},
					[]string{d(explain.DiagTelnet, "BRK")}}, // once a session
				{"a Bcc, and a Japanese subject", checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
					Lines: []string{"helo pc", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>", "rcpt to:<yom@g3.lab.test>",
						"data", "To: hana@g3.lab.test", "Subject: " + bcc, "", "body", ".", "quit"}},
					[]string{d(explain.DiagSubjectRaw, "日本語", bcc), d(explain.DiagBcc, "yom@g3.lab.test"), tooFast}},
				{"a relay from group 2's server: fast, and rightly so", checkertest.Session{From: lab.Groups[2].Host, Addr: g3.SMTPAddr(),
					Lines: []string{"EHLO g2.lab.test", "MAIL FROM:<taro@g2.lab.test>", "RCPT TO:<yom@g3.lab.test>", "DATA", "To: yom@g3.lab.test", "", "hi", ".", "QUIT"}},
					nil},
				{"no final dot", checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
					Lines: []string{"helo pc", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>", "data", "Subject: x", "", "quit", "<close>"}},
					[]string{d(explain.DiagNoDot), tooFast}},
			}
			closed := "── " + map[i18n.Lang]string{i18n.En: "closed", i18n.Ja: "切断"}[lang]
			for _, tt := range tests {
				before := out.String()
				checkertest.Type(t, tt.s)
				waitCount(t, &out, closed, strings.Count(before, closed)+1)
				if tt.name == "no final dot" {
					waitFor(t, &out, explain.DiagNoDot.In(lang))
				}
				var got []string
				for _, m := range arrow.FindAllStringSubmatch(strings.TrimPrefix(out.String(), before), -1) {
					got = append(got, median.ReplaceAllString(m[1], "$1 X"))
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s\n%s", tt.name, diff, strings.TrimPrefix(out.String(), before))
				}
			}
		})
	}
}

// waitCount waits until s occurs n times in the output.
func waitCount(t *testing.T, out *syncBuffer, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(out.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%q not %d times in:\n%s", s, n, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// What the console says of events no plain session makes: TLS, and the
// instructor's probe, shown as one line.
func TestConsoleDiagnosesTLSAndProbe(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	for _, lang := range []i18n.Lang{i18n.En, i18n.Ja} {
		var out bytes.Buffer
		con := New(&out, lang, false)
		for _, e := range []journal.Event{
			{Kind: journal.Open, Session: "pop3-a-1", Remote: "127.0.1.3:4000"},
			{Kind: journal.TLS, Session: "pop3-a-1", Method: "TLS 1.3", Line: "TLS_AES_128_GCM_SHA256", Result: journal.ResultOK},
			{Kind: journal.Open, Session: "pop3-a-2", Remote: "127.0.1.1:4000"},
			{Kind: journal.Command, Session: "pop3-a-2", Proto: "pop3", Verb: "CAPA", Line: "CAPA"},
			{Kind: journal.Command, Session: "pop3-a-2", Proto: "pop3", Verb: "APOP", Line: "APOP grade-probe-1234abcd ****"},
			{Kind: journal.Reply, Session: "pop3-a-2", Proto: "pop3", Code: "-ERR", Line: "-ERR [AUTH] authentication failed"},
			{Kind: journal.Close, Session: "pop3-a-2"},
		} {
			e.Time = at
			con.Event(e)
		}
		open := map[i18n.Lang]string{i18n.En: "── connection from %s ──", i18n.Ja: "── %s から接続 ──"}[lang]
		want := strings.Join([]string{
			"10:00:00 pop3#1 " + strings.Replace(open, "%s", "127.0.1.3:4000", 1),
			"10:00:00 pop3#1   → " + explain.DiagTLS.F(lang, "TLS 1.3", "TLS_AES_128_GCM_SHA256"),
			"10:00:00 pop3#2 " + strings.Replace(open, "%s", "127.0.1.1:4000", 1),
			"10:00:00 pop3#2 C: CAPA",
			"10:00:00 pop3#2 " + explain.DiagProbe.In(lang),
		}, "\n") + "\n"
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", lang, diff)
		}
	}
}
