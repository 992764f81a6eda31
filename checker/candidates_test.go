package checker

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/evidence"
	"maillab/server/journal"
)

// randomSession is the events of a POP3 session of group 3 that did some
// of the steps of pop3-telnet at one pace (nil: too few commands to have
// one).
func randomSession(r *rand.Rand, id string, at time.Time, open bool) []journal.Event {
	paces := []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond, time.Second}
	pace := paces[r.IntN(len(paces))]
	var evs []journal.Event
	ev := func(e journal.Event) {
		e.Group, e.Session, e.Proto, e.Time = 3, id, "pop3", at
		evs = append(evs, e)
	}
	cmd := func(verb, code string) {
		at = at.Add(pace)
		ev(journal.Event{Kind: journal.Command, Verb: verb})
		ev(journal.Event{Kind: journal.Reply, Code: code})
	}
	ev(journal.Event{Kind: journal.Open, Remote: "127.0.1.3:4000", ClientGroup: 3})
	if pace == 0 { // one command: no pace to tell
		cmd("QUIT", "+OK")
		if !open {
			ev(journal.Event{Kind: journal.Close})
		}
		return evs
	}
	switch r.IntN(3) {
	case 0:
		cmd("USER", "+OK")
		cmd("PASS", "+OK")
		ev(journal.Event{Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultOK})
	case 1:
		cmd("USER", "+OK")
		cmd("PASS", "-ERR")
		ev(journal.Event{Kind: journal.Login, User: "yom", Method: "pass", Result: journal.ResultFail, Reason: "password"})
	}
	if r.IntN(2) == 0 {
		cmd("STAT", "+OK")
	}
	if r.IntN(2) == 0 {
		cmd("RETR", "+OK")
		ev(journal.Event{Kind: journal.Retrieved, User: "yom", UID: "u" + id})
	}
	if r.IntN(2) == 0 {
		cmd("QUIT", "+OK")
	}
	if !open {
		ev(journal.Event{Kind: journal.Close})
	}
	return evs
}

// The few sessions a State keeps are enough: for any by-hand threshold,
// the checker's choice among them is its choice among all the sessions.
func TestCandidatesHoldTheChoice(t *testing.T) {
	t.Parallel()
	steps := stepsOf(evidence.POP3Telnet,
		func(*evidence.Session) string { return "no login" },
		func(*evidence.Session) string { return "no list" },
		func(*evidence.Session) string { return "no retr" },
		func(*evidence.Session) string { return "no quit" })
	gaps := []time.Duration{AnyPace, 50 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
		700 * time.Millisecond, 800 * time.Millisecond, 2 * time.Second}
	type choice struct {
		ID    string
		Done  int
		First string
		Pace  pace
	}
	for seed := range uint64(40) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 7))
			n := 1 + r.IntN(300)
			st := evidence.New(3)
			var all []*evidence.Session
			at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
			for i := range n {
				id := fmt.Sprintf("pop3-%d", i)
				evs := randomSession(r, id, at, i >= n-3 && r.IntN(2) == 0)
				at = evs[len(evs)-1].Time.Add(time.Second)
				one := evidence.New(3)
				for _, e := range evs {
					st.Apply(e)
					one.Apply(e)
				}
				all = append(all, one.Candidates(evidence.POP3Telnet, 3)...)
			}
			kept := st.Candidates(evidence.POP3Telnet, 3)
			if len(kept) > 2*len(steps)*(evidence.MaxCandidates+1)+3 {
				t.Errorf("%d sessions kept of %d", len(kept), n)
			}
			for _, byHand := range []bool{true, false} {
				for _, gap := range gaps {
					want, wok := best(all, steps, byHand, gap)
					got, gok := best(kept, steps, byHand, gap)
					if !wok || !gok {
						t.Fatalf("no choice: %v %v", wok, gok)
					}
					w := choice{want.s.ID, want.done, want.first, want.pace}
					g := choice{got.s.ID, got.done, got.first, got.pace}
					if diff := cmp.Diff(w, g); diff != "" {
						t.Errorf("%d sessions, by hand %v, gap %v (-all +kept):\n%s", n, byHand, gap, diff)
					}
				}
			}
		})
	}
}
