package main

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maillab/internal/testenv"
)

var (
	soakDuration = flag.Duration("soak.duration", 10*time.Second, "how long TestSoak sends mail")
	soakUsers    = flag.Int("soak.users", 4, "mailboxes per group in TestSoak, each read by one POP3 client")
)

// soakStats are what the soak counts.
type soakStats struct {
	mu        sync.Mutex
	acked     map[string]bool // subjects that got 250
	retrieved map[string]int  // subjects read with RETR
	errs      []string        // unexpected replies
	sessions  atomic.Int64
}

func (s *soakStats) errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) < 20 {
		s.errs = append(s.errs, fmt.Sprintf(format, args...))
	} else {
		s.errs = append(s.errs[:20], "…")
	}
}

// TestSoak runs a nine-group class in one `lab up` and for a while keeps
// at least 90 clients busy: every group has senders to its own members,
// senders to the other groups of its cluster (through its relay), and one
// POP3 client per mailbox that logs in with APOP, retrieves and deletes.
// Then it stops sending, lets the queues drain and the mailboxes empty, and
// counts: nothing acknowledged may be lost or arrive twice, and no reply
// may be an error. `scripts/soak` runs it for 60 s; `make test` for 10 s.
func TestSoak(t *testing.T) {
	t.Parallel()
	testenv.Long(t, "the soak sends mail for -soak.duration")
	path, c := writeClassroom(t, 9)
	root := t.TempDir()
	users := make([]string, *soakUsers)
	for i := range users {
		users[i] = fmt.Sprintf("u%d", i+1)
	}
	for _, g := range c.Groups {
		for _, u := range users {
			if code, _, errOut := runLab(t, "soakpass\n", nil, "user", "add", u, "--group", fmt.Sprint(g.ID), "--data", root); code != 0 {
				t.Fatalf("user add: %s", errOut)
			}
		}
	}
	cmd, out := labProcess(t, "up", "--classroom", path, "--data", root, "--quiet")
	readUntil(t, out, "Ctrl-C stops the server")
	// keep what the server says after its banner, to show if it dies
	var serverOut strings.Builder
	var serverMu sync.Mutex
	serverDone := make(chan struct{})
	go func() {
		defer close(serverDone)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			serverMu.Lock()
			serverOut.WriteString(sc.Text() + "\n")
			serverMu.Unlock()
		}
	}()
	defer func() {
		if t.Failed() {
			serverMu.Lock()
			t.Logf("lab up said:\n%s", serverOut.String())
			serverMu.Unlock()
		}
	}()

	st := &soakStats{acked: map[string]bool{}, retrieved: map[string]int{}}
	stopSend := make(chan struct{})
	stopRead := make(chan struct{})
	var senders, readers sync.WaitGroup
	clients := 0
	for _, g := range c.Groups {
		host := g.Host
		// three local senders and three to the cluster, per group
		for k := 0; k < 3; k++ {
			senders.Add(2)
			clients += 2
			go func() {
				defer senders.Done()
				soakSender(st, host, g.SMTPAddr(), fmt.Sprintf("g%d-local%d", g.ID, k), func(r *rand.Rand) string {
					return fmt.Sprintf("%s@%s", users[r.IntN(len(users))], c.GroupDomain(g.ID))
				}, stopSend)
			}()
			go func() {
				defer senders.Done()
				peers := c.Peers(g.ID)
				soakSender(st, host, g.SMTPAddr(), fmt.Sprintf("g%d-relay%d", g.ID, k), func(r *rand.Rand) string {
					return fmt.Sprintf("%s@%s", users[r.IntN(len(users))], c.GroupDomain(peers[r.IntN(len(peers))]))
				}, stopSend)
			}()
		}
		for _, u := range users {
			readers.Add(1)
			clients++
			go func() {
				defer readers.Done()
				soakReader(st, host, g.POP3Addr(), u, stopRead)
			}()
		}
	}
	if clients < 90 {
		t.Fatalf("only %d clients", clients)
	}
	time.Sleep(*soakDuration)
	close(stopSend)
	senders.Wait()
	// drain: the relay queues empty, then the readers find nothing twice
	deadline := time.Now().Add(2 * time.Minute)
	for {
		queued, _ := filepath.Glob(filepath.Join(root, "g*", "queue", "*.json"))
		st.mu.Lock()
		missing := 0
		for s := range st.acked {
			if st.retrieved[s] == 0 {
				missing++
			}
		}
		st.mu.Unlock()
		if len(queued) == 0 && missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after 2 minutes %d messages are queued and %d acknowledged ones not retrieved", len(queued), missing)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	close(stopRead)
	readers.Wait()
	cmd.Process.Signal(interruptSignal)
	cmd.Wait()
	<-serverDone

	st.mu.Lock()
	defer st.mu.Unlock()
	lost, dups, relayed := 0, 0, 0
	for s := range st.acked {
		if strings.Contains(s, "-relay") {
			relayed++
		}
		switch n := st.retrieved[s]; {
		case n == 0:
			lost++
		case n > 1:
			dups++
		}
	}
	t.Logf("soak: %d clients for %s: %d messages sent (acknowledged), %d of them across groups, %d retrieved, %d lost, %d delivered twice, %d protocol errors, %d sessions",
		clients, *soakDuration, len(st.acked), relayed, len(st.retrieved), lost, dups, len(st.errs), st.sessions.Load())
	if lost > 0 || dups > 0 || len(st.errs) > 0 {
		t.Errorf("lost %d, twice %d, errors %v", lost, dups, st.errs)
	}
	if st.errs != nil && cmd.ProcessState != nil && !cmd.ProcessState.Success() {
		t.Errorf("lab up ended with %v", cmd.ProcessState)
	}
	if len(st.acked) < 100 {
		t.Errorf("only %d messages in %s", len(st.acked), *soakDuration)
	}
}

