package smtp

import (
	"strings"
	"testing"
)

// FuzzParseMailRcpt feeds the MAIL and RCPT parsers anything: they must not
// panic; an address they accept has no character that could break a header
// or a later command line (CR, LF, NUL: "<" and ">" may stand in a quoted
// local part, as in "\">\""@example), and parses again to itself.
func FuzzParseMailRcpt(f *testing.F) {
	for _, s := range []string{
		"FROM:<alice@g1.lab.test>", "from: <alice@g1.lab.test> SIZE=100 BODY=8BITMIME", "FROM:<>", "FROM:alice@g1.lab.test",
		"FROM:<@a,@b:u@d>", "FROM:<\"quoted local\"@d>", "FROM:<a@[127.0.0.1]>", "FROM:<a@[IPv6:::1]>", "FROM:<a@b> SIZE=99999999999999999999",
		"TO:<yom@g3.lab.test>", "to:<Postmaster>", "TO:<a@b> NOTIFY=NEVER", "TO:<a b@c>", "TO:<a@b>>", "TO:<<a@b>", "TO:<a@-b.c>",
		"TO:<\"\\\"\"@d>", "FROM:<a@b\x00>", "TO:<a@b\r\nRCPT TO:<c@d>>", "", ":", "FROM:<" + strings.Repeat("a", 600) + "@b>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		check := func(addr string) {
			if strings.ContainsAny(addr, "\r\n\x00") {
				t.Fatalf("accepted address %q from %q", addr, arg)
			}
		}
		if from, _, r := parseMail(arg, 1<<20); r == nil && from != "" {
			check(from)
			if again, _, r := parseMail("FROM:<"+from+">", 1<<20); r != nil || again != from {
				t.Fatalf("reverse-path %q from %q parses again as %q (%v)", from, arg, again, r)
			}
		}
		if to, r := parseRcpt(arg); r == nil {
			check(to)
			if again, r := parseRcpt("TO:<" + to + ">"); r != nil || again != to {
				t.Fatalf("forward-path %q from %q parses again as %q (%v)", to, arg, again, r)
			}
		}
	})
}
