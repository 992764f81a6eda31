package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"

	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/server/journal"
	"maillab/server/mask"
	"maillab/server/web"
)

// hostileCase is a conversation a careless student or a hostile classmate
// might have: lines sent one after the other, each split into two TCP
// writes, then QUIT. {P} stands for yom's password, {D} for a correct APOP
// digest of the connection's challenge with it, {B} for the AUTH PLAIN
// credentials of yom, {U} and {W} for the AUTH LOGIN user and password.
type hostileCase struct {
	proto string
	lines []string
}

// hostileLines are what a careless student or a hostile classmate types:
// an IME's spaces, mistyped verbs, terminal controls, AUTH data, POP3 in
// the SMTP port, secrets in every argument, for both protocols.
var hostileLines = []hostileCase{
	// POP3: an IME's spaces, mistyped verbs, controls, AUTH, digests
	{"pop3", []string{"PASS\u3000{P}"}},
	{"pop3", []string{"USER yom", "PASS\u3000{P}"}},
	{"pop3", []string{"PASS\u00a0{P}"}},
	{"pop3", []string{"PASS\u2003{P}"}},
	{"pop3", []string{"USER taro\u3000{P}"}},
	{"pop3", []string{"USER yom {P}"}},
	{"pop3", []string{"USER {P}", "PASS {Q}"}},
	{"pop3", []string{"PAS {P}"}},
	{"pop3", []string{"PASSS {P}"}},
	{"pop3", []string{"PA\x7fSS {P}"}},
	{"pop3", []string{"USER yom", "PA\bSS {P}"}},
	{"pop3", []string{"{P}"}},
	{"pop3", []string{"X{P}"}},
	{"pop3", []string{"AUTH PLAIN {B}"}},
	{"pop3", []string{"AUTH LOGIN", "{U}", "{W}"}},
	{"pop3", []string{"AUTH PLAIN", "{B}"}},
	{"pop3", []string{"APOP yom {D}", "STAT"}},
	{"pop3", []string{"APOP\u3000yom\u3000{D}"}},
	{"pop3", []string{"APOP {D}"}},
	{"pop3", []string{"APOP yom {D} {P}"}},
	{"pop3", []string{"APOP {P} {D}"}},
	{"pop3", []string{"USER yom", "PASS {P}", "LIST"}},
	{"pop3", []string{"USER yom", "PASS {P}\x1b[2J"}},
	{"pop3", []string{"USER yom", "PASS {P}\u2028"}},
	{"pop3", []string{"NOOP \x1b]0;TITLE\x07\x1b[2J"}},
	{"pop3", []string{"NOOP \x1b]52;c;{B}\x07"}},
	{"pop3", []string{"RETR {P}"}},
	{"pop3", []string{"LIST \u202e{P}"}},
	{"pop3", []string{"HELO {P}"}},
	{"pop3", []string{"MAIL FROM:<{P}@g3.lab.test>"}},
	{"pop3", []string{"PASS {P}\x00"}},
	{"pop3", []string{"PASS {P} " + strings.Repeat("x", 300)}},
	{"pop3", []string{"PASS\t{P}"}},
	{"pop3", []string{"\xff{P}"}},
	// SMTP: POP3 typed into the wrong port, AUTH and its continuations
	{"smtp", []string{"PASS {P}"}},
	{"smtp", []string{"USER yom", "PASS {P}"}},
	{"smtp", []string{"APOP yom {D}"}},
	{"smtp", []string{"AUTH PLAIN {B}"}},
	{"smtp", []string{"AUTH LOGIN", "{U}", "{W}"}},
	{"smtp", []string{"EHLO x", "AUTH PLAIN", "{B}"}},
	{"smtp", []string{"AUTH {B}"}},
	{"smtp", []string{"HELO\u3000{P}"}},
	{"smtp", []string{"HELO x", "MAIL\u00a0FROM:<yom@g3.lab.test>\u3000{P}"}},
	{"smtp", []string{"NOOP {P}"}},
	{"smtp", []string{"NOOP \x1b]0;TITLE\x07\x1b[2J"}},
	{"smtp", []string{"NOOP \x1b]52;c;{B}\x07"}},
	{"smtp", []string{"RSET {P}"}},
	{"smtp", []string{"VRFY yom {P}"}},
	{"smtp", []string{"EXPN {P}\u2028"}},
	{"smtp", []string{"HELO x", "MAIL FROM:<yom@g3.lab.test> AUTH={B}"}},
	{"smtp", []string{"HELO x", "MAIL FROM:<yom@g3.lab.test>", "RCPT TO:<yom@g3.lab.test> {P}"}},
	{"smtp", []string{"HELO x", "MAIL FROM:<yom@g3.lab.test>", "RCPT TO:<yom@g3.lab.test>", "DATA", "Subject: body", "", "the body says {P}", "."}},
	{"smtp", []string{"DATA {P}"}},
	{"smtp", []string{"HELP {P}"}},
	{"smtp", []string{"STARTTLS {P}"}},
	{"smtp", []string{"BDAT 10 {P}"}},
	{"smtp", []string{"PASSS {P}"}},
	{"smtp", []string{"{P}"}},
	{"smtp", []string{"HE\x7fLO {P}"}},
	{"smtp", []string{"EHLO x\u202e{P}"}},
	{"smtp", []string{"NOOP {P}\x00"}},
	{"smtp", []string{"\xff{P}"}},
	{"smtp", []string{"NOOP {P} " + strings.Repeat("x", 600)}},
}