// soakSender sends messages in sessions of up to 20 from host until stop.
func soakSender(st *soakStats, host, addr, name string, rcpt func(*rand.Rand) string, stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(uint64(len(name)), uint64(time.Now().UnixNano())))
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)}}
	for n := 0; ; {
		select {
		case <-stop:
			return
		default:
		}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			st.errorf("%s: dial: %v", name, err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		st.sessions.Add(1)
		c.SetDeadline(time.Now().Add(time.Minute))
		br := bufio.NewReader(c)
		ok := soakReply(st, br, name, "220") && soakCmd(st, c, br, name, "EHLO soak.example", "250")
		for i := 0; ok && i < 20; i++ {
			select {
			case <-stop:
				ok = false
				continue
			default:
			}
			subject := fmt.Sprintf("soak-%s-%d", name, n)
			n++
			to := rcpt(r)
			ok = soakCmd(st, c, br, name, "MAIL FROM:<soak@"+host+".example>", "250") &&
				soakCmd(st, c, br, name, "RCPT TO:<"+to+">", "250") &&
				soakCmd(st, c, br, name, "DATA", "354")
			if !ok {
				break
			}
			fmt.Fprintf(c, "Subject: %s\r\nTo: %s\r\n\r\n%s\r\n.\r\n", subject, to, strings.Repeat("soak line\r\n", 1+r.IntN(40)))
			if soakReply(st, br, name, "250") {
				st.mu.Lock()
				st.acked[subject] = true
				st.mu.Unlock()
			} else {
				ok = false
			}
		}
		if ok {
			soakCmd(st, c, br, name, "QUIT", "221")
		}
		c.Close()
	}
}

var soakSubject = regexp.MustCompile(`(?m)^Subject: (soak-\S+)\r?$`)

// soakReader logs in with APOP, retrieves and deletes everything, quits,
// and starts again, until stop (after one last pass).
func soakReader(st *soakStats, host, addr, user string, stop <-chan struct{}) {
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)}}
	name := "pop3 " + user + "@" + addr
	for last := false; ; {
		select {
		case <-stop:
			last = true
		default:
		}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			st.errorf("%s: dial: %v", name, err)
			if last {
				return
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		st.sessions.Add(1)
		c.SetDeadline(time.Now().Add(time.Minute))
		br := bufio.NewReader(c)
		greeting, err := br.ReadString('\n')
		ts := regexp.MustCompile(`<[^>]+>`).FindString(greeting)
		if err != nil || ts == "" {
			st.errorf("%s: greeting %q %v", name, greeting, err)
			c.Close()
			if last {
				return
			}
			continue
		}
		sum := md5.Sum([]byte(ts + "soakpass"))
		fmt.Fprintf(c, "APOP %s %s\r\nSTAT\r\n", user, hex.EncodeToString(sum[:]))
		l1, _ := br.ReadString('\n')
		l2, _ := br.ReadString('\n')
		var count int
		if !strings.HasPrefix(l1, "+OK") || !strings.HasPrefix(l2, "+OK") {
			st.errorf("%s: APOP/STAT: %q %q", name, l1, l2)
			c.Close()
			if last {
				return
			}
			continue
		}
		fmt.Sscanf(l2, "+OK %d", &count)
		ok := true
		for i := 1; ok && i <= count; i++ {
			fmt.Fprintf(c, "RETR %d\r\n", i)
			status, _ := br.ReadString('\n')
			if !strings.HasPrefix(status, "+OK") {
				st.errorf("%s: RETR %d: %q", name, i, status)
				ok = false
				break
			}
			var msg strings.Builder
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					st.errorf("%s: RETR %d cut: %v", name, i, err)
					ok = false
					break
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			if m := soakSubject.FindStringSubmatch(msg.String()); m != nil {
				st.mu.Lock()
				st.retrieved[m[1]]++
				st.mu.Unlock()
			}
			ok = ok && soakCmd(st, c, br, name, fmt.Sprintf("DELE %d", i), "+OK")
		}
		if ok {
			soakCmd(st, c, br, name, "QUIT", "+OK")
		}
		c.Close()
		if last {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func soakCmd(st *soakStats, c net.Conn, br *bufio.Reader, name, cmd, want string) bool {
	if _, err := io.WriteString(c, cmd+"\r\n"); err != nil {
		st.errorf("%s: %s: %v", name, cmd, err)
		return false
	}
	return soakReply(st, br, name, want)
}

// soakReply reads a reply (all its lines) and checks its start.
func soakReply(st *soakStats, br *bufio.Reader, name, want string) bool {
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			st.errorf("%s: reading for %s: %v", name, want, err)
			return false
		}
		if len(l) > 3 && l[3] == '-' && l[0] >= '0' && l[0] <= '9' {
			continue
		}
		if !strings.HasPrefix(l, want) {
			st.errorf("%s: got %q, want %s", name, strings.TrimSpace(l), want)
			return false
		}
		return true
	}
}
