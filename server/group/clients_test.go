package group_test

// Real mail clients against a real group server on loopback: the telnet of
// the handout driven by expect, Python's poplib and smtplib, curl, swaks and
// s-nail. A missing client fails the test; CI installs them all.

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/maildir"
)

type testServer struct {
	srv      *group.Server
	data     *group.Data
	smtpHost string
	smtpPort string
	popHost  string
	popPort  string
}

// Accounts every test server has.
var testUsers = map[string]string{"yom": "tanstaaf", "hana": "p@ss:w0rd!"}

// startServer runs group 3's server on loopback ports of its own with a
// fresh data folder, and stops it at the end of the test.
func startServer(t *testing.T) *testServer {
	t.Helper()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	for name, pw := range testUsers {
		if err := data.AddUser(name, pw, srv.Journal()); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		assertNoSecrets(t, data)
	})
	ts := &testServer{srv: srv, data: data}
	ts.smtpHost, ts.smtpPort, _ = net.SplitHostPort(srv.SMTPAddr().String())
	ts.popHost, ts.popPort, _ = net.SplitHostPort(srv.POP3Addr().String())
	return ts
}

// assertNoSecrets checks that the journal holds no password, and no APOP
// digest of any challenge it issued.
func assertNoSecrets(t *testing.T, data *group.Data) {
	t.Helper()
	raw, err := os.ReadFile(data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	events, err := journal.ReadFile(data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	for name, pw := range testUsers {
		if bytes.Contains(raw, []byte(pw)) {
			t.Errorf("the journal contains %s's password", name)
		}
		for _, e := range events {
			if e.Challenge != "" && bytes.Contains(raw, []byte(digest(e.Challenge, pw))) {
				t.Errorf("the journal contains %s's APOP digest for %s", name, e.Challenge)
			}
		}
	}
}

// need finds a client program; a missing one fails the test.
func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if runtime.GOOS != "linux" {
			// The real clients are Linux CI's (make deps); there they
			// are installed and the test always runs.
			t.Skipf("%s is needed for this test and is not installed on this %s machine", name, runtime.GOOS)
		}
		t.Fatalf("%s is needed for this test and is not installed (make deps installs the test clients)", name)
	}
	return p
}

// runClient runs a client program and returns its output; it fails the
// test when the program fails, unless wantFail.
func runClient(t *testing.T, stdin string, wantFail bool, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, need(t, name), args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if (err != nil) != wantFail {
		t.Fatalf("%s %s: %v (want failure: %v)\n%s", name, strings.Join(args, " "), err, wantFail, out)
	}
	return string(out)
}

