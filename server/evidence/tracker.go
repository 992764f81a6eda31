package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"maillab/server/datadir"
	"maillab/server/durable"
	"maillab/server/journal"
)

// FileName is the saved State's name in a group's data folder.
const FileName = datadir.EvidenceFile

// SaveEvery is how often a running server saves its State when it changed.
const SaveEvery = 2 * time.Second

// Tracker keeps a group's State up to date from its journal: hook Observe
// to the journal (journal.Journal.Observe). It is safe for concurrent use.
type Tracker struct {
	mu      sync.Mutex
	st      *State
	changed bool

	saving sync.Mutex // one save at a time
}

// NewTracker returns a tracker of st.
func NewTracker(st *State) *Tracker { return &Tracker{st: st} }

// Observe applies one event; it takes constant time and does no I/O.
func (t *Tracker) Observe(e journal.Event) {
	t.mu.Lock()
	t.st.Apply(e)
	t.changed = true
	t.mu.Unlock()
}

// Lock locks the tracker: until Unlock, no event is applied, and State
// may be read.
func (t *Tracker) Lock() { t.mu.Lock() }

// Unlock undoes Lock.
func (t *Tracker) Unlock() { t.mu.Unlock() }

// State is the tracker's state; read it only between Lock and Unlock.
func (t *Tracker) State() *State { return t.st }

// JSON returns the state as JSON (as saved, and as the web API serves it).
func (t *Tracker) JSON() ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st.marshal()
}

func (st *State) marshal() ([]byte, error) { return json.Marshal(st) }

// MarshalJSON writes the state as JSON, leaving out the deliveries
// retrieved since they were last dropped from Pending (it drops them).
func (st *State) MarshalJSON() ([]byte, error) {
	type plain State
	st.compactPending()
	return json.Marshal((*plain)(st))
}

// Save writes the state to dir/evidence.json (through a temporary file
// and a rename) when it changed since the last save.
func (t *Tracker) Save(dir string) error {
	t.saving.Lock()
	defer t.saving.Unlock()
	t.mu.Lock()
	if !t.changed {
		t.mu.Unlock()
		return nil
	}
	b, err := t.st.marshal()
	t.changed = false
	t.mu.Unlock()
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	if err := durable.Replace(filepath.Join(dir, FileName), bytes.NewReader(b), 0o640); err != nil {
		t.mu.Lock()
		t.changed = true
		t.mu.Unlock()
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

// Run saves the state to dir every SaveEvery while it changes, until ctx
// ends; errors go to report (which may be nil).
func (t *Tracker) Run(ctx context.Context, dir string, report func(error)) {
	tick := time.NewTicker(SaveEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := t.Save(dir); err != nil && report != nil {
				report(err)
			}
		}
	}
}

// Parse reads a State from its JSON.
func Parse(b []byte) (*State, error) {
	st := &State{}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return st, nil
}

// UnmarshalJSON reads a State from its JSON, and makes its indexes.
func (st *State) UnmarshalJSON(b []byte) error {
	type plain State
	if err := json.Unmarshal(b, (*plain)(st)); err != nil {
		return err
	}
	st.init()
	return nil
}

// Load reads group's State from its data folder dir: the saved state, and
// the events the journal recorded after it (only those: the journal's
// history before the save is not read). A folder with no saved state has
// its whole journal read once; a saved state that cannot be read is
// rebuilt the same way.
func Load(dir string, group int) (*State, error) {
	st := New(group)
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	switch {
	case err == nil:
		if saved, perr := Parse(b); perr == nil && saved.Group == group {
			st = saved
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("evidence: %w", err)
	}
	last := st.Last
	err = journal.ReadSince(dir, last, func(e journal.Event) error {
		if !last.IsZero() && !e.Time.After(last) {
			return nil // applied before the save
		}
		st.Apply(e)
		return nil
	})
	st.MergeHints(datadir.ReadHints(dir))
	st.MergeCrack(ReadCrack(dir))
	return st, err
}

// MergeHints takes in hint tiers (exercise → the highest tier asked), as
// the data folder keeps them.
func (st *State) MergeHints(hints map[string]int) {
	for id, n := range hints {
		if _, ok := st.Hints[id]; ok || len(st.Hints) < MaxHints {
			st.Hints[id] = max(st.Hints[id], n)
		}
	}
}

// EachName calls fn with each name the state holds that a person typed —
// the user of a login, a command's verb — so that a copy served to others
// can mask one that is a password typed in the wrong place. (The lines of
// Recent are the journal's: mask them as its events.)
func (st *State) EachName(fn func(*string)) {
	seen := map[*Session]bool{}
	session := func(s *Session) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for i := range s.Logins {
			fn(&s.Logins[i].User)
		}
		fn(&s.LastUser)
		fn(&s.LastOKUser)
		for i := range s.Cmds {
			fn(&s.Cmds[i].Verb)
		}
	}
	for _, s := range st.Open {
		session(s)
	}
	for _, t := range st.Recent {
		fn(&t.User)
	}
	for _, o := range st.Owners {
		for _, classes := range o.Rules {
			for i := range classes {
				for _, s := range classes[i].Known {
					session(s)
				}
				session(classes[i].Unknown)
			}
		}
	}
	delivery := func(d *Delivery) {
		if d != nil {
			fn(&d.User)
		}
	}
	for _, d := range st.Pending {
		delivery(d)
	}
	for _, snd := range st.Senders {
		delivery(snd.First)
		delivery(snd.Read)
	}
	delivery(st.Bcc.NoHeader)
	delivery(st.Bcc.First)
	delivery(st.Bcc.Read)
}
