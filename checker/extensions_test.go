package checker_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker"
	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/internal/testenv"
	evsum "maillab/server/evidence"
)

// outcome is what a test compares of a result.
type outcome struct {
	Passed bool
	Detail string
}

// medianOf is the measured pace in a detail, which varies from run to run.
var medianOf = regexp.MustCompile(`median of [^ ]+ `)

func outcomes(got map[string]checker.Result) map[string]outcome {
	out := map[string]outcome{}
	for id, r := range got {
		out[id] = outcome{r.Passed, medianOf.ReplaceAllString(r.Detail, "median of PACE ")}
	}
	return out
}

// The extension exercises in a 3-group class with TLS: sessions typed by
// hand through STLS and STARTTLS pass tls-telnet; lab crack's record and
// a later STLS login pass apop-weakness; each missing step is explained.
func TestExtensionsTyped(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{TLS: true})
	g1, g2, g3 := lab.Groups[1], lab.Groups[2], lab.Groups[3]
	steps := []struct {
		name string
		do   func()
		g    int
		want map[string]outcome
	}{
		{"nothing yet", func() {}, 3, map[string]outcome{
			"tls-telnet":    {false, "There is no session over TLS yet. Connect with openssl s_client -starttls pop3 -crlf -connect HOST:PORT and type the commands by hand, one at a time."},
			"apop-weakness": {false, "No test account's APOP digest has been broken with lab crack yet. Make weak1 with lab crack --setup --group 3, log in with apop weak1 … in telnet, and give the copied lines to lab crack --group 3."},
		}},
		{"plain telnet", func() {
			checkertest.Type(t, checkertest.Session{From: g2.Host, Addr: g2.POP3Addr(), Delay: pause,
				Lines: []string{"user yom", "pass " + g2.Passwords["yom"], "retr 1", "quit"}})
		}, 2, map[string]outcome{
			"tls-telnet":    {false, "There is a POP3 session, but it never switched to TLS with STLS. Use openssl s_client -starttls pop3 instead of telnet."},
			"apop-weakness": {false, "No test account's APOP digest has been broken with lab crack yet. Make weak1 with lab crack --setup --group 2, log in with apop weak1 … in telnet, and give the copied lines to lab crack --group 2."},
		}},
		{"STLS without quit", func() {
			checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(), Delay: pause,
				Lines: []string{"stls", "<tls>", "user yom", "pass " + g3.Passwords["yom"], "retr 1", "<close>"}})
		}, 3, map[string]outcome{
			"tls-telnet":    {false, "The session inside TLS did everything but did not end with quit."},
			"apop-weakness": {false, "No test account's APOP digest has been broken with lab crack yet. Make weak1 with lab crack --setup --group 3, log in with apop weak1 … in telnet, and give the copied lines to lab crack --group 3."},
		}},
		{"cracked, no STLS after", func() {
			if err := evsum.RecordCrack(g3.Data.Dir, 3, evsum.Crack{User: "weak1", Time: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}, 3, map[string]outcome{
			"tls-telnet":    {false, "The session inside TLS did everything but did not end with quit."},
			"apop-weakness": {false, "lab crack found the password of weak1. Now connect with openssl s_client -starttls pop3 -crlf and log in inside STLS (only a session after lab crack counts)."},
		}},
		{"STLS login after the crack", func() {
			checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(), Delay: pause,
				Lines: []string{"stls", "<tls>", "user yom", "pass " + g3.Passwords["yom"], "retr 1", "quit"}})
		}, 3, map[string]outcome{
			"tls-telnet":    {true, "After STLS you logged in as yom inside TLS and read a message (a median of PACE between commands)."},
			"apop-weakness": {true, "lab crack recovered the password of weak1 from its APOP digest, and afterwards you logged in inside STLS."},
		}},
		{"STLS at a program's pace", func() {
			checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.POP3Addr(),
				Lines: []string{"stls", "<tls>", "user yom", "pass " + g1.Passwords["yom"], "retr 1", "quit"}})
		}, 1, map[string]outcome{
			"tls-telnet":    {false, "A session has every step but went too fast to be typed by hand, so it does not count (a median of PACE between commands; at least 75ms is needed). A mail program or a paste does not count: type the commands into telnet one at a time."},
			"apop-weakness": {false, "No test account's APOP digest has been broken with lab crack yet. Make weak1 with lab crack --setup --group 1, log in with apop weak1 … in telnet, and give the copied lines to lab crack --group 1."},
		}},
		{"sent in the clear, STARTTLS after", func() {
			checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.SMTPAddr(), Delay: pause,
				Lines: []string{"ehlo pc1.example", "mail from:<yom@g1.lab.test>", "rcpt to:<hana@g1.lab.test>", "data",
					"Subject: in the clear", "", "hello", ".", "starttls", "<tls>", "quit"}})
		}, 1, map[string]outcome{
			"tls-telnet":    {false, "The session switched to TLS with STARTTLS but no message was accepted inside TLS: start again with ehlo, then mail from, rcpt to, data, the message and a lone \".\"."},
			"apop-weakness": {false, "No test account's APOP digest has been broken with lab crack yet. Make weak1 with lab crack --setup --group 1, log in with apop weak1 … in telnet, and give the copied lines to lab crack --group 1."},
		}},
		{"STARTTLS typed", func() {
			checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.SMTPAddr(), Delay: pause,
				Lines: []string{"ehlo pc1.example", "starttls", "<tls>", "ehlo pc1.example", "mail from:<yom@g1.lab.test>",
					"rcpt to:<hana@g2.lab.test>", "data", "Subject: over TLS", "", "hello", ".", "quit"}})
		}, 1, map[string]outcome{
			"tls-telnet":    {true, "After STARTTLS you sent a message from yom@g1.lab.test inside TLS (a median of PACE between commands)."},
			"apop-weakness": {false, "No test account's APOP digest has been broken with lab crack yet. Make weak1 with lab crack --setup --group 1, log in with apop weak1 … in telnet, and give the copied lines to lab crack --group 1."},
		}},
	}
	for _, st := range steps {
		st.do()
		got := outcomes(check(t, lab, st.g, "tls-telnet", "apop-weakness"))
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, diff)
		}
	}
}

