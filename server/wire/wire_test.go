package wire_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"maillab/server/wire"
)

func TestReadLine(t *testing.T) {
	t.Parallel()
	type got struct {
		Text   string
		BareLF bool
		Err    string
	}
	tests := []struct {
		name  string
		input string
		max   int
		want  []got
	}{
		{"crlf", "USER yom\r\nPASS x\r\n", 255, []got{{Text: "USER yom"}, {Text: "PASS x"}, {Err: "EOF"}}},
		{"bare lf", "user yom\nquit\r\n", 255, []got{{Text: "user yom", BareLF: true}, {Text: "quit"}, {Err: "EOF"}}},
		{"empty line", "\r\n\n", 0, []got{{Text: ""}, {Text: "", BareLF: true}, {Err: "EOF"}}},
		{"exactly at limit", "abc\r\n", 5, []got{{Text: "abc"}, {Err: "EOF"}}},
		{"one over limit then goes on", "abcd\r\nok\r\n", 5, []got{{Err: "wire: line too long"}, {Text: "ok"}, {Err: "EOF"}}},
		{"partial line at eof", "QUIT", 0, []got{{Err: "unexpected EOF"}}},
		{"nul kept for the protocol to judge", "a\x00b\r\n", 0, []got{{Text: "a\x00b"}, {Err: "EOF"}}},
		{"long line over buffer", strings.Repeat("x", 40000) + "\r\nNOOP\r\n", 1000, []got{{Err: "wire: line too long"}, {Text: "NOOP"}, {Err: "EOF"}}},
		{"long line allowed", strings.Repeat("y", 20000) + "\n", 0, []got{{Text: strings.Repeat("y", 20000), BareLF: true}, {Err: "EOF"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := wire.NewReader(iotest.OneByteReader(strings.NewReader(tt.input)), tt.max)
			var gots []got
			for {
				l, err := r.ReadLine()
				g := got{Text: string(l.Text), BareLF: l.BareLF}
				if err != nil {
					g = got{Err: err.Error()}
				}
				gots = append(gots, g)
				if err != nil && !errors.Is(err, wire.ErrLineTooLong) {
					break
				}
			}
			if diff := cmp.Diff(tt.want, gots); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDataReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prelude  string // a command line read before the data
		input    string
		maxLine  int
		maxSize  int64
		want     string
		wantErr  error // from Drain
		wantSize int64
		bareLF   int
		after    string // the next line after the data
	}{
		{
			name:  "plain",
			input: "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
			want:  "Subject: hi\r\n\r\nhello\r\n", wantSize: 22, after: "QUIT",
		},
		{
			name:  "dot unstuffing",
			input: "..leading\r\n...\r\n. \r\n.\r\nQUIT\r\n",
			want:  ".leading\r\n..\r\n \r\n", wantSize: 17, after: "QUIT",
		},
		{
			name:  "bare lf lines, as nc sends them",
			input: "a\nb\nc\n.\nQUIT\n",
			want:  "a\r\nb\r\nc\r\n", wantSize: 9, bareLF: 4, after: "QUIT",
		},
		{
			name:    "bare lf lines after a CRLF command",
			prelude: "DATA\r\n",
			input:   "a\nb\n.\nc\r\n.\r\nQUIT\r\n",
			want:    "a\r\nb\r\n.\r\nc\r\n", wantSize: 12, bareLF: 3, after: "QUIT",
		},
		{
			// RFC 5321 section 4.1.1.4: only <CRLF>.<CRLF> ends the data
			name:    "smuggling: <LF>.<LF> in a CRLF session is text",
			prelude: "DATA\r\n",
			input:   "Subject: a\r\n\r\nbody\n.\nMAIL FROM:<x@y>\r\n.\r\nQUIT\r\n",
			want:    "Subject: a\r\n\r\nbody\r\n.\r\nMAIL FROM:<x@y>\r\n", wantSize: 40, bareLF: 2, after: "QUIT",
		},
		{
			name:  "smuggling: <LF>.<CRLF> is text",
			input: "a\r\nb\n.\r\nc\r\n.\r\nQUIT\r\n",
			want:  "a\r\nb\r\n.\r\nc\r\n", wantSize: 12, bareLF: 1, after: "QUIT",
		},
		{
			name:  "smuggling: <CRLF>.<LF> is text",
			input: "a\r\n.\nc\r\n.\r\nQUIT\r\n",
			want:  "a\r\n.\r\nc\r\n", wantSize: 9, bareLF: 1, after: "QUIT",
		},
		{
			// RFC 5321 section 4.5.3.1.6 counts the line without its
			// stuffing dot
			name:    "stuffed line of 1000 octets is fine",
			input:   "." + strings.Repeat(".", 998) + "\r\n.\r\nQUIT\r\n",
			maxLine: 1000, want: strings.Repeat(".", 998) + "\r\n", wantSize: 1000, after: "QUIT",
		},
		{
			name:    "stuffed line of 1001 octets is too long",
			input:   "." + strings.Repeat("z", 999) + "\r\n.\r\nQUIT\r\n",
			maxLine: 1000, wantErr: wire.ErrLineTooLong, wantSize: 0, after: "QUIT",
		},
		{
			name:  "empty message",
			input: ".\r\nQUIT\r\n",
			want:  "", after: "QUIT",
		},
		{
			name:    "too long line drained",
			input:   "ok\r\n" + strings.Repeat("z", 1001) + "\r\nmore\r\n.\r\nQUIT\r\n",
			maxLine: 1000, want: "ok\r\n", wantErr: wire.ErrLineTooLong, wantSize: 10, after: "QUIT",
		},
		{
			name:    "line of exactly 1000 octets is fine",
			input:   strings.Repeat("z", 998) + "\r\n.\r\nQUIT\r\n",
			maxLine: 1000, want: strings.Repeat("z", 998) + "\r\n", wantSize: 1000, after: "QUIT",
		},
		{
			name:    "too big drained",
			input:   "0123456789\r\n0123456789\r\n.\r\nQUIT\r\n",
			maxSize: 20, want: "0123456789\r\n", wantErr: wire.ErrTooBig, wantSize: 24, after: "QUIT",
		},
		{
			name:    "connection ends in data",
			input:   "half a message\r\n",
			want:    "half a message\r\n",
			wantErr: io.ErrUnexpectedEOF, wantSize: 16,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := wire.NewReader(strings.NewReader(tt.prelude+tt.input), tt.maxLine)
			if tt.prelude != "" {
				if _, err := r.ReadLine(); err != nil {
					t.Fatal(err)
				}
			}
			d := wire.NewDataReader(r, tt.maxSize)
			got, readErr := io.ReadAll(d)
			err := d.Drain()
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Drain() = %v, want %v (ReadAll: %v)", err, tt.wantErr, readErr)
			}
			if tt.wantErr == nil && readErr != nil {
				t.Errorf("ReadAll: %v", readErr)
			}
			if d.Size() != tt.wantSize {
				t.Errorf("Size() = %d, want %d", d.Size(), tt.wantSize)
			}
			if d.BareLFs() != tt.bareLF {
				t.Errorf("BareLFs() = %d, want %d", d.BareLFs(), tt.bareLF)
			}
			if tt.after != "" {
				l, err := r.ReadLine()
				if err != nil || string(l.Text) != tt.after {
					t.Errorf("line after data = %q, %v; want %q", l.Text, err, tt.after)
				}
			}
		})
	}
}

func TestDotWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"empty", nil, ".\r\n"},
		{"crlf message", []string{"a\r\nb\r\n"}, "a\r\nb\r\n.\r\n"},
		{"no final newline", []string{"a\r\nb"}, "a\r\nb\r\n.\r\n"},
		{"stuffing", []string{".x\r\n..\r\n.\r\nmid.dle\r\n"}, "..x\r\n...\r\n..\r\nmid.dle\r\n.\r\n"},
		{"bare lf becomes crlf", []string{"a\nb\n"}, "a\r\nb\r\n.\r\n"},
		{"split crlf across writes", []string{"a\r", "\n.b\r", "\n"}, "a\r\n..b\r\n.\r\n"},
		{"dot at start of a later write", []string{"a\r\n", ".", "b\r\n"}, "a\r\n..b\r\n.\r\n"},
		{"bare cr kept", []string{"a\rb\r\n"}, "a\rb\r\n.\r\n"},
		{"trailing bare cr", []string{"a\r"}, "a\r\r\n.\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			bw := bufio.NewWriter(&out)
			d := wire.NewDotWriter(bw)
			for _, c := range tt.chunks {
				if _, err := d.Write([]byte(c)); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			bw.Flush()
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("written (-want +got):\n%s", diff)
			}
		})
	}
}

