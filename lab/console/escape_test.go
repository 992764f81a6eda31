package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises/explain"
	"maillab/exercises/i18n"
	"maillab/server/journal"
	"maillab/server/mask"
)

func TestPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"PASS ****", "PASS ****"},
		{"日本語\tタブ", "日本語\tタブ"},
		{"NOOP \x1b]0;TITLE\x07\x1b[2J", `NOOP \x1b]0;TITLE\x07\x1b[2J`},
		{"\x1b]52;c;aGk=\x07", `\x1b]52;c;aGk=\x07`},
		{"a\rb\nc\x7f", `a\x0db\x0ac\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"line\u2028para\u2029", `line\u2028para\u2029`},
		{"bidi \u202etxt.exe\u2066\u2069\u200f", `bidi \u202etxt.exe\u2066\u2069\u200f`},
		{"bad \xff\xfe utf-8", `bad \xff\xfe utf-8`},
		{`a forged \x1b`, `a forged \\x1b`},
		{"full\u3000width", "full\u3000width"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Printable(tt.in)); diff != "" {
			t.Errorf("Printable(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// A console fed events with terminal controls in every field writes no
// control character but the newline, and explains a full-width space in
// the student's language.
func TestConsoleEscapes(t *testing.T) {
	t.Parallel()
	hostile := "\x1b]0;TITLE\x07\x1b[2J\u009b\u202e"
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	events := []journal.Event{
		{Kind: journal.Open, Session: "smtp-x-1", Remote: hostile},
		{Kind: journal.Command, Session: "smtp-x-1", Line: "NOOP " + hostile},
		{Kind: journal.Reply, Session: "smtp-x-1", Code: "250", Line: "250 " + hostile},
		{Kind: journal.Accepted, Session: "smtp-x-1", ID: hostile, From: hostile, Rcpt: []string{hostile}},
		{Kind: journal.Login, Session: "pop3-x-2", User: hostile, Result: journal.ResultError, Error: hostile},
		{Kind: journal.Command, Session: "pop3-x-2", Verb: "PASS", Line: "PASS\u3000****", Reason: mask.WideSpace},
	}
	for _, lang := range []i18n.Lang{i18n.Ja, i18n.En} {
		var out bytes.Buffer
		c := New(&out, lang, false)
		for _, e := range events {
			e.Time = at
			c.Event(e)
		}
		got := out.String()
		if !mask.Printable(strings.ReplaceAll(got, "\n", "")) {
			t.Errorf("%v: the console wrote a control character:\n%q", lang, got)
		}
		if !strings.Contains(got, `\x1b]0;TITLE\x07`) {
			t.Errorf("%v: the escape sequence is not shown escaped:\n%s", lang, got)
		}
		if want := explain.DiagWideSpace.In(lang); !strings.Contains(got, want) {
			t.Errorf("%v: no note on the full-width space (%q):\n%s", lang, want, got)
		}
	}
	if got := events[3].Rcpt[0]; got != hostile {
		t.Errorf("the console changed the event it was given: %q", got)
	}
}

// A line kept only as its class is said in the student's language.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang i18n.Lang
		line string
		want string
	}{
		{i18n.En, "PASS ****", "PASS ****"},
		{i18n.En, "<unknown command, 12 bytes>", "<a command this protocol does not have, 12 bytes; its text is not kept>"},
		{i18n.Ja, "<unknown command, 12 bytes>", "〈このプロトコルにないコマンド、12 バイト。内容は記録しません〉"},
		{i18n.Ja, "<command with control characters, 7 bytes>", "〈制御文字を含むコマンド、7 バイト。内容は記録しません〉"},
		{i18n.En, "<unknown command, x bytes>", "<unknown command, x bytes>"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, CommandLine(tt.lang, journal.Event{Kind: journal.Command, Line: tt.line})); diff != "" {
			t.Errorf("%v %q (-want +got):\n%s", tt.lang, tt.line, diff)
		}
	}
}
