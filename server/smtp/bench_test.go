package smtp_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"testing"

	"maillab/server/smtp"
)

// discardBackend takes every message and keeps nothing, so that the
// benchmarks measure the protocol side alone.
type discardBackend struct{}

func (discardBackend) NewSession(smtp.ConnInfo) (smtp.Session, error) { return discardSession{}, nil }

type discardSession struct{}

func (discardSession) Hello(string, bool) error            { return nil }
func (discardSession) Mail(string, smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(string) error                   { return nil }
func (discardSession) Reset()                              {}
func (discardSession) Logout() error                       { return nil }
func (discardSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

// benchMessage is a message of about size octets in lines of 78, some of
// them dot-stuffed, ready to send (final "." included).
func benchMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: yom@g1.lab.test\r\nTo: taro@g1.lab.test\r\nSubject: bench\r\n\r\n")
	line := strings.Repeat("abcdefghij", 7) + "0123456\r\n"
	for i := 0; b.Len() < size; i++ {
		if i%10 == 0 {
			b.WriteString("..") // a line that begins with a dot, stuffed
			b.WriteString(line[2:])
			continue
		}
		b.WriteString(line)
	}
	b.WriteString(".\r\n")
	return b.Bytes()
}

// BenchmarkData sends messages over one loopback connection: MAIL, RCPT and
// DATA pipelined, then the data, each time.
func BenchmarkData(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"100KiB", 100 << 10}} {
		b.Run(size.name, func(b *testing.B) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &smtp.Server{
				Backend: discardBackend{}, Hostname: "g1.lab.test",
				MaxLine: 512, MaxTextLine: 1000, MaxMessageBytes: 10 << 20, MaxRecipients: 100,
			}
			go srv.Serve(l)
			defer srv.Close()
			nc, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			r := bufio.NewReader(nc)
			// readReply reads one reply and returns its code's first digit.
			readReply := func() byte {
				for {
					line, err := r.ReadSlice('\n')
					if err != nil {
						b.Fatal(err)
					}
					if len(line) < 4 || line[3] != '-' {
						return line[0]
					}
				}
			}
			readReply()
			nc.Write([]byte("EHLO bench.g1.lab.test\r\n"))
			readReply()
			envelope := []byte("MAIL FROM:<yom@g1.lab.test>\r\nRCPT TO:<taro@g1.lab.test>\r\nDATA\r\n")
			msg := benchMessage(size.n)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				nc.Write(envelope)
				if readReply() != '2' || readReply() != '2' || readReply() != '3' {
					b.Fatal("envelope refused")
				}
				nc.Write(msg)
				if readReply() != '2' {
					b.Fatal("message refused")
				}
			}
		})
	}
}
