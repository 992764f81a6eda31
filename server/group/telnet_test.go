package group_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
	"maillab/server/group"
	"maillab/server/journal"
)

// telnetNotes returns the Telnet commands the journal noted, in order.
func telnetNotes(t *testing.T, data *group.Data) []string {
	t.Helper()
	events, err := journal.ReadFile(data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, e := range events {
		if e.Kind == journal.Note && e.Reason == group.NoteTelnet {
			notes = append(notes, e.Line)
		}
	}
	return notes
}

// runTelnetScript runs an expect script with HOME holding telnetrc as
// ~/.telnetrc ("" for none).
func runTelnetScript(t *testing.T, telnetrc string, args ...string) string {
	t.Helper()
	testenv.NeedTool(t, "telnet")
	home := t.TempDir()
	if telnetrc != "" {
		if err := os.WriteFile(filepath.Join(home, ".telnetrc"), []byte(telnetrc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testenv.NeedTool(t, "expect"), args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASSED") {
		t.Fatalf("expect %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// The real telnet, typing a Japanese line into DATA. With telnet's default
// settings a byte of 本 becomes IAC BRK IAC DO TIMING-MARK: the server
// answers, so every reply still reaches the student's screen, and notes
// what telnet did; the text itself is damaged by telnet before it is sent.
// With the quit character off (Ctrl-] "unset quit", or "DEFAULT unset quit"
// in ~/.telnetrc, as the guide says) the body arrives intact.
func TestRealTelnetJapaneseSMTP(t *testing.T) {
	t.Parallel()
	const intact = "\n\n日本語の行\n"
	damaged := "\n\n日\xe6\xac語の行\n" // 本's 0x9C taken by telnet
	tests := []struct {
		name, mode, telnetrc string
		body                 string
		notes                []string
	}{
		{"default settings", "default", "", damaged, []string{"BRK", "DO TIMING-MARK"}},
		{"unset quit", "unset-quit", "", intact, nil},
		{"telnetrc", "default", "DEFAULT unset quit\n", intact, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			runTelnetScript(t, tt.telnetrc, "testdata/clients/japanese-smtp.exp", s.smtpHost, s.smtpPort, "alice@g1.lab.test", "yom@g3.lab.test", tt.mode)
			msg := lastMessage(t, s.data, "yom", 2)
			if !strings.HasSuffix(msg, tt.body) {
				t.Errorf("stored message ends %q, want %q", msg[max(0, len(msg)-40):], tt.body)
			}
			if diff := cmp.Diff(tt.notes, telnetNotes(t, s.data)); diff != "" {
				t.Errorf("telnet notes in the journal -want +got:\n%s", diff)
			}
		})
	}
}

// Japanese typed at the POP3 prompt of the real telnet: the server answers
// the timing mark, so the replies that follow reach telnet's screen.
func TestRealTelnetJapanesePOP3(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	runTelnetScript(t, "", "testdata/clients/japanese-pop3.exp", s.popHost, s.popPort, "yom", testUsers["yom"])
	if diff := cmp.Diff([]string{"BRK", "DO TIMING-MARK"}, telnetNotes(t, s.data)); diff != "" {
		t.Errorf("telnet notes -want +got:\n%s", diff)
	}
}
