package group_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/group"
	"maillab/server/journal"
)

// dial opens a connection and reads the greeting.
func dial(t *testing.T, addr net.Addr) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	readLine(t, r)
	return c, r
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	l, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// say sends one line and returns the last line of the reply.
func say(t *testing.T, c net.Conn, r *bufio.Reader, line string) string {
	t.Helper()
	if _, err := c.Write([]byte(line + "\r\n")); err != nil {
		t.Fatal(err)
	}
	for {
		l := readLine(t, r)
		if len(l) < 4 || l[3] != '-' {
			return l
		}
	}
}

// A message in the middle of DATA when the server is told to stop is
// received to its end and acknowledged; the server then stops, and the
// message is in the mailbox.
func TestShutdownLetsDataFinish(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := data.AddUser("yom", "tanstaaf", srv.Journal()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	c, r := dial(t, srv.SMTPAddr())
	idle, idleR := dial(t, srv.SMTPAddr())
	for _, l := range []string{"HELO me", "MAIL FROM:<a@g1.lab.test>", "RCPT TO:<yom@g3.lab.test>"} {
		if got := say(t, c, r, l); !strings.HasPrefix(got, "250") {
			t.Fatalf("%s: %s", l, got)
		}
	}
	if got := say(t, c, r, "DATA"); !strings.HasPrefix(got, "354") {
		t.Fatalf("DATA: %s", got)
	}
	c.Write([]byte("Subject: in flight\r\n\r\nfirst half\r\n"))
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- srv.Shutdown(ctx)
	}()
	// the idle session is told the service is going away
	if got := readLine(t, idleR); !strings.HasPrefix(got, "421 4.3.2") {
		t.Errorf("idle session got %q, want 421 4.3.2", got)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned (%v) with a DATA in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	got := say(t, c, r, "second half\r\n.")
	if !strings.HasPrefix(got, "250 2.0.0 Ok: queued as ") {
		t.Errorf("end of data during shutdown: %q", got)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	msgs := mailbox(t, data, "yom")
	if len(msgs) != 2 || !strings.HasSuffix(msgs[1], "\nSubject: in flight\n\nfirst half\nsecond half\n") {
		t.Errorf("mailbox after shutdown: %q", msgs)
	}
	if _, err := net.DialTimeout("tcp", srv.SMTPAddr().String(), time.Second); err == nil {
		t.Error("server still accepts connections after Shutdown")
	}
	idle.Close()
}

// A second server cannot take a data folder in use.
func TestDataFolderLock(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, _ := group.OpenData(root, 4, "")
	first, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if !errors.Is(err, group.ErrLocked) {
		t.Errorf("second server on the same folder: %v, want ErrLocked", err)
	}
	first.Shutdown(context.Background())
	second, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	second.Shutdown(context.Background())
}

// The POP3 maildrop lock and DELE at QUIT, through the group's backend;
// the journal records what happened in order.
func TestPOP3LockAndDelete(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	deliver(t, s.data, "yom", "Subject: two\r\n\r\nx\r\n")
	a, ar := dial(t, s.srv.POP3Addr())
	if got := say(t, a, ar, "USER yom"); !strings.HasPrefix(got, "+OK") {
		t.Fatal(got)
	}
	list, _ := s.data.Mailbox("yom").List()
	var octets int64
	for _, m := range list {
		octets += m.Size
	}
	if got, want := say(t, a, ar, "PASS tanstaaf"), fmt.Sprintf("+OK yom's maildrop has 2 messages (%d octets)", octets); got != want {
		t.Errorf("PASS: %q, want %q", got, want)
	}
	b, br := dial(t, s.srv.POP3Addr())
	say(t, b, br, "user yom")
	if got := say(t, b, br, "pass tanstaaf"); !strings.HasPrefix(got, "-ERR [IN-USE]") {
		t.Errorf("second login: %q", got)
	}
	if got := say(t, b, br, "pass wrong"); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("PASS without USER after failure: %q", got)
	}
	say(t, a, ar, "DELE 1")
	// a dropped connection deletes nothing
	a.Close()
	waitFor(t, func() bool {
		c, r := dial(t, s.srv.POP3Addr())
		say(t, c, r, "USER yom")
		ok := strings.HasPrefix(say(t, c, r, "PASS tanstaaf"), "+OK yom's maildrop has 2 messages")
		say(t, c, r, "QUIT") // (QUIT unlocks at once; a close is noticed later)
		c.Close()
		return ok
	})
	c, r := dial(t, s.srv.POP3Addr())
	say(t, c, r, "USER yom")
	say(t, c, r, "PASS tanstaaf")
	say(t, c, r, "DELE 1")
	if got := say(t, c, r, "QUIT"); !strings.HasPrefix(got, "+OK") {
		t.Errorf("QUIT: %q", got)
	}
	msgs := mailbox(t, s.data, "yom")
	if len(msgs) != 1 || !strings.Contains(msgs[0], "Subject: two") {
		t.Errorf("after DELE 1 and QUIT: %d messages", len(msgs))
	}
	events, _ := journal.ReadFile(s.data.JournalPath())
	var logins []string
	deleted := 0
	for _, e := range events {
		if e.Kind == journal.Login {
			logins = append(logins, e.Result)
		}
		if e.Kind == journal.Deleted {
			deleted += e.Count
		}
	}
	// a (ok), b (in-use), the polls of waitFor (ok…), c (ok)
	if logins[0] != "ok" || logins[1] != "in-use" || logins[len(logins)-1] != "ok" || deleted != 1 {
		t.Errorf("journal logins %v, deleted %d", logins, deleted)
	}
}

// waitFor polls cond for a few seconds: the server notices a dropped
// connection only when it next reads.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("condition not met in 5 s")
}

