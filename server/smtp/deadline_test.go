package smtp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/smtp"
)

// The message data has one deadline for all of it: a client that keeps
// sending a line now and then (each read well within IdleTimeout) is cut
// off with 421 once DataTimeout is over, and nothing is delivered; a
// message sent at once within it is accepted.
func TestDataDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		trickle   bool // send a line every few milliseconds, never the final "."
		wantReply string
		delivered int
	}{
		{"whole message at once", false, "250 2.0.0 Ok: queued", 1},
		{"a line now and then", true, "421 4.4.2 g1.lab.test Error: the message data took longer than 300ms; closing", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := new(fakeBackend)
			ts := newServer(t, b, func(s *smtp.Server) { s.DataTimeout = 300 * time.Millisecond })
			c := helloed(t, ts.addr)
			c.send("MAIL FROM:<yom@g1.lab.test>", "RCPT TO:<taro@g1.lab.test>", "DATA")
			got := [][]string{c.readReply(), c.readReply(), c.readReply()}
			want := [][]string{{"250 2.1.0 Ok"}, {"250 2.1.5 Ok"}, {"354 End data with <CR><LF>.<CR><LF>"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("replies (-want +got):\n%s", diff)
			}
			stop := make(chan struct{})
			sent := make(chan struct{})
			if tt.trickle {
				go func() {
					defer close(sent)
					for {
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
						}
						if _, err := c.nc.Write([]byte("still typing\r\n")); err != nil {
							return
						}
					}
				}()
			} else {
				c.write("Subject: quick\r\n\r\n" + strings.Repeat("line\r\n", 100) + ".\r\n")
				close(sent)
			}
			c.expect(tt.wantReply)
			close(stop)
			<-sent
			if tt.trickle {
				c.expectClosed()
			}
			if got := len(b.session(0).Delivered()); got != tt.delivered {
				t.Errorf("%d messages delivered, want %d", got, tt.delivered)
			}
		})
	}
}
