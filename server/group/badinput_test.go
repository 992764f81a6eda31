package group_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/group"
	"maillab/server/journal"
)

// A step of a bad-input case: what the client sends (raw: no CRLF is
// added), and the reply lines it then reads. want is the last of them,
// exactly; at, when set, names other lines by their index. closed means
// the server must then close the connection.
type step struct {
	send    string
	replies int // reply lines to read; 0 means 1
	want    string
	at      map[int]string
	prefix  string // the last reply begins with this (when want is unset)
	closed  bool
}

type badCase struct {
	name  string
	proto string // "pop3" or "smtp"
	steps []step
}

// login logs in as one of the test's users: each case that logs in has a
// maildrop of its own, since a maildrop is locked by one session at a time.
func login(user string) step {
	return step{send: "USER " + user + "\r\nPASS tanstaaf\r\n", replies: 2, prefix: "+OK " + user + "'s maildrop has 1 message"}
}

const (
	smtpIntro = "HELO client.example\r\nMAIL FROM:<alice@g1.lab.test>\r\n"
)

var badInputs = []badCase{
	// POP3
	{"pop3 over-long line", "pop3", []step{{send: strings.Repeat("a", 300) + "\r\n", want: "-ERR line too long"}}},
	{"pop3 NUL byte", "pop3", []step{{send: "NOOP\x00\r\n", want: "-ERR NUL byte in command"}}},
	{"pop3 control character", "pop3", []step{{send: "user yom\b\b\b\r\n", want: "-ERR control character in command"}}},
	{"pop3 8-bit user name", "pop3", []step{{send: "USER \xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6\r\nPASS x\r\n", replies: 2, want: "-ERR [AUTH] invalid user name or password"}}},
	{"pop3 bare LF", "pop3", []step{{send: "user yom\n", want: "+OK password required for yom"}}},
	{"pop3 empty line", "pop3", []step{{send: "\r\n", want: "-ERR empty command"}}},
	{"pop3 unknown command", "pop3", []step{{send: "HELO g3.lab.test\r\n", want: "-ERR unknown command"}}},
	{"pop3 STAT before login", "pop3", []step{{send: "STAT\r\n", want: "-ERR STAT is not valid in the AUTHORIZATION state; log in first with USER and PASS, or APOP"}}},
	{"pop3 RETR before login", "pop3", []step{{send: "RETR 1\r\n", want: "-ERR RETR is not valid in the AUTHORIZATION state; log in first with USER and PASS, or APOP"}}},
	{"pop3 PASS without USER", "pop3", []step{{send: "PASS tanstaaf\r\n", want: "-ERR give USER first, then PASS"}}},
	{"pop3 USER after login", "pop3", []step{login("b1"), {send: "USER hana\r\n", want: "-ERR USER is not valid in the TRANSACTION state; already logged in"}}},
	{"pop3 APOP malformed digest", "pop3", []step{{send: "APOP yom xyz\r\n", want: "-ERR [AUTH] invalid user name or digest"}}},
	{"pop3 APOP without digest", "pop3", []step{{send: "APOP yom\r\n", want: "-ERR syntax: APOP name digest"}}},
	{"pop3 APOP of a user escaping the folder", "pop3", []step{{send: "APOP ../../etc c4c9334bac560ecc979e58001b3e22fb\r\n", want: "-ERR [AUTH] invalid user name or digest"}}},
	{"pop3 USER escaping the folder", "pop3", []step{{send: "USER ../../etc/passwd\r\nPASS x\r\n", replies: 2, want: "-ERR [AUTH] invalid user name or password"}}},
	{"pop3 RETR 0", "pop3", []step{login("b2"), {send: "RETR 0\r\n", want: "-ERR no such message"}}},
	{"pop3 RETR not a number", "pop3", []step{login("b3"), {send: "RETR one\r\n", want: "-ERR no such message"}}},
	{"pop3 RETR past the end", "pop3", []step{login("b4"), {send: "RETR 99999999999999999999\r\n", want: "-ERR no such message"}}},
	{"pop3 DELE twice", "pop3", []step{login("b5"), {send: "DELE 1\r\nDELE 1\r\n", replies: 2, want: "-ERR message 1 already deleted"}}},
	{"pop3 TOP without arguments", "pop3", []step{login("b6"), {send: "TOP\r\n", want: "-ERR syntax: TOP message lines"}}},
	{"pop3 silent client", "pop3", []step{{send: "", want: "-ERR autologout: idle for too long", closed: true}}},
	{"pop3 half a line, then nothing", "pop3", []step{{send: "USER yo", want: "-ERR autologout: idle for too long", closed: true}}},
	{"pop3 too many errors", "pop3", []step{{send: strings.Repeat("BOGUS\r\n", 20), replies: 20, at: map[int]string{18: "-ERR unknown command"}, want: "-ERR too many errors", closed: true}}},
	// SMTP
	{"smtp over-long command line", "smtp", []step{{send: "HELO " + strings.Repeat("a", 600) + "\r\n", want: "500 5.5.2 Line too long"}}},
	{"smtp NUL byte", "smtp", []step{{send: "HELO a\x00b\r\n", want: "500 5.5.2 NUL character in command line"}}},
	{"smtp 8-bit address", "smtp", []step{{send: "HELO x\r\nMAIL FROM:<\xe3\x82\x86\xe3\x81\x8a\xe3\x82\x80@g1.lab.test>\r\n", replies: 2, want: "501 5.1.7 Bad sender address syntax"}}},
	{"smtp bare LF commands", "smtp", []step{{send: "HELO client.example\nMAIL FROM:<a@b.example>\n", replies: 2, want: "250 2.1.0 Ok"}}},
	{"smtp RCPT before MAIL", "smtp", []step{{send: "HELO x\r\nRCPT TO:<yom@g3.lab.test>\r\n", replies: 2, want: "503 5.5.1 Need MAIL before RCPT"}}},
	{"smtp DATA before RCPT", "smtp", []step{{send: smtpIntro + "DATA\r\n", replies: 3, want: "503 5.5.1 Need RCPT before DATA (no recipient was accepted)"}}},
	{"smtp MAIL before HELO", "smtp", []step{{send: "MAIL FROM:<a@b.example>\r\n", want: "503 5.5.1 Send HELO or EHLO first"}}},
	{"smtp address without brackets", "smtp", []step{{send: "HELO x\r\nMAIL FROM:alice@g1.lab.test\r\n", replies: 2, want: "501 5.5.4 Syntax: MAIL FROM:<address> (the address must be in angle brackets <>)"}}},
	{"smtp nested MAIL", "smtp", []step{{send: smtpIntro + "MAIL FROM:<b@c.example>\r\n", replies: 3, want: "503 5.5.1 Nested MAIL command (one sender per message; RSET starts over)"}}},
	{"smtp unknown user", "smtp", []step{{send: smtpIntro + "RCPT TO:<nobody@g3.lab.test>\r\n", replies: 3, want: "550 5.1.1 <nobody@g3.lab.test>: Recipient address rejected: User unknown in local recipient table"}}},
	{"smtp quoted local part", "smtp", []step{{send: smtpIntro + "RCPT TO:<\"yom\"@g3.lab.test>\r\n", replies: 3, want: "250 2.1.5 Ok"}}},
	{"smtp user escaping the folder", "smtp", []step{{send: smtpIntro + "RCPT TO:<../../etc@g3.lab.test>\r\n", replies: 3, want: "501 5.1.3 Bad recipient address syntax"}}},
	{"smtp relay outside", "smtp", []step{{send: smtpIntro + "RCPT TO:<x@outside.example>\r\n", replies: 3, want: "554 5.7.1 <x@outside.example>: Relay access denied"}}},
	{"smtp SIZE too big", "smtp", []step{{send: "HELO x\r\nMAIL FROM:<a@b.example> SIZE=99999999\r\n", replies: 2, want: "552 5.3.4 Message size exceeds fixed maximum message size"}}},
	{"smtp huge DATA", "smtp", []step{{send: smtpIntro + "RCPT TO:<yom@g3.lab.test>\r\nDATA\r\n", replies: 4, want: "354 End data with <CR><LF>.<CR><LF>"},
		{send: strings.Repeat(strings.Repeat("x", 998)+"\r\n", 100) + ".\r\n", want: "552 5.3.4 Message size exceeds fixed maximum message size"}}},
	{"smtp text line over 1000 octets", "smtp", []step{{send: smtpIntro + "RCPT TO:<yom@g3.lab.test>\r\nDATA\r\n", replies: 4},
		{send: "Subject: long\r\n\r\n" + strings.Repeat("y", 1200) + "\r\n.\r\n", want: "554 5.6.0 Line too long: a message line may have at most 1000 octets, CRLF included"}}},
	{"smtp 1000 RCPTs", "smtp", []step{{send: smtpIntro + strings.Repeat("RCPT TO:<yom@g3.lab.test>\r\n", 1000), replies: 1002,
		at: map[int]string{101: "250 2.1.5 Ok", 102: "452 4.5.3 Too many recipients"}, want: "452 4.5.3 Too many recipients"}}},
	{"smtp silent client", "smtp", []step{{send: "", want: "421 4.4.2 g3.lab.test Error: timeout exceeded", closed: true}}},
	{"smtp half a line, then nothing", "smtp", []step{{send: "HELO cli", want: "421 4.4.2 g3.lab.test Error: timeout exceeded", closed: true}}},
	{"smtp DATA never ended", "smtp", []step{{send: smtpIntro + "RCPT TO:<yom@g3.lab.test>\r\nDATA\r\nSubject: x\r\n\r\nno end\r\n", replies: 4, want: "354 End data with <CR><LF>.<CR><LF>"},
		{send: "", want: "421 4.4.2 g3.lab.test Error: timeout exceeded", closed: true}}},
	{"smtp too many errors", "smtp", []step{{send: strings.Repeat("BOGUS\r\n", 20), replies: 21, at: map[int]string{19: "500 5.5.2 Command not recognized"}, want: "421 4.7.0 Too many errors", closed: true}}},
	{"smtp VRFY tells nothing", "smtp", []step{{send: "VRFY root\r\n", want: "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery"}}},
}

