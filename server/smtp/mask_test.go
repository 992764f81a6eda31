package smtp_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/mask"
	"maillab/server/smtp"
)

// TestMask pins what of a command line may be kept: the allow-list, and
// the class and length of anything else.
func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want mask.Line
	}{
		{"MAIL FROM:<yom@g3.lab.test>", mask.Line{Verb: "MAIL", Text: "MAIL FROM:<yom@g3.lab.test>"}},
		{"mail from: <yom@g3.lab.test> SIZE=100 BODY=8BITMIME", mask.Line{Verb: "MAIL", Text: "mail from: <yom@g3.lab.test> SIZE=100 BODY=8BITMIME"}},
		{"MAIL FROM:<yom@g3.lab.test> AUTH=c2VjcmV0", mask.Line{Verb: "MAIL", Text: "MAIL FROM:<yom@g3.lab.test> ****"}},
		{"MAIL secret", mask.Line{Verb: "MAIL", Text: "MAIL ****"}},
		{"rcpt to:<\"bob\"@g3.lab.test>", mask.Line{Verb: "RCPT", Text: "rcpt to:<\"bob\"@g3.lab.test>"}},
		{"HELO client.example", mask.Line{Verb: "HELO", Text: "HELO client.example"}},
		{"EHLO a b", mask.Line{Verb: "EHLO", Text: "EHLO a ****"}},
		{"DATA", mask.Line{Verb: "DATA", Text: "DATA"}},
		{"help mail", mask.Line{Verb: "HELP", Text: "help mail"}},
		{"HELP rhyjfhbf", mask.Line{Verb: "HELP", Text: "HELP ****"}},
		{"NOOP secret", mask.Line{Verb: "NOOP", Text: "NOOP ****"}},
		{"AUTH PLAIN AHlvbQB0YW5zdGFhZg==", mask.Line{Verb: "AUTH", Text: "AUTH PLAIN ****"}},
		{"auth login", mask.Line{Verb: "AUTH", Text: "auth login"}},
		{"AUTH AHlvbQB0YW5zdGFhZg==", mask.Line{Verb: "AUTH", Text: "AUTH ****"}},
		{"AHlvbQB0YW5zdGFhZg==", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 20 bytes>"}},
		{"dGFuc3RhYWY=", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 12 bytes>"}},
		{"PASS tanstaaf", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 13 bytes>"}},
		{"APOP yom c4c9334bac560ecc979e58001b3e22fb", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 41 bytes>"}},
		{"NOOP \x1b]0;TITLE\x07", mask.Line{Verb: mask.Control, Text: "<command with control characters, 15 bytes>"}},
		{"NOOP \u202etxt", mask.Line{Verb: mask.Control, Text: "<command with control characters, 11 bytes>"}},
		{"NOOP \xff", mask.Line{Verb: mask.Control, Text: "<command with control characters, 6 bytes>"}},
		{"MAIL\u3000FROM:<yom@g3.lab.test>", mask.Line{Verb: "MAIL", Text: "MAIL\u3000****", Space: 0x3000}},
		{"VRFY\u00a0tanstaaf secret", mask.Line{Verb: "VRFY", Text: "VRFY\u00a0****", Space: 0xa0}},
		{"   ", mask.Line{Verb: mask.Empty}},
		{"<unknown command, 12 bytes>", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 12 bytes>"}},
		{"<unknown command, 12 bytes> x", mask.Line{Verb: mask.Unknown, Text: "<unknown command, 29 bytes>"}},
	}
	for _, tt := range tests {
		got := smtp.Mask(tt.line)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Mask(%q) (-want +got):\n%s", tt.line, diff)
		}
		if again := smtp.Mask(got.Text); again != got && got.Verb != mask.Empty {
			t.Errorf("Mask(%q) = %+v, masked again %+v", tt.line, got, again)
		}
	}
}
