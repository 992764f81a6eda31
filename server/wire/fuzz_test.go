package wire_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"maillab/server/wire"
)

// FuzzDataReader feeds the DATA reader anything: it must not panic; what it
// yields has CRLF line ends, lines no longer than the limit, and comes back
// the same after dot-stuffing and reading again; and it stops right after
// the line "." so that what follows is read as commands.
func FuzzDataReader(f *testing.F) {
	for _, s := range []string{
		"Subject: x\r\n\r\nbody\r\n.\r\n", "..x\r\n.\r\n", "a\nb\n.\n", ".\r\n", "no end", "\r\n.\r\n",
		"a\rb\r\n.\r\n", "x\r\r\n.\r\n", ". \r\n.\r\n", "\x00\xff\r\n.\r\n",
	} {
		f.Add([]byte(s), 1000)
	}
	f.Fuzz(func(t *testing.T, input []byte, maxLine int) {
		maxLine = 3 + (maxLine%2000+2000)%2000
		full := append(append([]byte{}, input...), "NEXT\r\n"...)
		r := wire.NewReader(bytes.NewReader(full), maxLine)
		d := wire.NewDataReader(r, 1<<20)
		out, readErr := io.ReadAll(d)
		err := d.Drain()
		if readErr != nil && err == nil {
			t.Fatalf("ReadAll failed (%v) but Drain says all is well", readErr)
		}
		if err != nil {
			if !errors.Is(err, wire.ErrLineTooLong) && !errors.Is(err, wire.ErrTooBig) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("Drain: %v", err)
			}
			return
		}
		for _, line := range bytes.SplitAfter(out, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			if !bytes.HasSuffix(line, []byte("\r\n")) || bytes.IndexByte(line[:len(line)-1], '\n') >= 0 {
				t.Fatalf("line %q of the output does not end in CRLF alone", line)
			}
		}
		var again bytes.Buffer
		bw := bufio.NewWriter(&again)
		dw := wire.NewDotWriter(bw)
		dw.Write(out)
		dw.Close()
		bw.Flush()
		back, err := io.ReadAll(wire.NewDataReader(wire.NewReader(&again, 0), 0))
		if err != nil || !bytes.Equal(back, out) {
			t.Fatalf("round trip changed %q into %q (%v)", out, back, err)
		}
		rest, _ := io.ReadAll(r.R)
		used := full[:len(full)-len(rest)]
		if !bytes.HasSuffix(full, rest) || !(bytes.Equal(used, []byte(".\n")) || bytes.Equal(used, []byte(".\r\n")) ||
			bytes.HasSuffix(used, []byte("\n.\n")) || bytes.HasSuffix(used, []byte("\n.\r\n"))) {
			t.Fatalf("the data ended after %q, not after a line \".\"", used)
		}
	})
}
