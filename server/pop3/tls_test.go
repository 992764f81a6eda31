package pop3_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/pop3"
)

// TestSTLSDiscardsInjectedCommands sends commands in the same write as
// STLS, before the handshake (CVE-2011-0411): none of them may be run, not
// before TLS and not inside it.
func TestSTLSDiscardsInjectedCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		injected string
	}{
		{"quit", "QUIT\r\n"},
		{"login", "USER mrose\r\nPASS tanstaaf\r\n"},
		{"capa", "CAPA\r\n"},
		{"half a line", "USER mro"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			serverTLS, clientTLS := tlsConfigs(t)
			ts := startServer(t, newFixture(), func(s *pop3.Server) { s.TLSConfig = serverTLS })
			c := greeted(t, ts)
			c.write("STLS\r\n" + tt.injected)
			if got := c.line(); got != "+OK Begin TLS negotiation" {
				t.Fatalf("STLS: %q", got)
			}
			tc := tls.Client(c.nc, clientTLS)
			if err := tc.Handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			c.nc, c.r = tc, bufio.NewReader(tc)
			// The first reply inside TLS must be PASS's: nothing injected
			// was answered, and no USER is waiting.
			if got := c.do("PASS tanstaaf"); got != "-ERR give USER first, then PASS" {
				t.Errorf("PASS after STLS = %q, want the refusal of a PASS without USER", got)
			}
			if got := c.do("QUIT"); !strings.HasPrefix(got, "+OK") {
				t.Errorf("QUIT: %q", got)
			}
			s := ts.be.waitSession(t)
			s.mu.Lock()
			commands := slices.Clone(s.commands)
			s.mu.Unlock()
			if diff := cmp.Diff([]string{"STLS", "PASS ****", "QUIT"}, commands); diff != "" {
				t.Errorf("commands the server acted on (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"tls TLS 1.3", "close"}, s.Events()); diff != "" {
				t.Errorf("session events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSTLSHandshake checks which clients get TLS: TLS 1.2 and 1.3 do; TLS
// 1.1, or a client that sends a command instead of a handshake, is
// dropped, and the session says so to its tracer.
func TestSTLSHandshake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxVersion uint16 // 0: no handshake, a command line instead
		want       string
	}{
		{"TLS 1.3", tls.VersionTLS13, "tls TLS 1.3"},
		{"TLS 1.2", tls.VersionTLS12, "tls TLS 1.2"},
		{"TLS 1.1", tls.VersionTLS11, "tls failed"},
		{"plain text", 0, "tls failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			serverTLS, clientTLS := tlsConfigs(t)
			ts := startServer(t, newFixture(), func(s *pop3.Server) { s.TLSConfig = serverTLS })
			c := greeted(t, ts)
			if got := c.do("STLS"); got != "+OK Begin TLS negotiation" {
				t.Fatalf("STLS: %q", got)
			}
			if tt.maxVersion == 0 {
				c.send("USER mrose")
				c.rest()
			} else {
				clientTLS.MinVersion, clientTLS.MaxVersion = tls.VersionTLS10, tt.maxVersion
				tc := tls.Client(c.nc, clientTLS)
				err := tc.Handshake()
				if ok := tt.want != "tls failed"; (err == nil) != ok {
					t.Fatalf("handshake: %v, want success %v", err, ok)
				}
				if err == nil {
					c.nc, c.r = tc, bufio.NewReader(tc)
					c.do("QUIT")
				}
			}
			got := ts.be.waitSession(t).Events()
			if diff := cmp.Diff([]string{tt.want, "close"}, got); diff != "" {
				t.Errorf("session events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSTLSWithoutCertificate: a server without a certificate neither
// offers nor takes STLS.
func TestSTLSWithoutCertificate(t *testing.T) {
	t.Parallel()
	ts := startServer(t, newFixture(), nil)
	c := greeted(t, ts)
	c.send("CAPA")
	if capa := c.reply(true); slices.Contains(capa, "STLS") {
		t.Errorf("CAPA offers STLS without a certificate: %q", capa)
	}
	if got := c.do("STLS"); got != "-ERR STLS not available: this server has no certificate" {
		t.Errorf("STLS = %q", got)
	}
	if got := c.do("USER mrose"); !strings.HasPrefix(got, "+OK") {
		t.Errorf("the session did not go on in plain text: %q", got)
	}
}

// Shutdown wakes a session waiting inside TLS and tells the client so,
// over TLS.
func TestShutdownInsideTLS(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := tlsConfigs(t)
	ts := startServer(t, newFixture(), func(s *pop3.Server) { s.TLSConfig = serverTLS })
	c := greeted(t, ts)
	if got := c.do("STLS"); got != "+OK Begin TLS negotiation" {
		t.Fatalf("STLS: %q", got)
	}
	tc := tls.Client(c.nc, clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	if got := c.do("USER mrose"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("USER: %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown() = %v", err)
	}
	if diff := cmp.Diff([]string{"-ERR [SYS/TEMP] server shutting down"}, c.rest()); diff != "" {
		t.Errorf("last words (-want +got):\n%s", diff)
	}
}
