// Package certs makes and loads the certificates of the lab's TLS (STLS in
// POP3, STARTTLS in SMTP): a class certificate authority with a certificate
// for each group's mail domain and host, kept in a folder beside the
// classroom file, and a self-signed certificate for a group that runs
// without a classroom.
//
// Every key is ECDSA P-256 and written at mode 0600. The class folder
// (classroom.toml → classroom-ca/) holds:
//
//	ca.pem       the class CA's certificate: public, give it to every client (curl --cacert)
//	ca-key.pem   the CA's key: only for lab ca, never copied to a group's machine
//	gN.pem       group N's certificate, for gN.<domain> and its host address
//	gN-key.pem   group N's key
//
// A standalone group keeps its self-signed pair in its data folder as
// tls-cert.pem and tls-key.pem, made once and reused, so that its
// fingerprint stays the same across restarts.
package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"maillab/server/durable"
)

// File names in the class folder and in a group's data folder.
const (
	CAFile        = "ca.pem"
	CAKeyFile     = "ca-key.pem"
	SelfCertFile  = "tls-cert.pem"
	SelfKeyFile   = "tls-key.pem"
	folderSuffix  = "-ca"
	caLifetime    = 10 * 365 * 24 * time.Hour
	leafLifetime  = 825 * 24 * time.Hour // the longest browsers accept
	renewBefore   = 30 * 24 * time.Hour  // lab ca issues again when less is left
	backdate      = time.Hour            // for clocks a little behind
	keyPEMType    = "PRIVATE KEY"
	certPEMType   = "CERTIFICATE"
	organizations = "maillab"
)

// GroupFiles are the names of group n's certificate and key in the class
// folder: "g3.pem", "g3-key.pem".
func GroupFiles(n int) (cert, key string) {
	g := "g" + strconv.Itoa(n)
	return g + ".pem", g + "-key.pem"
}

// Dir is the class folder of a classroom file: beside it, named after it
// ("lab/classroom.toml" → "lab/classroom-ca").
func Dir(classroomFile string) string {
	base := strings.TrimSuffix(classroomFile, filepath.Ext(classroomFile))
	return base + folderSuffix
}

// Authority is a certificate authority: the class CA.
type Authority struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewAuthority makes a CA named after the class, valid from now on.
func NewAuthority(className string, now time.Time) (*Authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(className)
	if name == "" {
		name = "maillab class"
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name + " CA", Organization: []string{organizations}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Authority{Cert: cert, key: key}, nil
}

// Issue makes a server certificate for a mail domain and the host
// addresses, signed by the CA. It returns the certificate and its key in
// PEM.
func (a *Authority) Issue(domain string, ips []net.IP, now time.Time) (certPEM, keyPEM []byte, err error) {
	return issue(domain, ips, now, a.Cert, a.key)
}

// SelfSigned makes a self-signed server certificate for a mail domain and
// the host addresses, in PEM.
func SelfSigned(domain string, ips []net.IP, now time.Time) (certPEM, keyPEM []byte, err error) {
	return issue(domain, ips, now, nil, nil)
}

// issue makes a leaf certificate, signed by parent's key, or by its own
// when parent is nil.
func issue(domain string, ips []net.IP, now time.Time, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: domain, Organization: []string{organizations}},
		DNSNames:              []string{domain},
		IPAddresses:           ips,
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(leafLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	signer := key
	if parent == nil {
		parent = tmpl
	} else {
		signer = parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: certPEMType, Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: keyPEMType, Bytes: keyDER}), nil
}

// serialNumber is a random 128-bit serial number (RFC 5280 section 4.1.2.2).
func serialNumber() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

// Fingerprint is the SHA-256 fingerprint of a certificate as openssl x509
// -fingerprint -sha256 prints it: upper-case hex pairs joined by colons.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// GroupSpec says what a group's certificate must name.
type GroupSpec struct {
	ID     int
	Domain string // gN.<domain>
	Host   net.IP // the group's machine
}

