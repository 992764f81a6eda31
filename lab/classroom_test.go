package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"maillab/server/classroom"
)

// freePorts finds n ports free on every one of hosts.
func freePorts(t *testing.T, hosts []string, n int) []int {
	t.Helper()
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", hosts[0]+":0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		ok := true
		for _, h := range hosts[1:] {
			l2, err := net.Listen("tcp", fmt.Sprintf("%s:%d", h, port))
			if err != nil {
				ok = false
				break
			}
			l2.Close()
		}
		if ok && !slices.Contains(ports, port) { // a closed port may come back at once
			ports = append(ports, port)
		}
	}
	return ports
}

// writeClassroom writes a classroom file of groups 1..n on 127.0.1.N, with
// ports of this test's own, in one cluster.
func writeClassroom(t *testing.T, n int) (string, *classroom.Classroom) {
	t.Helper()
	var hosts []string
	for i := 1; i <= n; i++ {
		hosts = append(hosts, fmt.Sprintf("127.0.1.%d", i))
	}
	p := freePorts(t, hosts, 3)
	o := classroom.DefaultInit
	o.Groups, o.ClusterSize = n, n
	b, err := classroom.Init(o)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("smtp = 2525", fmt.Sprintf("smtp = %d", p[0]), "pop3 = 1110", fmt.Sprintf("pop3 = %d", p[1]), "web  = 8025", fmt.Sprintf("web  = %d", p[2])).Replace(string(b))
	path := filepath.Join(t.TempDir(), "classroom.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := classroom.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, c
}

// smtpSend hands a message to addr from the local address from, one
// command at a time, and returns the replies.
func smtpSend(t *testing.T, from, addr string, lines ...string) []string {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	r.ReadString('\n')
	var replies []string
	for _, l := range lines {
		io.WriteString(c, l+"\r\n")
		for {
			s, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			if len(s) < 4 || s[3] != '-' {
				replies = append(replies, strings.TrimRight(s, "\r\n"))
				break
			}
		}
	}
	return replies
}

// popFetch logs in with USER/PASS from the local address from and returns
// every message, leaving them there.
func popFetch(t *testing.T, from, addr, user, pass string) []string {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	line := func() string { s, _ := r.ReadString('\n'); return strings.TrimRight(s, "\r\n") }
	line()
	fmt.Fprintf(c, "USER %s\r\nPASS %s\r\nSTAT\r\n", user, pass)
	line()
	if l := line(); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("PASS: %s", l)
	}
	var n int
	fmt.Sscanf(line(), "+OK %d", &n)
	var msgs []string
	for i := 1; i <= n; i++ {
		fmt.Fprintf(c, "RETR %d\r\n", i)
		line()
		var b strings.Builder
		for l := line(); l != "."; l = line() {
			b.WriteString(strings.TrimPrefix(l, ".") + "\n")
		}
		msgs = append(msgs, b.String())
	}
	io.WriteString(c, "QUIT\r\n")
	line()
	return msgs
}

