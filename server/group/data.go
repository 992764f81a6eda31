// Package group is one group's mail server: it wires the SMTP and POP3
// protocol servers to the group's accounts, Maildirs and journal, all kept in
// the group's data folder.
//
// A group's data folder (DIR/gN) holds:
//
//	accounts        name:password lines, mode 0600 (see package account)
//	journal.jsonl   the record, one JSON event a line (see package journal)
//	evidence.json   the evidence summaries kept from it (see package evidence)
//	mail/NAME/      each user's Maildir (tmp, new, cur)
//	spool/          accepted messages on their way to their recipients (see spool.go)
//	domain          the group's mail domain, e.g. g3.lab.test
//	server.lock     held by the server that serves this folder
//	deleted/        the Maildirs of deleted accounts, kept aside (NAME-YYYYMMDD-HHMMSS)
package group

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"maillab/server/account"
	"maillab/server/datadir"
	"maillab/server/journal"
	"maillab/server/lockfile"
	"maillab/server/maildir"
)

// Postmaster is the mailbox that always exists (RFC 5321 section 4.5.1).
const Postmaster = "postmaster"

// Data is a group's data folder, as its server uses it; the layout and
// what readers need of it (Dir, Group, Domain, Accounts, JournalPath) are
// package datadir's.
type Data struct {
	datadir.Folder

	// commit shares the flushes of the deliveries into the group's
	// Maildirs and spool.
	commit maildir.Committer

	pending     sync.WaitGroup // deliveries finishing after their 250 (spool.go)
	inFlight    atomic.Int64   // messages being received, bounded by dataBudget
	maxInFlight int64          // the bound, when not dataBudget/dataPerMessage (tests)
}

// takeDataSlot counts a message being received in, or reports false when
// the memory budget of messages in flight is spent.
func (d *Data) takeDataSlot() bool {
	limit := int64(dataBudget / dataPerMessage)
	if d.maxInFlight > 0 {
		limit = d.maxInFlight
	}
	if d.inFlight.Add(1) > limit {
		d.inFlight.Add(-1)
		return false
	}
	return true
}

func (d *Data) releaseDataSlot() { d.inFlight.Add(-1) }

// DirFor returns group n's folder under the data root (datadir.DirFor).
func DirFor(root string, n int) string { return datadir.DirFor(root, n) }

// DefaultDomain is the classroom domain when there is no classroom file;
// group N's mail domain is gN.lab.test.
const DefaultDomain = "lab.test"

// DomainFor returns group n's mail domain in the classroom domain.
func DomainFor(n int, classroomDomain string) string {
	return "g" + strconv.Itoa(n) + "." + classroomDomain
}

// OpenData returns group n's data folder under root, creating it (mode
// 0700) when it does not exist. The group's mail domain is remembered in
// the folder (file "domain"), so that commands run without the classroom
// file, like `lab user add`, know it: domain "" means the remembered one,
// or gN.lab.test.
func OpenData(root string, n int, domain string) (*Data, error) {
	dir := DirFor(root, n)
	if err := os.MkdirAll(filepath.Join(dir, "mail"), 0o700); err != nil {
		return nil, fmt.Errorf("group: %w", err)
	}
	domainFile := filepath.Join(dir, "domain")
	if domain == "" {
		b, err := os.ReadFile(domainFile)
		domain = strings.TrimSpace(string(b))
		if err != nil || domain == "" {
			domain = DomainFor(n, DefaultDomain)
		}
	} else {
		b, _ := os.ReadFile(domainFile)
		if strings.TrimSpace(string(b)) != domain {
			if err := os.WriteFile(domainFile, []byte(domain+"\n"), 0o644); err != nil {
				return nil, fmt.Errorf("group: %w", err)
			}
		}
	}
	return &Data{Folder: datadir.Folder{Dir: dir, Group: n, Domain: domain, Accounts: account.Open(dir)}}, nil
}

// Mailbox is the Maildir of a user (after account.Normalize). The name must
// have passed account.CheckName or be Postmaster.
func (d *Data) Mailbox(user string) maildir.Dir {
	return maildir.Dir(filepath.Join(d.Dir, "mail", user))
}

// AddUser creates an account, its Maildir, and a welcome message in it, and
// records all that (never the password) in the journal j.
func (d *Data) AddUser(name, password string, j *journal.Journal) error {
	name = account.Normalize(name)
	if err := d.Accounts.Add(name, password); err != nil {
		return err
	}
	j.Record(journal.Event{Kind: journal.Account, User: name, Result: "created"})
	mb := d.Mailbox(name)
	if err := mb.Create(); err != nil {
		return err
	}
	msg := welcome(name, d.Domain, time.Now())
	m, err := mb.Deliver(strings.NewReader(msg.text))
	if err != nil {
		return err
	}
	j.Record(journal.Event{
		Kind: journal.Delivered, ID: msg.id, MessageID: msg.messageID, Origin: journal.OriginWelcome,
		From: "postmaster@" + d.Domain, Rcpt: []string{name + "@" + d.Domain}, User: name, UID: uid(m.Key), Size: m.Size,
	})
	return nil
}

