package pop3

import (
	"strings"
	"testing"

	"maillab/server/mask"
)

// FuzzMask feeds the command parser and the mask anything: neither may
// panic, a masked line must mask to itself, and what a tracer sees must be
// made of the allow-list only: a verb of POP3 followed by message numbers,
// the user name of USER or APOP, or "****"; or a class with a length.
func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"USER yom", "user yom", "PASS tanstaaf", "pass  with spaces  ", "APOP yom c4c9334bac560ecc979e58001b3e22fb",
		"apop\tyom\t8f9e4723b4a1207bd915dc7d07c5ae", "APOP onlyone", "RETR 1", "TOP 1 10", "LIST", "UIDL 2",
		"", " ", "\t\t", "QUIT extra words", "USER yom secret", "PASS", "APOP", "X" + strings.Repeat("y", 300),
		"PASS \x00nul", "RETR -1", "RETR 99999999999999999999", "Ünïcödé", "PASS\u3000secret", "PA\x7fSS pw",
		"USER taro\u00a0secret", "AUTH PLAIN AHlvbQB0YW5zdGFhZg==", "<unknown command, 12 bytes>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd := parse(line)
		if cmd.verb != strings.ToUpper(cmd.word) {
			t.Fatalf("verb %q of word %q", cmd.verb, cmd.word)
		}
		m := Mask(line)
		if again := Mask(m.Text); again != m {
			t.Fatalf("mask of %q is %+v, masked again %+v", line, m, again)
		}
		if _, ok := mask.AsClass(m.Text); ok || m.Verb == mask.Empty {
			return
		}
		w := mask.Split(m.Text)
		if _, ok := commands[m.Verb]; !ok || mask.Verb(w) != m.Verb {
			t.Fatalf("line %q kept as %+v: not a POP3 verb", line, m)
		}
		for i, a := range w.Args {
			name := (m.Verb == "USER" || m.Verb == "APOP" && len(w.Args) > 1) && i == 0 && mask.Name(a)
			if a != mask.Hidden && !name && !(m.Verb != "USER" && m.Verb != "APOP" && m.Verb != "PASS" && mask.Number(a)) {
				t.Fatalf("line %q kept as %q: argument %q is not on the allow-list", line, m.Text, a)
			}
		}
	})
}
