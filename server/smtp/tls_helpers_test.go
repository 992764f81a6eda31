package smtp_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"sync"
	"testing"
	"time"

	"maillab/server/certs"
)

// testCert is a certificate for g1.lab.test and 127.0.0.1, made once.
var testCert = sync.OnceValues(func() (tls.Certificate, error) {
	certPEM, keyPEM, err := certs.SelfSigned("g1.lab.test", []net.IP{net.IPv4(127, 0, 0, 1)}, time.Now())
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
})

// tlsConfigs returns the server's configuration with testCert and a
// client's that trusts it, for g1.lab.test.
func tlsConfigs(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	cert, err := testCert()
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	return &tls.Config{Certificates: []tls.Certificate{cert}},
		&tls.Config{RootCAs: roots, ServerName: "g1.lab.test", MinVersion: tls.VersionTLS12}
}
