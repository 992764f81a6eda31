package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
	"maillab/lab/lineclient"
	"maillab/server/group"
	"maillab/server/journal"
)

// toolUsers are the accounts of the group servers these tests start.
var toolUsers = map[string]string{"yom": "tanstaaf", "hana": "p@ss:w0rd!"}

// toolServer is a real group server for the tests of lab telnet and lab
// replay.
type toolServer struct {
	root     string // the data root
	data     *group.Data
	srv      *group.Server
	smtpHost string
	smtpPort string
	popHost  string
	popPort  string
}

// startToolServer runs group 3's server with a fresh data root on loopback
// ports of its own. A client from 127.0.1.N is group N's. The server is
// stopped at the end of the test, or by stop.
func startToolServer(t *testing.T) *toolServer {
	t.Helper()
	root := t.TempDir()
	data, err := group.OpenData(root, 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{
		Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0",
		ClientGroup: func(ip net.IP) int {
			if ip4 := ip.To4(); ip4 != nil && ip4[0] == 127 && ip4[1] == 0 && ip4[2] == 1 {
				return int(ip4[3])
			}
			return 0
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"yom", "hana"} {
		if err := data.AddUser(name, toolUsers[name], srv.Journal()); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	s := &toolServer{root: root, data: data, srv: srv}
	s.smtpHost, s.smtpPort, _ = net.SplitHostPort(srv.SMTPAddr().String())
	s.popHost, s.popPort, _ = net.SplitHostPort(srv.POP3Addr().String())
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down, so that its journal is complete.
func (s *toolServer) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// events returns the journal's events of kind, in order.
func (s *toolServer) events(t *testing.T, kind string) []journal.Event {
	t.Helper()
	all, err := journal.ReadFile(s.data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Event
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// commandLines returns the command lines the server received, in order.
func (s *toolServer) commandLines(t *testing.T, proto string) []string {
	t.Helper()
	var out []string
	for _, e := range s.events(t, journal.Command) {
		if e.Proto == proto {
			out = append(out, e.Line)
		}
	}
	return out
}

var enUS = map[string]string{"LANG": "en_US.UTF-8"}

// inOrder checks that lines holds lines matching each regular expression
// of want, in that order (other lines may come between).
func inOrder(t *testing.T, what string, lines []string, want ...string) {
	t.Helper()
	i := 0
	for _, l := range lines {
		if i < len(want) && regexp.MustCompile(want[i]).MatchString(l) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("%s: no line matching %q after the first %d; got:\n%s", what, want[i], i, strings.Join(lines, "\n"))
	}
}

// split parts the output of lab telnet into the lines typed ("> …",
// without the marker) and the server's lines.
func split(out string) (typed, server []string) {
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if s, ok := strings.CutPrefix(l, lineclient.TypedMarker); ok {
			typed = append(typed, s)
		} else {
			server = append(server, l)
		}
	}
	return typed, server
}

// A whole POP3 session with USER/PASS, typed into stdin: both sides are
// shown, and the server got each command as it was typed.
func TestTelnetPOP3Session(t *testing.T) {
	t.Parallel()
	s := startToolServer(t)
	input := "user yom\npass tanstaaf\nlist\nretr 1\nquit\n"
	code, out, errOut := runLab(t, input, enUS, "telnet", s.popHost, s.popPort)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	typed, server := split(out)
	if diff := cmp.Diff([]string{"user yom", "pass tanstaaf", "list", "retr 1", "quit"}, typed); diff != "" {
		t.Errorf("typed lines shown (-want +got):\n%s", diff)
	}
	inOrder(t, "server lines", server,
		`^\+OK maillab POP3 server ready <\d+\.\d+@g3\.lab\.test>$`,
		`^\+OK password required for yom$`,
		`^\+OK yom's maildrop has 1 message \(\d+ octets\)$`,
		`^\+OK 1 message \(\d+ octets\)$`,
		`^1 \d+$`,
		`^\.$`,
		`^\+OK \d+ octets$`,
		`^X-Maillab-Origin: welcome$`,
		`^\.$`,
		`^\+OK maillab POP3 server signing off \(1 message left\)$`,
	)
	inOrder(t, "stderr", strings.Split(errOut, "\n"),
		`^Trying 127\.0\.0\.1 port \d+\.\.\.$`,
		`^Connected to 127\.0\.0\.1 port \d+ \(from 127\.0\.0\.1\)\.$`,
		`^Connection closed by foreign host\.$`,
	)
	s.stop(t)
	if diff := cmp.Diff([]string{"user yom", "pass ****", "list", "retr 1", "quit"}, s.commandLines(t, "pop3")); diff != "" {
		t.Errorf("commands the server got (-want +got):\n%s", diff)
	}
	if logins := s.events(t, journal.Login); len(logins) != 1 || logins[0].Result != journal.ResultOK {
		t.Errorf("logins: %+v", logins)
	}
}

// An SMTP session typed into stdin delivers the message, and every line
// went with CRLF: the server saw no bare LF.
func TestTelnetSMTPSession(t *testing.T) {
	t.Parallel()
	s := startToolServer(t)
	input := "helo pc1.g1.lab.test\n" +
		"mail from:<hana@g3.lab.test>\n" +
		"rcpt to:<yom@g3.lab.test>\n" +
		"data\n" +
		"From: hana@g3.lab.test\n" +
		"To: yom@g3.lab.test\n" +
		"Subject: by lab telnet\n" +
		"\n" +
		"typed line by line\n" +
		"..a line that starts with a dot\n" +
		".\n" +
		"quit\n"
	code, out, errOut := runLab(t, input, map[string]string{"LANG": "ja_JP.UTF-8"}, "telnet", s.smtpHost, s.smtpPort)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	typed, server := split(out)
	want := strings.Split(strings.TrimSuffix(input, "\n"), "\n")
	if diff := cmp.Diff(want, typed); diff != "" {
		t.Errorf("typed lines shown (-want +got):\n%s", diff)
	}
	inOrder(t, "server lines", server,
		`^220 g3\.lab\.test ESMTP maillab$`,
		`^250 g3\.lab\.test$`,
		`^250 2\.1\.0 Ok$`,
		`^250 2\.1\.5 Ok$`,
		`^354 End data with <CR><LF>\.<CR><LF>$`,
		`^250 2\.0\.0 Ok: queued as [0-9A-F]+$`,
		`^221 2\.0\.0 Bye$`,
	)
	inOrder(t, "stderr", strings.Split(errOut, "\n"),
		`^127\.0\.0\.1 のポート \d+ に接続しています…$`,
		`^Connection closed by foreign host\.$`,
		`^（相手のサーバが接続を閉じました）$`,
	)
	s.stop(t)
	data := s.events(t, journal.Data)
	if len(data) != 1 || data[0].Count != 0 || data[0].Reason != "" {
		t.Errorf("the server saw bare LFs: %+v", data)
	}
	msgs, err := s.data.Mailbox("yom").List()
	if err != nil || len(msgs) != 2 {
		t.Fatalf("yom has %d messages (%v), want 2", len(msgs), err)
	}
	b, err := os.ReadFile(filepath.Join(string(s.data.Mailbox("yom")), msgs[1].Name))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), "\nSubject: by lab telnet\n\ntyped line by line\n.a line that starts with a dot\n") {
		t.Errorf("delivered message:\n%s", b)
	}
}

// rawServer is a tiny real server: it sends greeting, records every byte
// the client sends, and when it has seen a line "QUIT" answers bye and
// closes (or never closes when bye is "").
func rawServer(t *testing.T, greeting, bye string) (addr string, got <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			ch <- nil
			return
		}
		defer c.Close()
		io.WriteString(c, greeting)
		var buf bytes.Buffer
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			buf.WriteString(line)
			if err != nil {
				break
			}
			if strings.EqualFold(strings.TrimRight(line, "\r\n"), "QUIT") && bye != "" {
				io.WriteString(c, bye)
				break
			}
		}
		ch <- buf.Bytes()
	}()
	return ln.Addr().String(), ch
}

