package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"maillab/server/durable"
	"maillab/server/journal"
)

// KindCrack is the journal event `lab crack` records when it recovered the
// password of one of the group's test accounts from an APOP exchange: the
// user and the time, never the password.
const KindCrack = "crack"

// CrackFile is where `lab crack`, in its own process, also keeps its first
// success in the group's data folder, so that a running server (whose
// summaries see only its own events) and a saved state taken after it
// both know of it.
const CrackFile = "crack.json"

// Crack is a test account's APOP digest recovered offline.
type Crack struct {
	User string    `json:"user"`
	Time time.Time `json:"t"`
}

// MergeCrack takes in a crack (nil: none); the earliest is kept.
func (st *State) MergeCrack(c *Crack) {
	if c == nil || c.Time.IsZero() {
		return
	}
	if st.Crack == nil || c.Time.Before(st.Crack.Time) {
		cc := *c
		st.Crack = &cc
	}
}

// TLSLoginAfter says whether a POP3 session of group g logged in over TLS
// after t.
func (st *State) TLSLoginAfter(g int, t time.Time) bool {
	for _, s := range st.Open {
		if s.Proto == "pop3" && s.Owner() == g && s.TLS && s.LastOKUser != "" && s.Open.After(t) {
			return true
		}
	}
	o := st.Owners[g]
	return o != nil && o.TLSLogin.After(t)
}

// ReadCrack returns the crack kept in data folder dir, or nil.
func ReadCrack(dir string) *Crack {
	b, err := os.ReadFile(filepath.Join(dir, CrackFile))
	if err != nil {
		return nil
	}
	var c Crack
	if json.Unmarshal(b, &c) != nil || c.Time.IsZero() {
		return nil
	}
	return &c
}

// RecordCrack keeps a crack in data folder dir (the first one stays) and
// records it in the group's journal.
func RecordCrack(dir string, group int, c Crack) error {
	if ReadCrack(dir) == nil {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if err := durable.WriteFile(filepath.Join(dir, CrackFile), bytes.NewReader(append(b, '\n')), 0o600); err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
	}
	j, err := journal.OpenFile(filepath.Join(dir, journal.FileName), group)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	j.Record(journal.Event{Time: c.Time, Kind: KindCrack, User: c.User})
	return j.Close()
}
