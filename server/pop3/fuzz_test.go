package pop3

import (
	"strings"
	"testing"
)

// FuzzParse feeds the command parser anything: it must not panic, and what
// a tracer sees must never hold the password of PASS or the digest of APOP.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"USER yom", "user yom", "PASS tanstaaf", "pass  with spaces  ", "APOP yom c4c9334bac560ecc979e58001b3e22fb",
		"apop\tyom\t8f9e4723b4a1207bd915dc7d07c5ae", "APOP onlyone", "RETR 1", "TOP 1 10", "LIST", "UIDL 2",
		"", " ", "\t\t", "QUIT extra words", "USER yom secret", "PASS", "APOP", "X" + strings.Repeat("y", 300),
		"PASS \x00nul", "RETR -1", "RETR 99999999999999999999", "Ünïcödé",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd := parse(line)
		if cmd.verb != strings.ToUpper(cmd.word) {
			t.Fatalf("verb %q of word %q", cmd.verb, cmd.word)
		}
		seen := cmd.redacted(line)
		shown := func(secret string) bool {
			return secret != "" && strings.Contains(seen, secret) &&
				!strings.Contains(cmd.word+" "+strings.Join(cmd.args[:min(1, len(cmd.args))], " ")+" ****", secret)
		}
		switch cmd.verb {
		case "PASS":
			if shown(cmd.rest) && !strings.Contains(cmd.word+" ****", cmd.rest) {
				t.Fatalf("PASS line %q shown as %q", line, seen)
			}
		case "APOP":
			for _, a := range cmd.args[min(1, len(cmd.args)):] {
				if shown(a) {
					t.Fatalf("APOP line %q shown as %q", line, seen)
				}
			}
		}
	})
}
