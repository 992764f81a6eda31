package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary be the lab command itself when asked, so
// that tests can run `lab start` as a real process and send it signals.
func TestMain(m *testing.M) {
	if os.Getenv("LAB_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// labProcess starts the lab command as a process.
func labProcess(t *testing.T, args ...string) (*exec.Cmd, *childOutput) {
	t.Helper()
	// the process lives as long as the test (bounded by go test -timeout);
	// a fixed limit here once killed a 60 s soak in its middle
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LAB_TEST_MAIN=1", "LANG=en_US.UTF-8", "NO_COLOR=1", "MAILLAB_RELAY_RETRY=100ms")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	f, _ := out.(*os.File) // what StdoutPipe makes
	return cmd, &childOutput{Reader: bufio.NewReader(out), f: f}
}

// childWait is how long a test waits for a line from a child process before
// it gives up: far more than any line takes on a loaded machine, far less
// than go test's timeout, so a stuck child fails its test with what it
// said instead of hanging the run.
const childWait = 90 * time.Second

// childOutput is what a child process writes, read line by line.
type childOutput struct {
	*bufio.Reader
	f *os.File // for the read deadline; nil where pipes have none
}

// line reads the next line, waiting at most childWait for it.
func (o *childOutput) line() (string, error) {
	if o.f != nil {
		o.f.SetReadDeadline(time.Now().Add(childWait))
		defer o.f.SetReadDeadline(time.Time{})
	}
	return o.ReadString('\n')
}

// readUntil reads lines until one matches re, and returns the match.
func readUntil(t *testing.T, r *childOutput, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	var seen strings.Builder
	for {
		line, err := r.line()
		seen.WriteString(line)
		if m := rx.FindStringSubmatch(strings.TrimRight(line, "\r\n")); m != nil {
			return m
		}
		if err != nil {
			t.Fatalf("no line matching %q in:\n%s(%v)", re, seen.String(), err)
		}
	}
}

// `lab start` prints the banner with the accounts it made, serves mail,
// shows sessions live with the password masked, and stops cleanly on
// Ctrl-C (SIGINT).
func TestStartServesAndStopsOnInterrupt(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	cmd, out := labProcess(t, "start", "--group", "7", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0")
	smtpAddr := readUntil(t, out, `^\s+SMTP\s+(\S+)\s+telnet `)[1]
	popAddr := readUntil(t, out, `^\s+POP3\s+(\S+)\s+telnet `)[1]
	pw := readUntil(t, out, `^\s+yom\s+(\S+)$`)[1]
	readUntil(t, out, `Ctrl-C stops the server`)

	// send a message and fetch it with APOP
	c, err := net.Dial("tcp", smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "HELO x\r\nMAIL FROM:<a@g1.lab.test>\r\nRCPT TO:<taro@g7.lab.test>\r\nDATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n")
	reply, _ := io.ReadAll(c)
	c.Close()
	if !strings.Contains(string(reply), "250 2.0.0 Ok: queued as ") {
		t.Fatalf("SMTP:\n%s", reply)
	}
	readUntil(t, out, `S: 221 `)

	p, err := net.Dial("tcp", popAddr)
	if err != nil {
		t.Fatal(err)
	}
	pr := bufio.NewReader(p)
	greeting, _ := pr.ReadString('\n')
	ts := regexp.MustCompile(`<[^>]+>`).FindString(greeting)
	io.WriteString(p, "APOP yom "+md5hex(ts+pw)+"\r\nQUIT\r\n")
	rest, _ := io.ReadAll(pr)
	p.Close()
	if !strings.HasPrefix(string(rest), "+OK yom's maildrop has 1 message") {
		t.Errorf("APOP with the banner's password: %q", rest)
	}
	readUntil(t, out, regexp.QuoteMeta("APOP challenge: "+ts))
	readUntil(t, out, `C: APOP yom \*\*\*\*$`)
	readUntil(t, out, `yom logged in with APOP`)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	readUntil(t, out, `the server has stopped`)
	if err := cmd.Wait(); err != nil {
		t.Errorf("lab start after SIGINT: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "g7", "mail", "taro", "new")); err != nil {
		t.Error(err)
	}
	journal, _ := os.ReadFile(filepath.Join(root, "g7", "journal.jsonl"))
	if strings.Contains(string(journal), pw) || strings.Contains(string(journal), md5hex(ts+pw)) {
		t.Error("the journal holds yom's password or digest")
	}
}

// A second server on the same data folder is refused with a clear message
// and exit code 1.
func TestStartRefusesABusyDataFolder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	_, out := labProcess(t, "start", "--group", "2", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0", "--quiet")
	readUntil(t, out, `Ctrl-C stops the server`)
	code, _, errOut := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, "start", "--group", "2", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "is in use by another lab server") {
		t.Errorf("second start: exit %d, %s", code, errOut)
	}
}

// interruptSignal is what Ctrl-C sends.
var interruptSignal = syscall.SIGINT

// `lab start` whose output nobody reads (a paused terminal, a full pipe)
// goes on serving: hundreds of POP3 sessions complete while its console is
// stuck, and once its output is read again it says how many lines it left
// out.
func TestStartWithUnreadOutputServes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	_, out := labProcess(t, "start", "--group", "6", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0")
	popAddr := readUntil(t, out, `^\s+POP3\s+(\S+)\s+telnet `)[1]
	pw := readUntil(t, out, `^\s+yom\s+(\S+)$`)[1]
	readUntil(t, out, `Ctrl-C stops the server`)
	// from here on nobody reads the output until the sessions are done
	const sessions = 400
	for i := range sessions {
		c, err := net.Dial("tcp", popAddr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(30 * time.Second))
		io.WriteString(c, "USER yom\r\nPASS "+pw+"\r\nSTAT\r\nQUIT\r\n")
		reply, _ := io.ReadAll(c)
		c.Close()
		if strings.Count(string(reply), "+OK") != 5 {
			t.Fatalf("session %d of %d did not complete while the output was not read: %q", i+1, sessions, reply)
		}
	}
	readUntil(t, out, `event\(s\) were not shown; the journal has them\)`)
}
