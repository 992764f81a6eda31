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
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// burst sends messages to addr from senders goroutines, each in one SMTP
// session, until stop is closed or its connection fails, and returns the
// subjects that got 250. Each message ends with a line naming its subject,
// so that a cut-off copy would show. rcpt may name several recipients,
// separated by commas.
func burst(addr, from, rcpt string, senders int, stop <-chan struct{}, progress *atomic.Int64) []string {
	return burstDial(func() (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }, from, rcpt, senders, stop, progress)
}

// waitProgress waits until n messages have been acknowledged.
func waitProgress(t *testing.T, progress *atomic.Int64, n int64) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); progress.Load() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages acknowledged in a minute", progress.Load())
		}
	}
}

func burstDial(dial func() (net.Conn, error), from, rcpt string, senders int, stop <-chan struct{}, progress *atomic.Int64) []string {
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial()
			if err != nil {
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			r := bufio.NewReader(c)
			reply := func() (string, error) {
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return "", err
					}
					if len(l) < 4 || l[3] != '-' {
						return l, nil
					}
				}
			}
			if _, err := reply(); err != nil {
				return
			}
			fmt.Fprintf(c, "EHLO burst\r\n")
			if _, err := reply(); err != nil {
				return
			}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				subject := fmt.Sprintf("burst-%d-%d", s, n)
				rcpts := strings.Split(rcpt, ",")
				fmt.Fprintf(c, "MAIL FROM:<%s>\r\n", from)
				for _, to := range rcpts {
					fmt.Fprintf(c, "RCPT TO:<%s>\r\n", to)
				}
				fmt.Fprintf(c, "DATA\r\n")
				for i := 0; i < len(rcpts)+2; i++ {
					if _, err := reply(); err != nil {
						return
					}
				}
				fmt.Fprintf(c, "Subject: %s\r\n\r\n%s\r\nend-of-%s\r\n.\r\n", subject, strings.Repeat("body text ", 50), subject)
				l, err := reply()
				if err != nil {
					return
				}
				if strings.HasPrefix(l, "250 ") {
					mu.Lock()
					acked = append(acked, subject)
					mu.Unlock()
					progress.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return acked
}

var subjectLine = regexp.MustCompile(`(?m)^Subject: (burst-\d+-\d+)$`)

// messagesIn reads a Maildir's new/ and cur/ and counts the subjects; it
// fails the test on a message that is not whole.
func messagesIn(t *testing.T, dir string) map[string]int {
	t.Helper()
	count := map[string]int{}
	for _, sub := range []string{"new", "cur"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m := subjectLine.FindSubmatch(b)
			if m == nil {
				continue // the welcome message
			}
			if !strings.HasSuffix(string(b), "end-of-"+string(m[1])+"\n") {
				t.Errorf("%s holds a partial message", f)
			}
			count[string(m[1])]++
		}
	}
	return count
}

