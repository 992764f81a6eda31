package smtp_test

import (
	"bufio"
	"bytes"
	"errors"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/server/smtp"
)

// safety is how long a test waits for something that should happen at
// once before it gives up; it keeps a broken server from hanging the tests
// and is never a measure of speed.
const safety = 20 * time.Second

// syncBuffer is a log destination that tests can read while the server
// writes to it.
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

// testServer is a running server and what it logs.
type testServer struct {
	srv      *smtp.Server
	addr     string
	log      *syncBuffer
	served   chan struct{} // closed when Serve has returned
	serveErr error
}

// serveResult waits for Serve to return and returns its error.
func (ts *testServer) serveResult(t *testing.T) error {
	t.Helper()
	select {
	case <-ts.served:
		return ts.serveErr
	case <-time.After(safety):
		t.Fatal("Serve did not return")
		return nil
	}
}

// newServer returns a group 1 server with the limits a group server uses;
// configure may change them before it starts. The server is closed when the
// test ends.
func newServer(t *testing.T, b smtp.Backend, configure ...func(*smtp.Server)) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{addr: l.Addr().String(), log: new(syncBuffer), served: make(chan struct{})}
	ts.srv = &smtp.Server{
		Backend:         b,
		Hostname:        "g1.lab.test",
		MaxLine:         512,
		MaxTextLine:     1000,
		MaxMessageBytes: 10 << 20,
		MaxRecipients:   100,
		IdleTimeout:     safety,
		MaxErrors:       10,
		ErrorLog:        log.New(ts.log, "", 0),
	}
	for _, f := range configure {
		f(ts.srv)
	}
	go func() {
		ts.serveErr = ts.srv.Serve(l)
		close(ts.served)
	}()
	t.Cleanup(func() {
		ts.srv.Close()
		if err := ts.serveResult(t); !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("Serve() = %v, want %v", err, smtp.ErrServerClosed)
		}
	})
	return ts
}

// client is the test's side of an SMTP conversation, speaking raw lines.
type client struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(safety))
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// greeted dials and reads the greeting.
func greeted(t *testing.T, addr string) *client {
	t.Helper()
	c := dial(t, addr)
	c.expect("220 g1.lab.test ESMTP maillab")
	return c
}

// helloed dials, reads the greeting and says EHLO.
func helloed(t *testing.T, addr string) *client {
	t.Helper()
	c := greeted(t, addr)
	c.send("EHLO client.g1.lab.test")
	c.readReply()
	return c
}

// write sends s as it is.
func (c *client) write(s string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// send sends each line with CRLF, all in one write.
func (c *client) send(lines ...string) {
	c.t.Helper()
	c.write(strings.Join(lines, "\r\n") + "\r\n")
}

// readLine reads one line without its CRLF.
func (c *client) readLine() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return line, err
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

// readReply reads one reply, all its lines.
func (c *client) readReply() []string {
	c.t.Helper()
	var lines []string
	for {
		line, err := c.readLine()
		if err != nil {
			c.t.Fatalf("reading a reply after %q: %v", lines, err)
		}
		lines = append(lines, line)
		if len(line) < 4 || line[3] != '-' {
			return lines
		}
	}
}

// expect reads one reply and compares it.
func (c *client) expect(want ...string) {
	c.t.Helper()
	if got := c.readReply(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		c.t.Errorf("reply = %q, want %q", got, want)
	}
}

// cmd sends one command and compares its reply.
func (c *client) cmd(line string, want ...string) {
	c.t.Helper()
	c.send(line)
	c.expect(want...)
}

// expectClosed checks that the server closes the connection with nothing
// more to say.
func (c *client) expectClosed() {
	c.t.Helper()
	var rest []string
	for {
		line, err := c.readLine()
		if err != nil {
			if line != "" {
				rest = append(rest, line)
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Errorf("the server did not close the connection")
			}
			break
		}
		rest = append(rest, line)
	}
	if len(rest) > 0 {
		c.t.Errorf("before closing, the server said %q", rest)
	}
}

// waitLogout waits until the session has ended.
func waitLogout(t *testing.T, s *fakeSession) {
	t.Helper()
	if s == nil {
		t.Fatal("no session")
	}
	select {
	case <-s.loggedOut:
	case <-time.After(safety):
		t.Fatal("Logout was not called")
	}
}

// sendMessage runs a whole transaction on a greeted client and expects it
// to be accepted.
func (c *client) sendMessage(from, to, body string) {
	c.t.Helper()
	c.cmd("MAIL FROM:<"+from+">", "250 2.1.0 Ok")
	c.cmd("RCPT TO:<"+to+">", "250 2.1.5 Ok")
	c.cmd("DATA", "354 End data with <CR><LF>.<CR><LF>")
	c.write(body + ".\r\n")
	c.expect("250 2.0.0 Ok: queued")
}
