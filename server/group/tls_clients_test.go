package group_test

// Real clients negotiating TLS with a group server: openssl s_client
// -starttls (typed through a pipe), curl --ssl-reqd, swaks -tls, Python's
// poplib.stls() and smtplib.starttls(). Each verifies the server's
// certificate against the class CA.

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maillab/server/certs"
	"maillab/server/group"
	"maillab/server/journal"
)

// tlsServer is a test server with a certificate of a class CA, and that
// CA's file for the clients.
type tlsServer struct {
	*testServer
	caFile string
}

// startTLSServer runs group 3's server, as startServer does, with a
// certificate for g3.lab.test and 127.0.0.1 issued by a class CA.
func startTLSServer(t *testing.T) *tlsServer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "classroom-ca")
	spec := certs.GroupSpec{ID: 3, Domain: "g3.lab.test", Host: net.IPv4(127, 0, 0, 1)}
	if _, err := certs.MakeClass(dir, "test class", []certs.GroupSpec{spec}, time.Now()); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := certs.GroupFiles(3)
	pair, err := certs.LoadPair(filepath.Join(dir, certFile), filepath.Join(dir, keyFile), spec, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	setup := &certs.Setup{Certificate: pair}
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0", TLS: setup.ServerConfig()})
	if err != nil {
		t.Fatal(err)
	}
	for name, pw := range testUsers {
		if err := data.AddUser(name, pw, srv.Journal()); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		assertNoSecrets(t, data)
	})
	ts := &testServer{srv: srv, data: data}
	ts.smtpHost, ts.smtpPort, _ = net.SplitHostPort(srv.SMTPAddr().String())
	ts.popHost, ts.popPort, _ = net.SplitHostPort(srv.POP3Addr().String())
	return &tlsServer{testServer: ts, caFile: filepath.Join(dir, certs.CAFile)}
}

// tlsEvents returns the journal's tls events of a protocol, once the
// sessions have closed.
func tlsEvents(t *testing.T, data *group.Data, proto string) []journal.Event {
	t.Helper()
	var out []journal.Event
	for _, e := range events(t, data, journal.TLS) {
		if e.Proto == proto {
			out = append(out, e)
		}
	}
	return out
}

// wantTLSSession checks that the journal recorded a successful TLS
// handshake of the protocol, with its version and cipher suite.
func wantTLSSession(t *testing.T, data *group.Data, proto string) {
	t.Helper()
	evs := tlsEvents(t, data, proto)
	if len(evs) == 0 {
		t.Fatalf("no %s tls event in the journal", proto)
	}
	for _, e := range evs {
		if e.Result != journal.ResultOK || !strings.HasPrefix(e.Method, "TLS 1.") || !strings.HasPrefix(e.Line, "TLS_") {
			t.Errorf("tls event: %+v", e)
		}
	}
}

func TestOpenSSLSTLS(t *testing.T) {
	t.Parallel()
	s := startTLSServer(t)
	typed := "USER yom\nPASS " + testUsers["yom"] + "\nSTAT\nRETR 1\nQUIT\n"
	out := runClient(t, typed, false, "openssl", "s_client", "-quiet", "-crlf", "-starttls", "pop3",
		"-connect", net.JoinHostPort(s.popHost, s.popPort), "-CAfile", s.caFile,
		"-verify_hostname", "g3.lab.test", "-verify_return_error")
	for _, want := range []string{"+OK password required for yom", "+OK yom's maildrop has 1 message", "Welcome to maillab, yom.", "signing off"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the openssl session:\n%s", want, out)
		}
	}
	wantTLSSession(t, s.data, "pop3")
}

func TestOpenSSLSTARTTLS(t *testing.T) {
	t.Parallel()
	s := startTLSServer(t)
	typed := "EHLO openssl.example\nMAIL FROM:<dave@g1.lab.test>\nRCPT TO:<yom@g3.lab.test>\nDATA\nSubject: typed over TLS\n\nhello\n.\nQUIT\n"
	out := runClient(t, typed, false, "openssl", "s_client", "-quiet", "-crlf", "-starttls", "smtp",
		"-connect", net.JoinHostPort(s.smtpHost, s.smtpPort), "-CAfile", s.caFile,
		"-verify_hostname", "g3.lab.test", "-verify_return_error")
	if !strings.Contains(out, "250 2.0.0 Ok: queued") || strings.Contains(out, "STARTTLS\r\n250") {
		t.Errorf("openssl session:\n%s", out)
	}
	got := lastMessage(t, s.data, "yom", 2)
	if !strings.Contains(got, "from openssl.example") || !strings.Contains(got, "with ESMTPS id") {
		t.Errorf("delivered:\n%s", got)
	}
	wantTLSSession(t, s.data, "smtp")
}

