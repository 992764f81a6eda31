package smtp_test

import (
	"bufio"
	"crypto/tls"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/smtp"
)

var update = flag.Bool("update", false, "rewrite the S: and B: lines of testdata/*.txt from what the server does")

// A golden conversation (testdata/*.txt) is a file of lines:
//
//	# comment (or a blank line)
//	S: a line the server sends
//	C: a line the client sends; {{N*x}} stands for N times the character x;
//	   a line in double quotes is a Go string literal sent as it is, its line
//	   end included ("a\n" for nc's bare LF); in the data after DATA a
//	   quoted "." line without S: lines is expected to be text, not the end
//	B: a call the backend got, in order, once the connection has ended
//
// The test sends each C: line with CRLF and reads one reply after it (none
// for the lines of message data between a 354 and the final "."), then reads
// to the end of the connection, and compares all that was said, and what the
// backend saw, with the file. Comments go with the C: line after them. A
// comment "# tls" before the greeting gives the server a certificate, and
// the client starts TLS after a 220 to STARTTLS.
type golden struct {
	header   []string // comments before the greeting
	greeting []string // S: lines before the first C: line
	steps    []step
	tail     []string // comments after the last reply
	backend  []string // B: lines
}

type step struct {
	comments []string
	send     string   // as written in the file
	replies  []string // S: lines after it
}

func parseGolden(t *testing.T, text string) *golden {
	t.Helper()
	g := new(golden)
	var pending []string
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if len(line) == 2 && line[1] == ':' {
			line += " " // an empty line sent or received, its space trimmed by an editor
		}
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			if len(g.greeting) == 0 && len(g.steps) == 0 {
				g.header = append(g.header, line)
			} else {
				pending = append(pending, line)
			}
		case strings.HasPrefix(line, "C: "):
			g.steps = append(g.steps, step{comments: pending, send: line[3:]})
			pending = nil
		case strings.HasPrefix(line, "S: "):
			if len(g.steps) == 0 {
				g.greeting = append(g.greeting, line[3:])
			} else {
				last := &g.steps[len(g.steps)-1]
				last.replies = append(last.replies, line[3:])
			}
		case strings.HasPrefix(line, "B: "):
			g.backend = append(g.backend, line[3:])
		default:
			t.Fatalf("line %d: %q is not a comment, C:, S: or B: line", i+1, line)
		}
	}
	g.tail = pending
	return g
}

// transcript renders the conversation without comments, for comparing.
func (g *golden) transcript() string {
	var b strings.Builder
	for _, s := range g.greeting {
		b.WriteString("S: " + s + "\n")
	}
	for _, st := range g.steps {
		b.WriteString("C: " + st.send + "\n")
		for _, s := range st.replies {
			b.WriteString("S: " + s + "\n")
		}
	}
	for _, s := range g.backend {
		b.WriteString("B: " + s + "\n")
	}
	return b.String()
}

// file renders the whole file, comments included.
func (g *golden) file() string {
	var b strings.Builder
	for _, c := range g.header {
		b.WriteString(c + "\n")
	}
	for _, s := range g.greeting {
		b.WriteString("S: " + s + "\n")
	}
	for _, st := range g.steps {
		for _, c := range st.comments {
			b.WriteString(c + "\n")
		}
		b.WriteString("C: " + st.send + "\n")
		for _, s := range st.replies {
			b.WriteString("S: " + s + "\n")
		}
	}
	for _, c := range g.tail {
		b.WriteString(c + "\n")
	}
	for _, s := range g.backend {
		b.WriteString("B: " + s + "\n")
	}
	return b.String()
}

var repeatPattern = regexp.MustCompile(`\{\{(\d+)\*(.)\}\}`)

// expand replaces {{N*x}} by N times x.
func expand(s string) string {
	return repeatPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := repeatPattern.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[1])
		return strings.Repeat(sub[2], n)
	})
}

func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden conversations in testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			t.Parallel()
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := parseGolden(t, string(text))
			got := runGolden(t, want)
			if *update {
				if err := os.WriteFile(file, []byte(got.file()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(want.transcript(), got.transcript()); diff != "" {
				t.Errorf("conversation (-want +got):\n%s", diff)
			}
		})
	}
}

// runGolden plays the C: lines of g against a fresh server and returns g
// with the S: and B: lines of what happened.
func runGolden(t *testing.T, g *golden) *golden {
	t.Helper()
	b := new(fakeBackend)
	// The files show many mistakes in a row; TestMaxErrors tests the limit.
	serverTLS, clientTLS := tlsConfigs(t)
	useTLS := slices.Contains(g.header, "# tls")
	ts := newServer(t, b, func(s *smtp.Server) {
		s.MaxErrors = -1 // off
		if useTLS {
			s.TLSConfig = serverTLS
		}
	})
	c := dial(t, ts.addr)
	got := &golden{header: g.header, tail: g.tail}
	got.greeting = c.readReply()
	inData := false
	for _, st := range g.steps {
		line := expand(st.send)
		quoted := strings.HasPrefix(line, `"`) && strings.HasSuffix(line, `"`) && len(line) > 1
		if quoted {
			raw, err := strconv.Unquote(line)
			if err != nil {
				t.Fatalf("C: %s: %v", line, err)
			}
			c.write(raw)
			line = strings.TrimRight(raw, "\r\n")
		} else {
			c.write(line + "\r\n")
		}
		expectReply := len(st.replies) > 0
		st.replies = nil
		if inData && (line != "." || quoted && !expectReply) {
			got.steps = append(got.steps, st)
			continue
		}
		st.replies = c.readReply()
		inData = strings.EqualFold(strings.TrimSpace(line), "DATA") && strings.HasPrefix(st.replies[0], "354")
		if useTLS && strings.EqualFold(line, "STARTTLS") && strings.HasPrefix(st.replies[0], "220 ") {
			tc := tls.Client(c.nc, clientTLS)
			if err := tc.Handshake(); err != nil {
				t.Fatalf("TLS handshake after STARTTLS: %v", err)
			}
			c.nc, c.r = tc, bufio.NewReader(tc)
		}
		got.steps = append(got.steps, st)
	}
	// Whatever the server says until it closes belongs to the last step.
	for {
		line, err := c.readLine()
		if err != nil {
			break
		}
		last := &got.steps[len(got.steps)-1]
		last.replies = append(last.replies, line)
	}
	s := b.session(0)
	waitLogout(t, s)
	got.backend = s.Calls()
	if logs := ts.log.String(); logs != "" {
		t.Logf("server log:\n%s", logs)
	}
	return got
}
