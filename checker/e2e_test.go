package checker_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker"
	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/server/web"
)

// Typing at a human pace is simulated with short pauses and a threshold
// below them: a pause is a lower bound on the gap, so the typed sessions
// pass whatever the machine's load; the clients, which wait for nothing
// but the server, stay far below the threshold.
const (
	pause     = 150 * time.Millisecond
	threshold = 75 * time.Millisecond
)

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

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, need(t, name), args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// check collects group g's evidence as `lab check` does (its own data
// folder, the peers' servers) and checks it.
func check(t *testing.T, lab *checkertest.Lab, g int, ids ...string) map[string]checker.Result {
	t.Helper()
	col := checker.Collector{Classroom: lab.Classroom, DataRoot: lab.Root, Local: func(id int) bool { return id == g },
		Client: &web.Client{Timeout: 5 * time.Second}}
	ev := col.Collect(context.Background(), checker.Needs(lab.Classroom, g))
	r := checker.Check(ev, g, checker.Options{HandGap: threshold, Lang: i18n.En, IDs: ids})
	out := map[string]checker.Result{}
	for _, e := range r.Exercises {
		out[e.ID] = e
	}
	return out
}

func hostPort(addr string) (string, string) {
	h, p, _ := net.SplitHostPort(addr)
	return h, p
}

// The handout's sessions typed at a human pace pass pop3-telnet,
// apop-telnet and smtp-telnet.
func TestTypedSessionsPass(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g3 := lab.Groups[3]
	pw := g3.Passwords["yom"]
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(), Delay: pause,
		Lines: []string{"user yom", "pass " + pw, "list", "retr 1", "quit"}})
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(), Delay: pause, Secret: pw,
		Lines: []string{"apop yom {digest}", "retr 1", "quit"}})
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(), Delay: pause,
		Lines: []string{"helo pc3.example", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>", "data",
			"Subject: typed by hand", "", "hello", ".", "quit"}})
	got := check(t, lab, 3, "pop3-telnet", "apop-telnet", "smtp-telnet")
	for _, id := range []string{"pop3-telnet", "apop-telnet", "smtp-telnet"} {
		if !got[id].Passed {
			t.Errorf("%s: %+v", id, got[id])
		}
	}
}

// The same done by real clients at machine speed does not pass, and the
// detail says it was too fast; with the threshold off it would.
func TestClientsAtMachineSpeedDoNotPass(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g3 := lab.Groups[3]
	pw := g3.Passwords["yom"]
	popHost, popPort := hostPort(g3.POP3Addr())
	smtpHost, smtpPort := hostPort(g3.SMTPAddr())
	// curl: USER/PASS, then APOP; each retrieves message 1 (from group 3's host)
	run(t, "curl", "-sS", "--interface", g3.Host, "-u", "yom:"+pw, "pop3://"+popHost+":"+popPort+"/1")
	run(t, "curl", "-sS", "--interface", g3.Host, "--login-options", "AUTH=+APOP", "-u", "yom:"+pw, "pop3://"+popHost+":"+popPort+"/1")
	// poplib: USER/PASS, STAT, LIST, RETR, QUIT — the whole handout session
	run(t, "python3", "-c", `
import poplib, sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
p.user("yom"); p.pass_(sys.argv[3]); p.stat(); p.list(); p.retr(1); p.quit()
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
p.apop("yom", sys.argv[3]); p.retr(1); p.quit()
`, popHost, popPort, pw)
	// smtplib and swaks: HELO/EHLO, MAIL, RCPT, DATA, ".", QUIT
	run(t, "python3", "-c", `
import smtplib, sys
with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10) as s:
    s.helo("smtplib.example")
    s.sendmail("yom@g3.lab.test", ["hana@g3.lab.test"], "Subject: by smtplib\r\n\r\nhello\r\n")
`, smtpHost, smtpPort)
	run(t, "swaks", "--silent", "1", "--server", smtpHost+":"+smtpPort, "--from", "yom@g3.lab.test", "--to", "hana@g3.lab.test")

	got := check(t, lab, 3, "pop3-telnet", "apop-telnet", "smtp-telnet")
	for _, id := range []string{"pop3-telnet", "apop-telnet", "smtp-telnet"} {
		r := got[id]
		if r.Passed || r.Status != checker.StatusNotPassed || !strings.Contains(r.Detail, "too fast to be typed by hand") {
			t.Errorf("%s: %+v", id, r)
		}
	}
	// with the threshold off (MAILLAB_HAND_GAP=0s) the clients' sessions count
	col := checker.Collector{Classroom: lab.Classroom, DataRoot: lab.Root}
	ev := col.Collect(context.Background(), checker.Needs(lab.Classroom, 3))
	r := checker.Check(ev, 3, checker.Options{HandGap: checker.AnyPace, IDs: []string{"pop3-telnet", "apop-telnet", "smtp-telnet"}})
	if r.Status() != checker.StatusPassed {
		t.Errorf("with any pace: %+v", r)
	}
}