// TestBadInput sends each kind of bad input and checks the exact reply,
// while a second client, from another address, is served normally.
func TestBadInput(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0", Limits: group.Limits{
		POP3Idle: 400 * time.Millisecond, SMTPIdle: 400 * time.Millisecond, MessageBytes: 64 << 10, LoginDelay: time.Millisecond,
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"yom", "b1", "b2", "b3", "b4", "b5", "b6", "b7"} {
		data.AddUser(u, "tanstaaf", srv.Journal())
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := srv.POP3Addr()
			if tc.proto == "smtp" {
				addr = srv.SMTPAddr()
			}
			c, err := net.Dial("tcp", addr.String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			r := bufio.NewReader(c)
			readLine(t, r) // greeting
			for i, st := range tc.steps {
				if st.send != "" {
					if _, err := c.Write([]byte(st.send)); err != nil {
						t.Fatal(err)
					}
				}
				if i == len(tc.steps)-1 {
					secondClient(t, tc.proto, addr)
				}
				n := max(st.replies, 1)
				var got []string
				for len(got) < n {
					l := readLine(t, r)
					if tc.proto == "smtp" && len(l) > 3 && l[3] == '-' {
						continue // a line of a multi-line reply
					}
					got = append(got, l)
				}
				if st.want != "" && got[n-1] != st.want {
					t.Errorf("step %d: reply %q, want %q", i, got[n-1], st.want)
				}
				if st.prefix != "" && !strings.HasPrefix(got[n-1], st.prefix) {
					t.Errorf("step %d: reply %q, want it to begin with %q", i, got[n-1], st.prefix)
				}
				for at, want := range st.at {
					if got[at] != want {
						t.Errorf("step %d: reply %d is %q, want %q", i, at, got[at], want)
					}
				}
				if st.closed {
					c.SetReadDeadline(time.Now().Add(5 * time.Second))
					if l, err := r.ReadString('\n'); err == nil {
						t.Errorf("step %d: connection still open, got %q", i, l)
					}
				}
			}
		})
	}
}