// A message typed with no header, or with a header and no empty line
// before the text, gets the empty line mail readers need.
func TestHeaderRepair(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	tests := []struct {
		data string
		want string // the end of the stored message
	}{
		{"hello\r\nworld\r\n", "\nMessage-ID: <ID@g3.lab.test>\n\nhello\nworld\n"},
		{"Subject: hi\r\nhello\r\n", "\nMessage-ID: <ID@g3.lab.test>\nSubject: hi\n\nhello\n"},
		{"Subject: hi\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n", "for <yom@g3.lab.test>; DATE\nSubject: hi\nMessage-ID: <x@y>\n\nbody\n"},
	}
	for i, tt := range tests {
		c, r := dial(t, s.srv.SMTPAddr())
		for _, l := range []string{"EHLO me", "MAIL FROM:<a@g1.lab.test>", "RCPT TO:<yom@g3.lab.test>", "RCPT TO:<YOM@g3.lab.test>", "DATA"} {
			say(t, c, r, l)
		}
		say(t, c, r, strings.TrimSuffix(tt.data, "\r\n")+"\r\n.")
		say(t, c, r, "QUIT")
		msgs := mailbox(t, s.data, "yom")
		if len(msgs) != i+2 {
			t.Fatalf("case %d: %d messages (RCPT twice must deliver once)", i, len(msgs))
		}
		got := msgs[len(msgs)-1]
		got = regexpID.ReplaceAllString(got, "<ID@g3.lab.test>")
		got = regexpDate.ReplaceAllString(got, "; DATE")
		if !strings.HasSuffix(got, tt.want) {
			t.Errorf("case %d stored:\n%s\nwant the end:\n%s", i, got, tt.want)
		}
	}
}

func TestDomainRemembered(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if _, err := group.OpenData(root, 5, "g5.example.ac.jp"); err != nil {
		t.Fatal(err)
	}
	d, err := group.OpenData(root, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	d6, _ := group.OpenData(root, 6, "")
	if diff := cmp.Diff([]string{"g5.example.ac.jp", "g6.lab.test"}, []string{d.Domain, d6.Domain}); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
}

// Wrong passwords use up the tries of the name and of the address, for a
// user that exists and for one that does not alike; a login with none left
// is refused unchecked, told so, and its session ended.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	data, _ := group.OpenData(t.TempDir(), 3, "")
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0", Limits: group.Limits{LoginDelay: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	data.AddUser("yom", "tanstaaf", srv.Journal())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	var got []string
	for _, user := range []string{"yom", "nosuchuser"} {
		c, r := dial(t, srv.POP3Addr())
		for i := 0; i < 6; i++ {
			say(t, c, r, "USER "+user)
			reply := say(t, c, r, "PASS wrong")
			got = append(got, reply)
			if strings.Contains(reply, "too many") {
				if _, err := r.ReadString('\n'); err == nil {
					t.Error("the session goes on after a refusal")
				}
				break
			}
		}
		c.Close()
	}
	wrong, refused := "-ERR [AUTH] invalid user name or password", "-ERR [AUTH] too many failed logins; wait a minute, then try again"
	want := []string{wrong, wrong, wrong, wrong, wrong, refused, wrong, wrong, wrong, wrong, wrong, refused}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
	var reasons []string
	for _, e := range events(t, data, journal.Login) {
		reasons = append(reasons, e.User+" "+e.Reason)
	}
	wantReasons := []string{"yom wrong-password", "yom wrong-password", "yom wrong-password", "yom wrong-password", "yom wrong-password", "yom throttled",
		"**** unknown-user", "**** unknown-user", "**** unknown-user", "**** unknown-user", "**** unknown-user", "**** throttled"}
	if diff := cmp.Diff(wantReasons, reasons); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

// A login with a user name of another group is explained as such; the
// reply on the wire is the same as for any wrong name.
func TestLoginWithAnotherGroupsUser(t *testing.T) {
	t.Parallel()
	data, _ := group.OpenData(t.TempDir(), 3, "")
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0",
		UserElsewhere: func(name string) int {
			if name == "suzuki" {
				return 2
			}
			return 0
		}})
	if err != nil {
		t.Fatal(err)
	}
	data.AddUser("yom", "tanstaaf", srv.Journal())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	c, r := dial(t, srv.POP3Addr())
	for _, user := range []string{"suzuki", "nobody"} {
		say(t, c, r, "USER "+user)
		if got := say(t, c, r, "PASS x1234"); got != "-ERR [AUTH] invalid user name or password" {
			t.Errorf("%s: %q", user, got)
		}
	}
	var got []string
	for _, e := range events(t, data, journal.Login) {
		got = append(got, fmt.Sprintf("%s %s %d", e.User, e.Reason, e.OtherGroup))
	}
	// nobody's name is not kept: it may be a password typed in its place
	if diff := cmp.Diff([]string{"suzuki other-group-user 2", "**** unknown-user 0"}, got); diff != "" {
		t.Errorf("logins (-want +got):\n%s", diff)
	}
}
