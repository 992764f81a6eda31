package relay

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/certs"
)

// TestRelaySTARTTLS relays to a peer with and without STARTTLS: with a
// configuration that trusts the peer's certificate the message goes over
// TLS; one that does not trust it defers the message (never sent in
// clear); a peer that offers no STARTTLS, or a relay without TLS, gets it
// in plain text.
func TestRelaySTARTTLS(t *testing.T) {
	t.Parallel()
	now := time.Now()
	class, err := certs.NewAuthority("class", now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := certs.NewAuthority("another class", now)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := class.Issue("g2.lab.test", []net.IP{net.IPv4(127, 0, 0, 1)}, now)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	trusting := func(ca *certs.Authority) func(int) *tls.Config {
		return func(g int) *tls.Config {
			pool := x509.NewCertPool()
			pool.AddCert(ca.Cert)
			return &tls.Config{RootCAs: pool, ServerName: "g2.lab.test", MinVersion: tls.VersionTLS12}
		}
	}
	tests := []struct {
		name      string
		peerTLS   bool
		relayTLS  func(int) *tls.Config
		delivered bool
		overTLS   bool
		lastError string
	}{
		{"class CA", true, trusting(class), true, true, ""},
		{"no relay TLS", true, nil, true, false, ""},
		{"peer without certificate", false, trusting(class), true, false, ""},
		{"untrusted certificate", true, trusting(other), false, false, "STARTTLS with group 2's server failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &peer{}
			if tt.peerTLS {
				p.tls = &tls.Config{Certificates: []tls.Certificate{pair}}
			}
			startPeer(t, p)
			r, _, _ := newRelayer(t, p, func(r *Relayer) { r.TLS = tt.relayTLS })
			e := Entry{ID: "T1.g2", From: "alice@g1.lab.test", Rcpts: []string{"yom@g2.lab.test"}, DestGroup: 2, Created: time.Now(), NextTry: time.Now()}
			if err := r.Queue.Add(e, strings.NewReader("Subject: s\r\n\r\nbody\r\n")); err != nil {
				t.Fatal(err)
			}
			r.Kick()
			if !tt.delivered {
				waitUntil(t, func() bool { got, err := r.Queue.Get("T1.g2"); return err == nil && got.Attempts >= 1 })
				got, _ := r.Queue.Get("T1.g2")
				if !strings.Contains(got.LastError, tt.lastError) {
					t.Errorf("last error %q, want it to say %q", got.LastError, tt.lastError)
				}
				if len(p.got()) != 0 {
					t.Errorf("the peer got the message: %q", p.got())
				}
				return
			}
			waitUntil(t, func() bool { return len(p.got()) == 1 })
			p.mu.Lock()
			overTLS := p.overTLS
			p.mu.Unlock()
			if diff := cmp.Diff([]bool{tt.overTLS}, overTLS); diff != "" {
				t.Errorf("over TLS (-want +got):\n%s", diff)
			}
		})
	}
}
