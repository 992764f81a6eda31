// Package certstest gives tests a server certificate and a client that
// trusts it, made once per name.
package certstest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"sync"
	"testing"
	"time"

	"maillab/server/certs"
)

var (
	mu    sync.Mutex
	made  = map[string]tls.Certificate{}
	local = []net.IP{net.IPv4(127, 0, 0, 1)}
)

// Configs returns a server configuration with a self-signed certificate
// for name and 127.0.0.1, and a client configuration (TLS 1.2 at least)
// that trusts it and expects name.
func Configs(t testing.TB, name string) (server, client *tls.Config) {
	t.Helper()
	mu.Lock()
	cert, ok := made[name]
	if !ok {
		certPEM, keyPEM, err := certs.SelfSigned(name, local, time.Now())
		if err == nil {
			cert, err = tls.X509KeyPair(certPEM, keyPEM)
		}
		if err != nil {
			mu.Unlock()
			t.Fatal(err)
		}
		made[name] = cert
	}
	mu.Unlock()
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	return &tls.Config{Certificates: []tls.Certificate{cert}},
		&tls.Config{RootCAs: roots, ServerName: name, MinVersion: tls.VersionTLS12}
}
