package smtp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	stdsmtp "net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/smtp"
)

// As nc sends it: every line, commands and data, ended by a bare LF. The
// message is delivered with CRLF lines and the tracer hears of the bare LFs.
func TestBareLF(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	c := greeted(t, ts.addr)
	steps := []struct{ send, want string }{
		{"helo me\n", "250 g1.lab.test"},
		{"mail from:<yom@g1.lab.test>\n", "250 2.1.0 Ok"},
		{"rcpt to:<taro@g1.lab.test>\n", "250 2.1.5 Ok"},
		{"data\n", "354 End data with <CR><LF>.<CR><LF>"},
		{"Subject: nc\n\nsent with nc\n..dot\n.\n", "250 2.0.0 Ok: queued"},
		{"quit\n", "221 2.0.0 Bye"},
	}
	for _, st := range steps {
		c.write(st.send)
		c.expect(st.want)
	}
	c.expectClosed()
	s := b.session(0)
	waitLogout(t, s)
	want := []message{{
		From: "yom@g1.lab.test",
		To:   []string{"taro@g1.lab.test"},
		Body: "Subject: nc\r\n\r\nsent with nc\r\n.dot\r\n",
	}}
	if diff := cmp.Diff(want, s.Delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	var dataEnd []string
	for _, e := range s.Trace() {
		if strings.HasPrefix(e, "DataEnd") {
			dataEnd = append(dataEnd, e)
		}
	}
	// 4 lines of message and the final "." ended by bare LFs.
	if diff := cmp.Diff([]string{"DataEnd(35, 5)"}, dataEnd); diff != "" {
		t.Errorf("DataEnd (-want +got):\n%s", diff)
	}
}

func TestMessageTooBig(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b, func(s *smtp.Server) { s.MaxMessageBytes = 100 })
	c := greeted(t, ts.addr)
	c.cmd("EHLO client.g1.lab.test", "250-g1.lab.test", "250-PIPELINING", "250-SIZE 100",
		"250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250 HELP")
	c.cmd("MAIL FROM:<yom@g1.lab.test> SIZE=101", "552 5.3.4 Message size exceeds fixed maximum message size")
	// A client that does not declare the size finds out at the end.
	c.cmd("MAIL FROM:<yom@g1.lab.test> SIZE=100", "250 2.1.0 Ok")
	c.cmd("RCPT TO:<taro@g1.lab.test>", "250 2.1.5 Ok")
	c.cmd("DATA", "354 End data with <CR><LF>.<CR><LF>")
	c.write(strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz\r\n", 5) + ".\r\n")
	c.expect("552 5.3.4 Message size exceeds fixed maximum message size")
	// The session goes on, and a message that fits is taken.
	small := strings.Repeat("x", 98) // 98 + CRLF = the limit of 100
	c.sendMessage("yom@g1.lab.test", "taro@g1.lab.test", small+"\r\n")
	c.cmd("QUIT", "221 2.0.0 Bye")
	s := b.session(0)
	waitLogout(t, s)
	want := []message{{From: "yom@g1.lab.test", To: []string{"taro@g1.lab.test"}, Body: small + "\r\n"}}
	if diff := cmp.Diff(want, s.Delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// 1,000 recipients with a limit of 100: the first 100 are taken, the rest
// get 452 (a client sends them again in another transaction), DATA works.
func TestManyRecipients(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	c := helloed(t, ts.addr)
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
	var cmds strings.Builder
	var wantTo []string
	for i := range 1000 {
		fmt.Fprintf(&cmds, "RCPT TO:<u%d@g1.lab.test>\r\n", i)
		if i < 100 {
			wantTo = append(wantTo, fmt.Sprintf("u%d@g1.lab.test", i))
		}
	}
	// Written while the replies are read, so that neither side's socket
	// buffer can fill up with the other waiting.
	written := make(chan error, 1)
	go func() {
		_, err := c.nc.Write([]byte(cmds.String()))
		written <- err
	}()
	var got []string
	for range 1000 {
		got = append(got, c.readReply()...)
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 1000 {
		if i < 100 {
			want = append(want, "250 2.1.5 Ok")
		} else {
			want = append(want, "452 4.5.3 Too many recipients")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
	c.cmd("DATA", "354 End data with <CR><LF>.<CR><LF>")
	c.write("Subject: many\r\n\r\nhi\r\n.\r\n")
	c.expect("250 2.0.0 Ok: queued")
	c.cmd("QUIT", "221 2.0.0 Bye")
	s := b.session(0)
	waitLogout(t, s)
	want2 := []message{{From: "yom@g1.lab.test", To: wantTo, Body: "Subject: many\r\n\r\nhi\r\n"}}
	if diff := cmp.Diff(want2, s.Delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// RFC 2920: commands sent in one go are answered in order.
func TestPipelining(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	c := greeted(t, ts.addr)
	c.send("EHLO client.g1.lab.test",
		"MAIL FROM:<yom@g1.lab.test>",
		"RCPT TO:<taro@g1.lab.test>",
		"RCPT TO:<nobody@g1.lab.test>",
		"RCPT TO:<hanako@g2.lab.test>",
		"DATA")
	c.expect("250-g1.lab.test", "250-PIPELINING", "250-SIZE 10485760", "250-8BITMIME",
		"250-ENHANCEDSTATUSCODES", "250 HELP")
	c.expect("250 2.1.0 Ok")
	c.expect("250 2.1.5 Ok")
	c.expect("550 5.1.1 <nobody@g1.lab.test>: Recipient address rejected: User unknown")
	c.expect("250 2.1.5 Ok")
	c.expect("354 End data with <CR><LF>.<CR><LF>")
	c.send("Subject: piped", "", "body", ".", "RSET", "NOOP", "QUIT")
	c.expect("250 2.0.0 Ok: queued")
	c.expect("250 2.0.0 Ok")
	c.expect("250 2.0.0 Ok")
	c.expect("221 2.0.0 Bye")
	c.expectClosed()
	s := b.session(0)
	waitLogout(t, s)
	want := []message{{
		From: "yom@g1.lab.test",
		To:   []string{"taro@g1.lab.test", "hanako@g2.lab.test"},
		Body: "Subject: piped\r\n\r\nbody\r\n",
	}}
	if diff := cmp.Diff(want, s.Delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// countingConn counts the writes made to a connection.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) Writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// The replies to a pipelined group go out in one write, once no complete
// command is left to read; a reply the client waits for is never held back.
func TestPipeliningFlushesOnce(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	srv := &smtp.Server{Backend: b, Hostname: "g1.lab.test", MaxLine: 512, MaxTextLine: 1000}
	server, clientEnd := net.Pipe()
	counted := &countingConn{Conn: server}
	done := make(chan struct{})
	go func() {
		srv.ServeConn(counted)
		close(done)
	}()
	defer func() { clientEnd.Close(); <-done }()
	clientEnd.SetDeadline(time.Now().Add(safety))
	c := &client{t: t, nc: clientEnd}
	c.r = bufio.NewReader(clientEnd)
	c.expect("220 g1.lab.test ESMTP maillab")
	c.cmd("HELO me", "250 g1.lab.test")
	before := counted.Writes()
	c.send("MAIL FROM:<yom@g1.lab.test>", "RCPT TO:<taro@g1.lab.test>", "RCPT TO:<hanako@g2.lab.test>", "NOOP")
	for _, want := range []string{"250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok", "250 2.0.0 Ok"} {
		c.expect(want)
	}
	if got := counted.Writes() - before; got != 1 {
		t.Errorf("4 pipelined replies took %d writes, want 1", got)
	}
}

// A client that says nothing for IdleTimeout is told so and disconnected,
// whether it is expected to send a command or message data.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		send      string // all at once, after the greeting
		wantReply []string
		wantCalls []string
	}{
		{
			name:      "waiting for a command",
			wantCalls: []string{"Logout()"},
		},
		{
			name: "in the middle of data",
			send: "EHLO client.g1.lab.test\r\nMAIL FROM:<yom@g1.lab.test>\r\nRCPT TO:<taro@g1.lab.test>\r\nDATA\r\nSubject: slow\r\n",
			wantReply: []string{"250-g1.lab.test", "250-PIPELINING", "250-SIZE 10485760", "250-8BITMIME",
				"250-ENHANCEDSTATUSCODES", "250 HELP", "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>"},
			wantCalls: []string{
				`Hello("client.g1.lab.test", true)`,
				`Mail("yom@g1.lab.test", {Size:0 Body:})`,
				`Rcpt("taro@g1.lab.test")`,
				"Data(error: read tcp: i/o timeout)",
				"Reset()",
				"Logout()",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := new(fakeBackend)
			ts := newServer(t, b, func(s *smtp.Server) { s.IdleTimeout = 100 * time.Millisecond })
			c := greeted(t, ts.addr)
			if tt.send != "" {
				c.write(tt.send)
			}
			var got []string
			for len(got) < len(tt.wantReply) {
				got = append(got, c.readReply()...)
			}
			if diff := cmp.Diff(tt.wantReply, got); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
			c.expect("421 4.4.2 g1.lab.test Error: timeout exceeded")
			c.expectClosed()
			s := b.session(0)
			waitLogout(t, s)
			if diff := cmp.Diff(tt.wantCalls, normalizeCalls(s.Calls())); diff != "" {
				t.Errorf("backend calls (-want +got):\n%s", diff)
			}
			if len(s.Delivered()) != 0 {
				t.Errorf("delivered %v, want nothing", s.Delivered())
			}
		})
	}
}

// normalizeCalls takes the addresses out of network errors in calls.
func normalizeCalls(calls []string) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		if strings.HasPrefix(c, "Data(error: read tcp ") {
			c = "Data(error: read tcp: " + c[strings.LastIndex(c, ": ")+2:]
		}
		out[i] = c
	}
	return out
}

// A connection lost in the middle of DATA: Data sees an error, nothing is
// delivered, and the session ends with one Logout.
func TestConnectionLostInData(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	c := helloed(t, ts.addr)
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
	c.cmd("RCPT TO:<taro@g1.lab.test>", "250 2.1.5 Ok")
	c.cmd("DATA", "354 End data with <CR><LF>.<CR><LF>")
	c.write("Subject: lost\r\n\r\nhalf a mess")
	c.nc.Close()
	s := b.session(0)
	waitLogout(t, s)
	want := []string{
		`Hello("client.g1.lab.test", true)`,
		`Mail("yom@g1.lab.test", {Size:0 Body:})`,
		`Rcpt("taro@g1.lab.test")`,
		"Data(error: unexpected EOF)",
		"Reset()",
		"Logout()",
	}
	if diff := cmp.Diff(want, s.Calls()); diff != "" {
		t.Errorf("backend calls (-want +got):\n%s", diff)
	}
	if len(s.Delivered()) != 0 {
		t.Errorf("delivered %v, want nothing", s.Delivered())
	}
	if logs := ts.log.String(); logs != "" {
		t.Errorf("a lost connection is not worth a log line, got:\n%s", logs)
	}
}

// Logout is called exactly once however the session ends.
func TestLogoutOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(c *client)
	}{
		{"QUIT", func(c *client) { c.cmd("QUIT", "221 2.0.0 Bye") }},
		{"client closes", func(c *client) { c.nc.Close() }},
		{"client closes mid-line", func(c *client) { c.write("NOO"); c.nc.Close() }},
		{"too many errors", func(c *client) {
			for range 9 {
				c.cmd("FOO", "500 5.5.2 Command not recognized")
			}
			c.cmd("FOO", "500 5.5.2 Command not recognized")
			c.expect("421 4.7.0 Too many errors")
		}},
		{"panic", func(c *client) {
			c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
			c.cmd("RCPT TO:<panic@g1.lab.test>", "421 4.3.0 internal error")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := new(fakeBackend)
			ts := newServer(t, b)
			c := helloed(t, ts.addr)
			tt.end(c)
			s := b.session(0)
			waitLogout(t, s)
			ts.srv.Close() // wait for the session to be all gone
			ts.serveResult(t)
			if n := s.Logouts(); n != 1 {
				t.Errorf("Logout called %d times, want 1", n)
			}
		})
	}
}

func TestShutdownIdle(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	greetedOnly := greeted(t, ts.addr)
	c := helloed(t, ts.addr)
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")

	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown() = %v, want nil", err)
	}
	for _, cl := range []*client{greetedOnly, c} {
		cl.expect("421 4.3.2 Service shutting down")
		cl.expectClosed()
	}
	if err := ts.serveResult(t); !errors.Is(err, smtp.ErrServerClosed) {
		t.Errorf("Serve() = %v, want %v", err, smtp.ErrServerClosed)
	}
	for i := range 2 {
		if n := b.session(i).Logouts(); n != 1 {
			t.Errorf("session %d: Logout called %d times, want 1", i, n)
		}
	}
	if nc, err := net.Dial("tcp", ts.addr); err == nil {
		nc.Close()
		t.Errorf("a connection was accepted after Shutdown")
	}
	// Serving again after Shutdown is refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Serve(l); !errors.Is(err, smtp.ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v, want %v", err, smtp.ErrServerClosed)
	}
}

// A message being received when Shutdown begins is finished and
// acknowledged; then its session is told the server is shutting down.
func TestShutdownFinishesData(t *testing.T) {
	t.Parallel()
	b := &fakeBackend{dataStarted: make(chan struct{}, 1)}
	ts := newServer(t, b)
	idle := helloed(t, ts.addr)
	c := helloed(t, ts.addr)
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
	c.cmd("RCPT TO:<taro@g1.lab.test>", "250 2.1.5 Ok")
	c.cmd("DATA", "354 End data with <CR><LF>.<CR><LF>")
	c.write("Subject: in flight\r\n\r\nfirst half\r\n")
	<-b.dataStarted

	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- ts.srv.Shutdown(ctx) }()
	idle.expect("421 4.3.2 Service shutting down")
	idle.expectClosed()
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown() = %v while a message was still coming in", err)
	default:
	}

	c.write("second half\r\n.\r\n")
	c.expect("250 2.0.0 Ok: queued")
	c.expect("421 4.3.2 Service shutting down")
	c.expectClosed()
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown() = %v, want nil", err)
	}
	if err := ts.serveResult(t); !errors.Is(err, smtp.ErrServerClosed) {
		t.Errorf("Serve() = %v, want %v", err, smtp.ErrServerClosed)
	}
	var s *fakeSession
	for i := range b.numSessions() {
		if len(b.session(i).Delivered()) > 0 {
			s = b.session(i)
		}
	}
	if s == nil {
		t.Fatal("nothing delivered")
	}
	want := []message{{From: "yom@g1.lab.test", To: []string{"taro@g1.lab.test"},
		Body: "Subject: in flight\r\n\r\nfirst half\r\nsecond half\r\n"}}
	if diff := cmp.Diff(want, s.Delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// When Shutdown's time is up before the message is complete, the connection
// is closed without a 250: nothing was acknowledged, so nothing is lost.
func TestShutdownDeadlineInData(t *testing.T) {
	t.Parallel()
	b := &fakeBackend{dataStarted: make(chan struct{}, 1)}
	ts := newServer(t, b)
	c := helloed(t, ts.addr)
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
	c.cmd("RCPT TO:<taro@g1.lab.test>", "250 2.1.5 Ok")
	c.cmd("DATA", "354 End data with <CR><LF>.<CR><LF>")
	c.write("Subject: too slow\r\n\r\nfirst half\r\n")
	<-b.dataStarted

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // time is up at once
	if err := ts.srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown() = %v, want %v", err, context.Canceled)
	}
	c.expectClosed()
	s := b.session(0)
	waitLogout(t, s)
	if len(s.Delivered()) != 0 {
		t.Errorf("delivered %v, want nothing", s.Delivered())
	}
	if calls := s.Calls(); !strings.HasPrefix(calls[3], "Data(error: ") {
		t.Errorf("Data did not see an error; calls: %q", calls)
	}
	if err := ts.serveResult(t); !errors.Is(err, smtp.ErrServerClosed) {
		t.Errorf("Serve() = %v, want %v", err, smtp.ErrServerClosed)
	}
}

