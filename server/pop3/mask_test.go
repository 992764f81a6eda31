package pop3_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/mask"
	"maillab/server/pop3"
)

// TestMask pins what of a command line may be kept: the allow-list, and
// the class and length of anything else.
func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want mask.Line
	}{
		{"USER yom", mask.Line{Verb: "USER", Text: "USER yom"}},
		{"user  Yom ", mask.Line{Verb: "USER", Text: "user Yom"}},
		{"USER 8kpk8n3i", mask.Line{Verb: "USER", Text: "USER ****"}},
		{"USER yom tanstaaf", mask.Line{Verb: "USER", Text: "USER yom ****"}},
		{"USER taro\u30008kpk8n3i", mask.Line{Verb: "USER", Text: "USER\u3000****", Space: 0x3000}},
		{"PASS tanstaaf", mask.Line{Verb: "PASS", Text: "PASS ****"}},
		{"pass two words", mask.Line{Verb: "PASS", Text: "pass ****"}},
		{"PASS\u3000tanstaaf", mask.Line{Verb: "PASS", Text: "PASS\u3000****", Space: 0x3000}},
		{"PASS\u00a0tanstaaf", mask.Line{Verb: "PASS", Text: "PASS\u00a0****", Space: 0xa0}},
		{"PASS\u2003tanstaaf", mask.Line{Verb: "PASS", Text: "PASS\u2003****", Space: 0x2003}},
		{"PASS", mask.Line{Verb: "PASS", Text: "PASS"}},
		{"APOP yom c4c9334bac560ecc979e58001b3e22fb", mask.Line{Verb: "APOP", Text: "APOP yom ****"}},
		{"APOP c4c9334bac560ecc979e58001b3e22fb", mask.Line{Verb: "APOP", Text: "APOP ****"}},
		{"APOP ../x c4c9334bac560ecc979e58001b3e22fb", mask.Line{Verb: "APOP", Text: "APOP ****"}},
		{"RETR 1", mask.Line{Verb: "RETR", Text: "RETR 1"}},
		{"top 1 10", mask.Line{Verb: "TOP", Text: "top 1 10"}},
		{"RETR tanstaaf", mask.Line{Verb: "RETR", Text: "RETR ****"}},
		{"NOOP tanstaaf", mask.Line{Verb: "NOOP", Text: "NOOP ****"}},
		{"PAS tanstaaf", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 12 bytes>"}},
		{"PASSS tanstaaf", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 14 bytes>"}},
		{"PA\x7fSS tanstaaf", mask.Line{Verb: mask.Control, Text: "<command with control characters, 14 bytes>"}},
		{"tanstaaf", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 8 bytes>"}},
		{"AUTH PLAIN AHlvbQB0YW5zdGFhZg==", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 31 bytes>"}},
		{"MAIL FROM:<yom@g3.lab.test>", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 27 bytes>"}},
		{"NOOP \x1b]0;TITLE\x07\x1b[2J", mask.Line{Verb: mask.Control, Text: "<command with control characters, 19 bytes>"}},
		{"NOOP \x1b]52;c;aGk=\x07", mask.Line{Verb: mask.Control, Text: "<command with control characters, 17 bytes>"}},
		{"NOOP \u0085", mask.Line{Verb: mask.Control, Text: "<command with control characters, 7 bytes>"}},
		{"NOOP \u2028", mask.Line{Verb: mask.Control, Text: "<command with control characters, 8 bytes>"}},
		{"", mask.Line{Verb: mask.Empty}},
	}
	for _, tt := range tests {
		got := pop3.Mask(tt.line)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Mask(%q) (-want +got):\n%s", tt.line, diff)
		}
		if again := pop3.Mask(got.Text); again != got && got.Verb != mask.Empty {
			t.Errorf("Mask(%q) = %+v, masked again %+v", tt.line, got, again)
		}
	}
}
