package explain

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises/i18n"
)

func TestEveryNoteInBothLanguages(t *testing.T) {
	t.Parallel()
	notes := map[string]Note{}
	for k, n := range pop3Commands {
		notes["pop3 "+k] = n
	}
	for k, n := range pop3Status {
		notes["pop3 "+k] = n
	}
	for k, n := range pop3Codes {
		notes["pop3 ["+k+"]"] = n
	}
	for k, n := range smtpCommands {
		notes["smtp "+k] = n
	}
	for k, n := range smtpCodes {
		notes["smtp "+strconv.Itoa(k)] = n
	}
	for k, n := range smtpExtensions {
		notes["ehlo "+k] = n
	}
	catalog := map[string]i18n.Text{}
	for k, n := range notes {
		catalog[k] = n.Text
		if n.Ref == "" {
			t.Errorf("%s has no reference", k)
		}
	}
	for _, table := range []map[string]i18n.Text{loginReasons, enhancedDetail, enhancedSubject, enhancedClass} {
		for k, v := range table {
			catalog["table "+k] = v
		}
	}
	for k, v := range smtpFirst {
		catalog["first "+strconv.Itoa(k)] = v
	}
	for k, v := range smtpSecond {
		catalog["second "+strconv.Itoa(k)] = v
	}
	if bad := i18n.Missing(catalog); len(bad) > 0 {
		t.Errorf("notes missing a language or with different verbs: %v", bad)
	}
}

// texts returns the notes in l, the way lab replay prints them.
func texts(notes []Note, l i18n.Lang) []string {
	var out []string
	for _, n := range notes {
		out = append(out, n.In(l))
	}
	return out
}

func TestCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		proto, line string
		wantOK      bool
		wantEn      string
		wantJa      string
	}{
		{POP3, "user yom", true,
			"USER name — names the maildrop to log in to; PASS with the password comes next (RFC 1939 §7)",
			"USER 名前 — ログインするメールボックスの名前を伝えます。続けて PASS でパスワードを送ります（RFC 1939 §7）"},
		{POP3, "apop yom ****", true, "", ""},
		{POP3, "  retr 1", true, "", ""},
		{POP3, "CAPA", true, "CAPA — asks for the list of the server's capabilities (RFC 2449 §5)", ""},
		{POP3, "quit", true, "", ""},
		{POP3, "helo x", false, "", ""},
		{SMTP, "mail from:<yom@g3.lab.test>", true,
			"MAIL FROM:<address> — gives the envelope sender and starts a new mail transaction (a bounce goes back to this address) (RFC 5321 §4.1.1.2)", ""},
		{SMTP, "RCPT TO: <a@b>", true, "", ""},
		{SMTP, "quit", true, "QUIT — ends the session; the server answers 221 and closes the connection (RFC 5321 §4.1.1.10)",
			"QUIT — セッションを終えます。サーバは 221 と答えて接続を閉じます（RFC 5321 §4.1.1.10）"},
		{SMTP, "user yom", false, "", ""},
		{"imap", "noop", false, "", ""},
	}
	for _, tt := range tests {
		n, ok := Command(tt.proto, tt.line)
		if ok != tt.wantOK {
			t.Errorf("Command(%s, %q) ok = %v, want %v", tt.proto, tt.line, ok, tt.wantOK)
			continue
		}
		if tt.wantEn != "" {
			if diff := cmp.Diff(tt.wantEn, n.In(i18n.En)); diff != "" {
				t.Errorf("Command(%s, %q) in English (-want +got):\n%s", tt.proto, tt.line, diff)
			}
		}
		if tt.wantJa != "" {
			if diff := cmp.Diff(tt.wantJa, n.In(i18n.Ja)); diff != "" {
				t.Errorf("Command(%s, %q) in Japanese (-want +got):\n%s", tt.proto, tt.line, diff)
			}
		}
	}
}

