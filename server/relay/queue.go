// Package relay carries mail between the groups of a classroom as one MTA
// hands mail to another: a message for another group's domain goes into a
// durable queue in the group's data folder before it is acknowledged, and a
// worker delivers it over SMTP to that group's server, retrying with backoff
// while the peer is unreachable or answers 4xx. A message that cannot be
// delivered in the end (a 5xx answer, or too old) goes back to its sender as
// a bounce (RFC 3464 delivery status notification).
package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"maillab/server/durable"
)

// Entry is one queued message for one destination group.
type Entry struct {
	ID        string    `json:"id"`
	From      string    `json:"from"`  // envelope sender, "" for <>
	Rcpts     []string  `json:"rcpts"` // recipients not yet delivered
	DestGroup int       `json:"dest_group"`
	MessageID string    `json:"message_id,omitempty"`
	Origin    string    `json:"origin,omitempty"` // the kit's own messages (bounces)
	Created   time.Time `json:"created"`
	Attempts  int       `json:"attempts"`
	NextTry   time.Time `json:"next_try"`
	LastError string    `json:"last_error,omitempty"`
}

// Queue is a folder of queued messages: for each entry, ID.eml holds the
// message (CRLF line ends, written once) and ID.json the envelope and the
// state of delivery (rewritten after each attempt).
type Queue struct {
	dir string
}

// ErrNotFound is returned for an entry that is not in the queue.
var ErrNotFound = errors.New("relay: no such queue entry")

// OpenQueue opens (creating it, mode 0700) the queue folder and removes what
// a crash may have left half written: temporary files, and messages whose
// envelope was never written (they were never acknowledged).
func OpenQueue(dir string) (*Queue, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	q := &Queue{dir: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Name()] = true
	}
	for name := range have {
		switch {
		case strings.HasSuffix(name, ".tmp"):
			os.Remove(filepath.Join(dir, name))
		case strings.HasSuffix(name, ".eml"):
			if !have[strings.TrimSuffix(name, ".eml")+".json"] {
				os.Remove(filepath.Join(dir, name))
			}
		case strings.HasSuffix(name, ".json"):
			if !have[strings.TrimSuffix(name, ".json")+".eml"] {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
	return q, nil
}

// Dir is the queue's folder.
func (q *Queue) Dir() string { return q.dir }

func (q *Queue) path(id, ext string) string { return filepath.Join(q.dir, id+ext) }

// Add puts a message into the queue durably: the message and then its
// envelope are each written to a temporary file, flushed, renamed, and the
// folder flushed. When Add returns nil the message survives a crash.
func (q *Queue) Add(e Entry, msg io.Reader) error {
	if e.ID == "" || strings.ContainsAny(e.ID, `/\`) || strings.HasPrefix(e.ID, ".") {
		return fmt.Errorf("relay: bad entry id %q", e.ID)
	}
	if err := durable.WriteFile(q.path(e.ID, ".eml"), msg, 0o600); err != nil {
		return err
	}
	if err := q.writeEntry(e); err != nil {
		os.Remove(q.path(e.ID, ".eml"))
		return err
	}
	return durable.SyncDir(q.dir)
}

func (q *Queue) writeEntry(e Entry) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	return durable.WriteFile(q.path(e.ID, ".json"), strings.NewReader(string(b)+"\n"), 0o600)
}

// Update rewrites an entry's envelope and state.
func (q *Queue) Update(e Entry) error {
	if _, err := os.Stat(q.path(e.ID, ".eml")); err != nil {
		return ErrNotFound
	}
	return q.writeEntry(e)
}

// Remove takes an entry out of the queue (delivered, or bounced).
func (q *Queue) Remove(id string) error {
	err1 := os.Remove(q.path(id, ".json"))
	err2 := os.Remove(q.path(id, ".eml"))
	if errors.Is(err1, os.ErrNotExist) && errors.Is(err2, os.ErrNotExist) {
		return ErrNotFound
	}
	if err := durable.SyncDir(q.dir); err != nil {
		return err
	}
	return nil
}

// Get returns one entry.
func (q *Queue) Get(id string) (Entry, error) {
	b, err := os.ReadFile(q.path(id, ".json"))
	if errors.Is(err, os.ErrNotExist) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("relay: %w", err)
	}
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return Entry{}, fmt.Errorf("relay: %s: %w", q.path(id, ".json"), err)
	}
	return e, nil
}

// Message returns an entry's message.
func (q *Queue) Message(id string) ([]byte, error) {
	b, err := os.ReadFile(q.path(id, ".eml"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return b, err
}

// List returns every entry, oldest first. Entries that cannot be read are
// skipped.
func (q *Queue) List() ([]Entry, error) {
	return q.ListReporting(nil)
}

// ListReporting is List, calling report (when not nil) with each entry
// that cannot be read and why.
func (q *Queue) ListReporting(report func(id string, err error)) ([]Entry, error) {
	names, err := filepath.Glob(filepath.Join(q.dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	var out []Entry
	for _, n := range names {
		id := strings.TrimSuffix(filepath.Base(n), ".json")
		e, err := q.Get(id)
		if err != nil {
			if report != nil && !errors.Is(err, ErrNotFound) {
				report(id, err)
			}
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
