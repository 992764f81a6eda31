package checker

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/classroom"
	"maillab/server/evidence"
	"maillab/server/journal"
)

// KindHint is the journal event `lab hint` records when a student asks
// for a hint.
const KindHint = journal.Hint

// ProbeUserPrefix begins the made-up user names of the failed APOP logins
// `lab grade --probe` makes to see that a server enumerates no users; a
// session with such a login, or with a probe message, is the instructor's
// and never a student's.
const ProbeUserPrefix = evidence.ProbeUserPrefix

// Evidence is what the groups' servers recorded: for each group its
// evidence summaries (package server/evidence) and account names. Build it
// with NewEvidence and Add (events, applied to summaries as they come),
// SetState (summaries read elsewhere) or Track (a live server's tracker),
// or with a Collector. It is not safe for concurrent use.
type Evidence struct {
	// Classroom is the class, or nil for a group run standalone.
	Classroom *classroom.Classroom
	servers   map[int]*server
}

// NewEvidence returns empty evidence for the class c (nil: standalone).
func NewEvidence(c *classroom.Classroom) *Evidence {
	return &Evidence{Classroom: c, servers: map[int]*server{}}
}

// server is the evidence of one group's server.
type server struct {
	group    int
	domain   string          // as the data folder or the API said
	accounts map[string]bool // names
	err      error           // why its evidence could not be read
	read     bool            // something was read: events or its status

	st      *evidence.State
	tracker *evidence.Tracker // when st is a live server's, locked while checking
}

func (ev *Evidence) server(id int) *server {
	s := ev.servers[id]
	if s == nil {
		s = &server{group: id, accounts: map[string]bool{}, st: evidence.New(id)}
		ev.servers[id] = s
	}
	return s
}

// SetGroup records what group id's server says of itself: its mail domain
// ("" if unknown) and its account names.
func (ev *Evidence) SetGroup(id int, domain string, accounts []string) {
	s := ev.server(id)
	s.read = true
	if domain != "" {
		s.domain = strings.ToLower(domain)
	}
	for _, a := range accounts {
		s.accounts[account.Normalize(a)] = true
	}
}

// SetState takes st as group id's evidence (read from a data folder or a
// server), in place of what was there.
func (ev *Evidence) SetState(id int, st *evidence.State) {
	s := ev.server(id)
	s.read, s.st, s.tracker = true, st, nil
}

// Track makes group id's evidence the live state of tracker t: a check
// locks it while it reads.
func (ev *Evidence) Track(id int, t *evidence.Tracker) {
	s := ev.server(id)
	s.read, s.st, s.tracker = true, t.State(), t
}

// Unreachable records that group id's evidence could not be read, and why.
func (ev *Evidence) Unreachable(id int, err error) {
	ev.server(id).err = err
}

// Add applies events of group id's journal, in the order they were
// recorded, to its summaries. It must not be used on tracked evidence.
func (ev *Evidence) Add(id int, events ...journal.Event) {
	s := ev.server(id)
	s.read = true
	for _, e := range events {
		s.st.Apply(e)
	}
}

// lock locks the trackers of live evidence, in order of group, and returns
// what unlocks them.
func (ev *Evidence) lock() func() {
	var locked []*evidence.Tracker
	for _, id := range ev.Groups() {
		if t := ev.servers[id].tracker; t != nil {
			t.Lock()
			locked = append(locked, t)
		}
	}
	return func() {
		for _, t := range locked {
			t.Unlock()
		}
	}
}

// hasAccount says whether name is an account of the server.
func (s *server) hasAccount(name string) bool {
	return s.accounts[name] || slices.Contains(s.st.Accounts, name)
}

// Has says whether group id's evidence was read.
func (ev *Evidence) Has(id int) bool {
	s := ev.servers[id]
	return s != nil && s.read && s.err == nil
}

// Err is why group id's evidence could not be read (nil when it was, or
// was never asked for).
func (ev *Evidence) Err(id int) error {
	if s := ev.servers[id]; s != nil {
		return s.err
	}
	return nil
}

// Groups returns the groups the evidence knows of, in order.
func (ev *Evidence) Groups() []int {
	var ids []int
	for id := range ev.servers {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// domain is group id's mail domain: the classroom's word, else what its
// server said, else the kit's default.
func (ev *Evidence) domain(id int) string {
	if ev.Classroom != nil {
		if _, ok := ev.Classroom.Group(id); ok {
			return ev.Classroom.GroupDomain(id)
		}
	}
	if s := ev.servers[id]; s != nil && s.domain != "" {
		return s.domain
	}
	return "g" + strconv.Itoa(id) + ".lab.test"
}

// peers are the other groups of id's cluster (none without a classroom).
func (ev *Evidence) peers(id int) []int {
	if ev.Classroom == nil {
		return nil
	}
	return ev.Classroom.Peers(id)
}

// splitAddr: see evidence.SplitAddr.
func splitAddr(a string) (local, domain string) { return evidence.SplitAddr(a) }

// pace is whether a session was typed by hand.
type pace int

const (
	paceUnknown pace = iota // too few commands to tell
	paceHand
	paceMachine
)

func paceOf(s *evidence.Session, threshold time.Duration) pace {
	if threshold < 0 {
		return paceHand
	}
	m, ok := s.MedianGap()
	switch {
	case !ok:
		return paceUnknown
	case m >= threshold:
		return paceHand
	}
	return paceMachine
}
