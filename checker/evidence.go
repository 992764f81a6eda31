package checker

import (
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/classroom"
	"maillab/server/journal"
)

// KindHint is the journal event `lab hint` records when a student asks
// for a hint.
const KindHint = journal.Hint

// ProbeUserPrefix begins the made-up user names of the failed APOP logins
// `lab grade --probe` makes to see that a server enumerates no users; a
// session with such a login, or with a probe message, is the instructor's
// and never a student's.
const ProbeUserPrefix = "grade-probe-"

// Evidence is what the groups' servers recorded: each group's journal
// events and account names, digested for the rules. Build it with
// NewEvidence and Add (or a Collector); it may grow event by event, as the
// live console does. It is not safe for concurrent use.
type Evidence struct {
	// Classroom is the class, or nil for a group run standalone.
	Classroom *classroom.Classroom
	servers   map[int]*server
}

// NewEvidence returns empty evidence for the class c (nil: standalone).
func NewEvidence(c *classroom.Classroom) *Evidence {
	return &Evidence{Classroom: c, servers: map[int]*server{}}
}

// server is the digest of one group's server's journal.
type server struct {
	group    int
	domain   string          // as the data folder or the API said
	accounts map[string]bool // names
	err      error           // why its evidence could not be read
	read     bool            // something was read: events or its status

	sessions  map[string]*session
	order     []*session
	delivered []journal.Event          // every delivery into a mailbox
	accepted  map[string]journal.Event // by message id
	retrieved map[string][]time.Time   // user + "\x00" + uid → when
	outgoing  []journal.Event          // queued and relayed events
	hints     map[string]int           // exercise → highest tier asked
}

