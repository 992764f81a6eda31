package group_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/group"
	"maillab/server/journal"
)

// A DATA that does not finish in time is cut a little before Shutdown's
// deadline, and Shutdown waits for its session to end before the journal
// is closed: the session's close is in the journal before the stop, and
// nothing was delivered.
func TestShutdownWaitsForTheSessionsItCuts(t *testing.T) {
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
	defer c.Close()
	for _, l := range []string{"HELO me", "MAIL FROM:<a@g1.lab.test>", "RCPT TO:<yom@g3.lab.test>"} {
		if got := say(t, c, r, l); !strings.HasPrefix(got, "250") {
			t.Fatalf("%s: %s", l, got)
		}
	}
	if got := say(t, c, r, "DATA"); !strings.HasPrefix(got, "354") {
		t.Fatalf("DATA: %s", got)
	}
	c.Write([]byte("Subject: never finished\r\n\r\nfirst half\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline", err)
	}
	all, err := journal.ReadFile(data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	var smtpSession string
	var order []string // the SMTP session's close and the server's stop
	for _, e := range all {
		switch {
		case e.Kind == journal.Open && e.Proto == "smtp":
			smtpSession = e.Session
		case e.Kind == journal.Close && e.Session == smtpSession:
			order = append(order, "close")
		case e.Kind == journal.Stop:
			order = append(order, "stop")
		}
	}
	if diff := cmp.Diff([]string{"close", "stop"}, order); diff != "" {
		t.Errorf("the journal's end (-want +got):\n%s", diff)
	}
	if msgs := mailbox(t, data, "yom"); len(msgs) != 1 {
		t.Errorf("yom has %d messages, want the welcome only", len(msgs))
	}
}
