package checker_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"maillab/checker/checkertest"
	"maillab/server/journal"
)

// The journals under testdata/journals are real: each scenario below ran
// sessions against a real classroom of group servers (groups 1–3 in one
// cluster, group 4 in another; group 3 is the one checked), and its
// journals were copied. `go test ./checker -run TestJournals -update`
// records them anew (typed sessions take a while: a line every 600ms);
// -run TestJournals/record/NAME -update records only scenario NAME.
var update = flag.Bool("update", false, "record the journals under testdata/journals anew")

// typed is the pace of the sessions typed by hand in the recordings:
// slower than the default threshold of 500ms.
const typed = 600 * time.Millisecond

// a scenario plays sessions on a lab (groups 1–4, group 4 in a cluster of
// its own).
type scenario func(t *testing.T, lab *checkertest.Lab)

func pop3(lab *checkertest.Lab, from, to int, delay time.Duration, user string, lines ...string) checkertest.Session {
	return checkertest.Session{From: checkertest.Host(from), Addr: lab.Groups[to].POP3Addr(), Delay: delay,
		Secret: checkertest.Password(user, to), Lines: lines}
}

func smtpTo(lab *checkertest.Lab, from, to int, delay time.Duration, lines ...string) checkertest.Session {
	return checkertest.Session{From: checkertest.Host(from), Addr: lab.Groups[to].SMTPAddr(), Delay: delay, Lines: lines}
}

// send is a whole SMTP transaction from group from's host to group to's
// server.
func send(lab *checkertest.Lab, from, to int, delay time.Duration, mailFrom string, rcpts []string, header string) checkertest.Session {
	lines := []string{"HELO pc" + strconv.Itoa(from) + ".example", "MAIL FROM:<" + mailFrom + ">"}
	for _, r := range rcpts {
		lines = append(lines, "RCPT TO:<"+r+">")
	}
	lines = append(lines, "DATA")
	lines = append(lines, strings.Split(header, "\n")...)
	lines = append(lines, "", "a message for the checker's tests", ".", "QUIT")
	return smtpTo(lab, from, to, delay, lines...)
}

func pass(user string, g int) string { return "PASS " + checkertest.Password(user, g) }