// ClassResult says what MakeClass did.
type ClassResult struct {
	Dir       string
	CAMade    bool  // a new CA was made (else the one there was kept)
	Issued    []int // groups given a new certificate
	Kept      []int // groups whose certificate was still right
	CA        *x509.Certificate
	Authority *Authority
}

// MakeClass makes the class folder dir: a CA, unless one is there already,
// and a certificate for each group that has none, or one that no longer
// names the group's domain and host, is not the CA's, or expires within 30
// days. It changes nothing that is still right, so running it again is
// safe.
func MakeClass(dir, className string, groups []GroupSpec, now time.Time) (*ClassResult, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	res := &ClassResult{Dir: dir}
	ca, err := LoadAuthority(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if ca, err = NewAuthority(className, now); err != nil {
			return nil, err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(ca.key)
		if err != nil {
			return nil, err
		}
		// the key first: a CA certificate without its key would be useless
		if err := writeFile(filepath.Join(dir, CAKeyFile), pem.EncodeToMemory(&pem.Block{Type: keyPEMType, Bytes: keyDER}), 0o600); err != nil {
			return nil, err
		}
		if err := writeFile(filepath.Join(dir, CAFile), pem.EncodeToMemory(&pem.Block{Type: certPEMType, Bytes: ca.Cert.Raw}), 0o644); err != nil {
			return nil, err
		}
		res.CAMade = true
	case err != nil:
		return nil, err
	}
	res.CA, res.Authority = ca.Cert, ca
	for _, g := range groups {
		certName, keyName := GroupFiles(g.ID)
		if _, err := LoadPair(filepath.Join(dir, certName), filepath.Join(dir, keyName), g, ca.Cert, now.Add(renewBefore)); err == nil {
			res.Kept = append(res.Kept, g.ID)
			continue
		}
		var ips []net.IP
		if g.Host != nil {
			ips = []net.IP{g.Host}
		}
		certPEM, keyPEM, err := ca.Issue(g.Domain, ips, now)
		if err != nil {
			return nil, err
		}
		if err := writeFile(filepath.Join(dir, keyName), keyPEM, 0o600); err != nil {
			return nil, err
		}
		if err := writeFile(filepath.Join(dir, certName), certPEM, 0o644); err != nil {
			return nil, err
		}
		res.Issued = append(res.Issued, g.ID)
	}
	return res, nil
}

// writeFile replaces path durably with data at mode perm.
func writeFile(path string, data []byte, perm os.FileMode) error {
	if err := durable.Replace(path, bytes.NewReader(data), perm); err != nil {
		return err
	}
	return os.Chmod(path, perm) // whatever the umask did
}

// LoadAuthority reads the CA of a class folder, its key included. An
// error wrapping os.ErrNotExist means there is none.
func LoadAuthority(dir string) (*Authority, error) {
	cert, err := readCert(filepath.Join(dir, CAFile))
	if err != nil {
		return nil, err
	}
	key, err := readKey(filepath.Join(dir, CAKeyFile))
	if err != nil {
		return nil, err
	}
	if !cert.IsCA || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%s and %s are not a CA and its key", filepath.Join(dir, CAFile), filepath.Join(dir, CAKeyFile))
	}
	return &Authority{Cert: cert, key: key}, nil
}

// LoadCAPool reads the CA certificate of a class folder (not its key) as
// a pool for verifying the groups' certificates.
func LoadCAPool(dir string) (*x509.CertPool, error) {
	cert, err := readCert(filepath.Join(dir, CAFile))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool, nil
}

