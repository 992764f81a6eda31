package group

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/maildir"
)

// newTestServer is a group 3 server with the users yom and hana, not
// started.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	data, err := OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(t.Context()) })
	for _, u := range []string{"yom", "hana"} {
		if err := data.AddUser(u, "tanstaaf", srv.Journal()); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// spoolEntryFor makes the envelope of a message to yom and hana.
func spoolEntryFor(id string, at time.Time) *spoolEntry {
	e := &spoolEntry{ID: id, Time: at, From: "a@g1.lab.test", MessageID: "<" + id + "@g1.lab.test>", Helo: "me", IP: "127.0.0.1"}
	for i, u := range []string{"yom", "hana"} {
		e.Local = append(e.Local, spoolCopy{Addr: u + "@g3.lab.test", User: u, Key: maildir.StageKey(at, id, i)})
	}
	return e
}

// subjects lists the subjects of a mailbox's messages, sorted.
func subjects(t *testing.T, mb maildir.Dir) []string {
	t.Helper()
	list, err := mb.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range list {
		b, err := os.ReadFile(filepath.Join(string(mb), m.Name))
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(string(b), "\nSubject: ")
		subject, _, _ := strings.Cut(rest, "\n")
		out = append(out, subject)
	}
	sort.Strings(out)
	return out
}

// A restart finishes what a crash left in the spool: a message marked
// ready gets every copy still staged published, and a copy published and
// then deleted by its reader is not delivered again; a message not yet
// ready (never acknowledged) goes to nobody, its staged copies removed.
func TestSpoolRecovery(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	yom, hana := srv.data.Mailbox("yom"), srv.data.Mailbox("hana")
	spool := func(subject string, n int) (*spoolEntry, []maildir.Staged) {
		t.Helper()
		e := spoolEntryFor(fmt.Sprintf("M%d", n), at.Add(time.Duration(n)*time.Second))
		f, err := srv.writeSpool(e, []byte("Subject: "+subject+"\r\n\r\n"), -1, strings.NewReader("text\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		staged, err := srv.commitSpool(e, f)
		if err != nil {
			t.Fatal(err)
		}
		return e, staged
	}

	// ready, nothing published yet
	spool("ready", 1)
	// ready; yom's copy published, read and deleted before the crash
	_, staged := spool("half published", 2)
	m, err := staged[0].Publish()
	if err != nil {
		t.Fatal(err)
	}
	if err := yom.Remove(m); err != nil {
		t.Fatal(err)
	}
	// not ready: written and staged, the crash came before the rename
	e := spoolEntryFor("M3", at.Add(3*time.Second))
	f, err := srv.writeSpool(e, []byte("Subject: not ready\r\n\r\n"), -1, strings.NewReader("text\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := srv.stage(e, srv.spoolPath(e.ID, ".tmp")); err != nil {
		t.Fatal(err)
	}
	// not even its envelope whole
	if err := os.WriteFile(srv.spoolPath("M4", ".tmp"), []byte("{\"id\":"), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{"yom": subjects(t, yom), "hana": subjects(t, hana)}
	want := map[string][]string{"yom": {"ready", "welcome"}, "hana": {"half published", "ready", "welcome"}}
	opt := cmp.Transformer("welcome", func(s []string) []string { // the welcome message's subject is long
		out := make([]string, len(s))
		for i, v := range s {
			if strings.HasPrefix(v, "=?UTF-8?") {
				v = "welcome"
			}
			out[i] = v
		}
		sort.Strings(out)
		return out
	})
	if diff := cmp.Diff(want, got, opt); diff != "" {
		t.Errorf("mailboxes (-want +got):\n%s", diff)
	}
	left, err := os.ReadDir(srv.spoolDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("left in the spool: %v", left)
	}
	for _, mb := range []maildir.Dir{yom, hana} {
		if tmp, _ := os.ReadDir(filepath.Join(string(mb), "tmp")); len(tmp) != 0 {
			t.Errorf("left in %s/tmp: %v", mb, tmp)
		}
	}
}

// When the messages in flight use up their budget, one more is refused
// with 451 4.3.1 once its data has ended, and the session goes on.
func TestDataBudget(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.data.maxInFlight = 1
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	open := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", srv.SMTPAddr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(20 * time.Second))
		r := bufio.NewReader(c)
		r.ReadString('\n')
		return c, r
	}
	say := func(c net.Conn, r *bufio.Reader, text string) string {
		t.Helper()
		if _, err := c.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("after %q: %v", text, err)
			}
			if len(l) < 4 || l[3] != '-' {
				return strings.TrimRight(l, "\r\n")
			}
		}
	}
	var got []string
	first, firstR := open()
	for _, l := range []string{"HELO a\r\n", "MAIL FROM:<a@g1.lab.test>\r\n", "RCPT TO:<yom@g3.lab.test>\r\n", "DATA\r\n"} {
		got = append(got, say(first, firstR, l))
	}
	first.Write([]byte("Subject: slow\r\n"))
	for srv.data.inFlight.Load() != 1 {
		time.Sleep(time.Millisecond) // until the first message is being received
	}
	second, secondR := open()
	for _, l := range []string{"HELO b\r\n", "MAIL FROM:<b@g1.lab.test>\r\n", "RCPT TO:<hana@g3.lab.test>\r\n", "DATA\r\n", "Subject: refused\r\n\r\nx\r\n.\r\n", "NOOP\r\n"} {
		got = append(got, say(second, secondR, l))
	}
	got = append(got, say(first, firstR, "\r\nbody\r\n.\r\n"))
	for i := range got {
		if strings.HasPrefix(got[i], "250 2.0.0 Ok: queued as ") {
			got[i] = "250 2.0.0 Ok: queued as ID"
		}
	}
	want := []string{"250 g3.lab.test", "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
		"250 g3.lab.test", "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
		"451 4.3.1 Too many messages being received at once, try again later", "250 2.0.0 Ok",
		"250 2.0.0 Ok: queued as ID"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
}

// Messages being received are not held in memory: ten sessions each in
// the middle of a 4 MiB message hold their data on disk — in the spool
// files, or for a message to one recipient in its Maildir's tmp/ — and
// the heap stays far below the 40 MiB of their data. (Not parallel: the
// heap it measures is the whole test binary's.)
func TestDataStreamsToTheSpool(t *testing.T) {
	const sessions, size = 10, 4 << 20
	line := strings.Repeat("x", 78) + "\r\n"
	body := strings.Repeat(line, size/len(line))
	tests := []struct {
		name   string
		rcpts  []string
		folder func(srv *Server) string
		size   int // of the body in that folder
	}{
		{"one recipient", []string{"yom"}, func(srv *Server) string { return filepath.Join(string(srv.data.Mailbox("yom")), "tmp") },
			len(body) - strings.Count(body, "\r\n")}, // LF line ends there
		{"two recipients", []string{"yom", "hana"}, func(srv *Server) string { return srv.spoolDir() }, len(body)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t)
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			for range sessions {
				c, err := net.DialTimeout("tcp", srv.SMTPAddr().String(), 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				c.SetDeadline(time.Now().Add(60 * time.Second))
				r := bufio.NewReader(c)
				r.ReadString('\n')
				cmds := "HELO a\r\nMAIL FROM:<a@g1.lab.test>\r\n"
				for _, u := range tt.rcpts {
					cmds += "RCPT TO:<" + u + "@g3.lab.test>\r\n"
				}
				c.Write([]byte(cmds + "DATA\r\n"))
				for range 3 + len(tt.rcpts) - 1 {
					if l, err := r.ReadString('\n'); err != nil || l[0] != '2' && l[0] != '3' {
						t.Fatalf("%q %v", l, err)
					}
				}
				if _, err := c.Write([]byte("Subject: big\r\n\r\n" + body)); err != nil {
					t.Fatal(err)
				}
			}
			held := func() (n int64) {
				entries, _ := os.ReadDir(tt.folder(srv))
				for _, e := range entries {
					if fi, err := e.Info(); err == nil {
						n += fi.Size()
					}
				}
				return n
			}
			deadline := time.Now().Add(60 * time.Second)
			want := int64(sessions * (tt.size - 64<<10)) // all but what buffers hold
			for held() < want {
				if time.Now().After(deadline) {
					t.Fatalf("%d octets in %s, not the %d sent", held(), tt.folder(srv), want)
				}
				time.Sleep(10 * time.Millisecond) // until the data sent is on disk
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > 16<<20 {
				t.Errorf("heap %d MiB with %d MiB of messages being received", ms.HeapAlloc>>20, sessions*size>>20)
			}
			t.Logf("heap %.1f MiB with %d MiB of messages being received", float64(ms.HeapAlloc)/(1<<20), sessions*size>>20)
		})
	}
}
