package group_test

import (
	"bufio"
	"context"
	"io/fs"
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

// folderBytes is the size of a group's data folder, mail aside.
func folderBytes(t *testing.T, d *group.Data) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(d.Dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == "mail" {
			return filepath.SkipDir
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A client that floods a session with commands gets them answered up to
// Limits.Commands, then a clear reply and the end of the connection; the
// journal keeps the session's first 200 commands and counts the rest, so
// the group's folder grows by what 200 commands cost, not 12,000.
func TestCommandFloodIsBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		proto, login, ok, last string
		// the reply that ends the session is counted with the others
		lastSkipped int
	}{
		{"pop3", "USER yom\r\nPASS tanstaaf\r\n", "+OK", "-ERR too many commands in one session, closing connection", 1},
		{"smtp", "", "250 2.0.0 Ok", "421 4.7.0 Too many commands, closing connection", 1},
	}
	for _, tt := range tests {
		t.Run(tt.proto, func(t *testing.T) {
			t.Parallel()
			data, _ := group.OpenData(t.TempDir(), 3, "")
			srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
			if err != nil {
				t.Fatal(err)
			}
			data.AddUser("yom", "tanstaaf", srv.Journal())
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			before := folderBytes(t, data)
			addr := srv.POP3Addr()
			if tt.proto == "smtp" {
				addr = srv.SMTPAddr()
			}
			const sent = 12000
			limit := group.DefaultLimits.Commands
			c, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := bufio.NewWriter(c)
				w.WriteString(tt.login)
				for range sent {
					if _, err := w.WriteString("NOOP\r\n"); err != nil {
						return // the server hung up
					}
				}
				w.Flush()
			}()
			r := bufio.NewReader(c)
			r.ReadString('\n') // the greeting
			var oks int
			var last string
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					break
				}
				last = strings.TrimRight(l, "\r\n")
				if strings.HasPrefix(last, tt.ok) {
					oks++
				}
			}
			c.Close()
			wg.Wait()
			if err := srv.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			var closeEv journal.Event
			var cmds int
			err = journal.ReadDir(data.Dir, func(e journal.Event) error {
				switch e.Kind {
				case journal.Close:
					closeEv = e
				case journal.Command:
					cmds++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			type outcome struct {
				Answered, Recorded, SkippedCmds, SkippedReplies int
				Last                                            string
				Bounded                                         bool
			}
			grown := folderBytes(t, data) - before
			got := outcome{oks, cmds, closeEv.SkippedCmds, closeEv.SkippedReplies, last, grown < 128<<10}
			skipped := limit - journal.DefaultSessionCommands
			want := outcome{limit, journal.DefaultSessionCommands, skipped, skipped + tt.lastSkipped, tt.last, true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nthe folder grew by %d bytes", diff, grown)
			}
		})
	}
}

// A panic in a connection is recovered and written to the group's error
// log, server.log in its folder, and to ErrorOutput; a password typed in
// that session is not.
func TestPanicIsLogged(t *testing.T) {
	t.Parallel()
	data, _ := group.OpenData(t.TempDir(), 3, "")
	var copyOut syncBuf
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0", ErrorOutput: &copyOut,
		UserElsewhere: func(name string) int { panic("a bug in the lookup of " + name) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	c, r := dial(t, srv.POP3Addr())
	// The name is looked up (is it another group's?) as soon as USER
	// names nobody here, so the panic comes there; a password typed on
	// the same line must not reach the log either.
	got := say(t, c, r, "USER suzuki secret-pw-9")
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(data.Dir, group.ErrorLogName))
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		Reply                               string
		Logged, Copied, HasGroup, HasSecret bool
	}
	log := string(raw)
	want := outcome{Reply: "-ERR [SYS/TEMP] internal error", Logged: true, Copied: true, HasGroup: true}
	gotO := outcome{Reply: got,
		Logged:    strings.Contains(log, "pop3: panic serving") && strings.Contains(log, "a bug in the lookup of suzuki"),
		Copied:    strings.Contains(copyOut.String(), "a bug in the lookup of suzuki"),
		HasGroup:  strings.Contains(log, "g3 pop3: panic"),
		HasSecret: strings.Contains(log, "secret-pw-9") || strings.Contains(copyOut.String(), "secret-pw-9"),
	}
	if diff := cmp.Diff(want, gotO); diff != "" {
		t.Errorf("(-want +got):\n%s\nserver.log:\n%s", diff, log)
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A client that floods, is cut off and connects again at once is muted
// after three floods: its sessions are still served (and its logins
// recorded), but their opening, commands and replies only counted, so the
// journal stops growing with the flood.
func TestRepeatedFloodsAreMuted(t *testing.T) {
	t.Parallel()
	data, _ := group.OpenData(t.TempDir(), 3, "")
	const limit = 100
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0", Limits: group.Limits{Commands: limit}})
	if err != nil {
		t.Fatal(err)
	}
	data.AddUser("yom", "tanstaaf", srv.Journal())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	flood := func() string {
		c, err := net.DialTimeout("tcp", srv.POP3Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		go func() {
			w := bufio.NewWriter(c)
			w.WriteString("USER yom\r\nPASS tanstaaf\r\n")
			for range 2 * limit {
				w.WriteString("NOOP\r\n")
			}
			w.Flush()
		}()
		r := bufio.NewReader(c)
		var last string
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return last
			}
			last = strings.TrimRight(l, "\r\n")
		}
	}
	const floods = 10
	var cut int
	for range floods {
		if flood() == "-ERR too many commands in one session, closing connection" {
			cut++
		}
	}
	// and a quiet client from the same address is still served
	c, r := dial(t, srv.POP3Addr())
	say(t, c, r, "USER yom")
	stat := say(t, c, r, "PASS tanstaaf")
	say(t, c, r, "QUIT")
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	err = journal.ReadDir(data.Dir, func(e journal.Event) error {
		k := e.Kind
		if e.Kind == journal.Note {
			k += " " + e.Reason
		}
		count[k]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		Cut                             int
		Served                          bool
		Opens, Cmds, Logins, MutedNotes int
	}
	got := outcome{cut, strings.HasPrefix(stat, "+OK"), count[journal.Open], count[journal.Command], count[journal.Login], count["note flood-muted"]}
	want := outcome{Cut: floods, Served: true, Opens: 3, Cmds: 3 * limit, Logins: floods + 1, MutedNotes: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
