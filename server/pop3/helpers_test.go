package pop3_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/server/pop3"
)

// rfcChallenge is the APOP timestamp of RFC 1939's examples.
const rfcChallenge = "<1896.697170952@dbc.mtview.ca.us>"

// The two messages of RFC 1939's example session, of 120 and 200 octets.
const (
	rfcMessage1 = "From: dewey@dbc.mtview.ca.us\r\nTo: mrose@dbc.mtview.ca.us\r\nSubject: first\r\n\r\n" +
		"This is message 1.\r\nIt is 120 octets long.\r\n"
	rfcMessage2 = "From: dewey@dbc.mtview.ca.us\r\nTo: mrose@dbc.mtview.ca.us\r\nSubject: second\r\n\r\n" +
		"This is message 2.\r\nIt is 200 octets long: the octets of RFC 1939's\r\n" +
		"example session, all counted with CRLF line endings.\r\n"
)

// newFixture returns the backend that every golden conversation starts
// with.
func newFixture() *memBackend {
	if len(rfcMessage1) != 120 || len(rfcMessage2) != 200 {
		panic("the RFC 1939 example messages must be of 120 and 200 octets")
	}
	b := newMemBackend()
	// The uids are those of RFC 1939 section 7 (UIDL).
	b.add("mrose", "tanstaaf",
		memMessage{uid: "whqtswO00WBw418f9t5JxYwZ", body: rfcMessage1},
		memMessage{uid: "QhdPYR:00WBw1Ph7x7", body: rfcMessage2})
	b.add("yom", "password", numbered("yom",
		"From: root@g3.lab.test\r\nTo: yom@g3.lab.test\r\nSubject: welcome\r\n\r\n"+
			"Welcome to the e-mail server exercise.\r\n")...)
	b.add("dot", "dots", numbered("dot",
		"Subject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\nmiddle . dot\r\nend\r\n",
		"",
		"Subject: no final newline\r\n\r\nthe last line has no CRLF",
		"From: a@g3.lab.test\r\nSubject: top\r\n\r\nline 1\r\nline 2\r\n.line 3 starts with a dot\r\nline 4\r\n",
		"Subject: only a header\r\n",
	)...)
	b.add("spacey", "two words")
	b.add("gone", "gone",
		memMessage{uid: "kept", body: "Subject: kept\r\n\r\nstill here\r\n"},
		memMessage{uid: "vanished", body: "Subject: vanished\r\n\r\nremoved under the session\r\n", gone: true})
	return b
}

// testServer is a Server listening on a loopback port, closed when the
// test ends.
type testServer struct {
	*pop3.Server
	be     *memBackend
	addr   string
	log    *syncBuffer
	served chan error

	once     sync.Once
	serveErr error
}

// startServer starts a server for be with the settings the lab uses, a
// fixed challenge, and whatever configure changes.
func startServer(t testing.TB, be *memBackend, configure func(*pop3.Server)) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{be: be, addr: l.Addr().String(), log: &syncBuffer{}, served: make(chan error, 1)}
	ts.Server = &pop3.Server{
		Backend:        be,
		Hostname:       "g3.lab.test",
		Implementation: "maillab",
		MaxLine:        255,
		Challenge:      func() string { return rfcChallenge },
		ErrorLog:       log.New(ts.log, "", 0),
	}
	if configure != nil {
		configure(ts.Server)
	}
	go func() { ts.served <- ts.Serve(l) }()
	t.Cleanup(func() {
		ts.Close()
		if err := ts.wait(); !errors.Is(err, pop3.ErrServerClosed) {
			t.Errorf("Serve() = %v, want %v", err, pop3.ErrServerClosed)
		}
	})
	return ts
}

// wait returns what Serve returned.
func (ts *testServer) wait() error {
	ts.once.Do(func() {
		select {
		case ts.serveErr = <-ts.served:
		case <-time.After(10 * time.Second):
			ts.serveErr = errors.New("Serve did not return within 10s")
		}
	})
	return ts.serveErr
}

// syncBuffer is a bytes.Buffer for a logger written by many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// client is the test's side of a POP3 connection.
type client struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

// dial connects to addr. Nothing the test does may take more than 10s.
func dial(t testing.TB, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// greeted connects to ts and reads the greeting.
func greeted(t testing.TB, ts *testServer) *client {
	t.Helper()
	c := dial(t, ts.addr)
	if got := c.line(); !strings.HasPrefix(got, "+OK ") {
		t.Fatalf("greeting = %q, want +OK", got)
	}
	return c
}

// loggedIn connects to ts and logs in with USER and PASS.
func loggedIn(t testing.TB, ts *testServer, user, password string) *client {
	t.Helper()
	c := greeted(t, ts)
	c.send("USER "+user, "PASS "+password)
	c.line()
	if got := c.line(); !strings.HasPrefix(got, "+OK ") {
		t.Fatalf("PASS: %q, want +OK", got)
	}
	return c
}

// send writes the lines, each with CRLF, in one write.
func (c *client) send(lines ...string) {
	c.t.Helper()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	c.write(b.String())
}

// write writes raw bytes.
func (c *client) write(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("writing %q: %v", s, err)
	}
}

// readLine reads one line of the server's and takes its CRLF off; a line
// without CRLF is an error.
func (c *client) readLine() (string, error) {
	l, err := c.r.ReadString('\n')
	if err != nil {
		if l != "" {
			return l, io.ErrUnexpectedEOF
		}
		return "", err
	}
	if !strings.HasSuffix(l, "\r\n") {
		return l, errors.New("line not ended by CRLF")
	}
	return strings.TrimSuffix(l, "\r\n"), nil
}

// line reads one line and fails the test when there is none.
func (c *client) line() string {
	c.t.Helper()
	l, err := c.readLine()
	if err != nil {
		c.t.Fatalf("reading a line: %q, %v", l, err)
	}
	return l
}

// reply reads a reply: a status line, and the lines up to "." when multi
// and the status is +OK.
func (c *client) reply(multi bool) []string {
	c.t.Helper()
	lines := []string{c.line()}
	if !multi || !strings.HasPrefix(lines[0], "+OK") {
		return lines
	}
	for {
		l := c.line()
		lines = append(lines, l)
		if l == "." {
			return lines
		}
	}
}

// do sends a command and returns the status line of its reply.
func (c *client) do(cmd string) string {
	c.t.Helper()
	c.send(cmd)
	return c.line()
}

// rest reads until the server closes the connection. A last line without
// CRLF comes back as it is.
func (c *client) rest() []string {
	c.t.Helper()
	var lines []string
	for {
		l, err := c.readLine()
		if errors.Is(err, io.EOF) {
			return lines
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return append(lines, l)
		}
		if err != nil {
			c.t.Fatalf("reading to the end: %q, %v", l, err)
		}
		lines = append(lines, l)
	}
}
