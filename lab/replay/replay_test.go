package replay

import (
	"strings"
	"testing"
	"time"

	"maillab/exercises/i18n"
	"maillab/server/journal"

	"github.com/google/go-cmp/cmp"
)

func TestFindSession(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var events []journal.Event
	for i, id := range []string{"pop3-aaa-1", "smtp-aaa-2", "pop3-bbb-1", "smtp-bbb-17"} {
		proto, _, _ := strings.Cut(id, "-")
		events = append(events, journal.Event{Kind: journal.Open, Session: id, Proto: proto, Time: at.Add(time.Duration(i) * time.Minute)})
	}
	sessions := Sessions(events)
	tests := []struct {
		name        string
		wantID      string
		wantMatches int
	}{
		{"pop3-aaa-1", "pop3-aaa-1", 1},
		{"smtp#2", "smtp-aaa-2", 1},
		{"pop3#1", "pop3-bbb-1", 2}, // the server restarted: the latest
		{"#17", "smtp-bbb-17", 1},
		{"17", "smtp-bbb-17", 1},
		{"pop3#17", "", 0},
		{"smtp#x", "", 0},
		{"pop3-zzz-1", "", 0},
	}
	for _, tt := range tests {
		s, n := Find(sessions, tt.name)
		got := ""
		if s != nil {
			got = s.id
		}
		if diff := cmp.Diff([2]any{tt.wantID, tt.wantMatches}, [2]any{got, n}); diff != "" {
			t.Errorf("Find(%q): id and matches (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestMailFrom(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"mail from:<hana@g3.lab.test>":          "hana@g3.lab.test",
		"MAIL FROM: <hana@g3.lab.test> SIZE=10": "hana@g3.lab.test",
		"mail from:hana@g3.lab.test":            "hana@g3.lab.test",
		"mail from:<>":                          "",
		"mail":                                  "",
	} {
		if diff := cmp.Diff(want, mailFrom(line)); diff != "" {
			t.Errorf("mailFrom(%q) (-want +got):\n%s", line, diff)
		}
	}
}

// A session that went over to TLS says so where it happened, in both
// languages, and a failed handshake says why.
func TestReplayTLS(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ev := func(sec int, e journal.Event) journal.Event {
		e.Time, e.Session, e.Proto = at.Add(time.Duration(sec)*time.Second), "pop3-x-1", "pop3"
		return e
	}
	tests := []struct {
		name string
		tls  journal.Event
		lang i18n.Lang
		want string
	}{
		{"ok en", journal.Event{Kind: journal.TLS, Result: journal.ResultOK, Method: "TLS 1.3", Line: "TLS_AES_128_GCM_SHA256"}, i18n.En,
			"→ this session is now encrypted (TLS 1.3, cipher TLS_AES_128_GCM_SHA256)."},
		{"ok ja", journal.Event{Kind: journal.TLS, Result: journal.ResultOK, Method: "TLS 1.2", Line: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, i18n.Ja,
			"→ このセッションはここから暗号化されています（TLS 1.2、暗号スイート TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256）。"},
		{"failed", journal.Event{Kind: journal.TLS, Result: journal.ResultFail, Error: "tls: first record does not look like a TLS handshake"}, i18n.En,
			"→ the TLS handshake failed and the connection ended (tls: first record does not look like a TLS handshake)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			events := []journal.Event{
				ev(0, journal.Event{Kind: journal.Open, Remote: "127.0.0.1:5000"}),
				ev(0, journal.Event{Kind: journal.Reply, Code: "+OK", Line: "+OK maillab POP3 server ready <1.2@g3.lab.test>"}),
				ev(1, journal.Event{Kind: journal.Command, Verb: "STLS", Line: "STLS"}),
				ev(1, journal.Event{Kind: journal.Reply, Code: "+OK", Line: "+OK Begin TLS negotiation"}),
				ev(1, tt.tls),
				ev(2, journal.Event{Kind: journal.Close}),
			}
			sessions := Sessions(events)
			if len(sessions) != 1 {
				t.Fatalf("%d sessions", len(sessions))
			}
			var b strings.Builder
			Write(&b, tt.lang, false, sessions[0], nil)
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("no %q in:\n%s", tt.want, b.String())
			}
		})
	}
}