// A panic in the backend ends that one session with 421; the server goes
// on serving the others.
func TestPanicInBackend(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	other := helloed(t, ts.addr)
	c := helloed(t, ts.addr)
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
	c.cmd("RCPT TO:<panic@g1.lab.test>", "421 4.3.0 internal error")
	c.expectClosed()
	if logs := ts.log.String(); !strings.Contains(logs, "fake backend: panic requested") {
		t.Errorf("the panic was not logged; log:\n%s", logs)
	}
	other.sendMessage("yom@g1.lab.test", "taro@g1.lab.test", "Subject: still here\r\n\r\n")
	third := helloed(t, ts.addr)
	third.sendMessage("yom@g1.lab.test", "taro@g1.lab.test", "Subject: new connection\r\n\r\n")
}

type panicBackend struct{}

func (panicBackend) NewSession(smtp.ConnInfo) (smtp.Session, error) { panic("no sessions today") }

// NewSession's refusal replaces the greeting.
func TestNewSessionRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		backend smtp.Backend
		want    string
	}{
		{"smtp.Error", &fakeBackend{newSessionErr: &smtp.Error{Code: 554, Enhanced: "5.7.1", Message: "No SMTP service here"}},
			"554 5.7.1 No SMTP service here"},
		{"other error", &fakeBackend{newSessionErr: errors.New("journal full")},
			"421 4.3.2 Service not available, closing transmission channel"},
		{"panic", panicBackend{}, "421 4.3.0 internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, tt.backend)
			c := dial(t, ts.addr)
			c.expect(tt.want)
			c.expectClosed()
		})
	}
}