// typeOpenSSL types lines into openssl s_client -starttls PROTO -crlf, one
// at a time after the TLS handshake, each after pause; it returns what
// openssl printed.
func typeOpenSSL(t *testing.T, proto, addr string, lines ...string) string {
	t.Helper()
	testenv.NeedTool(t, "openssl")
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", "s_client", "-quiet", "-crlf", "-starttls", proto, "-connect", addr)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// openssl reports the certificate once the handshake is done
	verified := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "verify return") && !once {
				once = true
				close(verified)
			}
		}
	}()
	select {
	case <-verified:
	case <-ctx.Done():
		t.Fatalf("openssl did not start TLS with %s", addr)
	}
	for _, l := range lines {
		time.Sleep(pause)
		io.WriteString(in, l+"\n")
	}
	time.Sleep(pause)
	in.Close()
	cmd.Wait()
	return out.String()
}

// A real openssl s_client -starttls pop3, typed at a human pace (from
// the server's own machine, so the group's own), passes tls-telnet; the
// greeting it prints is cut short, as the exercise says.
func TestTLSTelnetWithOpenSSL(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{3}, TLS: true, NoWeb: true})
	g3 := lab.Groups[3]
	out := typeOpenSSL(t, "pop3", g3.POP3Addr(), "user yom", "pass "+g3.Passwords["yom"], "retr 1", "quit")
	if !strings.Contains(out, "+OK yom's maildrop") {
		t.Fatalf("the openssl session did not log in:\n%s", out)
	}
	ev := checker.NewEvidence(nil)
	ev.Track(3, g3.Server.Evidence())
	r := checker.CheckOne(ev, 3, "tls-telnet", checker.Options{HandGap: threshold, Lang: i18n.En})
	got := outcome{r.Passed, medianOf.ReplaceAllString(r.Detail, "median of PACE ")}
	want := outcome{true, "After STLS you logged in as yom inside TLS and read a message (a median of PACE between commands)."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
