package pop3_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/pop3"
	"maillab/server/wire"
)

const (
	uid1 = "whqtswO00WBw418f9t5JxYwZ"
	uid2 = "QhdPYR:00WBw1Ph7x7"
)

// QUIT in the TRANSACTION state deletes exactly the messages still marked,
// then unlocks, then answers; then the session is closed.
func TestQuitDeletes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		commands   []string
		deleteErr  error
		wantReply  string
		wantEvents []string
		wantLeft   []string
	}{
		{
			name:       "nothing marked",
			wantReply:  "+OK maillab POP3 server signing off (2 messages left)",
			wantEvents: []string{"lock mrose", "unlock mrose", "close"},
			wantLeft:   []string{uid1, uid2},
		},
		{
			name:       "both marked",
			commands:   []string{"DELE 2", "DELE 1"},
			wantReply:  "+OK maillab POP3 server signing off (maildrop empty)",
			wantEvents: []string{"lock mrose", "delete mrose " + uid1 + " " + uid2, "unlock mrose", "close"},
		},
		{
			name:       "RSET forgets earlier marks",
			commands:   []string{"DELE 1", "RSET", "DELE 2"},
			wantReply:  "+OK maillab POP3 server signing off (1 message left)",
			wantEvents: []string{"lock mrose", "delete mrose " + uid2, "unlock mrose", "close"},
			wantLeft:   []string{uid1},
		},
		{
			name:       "delete fails",
			commands:   []string{"DELE 1"},
			deleteErr:  errors.New("disk full"),
			wantReply:  "-ERR [SYS/TEMP] some deleted messages not removed",
			wantEvents: []string{"lock mrose", "delete mrose " + uid1, "unlock mrose", "close"},
			wantLeft:   []string{uid1, uid2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			be := newFixture()
			be.deleteErr = tt.deleteErr
			ts := startServer(t, be, nil)
			c := loggedIn(t, ts, "mrose", "tanstaaf")
			for _, cmd := range tt.commands {
				if got := c.do(cmd); !strings.HasPrefix(got, "+OK") {
					t.Fatalf("%s: %q", cmd, got)
				}
			}
			c.send("QUIT")
			// The server closes the connection only after unlocking and
			// closing the session, so no waiting is needed after EOF.
			got := c.rest()
			if diff := cmp.Diff([]string{tt.wantReply}, got); diff != "" {
				t.Errorf("reply to QUIT (-want +got):\n%s", diff)
			}
			s := be.waitSession(t)
			if diff := cmp.Diff(tt.wantEvents, s.Events()); diff != "" {
				t.Errorf("backend calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantLeft, be.uids("mrose")); diff != "" {
				t.Errorf("messages left (-want +got):\n%s", diff)
			}
		})
	}
}

// A session that ends without QUIT in the TRANSACTION state deletes
// nothing, whatever was marked, and still unlocks and closes once.
func TestDroppedSessionDeletesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		timeout   time.Duration
		end       func(c *client)
		wantLines []string // what the client reads before the connection ends
	}{
		{
			name: "client hangs up",
			end:  func(c *client) { c.nc.Close() },
		},
		{
			name: "client hangs up in the middle of QUIT",
			end:  func(c *client) { c.write("QUI"); c.nc.Close() },
		},
		{
			name: "client stops sending",
			end: func(c *client) {
				c.write("QUIT")
				c.nc.(*net.TCPConn).CloseWrite()
			},
		},
		{
			name:      "idle timeout",
			timeout:   100 * time.Millisecond,
			end:       func(c *client) {},
			wantLines: []string{"-ERR autologout: idle for too long"},
		},
		{
			name:      "idle timeout in the middle of a line",
			timeout:   100 * time.Millisecond,
			end:       func(c *client) { c.write("QUI") },
			wantLines: []string{"-ERR autologout: idle for too long"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			be := newFixture()
			ts := startServer(t, be, func(s *pop3.Server) { s.IdleTimeout = tt.timeout })
			c := loggedIn(t, ts, "mrose", "tanstaaf")
			if got := c.do("DELE 1"); got != "+OK message 1 deleted" {
				t.Fatalf("DELE 1: %q", got)
			}
			tt.end(c)
			if tt.wantLines != nil {
				if diff := cmp.Diff(tt.wantLines, c.rest()); diff != "" {
					t.Errorf("last words (-want +got):\n%s", diff)
				}
			}
			s := be.waitSession(t)
			want := []string{"lock mrose", "unlock mrose", "close"}
			if diff := cmp.Diff(want, s.Events()); diff != "" {
				t.Errorf("backend calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{uid1, uid2}, be.uids("mrose")); diff != "" {
				t.Errorf("messages left (-want +got):\n%s", diff)
			}
		})
	}
}

