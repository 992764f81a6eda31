package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/journal"
)

func init() {
	// -update rewrites the golden files under testdata; another test file
	// of the package may have defined the flag already.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

// updating says whether the tests were run with -update.
func updating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	on, _ := g.Get().(bool)
	return on
}

// golden compares got with the golden file testdata/replay/name, or
// rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "replay", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// normalize replaces what changes from run to run (times, ids, ports,
// timestamps, sizes) with fixed words.
func normalize(s string) string {
	for _, r := range []struct{ re, with string }{
		{`\b(pop3|smtp)-[0-9a-z]+-(\d+)\b`, "$1-BOOT-$2"},
		{`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`, "YYYY-MM-DD hh:mm:ss"},
		{`(?m)^ *\d+\.\ds  `, "   T.Ts  "},
		{`\d+\.\d (s\)|秒)`, "N.N $1"},
		{`(127\.0\.[01]\.\d+):\d+`, "$1:PORT"},
		{`<\d+\.\d+@g3\.lab\.test>`, "<PID.CLOCK@g3.lab.test>"},
		{`\b[0-9A-F]{12,}\b`, "QUEUEID"},
		{`\d+ (octets|オクテット)`, "N $1"},
		{`([(（])\d\d:\d\d:\d\d([)）])`, "${1}hh:mm:ss$2"},
		{`(median of|中央値) [0-9.]+(µs|ms|s)`, "$1 GAP"},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.with)
	}
	return s
}

// recordSessions makes a real journal: an SMTP session typed into lab
// telnet (with refusals, and a Bcc), a POP3 session with USER/PASS (a wrong
// password first, then DELE), and an APOP session from group 2's host (an
// upper-case digest first). It returns the stopped server.
func recordSessions(t *testing.T) *toolServer {
	t.Helper()
	s := startToolServer(t)
	smtp := "ehlo pc1.g3.lab.test\n" +
		"data\n" +
		"mail from:<hana@g3.lab.test>\n" +
		"rcpt to:<nobody@g3.lab.test>\n" +
		"rcpt to:<someone@example.com>\n" +
		"rcpt to:<yom@g3.lab.test>\n" +
		"rcpt to:<hana@g3.lab.test>\n" +
		"data\n" +
		"From: hana@g3.lab.test\n" +
		"To: yom@g3.lab.test\n" +
		"Subject: envelope and header\n" +
		"\n" +
		"hana is on the envelope only.\n" +
		".\n" +
		"quit\n"
	if code, out, errOut := runLab(t, smtp, enUS, "telnet", s.smtpHost, s.smtpPort); code != 0 {
		t.Fatalf("smtp session: exit %d\n%s%s", code, out, errOut)
	}
	pop := "user yom\npass wrong\nuser yom\npass tanstaaf\nlist\nretr 1\ndele 1\nquit\n"
	if code, out, errOut := runLab(t, pop, enUS, "telnet", s.popHost, s.popPort); code != 0 {
		t.Fatalf("pop3 session: exit %d\n%s%s", code, out, errOut)
	}
	apopSession(t, net.JoinHostPort(s.popHost, s.popPort), "127.0.1.2")
	s.stop(t)
	return s
}

// apopSession logs in as yom with APOP from the local address from: first
// with the digest in upper case (refused), then right; retrieves message 1
// and quits.
func apopSession(t *testing.T, addr, from string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	readLine := func() string {
		t.Helper()
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		return strings.TrimRight(l, "\r\n")
	}
	greeting := readLine()
	ts := regexp.MustCompile(`<[^>]+>`).FindString(greeting)
	digest := md5hex(ts + toolUsers["yom"])
	steps := []struct{ send, want string }{
		{"apop yom " + strings.ToUpper(digest), "-ERR [AUTH]"},
		{"apop yom " + digest, "+OK yom's maildrop has 1 message"},
		{"retr 1", "+OK"},
		{"quit", "+OK"},
	}
	for _, st := range steps {
		fmt.Fprintf(c, "%s\r\n", st.send)
		if got := readLine(); !strings.HasPrefix(got, st.want) {
			t.Fatalf("%s: got %q, want %q", st.send, got, st.want)
		}
		if st.send == "retr 1" {
			for readLine() != "." {
			}
		}
	}
	io.Copy(io.Discard, r)
}