// LoadPair reads a certificate and its key and checks them: the key is the
// certificate's, and the certificate names the group's domain (and host,
// when given), is valid until at least validUntil and, when ca is not nil,
// was issued by ca.
func LoadPair(certFile, keyFile string, g GroupSpec, ca *x509.Certificate, validUntil time.Time) (tls.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf := pair.Leaf
	if err := leaf.VerifyHostname(g.Domain); err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", certFile, err)
	}
	if g.Host != nil && !slices.ContainsFunc(leaf.IPAddresses, g.Host.Equal) {
		return tls.Certificate{}, fmt.Errorf("%s: not for %s", certFile, g.Host)
	}
	if leaf.NotAfter.Before(validUntil) {
		return tls.Certificate{}, fmt.Errorf("%s: expires %s", certFile, leaf.NotAfter.Format(time.DateOnly))
	}
	if ca != nil {
		if err := leaf.CheckSignatureFrom(ca); err != nil {
			return tls.Certificate{}, fmt.Errorf("%s: not issued by the class CA: %w", certFile, err)
		}
	}
	return pair, nil
}

// SelfSignedPair loads the self-signed pair of a group's data folder, or
// makes it when there is none or it no longer fits the group. made says
// whether it was made now.
func SelfSignedPair(dataDir string, g GroupSpec, now time.Time) (pair tls.Certificate, made bool, err error) {
	certFile, keyFile := filepath.Join(dataDir, SelfCertFile), filepath.Join(dataDir, SelfKeyFile)
	if pair, err := LoadPair(certFile, keyFile, g, nil, now); err == nil && IsSelfSigned(pair.Leaf) {
		return pair, false, nil
	}
	var ips []net.IP
	if g.Host != nil {
		ips = []net.IP{g.Host}
	}
	certPEM, keyPEM, err := SelfSigned(g.Domain, ips, now)
	if err != nil {
		return tls.Certificate{}, false, err
	}
	if err := writeFile(keyFile, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, false, err
	}
	if err := writeFile(certFile, certPEM, 0o644); err != nil {
		return tls.Certificate{}, false, err
	}
	pair, err = tls.X509KeyPair(certPEM, keyPEM)
	return pair, true, err
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != certPEMType {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return x509.ParseCertificate(b.Bytes)
}

func readKey(path string) (*ecdsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != keyPEMType {
		return nil, fmt.Errorf("%s: no PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ECDSA key", path)
	}
	return ec, nil
}

// Setup is a group server's TLS: its certificate and, in a class with a
// CA, the CA to verify the other groups' servers by.
type Setup struct {
	Certificate tls.Certificate
	// Roots holds the class CA; nil when the class has none (or there is
	// no class).
	Roots *x509.CertPool
	// SelfSigned says the certificate is the group's own, not the class
	// CA's; Made that it was made just now.
	SelfSigned, Made bool
}

// ForGroup finds a group's TLS: the class folder's certificate when the
// classroom file has a class folder with one for the group, else the
// group's self-signed pair in its data folder (made when missing). A class
// certificate that is there but wrong (another host, expired, not the
// CA's) is an error: lab ca must issue it again.
func ForGroup(classroomFile, dataDir string, g GroupSpec, now time.Time) (*Setup, error) {
	s := &Setup{}
	if classroomFile != "" {
		dir := Dir(classroomFile)
		roots, err := LoadCAPool(dir)
		switch {
		case err == nil:
			s.Roots = roots
			ca, _ := readCert(filepath.Join(dir, CAFile))
			certName, keyName := GroupFiles(g.ID)
			pair, err := LoadPair(filepath.Join(dir, certName), filepath.Join(dir, keyName), g, ca, now)
			if err == nil {
				s.Certificate = pair
				return s, nil
			}
			if !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	pair, made, err := SelfSignedPair(dataDir, g, now)
	if err != nil {
		return nil, err
	}
	s.Certificate, s.SelfSigned, s.Made = pair, true, made
	return s, nil
}

// ServerConfig is the configuration of the group's servers: its
// certificate, TLS 1.2 at least.
func (s *Setup) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{s.Certificate}, MinVersion: tls.VersionTLS12}
}

// Leaf is the group's certificate.
func (s *Setup) Leaf() *x509.Certificate { return s.Certificate.Leaf }

// IsSelfSigned reports whether cert is signed by its own key.
func IsSelfSigned(cert *x509.Certificate) bool {
	return bytes.Equal(cert.RawIssuer, cert.RawSubject) &&
		cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}