// The idle timer starts again for every command.
func TestIdleTimeoutIsPerCommand(t *testing.T) {
	t.Parallel()
	be := newFixture()
	ts := startServer(t, be, func(s *pop3.Server) { s.IdleTimeout = time.Minute })
	c := loggedIn(t, ts, "mrose", "tanstaaf")
	for range 3 {
		if got := c.do("NOOP"); got != "+OK" {
			t.Fatalf("NOOP: %q", got)
		}
	}
	if got := c.do("QUIT"); !strings.HasPrefix(got, "+OK") {
		t.Errorf("QUIT: %q", got)
	}
}

// The maildrop is locked exclusively (RFC 1939 section 8); a second login
// to it fails with [IN-USE] until the first session has ended.
func TestMaildropInUse(t *testing.T) {
	t.Parallel()
	be := newFixture()
	ts := startServer(t, be, nil)
	first := loggedIn(t, ts, "mrose", "tanstaaf")

	second := greeted(t, ts)
	second.send("USER mrose", "PASS tanstaaf", "APOP mrose c4c9334bac560ecc979e58001b3e22fb")
	got := []string{second.line(), second.line(), second.line()}
	want := []string{
		"+OK password required for mrose",
		"-ERR [IN-USE] maildrop already locked by another session",
		"-ERR [IN-USE] maildrop already locked by another session",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second login (-want +got):\n%s", diff)
	}

	first.send("QUIT")
	first.rest()
	be.waitSession(t)
	second.send("USER mrose", "PASS tanstaaf")
	second.line()
	if got := second.line(); got != "+OK mrose's maildrop has 2 messages (320 octets)" {
		t.Errorf("login after the first session ended: %q", got)
	}
}

// Every connection is greeted with a challenge of its own, in the form
// <pid.clock@host>, and the backend gets the same challenge.
func TestChallengesAreUnique(t *testing.T) {
	t.Parallel()
	be := newFixture()
	ts := startServer(t, be, func(s *pop3.Server) { s.Challenge = nil })
	format := regexp.MustCompile(`^<(\d+)\.\d+@g3\.lab\.test>$`)

	const conns = 200
	greetings := make(chan string, conns)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range conns / 10 {
				g, err := greetAndQuit(ts.addr)
				if err != nil {
					t.Error(err)
					return
				}
				greetings <- g
			}
		})
	}
	wg.Wait()
	close(greetings)
	if t.Failed() {
		return
	}

	seen := make(map[string]bool)
	for g := range greetings {
		challenge, ok := strings.CutPrefix(g, "+OK maillab POP3 server ready ")
		m := format.FindStringSubmatch(challenge)
		if !ok || m == nil {
			t.Errorf("greeting %q: want \"+OK maillab POP3 server ready <pid.clock@g3.lab.test>\"", g)
			continue
		}
		if m[1] != fmt.Sprint(os.Getpid()) {
			t.Errorf("challenge %s: pid is not %d", challenge, os.Getpid())
		}
		if seen[challenge] {
			t.Errorf("challenge %s given twice", challenge)
		}
		seen[challenge] = true
	}
	for range conns {
		s := be.waitSession(t)
		if !seen[s.info.Challenge] {
			t.Errorf("backend got challenge %q, not in any greeting", s.info.Challenge)
		}
	}
}

// greetAndQuit connects to addr, reads the greeting, says QUIT and waits
// for the server to close the connection.
func greetAndQuit(addr string) (string, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(nc)
	greeting, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if _, err := io.WriteString(nc, "QUIT\r\n"); err != nil {
		return "", err
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return "", err
	}
	return strings.TrimSuffix(greeting, "\r\n"), nil
}