// Real sessions, recorded by a real server, replayed in both languages
// against golden files.
func TestReplayGolden(t *testing.T) {
	t.Parallel()
	s := recordSessions(t)
	ja := map[string]string{"LANG": "ja_JP.UTF-8"}
	tests := []struct {
		golden string
		vars   map[string]string
		args   []string
	}{
		{"list.en.txt", enUS, []string{"--list"}},
		{"list.ja.txt", ja, []string{"--list"}},
		{"smtp.en.txt", enUS, []string{"smtp#1"}},
		{"smtp.ja.txt", ja, []string{"smtp#1"}},
		{"pop3-user.en.txt", enUS, []string{"pop3#2"}},
		{"pop3-user.ja.txt", ja, []string{"pop3#2", "--lang", "ja"}},
		{"pop3-apop.en.txt", ja, []string{"--lang", "en"}}, // the latest
		{"pop3-apop.ja.txt", ja, nil},
	}
	for _, tt := range tests {
		args := append([]string{"replay", "--data", s.root}, tt.args...)
		code, out, errOut := runLab(t, "", tt.vars, args...)
		if code != 0 {
			t.Errorf("lab %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
			continue
		}
		golden(t, tt.golden, normalize(out))
	}
	// nothing secret is shown
	code, out, _ := runLab(t, "", enUS, "replay", "--data", s.root, "pop3#3")
	if code != 0 || strings.Contains(out, toolUsers["yom"]) || strings.Contains(strings.ToLower(out), "apop yom 0") {
		t.Errorf("the replay shows a secret:\n%s", out)
	}
}

// A session can be named by its full id or by its number, as the console
// shows it.
func TestReplaySessionNames(t *testing.T) {
	t.Parallel()
	s := recordSessions(t)
	_, want, _ := runLab(t, "", enUS, "replay", "--data", s.root, "pop3#2")
	events, err := journal.ReadFile(s.data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	var full string
	for _, e := range events {
		if e.Kind == journal.Open && strings.HasSuffix(e.Session, "-2") {
			full = e.Session
		}
	}
	for _, name := range []string{full, "#2", "2", "POP3#2"} {
		code, got, errOut := runLab(t, "", enUS, "replay", name, "--data", s.root, "--group", "3")
		if code != 0 {
			t.Errorf("lab replay %s: exit %d %s", name, code, errOut)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("lab replay %s (-want +got):\n%s", name, diff)
		}
	}
}

func TestReplayErrors(t *testing.T) {
	t.Parallel()
	s := recordSessions(t)
	empty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(empty, "g5"), 0o700); err != nil {
		t.Fatal(err)
	}
	two := t.TempDir()
	for _, g := range []string{"g1", "g2"} {
		if err := os.MkdirAll(filepath.Join(two, g), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		want     string
	}{
		{"no such session", enUS, []string{"replay", "smtp#2", "--data", s.root}, 1,
			`lab: there is no session "smtp#2" in group 3's journal (lab replay --list lists them)`},
		{"no such session in Japanese", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"replay", "pop3#99", "--data", s.root}, 1,
			`lab: "pop3#99" というセッションは 3 班のジャーナルにありません`},
		{"not a session name", enUS, []string{"replay", "yesterday", "--data", s.root}, 1, `no session "yesterday"`},
		{"no sessions yet", enUS, []string{"replay", "--data", empty}, 1, "lab: group 5 has no sessions yet"},
		{"which group", enUS, []string{"replay", "--data", two}, 2, "does not hold exactly one group; give it with --group N"},
		{"list and a session", enUS, []string{"replay", "pop3#2", "--list", "--data", s.root}, 2, "give either --list or a session, not both"},
		{"two sessions", enUS, []string{"replay", "pop3#2", "pop3#3", "--data", s.root}, 2, "unexpected arguments: pop3#3"},
	}
	for _, tt := range tests {
		code, _, errOut := runLab(t, "", tt.vars, tt.args...)
		if code != tt.wantCode || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit %d and %q", tt.name, code, errOut, tt.wantCode, tt.want)
		}
	}
}