// waitMessages polls a mailbox over POP3 until it has want messages.
func waitMessages(t *testing.T, from, addr, user, pass string, want int) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs := popFetch(t, from, addr, user, pass)
		if len(msgs) >= want {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d messages at %s, want %d", user, len(msgs), addr, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// passwords reads the accounts a banner printed: "  gN  yom PW   hana PW …"
// (lab up) or "    yom      PW" (lab start).
func passwords(t *testing.T, out *childOutput, until string) map[string]string {
	t.Helper()
	pw := map[string]string{}
	group := regexp.MustCompile(`^\s+g(\d+)\s+(.*)$`)
	single := regexp.MustCompile(`^\s{4}(\w+)\s+(\w+)$`)
	for {
		line, err := out.line()
		if err != nil {
			t.Fatalf("banner ended early: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if m := group.FindStringSubmatch(line); m != nil {
			f := strings.Fields(m[2])
			for i := 0; i+1 < len(f); i += 2 {
				pw["g"+m[1]+"/"+f[i]] = f[i+1]
			}
		} else if m := single.FindStringSubmatch(line); m != nil {
			pw[m[1]] = m[2]
		}
		if strings.Contains(line, until) {
			return pw
		}
	}
}

func TestClassroomInitPrintsALoadableFile(t *testing.T) {
	t.Parallel()
	code, out, errOut := runLab(t, "", nil, "classroom", "init", "--groups", "6", "--cluster-size", "2", "--host-template", "10.0.0.{N}")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	c, err := classroom.Parse("out", []byte(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(c.Groups) != 6 || c.Groups[5].Host != "10.0.0.6" || len(c.Clusters) != 3 {
		t.Errorf("parsed %+v", c)
	}
	code, _, errOut = runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, "classroom", "init", "--groups", "0")
	if code != 2 || !strings.Contains(errOut, "--groups 0") {
		t.Errorf("--groups 0: exit %d %s", code, errOut)
	}
}

func TestBadClassroomFileIsNamedWithItsLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte("domain = \"lab.test\"\n[[groups]]\nid = 1\nhost = \"127.0.1.1\"\nsmtp = 2525\npop3 = 2525\nweb = 8025\n"), 0o644)
	code, _, errOut := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, "up", "--classroom", path, "--data", t.TempDir())
	if code != 1 || !strings.Contains(errOut, path+":6: group 1: pop3 port 2525 on 127.0.1.1 is already group 1's smtp port") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// A cluster of three groups in one `lab up`: mail crosses from group 1 to
// group 2 through group 1's relay, and by hand straight to group 2; an
// unknown user comes back as a bounce; relaying outside, or from an address
// that is no group's host, is refused.
func TestUpCluster(t *testing.T) {
	t.Parallel()
	path, c := writeClassroom(t, 3)
	_, out := labProcess(t, "up", "--classroom", path, "--data", t.TempDir())
	pw := passwords(t, out, "Ctrl-C stops the server")
	g1, _ := c.Group(1)
	g2, _ := c.Group(2)

	r := smtpSend(t, "127.0.1.1", g1.SMTPAddr(), "EHLO pc01", "MAIL FROM:<yom@g1.lab.test>", "RCPT TO:<hana@g2.lab.test>", "RCPT TO:<nobody@g2.lab.test>",
		"DATA", "From: yom@g1.lab.test\r\nTo: hana@g2.lab.test\r\nSubject: across the cluster\r\n\r\nhello\r\n.", "QUIT")
	if !strings.HasPrefix(r[5], "250 2.0.0 Ok: queued as ") {
		t.Fatalf("replies %q", r)
	}
	// by hand, MTA to MTA, straight to group 2's server
	r = smtpSend(t, "127.0.1.1", g2.SMTPAddr(), "HELO pc01", "MAIL FROM:<yom@g1.lab.test>", "RCPT TO:<hana@g2.lab.test>", "DATA", "Subject: straight\r\n\r\nhi\r\n.", "QUIT")
	if !strings.HasPrefix(r[4], "250 ") {
		t.Fatalf("straight to g2: %q", r)
	}
	msgs := waitMessages(t, "127.0.1.2", g2.POP3Addr(), "hana", pw["g2/hana"], 3)
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"Subject: across the cluster", "Subject: straight", "Received: from g1.lab.test ([127.0.1.1])\n\tby g2.lab.test (maillab)"} {
		if !strings.Contains(all, want) {
			t.Errorf("group 2's hana lacks %q", want)
		}
	}
	// the unknown user's bounce reaches yom at group 1
	msgs = waitMessages(t, "127.0.1.1", g1.POP3Addr(), "yom", pw["g1/yom"], 2)
	if !strings.Contains(msgs[1], "Final-Recipient: rfc822; nobody@g2.lab.test") || !strings.Contains(msgs[1], "Status: 5.1.1") {
		t.Errorf("bounce:\n%s", msgs[1])
	}
	for _, tt := range []struct{ from, rcpt string }{{"127.0.1.1", "x@outside.example"}, {"127.0.0.1", "hana@g2.lab.test"}} {
		r := smtpSend(t, tt.from, g1.SMTPAddr(), "HELO x", "MAIL FROM:<yom@g1.lab.test>", "RCPT TO:<"+tt.rcpt+">", "QUIT")
		if !strings.HasPrefix(r[2], "554 5.7.1 ") {
			t.Errorf("from %s to %s: %q, want 554 5.7.1", tt.from, tt.rcpt, r[2])
		}
	}
}

// Three `lab start` processes, one a group. Group 2 is down: mail for it
// waits in group 1's queue (lab queue shows why), survives group 1 being
// killed with SIGKILL, and arrives once when group 2 comes up.
func TestStartProcessesQueueAcrossAKill(t *testing.T) {
	t.Parallel()
	path, c := writeClassroom(t, 3)
	root := t.TempDir()
	start := func(n int) (*exec.Cmd, *childOutput) {
		cmd, out := labProcess(t, "start", "--group", fmt.Sprint(n), "--classroom", path, "--data", root)
		return cmd, out
	}
	g1cmd, out1 := start(1)
	passwords(t, out1, "Ctrl-C stops the server")
	_, out3 := start(3)
	passwords(t, out3, "Ctrl-C stops the server")
	g1, _ := c.Group(1)
	g2, _ := c.Group(2)
	r := smtpSend(t, "127.0.1.1", g1.SMTPAddr(), "HELO pc01", "MAIL FROM:<yom@g1.lab.test>", "RCPT TO:<taro@g2.lab.test>", "DATA", "Subject: are you there\r\n\r\nx\r\n.", "QUIT")
	if !strings.HasPrefix(r[4], "250 ") {
		t.Fatalf("replies %q", r)
	}
	readUntil(t, out1, `could not be handed to group 2 yet`)
	code, q, _ := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, "queue", "--group", "1", "--data", root)
	if code != 0 || !strings.Contains(q, "yom@g1.lab.test → taro@g2.lab.test (group 2)") || !strings.Contains(q, "cannot connect to group 2's server") {
		t.Errorf("lab queue: exit %d\n%s", code, q)
	}
	// SIGKILL: no shutdown at all
	g1cmd.Process.Signal(syscall.SIGKILL)
	g1cmd.Wait()
	_, out1 = start(1)
	readUntil(t, out1, "Ctrl-C stops the server")
	// group 2 comes up: its banner prints the passwords
	_, out2 := start(2)
	pw2 := passwords(t, out2, "Ctrl-C stops the server")
	msgs := waitMessages(t, "127.0.1.2", g2.POP3Addr(), "taro", pw2["taro"], 2)
	// group 1's relay says it handed the message over: it is done with it,
	// so a second copy cannot be on its way
	readUntil(t, out1, `handed to group 2's server: taro@g2\.lab\.test`)
	if msgs = popFetch(t, "127.0.1.2", g2.POP3Addr(), "taro", pw2["taro"]); len(msgs) != 2 || !strings.Contains(msgs[1], "Subject: are you there") {
		t.Errorf("taro has %d messages, want the welcome and the relayed one, once", len(msgs))
	}
	// the entry leaves the queue just after the relay said so
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, q, _ = runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, "queue", "--group", "1", "--data", root)
		if strings.Contains(q, "relay queue is empty") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab queue after delivery:\n%s", q)
		}
	}
}
