package group

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"maillab/server/durable"
)

// seenIDs remembers the relay ids of the messages other groups' relays
// delivered here, in a file of the data folder ("relay-seen", one
// "unix-time id" a line), so that a message sent again by a relay that
// crashed after our 250 is not delivered twice. Ids older than a few days
// are forgotten when the server starts.
type seenIDs struct {
	mu   sync.Mutex
	path string
	ids  map[string]bool
	f    *os.File
}

const seenKeep = 72 * time.Hour

func openSeen(path string, now time.Time) (*seenIDs, error) {
	s := &seenIDs{path: path, ids: map[string]bool{}}
	var keep []string
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			ts, id, ok := strings.Cut(sc.Text(), " ")
			sec, err := strconv.ParseInt(ts, 10, 64)
			if !ok || err != nil || now.Sub(time.Unix(sec, 0)) > seenKeep {
				continue
			}
			s.ids[id] = true
			keep = append(keep, sc.Text())
		}
		f.Close()
	}
	// rewrite without the old ids, then append
	var content strings.Builder
	for _, l := range keep {
		content.WriteString(l + "\n")
	}
	if err := durable.WriteFile(path, strings.NewReader(content.String()), 0o600); err != nil {
		return nil, fmt.Errorf("group: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("group: %w", err)
	}
	s.f = f
	return s, nil
}

func (s *seenIDs) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

// add records id durably.
func (s *seenIDs) add(id string, now time.Time) error {
	if strings.ContainsAny(id, " \r\n") || id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[id] = true
	if _, err := fmt.Fprintf(s.f, "%d %s\n", now.Unix(), id); err != nil {
		return err
	}
	return s.f.Sync()
}

func (s *seenIDs) close() error { return s.f.Close() }
