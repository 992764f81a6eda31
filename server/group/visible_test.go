package group_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/group"
)

// A message is in its recipients' maildrops when SMTP answers 250: a POP3
// session opened straight after it lists it, with no waiting, whether it
// went straight into its one recipient's Maildir or through the spool to
// several; and no copy is left behind in tmp/.
func TestDeliveredBeforeThe250(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rcpts []string
	}{
		{"one recipient", []string{"yom"}},
		{"two recipients", []string{"yom", "hana"}},
		{"three recipients", []string{"hana", "yom", "taro"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := group.OpenData(t.TempDir(), 3, "")
			if err != nil {
				t.Fatal(err)
			}
			srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Shutdown(t.Context()) })
			for _, u := range group.DefaultUsers {
				if err := data.AddUser(u, "tanstaaf", srv.Journal()); err != nil {
					t.Fatal(err)
				}
			}
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			c, r := dial(t, srv.SMTPAddr())
			say(t, c, r, "HELO a.example")
			say(t, c, r, "MAIL FROM:<a@g1.lab.test>")
			for _, u := range tt.rcpts {
				say(t, c, r, "RCPT TO:<"+u+"@g3.lab.test>")
			}
			say(t, c, r, "DATA")
			if got := say(t, c, r, "Subject: now\r\n\r\nhello\r\n."); !strings.HasPrefix(got, "250 ") {
				t.Fatalf("end of data: %q", got)
			}
			got := map[string]string{}
			want := map[string]string{}
			for _, u := range tt.rcpts {
				p, pr := dial(t, srv.POP3Addr())
				say(t, p, pr, "USER "+u)
				got[u], _, _ = strings.Cut(say(t, p, pr, "PASS tanstaaf"), " (")
				want[u] = "+OK " + u + "'s maildrop has 2 messages" // the welcome and this
				say(t, p, pr, "QUIT")
				tmp, err := os.ReadDir(filepath.Join(string(data.Mailbox(u)), "tmp"))
				if err != nil || len(tmp) != 0 {
					t.Errorf("%s's tmp/: %d files, %v", u, len(tmp), err)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("POP3 straight after the 250 (-want +got):\n%s", diff)
			}
		})
	}
}
