package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
	"maillab/server/certs"
	"maillab/server/journal"
)

// lab ca makes the class folder with the keys at 0600, keeps what is still
// right when run again, and issues again a certificate whose host changed.
func TestCAMakesTheClassFolder(t *testing.T) {
	t.Parallel()
	path, _ := writeClassroom(t, 2)
	dir := certs.Dir(path)
	en := map[string]string{"LANG": "en_US.UTF-8"}
	code, out, errOut := runLab(t, "", en, "ca", "--classroom", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Made the class CA: " + filepath.Join(dir, "ca.pem"), "Issued certificates for: g1, g2", "Do not hand out ca-key.pem"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	modes := map[string]os.FileMode{}
	for _, name := range []string{"ca.pem", "ca-key.pem", "g1.pem", "g1-key.pem", "g2.pem", "g2-key.pem"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		modes[name] = fi.Mode().Perm()
	}
	want := map[string]os.FileMode{"ca.pem": 0o644, "ca-key.pem": 0o600, "g1.pem": 0o644, "g1-key.pem": 0o600, "g2.pem": 0o644, "g2-key.pem": 0o600}
	if diff := cmp.Diff(want, modes); diff != "" {
		t.Errorf("file modes (-want +got):\n%s", diff)
	}
	ca1, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	g1, _ := os.ReadFile(filepath.Join(dir, "g1.pem"))

	// again, in Japanese: nothing changes
	code, out, errOut = runLab(t, "", map[string]string{"LANG": "ja_JP.UTF-8"}, "ca", "--classroom", path)
	if code != 0 || !strings.Contains(out, "クラスの CA はそのまま使います") || !strings.Contains(out, "証明書はそのままです: g1, g2") {
		t.Errorf("second run, exit %d:\n%s%s", code, out, errOut)
	}
	if ca2, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); string(ca2) != string(ca1) {
		t.Error("the second run made a new CA")
	}

	// group 1 moves to another host: only its certificate is issued again
	text, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(text), `"127.0.1.1"`, `"127.0.1.9"`, 1)), 0o644)
	code, out, _ = runLab(t, "", en, "ca", "--classroom", path)
	if code != 0 || !strings.Contains(out, "Issued certificates for: g1\n") || !strings.Contains(out, "Certificates still good: g2") {
		t.Errorf("after a host change, exit %d:\n%s", code, out)
	}
	if g1b, _ := os.ReadFile(filepath.Join(dir, "g1.pem")); string(g1b) == string(g1) {
		t.Error("group 1's certificate was not issued again")
	}

	if code, _, errOut := runLab(t, "", en, "ca"); code != 2 || !strings.Contains(errOut, "--classroom") {
		t.Errorf("without --classroom: exit %d %s", code, errOut)
	}
}

