package pop3_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"
	"testing"
	"time"

	"maillab/server/pop3"
)

// benchClient logs in to a server for be and returns the connection's
// writer and reader. The session is no Tracer: what is measured is the
// protocol, not the test backend's records.
func benchClient(b *testing.B, be *memBackend, user, password string) (io.Writer, *bufio.Reader) {
	b.Helper()
	be.noTracer = true
	ts := startServer(b, be, func(s *pop3.Server) { s.ErrorLog = log.New(io.Discard, "", 0) })
	c := loggedIn(b, ts, user, password)
	c.nc.SetDeadline(time.Time{})
	return c.nc, c.r
}

// readMulti reads a multi-line reply to its final ".", without keeping it,
// and returns the number of octets read.
func readMulti(b *testing.B, r *bufio.Reader) int {
	n := 0
	first := true
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			b.Fatalf("reading a reply: %v", err)
		}
		n += len(line)
		if first && !bytes.HasPrefix(line, []byte("+OK")) {
			b.Fatalf("reply %q", line)
		}
		first = false
		if string(line) == ".\r\n" {
			return n
		}
	}
}

// RETR of a 10 KiB message, a tenth of whose lines need byte-stuffing.
func BenchmarkRETR(b *testing.B) {
	var msg strings.Builder
	msg.WriteString("From: a@g1.lab.test\r\nTo: b@g3.lab.test\r\nSubject: benchmark\r\n\r\n")
	for i := 0; msg.Len() < 10<<10; i++ {
		if i%10 == 0 {
			msg.WriteString(".a line that begins with a dot\r\n")
		} else {
			fmt.Fprintf(&msg, "line %d of the message, of ordinary text, ordinary length\r\n", i)
		}
	}
	be := newMemBackend()
	be.add("bench", "bench", numbered("bench", msg.String())...)
	w, r := benchClient(b, be, "bench", "bench")
	cmd := []byte("RETR 1\r\n")
	b.SetBytes(int64(msg.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := w.Write(cmd); err != nil {
			b.Fatal(err)
		}
		readMulti(b, r)
	}
}

// bigMaildrop is a backend with a user "bench" of 10,000 messages.
func bigMaildrop() *memBackend {
	bodies := make([]string, 10000)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("Subject: message %d\r\n\r\nbody\r\n", i)
	}
	be := newMemBackend()
	be.add("bench", "bench", numbered("bench", bodies...)...)
	return be
}

// LIST of a maildrop of 10,000 messages.
func BenchmarkLIST(b *testing.B) {
	w, r := benchClient(b, bigMaildrop(), "bench", "bench")
	cmd := []byte("LIST\r\n")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := w.Write(cmd); err != nil {
			b.Fatal(err)
		}
		readMulti(b, r)
	}
}

// UIDL of a maildrop of 10,000 messages.
func BenchmarkUIDL(b *testing.B) {
	w, r := benchClient(b, bigMaildrop(), "bench", "bench")
	cmd := []byte("UIDL\r\n")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := w.Write(cmd); err != nil {
			b.Fatal(err)
		}
		readMulti(b, r)
	}
}

// STAT of a maildrop of 10,000 messages.
func BenchmarkSTAT(b *testing.B) {
	w, r := benchClient(b, bigMaildrop(), "bench", "bench")
	cmd := []byte("STAT\r\n")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := w.Write(cmd); err != nil {
			b.Fatal(err)
		}
		line, err := r.ReadSlice('\n')
		if err != nil || string(line) != "+OK 10000 308890\r\n" {
			b.Fatalf("STAT: %q, %v", line, err)
		}
	}
}