// Every line goes out with CRLF, whatever ended it in the input: LF, CRLF,
// or nothing at the end of the input.
func TestTelnetSendsCRLF(t *testing.T) {
	t.Parallel()
	addr, got := rawServer(t, "+OK hello\r\n", "+OK bye\r\n")
	host, port, _ := net.SplitHostPort(addr)
	code, out, errOut := runLab(t, "user yom\n\nnoop\r\nlist 1\r\nQUIT", enUS, "telnet", host, port)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if diff := cmp.Diff("user yom\r\n\r\nnoop\r\nlist 1\r\nQUIT\r\n", string(<-got)); diff != "" {
		t.Errorf("bytes on the wire (-want +got):\n%s", diff)
	}
}

// --bind sets the address the server sees: on one machine, 127.0.1.2 is
// group 2's host.
func TestTelnetBind(t *testing.T) {
	t.Parallel()
	s := startToolServer(t)
	code, out, errOut := runLab(t, "quit\n", enUS, "telnet", s.popHost, s.popPort, "--bind", "127.0.1.2")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "(from 127.0.1.2)") {
		t.Errorf("stderr: %s", errOut)
	}
	s.stop(t)
	opens := s.events(t, journal.Open)
	if len(opens) != 1 {
		t.Fatalf("opens: %+v", opens)
	}
	host, _, _ := net.SplitHostPort(opens[0].Remote)
	if host != "127.0.1.2" || opens[0].ClientGroup != 2 {
		t.Errorf("the server saw %s (group %d), want 127.0.1.2 (group 2)", opens[0].Remote, opens[0].ClientGroup)
	}
}

