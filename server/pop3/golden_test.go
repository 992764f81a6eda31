package pop3_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/pop3"
)

var update = flag.Bool("update", false, "rewrite the S: lines of testdata/*.txt from what the server says")

// TestGolden plays the conversations of testdata/*.txt against a server
// over loopback TCP. A file holds "C: " lines that are sent (with CRLF) and
// "S: " lines that must come back, exactly; "#" lines and blank lines are
// comments. A C: line in double quotes is a Go string literal, for bytes
// that a file cannot hold plainly. Two comments set up the server:
// "# challenge: <…>" (default: RFC 1939's) and "# max-errors: N" (default
// off); a third, "# tls", gives the server a certificate, and the client
// then starts TLS after a "+OK" to STLS. Every conversation starts with the
// fixture of newFixture.
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden conversations in testdata: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := parseConversation(string(data))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			serverTLS, clientTLS := tlsConfigs(t)
			if !want.tls {
				clientTLS = nil
			}
			ts := startServer(t, newFixture(), func(s *pop3.Server) {
				if want.tls {
					s.TLSConfig = serverTLS
				}
				s.Challenge = func() string { return want.challenge }
				s.MaxErrors = want.maxErrors
				if s.MaxErrors == 0 {
					s.MaxErrors = -1 // a conversation without the header: no limit
				}
			})
			got := want.play(t, ts.addr, clientTLS)
			if *update {
				if err := os.WriteFile(file, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(strings.Split(want.String(), "\n"), strings.Split(got.String(), "\n")); diff != "" {
				t.Errorf("%s (-want +got):\n%s", file, diff)
			}
		})
	}
}

// conversation is a golden file.
type conversation struct {
	challenge string
	maxErrors int
	tls       bool   // the server has a certificate
	steps     []step // steps[0] is the greeting, with no client line
	trailer   []string
}

// step is a client line and the server's lines that answer it.
type step struct {
	comments []string // comment and blank lines before it
	client   string   // as written in the file
	server   []string
}

func parseConversation(text string) (*conversation, error) {
	conv := &conversation{challenge: rfcChallenge}
	text, ok := strings.CutSuffix(text, "\n")
	if !ok {
		return nil, errors.New("no final newline")
	}
	var comments []string
	for n, line := range strings.Split(text, "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			comments = append(comments, line)
			if v, ok := strings.CutPrefix(line, "# challenge: "); ok {
				conv.challenge = v
			}
			if line == "# tls" {
				conv.tls = true
			}
			if v, ok := strings.CutPrefix(line, "# max-errors: "); ok {
				limit, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("line %d: %v", n+1, err)
				}
				conv.maxErrors = limit
			}
		case line == "C:" || strings.HasPrefix(line, "C: "):
			if len(conv.steps) == 0 {
				return nil, fmt.Errorf("line %d: C: before the greeting", n+1)
			}
			conv.steps = append(conv.steps, step{comments: comments, client: strings.TrimPrefix(line[2:], " ")})
			comments = nil
		case line == "S:" || strings.HasPrefix(line, "S: "):
			if len(conv.steps) == 0 {
				conv.steps = append(conv.steps, step{comments: comments})
				comments = nil
			}
			if comments != nil {
				return nil, fmt.Errorf("line %d: comment among S: lines", n+1)
			}
			last := &conv.steps[len(conv.steps)-1]
			last.server = append(last.server, strings.TrimPrefix(line[2:], " "))
		default:
			return nil, fmt.Errorf("line %d: neither C:, S: nor a comment: %q", n+1, line)
		}
	}
	if len(conv.steps) == 0 {
		return nil, errors.New("no greeting")
	}
	conv.trailer = comments
	return conv, nil
}

// String formats the conversation as a golden file.
func (conv *conversation) String() string {
	var b strings.Builder
	line := func(prefix, s string) {
		b.WriteString(prefix)
		if s != "" {
			b.WriteString(" " + s) // no trailing space on an empty line
		}
		b.WriteString("\n")
	}
	for i, st := range conv.steps {
		for _, c := range st.comments {
			b.WriteString(c + "\n")
		}
		if i > 0 {
			line("C:", st.client)
		}
		for _, s := range st.server {
			line("S:", s)
		}
	}
	for _, c := range conv.trailer {
		b.WriteString(c + "\n")
	}
	return b.String()
}

// play sends the client lines one at a time, each after the reply to the
// one before, and returns the conversation with what the server said. At
// the end the client stops sending, and whatever else the server says
// before closing the connection goes with the last step. With a client
// configuration, a "+OK" to STLS starts TLS.
func (conv *conversation) play(t *testing.T, addr string, clientTLS *tls.Config) *conversation {
	t.Helper()
	c := dial(t, addr)
	got := *conv
	got.steps = make([]step, len(conv.steps))
	copy(got.steps, conv.steps)
	for i := range got.steps {
		got.steps[i].server = nil
	}

	closed := false
	read := func(st *step, multi bool) {
		for !closed {
			l, err := c.readLine()
			if err != nil {
				if l != "" {
					st.server = append(st.server, fmt.Sprintf("%q (%v)", l, err))
				}
				closed = true
				return
			}
			st.server = append(st.server, l)
			if !multi || l == "." || len(st.server) == 1 && !strings.HasPrefix(l, "+OK") {
				return
			}
		}
	}
	read(&got.steps[0], false)
	for i := 1; i < len(got.steps) && !closed; i++ {
		raw := got.steps[i].client
		if strings.HasPrefix(raw, `"`) {
			var err error
			if raw, err = strconv.Unquote(raw); err != nil {
				t.Fatalf("C: %s: %v", got.steps[i].client, err)
			}
		}
		if _, err := c.nc.Write([]byte(raw + "\r\n")); err != nil {
			break
		}
		read(&got.steps[i], multiLine(raw))
		if st := got.steps[i].server; clientTLS != nil && strings.EqualFold(raw, "STLS") && len(st) == 1 && strings.HasPrefix(st[0], "+OK") {
			tc := tls.Client(c.nc, clientTLS)
			if err := tc.Handshake(); err != nil {
				t.Fatalf("TLS handshake after STLS: %v", err)
			}
			c.nc, c.r = tc, bufio.NewReader(tc)
		}
	}
	c.nc.(interface{ CloseWrite() error }).CloseWrite()
	last := &got.steps[len(got.steps)-1]
	for !closed {
		read(last, false)
	}
	return &got
}

// multiLine reports whether a positive reply to the command line is
// multi-line (RFC 1939 and RFC 2449), as a client knows it.
func multiLine(cmd string) bool {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return false
	}
	switch strings.ToUpper(f[0]) {
	case "CAPA", "RETR", "TOP":
		return true
	case "LIST", "UIDL":
		return len(f) == 1
	}
	return false
}
