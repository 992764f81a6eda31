// Package account keeps a group's mail accounts: user names and their
// passwords, which are also the APOP shared secrets (RFC 1939 section 7),
// so they are kept in clear in a file of mode 0600 that only the server's
// user can read.
//
// The file is plain text, one account a line, "name:password", so that an
// instructor can read and mend it with an editor. Every change rewrites it
// whole through a temporary file and a rename, under an exclusive lock, so
// that a running server and `lab user add` can share it.
package account

import (
	"bufio"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"maillab/server/durable"
	"maillab/server/lockfile"
)

// FileName is the name of the accounts file in a group's data folder.
const FileName = "accounts"

// Errors of this package; callers tell them apart with errors.Is.
var (
	ErrExists      = errors.New("account: user already exists")
	ErrNoUser      = errors.New("account: no such user")
	ErrBadName     = errors.New("account: bad user name")
	ErrBadPassword = errors.New("account: bad password")
)

// Account is one mail account.
type Account struct {
	Name     string
	Password string // also the APOP secret
}

// Store is the accounts of one group, kept in a file in its data folder.
// It rereads the file when the file changes, so accounts added by another
// process are seen at once.
type Store struct {
	path string

	mu       sync.Mutex
	accounts map[string]Account
	stamp    fileStamp
}

type fileStamp struct {
	mod  time.Time
	size int64
	ino  uint64
}

// Open returns the accounts kept in dir (a group's data folder). The file
// need not exist yet.
func Open(dir string) *Store {
	return &Store{path: filepath.Join(dir, FileName)}
}

// Path is the accounts file.
func (s *Store) Path() string { return s.path }

// CheckName says whether name can be a user name: 1 to 32 characters, lower
// case ASCII letters, digits, ".", "_" and "-", beginning with a letter, no
// ".." — so that it is a fine local part of a mail address, a POP3 user name
// and a folder name that cannot leave the data folder.
func CheckName(name string) error {
	if name == "" || len(name) > 32 {
		return fmt.Errorf("%w %q: it must have 1 to 32 characters", ErrBadName, name)
	}
	if c := name[0]; c < 'a' || c > 'z' {
		return fmt.Errorf("%w %q: it must begin with a lower-case letter a-z", ErrBadName, name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w %q: only a-z, 0-9, '.', '_' and '-' are allowed", ErrBadName, name)
		}
	}
	if strings.Contains(name, "..") || strings.HasSuffix(name, ".") {
		return fmt.Errorf("%w %q: no \"..\" and no final '.'", ErrBadName, name)
	}
	return nil
}

// CheckPassword says whether pw can be a password: 4 to 128 printable ASCII
// characters without spaces, which students can type into telnet and md5sum
// alike.
func CheckPassword(pw string) error {
	if len(pw) < 4 || len(pw) > 128 {
		return fmt.Errorf("%w: it must have 4 to 128 characters", ErrBadPassword)
	}
	for _, c := range pw {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("%w: use printable ASCII without spaces", ErrBadPassword)
		}
	}
	return nil
}

// Normalize turns a user name as typed (`USER Yom`, `Yom@G3.lab.test`'s local
// part) into the stored form: logins and recipients are case-insensitive.
// Commands that create accounts refuse upper case instead (see Lower).
func Normalize(name string) string { return strings.ToLower(name) }

// Lower says whether name is already in the stored form; when it is not,
// it returns the lower-case name to suggest.
func Lower(name string) (suggest string, ok bool) {
	l := Normalize(name)
	return l, l == name
}

// load rereads the file if it changed. s.mu is held.
func (s *Store) load() error {
	fi, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.accounts, s.stamp = map[string]Account{}, fileStamp{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	stamp := fileStamp{mod: fi.ModTime(), size: fi.Size()}
	stamp.ino = fileID(fi)
	if s.accounts != nil && stamp == s.stamp {
		return nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	defer f.Close()
	accounts, err := parse(f, s.path)
	if err != nil {
		return err
	}
	s.accounts, s.stamp = accounts, stamp
	return nil
}

func parse(r io.Reader, path string) (map[string]Account, error) {
	accounts := map[string]Account{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, pw, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("account: %s:%d: want name:password", path, n)
		}
		if err := CheckName(name); err != nil {
			return nil, fmt.Errorf("account: %s:%d: %w", path, n, err)
		}
		if _, dup := accounts[name]; dup {
			return nil, fmt.Errorf("account: %s:%d: user %q listed twice", path, n, name)
		}
		accounts[name] = Account{Name: name, Password: pw}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("account: %s: %w", path, err)
	}
	return accounts, nil
}

// Lookup returns the account called name (after Normalize).
func (s *Store) Lookup(name string) (Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return Account{}, err
	}
	a, ok := s.accounts[Normalize(name)]
	if !ok {
		return Account{}, ErrNoUser
	}
	return a, nil
}

