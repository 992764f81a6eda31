package telnet_test

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"maillab/server/telnet"
)

// The inputs are the bytes real clients send. "本" is E6 9C AC in UTF-8;
// netkit telnet takes 0x9C for its quit character (Ctrl-\ is 0x1C) with
// the high bit set, and sends IAC BRK IAC DO TIMING-MARK in its place.
func TestFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		data     string
		answers  string
		commands []string
	}{
		{"mail client: nothing changes", "EHLO client\r\nDATA\r\n\xe6\x97\xa5\xe6\x9c\xac\r\n.\r\n", "EHLO client\r\nDATA\r\n\xe6\x97\xa5\xe6\x9c\xac\r\n.\r\n", "", nil},
		{"netkit telnet typing 日本語の行", "\xe6\x97\xa5\xe6\xff\xf3\xff\xfd\x06\xac\xe8\xaa\x9e\xe3\x81\xae\xe8\xa1\x8c\r\n",
			"\xe6\x97\xa5\xe6\xac\xe8\xaa\x9e\xe3\x81\xae\xe8\xa1\x8c\r\n", "\xff\xfb\x06", []string{"BRK", "DO TIMING-MARK"}},
		{"Ctrl-C", "USER yo\xff\xf4\xff\xfd\x06m\r\n", "USER yom\r\n", "\xff\xfb\x06", []string{"IP", "DO TIMING-MARK"}},
		{"options refused", "\xff\xfd\x01\xff\xfb\x1f\xff\xfd\x03\xff\xfb\x18QUIT\r\n", "QUIT\r\n", "\xff\xfc\x01\xff\xfe\x1f\xff\xfc\x03\xff\xfe\x18",
			[]string{"DO ECHO", "WILL NAWS", "DO SUPPRESS-GO-AHEAD", "WILL TERMINAL-TYPE"}},
		{"WONT and DONT need no answer", "\xff\xfc\x01\xff\xfe\x01NOOP\r\n", "NOOP\r\n", "", []string{"WONT ECHO", "DONT ECHO"}},
		{"IAC IAC is the byte 255", "a\xff\xffb\r\n", "a\xffb\r\n", "", nil},
		{"subnegotiation skipped", "\xff\xfa\x18\x00xterm\xff\xff\xff\xf0NOOP\r\n", "NOOP\r\n", "", []string{"SB TERMINAL-TYPE"}},
		{"are you there", "\xff\xf6NOOP\r\n", "NOOP\r\n", "\r\n[yes]\r\n", []string{"AYT"}},
		// telnet's "mode character" asks for SGA and ECHO, then ends each
		// line with CR NUL.
		{"character mode", "\xff\xfd\x03\xff\xfd\x01NOOP\r\x00QUIT\r\x00", "NOOP\r\nQUIT\r\n", "\xff\xfc\x03\xff\xfc\x01", []string{"DO SUPPRESS-GO-AHEAD", "DO ECHO"}},
		{"Latin-1 text from a mail client kept", "Subject: caf\xe9 \xffe\r\n", "Subject: caf\xe9 \xffe\r\n", "", nil},
		{"NUL from a mail client kept", "NOOP\r\x00\r\n", "NOOP\r\x00\r\n", "", nil},
		{"unknown option number", "\xff\xfd\xc8x", "x", "\xff\xfc\xc8", []string{"DO 200"}},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			name := tt.name
			if split {
				name += " (a byte a read)"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var r io.Reader = bytes.NewReader([]byte(tt.in))
				if split {
					r = iotest.OneByteReader(r)
				}
				var answers bytes.Buffer
				f := telnet.NewFilter(r, &answers)
				var commands []string
				f.Seen = func(e telnet.Event) { commands = append(commands, e.Name()) }
				data, err := io.ReadAll(f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.data, string(data)); diff != "" {
					t.Errorf("data -want +got:\n%s", diff)
				}
				if diff := cmp.Diff(tt.answers, answers.String()); diff != "" {
					t.Errorf("answers -want +got:\n%s", diff)
				}
				if diff := cmp.Diff(tt.commands, commands); diff != "" {
					t.Errorf("commands -want +got:\n%s", diff)
				}
				if f.Active() != (tt.commands != nil) {
					t.Errorf("Active() = %v", f.Active())
				}
			})
		}
	}
}