// cross-send and cross-apop in a 3-group classroom: group 3's yom, at
// group 3's machine, writes to group 2's taro (handing the message to
// group 2's server, MTA to MTA); taro reads it with poplib; then yom, at
// group 1's machine, fetches mail from group 3's server with APOP (curl).
// The evidence of groups 1 and 2 is read through their web APIs.
func TestCrossGroupExercises(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g1, g2, g3 := lab.Groups[1], lab.Groups[2], lab.Groups[3]
	got := check(t, lab, 3, "cross-send", "cross-apop")
	want := map[string]checker.Result{
		"cross-send": {ID: "cross-send", Status: checker.StatusNotPassed,
			Detail: "No mail from a member of your group (…@g3.lab.test) has reached groups 1 or 2 yet (lab show cross-send)."},
		"cross-apop": {ID: "cross-apop", Status: checker.StatusNotPassed,
			Detail: "No session to your POP3 server from the machine of groups 1 or 2 has been recorded yet (lab show cross-apop)."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("before (-want +got):\n%s", diff)
	}

	smtpHost, smtpPort := hostPort(g2.SMTPAddr())
	run(t, "python3", "-c", `
import smtplib, sys
with smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10, source_address=(sys.argv[3], 0)) as s:
    s.sendmail("yom@g3.lab.test", ["taro@g2.lab.test"], "From: yom@g3.lab.test\r\nTo: taro@g2.lab.test\r\nSubject: hello group 2\r\n\r\nhello\r\n")
`, smtpHost, smtpPort, g3.Host)
	got = check(t, lab, 3, "cross-send")
	if r := got["cross-send"]; r.Status != checker.StatusNotPassed || r.Detail != "Mail from yom@g3.lab.test to taro@g2.lab.test reached group 2 but has not been retrieved with RETR yet: ask them to read it." {
		t.Errorf("sent, not read: %+v", r)
	}
	popHost, popPort := hostPort(g2.POP3Addr())
	run(t, "python3", "-c", `
import poplib, sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
p.user("taro"); p.pass_(sys.argv[3])
for n in range(1, p.stat()[0] + 1): p.retr(n)
p.quit()
`, popHost, popPort, g2.Passwords["taro"])

	popHost, popPort = hostPort(g3.POP3Addr())
	run(t, "curl", "-sS", "--interface", g1.Host, "--login-options", "AUTH=+APOP", "-u", "yom:"+g3.Passwords["yom"], "pop3://"+popHost+":"+popPort+"/1")

	got = check(t, lab, 3, "cross-send", "cross-apop")
	want = map[string]checker.Result{
		"cross-send": {ID: "cross-send", Status: checker.StatusPassed, Passed: true,
			Detail: "Mail from yom@g3.lab.test to taro@g2.lab.test reached group 2, and the recipient read it with RETR."},
		"cross-apop": {ID: "cross-apop", Status: checker.StatusPassed, Passed: true,
			Detail: "yom logged in with APOP from the machine of group 1 and retrieved a message with RETR."},
	}
	if diff := cmp.Diff(want, got, cmpIgnoreSession); diff != "" {
		t.Errorf("after (-want +got):\n%s", diff)
	}

	// group 2's server goes down: cross-send cannot be decided any more,
	// cross-apop, on group 3's own server, still can
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g2.Web.Shutdown(ctx)
	got = check(t, lab, 3, "cross-send", "cross-apop")
	if r := got["cross-send"]; r.Status != checker.StatusUnknown || !strings.HasPrefix(r.Detail, "The server of group 2 is not reachable") {
		t.Errorf("group 2 down: %+v", r)
	}
	if !got["cross-apop"].Passed {
		t.Errorf("cross-apop with group 2 down: %+v", got["cross-apop"])
	}
}

// cross-send the way the handout means it: group 3 types the message into
// its own server, which relays it to group 2's; taro of group 2 reads it.
// The relay's own session at group 2 (from group 3's host, at machine
// speed) is no typed session, and does not hide the typed one.
func TestCrossSendThroughTheRelay(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g2, g3 := lab.Groups[2], lab.Groups[3]
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(), Delay: pause,
		Lines: []string{"helo pc3.example", "mail from:<hana@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "data",
			"To: taro@g2.lab.test", "Subject: through the relay", "", "hello", ".", "quit"}})
	// the relay delivers in the background: wait until group 2 has it
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := check(t, lab, 3, "cross-send")["cross-send"]
		if strings.HasPrefix(r.Detail, "Mail from hana@g3.lab.test to taro@g2.lab.test reached group 2 but has not been retrieved") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message never reached group 2: %+v", r)
		}
		time.Sleep(50 * time.Millisecond)
	}
	popHost, popPort := hostPort(g2.POP3Addr())
	run(t, "python3", "-c", `
import poplib, sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
p.user("taro"); p.pass_(sys.argv[3])
for n in range(1, p.stat()[0] + 1): p.retr(n)
p.quit()
`, popHost, popPort, g2.Passwords["taro"])
	got := check(t, lab, 3, "smtp-telnet", "cross-send")
	want := map[string]checker.Result{
		"smtp-telnet": {ID: "smtp-telnet", Status: checker.StatusPassed, Passed: true,
			Detail: "A message from hana@g3.lab.test, typed by hand in SMTP, was accepted by group 3's server (a median of X between commands)."},
		"cross-send": {ID: "cross-send", Status: checker.StatusPassed, Passed: true,
			Detail: "Mail from hana@g3.lab.test to taro@g2.lab.test reached group 2, and the recipient read it with RETR."},
	}
	for id, r := range got {
		r.Detail = normalize(r.Detail)
		got[id] = r
	}
	if diff := cmp.Diff(want, got, cmpIgnoreSession); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// envelope-bcc with swaks: taro only in RCPT TO, hana in To; taro reads it.