func TestCurlOverTLS(t *testing.T) {
	t.Parallel()
	s := startTLSServer(t)
	// POP3: curl sends STLS and refuses to go on without TLS
	url := "pop3://" + net.JoinHostPort(s.popHost, s.popPort)
	out := runClient(t, "", false, "curl", "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", s.caFile, "-u", "yom:"+testUsers["yom"], url+"/1")
	if !strings.Contains(out, "Welcome to maillab, yom.") {
		t.Errorf("curl RETR over STLS:\n%s", out)
	}
	// SMTP: STARTTLS
	url = "smtp://" + net.JoinHostPort(s.smtpHost, s.smtpPort)
	msg := "From: carol@g2.lab.test\r\nTo: hana@g3.lab.test\r\nSubject: curl over TLS\r\n\r\nhello\r\n"
	runClient(t, msg, false, "curl", "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", s.caFile, url, "--mail-from", "carol@g2.lab.test", "--mail-rcpt", "hana@g3.lab.test", "-T", "-")
	if got := lastMessage(t, s.data, "hana", 2); !strings.Contains(got, "with ESMTPS id") {
		t.Errorf("delivered:\n%s", got)
	}
	wantTLSSession(t, s.data, "pop3")
	wantTLSSession(t, s.data, "smtp")
}

func TestCurlSSLReqdWithoutCertificate(t *testing.T) {
	t.Parallel()
	s := startServer(t) // no certificate: no STLS, and curl --ssl-reqd must give up
	url := "pop3://" + net.JoinHostPort(s.popHost, s.popPort)
	out := runClient(t, "", true, "curl", "-sS", "--max-time", "20", "--ssl-reqd", "-u", "yom:"+testUsers["yom"], url+"/1")
	if strings.Contains(out, "Welcome to maillab") {
		t.Errorf("curl --ssl-reqd read mail without TLS:\n%s", out)
	}
}

func TestSwaksTLS(t *testing.T) {
	t.Parallel()
	s := startTLSServer(t)
	out := runClient(t, "", false, "swaks", "-tls", "--tls-verify", "--tls-ca-path", s.caFile,
		"--server", net.JoinHostPort(s.smtpHost, s.smtpPort), "--helo", "swaks.example",
		"--from", "dave@g1.lab.test", "--to", "yom@g3.lab.test", "--header", "Subject: swaks over TLS")
	if !strings.Contains(out, "220 2.0.0 Ready to start TLS") || !strings.Contains(out, "250 2.0.0 Ok: queued") {
		t.Errorf("swaks:\n%s", out)
	}
	if got := lastMessage(t, s.data, "yom", 2); !strings.Contains(got, "with ESMTPS id") {
		t.Errorf("delivered:\n%s", got)
	}
	wantTLSSession(t, s.data, "smtp")
}

func TestPythonOverTLS(t *testing.T) {
	t.Parallel()
	s := startTLSServer(t)
	out := runClient(t, "", false, "python3", "testdata/clients/tls_client.py", "pop3", s.popHost, s.popPort, s.caFile, "g3.lab.test", "yom", testUsers["yom"])
	for _, want := range []string{"tls TLSv1.3", "stat 1 ", "retr +OK", "signing off"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in poplib's output:\n%s", want, out)
		}
	}
	if strings.Contains(out, "'STLS'") {
		t.Errorf("CAPA still offers STLS inside TLS:\n%s", out)
	}
	out = runClient(t, "", false, "python3", "testdata/clients/tls_client.py", "smtp", s.smtpHost, s.smtpPort, s.caFile, "g3.lab.test", "dave@g1.lab.test", "", "hana@g3.lab.test")
	for _, want := range []string{"offers starttls True", "tls TLSv1.3", "offers starttls after False", "refused {}"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in smtplib's output:\n%s", want, out)
		}
	}
	wantTLSSession(t, s.data, "pop3")
	wantTLSSession(t, s.data, "smtp")
}
