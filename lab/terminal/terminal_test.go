package terminal

import (
	"bytes"
	"testing"

	"github.com/fatih/color"
	"github.com/google/go-cmp/cmp"
)

func TestWidthAndPad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s       string
		width   int
		padded8 string
	}{
		{"", 0, "        "},
		{"pop3#1", 6, "pop3#1  "},
		{"セッション", 10, "セッション"},
		{"ユーザ/送信者", 13, "ユーザ/送信者"},
		{"班", 2, "班      "},
		{"ＡＢ", 4, "ＡＢ    "},      // full-width Latin
		{"ｱｲ", 2, "ｱｲ      "},    // half-width katakana
		{"→ ✓ …", 5, "→ ✓ …   "}, // ambiguous: one column
		{"한국", 4, "한국    "},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.width, Width(tt.s)); diff != "" {
			t.Errorf("Width(%q) (-want +got):\n%s", tt.s, diff)
		}
		if diff := cmp.Diff(tt.padded8, Pad(tt.s, 8)); diff != "" {
			t.Errorf("Pad(%q, 8) (-want +got):\n%s", tt.s, diff)
		}
	}
}

func TestColorFollowsTheDecision(t *testing.T) {
	t.Parallel()
	tests := []struct {
		on   bool
		want string
	}{
		{false, "ok"},
		{true, "\x1b[32mok\x1b[0m"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Color(tt.on, color.FgGreen).Sprint("ok")); diff != "" {
			t.Errorf("Color(%v) (-want +got):\n%s", tt.on, diff)
		}
	}
}

// A buffer is no terminal, whatever the environment says.
func TestColorWanted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"plain", nil},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}},
		{"dumb", map[string]string{"TERM": "dumb"}},
	}
	for _, tt := range tests {
		if ColorWanted(new(bytes.Buffer), func(k string) string { return tt.env[k] }) {
			t.Errorf("%s: colour wanted on a buffer", tt.name)
		}
	}
}