// Without a Hostname the challenge names the machine.
func TestChallengeDefaultHost(t *testing.T) {
	t.Parallel()
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	ts := startServer(t, newFixture(), func(s *pop3.Server) { s.Challenge, s.Hostname = nil, "" })
	c := dial(t, ts.addr)
	format := regexp.MustCompile(`^\+OK maillab POP3 server ready <\d+\.\d+@` + regexp.QuoteMeta(host) + `>$`)
	if g := c.line(); !format.MatchString(g) {
		t.Errorf("greeting %q does not match %s", g, format)
	}
}

// A Tracer sees every command line with secrets replaced, the first line of
// every reply, and the messages retrieved, and never a password or digest.
func TestTracerSeesNoSecrets(t *testing.T) {
	t.Parallel()
	be := newFixture()
	ts := startServer(t, be, nil)
	c := dial(t, ts.addr)
	c.line()
	digest := "c4c9334bac560ecc979e58001b3e22fb"
	secrets := []string{"tanstaaf", "wrongsecret", digest, "0123456789abcdef0123456789abcdef", "hunter2", "two words"}
	lines := []string{
		"user mrose",
		"pass wrongsecret",
		"APOP mrose 0123456789abcdef0123456789abcdef",
		"apop " + digest,
		"USER mrose hunter2",
		"PASS",
		"USER spacey",
		"pass   two words  ",
		"QUIT",
	}
	for _, l := range lines {
		c.send(l)
		c.line()
	}
	c.rest()

	c = dial(t, ts.addr)
	c.line()
	c.send("APOP mrose "+digest, "RETR 2", "TOP 1 1", "QUIT")
	c.rest()

	first, second := be.waitSession(t), be.waitSession(t)
	if first.info.Challenge != rfcChallenge || second.info.Challenge != rfcChallenge {
		t.Fatalf("sessions not as expected")
	}
	type trace struct{ Commands, Replies, Retrieved []string }
	got := []trace{
		{first.commands, first.replies, first.retrieved},
		{second.commands, second.replies, second.retrieved},
	}
	if len(got[0].Commands) != len(lines) {
		got[0], got[1] = got[1], got[0]
	}
	want := []trace{
		{
			Commands: []string{
				"user mrose",
				"pass ****",
				"APOP mrose ****",
				"apop ****",
				"USER mrose ****",
				"PASS",
				"USER spacey",
				"pass ****",
				"QUIT",
			},
			Replies: []string{
				"+OK maillab POP3 server ready " + rfcChallenge,
				"+OK password required for mrose",
				"-ERR [AUTH] invalid user name or password",
				"-ERR [AUTH] invalid user name or digest",
				"-ERR syntax: APOP name digest",
				"-ERR syntax: USER name",
				"-ERR give USER first, then PASS",
				"+OK password required for spacey",
				"+OK spacey's maildrop has 0 messages (0 octets)",
				"+OK maillab POP3 server signing off (maildrop empty)",
			},
		},
		{
			Commands: []string{"APOP mrose ****", "RETR 2", "TOP 1 1", "QUIT"},
			Replies: []string{
				"+OK maillab POP3 server ready " + rfcChallenge,
				"+OK mrose's maildrop has 2 messages (320 octets)",
				"+OK 200 octets",
				"+OK top of message follows",
				"+OK maillab POP3 server signing off (2 messages left)",
			},
			Retrieved: []string{uid2 + " 200"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("traces (-want +got):\n%s", diff)
	}
	all := fmt.Sprint(got) + ts.log.String()
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("the trace or the log contains the secret %q", s)
		}
	}
}

