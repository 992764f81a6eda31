//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"maillab/internal/testenv"
)

// rssKiB is the resident set of process pid, from /proc (Linux).
func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// Fifty clients each send 8 MiB after DATA and never the final ".": the
// messages stream to the spool, not into memory, so `lab start` (console
// on, as students run it) stays under 150 MiB of resident memory; the
// unfinished messages are never delivered, and the server goes on serving.
func TestUnfinishedDataStaysOnDisk(t *testing.T) {
	t.Parallel()
	testenv.Long(t, "sends 400 MiB over loopback")
	root := t.TempDir()
	cmd, out := labProcess(t, "start", "--group", "1", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0")
	smtpAddr := readUntil(t, out, `^\s+SMTP\s+(\S+)\s+telnet `)[1]
	readUntil(t, out, "Ctrl-C stops the server")
	go io.Copy(io.Discard, out)
	before := rssKiB(t, cmd.Process.Pid)

	const clients, size = 50, 8 << 20
	line := strings.Repeat("x", 998) + "\r\n"
	chunk := strings.Repeat(line, 64) // 64,000 octets
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range clients {
		c, err := net.Dial("tcp", smtpAddr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(2 * time.Minute))
		r := bufio.NewReader(c)
		expect := func(code string) {
			t.Helper()
			l, err := r.ReadString('\n')
			if err != nil || !strings.HasPrefix(l, code) {
				t.Fatalf("client %d: want %s, got %q (%v)", i, code, l, err)
			}
		}
		expect("220")
		fmt.Fprintf(c, "HELO c%d\r\nMAIL FROM:<a@g2.lab.test>\r\nRCPT TO:<yom@g1.lab.test>\r\nDATA\r\n", i)
		expect("250")
		expect("250")
		expect("250")
		expect("354")
		fmt.Fprintf(c, "Subject: unfinished %d\r\n\r\n", i)
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := io.WriteString(c, chunk); err != nil {
				t.Fatalf("client %d: %v", i, err)
			}
		}
	}
	during := rssKiB(t, cmd.Process.Pid)
	t.Logf("lab start RSS: %d KiB before, %d KiB with %d unfinished messages of 8 MiB", before, during, clients)
	if during > 150<<10 {
		t.Errorf("RSS %d KiB with %d unfinished 8 MiB messages, want under 150 MiB", during, clients)
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil

	// the server goes on, and nothing of the unfinished messages arrived
	c, err := net.Dial("tcp", smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "HELO after\r\nMAIL FROM:<a@g2.lab.test>\r\nRCPT TO:<yom@g1.lab.test>\r\nDATA\r\n")
	var replies []string
	for len(replies) < 5 {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l[3] == ' ' {
			replies = append(replies, l[:3])
		}
	}
	fmt.Fprintf(c, "Subject: finished\r\n\r\nhello\r\n.\r\nQUIT\r\n")
	l, _ := r.ReadString('\n')
	if !strings.HasPrefix(l, "250") {
		t.Fatalf("after the unfinished ones: %q", l)
	}
	entries, err := os.ReadDir(root + "/g1/mail/yom/new")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(root + "/g1/mail/yom/new/" + e.Name())
		if strings.Contains(string(b), "Subject: unfinished") {
			t.Errorf("an unfinished message was delivered: %s", e.Name())
		}
	}
	if len(entries) != 2 { // the welcome message and the finished one
		t.Errorf("yom has %d messages, want 2", len(entries))
	}
}