// Killed with SIGKILL in the middle of a burst of 16 concurrent SMTP
// senders, the server loses nothing it acknowledged, keeps every message
// once, and leaves no partial file in new/.
func TestKillDuringSMTPBurst(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	cmd, out := labProcess(t, "start", "--group", "1", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0", "--quiet")
	smtpAddr := readUntil(t, out, `^\s+SMTP\s+(\S+)\s+telnet `)[1]
	readUntil(t, out, "Ctrl-C stops the server")
	go io.Copy(io.Discard, out)
	stop := make(chan struct{})
	done := make(chan []string)
	var progress atomic.Int64
	go func() { done <- burst(smtpAddr, "a@g2.lab.test", "yom@g1.lab.test", 16, stop, &progress) }()
	waitProgress(t, &progress, 100) // well into the burst
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	close(stop)
	acked := <-done
	// restart: the server comes up on the same data
	_, out = labProcess(t, "start", "--group", "1", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0", "--quiet")
	readUntil(t, out, "Ctrl-C stops the server")
	count := messagesIn(t, filepath.Join(root, "g1", "mail", "yom"))
	for _, s := range acked {
		if count[s] != 1 {
			t.Errorf("acknowledged message %s is there %d times", s, count[s])
		}
	}
	for s, n := range count {
		if n > 1 {
			t.Errorf("message %s is there %d times", s, n)
		}
	}
	t.Logf("%d messages acknowledged before SIGKILL, all there once; %d in the mailbox", len(acked), len(count))
}

// Killed with SIGKILL in the middle of a burst of messages to four
// recipients each, the server leaves every message, after its restart, in
// all four mailboxes or in none, and an acknowledged one in all four once.
func TestKillDuringMultiRecipientBurst(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	start := func() (*exec.Cmd, *childOutput) {
		return labProcess(t, "start", "--group", "1", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0", "--quiet")
	}
	users := []string{"yom", "hana", "taro", "postmaster"}
	var rcpts []string
	for _, u := range users {
		rcpts = append(rcpts, u+"@g1.lab.test")
	}
	before := make([]map[string]int, len(users)) // what the rounds before left
	for i := range users {
		before[i] = map[string]int{}
	}
	for round := range 2 {
		cmd, out := start()
		smtpAddr := readUntil(t, out, `^\s+SMTP\s+(\S+)\s+telnet `)[1]
		readUntil(t, out, "Ctrl-C stops the server")
		go io.Copy(io.Discard, out)
		stop := make(chan struct{})
		done := make(chan []string)
		var progress atomic.Int64
		go func() { done <- burst(smtpAddr, "a@g2.lab.test", strings.Join(rcpts, ","), 16, stop, &progress) }()
		waitProgress(t, &progress, 60)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		close(stop)
		acked := <-done

		cmd, out = start() // finishes what the kill cut short
		readUntil(t, out, "Ctrl-C stops the server")
		counts := make([]map[string]int, len(users))
		seen := map[string]bool{}
		for i, u := range users {
			counts[i] = messagesIn(t, filepath.Join(root, "g1", "mail", u))
			for s, n := range counts[i] {
				if counts[i][s] = n - before[i][s]; counts[i][s] != 0 {
					seen[s] = true
				}
				before[i][s] = n
			}
		}
		for _, s := range acked {
			seen[s] = true
		}
		incomplete := 0
		for s := range seen {
			var got []int
			for i := range users {
				got = append(got, counts[i][s])
			}
			all, none := slices.Equal(got, []int{1, 1, 1, 1}), slices.Equal(got, []int{0, 0, 0, 0})
			switch {
			case slices.Contains(acked, s) && !all:
				t.Errorf("round %d: acknowledged message %s is in %v copies in %v", round, s, got, users)
			case !all && !none:
				incomplete++
				t.Errorf("round %d: message %s is in %v copies in %v: not all or none", round, s, got, users)
			}
		}
		t.Logf("round %d: %d messages acknowledged before SIGKILL, %d delivered, each to all four once", round, len(acked), len(seen)-incomplete)
		cmd.Process.Signal(syscall.SIGKILL) // the next round starts it again
		cmd.Wait()
	}
}

// Killed in the middle of a relay burst between two groups, group 1 keeps
// in its queue what it acknowledged, and after a restart group 2 gets each
// message exactly once.
func TestKillDuringRelayBurst(t *testing.T) {
	t.Parallel()
	path, c := writeClassroom(t, 2)
	root := t.TempDir()
	g1cmd, out1 := labProcess(t, "start", "--group", "1", "--classroom", path, "--data", root, "--quiet")
	readUntil(t, out1, "Ctrl-C stops the server")
	go io.Copy(io.Discard, out1)
	_, out2 := labProcess(t, "start", "--group", "2", "--classroom", path, "--data", root, "--quiet")
	readUntil(t, out2, "Ctrl-C stops the server")
	go io.Copy(io.Discard, out2)
	g1, _ := c.Group(1)
	stop := make(chan struct{})
	done := make(chan []string)
	var progress atomic.Int64
	// the senders connect from group 1's address: 127.0.0.1 is no group's
	// host, and only a group's host may relay
	go func() {
		done <- burstFrom("127.0.1.1", g1.SMTPAddr(), "yom@g1.lab.test", "hana@g2.lab.test", 8, stop, &progress)
	}()
	waitProgress(t, &progress, 100)
	g1cmd.Process.Signal(syscall.SIGKILL)
	g1cmd.Wait()
	close(stop)
	acked := <-done
	_, out1 = labProcess(t, "start", "--group", "1", "--classroom", path, "--data", root, "--quiet")
	readUntil(t, out1, "Ctrl-C stops the server")
	go io.Copy(io.Discard, out1)
	mailbox := filepath.Join(root, "g2", "mail", "hana")
	deadline := time.Now().Add(60 * time.Second)
	var count map[string]int
	for {
		count = messagesIn(t, mailbox)
		missing := 0
		for _, s := range acked {
			if count[s] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged messages never reached group 2", missing, len(acked))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// let any duplicate arrive before counting
	for q := filepath.Join(root, "g1", "queue"); ; time.Sleep(100 * time.Millisecond) {
		if files, _ := filepath.Glob(filepath.Join(q, "*.json")); len(files) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for s, n := range messagesIn(t, mailbox) {
		if n != 1 {
			t.Errorf("message %s reached group 2 %d times", s, n)
		}
	}
	t.Logf("%d messages acknowledged before SIGKILL; each reached group 2 once", len(acked))
}

// burstFrom is burst with the senders bound to a local address.
func burstFrom(local, addr, from, rcpt string, senders int, stop <-chan struct{}, progress *atomic.Int64) []string {
	return burstDial(func() (net.Conn, error) {
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
		return d.Dial("tcp", addr)
	}, from, rcpt, senders, stop, progress)
}

// A SIGKILL in the middle of a POP3 session that marked messages with DELE
// deletes nothing.
func TestKillDuringPOP3SessionDeletesNothing(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	cmd, out := labProcess(t, "start", "--group", "1", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0", "--quiet")
	smtpAddr := readUntil(t, out, `^\s+SMTP\s+(\S+)\s+telnet `)[1]
	popAddr := readUntil(t, out, `^\s+POP3\s+(\S+)\s+telnet `)[1]
	pw := readUntil(t, out, `^\s+yom\s+(\S+)$`)[1]
	readUntil(t, out, "Ctrl-C stops the server")
	go io.Copy(io.Discard, out)
	for i := 0; i < 3; i++ {
		smtpSend(t, "127.0.0.1", smtpAddr, "HELO x", "MAIL FROM:<a@b.example>", "RCPT TO:<yom@g1.lab.test>", "DATA", fmt.Sprintf("Subject: burst-9-%d\r\n\r\nx\r\nend-of-burst-9-%d\r\n.", i, i), "QUIT")
	}
	c, err := net.Dial("tcp", popAddr)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	r.ReadString('\n')
	fmt.Fprintf(c, "USER yom\r\nPASS %s\r\nDELE 1\r\nDELE 2\r\nDELE 3\r\nDELE 4\r\nSTAT\r\n", pw)
	for i := 0; i < 7; i++ {
		l, _ := r.ReadString('\n')
		if i == 6 && !strings.HasPrefix(l, "+OK 0 0") {
			t.Fatalf("STAT after DELE of all: %q", l)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	c.Close()
	list, _ := filepath.Glob(filepath.Join(root, "g1", "mail", "yom", "*", "*"))
	if len(list) != 4 {
		t.Errorf("after the kill yom's Maildir holds %d messages, want all 4", len(list))
	}
}