// Commands sent together are all answered, in order (RFC 2449 PIPELINING),
// also to a client that ends its lines with a bare LF, and with a session
// that is not a Tracer.
func TestPipelining(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		noTracer bool
		eol      string
	}{
		{"crlf", false, "\r\n"},
		{"bare lf", false, "\n"},
		{"no tracer", true, "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			be := newFixture()
			be.noTracer = tt.noTracer
			ts := startServer(t, be, nil)
			c := dial(t, ts.addr)
			cmds := []string{"USER mrose", "PASS tanstaaf", "STAT", "LIST", "DELE 1", "UIDL", "RETR 2", "NOOP", "BOGUS", "LIST 1", "QUIT"}
			c.write(strings.Join(cmds, tt.eol) + tt.eol)
			want := []string{
				"+OK maillab POP3 server ready " + rfcChallenge,
				"+OK password required for mrose",
				"+OK mrose's maildrop has 2 messages (320 octets)",
				"+OK 2 320",
				"+OK 2 messages (320 octets)", "1 120", "2 200", ".",
				"+OK message 1 deleted",
				"+OK", "2 " + uid2, ".",
				"+OK 200 octets",
			}
			want = append(want, strings.Split(strings.TrimSuffix(rfcMessage2, "\r\n"), "\r\n")...)
			want = append(want,
				".",
				"+OK",
				"-ERR unknown command",
				"-ERR message 1 already deleted",
				"+OK maillab POP3 server signing off (1 message left)",
			)
			if diff := cmp.Diff(want, c.rest()); diff != "" {
				t.Errorf("transcript (-want +got):\n%s", diff)
			}
			s := be.waitSession(t)
			wantEvents := []string{"lock mrose", "delete mrose " + uid1, "unlock mrose", "close"}
			if diff := cmp.Diff(wantEvents, s.Events()); diff != "" {
				t.Errorf("backend calls (-want +got):\n%s", diff)
			}
		})
	}
}

// countingConn counts the writes to a connection.
type countingConn struct {
	net.Conn
	writes atomic.Int32
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// Replies to pipelined commands are written together: the server flushes
// only when it has no further command to answer.
func TestPipeliningFlushesOnce(t *testing.T) {
	t.Parallel()
	srv := &pop3.Server{Backend: newFixture(), Implementation: "maillab", MaxLine: 255, Challenge: func() string { return rfcChallenge }}
	clientSide, serverSide := net.Pipe()
	defer clientSide.Close()
	clientSide.SetDeadline(time.Now().Add(10 * time.Second))
	counted := &countingConn{Conn: serverSide}
	served := make(chan struct{})
	go func() {
		srv.ServeConn(counted)
		close(served)
	}()

	r := bufio.NewReader(clientSide)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	// net.Pipe hands the whole write to one read of the server's.
	if _, err := io.WriteString(clientSide, "USER mrose\r\nPASS tanstaaf\r\nSTAT\r\nLIST\r\nRETR 1\r\nUIDL\r\nQUIT\r\n"); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	<-served
	if !strings.HasSuffix(string(rest), "signing off (2 messages left)\r\n") {
		t.Errorf("replies end with %q", rest[max(0, len(rest)-60):])
	}
	if got := counted.writes.Load(); got != 2 {
		t.Errorf("server wrote %d times, want 2 (the greeting, then all the replies)", got)
	}
}

// Shutdown closes the connections that wait for a command, telling the
// client, deletes nothing, and makes Serve return ErrServerClosed.
func TestShutdownClosesIdleConnections(t *testing.T) {
	t.Parallel()
	be := newFixture()
	ts := startServer(t, be, nil)
	loggedIn := loggedIn(t, ts, "mrose", "tanstaaf")
	if got := loggedIn.do("DELE 1"); got != "+OK message 1 deleted" {
		t.Fatalf("DELE 1: %q", got)
	}
	greeted := greeted(t, ts)
	partial := greeted.nc // a command half typed
	io.WriteString(partial, "US")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown() = %v", err)
	}
	if err := ts.wait(); !errors.Is(err, pop3.ErrServerClosed) {
		t.Errorf("Serve() = %v, want ErrServerClosed", err)
	}
	for _, c := range []*client{loggedIn, greeted} {
		if diff := cmp.Diff([]string{"-ERR [SYS/TEMP] server shutting down"}, c.rest()); diff != "" {
			t.Errorf("last words (-want +got):\n%s", diff)
		}
	}
	var events [][]string
	for range 2 {
		events = append(events, be.waitSession(t).Events())
	}
	if len(events[0]) == 1 {
		events[0], events[1] = events[1], events[0]
	}
	want := [][]string{{"lock mrose", "unlock mrose", "close"}, {"close"}}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("backend calls (-want +got):\n%s", diff)
	}
}

