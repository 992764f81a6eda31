//go:build !windows

package main

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runPOP3 runs sessions POP3 sessions over clients concurrent clients,
// client i as users[i mod len(users)]. A session is: connect, APOP, STAT,
// LIST, RETR of every message (its octets checked against LIST), QUIT. It
// reports sessions per second, megabytes of messages per second, and the
// session latency at p50 and p99.
func runPOP3(args []string) (*Result, error) {
	fs := newFlags("pop3")
	server := fs.String("server", "", "name of the server, for the report")
	addr := fs.String("addr", "", "POP3 address")
	users := fs.String("users", "", "users, comma-separated")
	password := fs.String("password", "", "the users' password (the APOP secret)")
	clients := fs.Int("clients", 16, "concurrent clients")
	sessions := fs.Int("sessions", 320, "sessions in all")
	expect := fs.Int("expect", 0, "messages each maildrop must hold (0: any)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	names := list(*users)
	if *addr == "" || len(names) == 0 {
		return nil, fmt.Errorf("-addr and -users are required")
	}
	deadline := time.Now().Add(*timeout)
	var (
		next     atomic.Int64
		octets   atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		lat      []time.Duration
	)
	start := time.Now()
	for i := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := names[i%len(names)]
			for next.Add(1) <= int64(*sessions) {
				t := time.Now()
				n, err := pop3Session(*addr, user, *password, *expect, deadline)
				d := time.Since(t)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("client %d (%s): %w", i+1, user, err)
				}
				lat = append(lat, d)
				mu.Unlock()
				if err != nil {
					return
				}
				octets.Add(n)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	res := &Result{Test: "pop3", Server: *server, Values: map[string]float64{
		"sessions":      float64(*sessions),
		"clients":       float64(*clients),
		"sessions_rate": float64(*sessions) / elapsed.Seconds(),
		"mb_rate":       float64(octets.Load()) / 1e6 / elapsed.Seconds(),
		"p50_ms":        ms(percentile(lat, 50)),
		"p99_ms":        ms(percentile(lat, 99)),
		"seconds":       elapsed.Seconds(),
	}}
	status("%s pop3: %d sessions in %v: %.1f sessions/s, %.1f MB/s, p50 %.1f ms, p99 %.1f ms", *server, *sessions,
		elapsed.Round(time.Millisecond), res.Values["sessions_rate"], res.Values["mb_rate"], res.Values["p50_ms"], res.Values["p99_ms"])
	return res, nil
}

// pop3Session runs one whole session and returns the octets of the
// messages retrieved.
func pop3Session(addr, user, password string, expect int, deadline time.Time) (int64, error) {
	c, err := dialPOP3(addr, deadline)
	if err != nil {
		return 0, err
	}
	defer c.nc.Close()
	if err := c.apop(user, password); err != nil {
		return 0, err
	}
	count, total, err := c.stat()
	if err != nil {
		return 0, err
	}
	if expect > 0 && count != expect {
		return 0, fmt.Errorf("STAT: %d messages, want %d", count, expect)
	}
	sizes, err := c.list()
	if err != nil {
		return 0, err
	}
	if err := checkListing(sizes, count, total); err != nil {
		return 0, err
	}
	var octets int64
	for i, size := range sizes {
		n, err := c.retr(i + 1)
		if err != nil {
			return octets, err
		}
		if n != size {
			return octets, fmt.Errorf("RETR %d: %d octets, LIST said %d", i+1, n, size)
		}
		octets += n
	}
	_, err = c.cmd("QUIT")
	return octets, err
}

// checkListing checks a LIST against STAT.
func checkListing(sizes []int64, count int, total int64) error {
	if len(sizes) != count {
		return fmt.Errorf("LIST: %d messages, STAT said %d", len(sizes), count)
	}
	var sum int64
	for _, s := range sizes {
		sum += s
	}
	if sum != total {
		return fmt.Errorf("LIST: %d octets, STAT said %d", sum, total)
	}
	return nil
}

// pop3Client is one POP3 connection.
type pop3Client struct {
	nc        net.Conn
	r         *bufio.Reader
	w         *bufio.Writer
	challenge string
}

// dialPOP3 connects and reads the greeting, keeping its APOP timestamp.
func dialPOP3(addr string, deadline time.Time) (*pop3Client, error) {
	return dialPOP3From(addr, "", deadline)
}

// dialPOP3From is dialPOP3 from the local address from ("": any).
func dialPOP3From(addr, from string, deadline time.Time) (*pop3Client, error) {
	nc, err := dialBlockingFrom(addr, from, max(time.Until(deadline), time.Second))
	if err != nil {
		return nil, err
	}
	c := &pop3Client{nc: nc, r: bufio.NewReaderSize(nc, 64<<10), w: bufio.NewWriter(nc)}
	greeting, err := c.status()
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	i, j := strings.IndexByte(greeting, '<'), strings.LastIndexByte(greeting, '>')
	if i < 0 || j < i {
		nc.Close()
		return nil, fmt.Errorf("greeting without an APOP timestamp: %q", greeting)
	}
	c.challenge = greeting[i : j+1]
	return c, nil
}

// status reads a status line: the text after "+OK", or an error for "-ERR".
func (c *pop3Client) status() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, "+OK") {
		return "", fmt.Errorf("%q", line)
	}
	return strings.TrimPrefix(strings.TrimPrefix(line, "+OK"), " "), nil
}