func (ev *Evidence) server(id int) *server {
	s := ev.servers[id]
	if s == nil {
		s = &server{
			group: id, accounts: map[string]bool{}, sessions: map[string]*session{},
			accepted: map[string]journal.Event{}, retrieved: map[string][]time.Time{}, hints: map[string]int{},
		}
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

// Unreachable records that group id's evidence could not be read, and why.
func (ev *Evidence) Unreachable(id int, err error) {
	ev.server(id).err = err
}

// Add adds events of group id's journal, in the order they were recorded.
func (ev *Evidence) Add(id int, events ...journal.Event) {
	s := ev.server(id)
	s.read = true
	for _, e := range events {
		s.add(e)
	}
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

// session is what one connection did.
type session struct {
	id          string
	proto       string
	server      int // whose server
	clientGroup int
	loopback    bool
	open        time.Time
	cmds        []command
	logins      []journal.Event
	retrs       []journal.Event
	dataEnds    int
	accepted    []journal.Event
	closed      bool
	probe       bool // the instructor's probe, not a student
}

// command is one command line of a session and the status of its replies.
type command struct {
	verb    string
	t       time.Time
	replies []string // codes: "+OK", "250", …
}

func (s *server) add(e journal.Event) {
	switch e.Kind {
	case journal.Account:
		if e.User != "" {
			s.accounts[e.User] = true
		}
	case journal.Delivered:
		if e.Result == "" || e.Result == journal.ResultOK {
			s.delivered = append(s.delivered, e)
		}
	case journal.Accepted:
		s.accepted[e.ID] = e
	case journal.Queued, journal.Relayed:
		s.outgoing = append(s.outgoing, e)
	case KindHint:
		if e.Count > s.hints[e.ID] {
			s.hints[e.ID] = e.Count
		}
	}
	if e.Session == "" {
		return
	}
	ss := s.sessions[e.Session]
	if ss == nil {
		ss = &session{id: e.Session, proto: e.Proto, server: s.group, open: e.Time}
		s.sessions[e.Session] = ss
		s.order = append(s.order, ss)
	}
	switch e.Kind {
	case journal.Open:
		ss.clientGroup, ss.open = e.ClientGroup, e.Time
		ss.loopback = isLoopback(e.Remote)
	case journal.Command:
		ss.cmds = append(ss.cmds, command{verb: e.Verb, t: e.Time})
	case journal.Reply:
		if n := len(ss.cmds); n > 0 {
			ss.cmds[n-1].replies = append(ss.cmds[n-1].replies, e.Code)
		}
	case journal.Login:
		ss.logins = append(ss.logins, e)
		if strings.HasPrefix(e.User, ProbeUserPrefix) {
			ss.probe = true
		}
	case journal.Retrieved:
		ss.retrs = append(ss.retrs, e)
		k := e.User + "\x00" + e.UID
		s.retrieved[k] = append(s.retrieved[k], e.Time)
	case journal.Data:
		ss.dataEnds++
	case journal.Accepted:
		ss.accepted = append(ss.accepted, e)
		if e.Origin == journal.OriginProbe {
			ss.probe = true
		}
	case journal.Close:
		ss.closed = true
	}
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// owner is the group a session belongs to: the classroom group whose host
// the client connected from; else, for a client on the server's own
// machine (loopback), the server's group; else none (0).
func (s *session) owner() int {
	if s.clientGroup != 0 {
		return s.clientGroup
	}
	if s.loopback {
		return s.server
	}
	return 0
}

// medianGap is the median time between the session's commands; false when it
// has fewer than two commands.
func (s *session) medianGap() (time.Duration, bool) {
	if len(s.cmds) < 2 {
		return 0, false
	}
	gaps := make([]time.Duration, 0, len(s.cmds)-1)
	for i := 1; i < len(s.cmds); i++ {
		gaps = append(gaps, s.cmds[i].t.Sub(s.cmds[i-1].t))
	}
	slices.Sort(gaps)
	n := len(gaps)
	if n%2 == 1 {
		return gaps[n/2], true
	}
	return (gaps[n/2-1] + gaps[n/2]) / 2, true
}

// pace is whether a session was typed by hand.
type pace int

const (
	paceUnknown pace = iota // too few commands to tell
	paceHand
	paceMachine
)

func (s *session) pace(threshold time.Duration) pace {
	if threshold < 0 {
		return paceHand
	}
	m, ok := s.medianGap()
	switch {
	case !ok:
		return paceUnknown
	case m >= threshold:
		return paceHand
	}
	return paceMachine
}

// did says whether the session has a command verb (one of verbs) answered
// with a reply whose code starts with ok.
func (s *session) did(ok string, verbs ...string) bool {
	return s.find(ok, verbs...) >= 0
}

// find returns the index of the first command with a verb of verbs and a
// reply starting with code, or -1.
func (s *session) find(code string, verbs ...string) int {
	for i, c := range s.cmds {
		if !slices.Contains(verbs, c.verb) {
			continue
		}
		for _, r := range c.replies {
			if strings.HasPrefix(r, code) {
				return i
			}
		}
	}
	return -1
}

// login returns the session's first login with method and result, if any.
func (s *session) login(method, result string) (journal.Event, bool) {
	for _, l := range s.logins {
		if (method == "" || l.Method == method) && l.Result == result {
			return l, true
		}
	}
	return journal.Event{}, false
}

// user is the user of the session's last successful login, or of its
// last attempt.
func (s *session) user() string {
	for i := len(s.logins) - 1; i >= 0; i-- {
		if s.logins[i].Result == journal.ResultOK {
			return s.logins[i].User
		}
	}
	if n := len(s.logins); n > 0 {
		return s.logins[n-1].User
	}
	return ""
}

// isKit says whether a message was written by the kit itself, or sent
// with the kit's addresses (postmaster, or the null sender of bounces):
// such messages never count as sent by a student.
func isKit(from, origin string) bool {
	if origin != "" || from == "" {
		return true
	}
	local, _, _ := strings.Cut(from, "@")
	return strings.EqualFold(local, "postmaster") || strings.EqualFold(local, "mailer-daemon")
}

// splitAddr splits an address at its last @, lower-casing the domain and
// normalizing the local part as account names are.
func splitAddr(a string) (local, domain string) {
	a = strings.Trim(strings.TrimSpace(a), "<>")
	i := strings.LastIndexByte(a, '@')
	if i < 0 {
		return account.Normalize(a), ""
	}
	return account.Normalize(a[:i]), strings.ToLower(a[i+1:])
}
