package group

import (
	"sync"
	"time"

	"maillab/server/journal"
)

// A client address whose sessions are cut for flooding (more than
// Limits.Commands commands) floodStrikes times within floodWindow is
// muted for floodWindow: its sessions are served as usual but their
// opening, commands and replies are only counted (journal.NewQuietSession),
// so that a client that floods, is cut off and connects again at once
// cannot fill the journal. The
// journal says when a client is muted and, at its next session after the
// mute, how much was not recorded.
const (
	floodStrikes = 3
	floodWindow  = 10 * time.Minute
)

// floodWatch keeps the recent floods of each client address.
type floodWatch struct {
	mu    sync.Mutex
	hosts map[string]*floodHost
}

type floodHost struct {
	cuts       []time.Time // sessions cut for flooding, within floodWindow
	mutedUntil time.Time
	sessions   int // sessions while muted
	commands   int // their commands
}

func newFloodWatch() *floodWatch { return &floodWatch{hosts: map[string]*floodHost{}} }

// muted says whether sessions from ip are to be recorded only as counts
// now. When a mute has just ended it returns the note to record about it.
func (f *floodWatch) muted(ip string, now time.Time) (bool, *journal.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.hosts[ip]
	if h == nil || h.mutedUntil.IsZero() {
		return false, nil
	}
	if now.Before(h.mutedUntil) {
		h.sessions++
		return true, nil
	}
	note := &journal.Event{Kind: journal.Note, Reason: "flood-unmuted", Remote: ip, Count: h.sessions, SkippedCmds: h.commands}
	delete(f.hosts, ip)
	return false, note
}

// ended notes the end of a session from ip with commands commands answered;
// limit is Limits.Commands. It returns the note to record when the client is
// muted from now on.
func (f *floodWatch) ended(ip string, commands, limit int, quiet bool, now time.Time) *journal.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.hosts[ip]
	if quiet {
		if h != nil {
			h.commands += commands
		}
		return nil
	}
	if commands < limit {
		return nil // (a session cut for flooding has had limit commands answered)
	}
	if h == nil {
		h = &floodHost{}
		f.hosts[ip] = h
		f.forgetOld(now)
	}
	kept := h.cuts[:0]
	for _, t := range h.cuts {
		if now.Sub(t) < floodWindow {
			kept = append(kept, t)
		}
	}
	h.cuts = append(kept, now)
	if len(h.cuts) < floodStrikes || !h.mutedUntil.IsZero() {
		return nil
	}
	h.mutedUntil = now.Add(floodWindow)
	return &journal.Event{Kind: journal.Note, Reason: "flood-muted", Remote: ip, Count: len(h.cuts), Millis: floodWindow.Milliseconds()}
}

// forgetOld drops the addresses with nothing recent, so that the map stays
// as small as the set of recent flooders. f.mu must be held.
func (f *floodWatch) forgetOld(now time.Time) {
	if len(f.hosts) < 64 {
		return
	}
	for ip, h := range f.hosts {
		last := h.mutedUntil
		if n := len(h.cuts); n > 0 && h.cuts[n-1].Add(floodWindow).After(last) {
			last = h.cuts[n-1].Add(floodWindow)
		}
		if now.After(last) {
			delete(f.hosts, ip)
		}
	}
}