// The facts of the journal that real sessions in a test rarely show: a
// maildrop in use, a bare LF, a relay deferred then done, a bounce, an
// unknown command, a session without its end.
func TestReplayFacts(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "g1")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	j, err := journal.OpenFile(filepath.Join(dir, journal.FileName), 1)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	n := 0
	rec := func(session, proto string, e journal.Event) {
		n++
		e.Time, e.Session, e.Proto = at.Add(time.Duration(n)*time.Second), session, proto
		j.Record(e)
	}
	s1, s2, s3 := "pop3-boot-1", "smtp-boot-2", "pop3-boot-3"
	rec(s1, "pop3", journal.Event{Kind: journal.Open, Remote: "127.0.1.1:40000", Local: "127.0.1.1:1110", ClientGroup: 1})
	rec(s1, "pop3", journal.Event{Kind: journal.Reply, Code: "+OK", Line: "+OK maillab POP3 server ready <1.2@g1.lab.test>"})
	rec(s1, "pop3", journal.Event{Kind: journal.Command, Verb: "HELO", Line: "helo there"})
	rec(s1, "pop3", journal.Event{Kind: journal.Reply, Code: "-ERR", Line: "-ERR unknown command"})
	rec(s1, "pop3", journal.Event{Kind: journal.Command, Verb: "USER", Line: "user yom"})
	rec(s1, "pop3", journal.Event{Kind: journal.Reply, Code: "+OK", Line: "+OK password required for yom"})
	rec(s1, "pop3", journal.Event{Kind: journal.Command, Verb: "PASS", Line: "pass ****"})
	rec(s1, "pop3", journal.Event{Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultInUse})
	rec(s1, "pop3", journal.Event{Kind: journal.Reply, Code: "-ERR", Line: "-ERR [IN-USE] maildrop already locked by another session"})
	rec(s1, "pop3", journal.Event{Kind: journal.Close, Count: 3})
	rec(s2, "smtp", journal.Event{Kind: journal.Open, Remote: "127.0.1.1:40001", Local: "127.0.1.1:2525", ClientGroup: 1})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "220", Line: "220 g1.lab.test ESMTP maillab"})
	rec(s2, "smtp", journal.Event{Kind: journal.Command, Verb: "HELO", Line: "helo nc"})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "250", Line: "250 g1.lab.test"})
	rec(s2, "smtp", journal.Event{Kind: journal.Command, Verb: "MAIL", Line: "mail from:<yom@g1.lab.test>"})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "250", Line: "250 2.1.0 Ok"})
	rec(s2, "smtp", journal.Event{Kind: journal.Command, Verb: "RCPT", Line: "rcpt to:<hana@g2.lab.test>"})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "250", Line: "250 2.1.5 Ok"})
	rec(s2, "smtp", journal.Event{Kind: journal.Command, Verb: "RCPT", Line: "rcpt to:<nobody@g2.lab.test>"})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "250", Line: "250 2.1.5 Ok"})
	rec(s2, "smtp", journal.Event{Kind: journal.Command, Verb: "DATA", Line: "data"})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "354", Line: "354 End data with <CR><LF>.<CR><LF>"})
	rec(s2, "smtp", journal.Event{Kind: journal.Accepted, ID: "ABC1", MessageID: "<ABC1@g1.lab.test>", From: "yom@g1.lab.test",
		Rcpt: []string{"hana@g2.lab.test", "nobody@g2.lab.test"}, To: []string{"hana@g2.lab.test"}, Cc: []string{"nobody@g2.lab.test"}, Size: 40})
	rec(s2, "smtp", journal.Event{Kind: journal.Queued, ID: "ABC1", Rcpt: []string{"hana@g2.lab.test", "nobody@g2.lab.test"}, DestGroup: 2})
	rec(s2, "smtp", journal.Event{Kind: journal.Data, Size: 40, Count: 3, Reason: "bare-lf"})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "250", Line: "250 2.0.0 Ok: queued as ABC1"})
	rec(s2, "smtp", journal.Event{Kind: journal.Command, Verb: "QUIT", Line: "quit"})
	rec(s2, "smtp", journal.Event{Kind: journal.Reply, Code: "221", Line: "221 2.0.0 Bye"})
	rec(s2, "smtp", journal.Event{Kind: journal.Close})
	rec("", "", journal.Event{Kind: journal.Relayed, ID: "ABC1.g2", MessageID: "<ABC1@g1.lab.test>", Rcpt: []string{"hana@g2.lab.test", "nobody@g2.lab.test"}, DestGroup: 2, Result: journal.ResultDeferred, Attempt: 1, Error: "connection refused"})
	rec("", "", journal.Event{Kind: journal.Relayed, ID: "ABC1.g2", MessageID: "<ABC1@g1.lab.test>", Rcpt: []string{"hana@g2.lab.test"}, DestGroup: 2, Result: journal.ResultOK, Attempt: 2})
	rec("", "", journal.Event{Kind: journal.Relayed, ID: "ABC1.g2", MessageID: "<ABC1@g1.lab.test>", Rcpt: []string{"nobody@g2.lab.test"}, DestGroup: 2, Result: journal.ResultBounced, Attempt: 2, Error: "550 5.1.1 <nobody@g2.lab.test>: User unknown"})
	rec("", "", journal.Event{Kind: journal.Bounced, ID: "ABC1.g2", MessageID: "<ABC1@g1.lab.test>", From: "yom@g1.lab.test", Rcpt: []string{"nobody@g2.lab.test"}})
	rec("", "", journal.Event{Kind: journal.Relayed, ID: "OTHER.g2", MessageID: "<OTHER@g1.lab.test>", DestGroup: 2, Result: journal.ResultOK})
	rec(s3, "pop3", journal.Event{Kind: journal.Open, Remote: "127.0.0.1:40002", Local: "127.0.1.1:1110"})
	rec(s3, "pop3", journal.Event{Kind: journal.Reply, Code: "+OK", Line: "+OK maillab POP3 server ready <1.3@g1.lab.test>"})
	rec(s3, "pop3", journal.Event{Kind: journal.Command, Verb: "CAPA", Line: "capa"})
	rec(s3, "pop3", journal.Event{Kind: journal.Reply, Code: "+OK", Line: "+OK capability list follows"})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ja"} {
		var all strings.Builder
		for _, args := range [][]string{{"--list"}, {"pop3#1"}, {"smtp#2"}, {"pop3#3"}} {
			code, out, errOut := runLab(t, "", nil, append([]string{"replay", "--data", root, "--lang", lang}, args...)...)
			if code != 0 {
				t.Fatalf("lab replay %v: exit %d %s", args, code, errOut)
			}
			fmt.Fprintf(&all, "$ lab replay %s\n%s\n", strings.Join(args, " "), out)
		}
		golden(t, "facts."+lang+".txt", normalize(all.String()))
	}
}