// Shutdown lets a command in progress finish, here the deletions of a
// QUIT, and returns once it has.
func TestShutdownLetsQuitFinish(t *testing.T) {
	t.Parallel()
	be := newFixture()
	be.deleteGate = make(chan struct{})
	be.deleting = make(chan struct{}, 1)
	ts := startServer(t, be, nil)
	c := loggedIn(t, ts, "mrose", "tanstaaf")
	c.send("DELE 1", "QUIT")
	<-be.deleting

	shutdown := make(chan error, 1)
	go func() { shutdown <- ts.Shutdown(context.Background()) }()
	// Serve returns once Shutdown has closed the listener.
	if err := ts.wait(); !errors.Is(err, pop3.ErrServerClosed) {
		t.Errorf("Serve() = %v, want ErrServerClosed", err)
	}
	select {
	case err := <-shutdown:
		t.Errorf("Shutdown() = %v before the QUIT in progress finished", err)
	default:
	}
	close(be.deleteGate)

	want := []string{"+OK message 1 deleted", "+OK maillab POP3 server signing off (1 message left)"}
	if diff := cmp.Diff(want, c.rest()); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown() = %v", err)
	}
	wantEvents := []string{"lock mrose", "delete mrose " + uid1, "unlock mrose", "close"}
	if diff := cmp.Diff(wantEvents, be.waitSession(t).Events()); diff != "" {
		t.Errorf("backend calls (-want +got):\n%s", diff)
	}
}

// Shutdown gives up when its context is done.
func TestShutdownContext(t *testing.T) {
	t.Parallel()
	be := newFixture()
	be.deleteGate = make(chan struct{})
	be.deleting = make(chan struct{}, 1)
	ts := startServer(t, be, nil)
	c := loggedIn(t, ts, "mrose", "tanstaaf")
	c.send("DELE 1", "QUIT")
	<-be.deleting
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ts.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown() = %v, want %v", err, context.Canceled)
	}
	close(be.deleteGate)
	be.waitSession(t)
}

// Close cuts every connection at once; nothing is deleted.
func TestClose(t *testing.T) {
	t.Parallel()
	be := newFixture()
	ts := startServer(t, be, nil)
	c := loggedIn(t, ts, "mrose", "tanstaaf")
	c.do("DELE 1")
	if err := ts.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if err := ts.wait(); !errors.Is(err, pop3.ErrServerClosed) {
		t.Errorf("Serve() = %v, want ErrServerClosed", err)
	}
	c.rest()
	want := []string{"lock mrose", "unlock mrose", "close"}
	if diff := cmp.Diff(want, be.waitSession(t).Events()); diff != "" {
		t.Errorf("backend calls (-want +got):\n%s", diff)
	}

	// A closed server serves no more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Serve(l); !errors.Is(err, pop3.ErrServerClosed) {
		t.Errorf("Serve() after Close = %v, want ErrServerClosed", err)
	}
	a, b := net.Pipe()
	ts.ServeConn(a)
	if _, err := b.Read(make([]byte, 1)); err == nil {
		t.Errorf("ServeConn after Close did not close the connection")
	}
}