var scenarios = map[string]scenario{
	"nothing": func(t *testing.T, lab *checkertest.Lab) {},
	"pop3-typed": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "user yom", pass("yom", 3), "list", "retr 1", "quit"))
	},
	"pop3-no-retr": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "user yom", pass("yom", 3), "stat", "quit"))
	},
	"pop3-no-list": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "user yom", pass("yom", 3), "retr 1", "quit"))
	},
	"pop3-no-quit": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "user yom", pass("yom", 3), "list", "retr 1", "<close>"))
	},
	// DELE marks a message, then the connection closes without QUIT: the
	// mark is discarded (RFC 1939 §6)
	"pop3-dele-no-quit": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "user yom", pass("yom", 3), "list", "retr 1", "dele 1", "<close>"))
	},
	"pop3-wrong-password": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "user yom", "pass not-my-password", "quit"))
	},
	// the handout's session at machine speed, as a paste or a client sends it
	"pop3-fast": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, 0, "yom", "user yom", pass("yom", 3), "list", "retr 1", "quit"))
	},
	"apop-typed": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "apop yom {digest}", "retr 1", "quit"))
	},
	"apop-newline": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "apop yom {digest-newline}", "quit"))
	},
	"apop-no-retr": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "apop yom {digest}", "stat", "quit"))
	},
	"apop-dele-no-quit": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, typed, "yom", "apop yom {digest}", "retr 1", "dele 1", "<close>"))
	},
	"smtp-typed": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 3, typed, "yom@g3.lab.test", []string{"hana@g3.lab.test"}, "Subject: typed\nTo: hana@g3.lab.test"))
	},
	"smtp-typed-to-peer": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 2, typed, "yom@g3.lab.test", []string{"taro@g2.lab.test"}, "Subject: typed\nTo: taro@g2.lab.test"))
	},
	"smtp-fast": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 3, 0, "yom@g3.lab.test", []string{"hana@g3.lab.test"}, "Subject: fast\nTo: hana@g3.lab.test"))
	},
	"smtp-postmaster": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 3, typed, "postmaster@g3.lab.test", []string{"hana@g3.lab.test"}, "Subject: typed\nTo: hana@g3.lab.test"))
	},
	"smtp-no-dot": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, smtpTo(lab, 3, 3, typed, "HELO pc3", "MAIL FROM:<yom@g3.lab.test>", "RCPT TO:<hana@g3.lab.test>",
			"DATA", "Subject: never ended", "", "I forgot the dot", "QUIT", "<close>"))
	},
	"smtp-no-brackets": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, smtpTo(lab, 3, 3, typed, "HELO pc3", "MAIL FROM: yom@g3.lab.test", "QUIT"))
	},
	"smtp-rcpt-first": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, smtpTo(lab, 3, 3, typed, "HELO pc3", "RCPT TO:<hana@g3.lab.test>", "QUIT"))
	},
	"smtp-data-first": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, smtpTo(lab, 3, 3, typed, "HELO pc3", "MAIL FROM:<yom@g3.lab.test>", "DATA", "QUIT"))
	},
	"smtp-no-quit": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, smtpTo(lab, 3, 3, typed, "HELO pc3", "MAIL FROM:<yom@g3.lab.test>", "RCPT TO:<hana@g3.lab.test>",
			"DATA", "Subject: no quit", "", "hello", ".", "<close>"))
	},
	// group 3's yom writes to group 2's taro, MTA to MTA; taro reads it
	"cross-send-read": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 2, 0, "yom@g3.lab.test", []string{"taro@g2.lab.test"}, "Subject: hello group 2\nTo: taro@g2.lab.test"))
		checkertest.Type(t, pop3(lab, 2, 2, 0, "taro", "user taro", pass("taro", 2), "retr 2", "quit"))
	},
	"cross-send-unread": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 2, 0, "yom@g3.lab.test", []string{"taro@g2.lab.test"}, "Subject: hello group 2\nTo: taro@g2.lab.test"))
		checkertest.Type(t, pop3(lab, 2, 2, 0, "taro", "user taro", pass("taro", 2), "retr 1", "quit")) // the welcome message
	},
	"cross-send-not-member": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 2, 0, "nobody@g3.lab.test", []string{"taro@g2.lab.test"}, "Subject: hello\nTo: taro@g2.lab.test"))
		checkertest.Type(t, pop3(lab, 2, 2, 0, "taro", "user taro", pass("taro", 2), "retr 2", "quit"))
	},
	"cross-send-other-cluster": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 4, 0, "yom@g3.lab.test", []string{"taro@g4.lab.test"}, "Subject: hello group 4\nTo: taro@g4.lab.test"))
		checkertest.Type(t, pop3(lab, 4, 4, 0, "taro", "user taro", pass("taro", 4), "retr 2", "quit"))
	},
	// group 3's yom, at group 2's machine, fetches mail from group 3's server
	"cross-apop-read": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 2, 3, 0, "yom", "apop yom {digest}", "retr 1", "quit"))
	},
	"cross-apop-own-machine": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 3, 3, 0, "yom", "apop yom {digest}", "retr 1", "quit"))
	},
	"cross-apop-user-pass": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 1, 3, 0, "yom", "user yom", pass("yom", 3), "retr 1", "quit"))
	},
	"cross-apop-other-cluster": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 4, 3, 0, "yom", "apop yom {digest}", "retr 1", "quit"))
	},
	"cross-apop-no-retr": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, pop3(lab, 1, 3, 0, "yom", "apop yom {digest}", "stat", "quit"))
	},
	// taro is only in RCPT TO; hana is in To
	"bcc-read": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 3, 0, "yom@g3.lab.test", []string{"hana@g3.lab.test", "taro@g3.lab.test"}, "Subject: meeting\nTo: hana@g3.lab.test"))
		checkertest.Type(t, pop3(lab, 3, 3, 0, "taro", "user taro", pass("taro", 3), "retr 2", "quit"))
	},
	"bcc-unread": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 3, 0, "yom@g3.lab.test", []string{"hana@g3.lab.test", "taro@g3.lab.test"}, "Subject: meeting\nTo: hana@g3.lab.test"))
	},
	"bcc-no-header": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 3, 0, "yom@g3.lab.test", []string{"taro@g3.lab.test"}, "Subject: no To at all"))
		checkertest.Type(t, pop3(lab, 3, 3, 0, "taro", "user taro", pass("taro", 3), "retr 2", "quit"))
	},
	"bcc-all-named": func(t *testing.T, lab *checkertest.Lab) {
		checkertest.Type(t, send(lab, 3, 3, 0, "yom@g3.lab.test", []string{"hana@g3.lab.test"}, "Subject: meeting\nTo: Hana <hana@g3.lab.test>"))
		checkertest.Type(t, pop3(lab, 3, 3, 0, "hana", "user hana", pass("hana", 3), "retr 2", "quit"))
	},
}

// TestJournals records the scenarios with -update; always, it checks that
// every recorded journal is one of each lab group's, made of events as the
// server writes them, with no password in it.
func TestJournals(t *testing.T) {
	if *update {
		record(t)
	}
	dirs, _ := filepath.Glob("testdata/journals/*")
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Base(d))
	}
	var want []string
	for name := range scenarios {
		want = append(want, name)
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("testdata/journals has %v, the scenarios are %v (record the new ones with -update; remove the folders of those gone)", names, want)
	}
	for _, name := range names {
		for g := 1; g <= 4; g++ {
			path := filepath.Join("testdata/journals", name, "g"+strconv.Itoa(g)+".jsonl")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []string{"yom", "hana", "taro"} {
				if bytes.Contains(raw, []byte(checkertest.Password(u, g))) {
					t.Errorf("%s holds %s's password", path, u)
				}
			}
			events, err := journal.ReadFile(path)
			if err != nil || len(events) == 0 {
				t.Fatalf("%s: %d events, %v", path, len(events), err)
			}
			for i, e := range events {
				if e.Kind == "" || e.Group != g || e.Time.IsZero() {
					t.Errorf("%s: event %d is not one of group %d's: %+v", path, i+1, g, e)
				}
			}
		}
	}
}

func record(t *testing.T) {
	t.Run("record", func(t *testing.T) {
		for name, play := range scenarios {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				lab := checkertest.Start(t, checkertest.Config{Groups: []int{1, 2, 3, 4}, Clusters: [][]int{{1, 2, 3}, {4}}, NoWeb: true})
				play(t, lab)
				dir := filepath.Join("testdata/journals", name)
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for id, g := range lab.Groups {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					g.Server.Shutdown(ctx)
					cancel()
					raw, err := os.ReadFile(g.Data.JournalPath())
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, "g"+strconv.Itoa(id)+".jsonl"), raw, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	})
}
