package wire_test

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"maillab/server/wire"
)

// benchText is a message of about size octets with LF line ends (as it is
// kept in a Maildir), a tenth of whose lines begin with a dot.
func benchText(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@g1.lab.test\nTo: b@g3.lab.test\nSubject: benchmark\n\n")
	for i := 0; b.Len() < size; i++ {
		if i%10 == 0 {
			b.WriteString(".a line that begins with a dot\n")
		} else {
			b.WriteString("The quick brown fox jumps over the lazy dog; a line of a benchmark.\n")
		}
	}
	return b.Bytes()
}

// BenchmarkDotWriter byte-stuffs a 10 KiB message with LF line ends into
// CRLF lines, as RETR does, in the 32 KiB pieces RETR reads.
func BenchmarkDotWriter(b *testing.B) {
	text := benchText(10 << 10)
	bw := bufio.NewWriterSize(io.Discard, 16<<10)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dw := wire.NewDotWriter(bw)
		if _, err := dw.Write(text); err != nil {
			b.Fatal(err)
		}
		if err := dw.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDataReader reads the DATA of a 1 KiB and a 100 KiB message
// (CRLF lines, some dot-stuffed), as the SMTP server does.
func BenchmarkDataReader(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"100KiB", 100 << 10}} {
		b.Run(size.name, func(b *testing.B) {
			text := strings.ReplaceAll(string(benchText(size.n)), "\n", "\r\n")
			data := strings.ReplaceAll("\r\n"+text, "\r\n.", "\r\n..")[2:] + ".\r\n"
			src := strings.NewReader(data)
			r := wire.NewReader(src, 1000)
			buf := make([]byte, 32<<10)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(data)
				r.R.Reset(src)
				n, err := io.CopyBuffer(io.Discard, wire.NewDataReader(r, 10<<20), buf)
				if err != nil || n != int64(len(text)) {
					b.Fatalf("read %d of %d octets: %v", n, len(text), err)
				}
			}
		})
	}
}
