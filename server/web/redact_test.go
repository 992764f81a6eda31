package web

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/account"
	"maillab/server/journal"
	"maillab/server/mask"
	"maillab/server/pop3"
	"maillab/server/smtp"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	protocols := func(proto, line string) mask.Line {
		switch proto {
		case "pop3":
			return pop3.Mask(line)
		case "smtp":
			return smtp.Mask(line)
		}
		return classOnly(proto, line)
	}
	r := newRedactor([]account.Account{{Name: "yom", Password: "tanstaaf"}, {Name: "hana", Password: "hana"}}, protocols)
	digest := "c4c9334bac560ecc979e58001b3e22fb"
	tests := []struct {
		in, want journal.Event
	}{
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PASS", Line: "pass tanstaaf"},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PASS", Line: "pass ****"}},
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PASS", Line: "PASS two words"},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PASS", Line: "PASS ****"}},
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "APOP", Line: "apop yom " + digest},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "APOP", Line: "apop yom ****"}},
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "APOP", Line: "APOP " + digest},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "APOP", Line: "APOP ****"}},
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "USER", Line: "user yom tanstaaf"},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "USER", Line: "user yom ****"}},
		// a password typed where the user name goes, and as a command
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "USER", Line: "USER TanStaaf"},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "USER", Line: "USER ****"}},
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "TANSTAAF", Line: "tanstaaf"},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "unknown", Line: "<unknown command, 8 bytes>"}},
		// what a journal of an older version may hold: the allow-list again
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PASS　TANSTAAF", Line: "PASS　tanstaaf"},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PASS", Line: "PASS　****"}},
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PAS", Line: "PAS 8kpk8n3i"},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "unknown", Line: "<unknown command, 12 bytes>"}},
		{journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "PASS", Line: "PASS 8kpk8n3i"},
			journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "unknown", Line: "<unknown command, 13 bytes>"}},
		{journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "NOOP", Line: "NOOP \x1b]0;TITLE\x07"},
			journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "control", Line: "<command with control characters, 15 bytes>"}},
		{journal.Event{Kind: journal.Command, Verb: "X", Line: "no protocol"},
			journal.Event{Kind: journal.Command, Verb: "unknown", Line: "<unknown command, 11 bytes>"}},
		{journal.Event{Kind: journal.Reply, Proto: "pop3", Code: "+OK", Line: "+OK password required for tanstaaf"},
			journal.Event{Kind: journal.Reply, Proto: "pop3", Code: "+OK", Line: "+OK password required for ****"}},
		{journal.Event{Kind: journal.Login, User: "tanstaaf", Result: "fail", Reason: "unknown-user"},
			journal.Event{Kind: journal.Login, User: "****", Result: "fail", Reason: "unknown-user"}},
		// a user whose password is their name keeps the name
		{journal.Event{Kind: journal.Login, User: "hana", Result: "ok"},
			journal.Event{Kind: journal.Login, User: "hana", Result: "ok"}},
		// a digest anywhere
		{journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "NOOP", Line: "NOOP " + digest},
			journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "NOOP", Line: "NOOP ****"}},
		{journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "AUTH", Line: "AUTH PLAIN AHlvbQB0YW5zdGFhZg=="},
			journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "AUTH", Line: "AUTH PLAIN ****"}},
		// what is not secret stays
		{journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "MAIL", Line: "MAIL FROM:<yom@g3.lab.test>"},
			journal.Event{Kind: journal.Command, Proto: "smtp", Verb: "MAIL", Line: "MAIL FROM:<yom@g3.lab.test>"}},
		{journal.Event{Kind: journal.Delivered, From: "hana@g3.lab.test", User: "yom", UID: "1764061231.M1P2Q3.host"},
			journal.Event{Kind: journal.Delivered, From: "hana@g3.lab.test", User: "yom", UID: "1764061231.M1P2Q3.host"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, r.event(tt.in)); diff != "" {
			t.Errorf("redact %q (-want +got):\n%s", tt.in.Line+tt.in.User, diff)
		}
	}
}

// Without a protocol's allow-list the API keeps of a command line only
// its class and length: what it does not know, it does not show.
func TestRedactWithoutProtocols(t *testing.T) {
	t.Parallel()
	r := newRedactor(nil, nil)
	got := r.event(journal.Event{Kind: journal.Command, Proto: "pop3", Verb: "PASS", Line: "PASS tanstaaf"})
	if strings.Contains(got.Line, "tanstaaf") || !strings.HasPrefix(got.Line, "<") {
		t.Errorf("line %q", got.Line)
	}
}
