package smtp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/smtp"
)

// TestSTARTTLSDiscardsInjectedCommands sends commands in the same write as
// STARTTLS, before the handshake (CVE-2011-0411): none of them may be run,
// not before TLS and not inside it.
func TestSTARTTLSDiscardsInjectedCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		injected string
	}{
		{"mail", "MAIL FROM:<evil@g1.lab.test>\r\n"},
		{"a whole message", "MAIL FROM:<evil@g1.lab.test>\r\nRCPT TO:<b@g1.lab.test>\r\nDATA\r\nevil\r\n.\r\n"},
		{"ehlo", "EHLO evil\r\n"},
		{"half a line", "MAIL FR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			serverTLS, clientTLS := tlsConfigs(t)
			b := new(fakeBackend)
			ts := newServer(t, b, func(s *smtp.Server) { s.TLSConfig = serverTLS })
			c := dial(t, ts.addr)
			c.readReply()
			c.send("EHLO client.example")
			c.readReply()
			c.write("STARTTLS\r\n" + tt.injected)
			c.expect("220 2.0.0 Ready to start TLS")
			tc := tls.Client(c.nc, clientTLS)
			if err := tc.Handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			c.nc, c.r = tc, bufio.NewReader(tc)
			// The first reply inside TLS must be RCPT's: nothing injected
			// was answered, and no transaction was started.
			c.cmd("RCPT TO:<b@g1.lab.test>", "503 5.5.1 Need MAIL before RCPT")
			c.cmd("QUIT", "221 2.0.0 Bye")
			s := b.session(0)
			waitLogout(t, s)
			want := []string{`Hello("client.example", true)`, "TLS(TLS 1.3)", "Logout()"}
			if diff := cmp.Diff(want, s.Calls()); diff != "" {
				t.Errorf("backend calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSTARTTLSHandshake checks which clients get TLS: TLS 1.2 and 1.3 do;
// TLS 1.1, or a client that goes on in plain text, is dropped, and the
// session says so to its tracer.
func TestSTARTTLSHandshake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxVersion uint16 // 0: no handshake, a command line instead
		want       string
	}{
		{"TLS 1.3", tls.VersionTLS13, "TLS(TLS 1.3)"},
		{"TLS 1.2", tls.VersionTLS12, "TLS(TLS 1.2)"},
		{"TLS 1.1", tls.VersionTLS11, "TLS(failed)"},
		{"plain text", 0, "TLS(failed)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			serverTLS, clientTLS := tlsConfigs(t)
			b := new(fakeBackend)
			ts := newServer(t, b, func(s *smtp.Server) { s.TLSConfig = serverTLS })
			c := dial(t, ts.addr)
			c.readReply()
			c.send("EHLO client.example")
			c.readReply()
			c.cmd("STARTTLS", "220 2.0.0 Ready to start TLS")
			if tt.maxVersion == 0 {
				c.send("MAIL FROM:<a@g1.lab.test>")
				c.expectClosed()
			} else {
				clientTLS.MinVersion, clientTLS.MaxVersion = tls.VersionTLS10, tt.maxVersion
				tc := tls.Client(c.nc, clientTLS)
				err := tc.Handshake()
				if ok := !strings.Contains(tt.want, "failed"); (err == nil) != ok {
					t.Fatalf("handshake: %v, want success %v", err, ok)
				}
				if err == nil {
					c.nc, c.r = tc, bufio.NewReader(tc)
					c.cmd("QUIT", "221 2.0.0 Bye")
				}
			}
			s := b.session(0)
			waitLogout(t, s)
			want := []string{`Hello("client.example", true)`, tt.want, "Logout()"}
			if diff := cmp.Diff(want, s.Calls()); diff != "" {
				t.Errorf("backend calls (-want +got):\n%s", diff)
			}
		})
	}
}

// Shutdown wakes a session waiting inside TLS and tells the client so,
// over TLS.
func TestShutdownInsideTLS(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := tlsConfigs(t)
	b := new(fakeBackend)
	ts := newServer(t, b, func(s *smtp.Server) { s.TLSConfig = serverTLS })
	c := helloed(t, ts.addr)
	c.cmd("STARTTLS", "220 2.0.0 Ready to start TLS")
	tc := tls.Client(c.nc, clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	c.send("EHLO client.example")
	c.readReply()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown() = %v, want nil", err)
	}
	c.expect("421 4.3.2 Service shutting down")
	c.expectClosed()
}
