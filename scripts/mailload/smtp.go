//go:build !windows

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runSMTP sends messages of size octets over sessions concurrent SMTP
// sessions (no pipelining: each command waits for its reply, as
// smtp-source does), message n to users[n mod len(users)] so that each user
// gets its exact share, then waits until
// every message is in the users' Maildirs. The figure that counts is
// messages per second delivered: from the first connection to the moment
// the last message is found in a Maildir.
func runSMTP(args []string) (*Result, error) {
	fs := newFlags("smtp")
	server := fs.String("server", "", "name of the server, for the report")
	addr := fs.String("addr", "", "SMTP address")
	domain := fs.String("domain", "g1.lab.test", "recipients' domain")
	users := fs.String("users", "", "recipients (local parts), comma-separated")
	maildir := fs.String("maildir", "", "each recipient's Maildir, {user} standing for the name; empty: do not wait for delivery")
	sessions := fs.Int("sessions", 16, "concurrent sessions")
	messages := fs.Int("messages", 20000, "messages in all")
	size := fs.Int("size", 1024, "octets per message, header included")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	rcpts := list(*users)
	if *addr == "" || len(rcpts) == 0 {
		return nil, fmt.Errorf("-addr and -users are required")
	}
	var dirs []string
	if *maildir != "" {
		for _, u := range rcpts {
			dirs = append(dirs, strings.ReplaceAll(*maildir, "{user}", u))
		}
	}
	before, err := countMaildirs(dirs)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(*timeout)

	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		lat      = make([][]time.Duration, *sessions)
	)
	start := time.Now()
	for i := range *sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := smtpSession(*addr, rcpts, *domain, *size, &next, int64(*messages), deadline)
			lat[i] = l
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("session %d: %w", i+1, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	accepted := time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res := &Result{Test: "smtp", Server: *server, Values: map[string]float64{
		"messages":      float64(*messages),
		"sessions":      float64(*sessions),
		"accepted_rate": float64(*messages) / accepted.Seconds(),
		"data_p50_ms":   ms(percentile(all, 50)),
		"data_p99_ms":   ms(percentile(all, 99)),
	}}
	status("%s smtp: %d messages accepted in %v (%.0f/s)", *server, *messages, accepted.Round(time.Millisecond), res.Values["accepted_rate"])
	if len(dirs) == 0 {
		return res, nil
	}
	// Wait for the messages to be in the Maildirs.
	if err := waitDelivered(res, dirs, before, *messages, start, deadline); err != nil {
		return nil, err
	}
	status("%s smtp: %d messages in the Maildirs after %v (%.0f/s)", *server, *messages, time.Duration(res.Values["seconds"]*float64(time.Second)).Round(time.Millisecond), res.Values["delivered_rate"])
	return res, nil
}

// waitDelivered waits until the folders hold before+messages messages,
// then sets res's delivered_rate and seconds, counted from start.
func waitDelivered(res *Result, dirs []string, before, messages int, start, deadline time.Time) error {
	for {
		n, err := countMaildirs(dirs)
		if err != nil {
			return err
		}
		if n >= before+messages {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d messages delivered by the deadline", n-before, messages)
		}
		time.Sleep(20 * time.Millisecond)
	}
	delivered := time.Since(start)
	res.Values["delivered_rate"] = float64(messages) / delivered.Seconds()
	res.Values["seconds"] = delivered.Seconds()
	return nil
}

// smtpSession sends messages until next passes total, message n to
// users[n-1 mod len(users)], and returns the time
// each took from the end of its data to the 250.
func smtpSession(addr string, users []string, domain string, size int, next *atomic.Int64, total int64, deadline time.Time) ([]time.Duration, error) {
	nc, err := dialBlocking(addr, max(time.Until(deadline), time.Second))
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	c := &smtpClient{r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
	if err := c.expect("", 220); err != nil {
		return nil, err
	}
	if err := c.expect("EHLO loadgen.lab.test", 250); err != nil {
		return nil, err
	}
	var lat []time.Duration
	from := "loadgen@" + domain
	for {
		n := next.Add(1)
		if n > total {
			break
		}
		rcpt := users[(n-1)%int64(len(users))] + "@" + domain
		if err := c.expect("MAIL FROM:<"+from+">", 250); err != nil {
			return lat, err
		}
		if err := c.expect("RCPT TO:<"+rcpt+">", 250); err != nil {
			return lat, err
		}
		if err := c.expect("DATA", 354); err != nil {
			return lat, err
		}
		c.w.Write(message(from, rcpt, n, size))
		t := time.Now()
		if err := c.expect(".", 250); err != nil {
			return lat, fmt.Errorf("end of data: %w", err)
		}
		lat = append(lat, time.Since(t))
	}
	return lat, c.expect("QUIT", 221)
}

// message is a message of size octets (CRLF line ends, header included) for
// rcpt, numbered n, without the final ".".
func message(from, rcpt string, n int64, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: load %d\r\nMessage-ID: <%d.%d@loadgen.lab.test>\r\n\r\n", from, rcpt, n, n, os.Getpid())
	line := "The quick brown fox jumps over the lazy dog; a line of a benchmark.\r\n"
	for b.Len()+len(line) <= size {
		b.WriteString(line)
	}
	if pad := size - b.Len(); pad > 2 {
		b.WriteString(strings.Repeat("x", pad-2) + "\r\n")
	}
	return b.Bytes()
}

// smtpClient sends a command and reads its reply.
type smtpClient struct {
	r *bufio.Reader
	w *bufio.Writer
}

// expect sends cmd (none when empty), reads the reply and checks its code.
func (c *smtpClient) expect(cmd string, code int) error {
	if cmd != "" {
		c.w.WriteString(cmd)
		c.w.WriteString("\r\n")
		if err := c.w.Flush(); err != nil {
			return err
		}
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("after %q: %w", cmd, err)
		}
		if len(line) < 4 {
			return fmt.Errorf("after %q: short reply %q", cmd, line)
		}
		if line[3] == '-' {
			continue
		}
		if got := line[:3]; got != fmt.Sprint(code) {
			return fmt.Errorf("after %q: %s", cmd, strings.TrimSpace(line))
		}
		return nil
	}
}

// countMaildirs counts the messages in new/ and cur/ of the folders.
func countMaildirs(dirs []string) (int, error) {
	n := 0
	for _, d := range dirs {
		for _, sub := range []string{"new", "cur"} {
			f, err := os.Open(filepath.Join(d, sub))
			if os.IsNotExist(err) {
				continue // the delivery agent makes it with the first message
			}
			if err != nil {
				return 0, err
			}
			names, err := f.Readdirnames(-1)
			f.Close()
			if err != nil {
				return 0, err
			}
			for _, name := range names {
				if !strings.HasPrefix(name, ".") {
					n++
				}
			}
		}
	}
	return n, nil
}

// percentile returns the p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return sorted[i]
}