// dotStuffed is what DotWriter writes for s, worked out line by line.
func dotStuffed(s string) string {
	var out strings.Builder
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		last := i == len(lines)-1
		if last && l == "" {
			break
		}
		if !last {
			l = strings.TrimSuffix(l, "\r")
		}
		if strings.HasPrefix(l, ".") {
			out.WriteByte('.')
		}
		out.WriteString(l + "\r\n")
	}
	return out.String() + ".\r\n"
}

// Random text of dots, CRs and LFs, written in random pieces through small
// and big buffers, comes out as dotStuffed says.
func TestDotWriterRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	alphabet := "ab..\r\n\n"
	for i := range 3000 {
		text := make([]byte, rng.IntN(200))
		for j := range text {
			text[j] = alphabet[rng.IntN(len(alphabet))]
		}
		for _, size := range []int{16, 4096} {
			var out bytes.Buffer
			bw := bufio.NewWriterSize(&out, size)
			d := wire.NewDotWriter(bw)
			for rest := text; len(rest) > 0; {
				n := 1 + rng.IntN(len(rest))
				if _, err := d.Write(rest[:n]); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			bw.Flush()
			if diff := cmp.Diff(dotStuffed(string(text)), out.String()); diff != "" {
				t.Fatalf("text %d %q through a buffer of %d (-want +got):\n%s", i, text, size, diff)
			}
		}
	}
}

// A message written with DotWriter and read back with DataReader is the same.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	msg := "From: a@b\r\n\r\n.\r\n..\r\nline\r\n.end\r\n"
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	d := wire.NewDotWriter(bw)
	d.Write([]byte(msg))
	d.Close()
	bw.Flush()
	got, err := io.ReadAll(wire.NewDataReader(wire.NewReader(&out, 1000), 0))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(msg, string(got)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
