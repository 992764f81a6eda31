package group_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maillab/server/group"
)

// The benchmarks of this file run a whole group server — real sockets,
// Maildirs on disk with every fsync, the journal — under the load of
// scripts/bench-peers, scaled to b.N. They measure; they assert no timing.

const benchPassword = "tanstaaf"

// benchServer starts a group server with users named prefix01…prefixNN.
func benchServer(b *testing.B, users int, prefix string) (*group.Server, []string) {
	b.Helper()
	data, err := group.OpenData(b.TempDir(), 1, "")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0",
		Limits: group.Limits{Conns: 2000, ConnsPerHost: 2000}})
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, users)
	for i := range names {
		names[i] = fmt.Sprintf("%s%02d", prefix, i+1)
		if err := data.AddUser(names[i], benchPassword, srv.Journal()); err != nil {
			b.Fatal(err)
		}
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv, names
}

// benchMessage is a message of about size octets with CRLF line ends, a
// tenth of whose lines begin with a dot; stuffed is it ready for DATA.
func benchMessage(size int) (plain, stuffed string) {
	var b strings.Builder
	b.WriteString("From: <bench@g1.lab.test>\r\nTo: <bench@g1.lab.test>\r\nSubject: bench\r\n\r\n")
	for i := 0; b.Len() < size; i++ {
		if i%10 == 0 {
			b.WriteString(".a line that begins with a dot, as some do\r\n")
		} else {
			b.WriteString("The quick brown fox jumps over the lazy dog; a line of a benchmark.\r\n")
		}
	}
	plain = b.String()
	return plain, strings.ReplaceAll("\r\n"+plain, "\r\n.", "\r\n..")[2:] + ".\r\n"
}

// BenchmarkSMTPDelivery sends 1 KiB messages over 1 or 16 concurrent SMTP
// sessions (no pipelining), each message to the next 1 or 4 of 16
// mailboxes; an operation is one message acknowledged with 250, so durable
// in all its mailboxes.
func BenchmarkSMTPDelivery(b *testing.B) {
	for _, bc := range []struct{ sessions, rcpts int }{{1, 1}, {16, 1}, {1, 4}, {16, 4}} {
		b.Run(fmt.Sprintf("sessions=%d/rcpts=%d", bc.sessions, bc.rcpts), func(b *testing.B) {
			benchSMTPDelivery(b, bc.sessions, bc.rcpts)
		})
	}
}