func TestEnvelopeBcc(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g3 := lab.Groups[3]
	smtpHost, smtpPort := hostPort(g3.SMTPAddr())
	run(t, "swaks", "--silent", "1", "--server", smtpHost+":"+smtpPort, "--from", "yom@g3.lab.test",
		"--to", "hana@g3.lab.test,taro@g3.lab.test", "--header", "To: hana@g3.lab.test")
	if r := check(t, lab, 3, "envelope-bcc")["envelope-bcc"]; r.Detail != "taro received a message as a Bcc recipient but has not read it with RETR yet." {
		t.Errorf("before RETR: %+v", r)
	}
	popHost, popPort := hostPort(g3.POP3Addr())
	run(t, "curl", "-sS", "-u", "taro:"+g3.Passwords["taro"], "pop3://"+popHost+":"+popPort+"/2")
	r := check(t, lab, 3, "envelope-bcc")["envelope-bcc"]
	if !r.Passed || r.Detail != "taro received a message as a Bcc recipient, in neither To nor Cc (To/Cc: hana@g3.lab.test), and read it with RETR." {
		t.Errorf("after RETR: %+v", r)
	}
}

// The collector reads local folders and servers at once; what it cannot
// read is unreachable, with the reason.
func TestCollector(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	// everything from the servers
	col := checker.Collector{Classroom: lab.Classroom, Local: func(int) bool { return false }}
	ev := col.Collect(context.Background(), []int{1, 2, 3})
	for _, g := range []int{1, 2, 3} {
		if !ev.Has(g) {
			t.Errorf("group %d not read: %v", g, ev.Err(g))
		}
	}
	// everything from the data root (lab grade --data)
	ev = (&checker.Collector{DataRoot: lab.Root}).Collect(context.Background(), []int{1, 2, 3, 9})
	for _, g := range []int{1, 2, 3} {
		if !ev.Has(g) {
			t.Errorf("group %d not read from %s: %v", g, lab.Root, ev.Err(g))
		}
	}
	if ev.Has(9) || !errors.Is(ev.Err(9), checker.ErrNoServer) {
		t.Errorf("group 9: %v", ev.Err(9))
	}
	// a server down
	lab.Groups[1].Web.Shutdown(context.Background())
	ev = col.Collect(context.Background(), []int{1, 2})
	if ev.Has(1) || !errors.Is(ev.Err(1), web.ErrUnreachable) || !ev.Has(2) {
		t.Errorf("group 1 down: has %v, %v; group 2 has %v", ev.Has(1), ev.Err(1), ev.Has(2))
	}
	// reading a data folder leaves no trace in it
	if _, err := os.Stat(lab.Root + "/g9"); !os.IsNotExist(err) {
		t.Errorf("collecting group 9 made its folder: %v", err)
	}
}