// secondClient runs a normal session from another address and fails the
// test if it is not served as usual.
func secondClient(t *testing.T, proto string, addr net.Addr) {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	c, err := d.Dial("tcp", addr.String())
	if err != nil {
		t.Fatalf("second client: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	readLine(t, r)
	var session []string
	var want []string
	if proto == "pop3" {
		session = []string{"CAPA", "QUIT"}
		want = []string{"+OK capability list follows", "+OK maillab POP3 server signing off"}
	} else {
		session = []string{"EHLO second.example", "NOOP", "QUIT"}
		want = []string{"250 HELP", "250 2.0.0 Ok", "221 2.0.0 Bye"}
	}
	for i, l := range session {
		got := say(t, c, r, l)
		if proto == "pop3" && l == "CAPA" {
			for got != "." {
				got = readLine(t, r)
			}
			got = want[i]
		}
		if got != want[i] {
			t.Errorf("second client: %s → %q, want %q", l, got, want[i])
		}
	}
}

// A flood of connections from one host is refused beyond the limit, with a
// reply that says why, while another host is served.
func TestConnectionFlood(t *testing.T) {
	t.Parallel()
	data, _ := group.OpenData(t.TempDir(), 3, "")
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0", Limits: group.Limits{ConnsPerHost: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	for _, tc := range []struct {
		proto string
		addr  net.Addr
		want  string
	}{
		{"smtp", srv.SMTPAddr(), "421 4.7.0 g3.lab.test Error: too many connections from your host"},
		{"pop3", srv.POP3Addr(), "-ERR [SYS/TEMP] too many connections, try again later"},
	} {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
		for i := 0; i < 4; i++ {
			c, err := d.Dial("tcp", tc.addr.String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			readLine(t, bufio.NewReader(c)) // greeted: being served
		}
		c, err := d.Dial("tcp", tc.addr.String())
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(c)
		if got := readLine(t, r); got != tc.want {
			t.Errorf("%s: 5th connection got %q, want %q", tc.proto, got, tc.want)
		}
		if _, err := r.ReadString('\n'); err == nil {
			t.Errorf("%s: 5th connection left open", tc.proto)
		}
		c.Close()
		secondClient(t, tc.proto, tc.addr)
	}
}

// A student whose telnet was cut off logs in again at once: the login
// waits for the server to notice the old connection's end instead of
// answering [IN-USE]. A message removed under a live session (by a mail
// reader on the Maildir) is a plain -ERR, not [SYS/TEMP].
func TestLoginAfterDroppedSessionAndVanishedMessage(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	deliver(t, s.data, "yom", "Subject: two\r\n\r\nx\r\n")
	a, ar := dial(t, s.srv.POP3Addr())
	say(t, a, ar, "USER yom")
	if got := say(t, a, ar, "PASS tanstaaf"); !strings.HasPrefix(got, "+OK yom's maildrop has 2 messages") {
		t.Fatalf("first login: %q", got)
	}
	b, br := dial(t, s.srv.POP3Addr())
	say(t, b, br, "USER yom")
	if _, err := b.Write([]byte("PASS tanstaaf\r\n")); err != nil {
		t.Fatal(err)
	}
	// the second login is under way, and finds the maildrop locked, when
	// the first connection drops (without QUIT)
	time.Sleep(200 * time.Millisecond)
	a.Close()
	var got []string
	got = append(got, readLine(t, br))
	list, err := s.data.Mailbox("yom").List()
	if err != nil || len(list) != 2 {
		t.Fatalf("mailbox: %v %v", list, err)
	}
	if err := os.Remove(filepath.Join(string(s.data.Mailbox("yom")), list[1].Name)); err != nil {
		t.Fatal(err)
	}
	got = append(got, say(t, b, br, "RETR 2"), say(t, b, br, "QUIT"))
	want := []string{
		got[0], // checked below: the octets vary
		"-ERR message removed since the maildrop was locked (by another program)",
		"+OK maillab POP3 server signing off (2 messages left)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got[0], "+OK yom's maildrop has 2 messages") {
		t.Errorf("login right after a dropped session: %q", got[0])
	}
}

// Password guessing is capped per name whatever the parallelism: 200
// connections from 20 addresses, each guessing yom's password up to 5
// times, get 5 guesses checked in all (the name's tries; no try comes
// back within the run, LoginDelay being an hour), every other login is
// refused unchecked and its session ended, and no connection is left
// waiting.
func TestGuessingIsCapped(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0",
		Limits: group.Limits{LoginDelay: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	data.AddUser("yom", "tanstaaf", srv.Journal())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())

	const conns, perConn, sources = 200, 5, 20
	var wg sync.WaitGroup
	replies := make(chan string, conns*perConn)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{Timeout: 10 * time.Second}
			// 127.0.0.2 … 127.0.0.21 where the system has them (Linux);
			// else all from 127.0.0.1, which the name's cap holds for too
			d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%sources))}
			c, err := d.Dial("tcp", srv.POP3Addr().String())
			if err != nil {
				d.LocalAddr = nil
				if c, err = d.Dial("tcp", srv.POP3Addr().String()); err != nil {
					t.Error(err)
					return
				}
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			r := bufio.NewReader(c)
			if _, err := r.ReadString('\n'); err != nil {
				t.Error(err)
				return
			}
			for j := range perConn {
				fmt.Fprintf(c, "USER yom\r\nPASS guess-%d-%d\r\n", i, j)
				r.ReadString('\n')
				reply, err := r.ReadString('\n')
				if err != nil {
					return // the server ended the session
				}
				replies <- strings.TrimSpace(reply)
			}
		}()
	}
	wg.Wait()
	close(replies)
	count := map[string]int{}
	for r := range replies {
		count[r]++
	}
	checked := 0
	for _, e := range events(t, data, journal.Login) {
		if e.Reason == "wrong-password" {
			checked++
		}
	}
	if checked != 5 || count["-ERR [AUTH] invalid user name or password"] != 5 {
		t.Errorf("%d guesses checked (%v), want 5", checked, count)
	}
	if n := count["-ERR [AUTH] too many failed logins; wait a minute, then try again"]; n < conns-5 {
		t.Errorf("%d logins refused, want %d at least (%v)", n, conns-5, count)
	}
}