func benchSMTPDelivery(b *testing.B, sessions, rcpts int) {
	srv, users := benchServer(b, 16, "s")
	_, msg := benchMessage(1 << 10)
	var next atomic.Int64
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	benchClients(b, sessions, func() error {
		nc, err := net.Dial("tcp", srv.SMTPAddr().String())
		if err != nil {
			return err
		}
		defer nc.Close()
		c := benchConn{r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
		if err := c.smtp("", "220"); err != nil {
			return err
		}
		if err := c.smtp("EHLO bench.g1.lab.test", "250"); err != nil {
			return err
		}
		for {
			n := next.Add(1)
			if n > int64(b.N) {
				break
			}
			steps := [][2]string{{"MAIL FROM:<bench@g1.lab.test>", "250"}}
			for i := range rcpts {
				rcpt := users[(n*int64(rcpts)+int64(i))%int64(len(users))]
				steps = append(steps, [2]string{"RCPT TO:<" + rcpt + "@g1.lab.test>", "250"})
			}
			for _, step := range append(steps, [2]string{"DATA", "354"}) {
				if err := c.smtp(step[0], step[1]); err != nil {
					return err
				}
			}
			c.w.WriteString(msg)
			if err := c.smtp("", "250"); err != nil {
				return err
			}
		}
		return c.smtp("QUIT", "221")
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkPOP3Session runs whole POP3 sessions from 16 concurrent clients,
// each as a user of its own with 100 messages of 10 KiB: APOP, STAT, LIST,
// RETR of every message (its octets checked against LIST), QUIT. An
// operation is one session.
func BenchmarkPOP3Session(b *testing.B) {
	srv, users := benchServer(b, 16, "p")
	plain, _ := benchMessage(10 << 10)
	for _, u := range users {
		mb := srv.Data().Mailbox(u)
		old, _ := mb.List()
		for _, m := range old {
			mb.Remove(m) // the welcome message
		}
		for range 100 {
			if _, err := mb.Deliver(strings.NewReader(plain)); err != nil {
				b.Fatal(err)
			}
		}
	}
	var next, octets atomic.Int64
	client := atomic.Int64{}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	benchClients(b, 16, func() error {
		user := users[(client.Add(1)-1)%int64(len(users))]
		for next.Add(1) <= int64(b.N) {
			n, err := benchPOP3Session(srv.POP3Addr().String(), user, 100)
			if err != nil {
				return err
			}
			octets.Add(n)
		}
		return nil
	})
	elapsed := time.Since(start).Seconds()
	b.ReportMetric(float64(b.N)/elapsed, "sessions/s")
	b.ReportMetric(float64(octets.Load())/1e6/elapsed, "MB/s")
}

// BenchmarkPOP3Login10k logs in to a maildrop of 10,000 messages with APOP
// and asks STAT: the maildrop is listed at login, so this is the latency of
// STAT for a client that has just connected.
func BenchmarkPOP3Login10k(b *testing.B) {
	srv, users := benchServer(b, 1, "big")
	mb := srv.Data().Mailbox(users[0])
	for range 10000 - 1 { // and the welcome message
		if _, err := mb.Deliver(strings.NewReader("Subject: one of many\r\n\r\nbody\r\n")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		nc, err := net.Dial("tcp", srv.POP3Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		c := benchConn{r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
		if err := c.apop(users[0]); err != nil {
			b.Fatal(err)
		}
		if s, err := c.pop3("STAT"); err != nil || !strings.HasPrefix(s, "+OK 10000 ") {
			b.Fatalf("STAT: %q %v", s, err)
		}
		c.pop3("QUIT")
		nc.Close()
	}
}

// benchClients runs clients copies of fn at once and fails the benchmark
// with the first error.
func benchClients(b *testing.B, clients int, fn func() error) {
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// benchConn is the client side of a benchmark's connection.
type benchConn struct {
	r         *bufio.Reader
	w         *bufio.Writer
	challenge string
}

// smtp sends cmd (nothing when empty, only flushing what was written) and
// checks the code of the reply.
func (c *benchConn) smtp(cmd, code string) error {
	if cmd != "" {
		c.w.WriteString(cmd + "\r\n")
	}
	if err := c.w.Flush(); err != nil {
		return err
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if len(line) >= 4 && line[3] == '-' {
			continue
		}
		if !strings.HasPrefix(line, code) {
			return fmt.Errorf("%s: %q", cmd, line)
		}
		return nil
	}
}

// pop3 sends a command and returns its status line, or an error for -ERR.
func (c *benchConn) pop3(cmd string) (string, error) {
	if cmd != "" {
		c.w.WriteString(cmd + "\r\n")
		if err := c.w.Flush(); err != nil {
			return "", err
		}
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(line, "+OK") {
		return "", fmt.Errorf("%s: %q", cmd, line)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// apop reads the greeting and logs in with its timestamp.
func (c *benchConn) apop(user string) error {
	greeting, err := c.pop3("")
	if err != nil {
		return err
	}
	c.challenge = greeting[strings.IndexByte(greeting, '<') : strings.LastIndexByte(greeting, '>')+1]
	sum := md5.Sum([]byte(c.challenge + benchPassword))
	_, err = c.pop3("APOP " + user + " " + hex.EncodeToString(sum[:]))
	return err
}

// benchPOP3Session runs one session and returns the octets retrieved.
func benchPOP3Session(addr, user string, want int) (int64, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	c := benchConn{r: bufio.NewReaderSize(nc, 64<<10), w: bufio.NewWriter(nc)}
	if err := c.apop(user); err != nil {
		return 0, err
	}
	if s, err := c.pop3("STAT"); err != nil || !strings.HasPrefix(s, "+OK "+strconv.Itoa(want)+" ") {
		return 0, fmt.Errorf("STAT: %q %v", s, err)
	}
	if _, err := c.pop3("LIST"); err != nil {
		return 0, err
	}
	var sizes []int64
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return 0, err
		}
		if line == ".\r\n" {
			break
		}
		_, size, _ := strings.Cut(strings.TrimSpace(line), " ")
		n, _ := strconv.ParseInt(size, 10, 64)
		sizes = append(sizes, n)
	}
	var octets int64
	for i, size := range sizes {
		if _, err := c.pop3("RETR " + strconv.Itoa(i+1)); err != nil {
			return octets, err
		}
		var got int64
		for {
			line, err := c.r.ReadSlice('\n')
			if err != nil {
				return octets, err
			}
			if string(line) == ".\r\n" {
				break
			}
			got += int64(len(line))
			if line[0] == '.' {
				got--
			}
		}
		if got != size {
			return octets, fmt.Errorf("RETR %d: %d octets, LIST said %d", i+1, got, size)
		}
		octets += got
	}
	_, err = c.pop3("QUIT")
	return octets, err
}

// BenchmarkIdlePOP3Conns holds 1,000 POP3 connections that have been
// greeted and say nothing (the server's limit raised for it; `lab start`
// keeps 500), and reports what the process's resident memory grew by: the
// server's share, with the client's sockets (which hold little user memory)
// in the same process. Only the first round counts: later ones reuse the
// memory it grew.
func BenchmarkIdlePOP3Conns(b *testing.B) {
	const conns = 1000
	first := true
	for b.Loop() {
		srv, _ := benchServer(b, 1, "u")
		runtime.GC()
		before := rssKiB(b)
		held := make([]net.Conn, 0, conns)
		for i := range conns {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%10))}}
			nc, err := d.Dial("tcp", srv.POP3Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 256)
			nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := nc.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "+OK") {
				b.Fatalf("connection %d: %q %v", i, buf[:n], err)
			}
			held = append(held, nc)
		}
		time.Sleep(200 * time.Millisecond)
		if after := rssKiB(b); first {
			b.ReportMetric(float64(after-before)/1024, "RSS-MiB/1000-conns")
			b.ReportMetric(float64(after-before)/conns, "RSS-KiB/conn")
			first = false
		}
		for _, nc := range held {
			nc.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		srv.Shutdown(ctx)
		cancel()
	}
}

// rssKiB is the resident memory of this process.
func rssKiB(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