// List returns every account, sorted by name.
func (s *Store) List() ([]Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return nil, err
	}
	list := make([]Account, 0, len(s.accounts))
	for _, a := range s.accounts {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// Add creates an account. It fails with ErrExists when the name is taken.
func (s *Store) Add(name, password string) error {
	return s.change(name, password, false)
}

// SetPassword changes the password of an existing account.
func (s *Store) SetPassword(name, password string) error {
	return s.change(name, password, true)
}

// Delete removes an account. It fails with ErrNoUser when there is none.
// A server sharing the file sees the change at its next lookup.
func (s *Store) Delete(name string) error {
	name = Normalize(name)
	if err := CheckName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := lockfile.Acquire(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	defer l.Unlock()
	s.accounts = nil // reread under the lock: another process may have written
	if err := s.load(); err != nil {
		return err
	}
	if _, found := s.accounts[name]; !found {
		return fmt.Errorf("%w %q", ErrNoUser, name)
	}
	next := make(map[string]Account, len(s.accounts))
	for k, v := range s.accounts {
		if k != name {
			next[k] = v
		}
	}
	if err := write(s.path, next); err != nil {
		return err
	}
	s.accounts = nil
	return s.load()
}

func (s *Store) change(name, password string, existing bool) error {
	name = Normalize(name)
	if err := CheckName(name); err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("account: %w", err)
	}
	l, err := lockfile.Acquire(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	defer l.Unlock()
	s.accounts = nil // reread under the lock: another process may have written
	if err := s.load(); err != nil {
		return err
	}
	_, found := s.accounts[name]
	switch {
	case existing && !found:
		return fmt.Errorf("%w %q", ErrNoUser, name)
	case !existing && found:
		return fmt.Errorf("%w: %q", ErrExists, name)
	}
	next := make(map[string]Account, len(s.accounts)+1)
	for k, v := range s.accounts {
		next[k] = v
	}
	next[name] = Account{Name: name, Password: password}
	if err := write(s.path, next); err != nil {
		return err
	}
	s.accounts = nil
	return s.load()
}

// write replaces the file with the accounts, durably, at mode 0600.
func write(path string, accounts map[string]Account) error {
	names := make([]string, 0, len(accounts))
	for n := range accounts {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# maillab accounts: name:password, one a line.\n")
	b.WriteString("# The passwords are the APOP shared secrets, so they are kept in clear:\n")
	b.WriteString("# keep this file at mode 0600.\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s:%s\n", n, accounts[n].Password)
	}
	if err := durable.Replace(path, strings.NewReader(b.String()), 0o600); err != nil {
		return fmt.Errorf("account: %w", err)
	}
	return nil
}

// CheckPassword compares a password with the account's in constant time.
func (a Account) CheckPassword(pw string) bool {
	return subtle.ConstantTimeCompare([]byte(pw), []byte(a.Password)) == 1
}

// Digest returns the APOP digest of challenge for this account:
// md5hex(challenge + secret), in lower case (RFC 1939 section 7).
func (a Account) Digest(challenge string) string {
	return Digest(challenge, a.Password)
}

// Digest returns md5hex(challenge + secret) in lower case, as md5sum prints it.
func Digest(challenge, secret string) string {
	sum := md5.Sum([]byte(challenge + secret))
	return hex.EncodeToString(sum[:])
}

// CheckDigest compares an APOP digest as the client sent it with the right
// one, in constant time. Only lower-case hex is right, as RFC 1939 says.
func (a Account) CheckDigest(challenge, digest string) bool {
	return subtle.ConstantTimeCompare([]byte(digest), []byte(a.Digest(challenge))) == 1
}

// RandomPassword returns a password of n characters that is easy to read and
// type: no 0/O, 1/l/I.
func RandomPassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail (Go 1.24 and later)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
