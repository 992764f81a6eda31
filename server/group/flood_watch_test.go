package group

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/journal"
)

// A client address is muted after floodStrikes floods within floodWindow,
// for floodWindow; its quiet sessions are counted, and the next session
// after the mute gets the note of what was not recorded.
func TestFloodWatch(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	type step struct {
		at       time.Duration
		commands int  // a session from the address ended with this many
		quiet    bool // that session was quiet
		ask      bool // instead: a session begins: muted?
	}
	tests := []struct {
		name  string
		steps []step
		want  []string
	}{
		{"floods far apart are forgiven", []step{
			{at: 0, commands: 11}, {at: 6 * time.Minute, commands: 11}, {at: 12 * time.Minute, commands: 11},
			{at: 12 * time.Minute, ask: true},
		}, []string{"free"}},
		{"sessions within the limit do not count", []step{
			{at: 0, commands: 9}, {at: time.Second, commands: 9}, {at: 2 * time.Second, commands: 9},
			{at: 3 * time.Second, ask: true},
		}, []string{"free"}},
		{"three floods mute, the mute ends with a note", []step{
			{at: 0, commands: 11}, {at: time.Second, commands: 5000}, {at: 2 * time.Second, commands: 11},
			{at: 3 * time.Second, ask: true}, {at: 4 * time.Second, commands: 300, quiet: true},
			{at: 5 * time.Second, ask: true}, {at: 6 * time.Second, commands: 200, quiet: true},
			{at: 2*time.Second + floodWindow, ask: true},
			{at: 2*time.Second + floodWindow, ask: true},
		}, []string{"note flood-muted 3 0", "muted", "muted", "free, note flood-unmuted 2 500", "free"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFloodWatch()
			var got []string
			describe := func(n *journal.Event) string {
				return "note " + n.Reason + " " + strconv.Itoa(n.Count) + " " + strconv.Itoa(n.SkippedCmds)
			}
			for _, s := range tt.steps {
				now := t0.Add(s.at)
				if s.ask {
					muted, note := f.muted("127.0.1.9", now)
					out := "free"
					if muted {
						out = "muted"
					}
					if note != nil {
						out += ", " + describe(note)
					}
					got = append(got, out)
					continue
				}
				if note := f.ended("127.0.1.9", s.commands, 10, s.quiet, now); note != nil {
					got = append(got, describe(note))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