func TestMaxErrors(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b, func(s *smtp.Server) { s.MaxErrors = 3 })
	c := greeted(t, ts.addr)
	c.cmd("FOO", "500 5.5.2 Command not recognized")
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "503 5.5.1 Send HELO or EHLO first")
	c.cmd("NOOP", "250 2.0.0 Ok") // a good command: the count starts again
	c.cmd("HELO", "501 5.5.4 Syntax: HELO <your host name>")
	c.cmd("HELO me", "250 g1.lab.test")
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
	// Refusals by the backend, and 452, are not the client's mistakes.
	c.cmd("RCPT TO:<nobody@g1.lab.test>", "550 5.1.1 <nobody@g1.lab.test>: Recipient address rejected: User unknown")
	c.cmd("RCPT TO:<nobody@g1.lab.test>", "550 5.1.1 <nobody@g1.lab.test>: Recipient address rejected: User unknown")
	c.cmd("RCPT TO:<nobody@g1.lab.test>", "550 5.1.1 <nobody@g1.lab.test>: Recipient address rejected: User unknown")
	c.cmd("RCPT TO:taro@g1.lab.test", "501 5.5.4 Syntax: RCPT TO:<address> (the address must be in angle brackets <>)")
	c.cmd("BAR", "500 5.5.2 Command not recognized")
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "503 5.5.1 Nested MAIL command (one sender per message; RSET starts over)")
	c.expect("421 4.7.0 Too many errors")
	c.expectClosed()
}