// Two groups under lab up with the class CA: mail from group 1 to group 2
// is relayed over STARTTLS (group 2's Received says ESMTPS, its journal
// has the session's tls event), openssl verifies group 2's POP3 server
// against the class CA, and no web API serves a key.
func TestUpRelaysOverTLS(t *testing.T) {
	t.Parallel()
	testenv.NeedTool(t, "openssl")
	path, c := writeClassroom(t, 2)
	if code, _, errOut := runLab(t, "", nil, "ca", "--classroom", path); code != 0 {
		t.Fatalf("lab ca: %s", errOut)
	}
	root := t.TempDir()
	_, out := labProcess(t, "up", "--classroom", path, "--data", root)
	readUntil(t, out, `^  TLS STLS/STARTTLS offered \(the class CA's certificates; verify them with `+regexp.QuoteMeta(filepath.Join(certs.Dir(path), "ca.pem")))
	pw := passwords(t, out, "Ctrl-C stops the server")
	g1, _ := c.Group(1)
	g2, _ := c.Group(2)

	r := smtpSend(t, "127.0.1.1", g1.SMTPAddr(), "EHLO pc01", "MAIL FROM:<yom@g1.lab.test>", "RCPT TO:<hana@g2.lab.test>",
		"DATA", "Subject: across, over TLS\r\n\r\nhello\r\n.", "QUIT")
	if !strings.HasPrefix(r[4], "250 2.0.0 Ok: queued as ") {
		t.Fatalf("replies %q", r)
	}
	msgs := waitMessages(t, "127.0.1.2", g2.POP3Addr(), "hana", pw["g2/hana"], 2)
	relayed := msgs[len(msgs)-1]
	if !strings.Contains(relayed, "Received: from g1.lab.test ([127.0.1.1])\n\tby g2.lab.test (maillab) with ESMTPS id ") {
		t.Errorf("the relayed message's Received fields:\n%s", relayed)
	}
	events, err := journal.ReadFile(filepath.Join(root, "g2", journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	relaySessions := map[string]bool{}
	for _, e := range events {
		if e.Kind == journal.Open && e.Proto == "smtp" && e.ClientGroup == 1 {
			relaySessions[e.Session] = true
		}
	}
	var tlsOK bool
	for _, e := range events {
		if e.Kind == journal.TLS && relaySessions[e.Session] && e.Result == journal.ResultOK && strings.HasPrefix(e.Method, "TLS 1.") {
			tlsOK = true
		}
	}
	if !tlsOK {
		t.Error("group 2's journal has no tls event of group 1's relay session")
	}

	// a student of group 1 reads group 2's mail over STLS, verified
	typed := "USER hana\nPASS " + pw["g2/hana"] + "\nSTAT\nQUIT\n"
	session := runCmd(t, typed, "openssl", "s_client", "-quiet", "-crlf", "-starttls", "pop3", "-connect", g2.POP3Addr(),
		"-CAfile", filepath.Join(certs.Dir(path), "ca.pem"), "-verify_hostname", "g2.lab.test", "-verify_return_error")
	if !strings.Contains(session, "+OK hana's maildrop has 2 messages") {
		t.Errorf("openssl session:\n%s", session)
	}

	// no key on any page of the web API
	var keys []string
	for _, name := range []string{"ca-key.pem", "g1-key.pem", "g2-key.pem"} {
		b, err := os.ReadFile(filepath.Join(certs.Dir(path), name))
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, strings.Split(strings.TrimSpace(string(b)), "\n")[1]) // a line of the key's base64
	}
	for _, g := range []string{g1.WebAddr(), g2.WebAddr()} {
		for _, p := range []string{"/api/status", "/api/events", "/api/evidence", "/", "/ca-key.pem", "/api/../ca-key.pem", "/classroom-ca/ca-key.pem"} {
			body := httpGet(t, "http://"+g+p)
			if strings.Contains(body, "PRIVATE KEY") {
				t.Errorf("%s%s serves a private key", g, p)
			}
			for _, k := range keys {
				if strings.Contains(body, k) {
					t.Errorf("%s%s serves a line of a key", g, p)
				}
			}
		}
	}
}

// httpGet returns the body of a GET, whatever its status.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A standalone lab start makes a self-signed certificate in the group's
// data folder (key 0600), prints its fingerprint, and keeps it across
// restarts.
func TestStartSelfSigned(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	fingerprint := func() string {
		cmd, out := labProcess(t, "start", "--group", "5", "--data", root, "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0")
		webAddr := readUntil(t, out, `^\s+web API\s+(\S+)\s`)[1]
		fp := readUntil(t, out, `^\s+SHA-256 ([0-9A-F:]{95})$`)[1]
		popAddr := readUntil(t, out, `openssl s_client -starttls pop3 -crlf -connect (\S+)$`)[1]
		readUntil(t, out, `Ctrl-C stops the server`)
		if _, _, err := net.SplitHostPort(popAddr); err != nil {
			t.Errorf("banner's address %q: %v", popAddr, err)
		}
		// the key is in the data folder the web API reads: it must not serve it
		key, err := os.ReadFile(filepath.Join(root, "g5", certs.SelfKeyFile))
		if err != nil {
			t.Fatal(err)
		}
		keyLine := strings.Split(strings.TrimSpace(string(key)), "\n")[1]
		for _, p := range []string{"/api/status", "/api/events", "/api/evidence", "/", "/" + certs.SelfKeyFile, "/g5/" + certs.SelfKeyFile, "/api/../" + certs.SelfKeyFile} {
			if body := httpGet(t, "http://"+webAddr+p); strings.Contains(body, "PRIVATE KEY") || strings.Contains(body, keyLine) {
				t.Errorf("%s serves the key", p)
			}
		}
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		return fp
	}
	first := fingerprint()
	fi, err := os.Stat(filepath.Join(root, "g5", certs.SelfKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the key's mode is %v, want 0600", fi.Mode().Perm())
	}
	if second := fingerprint(); second != first {
		t.Errorf("the fingerprint changed across a restart: %s, then %s", first, second)
	}
}

// A class certificate that no longer fits its group (the host changed in
// the classroom file, lab ca not run again) stops lab start with exit 1
// and a message that says how to fix it.
func TestStartRefusesAWrongClassCertificate(t *testing.T) {
	t.Parallel()
	path, _ := writeClassroom(t, 1)
	if code, _, errOut := runLab(t, "", nil, "ca", "--classroom", path); code != 0 {
		t.Fatalf("lab ca: %s", errOut)
	}
	text, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(text), `"127.0.1.1"`, `"127.0.1.7"`, 1)), 0o644)
	cmd, out := labProcess(t, "start", "--group", "1", "--classroom", path, "--data", t.TempDir())
	readUntil(t, out, `cannot use the group's certificate: .*not for 127\.0\.1\.7`)
	readUntil(t, out, `lab ca --classroom `+regexp.QuoteMeta(path))
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("lab start: %v, want exit status 1", err)
	}
}
