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

func TestTextsInBothLanguages(t *testing.T) {
	t.Parallel()
	if bad := i18n.Missing(texts); len(bad) > 0 {
		t.Errorf("replay texts missing a language or with different verbs: %v", bad)
	}
}
