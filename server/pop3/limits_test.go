package pop3_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/pop3"
)

// A limit left zero takes its default; a negative one is off.
func TestMaxLineZeroNegative(t *testing.T) {
	t.Parallel()
	long := "NOOP " + strings.Repeat("x", 300) // 307 octets with CRLF
	tests := []struct {
		name    string
		maxLine int
		want    string
	}{
		{"zero: the default, 255", 0, "-ERR line too long"},
		{"negative: no limit", -1, "-ERR NOOP is not valid in the AUTHORIZATION state; log in first with USER and PASS, or APOP"},
		{"set", 400, "-ERR NOOP is not valid in the AUTHORIZATION state; log in first with USER and PASS, or APOP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, newFixture(), func(s *pop3.Server) { s.MaxLine = tt.maxLine })
			c := greeted(t, ts)
			if diff := cmp.Diff(tt.want, c.do(long)); diff != "" {
				t.Errorf("a line of 307 octets (-want +got):\n%s", diff)
			}
		})
	}
}