// A panic in the backend ends that session with -ERR [SYS/TEMP] (unless a
// multi-line reply was under way), is logged, still unlocks and closes
// once, and leaves the server serving.
func TestBackendPanic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		at         string
		commands   []string
		want       []string // everything read after the greeting
		wantEvents []string
	}{
		{
			at:   "newsession",
			want: []string{"-ERR [SYS/TEMP] internal error"},
		},
		{
			at:         "login",
			commands:   []string{"USER mrose", "PASS tanstaaf"},
			want:       []string{"+OK password required for mrose", "-ERR [SYS/TEMP] internal error"},
			wantEvents: []string{"close"},
		},
		{
			at:         "messages",
			commands:   []string{"APOP mrose c4c9334bac560ecc979e58001b3e22fb"},
			want:       []string{"-ERR [SYS/TEMP] internal error"},
			wantEvents: []string{"lock mrose", "unlock mrose", "close"},
		},
		{
			at:         "open",
			commands:   []string{"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "RETR 1"},
			want:       []string{"+OK mrose's maildrop has 2 messages (320 octets)", "-ERR [SYS/TEMP] internal error"},
			wantEvents: []string{"lock mrose", "unlock mrose", "close"},
		},
		{
			at:       "read",
			commands: []string{"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "DELE 2", "RETR 1"},
			// The reply is cut short: no -ERR inside a message.
			want: []string{
				"+OK mrose's maildrop has 2 messages (320 octets)",
				"+OK message 2 deleted",
				"+OK 120 octets",
				"From: dewey@dbc.mtview.ca.us",
				"To: mrose@dbc.mtview.ca.us",
				"Su",
			},
			wantEvents: []string{"lock mrose", "unlock mrose", "close"},
		},
		{
			at:         "delete",
			commands:   []string{"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "DELE 1", "QUIT"},
			want:       []string{"+OK mrose's maildrop has 2 messages (320 octets)", "+OK message 1 deleted", "-ERR [SYS/TEMP] internal error"},
			wantEvents: []string{"lock mrose", "unlock mrose", "close"},
		},
		{
			at:         "unlock",
			commands:   []string{"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "QUIT"},
			want:       []string{"+OK mrose's maildrop has 2 messages (320 octets)", "+OK maillab POP3 server signing off (2 messages left)"},
			wantEvents: []string{"lock mrose", "unlock mrose", "close"},
		},
		{
			at:         "close",
			commands:   []string{"QUIT"},
			want:       []string{"+OK maillab POP3 server signing off"},
			wantEvents: []string{"close"},
		},
		{
			at:         "command",
			commands:   []string{"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "NOOP", "STAT"},
			want:       []string{"+OK mrose's maildrop has 2 messages (320 octets)", "-ERR [SYS/TEMP] internal error"},
			wantEvents: []string{"lock mrose", "unlock mrose", "close"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			t.Parallel()
			be := newFixture()
			be.panicAt = tt.at
			ts := startServer(t, be, nil)
			c := dial(t, ts.addr)
			if tt.at != "newsession" {
				c.line()
			}
			c.send(tt.commands...)
			if diff := cmp.Diff(tt.want, c.rest()); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
			if tt.wantEvents != nil {
				if diff := cmp.Diff(tt.wantEvents, be.waitSession(t).Events()); diff != "" {
					t.Errorf("backend calls (-want +got):\n%s", diff)
				}
			}
			if log := ts.log.String(); !strings.Contains(log, "panic") || strings.Contains(log, "tanstaaf") {
				t.Errorf("log = %q, want a panic and no password", log)
			}

			// The panic was once only: the server goes on serving.
			c = loggedIn(t, ts, "mrose", "tanstaaf")
			if got := c.do("QUIT"); !strings.HasPrefix(got, "+OK") {
				t.Errorf("QUIT after the panic: %q", got)
			}
		})
	}
}

// The backend refusing a session, or failing a login, is a temporary
// failure of the server: [SYS/TEMP], and the session goes on.
func TestBackendErrors(t *testing.T) {
	t.Parallel()
	t.Run("new session", func(t *testing.T) {
		t.Parallel()
		be := newFixture()
		be.newSessionErr = errors.New("too many sessions")
		ts := startServer(t, be, nil)
		c := dial(t, ts.addr)
		if diff := cmp.Diff([]string{"-ERR [SYS/TEMP] service not available, try again later"}, c.rest()); diff != "" {
			t.Errorf("replies (-want +got):\n%s", diff)
		}
		if log := ts.log.String(); !strings.Contains(log, "too many sessions") {
			t.Errorf("log = %q, want the backend's error", log)
		}
	})
	t.Run("login", func(t *testing.T) {
		t.Parallel()
		be := newFixture()
		be.loginErr = errors.New("maildir unreadable")
		ts := startServer(t, be, nil)
		c := greeted(t, ts)
		c.send("USER mrose", "PASS tanstaaf", "STAT", "QUIT")
		want := []string{
			"+OK password required for mrose",
			"-ERR [SYS/TEMP] unable to open the maildrop, try again later",
			"-ERR STAT is not valid in the AUTHORIZATION state; log in first with USER and PASS, or APOP",
			"+OK maillab POP3 server signing off",
		}
		if diff := cmp.Diff(want, c.rest()); diff != "" {
			t.Errorf("replies (-want +got):\n%s", diff)
		}
		if log := ts.log.String(); !strings.Contains(log, "maildir unreadable") {
			t.Errorf("log = %q, want the backend's error", log)
		}
		if diff := cmp.Diff([]string{"close"}, be.waitSession(t).Events()); diff != "" {
			t.Errorf("backend calls (-want +got):\n%s", diff)
		}
	})
}

// After MaxErrors bad commands in a row, or MaxErrors failed logins, the
// server says so and closes the connection.
func TestMaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		commands []string
		want     []string
	}{
		{
			name:     "unknown commands",
			commands: []string{"FOO", "BAR", "BAZ", "NOOP"},
			want:     []string{"-ERR unknown command", "-ERR unknown command", "-ERR too many errors"},
		},
		{
			name:     "a good command starts the count again",
			commands: []string{"FOO", "BAR", "USER mrose", "FOO", "BAR", "QUIT"},
			want: []string{
				"-ERR unknown command", "-ERR unknown command",
				"+OK password required for mrose",
				"-ERR unknown command", "-ERR unknown command",
				"+OK maillab POP3 server signing off",
			},
		},
		{
			name:     "failed logins, even with USER between them",
			commands: []string{"USER mrose", "PASS a", "USER mrose", "PASS b", "USER mrose", "PASS c", "USER mrose"},
			want: []string{
				"+OK password required for mrose", "-ERR [AUTH] invalid user name or password",
				"+OK password required for mrose", "-ERR [AUTH] invalid user name or password",
				"+OK password required for mrose", "-ERR too many errors",
			},
		},
		{
			name:     "bad lines",
			commands: []string{"", "NOOP\x00", strings.Repeat("x", 300)},
			want:     []string{"-ERR empty command", "-ERR NUL byte in command", "-ERR too many errors"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, newFixture(), func(s *pop3.Server) { s.MaxErrors = 3 })
			c := greeted(t, ts)
			c.send(tt.commands...)
			if diff := cmp.Diff(tt.want, c.rest()); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
		})
	}
}

// A big message comes out whole: byte-stuffed on the wire, the same after
// unstuffing, with the size announced by +OK.
func TestRetrieveBigMessage(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("Subject: big\r\n\r\n")
	for i := 0; b.Len() < 1<<20; i++ {
		switch i % 5 {
		case 0:
			b.WriteString(".\r\n")
		case 1:
			b.WriteString("..two dots\r\n")
		case 2:
			b.WriteString(strings.Repeat("long line ", 90) + "\r\n")
		default:
			fmt.Fprintf(&b, "line %d\r\n", i)
		}
	}
	msg := b.String()
	be := newFixture()
	be.add("big", "big", numbered("big", msg)...)
	ts := startServer(t, be, nil)
	c := loggedIn(t, ts, "big", "big")
	c.send("RETR 1")
	if got, want := c.line(), fmt.Sprintf("+OK %d octets", len(msg)); got != want {
		t.Fatalf("RETR 1: %q, want %q", got, want)
	}
	got, err := io.ReadAll(wire.NewDataReader(wire.NewReader(c.r, 0), 0))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != msg {
		t.Errorf("message of %d octets came back as %d octets, different", len(msg), len(got))
	}
	if got := c.do("QUIT"); !strings.HasPrefix(got, "+OK") {
		t.Errorf("QUIT: %q", got)
	}
	if diff := cmp.Diff([]string{"big-1 " + fmt.Sprint(len(msg))}, be.waitSession(t).retrieved); diff != "" {
		t.Errorf("retrieved (-want +got):\n%s", diff)
	}
}