// mailbox returns the messages in a user's Maildir, oldest first.
func mailbox(t *testing.T, data *group.Data, user string) []string {
	t.Helper()
	d := data.Mailbox(user)
	list, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range list {
		b, err := os.ReadFile(filepath.Join(string(d), m.Name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// lastMessage waits briefly for, and returns, the newest message of user
// that is not the welcome message.
func lastMessage(t *testing.T, data *group.Data, user string, want int) string {
	t.Helper()
	msgs := mailbox(t, data, user)
	if len(msgs) != want {
		t.Fatalf("%s has %d messages, want %d", user, len(msgs), want)
	}
	return msgs[len(msgs)-1]
}

func TestTelnetHandoutUserPass(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	out := runClient(t, "", false, "expect", "testdata/clients/handout-user-pass.exp", s.popHost, s.popPort, "yom", testUsers["yom"])
	if !strings.Contains(out, "PASSED") {
		t.Errorf("expect session:\n%s", out)
	}
	if n := len(mailbox(t, s.data, "yom")); n != 1 {
		t.Errorf("yom has %d messages after a session without DELE, want 1", n)
	}
}

func TestTelnetHandoutAPOP(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	out := runClient(t, "", false, "expect", "testdata/clients/handout-apop.exp", s.popHost, s.popPort, "yom", testUsers["yom"])
	if !strings.Contains(out, "PASSED") {
		t.Errorf("expect session:\n%s", out)
	}
	// the journal has the APOP login, masked
	events, _ := journal.ReadFile(s.data.JournalPath())
	var sawLogin, sawMasked bool
	for _, e := range events {
		sawLogin = sawLogin || (e.Kind == journal.Login && e.Method == "apop" && e.Result == journal.ResultOK && e.User == "yom")
		sawMasked = sawMasked || (e.Kind == journal.Command && e.Line == "apop yom ****")
	}
	if !sawLogin || !sawMasked {
		t.Errorf("journal: APOP login %v, masked command %v", sawLogin, sawMasked)
	}
}

func TestTelnetSMTPByHand(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	out := runClient(t, "", false, "expect", "testdata/clients/smtp-by-hand.exp", s.smtpHost, s.smtpPort, "alice@g1.lab.test", "yom@g3.lab.test", "typed by hand")
	if !strings.Contains(out, "PASSED") {
		t.Fatalf("expect session:\n%s", out)
	}
	msg := lastMessage(t, s.data, "yom", 2)
	for _, re := range []string{
		`^Return-Path: <alice@g1\.lab\.test>\n`,
		`\nDelivered-To: yom@g3\.lab\.test\n`,
		`\nReceived: from student\.example \(\[127\.0\.0\.1\]\)\n\tby g3\.lab\.test \(maillab\) with SMTP id [0-9A-F]+\n\tfor <yom@g3\.lab\.test>; `,
		`\nMessage-ID: <[0-9A-F]+@g3\.lab\.test>\n`,
		`\nSubject: typed by hand\n`,
		`\n\nTyped by hand\.\n\.a line that starts with a dot\n$`,
	} {
		if !regexp.MustCompile(re).MatchString(msg) {
			t.Errorf("delivered message does not match %q:\n%s", re, msg)
		}
	}
}

func TestPoplib(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	// a message with dot lines and a long body, to check octet counts
	body := "Subject: dots\r\n\r\n.leading dot\r\n..two\r\n" + strings.Repeat("line of text\r\n", 500)
	deliver(t, s.data, "yom", body)
	for _, method := range []string{"user", "apop"} {
		out := runClient(t, "", false, "python3", "testdata/clients/poplib_client.py", s.popHost, s.popPort, "yom", testUsers["yom"], method)
		var msgs int
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) >= 4 && f[0] == "msg" {
				msgs++
				if f[2] != f[3] {
					t.Errorf("%s: LIST says %s octets, RETR gave %s: %s", method, f[2], f[3], line)
				}
			}
		}
		if msgs != 2 || !strings.Contains(out, "Subject: dots") || !strings.Contains(out, "signing off") {
			t.Errorf("%s: poplib output:\n%s", method, out)
		}
	}
	// a wrong APOP secret is refused, and poplib says so
	out := runClient(t, "", true, "python3", "testdata/clients/poplib_client.py", s.popHost, s.popPort, "yom", "wrong", "apop")
	if !strings.Contains(out, "-ERR [AUTH]") {
		t.Errorf("wrong APOP secret: %s", out)
	}
}

// deliver puts a message straight into a Maildir, as if SMTP had.
func deliver(t *testing.T, data *group.Data, user, msg string) {
	t.Helper()
	if _, err := maildir.Dir(data.Mailbox(user)).Deliver(strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
}

func TestSmtplib(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	out := runClient(t, "", false, "python3", "testdata/clients/smtplib_client.py", s.smtpHost, s.smtpPort, "bob@g2.lab.test", "hana@g3.lab.test", "from smtplib")
	if !strings.Contains(out, "refused {}") {
		t.Errorf("smtplib: %s", out)
	}
	msg := lastMessage(t, s.data, "hana", 2)
	if !strings.Contains(msg, "\nSubject: from smtplib\n") || !strings.Contains(msg, "with ESMTP id") || !strings.Contains(msg, "\n.A line beginning with a dot.\n") {
		t.Errorf("delivered:\n%s", msg)
	}
	// a relay attempt is refused with 554 5.7.1
	out = runClient(t, "", true, "python3", "testdata/clients/smtplib_client.py", s.smtpHost, s.smtpPort, "bob@g2.lab.test", "someone@outside.example", "relay")
	if !strings.Contains(out, "554") || !strings.Contains(out, "5.7.1") {
		t.Errorf("relay attempt: %s", out)
	}
}

func TestCurlPOP3(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	url := "pop3://" + net.JoinHostPort(s.popHost, s.popPort)
	cred := "yom:" + testUsers["yom"]
	// APOP login (curl uses APOP only when the greeting has a timestamp)
	out := runClient(t, "", false, "curl", "-sS", "--max-time", "20", "--login-options", "AUTH=+APOP", "-u", cred, url+"/1")
	if !strings.Contains(out, "Welcome to maillab, yom.") {
		t.Errorf("curl RETR over APOP:\n%s", out)
	}
	// the LIST of the maildrop, over USER/PASS (curl tries it when CAPA lists USER)
	list := runClient(t, "", false, "curl", "-sS", "--max-time", "20", "-u", cred, url+"/")
	m := regexp.MustCompile(`^1 (\d+)\r?\n$`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("curl LIST: %q", list)
	}
	size, _ := strconv.Atoi(m[1])
	retr := runClient(t, "", false, "curl", "-sS", "--max-time", "20", "-u", cred, url+"/1")
	if len(retr) != size {
		t.Errorf("curl RETR gave %d octets, LIST said %d", len(retr), size)
	}
	// a wrong APOP secret: curl's "login denied" (67)
	out = runClient(t, "", true, "curl", "-sS", "--max-time", "20", "--login-options", "AUTH=+APOP", "-u", "yom:wrong", url+"/1")
	if !strings.Contains(out, "(67)") && !strings.Contains(strings.ToLower(out), "denied") {
		t.Errorf("curl with a wrong secret: %s", out)
	}
}

func TestCurlSMTP(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	url := "smtp://" + net.JoinHostPort(s.smtpHost, s.smtpPort)
	msg := "From: carol@g2.lab.test\r\nTo: hana@g3.lab.test\r\nSubject: from curl\r\n\r\nhello\r\n"
	runClient(t, msg, false, "curl", "-sS", "--max-time", "20", url, "--mail-from", "carol@g2.lab.test", "--mail-rcpt", "hana@g3.lab.test", "--mail-rcpt", "yom@g3.lab.test", "-T", "-")
	for _, user := range []string{"hana", "yom"} {
		got := lastMessage(t, s.data, user, 2)
		if !strings.Contains(got, "\nDelivered-To: "+user+"@g3.lab.test\n") || !strings.HasSuffix(got, "\nSubject: from curl\n\nhello\n") {
			t.Errorf("%s got:\n%s", user, got)
		}
	}
	// unknown user: 550 5.1.1, nothing delivered
	out := runClient(t, msg, true, "curl", "-sS", "--max-time", "20", url, "--mail-from", "carol@g2.lab.test", "--mail-rcpt", "nobody@g3.lab.test", "-T", "-")
	if !strings.Contains(out, "550") {
		t.Errorf("unknown user: %s", out)
	}
}

func TestSwaks(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	server := net.JoinHostPort(s.smtpHost, s.smtpPort)
	out := runClient(t, "", false, "swaks", "--server", server, "--helo", "swaks.example", "--from", "dave@g1.lab.test", "--to", "yom@g3.lab.test", "--header", "Subject: from swaks", "--body", "line one\n.dot line\n")
	if !strings.Contains(out, "250 2.0.0") {
		t.Errorf("swaks:\n%s", out)
	}
	got := lastMessage(t, s.data, "yom", 2)
	if !strings.Contains(got, "\nSubject: from swaks\n") || !strings.Contains(got, "\n.dot line\n") || strings.Contains(got, "\r") {
		t.Errorf("delivered:\n%q", got)
	}
	// the transcript shows the codes students learn
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--to", "nobody@g3.lab.test"}, "550 5.1.1"},
		{[]string{"--to", "x@outside.example"}, "554 5.7.1"},
		{[]string{"--to", "postmaster@g3.lab.test"}, "250 2.0.0"},
	}
	for _, tt := range tests {
		args := append([]string{"--server", server, "--from", "dave@g1.lab.test"}, tt.args...)
		out := runClient(t, "", tt.want != "250 2.0.0", "swaks", args...)
		if !strings.Contains(out, tt.want) {
			t.Errorf("swaks %v: no %q in\n%s", tt.args, tt.want, out)
		}
	}
	if n := len(mailbox(t, s.data, group.Postmaster)); n != 1 {
		t.Errorf("postmaster has %d messages, want 1", n)
	}
}

func TestSNailSendsAndReads(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	mta := "smtp://" + net.JoinHostPort(s.smtpHost, s.smtpPort)
	runClient(t, "written with s-nail\n", false, "s-nail", "-n", "-#", "-S", "v15-compat", "-S", "smtp-auth=none", "-S", "nosave", "-S", "mta="+mta, "-S", "hostname=g2.lab.test",
		"-s", "from s-nail", "-r", "erin@g2.lab.test", "yom@g3.lab.test")
	// and s-nail reads the Maildir the server wrote
	out := runClient(t, "", false, "s-nail", "-n", "-N", "-R", "-#", "-Y", "headers", "-Y", "print 2", "-Y", "quit", "-f", string(s.data.Mailbox("yom")))
	for _, want := range []string{"from s-nail", "erin@g2.lab.test", "written with s-nail", "Delivered-To: yom@g3.lab.test"} {
		if !strings.Contains(out, want) {
			t.Errorf("s-nail shows no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Not a header line") || strings.Contains(out, "Malformed") {
		t.Errorf("s-nail complains:\n%s", out)
	}
}

func TestWelcomeMessage(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	got := mailbox(t, s.data, "hana")
	if len(got) != 1 {
		t.Fatalf("hana has %d messages", len(got))
	}
	for _, want := range []string{"To: hana@g3.lab.test\n", "X-Maillab-Origin: welcome\n", "hana さん、maillab へようこそ。", "Welcome to maillab, hana."} {
		if !strings.Contains(got[0], want) {
			t.Errorf("welcome message lacks %q", want)
		}
	}
	events, _ := journal.ReadFile(s.data.JournalPath())
	var origins []string
	for _, e := range events {
		if e.Kind == journal.Delivered {
			origins = append(origins, e.User+":"+e.Origin)
		}
	}
	if diff := cmp.Diff([]string{"hana:welcome", "yom:welcome"}, sorted(origins)); diff != "" {
		t.Errorf("delivered events (-want +got):\n%s", diff)
	}
}

// SMTP AUTH is not offered, but a client may still send credentials: the
// journal never holds them.
func TestAuthCredentialsMasked(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c, r := dial(t, s.srv.SMTPAddr())
	say(t, c, r, "EHLO x")
	if got := say(t, c, r, "AUTH PLAIN AHlvbQB0YW5zdGFhZg=="); !strings.HasPrefix(got, "502 5.5.1") {
		t.Errorf("AUTH: %q", got)
	}
	say(t, c, r, "QUIT")
	raw, _ := os.ReadFile(s.data.JournalPath())
	if bytes.Contains(raw, []byte("AHlvbQB0YW5zdGFhZg")) || !bytes.Contains(raw, []byte(`"line":"AUTH PLAIN ****"`)) {
		t.Errorf("the journal shows the AUTH credentials, or not the masked line")
	}
}