// A connection that cannot be made is explained, exit 1; bad usage is
// exit 2.
func TestTelnetErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closedPort, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close() // nothing listens there now
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		want     string
	}{
		{"refused", enUS, []string{"telnet", "127.0.0.1", closedPort}, 1,
			"lab: cannot connect to 127.0.0.1 port " + closedPort + ": connection refused (no server listens on that port). Is the server (lab start) running?"},
		{"refused in Japanese", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"telnet", "127.0.0.1", closedPort}, 1,
			"lab: 127.0.0.1 のポート " + closedPort + " に接続できません: 接続を拒否されました"},
		{"bind to an address not of this machine", enUS, []string{"telnet", "127.0.0.1", closedPort, "--bind", "192.0.2.7"}, 1,
			"lab: cannot connect from 192.0.2.7: "},
		{"no port", enUS, []string{"telnet", "127.0.0.1"}, 2, "lab: give the host and the port (e.g. lab telnet 127.0.0.1 1110)"},
		{"no arguments", enUS, []string{"telnet"}, 2, "lab: give the host and the port"},
		{"three arguments", enUS, []string{"telnet", "a", "1", "2"}, 2, "lab: give the host and the port"},
		{"bad port", enUS, []string{"telnet", "127.0.0.1", "pop-three"}, 2, `lab: "pop-three" is not a port`},
		{"port out of range", enUS, []string{"telnet", "127.0.0.1", "70000"}, 2, `lab: "70000" is not a port`},
		{"bad bind", enUS, []string{"telnet", "127.0.0.1", "1110", "--bind", "group2"}, 2, `lab: --bind wants an IP address of this machine, such as 127.0.1.2 (not "group2")`},
		{"bad bind in Japanese", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"telnet", "127.0.0.1", "1110", "--bind", "x"}, 2, "--bind にはこのマシンの IP アドレス"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runLab(t, "", tt.vars, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, tt.wantCode, tt.want)
			}
		})
	}
}

func TestBindAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" for nil
	}{
		{"127.0.1.2", "127.0.1.2:0"},
		{"127.0.1.2:4000", "127.0.1.2:4000"},
		{"::1", "[::1]:0"},
		{"[::1]:4000", "[::1]:4000"},
		{"localhost", ""},
		{"127.0.1.2:x", ""},
		{"127.0.1.2:70000", ""},
	}
	for _, tt := range tests {
		got := ""
		if a := bindAddr(tt.in); a != nil {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("bindAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A person at a terminal (a real pty, driven by expect): the typed line is
// edited locally (backspace) and marked with the prompt, an earlier line
// comes back with the up arrow, server lines are in colour, and the end
// is telnet's.
func TestTelnetAtATerminal(t *testing.T) {
	t.Parallel()
	expect := testenv.NeedTool(t, "expect")
	s := startToolServer(t)
	script := filepath.Join(t.TempDir(), "session.exp")
	if err := os.WriteFile(script, []byte(terminalSession), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, expect, script, os.Args[0], s.popHost, s.popPort, toolUsers["yom"])
	cmd.Env = append(os.Environ(), "LAB_TEST_MAIN=1", "LANG=en_US.UTF-8", "TERM=xterm", "NO_COLOR=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASSED") {
		t.Fatalf("expect: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\x1b[32m+OK password required for yom\x1b[0m") {
		t.Errorf("server lines are not green:\n%q", out)
	}
	s.stop(t)
	// what the server got: the edited line, and list twice (the second
	// from the history)
	if diff := cmp.Diff([]string{"user yom", "pass ****", "list", "list", "quit"}, s.commandLines(t, "pop3")); diff != "" {
		t.Errorf("commands the server got (-want +got):\n%s", diff)
	}
}

// terminalSession is the expect script of TestTelnetAtATerminal.
// Arguments: the lab binary, host, port, yom's password.
const terminalSession = `
set timeout 20
lassign $argv lab host port pass
proc want {re what} {
    expect {
        -re $re {}
        timeout { puts "\nFAIL: $what: timed out"; exit 1 }
        eof { puts "\nFAIL: $what: ended"; exit 1 }
    }
}
spawn $lab telnet $host $port
want {\+OK maillab POP3 server ready <[^>]+>} greeting
want {> } prompt
# a typo mended with backspace before Enter
send "usxx\x7f\x7fer yom\r"
want {\+OK password required for yom} user
send "pass $pass\r"
want {\+OK yom's maildrop has 1 message} pass
send "list\r"
want {\+OK 1 message} list
# the up arrow brings "list" back
send "\033\[A\r"
want {\+OK 1 message} "list again"
send "quit\r"
want {Connection closed by foreign host\.} quit
expect eof
puts "\nPASSED"
`