func TestVerb(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"mail from:<a@b>":  "MAIL",
		"MAIL FROM: <a@b>": "MAIL",
		"user yom":         "USER",
		"QUIT":             "QUIT",
		"":                 "",
		"  noop":           "NOOP",
	} {
		if got := Verb(line); got != want {
			t.Errorf("Verb(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		proto, line string
		want        []string // in English
	}{
		{POP3, "+OK password required for yom", []string{"+OK — positive response: the command succeeded (RFC 1939 §3)"}},
		{POP3, "-ERR [AUTH] invalid user name or password", []string{
			"-ERR — negative response: the command failed (the session goes on) (RFC 1939 §3)",
			"[AUTH] — authentication failed: the user name, the password or the digest is wrong (which one is deliberately not said) (RFC 3206 §5)",
		}},
		{POP3, "-ERR [IN-USE] maildrop already locked by another session", []string{
			"-ERR — negative response: the command failed (the session goes on) (RFC 1939 §3)",
			"[IN-USE] — authenticated, but another session holds the maildrop's lock; QUIT that session and try again (RFC 2449 §8.1.1)",
		}},
		{POP3, "-ERR [SYS/TEMP] server shutting down", []string{
			"-ERR — negative response: the command failed (the session goes on) (RFC 1939 §3)",
			"[SYS/TEMP] — a temporary problem on the server; not your mistake, so try again later (RFC 3206 §4)",
		}},
		{POP3, "-ERR [SYS/OTHER] x", []string{
			"-ERR — negative response: the command failed (the session goes on) (RFC 1939 §3)",
			"[SYS] — the server failed for a reason of its own (not your mistake) (RFC 3206 §4)",
		}},
		{POP3, "-ERR [NEW-CODE] x", []string{
			"-ERR — negative response: the command failed (the session goes on) (RFC 1939 §3)",
			"[NEW-CODE] — a response code: the reason for the answer, in a form programs can read (RFC 2449 §8)",
		}},
		{POP3, "-ERR no such message", []string{"-ERR — negative response: the command failed (the session goes on) (RFC 1939 §3)"}},
		{POP3, "1 2478", nil},
		{SMTP, "250 2.1.5 Ok", []string{
			"250 — the requested action is done (RFC 5321 §4.2.3)",
			"2.1.5 — success: destination address valid (RFC 3463 §3.2)",
		}},
		{SMTP, "550 5.1.1 <nobody@g3.lab.test>: Recipient address rejected: User unknown in local recipient table", []string{
			"550 — mailbox unavailable (none such, or refused by policy); trying again as it is will not help (RFC 5321 §4.2.3)",
			"5.1.1 — permanent failure: bad destination mailbox address (no such user) (RFC 3463 §3.2)",
		}},
		{SMTP, "554 5.7.1 <a@example.com>: Relay access denied", []string{
			"554 — transaction failed (relaying refused, for one); trying again as it is will not help (RFC 5321 §4.2.3)",
			"5.7.1 — permanent failure: delivery not authorized, message refused (relaying denied, for one) (RFC 3463 §3.8)",
		}},
		{SMTP, "503 5.5.1 Need MAIL before RCPT", []string{
			"503 — bad sequence of commands (send HELO, MAIL, RCPT, DATA in that order) (RFC 5321 §4.2.3, §4.1.4)",
			"5.5.1 — permanent failure: invalid command (out of sequence, or not supported) (RFC 3463 §3.6)",
		}},
		{SMTP, "354 End data with <CR><LF>.<CR><LF>", []string{
			"354 — go ahead with the message; end it with a line holding only \".\" (<CRLF>.<CRLF>) (RFC 5321 §4.2.3)",
		}},
		{SMTP, "214-2.0.0 Commands", []string{
			"214 — a help message (RFC 5321 §4.2.3)",
			"2.0.0 — success: other or undefined status (RFC 3463 §3.1)",
		}},
		{SMTP, "459 4.9.9 odd", []string{
			"459 — transient failure: the same request may work later; about the mail system (RFC 5321 §4.2.1)",
			"4.9.9 — temporary failure (RFC 3463 §2)",
		}},
		{SMTP, "250 5.1.99 odd", []string{
			"250 — the requested action is done (RFC 5321 §4.2.3)",
			"5.1.99 — permanent failure: about an address (RFC 3463 §3.2)",
		}},
		{SMTP, "hello", nil},
		{SMTP, "2500 x", nil},
		{SMTP, "99", nil},
	}
	for _, tt := range tests {
		got := texts(Reply(tt.proto, tt.line), i18n.En)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Reply(%s, %q) (-want +got):\n%s", tt.proto, tt.line, diff)
		}
	}
}