// DeletedDir is the folder, in a group's data folder, where the Maildirs
// of deleted accounts are kept.
const DeletedDir = "deleted"

// DeleteUser removes an account and records it in the journal j. Its
// Maildir is moved aside to deleted/NAME-YYYYMMDD-HHMMSS (returned), or
// removed when purge is set (kept is then ""). A running server sees the
// account gone at its next login or RCPT. Postmaster is never deleted.
func (d *Data) DeleteUser(name string, purge bool, now time.Time, j *journal.Journal) (kept string, err error) {
	name = account.Normalize(name)
	if name == Postmaster {
		return "", fmt.Errorf("%w: %s must always exist (RFC 5321 section 4.5.1)", ErrPostmaster, Postmaster)
	}
	if err := d.Accounts.Delete(name); err != nil {
		return "", err
	}
	j.Record(journal.Event{Kind: journal.Account, User: name, Result: "deleted"})
	mb := string(d.Mailbox(name))
	if _, err := os.Stat(mb); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if purge {
		if err := os.RemoveAll(mb); err != nil {
			return "", fmt.Errorf("group: %w", err)
		}
		return "", nil
	}
	aside := filepath.Join(d.Dir, DeletedDir)
	if err := os.MkdirAll(aside, 0o700); err != nil {
		return "", fmt.Errorf("group: %w", err)
	}
	base := name + "-" + now.Format("20060102-150405")
	kept = filepath.Join(aside, base)
	for i := 2; ; i++ { // never over an earlier one deleted in the same second
		if _, err := os.Lstat(kept); errors.Is(err, os.ErrNotExist) {
			break
		}
		kept = filepath.Join(aside, base+"-"+strconv.Itoa(i))
	}
	if err := os.Rename(mb, kept); err != nil {
		return "", fmt.Errorf("group: %w", err)
	}
	return kept, nil
}

// ErrPostmaster is returned when deleting the postmaster.
var ErrPostmaster = errors.New("group: the postmaster cannot be deleted")

// DefaultUsers are the accounts `lab start` creates when a group has none:
// yom from the handout's sessions, and two more for the other members.
var DefaultUsers = []string{"yom", "hana", "taro"}

// lock is the server.lock file, held locked while a server runs; it holds
// the server's process id.
type lock struct{ l *lockfile.Lock }

// ErrLocked is returned when another server already serves the folder.
var ErrLocked = errors.New("group: data folder in use by another server")

func (d *Data) lock() (*lock, error) {
	path := filepath.Join(d.Dir, "server.lock")
	l, err := lockfile.TryLock(path)
	if errors.Is(err, lockfile.ErrHeld) {
		b, _ := os.ReadFile(path)
		if len(b) > 32 {
			b = b[:32]
		}
		if pid := strings.TrimSpace(string(b)); pid != "" {
			return nil, fmt.Errorf("%w %s (process %s)", ErrLocked, d.Dir, pid)
		}
		return nil, fmt.Errorf("%w %s", ErrLocked, d.Dir)
	}
	if err != nil {
		return nil, fmt.Errorf("group: %w", err)
	}
	f := l.File()
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &lock{l: l}, nil
}

func (l *lock) release() {
	l.l.File().Truncate(0)
	l.l.Unlock()
}

// uid turns a Maildir key into a POP3 unique-id: at most 70 characters
// from 0x21 to 0x7E (RFC 1939 section 7). Keys that don't fit are hashed.
func uid(key string) string {
	ok := len(key) > 0 && len(key) <= 70
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > 0x20 && key[i] < 0x7f
	}
	if ok {
		return key
	}
	return account.Digest("", key)
}

// hostOf returns the IP of an address, or nil.
func hostOf(a net.Addr) net.IP {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return nil
	}
	return net.ParseIP(host)
}

// Served says whether a server holds the folder's server.lock now, that
// is, whether a running server uses this data folder. A server writes its
// process id into the file and empties it when it stops, so an empty or
// missing file is answered without touching the lock: trying the lock
// could make a server starting at that moment fail.
func (d *Data) Served() bool {
	path := filepath.Join(d.Dir, "server.lock")
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return false
	}
	l, err := lockfile.TryLock(path) // a process id: running, or crashed
	if errors.Is(err, lockfile.ErrHeld) {
		return true
	}
	if err == nil {
		l.Unlock()
	}
	return false
}
