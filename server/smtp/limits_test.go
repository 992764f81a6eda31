package smtp_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/smtp"
)

// A limit left zero takes its default; a negative one is off. EHLO shows
// MaxMessageBytes in its SIZE line.
func TestMaxMessageBytesZeroNegative(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit int64
		want  string
	}{
		{"zero: the default, 10 MiB", 0, "250-SIZE 10485760"},
		{"negative: no limit", -1, "250-SIZE"},
		{"set", 100, "250-SIZE 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, new(fakeBackend), func(s *smtp.Server) { s.MaxMessageBytes = tt.limit })
			c := greeted(t, ts.addr)
			c.send("EHLO client.g1.lab.test")
			reply := c.readReply()
			if len(reply) < 3 {
				t.Fatalf("EHLO reply %q", reply)
			}
			if diff := cmp.Diff(tt.want, reply[2]); diff != "" {
				t.Errorf("the SIZE line (-want +got):\n%s", diff)
			}
		})
	}
}
