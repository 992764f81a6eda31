package smtp_test

import (
	"crypto/tls"
	"testing"

	"maillab/server/certs/certstest"
)

// tlsConfigs returns the server's configuration with a certificate for
// g1.lab.test and a client's that trusts it.
func tlsConfigs(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	return certstest.Configs(t, "g1.lab.test")
}