func TestNULInCommand(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	c := greeted(t, ts.addr)
	c.cmd("HELO me\x00you", "500 5.5.2 NUL character in command line")
	c.cmd("HELO me", "250 g1.lab.test")
	c.cmd("QUIT", "221 2.0.0 Bye")
	s := b.session(0)
	waitLogout(t, s)
	if diff := cmp.Diff([]string{`Hello("me", false)`, "Logout()"}, s.Calls()); diff != "" {
		t.Errorf("backend calls (-want +got):\n%s", diff)
	}
}

// The tracer hears every command line as it came, every reply line, and
// the end of the data, in the order of the conversation.
func TestTracer(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	c := greeted(t, ts.addr)
	c.cmd("ehlo  me ", "250-g1.lab.test", "250-PIPELINING", "250-SIZE 10485760", "250-8BITMIME",
		"250-ENHANCEDSTATUSCODES", "250 HELP")
	c.cmd("FOO", "500 5.5.2 Command not recognized")
	c.cmd("NOOP "+strings.Repeat("x", 600), "500 5.5.2 Line too long")
	c.cmd("MAIL FROM:<yom@g1.lab.test>", "250 2.1.0 Ok")
	c.cmd("RCPT TO:<taro@g1.lab.test>", "250 2.1.5 Ok")
	c.cmd("DATA", "354 End data with <CR><LF>.<CR><LF>")
	c.write("Subject: traced\r\n\r\n..dot\nsecret body\r\n.\r\n")
	c.expect("250 2.0.0 Ok: queued")
	c.cmd("QUIT", "221 2.0.0 Bye")
	s := b.session(0)
	waitLogout(t, s)
	want := []string{
		"S: 220 g1.lab.test ESMTP maillab",
		"C: ehlo me",
		"S: 250-g1.lab.test",
		"S: 250-PIPELINING",
		"S: 250-SIZE 10485760",
		"S: 250-8BITMIME",
		"S: 250-ENHANCEDSTATUSCODES",
		"S: 250 HELP",
		"C: <unknown command, 3 bytes>",
		"S: 500 5.5.2 Command not recognized",
		// the over-long line is gone; only its reply is heard
		"S: 500 5.5.2 Line too long",
		"C: MAIL FROM:<yom@g1.lab.test>",
		"S: 250 2.1.0 Ok",
		"C: RCPT TO:<taro@g1.lab.test>",
		"S: 250 2.1.5 Ok",
		"C: DATA",
		"S: 354 End data with <CR><LF>.<CR><LF>",
		"DataEnd(38, 1)",
		"S: 250 2.0.0 Ok: queued",
		"C: QUIT",
		"S: 221 2.0.0 Bye",
	}
	if diff := cmp.Diff(want, s.Trace()); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`Hello("me", true)`}, s.Calls()[:1]); diff != "" {
		t.Errorf("Hello (-want +got):\n%s", diff)
	}
}