// cmd sends a command and reads its status line.
func (c *pop3Client) cmd(line string) (string, error) {
	c.w.WriteString(line)
	c.w.WriteString("\r\n")
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	s, err := c.status()
	if err != nil {
		verb, _, _ := strings.Cut(line, " ")
		return "", fmt.Errorf("%s: %w", verb, err)
	}
	return s, nil
}

// apop logs in with the digest of the greeting's timestamp and password.
func (c *pop3Client) apop(user, password string) error {
	sum := md5.Sum([]byte(c.challenge + password))
	_, err := c.cmd("APOP " + user + " " + hex.EncodeToString(sum[:]))
	return err
}

// stat returns the messages and octets of the maildrop.
func (c *pop3Client) stat() (int, int64, error) {
	s, err := c.cmd("STAT")
	if err != nil {
		return 0, 0, err
	}
	var n int
	var size int64
	if _, err := fmt.Sscanf(s, "%d %d", &n, &size); err != nil {
		return 0, 0, fmt.Errorf("STAT: %q", s)
	}
	return n, size, nil
}

// list returns the sizes of the messages, in order (LIST numbers them
// from 1 with none missing, since nothing was deleted).
func (c *pop3Client) list() ([]int64, error) {
	if _, err := c.cmd("LIST"); err != nil {
		return nil, err
	}
	var sizes []int64
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return nil, err
		}
		if string(line) == ".\r\n" {
			return sizes, nil
		}
		num, size, ok := strings.Cut(strings.TrimRight(string(line), "\r\n"), " ")
		n, err1 := strconv.Atoi(num)
		s, err2 := strconv.ParseInt(size, 10, 64)
		if !ok || err1 != nil || err2 != nil || n != len(sizes)+1 {
			return nil, fmt.Errorf("LIST line %q", line)
		}
		sizes = append(sizes, s)
	}
}

var errNoEnd = errors.New("multi-line reply without its final line")

// retr retrieves message n and returns its octets as RFC 1939 counts them:
// CRLF line ends, byte-stuffing dots not counted. It scans what is buffered
// rather than reading line by line, so that the load generator takes as
// little of the machine as it can.
func (c *pop3Client) retr(n int) (int64, error) {
	if _, err := c.cmd("RETR " + strconv.Itoa(n)); err != nil {
		return 0, err
	}
	var size int64
	lineStart := true
	for {
		if c.r.Buffered() == 0 {
			if _, err := c.r.Peek(1); err != nil {
				return size, fmt.Errorf("RETR %d: %w (%w)", n, errNoEnd, err)
			}
		}
		buf, _ := c.r.Peek(c.r.Buffered())
		i := 0
		for i < len(buf) {
			if lineStart && buf[i] == '.' {
				if len(buf)-i < 3 {
					break // is it the end? more is needed to tell
				}
				if buf[i+1] == '\r' && buf[i+2] == '\n' {
					c.r.Discard(i + 3)
					return size, nil
				}
				i++ // the stuffing dot
			}
			j := bytes.IndexByte(buf[i:], '\n')
			if j < 0 {
				size += int64(len(buf) - i)
				i = len(buf)
				lineStart = false
				break
			}
			size += int64(j + 1)
			i += j + 1
			lineStart = true
		}
		c.r.Discard(i)
		if i < len(buf) {
			// a dot at the start of a line at the end of what was
			// buffered: wait for two octets more
			if _, err := c.r.Peek(3); err != nil {
				return size, fmt.Errorf("RETR %d: %w (%w)", n, errNoEnd, err)
			}
		}
	}
}
