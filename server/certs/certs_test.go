package certs_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maillab/internal/testenv"
	"maillab/server/certs"
)

var g3 = certs.GroupSpec{ID: 3, Domain: "g3.lab.test", Host: net.IPv4(127, 0, 1, 3)}

func TestDir(t *testing.T) {
	t.Parallel()
	tests := []struct{ file, want string }{
		{"classroom.toml", "classroom-ca"},
		{filepath.Join("lab", "class.toml"), filepath.Join("lab", "class-ca")},
		{"noext", "noext-ca"},
	}
	for _, tt := range tests {
		if got := certs.Dir(tt.file); got != tt.want {
			t.Errorf("Dir(%q) = %q, want %q", tt.file, got, tt.want)
		}
	}
}

// LoadPair takes only a certificate that fits the group, is not about to
// expire and is the class CA's.
func TestLoadPairChecks(t *testing.T) {
	t.Parallel()
	now := time.Now()
	dir := t.TempDir()
	res, err := certs.MakeClass(dir, "class", []certs.GroupSpec{g3}, now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := certs.NewAuthority("other", now)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "g3.pem"), filepath.Join(dir, "g3-key.pem")
	tests := []struct {
		name  string
		spec  certs.GroupSpec
		ca    *x509.Certificate
		until time.Time
		ok    bool
	}{
		{"right", g3, res.CA, now, true},
		{"no CA asked", g3, nil, now, true},
		{"other domain", certs.GroupSpec{ID: 3, Domain: "g4.lab.test", Host: g3.Host}, res.CA, now, false},
		{"other host", certs.GroupSpec{ID: 3, Domain: g3.Domain, Host: net.IPv4(127, 0, 1, 4)}, res.CA, now, false},
		{"other CA", g3, other.Cert, now, false},
		{"expires too soon", g3, res.CA, now.Add(3 * 365 * 24 * time.Hour), false},
	}
	for _, tt := range tests {
		_, err := certs.LoadPair(certFile, keyFile, tt.spec, tt.ca, tt.until)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// ForGroup takes the class certificate when there is one, else makes a
// self-signed one once and keeps it.
func TestForGroup(t *testing.T) {
	t.Parallel()
	now := time.Now()
	classFile := filepath.Join(t.TempDir(), "classroom.toml")
	data := t.TempDir()

	s, err := certs.ForGroup(classFile, data, g3, now) // no class folder yet
	if err != nil {
		t.Fatal(err)
	}
	if !s.SelfSigned || !s.Made || s.Roots != nil || !certs.IsSelfSigned(s.Leaf()) {
		t.Errorf("without a class folder: %+v", s)
	}
	fi, err := os.Stat(filepath.Join(data, certs.SelfKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("self-signed key: %v %v", fi, err)
	}
	again, err := certs.ForGroup("", data, g3, now)
	if err != nil || again.Made || certs.Fingerprint(again.Leaf()) != certs.Fingerprint(s.Leaf()) {
		t.Errorf("second time: made %v, %v", again.Made, err)
	}

	if _, err := certs.MakeClass(certs.Dir(classFile), "class", []certs.GroupSpec{g3}, now); err != nil {
		t.Fatal(err)
	}
	s, err = certs.ForGroup(classFile, data, g3, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.SelfSigned || s.Roots == nil || certs.IsSelfSigned(s.Leaf()) {
		t.Errorf("with the class folder: %+v", s)
	}
	if _, err := s.Leaf().Verify(x509.VerifyOptions{Roots: s.Roots, DNSName: "g3.lab.test"}); err != nil {
		t.Errorf("the class certificate does not verify: %v", err)
	}

	// a class certificate for another host is an error, not a silent fallback
	moved := g3
	moved.Host = net.IPv4(10, 0, 0, 3)
	if _, err := certs.ForGroup(classFile, data, moved, now); err == nil || errors.Is(err, os.ErrNotExist) {
		t.Errorf("a class certificate for another host: %v", err)
	}
}

// Fingerprint prints what openssl x509 -fingerprint -sha256 prints.
func TestFingerprintMatchesOpenSSL(t *testing.T) {
	t.Parallel()
	openssl := testenv.NeedTool(t, "openssl")
	dir := t.TempDir()
	res, err := certs.MakeClass(dir, "class", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, openssl, "x509", "-noout", "-fingerprint", "-sha256", "-in", filepath.Join(dir, certs.CAFile)).Output()
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := strings.Cut(strings.TrimSpace(string(out)), "=")
	if got := certs.Fingerprint(res.CA); got != want {
		t.Errorf("Fingerprint = %s, openssl says %s", got, want)
	}
	// and openssl takes the CA's key as an EC key of P-256
	out, err = exec.CommandContext(ctx, openssl, "pkey", "-noout", "-text", "-in", filepath.Join(dir, certs.CAKeyFile)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "prime256v1") {
		t.Errorf("openssl pkey: %v\n%s", err, out)
	}
}
