// Package datadir is the layout of a group's data folder, DIR/gN, for
// the code that reads it without serving it (the checker, the web API):
//
//	accounts        name:password lines, mode 0600 (see package account)
//	journal.jsonl   the journal, one JSON event a line (see package journal)
//	evidence.json   the evidence summaries (see package evidence)
//	hints.json      the hint tiers lab hint showed, {"apop-telnet": 2, …}
//	mail/NAME/      each user's Maildir (tmp, new, cur)
//	domain          the group's mail domain, e.g. g3.lab.test
//	server.lock     held by the server that serves this folder
package datadir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"maillab/server/account"
	"maillab/server/journal"
)

// File names in a group's data folder.
const (
	DomainFile   = "domain"
	EvidenceFile = "evidence.json"
	HintsFile    = "hints.json"
	LockFile     = "server.lock"
	MailDir      = "mail"
	QueueDir     = "queue"
)

// DirFor returns group n's folder under the data root.
func DirFor(root string, n int) string {
	return filepath.Join(root, "g"+strconv.Itoa(n))
}

// Folder is a group's data folder.
type Folder struct {
	Dir      string // DIR/gN
	Group    int
	Domain   string // the group's mail domain, e.g. "g3.lab.test"
	Accounts *account.Store
}

// Read returns group n's folder under root as it is, changing nothing:
// its domain is what the folder's domain file says, else domain.
func Read(root string, n int, domain string) *Folder {
	dir := DirFor(root, n)
	if d := ReadDomain(dir); d != "" {
		domain = d
	}
	return &Folder{Dir: dir, Group: n, Domain: domain, Accounts: account.Open(dir)}
}

// ReadDomain returns the mail domain a data folder's domain file names, or
// "" when there is none.
func ReadDomain(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, DomainFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// ReadHints returns the hint tiers `lab hint` showed the group, by
// exercise, from the data folder dir (none when there are none, or the
// file is damaged). lab hint runs in its own process: a running server's
// journal observer never sees its events, so readers take them from here.
func ReadHints(dir string) map[string]int {
	hints := map[string]int{}
	if b, err := os.ReadFile(filepath.Join(dir, HintsFile)); err == nil {
		if json.Unmarshal(b, &hints) != nil {
			return map[string]int{}
		}
	}
	return hints
}

// JournalPath is the group's journal file.
func (f *Folder) JournalPath() string { return filepath.Join(f.Dir, journal.FileName) }

// EvidencePath is the group's saved evidence summaries.
func (f *Folder) EvidencePath() string { return filepath.Join(f.Dir, EvidenceFile) }
