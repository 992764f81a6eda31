package group

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Zero takes the default; a negative value stays negative, which the
// protocol servers read as off; any other is kept.
func TestLimitsWithDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Limits
		want Limits
	}{
		{"zero: every default", Limits{}, DefaultLimits},
		{"negative: off, passed on", Limits{POP3Idle: -1, Conns: -1, ErrorsInARow: -1}, func() Limits {
			l := DefaultLimits
			l.POP3Idle, l.Conns, l.ErrorsInARow = -1, -1, -1
			return l
		}()},
		{"set", Limits{SMTPLine: 1000, LoginDelay: time.Millisecond}, func() Limits {
			l := DefaultLimits
			l.SMTPLine, l.LoginDelay = 1000, time.Millisecond
			return l
		}()},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.in.withDefaults()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