// A session that is not a Tracer works all the same.
func TestWithoutTracer(t *testing.T) {
	t.Parallel()
	b := &fakeBackend{noTracer: true}
	ts := newServer(t, b)
	c := helloed(t, ts.addr)
	c.sendMessage("yom@g1.lab.test", "taro@g1.lab.test", "Subject: untraced\r\n\r\n")
	c.cmd("QUIT", "221 2.0.0 Bye")
	s := b.session(0)
	waitLogout(t, s)
	if len(s.Trace()) != 0 || len(s.Delivered()) != 1 {
		t.Errorf("trace %q, delivered %v; want no trace, one message", s.Trace(), s.Delivered())
	}
}

// A real client, Go's own net/smtp, sends through the server.
func TestNetSMTPClient(t *testing.T) {
	t.Parallel()
	b := new(fakeBackend)
	ts := newServer(t, b)
	msg := "From: yom@g1.lab.test\nTo: taro@g1.lab.test\nSubject: from net/smtp\n\n.a line with a dot\nbye\n"
	err := stdsmtp.SendMail(ts.addr, nil, "yom@g1.lab.test",
		[]string{"taro@g1.lab.test", "hanako@g2.lab.test"}, []byte(msg))
	if err != nil {
		t.Fatalf("SendMail: %v", err)
	}

	// And one that is refused a recipient reads the reply as it should.
	c, err := stdsmtp.Dial(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.g1.lab.test"); err != nil {
		t.Fatal(err)
	}
	if ok, size := c.Extension("SIZE"); !ok || size != "10485760" {
		t.Errorf("Extension(SIZE) = %v, %q", ok, size)
	}
	if err := c.Mail("yom@g1.lab.test"); err != nil {
		t.Fatal(err)
	}
	var te *textproto.Error
	if err := c.Rcpt("nobody@g1.lab.test"); !errors.As(err, &te) || te.Code != 550 ||
		te.Msg != "5.1.1 <nobody@g1.lab.test>: Recipient address rejected: User unknown" {
		t.Errorf("Rcpt(nobody) = %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Errorf("Quit: %v", err)
	}

	s := b.session(0)
	waitLogout(t, s)
	want := []message{{
		From: "yom@g1.lab.test",
		To:   []string{"taro@g1.lab.test", "hanako@g2.lab.test"},
		Body: "From: yom@g1.lab.test\r\nTo: taro@g1.lab.test\r\nSubject: from net/smtp\r\n\r\n.a line with a dot\r\nbye\r\n",
	}}
	if diff := cmp.Diff(want, s.Delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if calls := s.Calls(); calls[1] != `Mail("yom@g1.lab.test", {Size:0 Body:8BITMIME})` {
		t.Errorf("MAIL as net/smtp sends it: %s", calls[1])
	}
}