// TestNothingSecretKept feeds the hostile lines, as typed and in lower
// case, to a running `lab start`, and then looks for every secret used in
// the data folder (but the accounts file and the mail itself), in the web
// API's answers, on the console and in `lab replay` of every session; and
// for a control character on the console and in the replays.
func TestNothingSecretKept(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	_, out := labProcess(t, "start", "--group", "3", "--data", root, "--lang", "ja",
		"--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0")
	smtpAddr := readUntil(t, out, `^\s+SMTP\s+(\S+)\s+telnet `)[1]
	popAddr := readUntil(t, out, `^\s+POP3\s+(\S+)\s+telnet `)[1]
	webAddr := readUntil(t, out, `^\s+web API\s+(\S+)\s+curl `)[1]
	pw := readUntil(t, out, `^\s+yom\s+(\S+)$`)[1]
	readUntil(t, out, `Ctrl-C`)
	var console lockedBuffer
	go io.Copy(&console, out)

	const other = "8kpk8n3i" // a secret of no account
	plain := base64.StdEncoding.EncodeToString([]byte("\x00yom\x00" + pw))
	secrets := []string{pw, other, plain, base64.StdEncoding.EncodeToString([]byte(pw)),
		strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(pw)), "=")}
	var digests []string
	cases := 0
	for _, hc := range hostileLines {
		for _, lower := range []bool{false, true} {
			addr := popAddr
			if hc.proto == "smtp" {
				addr = smtpAddr
			}
			d := hostileSession(t, addr, hc, lower, pw, other, plain)
			digests = append(digests, d)
			cases += len(hc.lines)
		}
	}
	if cases < 120 {
		t.Fatalf("only %d hostile lines", cases)
	}
	secrets = append(secrets, digests...)

	// a last session, to know when the console has shown everything
	hostileSession(t, smtpAddr, hostileCase{"smtp", []string{"HELO the-end.example"}}, false, pw, other, plain)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(console.String(), "C: HELO the-end.example") {
		if time.Now().After(deadline) {
			t.Fatalf("the console never showed the last session:\n%s", console.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	places := map[string]string{"console": console.String()}

	// the data folder, but for the accounts file and the mail
	dir := filepath.Join(root, "g3")
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case d.IsDir() && (rel == "mail" || rel == "queue"):
			return filepath.SkipDir
		case d.IsDir() || strings.HasPrefix(rel, "accounts"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		places["file "+rel] = string(b)
		return nil
	})

	// the web API
	get := func(path string) string {
		resp, err := http.Get("http://" + webAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	places["/api/status"] = get("/api/status")
	var pages strings.Builder
	for next, n := int64(0), 0; ; n++ {
		body := get("/api/events?after=" + strconv.FormatInt(next, 10))
		pages.WriteString(body)
		var page web.Events
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		if !page.More || n > 1000 {
			break
		}
		next = page.Next
	}
	places["/api/events"] = pages.String()

	// lab replay of every session, in both languages
	events, err := journal.ReadFile(filepath.Join(dir, journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	sessions := map[string]bool{}
	for _, e := range events {
		if e.Kind == journal.Command {
			known := mask.Verb(mask.Words{Verb: e.Verb}) == e.Verb ||
				e.Verb == mask.Unknown || e.Verb == mask.Control || e.Verb == mask.Empty
			if !known {
				t.Errorf("journal verb %q of %q is neither a verb nor a class", e.Verb, e.Line)
			}
		}
		if e.Session != "" && !sessions[e.Session] {
			sessions[e.Session] = true
			for _, lang := range []string{"ja", "en"} {
				code, stdout, stderr := runLab(t, "", nil, "replay", e.Session, "--group", "3", "--data", root, "--lang", lang)
				if code != 0 {
					t.Fatalf("lab replay %s: %d %s", e.Session, code, stderr)
				}
				places["replay "+e.Session+" "+lang] = stdout
			}
		}
	}
	if len(sessions) < 2*len(hostileLines) {
		t.Errorf("%d sessions in the journal, want %d at least", len(sessions), 2*len(hostileLines))
	}

	for where, text := range places {
		lower := strings.ToLower(text)
		for _, s := range secrets {
			if strings.Contains(lower, strings.ToLower(s)) {
				t.Errorf("%s holds the secret %q: %s", where, s, text[max(0, strings.Index(lower, strings.ToLower(s))-200):strings.Index(lower, strings.ToLower(s))+20])
			}
		}
		if strings.Contains(lower, "the body says") {
			t.Errorf("%s holds the message body", where)
		}
		if (strings.HasPrefix(where, "console") || strings.HasPrefix(where, "replay")) &&
			!mask.Printable(strings.ReplaceAll(text, "\n", "")) {
			t.Errorf("%s has a control character: %q", where, text)
		}
	}
	// and the console explained the IME's space in Japanese
	if !strings.Contains(places["console"], "全角スペース") {
		t.Error("the console did not explain the full-width space")
	}
}

// hostileSession has one hostile conversation and returns the APOP digest
// it could send ("" for SMTP).
func hostileSession(t *testing.T, addr string, hc hostileCase, lower bool, pw, other, plain string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	greeting, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("%s greeting: %v", hc.proto, err)
	}
	challenge := "<1.2@nowhere>"
	if i := strings.IndexByte(greeting, '<'); hc.proto == "pop3" && i >= 0 {
		challenge = strings.TrimSpace(greeting[i:])
	}
	d := md5hex(challenge + pw)
	rep := strings.NewReplacer("{P}", pw, "{Q}", other, "{D}", d, "{B}", plain,
		"{U}", base64.StdEncoding.EncodeToString([]byte("yom")), "{W}", base64.StdEncoding.EncodeToString([]byte(pw)))
	lines := append(append([]string(nil), hc.lines...), "QUIT")
	for _, l := range lines {
		l = rep.Replace(l)
		if lower {
			l = strings.ToLower(l)
		}
		l += "\r\n"
		half := len(l) / 2
		if _, err := io.WriteString(c, l[:half]); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, l[half:]); err != nil {
			break // the server ended the session (too many errors)
		}
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatalf("%s %q: %v", hc.proto, hc.lines, err)
	}
	return d
}

// lockedBuffer is a buffer that one goroutine writes and another reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