func TestReplyInJapanese(t *testing.T) {
	t.Parallel()
	got := texts(Reply(SMTP, "550 5.1.1 <nobody@g3.lab.test>: User unknown"), i18n.Ja)
	want := []string{
		"550 — メールボックスが使えません（存在しない、または方針で拒否）。そのままやり直しても通りません（RFC 5321 §4.2.3）",
		"5.1.1 — 恒久的な失敗: 宛先のメールボックスがありません（ユーザ名の誤り）（RFC 3463 §3.2）",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGreeting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		proto, line string
		want        []string
	}{
		{POP3, "+OK maillab POP3 server ready <3386.1036126149@g3.lab.test>", []string{
			"greeting: the server is ready; the <…> at its end is this connection's APOP timestamp (new on every connection) (RFC 1939 §4, §7)",
			"+OK — positive response: the command succeeded (RFC 1939 §3)",
		}},
		{POP3, "+OK POP3 ready", []string{
			"greeting: the server is ready (it has no timestamp, so APOP cannot be used) (RFC 1939 §4)",
			"+OK — positive response: the command succeeded (RFC 1939 §3)",
		}},
		{SMTP, "220 g3.lab.test ESMTP maillab", []string{"220 — service ready (the server's greeting) (RFC 5321 §4.2.3)"}},
	}
	for _, tt := range tests {
		got := texts(Greeting(tt.proto, tt.line), i18n.En)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Greeting(%s, %q) (-want +got):\n%s", tt.proto, tt.line, diff)
		}
	}
}

func TestExtension(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"PIPELINING":          "PIPELINING — the client may send several commands without waiting for each reply (RFC 2920)",
		"SIZE 10485760":       "SIZE — the largest message the server accepts, in octets (RFC 1870)",
		"ENHANCEDSTATUSCODES": "ENHANCEDSTATUSCODES — replies carry detailed status codes such as 2.1.5 (RFC 2034)",
		"X-UNKNOWN":           "",
	} {
		n, ok := Extension(text)
		if ok != (want != "") {
			t.Errorf("Extension(%q) ok = %v", text, ok)
			continue
		}
		if ok && n.In(i18n.En) != want {
			t.Errorf("Extension(%q) = %q, want %q", text, n.In(i18n.En), want)
		}
	}
}

func TestLoginFailure(t *testing.T) {
	t.Parallel()
	// every diagnosis the group server gives is explained
	for _, reason := range []string{"unknown-user", "wrong-password", "apop-malformed", "apop-uppercase",
		"apop-newline", "apop-no-brackets", "apop-no-secret", "apop-wrong-order", "apop-old-challenge", "apop-wrong"} {
		txt, ok := LoginFailure(reason)
		if !ok || strings.TrimSpace(txt.Ja) == "" || strings.TrimSpace(txt.En) == "" {
			t.Errorf("LoginFailure(%q) = %v, %v", reason, txt, ok)
		}
	}
	if _, ok := LoginFailure("no-such-reason"); ok {
		t.Error("an unknown reason was explained")
	}
}

func TestUnknown(t *testing.T) {
	t.Parallel()
	if got, want := Unknown(POP3).In(i18n.En), "POP3 has no such command (check the spelling) (RFC 1939 §9)"; got != want {
		t.Errorf("Unknown(POP3) = %q, want %q", got, want)
	}
	if got, want := Unknown(SMTP).In(i18n.Ja), "SMTP にこのコマンドはありません（綴りを確かめてください）（RFC 5321 §4.1）"; got != want {
		t.Errorf("Unknown(SMTP) = %q, want %q", got, want)
	}
}
