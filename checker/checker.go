// Package checker decides, from the evidence the servers recorded in their
// journals, which exercises a group has done — and, for one it has not,
// says what is missing, in the student's language ("you logged in with
// USER/PASS but never retrieved a message with RETR").
//
// One rule per exercise id (see package exercises):
//
//	pop3-telnet   on the group's server, a session of the group's, typed by
//	              hand: USER/PASS login, STAT or LIST, RETR, QUIT
//	apop-telnet   the same with an APOP login (a correct digest), RETR, QUIT
//	smtp-telnet   on any server read, an SMTP session of the group's, typed by
//	              hand: HELO/EHLO, MAIL, RCPT, DATA, the lone ".", the message
//	              accepted (250), QUIT
//	cross-send    at another group of the cluster, a delivery from a real
//	              account of the group (user@gN…), which the recipient then
//	              retrieved (RETR of that message) from that group's server
//	cross-apop    on the group's server, a session from another cluster
//	              group's host: APOP login, RETR
//	envelope-bcc  on the group's server, a delivery to a member whose address
//	              is in neither the To nor the Cc of the message (which has at
//	              least one address there), retrieved afterwards
//
// Decisions on the open questions:
//
//   - By hand: the median gap between a session's commands must be at least
//     Options.HandGap (default 500ms). A paste, or a client such as curl or
//     poplib, sends its commands within milliseconds. Only the sessions of
//     pop3-telnet, apop-telnet and smtp-telnet must be typed by hand; the
//     other exercises may use any client.
//   - Whose session: the classroom group whose host the client address is
//     (the journal's client_group). A client on the server's own machine
//     (a loopback address that is no classroom host) belongs to the
//     server's own group; so, run standalone, every loopback session is the
//     group's own. Other clients belong to no group.
//   - The kit's messages (welcome, bounces, probes) and mail whose envelope
//     sender is postmaster or <> never count as mail a student sent, nor as
//     mail received for envelope-bcc. But reading the welcome message with
//     RETR does count for pop3-telnet and apop-telnet: the handout's first
//     task is operating POP3, and the welcome message is there to be read.
//   - A rule that needs a peer's evidence and finds its server unreachable
//     says so and reports StatusUnknown (`lab check` exits 2) unless the
//     exercise passed on what could be read. Without a classroom, the
//     cross-group exercises are StatusUnknown too.
package checker

import (
	"errors"
	"slices"
	"strings"
	"time"

	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/server/journal"
)

// DefaultHandGap is the least median gap between commands of a session
// typed by hand.
const DefaultHandGap = 500 * time.Millisecond

// AnyPace, as Options.HandGap, counts sessions of any pace as typed by
// hand (for tests, and the `--hand-gap 0s` of `lab check`).
const AnyPace time.Duration = -1

// Options tune a check.
type Options struct {
	// HandGap is the least median gap between a session's commands for it
	// to count as typed by hand. Zero means DefaultHandGap; a negative
	// value (AnyPace) counts every session.
	HandGap time.Duration
	// Lang is the language of the details.
	Lang i18n.Lang
	// IDs are the exercises to check; nil means all, in order.
	IDs []string
}

func (o Options) handGap() time.Duration {
	if o.HandGap == 0 {
		return DefaultHandGap
	}
	return o.HandGap
}

// Status is the outcome of a check.
type Status string

// The outcomes.
const (
	StatusPassed    Status = "passed"
	StatusNotPassed Status = "not-passed"
	// StatusUnknown: the check could not decide (a server not reachable,
	// no classroom file).
	StatusUnknown Status = "unknown"
)

// Result is the outcome of one exercise. Its JSON form is the stable
// interface of `lab check --json` ("id", "passed", "detail"); the other
// fields may be added to, never changed.
type Result struct {
	ID     string `json:"id"`
	Passed bool   `json:"passed"`
	// Detail says what was seen (passed) or what is missing (not passed),
	// or why the check could not decide.
	Detail string `json:"detail"`
	Status Status `json:"status"`
	// Session is the journal session that passed it, when one did.
	Session string `json:"session,omitempty"`
	// Hints is how many of the exercise's hints the group has asked for.
	Hints int `json:"hints,omitempty"`
}

// Report is the outcome of every exercise checked for one group; its
// JSON form is that of `lab check --json`.
type Report struct {
	Group     int      `json:"group"`
	Exercises []Result `json:"exercises"`
}

// Status sums the report up: passed when every exercise passed; not passed
// when one is known not to have passed; else unknown.
func (r Report) Status() Status {
	s := StatusPassed
	for _, e := range r.Exercises {
		switch e.Status {
		case StatusNotPassed:
			return StatusNotPassed
		case StatusUnknown:
			s = StatusUnknown
		}
	}
	return s
}

// Result returns the result of exercise id, and whether it is in the report.
func (r Report) Result(id string) (Result, bool) {
	for _, e := range r.Exercises {
		if e.ID == id {
			return e, true
		}
	}
	return Result{}, false
}

// Check checks group's exercises against the evidence.
func Check(ev *Evidence, group int, o Options) Report {
	ids := o.IDs
	if ids == nil {
		ids = exercises.IDs()
	}
	r := Report{Group: group, Exercises: []Result{}}
	for _, id := range ids {
		r.Exercises = append(r.Exercises, CheckOne(ev, group, id, o))
	}
	return r
}

// CheckOne checks one exercise of group.
func CheckOne(ev *Evidence, group int, id string, o Options) Result {
	c := &check{ev: ev, group: group, o: o, l: o.Lang}
	var res Result
	switch id {
	case exercises.POP3Telnet:
		res = c.pop3Telnet()
	case exercises.APOPTelnet:
		res = c.apopTelnet()
	case exercises.SMTPTelnet:
		res = c.smtpTelnet()
	case exercises.CrossSend:
		res = c.crossSend()
	case exercises.CrossAPOP:
		res = c.crossAPOP()
	case exercises.EnvelopeBcc:
		res = c.envelopeBcc()
	default:
		res = Result{Status: StatusUnknown, Detail: "checker: no such exercise: " + id}
	}
	res.ID = id
	res.Passed = res.Status == StatusPassed
	if s := ev.servers[group]; s != nil {
		res.Hints = s.hints[id]
	}
	return res
}

// check is one exercise being checked.
type check struct {
	ev    *Evidence
	group int
	o     Options
	l     i18n.Lang
}

func (c *check) t(key string, args ...any) string { return t(c.l, key, args...) }

func passed(detail, session string) Result {
	return Result{Status: StatusPassed, Detail: detail, Session: session}
}

func missing(detail string) Result { return Result{Status: StatusNotPassed, Detail: detail} }

// own returns the group's own server, or a result saying why it cannot be
// read.
func (c *check) own() (*server, *Result) {
	s := c.ev.servers[c.group]
	if s != nil && s.err != nil {
		return nil, &Result{Status: StatusUnknown, Detail: c.t("own-unreachable", c.group, s.err)}
	}
	if s == nil || !s.read {
		err := errors.New("no evidence")
		return nil, &Result{Status: StatusUnknown, Detail: c.t("own-unreachable", c.group, err)}
	}
	return s, nil
}

// peers returns the other groups of the cluster, or a result saying why
// there are none.
func (c *check) peers() ([]int, *Result) {
	cl := c.ev.Classroom
	switch {
	case cl == nil:
		return nil, &Result{Status: StatusUnknown, Detail: c.t("no-classroom")}
	case !slices.Contains(groupIDs(c.ev), c.group):
		return nil, &Result{Status: StatusUnknown, Detail: c.t("not-in-classroom", c.group)}
	}
	p := c.ev.peers(c.group)
	if len(p) == 0 {
		return nil, &Result{Status: StatusUnknown, Detail: c.t("no-peers", c.group)}
	}
	return p, nil
}

func groupIDs(ev *Evidence) []int {
	var ids []int
	for _, g := range ev.Classroom.Groups {
		ids = append(ids, g.ID)
	}
	return ids
}

// undecided turns a result that did not pass into "could not check" when
// some of the servers it needed could not be read.
func (c *check) undecided(res Result, needed []int) Result {
	if res.Status == StatusPassed {
		return res
	}
	var parts []string
	for _, id := range needed {
		if s := c.ev.servers[id]; s != nil && s.err != nil {
			parts = append(parts, c.t("peer-unreachable", groups(c.l, []int{id}, true), s.err))
		} else if s == nil || !s.read {
			parts = append(parts, c.t("peer-unreachable", groups(c.l, []int{id}, true), errors.New("no evidence")))
		}
	}
	if len(parts) == 0 {
		return res
	}
	sep := " "
	if c.l == i18n.Ja {
		sep = ""
	}
	detail := strings.Join(parts, sep)
	if res.Detail != "" {
		detail += sep + c.t("partial", res.Detail)
	}
	return Result{Status: StatusUnknown, Detail: detail}
}

// step is one thing a session must have done, and what to say when it
// has not.
type step struct {
	ok  func(s *session) bool
	why func(s *session) string
}

// candidate is a session measured against the steps of a rule.
type candidate struct {
	s     *session
	done  int    // steps done
	first string // what the first missing step says; "" when all are done
	pace  pace
}

// best measures sessions against steps and returns the one that got
// furthest. When byHand, a session that is complete and typed by hand
// comes first, then those that did something and were not too fast to
// tell (a student's own attempt says more than a mail client's session),
// then the rest, each by the steps done. ok is false when there is no
// session at all.
func best(sessions []*session, steps []step, byHand bool, gap time.Duration) (top candidate, ok bool) {
	rank := func(c candidate) [3]int {
		var r [3]int
		if c.first == "" && (!byHand || c.pace == paceHand) {
			r[0] = 1
		}
		if !byHand || c.done > 0 && c.pace != paceMachine {
			r[1] = 1
		}
		r[2] = c.done
		return r
	}
	less := func(a, b [3]int) bool {
		for i := range a {
			if a[i] != b[i] {
				return a[i] < b[i]
			}
		}
		return false
	}
	for _, s := range sessions {
		c := candidate{s: s, pace: s.pace(gap)}
		for _, st := range steps {
			if st.ok(s) {
				c.done++
			} else if c.first == "" {
				c.first = st.why(s)
			}
		}
		if !ok || less(rank(top), rank(c)) {
			top, ok = c, true
		}
	}
	return top, ok
}

// sessionsOf returns the sessions of proto on server s that belong to
// group g.
func sessionsOf(s *server, proto string, g int) []*session {
	var out []*session
	for _, ss := range s.order {
		if ss.proto == proto && ss.owner() == g && !ss.probe {
			out = append(out, ss)
		}
	}
	return out
}

// byHandResult finishes a rule whose sessions must be typed by hand.
func (c *check) byHandResult(top candidate, passedText func(*session, string) string) Result {
	if top.first != "" {
		return missing(top.first)
	}
	median, _ := top.s.medianGap()
	if top.pace == paceMachine {
		return missing(c.t("too-fast", duration(median), duration(c.o.handGap())))
	}
	return passed(passedText(top.s, duration(median)), top.s.id)
}

func (c *check) pop3Telnet() Result {
	s, bad := c.own()
	if bad != nil {
		return *bad
	}
	sessions := sessionsOf(s, "pop3", c.group)
	steps := []step{
		{ok: func(s *session) bool { _, ok := s.login("pass", journal.ResultOK); return ok },
			why: func(s *session) string {
				if _, ok := s.login("apop", journal.ResultOK); ok {
					return c.t("pop3-apop-instead")
				}
				for _, l := range s.logins {
					if l.Method == "pass" {
						return c.t("pop3-login-failed", reason(c.l, loginReason(l)))
					}
				}
				if s.did("+OK", "USER") {
					return c.t("pop3-no-pass")
				}
				return c.t("pop3-no-login")
			}},
		{ok: func(s *session) bool { return s.did("+OK", "STAT", "LIST") },
			why: func(s *session) string { return c.t("pop3-no-list", s.user()) }},
		{ok: func(s *session) bool { return len(s.retrs) > 0 },
			why: func(s *session) string { return c.t("pop3-no-retr", s.user()) }},
		{ok: func(s *session) bool { return s.did("+OK", "QUIT") },
			why: func(s *session) string { return c.t("pop3-no-quit", s.user()) }},
	}
	top, ok := best(sessions, steps, true, c.o.handGap())
	if !ok {
		return missing(c.t("pop3-none"))
	}
	return c.byHandResult(top, func(s *session, median string) string {
		return c.t("pop3-passed", s.user(), median)
	})
}

func loginReason(l journal.Event) string {
	if l.Result == journal.ResultInUse {
		return "in-use"
	}
	return l.Reason
}

func (c *check) apopTelnet() Result {
	s, bad := c.own()
	if bad != nil {
		return *bad
	}
	sessions := sessionsOf(s, "pop3", c.group)
	top, ok := best(sessions, c.apopSteps(true), true, c.o.handGap())
	if !ok {
		return missing(c.t("apop-none"))
	}
	return c.byHandResult(top, func(s *session, median string) string {
		return c.t("apop-passed", s.user(), median)
	})
}

func (c *check) apopSteps(quit bool) []step {
	steps := []step{
		{ok: func(s *session) bool { _, ok := s.login("apop", journal.ResultOK); return ok },
			why: func(s *session) string {
				for _, l := range s.logins {
					if l.Method == "apop" {
						return c.t("apop-failed", reason(c.l, loginReason(l)))
					}
				}
				if _, ok := s.login("pass", journal.ResultOK); ok {
					return c.t("apop-pass-instead")
				}
				return c.t("apop-no-login")
			}},
		{ok: func(s *session) bool { return len(s.retrs) > 0 },
			why: func(s *session) string { return c.t("apop-no-retr", s.user()) }},
	}
	if quit {
		steps = append(steps, step{ok: func(s *session) bool { return s.did("+OK", "QUIT") },
			why: func(s *session) string { return c.t("apop-no-quit", s.user()) }})
	}
	return steps
}

func (c *check) smtpTelnet() Result {
	var sessions []*session
	needed := []int{c.group}
	if p, bad := c.peers(); bad == nil {
		needed = append(needed, p...)
	}
	for _, id := range c.ev.Groups() {
		if s := c.ev.servers[id]; s.err == nil {
			sessions = append(sessions, sessionsOf(s, "smtp", c.group)...)
		}
	}
	code := func(s *session, verb string) string {
		for _, cmd := range s.cmds {
			if cmd.verb == verb && len(cmd.replies) > 0 {
				if r := cmd.replies[len(cmd.replies)-1]; !strings.HasPrefix(r, "2") && !strings.HasPrefix(r, "3") {
					return r
				}
			}
		}
		return ""
	}
	accepted := func(s *session) bool {
		for _, a := range s.accepted {
			if !isKit(a.From, a.Origin) {
				return true
			}
		}
		return false
	}
	steps := []step{
		{ok: func(s *session) bool { return s.did("250", "HELO", "EHLO") },
			why: func(*session) string { return c.t("smtp-no-helo") }},
		{ok: func(s *session) bool { return s.did("250", "MAIL") },
			why: func(s *session) string {
				switch {
				case code(s, "MAIL") == "501":
					return c.t("smtp-mail-brackets")
				case code(s, "MAIL") == "503":
					return c.t("smtp-mail-order")
				case code(s, "RCPT") == "503":
					return c.t("smtp-rcpt-before-mail")
				}
				return c.t("smtp-no-mail")
			}},
		{ok: func(s *session) bool { return s.did("250", "RCPT") },
			why: func(s *session) string {
				switch r := code(s, "RCPT"); r {
				case "":
					if code(s, "DATA") == "503" {
						return c.t("smtp-data-before-rcpt")
					}
					return c.t("smtp-no-rcpt")
				case "501":
					return c.t("smtp-rcpt-brackets")
				case "503":
					return c.t("smtp-rcpt-before-mail")
				default:
					return c.t("smtp-rcpt-refused", r)
				}
			}},
		{ok: func(s *session) bool { return s.did("354", "DATA") },
			why: func(s *session) string {
				if code(s, "DATA") == "503" {
					return c.t("smtp-data-before-rcpt")
				}
				return c.t("smtp-no-data")
			}},
		{ok: func(s *session) bool { return s.dataEnds > 0 },
			why: func(*session) string { return c.t("smtp-no-dot") }},
		{ok: accepted,
			why: func(s *session) string {
				if len(s.accepted) > 0 {
					return c.t("smtp-kit-sender")
				}
				r := code(s, "DATA")
				if r == "" {
					r = "?"
				}
				return c.t("smtp-not-accepted", r)
			}},
		{ok: func(s *session) bool { return s.did("221", "QUIT") },
			why: func(*session) string { return c.t("smtp-no-quit") }},
	}
	top, ok := best(sessions, steps, true, c.o.handGap())
	var res Result
	if !ok {
		res = missing(c.t("smtp-none"))
	} else {
		res = c.byHandResult(top, func(s *session, median string) string {
			from := ""
			for _, a := range s.accepted {
				if !isKit(a.From, a.Origin) {
					from = a.From
				}
			}
			return c.t("smtp-passed", from, groups(c.l, []int{s.server}, true), median)
		})
	}
	return c.undecided(res, needed)
}

// member says whether addr is an address of a real account of group g.
func (c *check) member(addr string, g int) (local string, domainOK, ok bool) {
	local, domain := splitAddr(addr)
	if domain != c.ev.domain(g) {
		return local, false, false
	}
	s := c.ev.servers[g]
	return local, true, s != nil && s.accounts[local] && local != "postmaster"
}

// retrievedAfter says whether user retrieved the message uid on server s
// after t.
func (s *server) retrievedAfter(user, uid string, t time.Time) bool {
	for _, at := range s.retrieved[user+"\x00"+uid] {
		if !at.Before(t) {
			return true
		}
	}
	return false
}

func (c *check) crossSend() Result {
	peers, bad := c.peers()
	if bad != nil {
		return *bad
	}
	own, bad := c.own()
	if bad != nil {
		return *bad
	}
	var unread, notMember *journal.Event
	var unreadGroup, notMemberGroup int
	for _, p := range peers {
		s := c.ev.servers[p]
		if s == nil || s.err != nil {
			continue
		}
		for i := range s.delivered {
			d := &s.delivered[i]
			if isKit(d.From, d.Origin) || d.User == "postmaster" {
				continue
			}
			_, domainOK, ok := c.member(d.From, c.group)
			switch {
			case ok && s.retrievedAfter(d.User, d.UID, d.Time):
				return passed(c.t("cross-send-passed", d.From, rcpt(d), groups(c.l, []int{p}, true)), "")
			case ok && unread == nil:
				unread, unreadGroup = d, p
			case domainOK && !ok && notMember == nil:
				notMember, notMemberGroup = d, p
			}
		}
	}
	var res Result
	switch {
	case unread != nil:
		res = missing(c.t("cross-send-unread", unread.From, rcpt(unread), groups(c.l, []int{unreadGroup}, true)))
	case notMember != nil:
		local, _ := splitAddr(notMember.From)
		res = missing(c.t("cross-send-not-member", notMember.From, groups(c.l, []int{notMemberGroup}, true), local))
	default:
		res = c.crossSendElsewhere(own, peers)
	}
	return c.undecided(res, peers)
}

func rcpt(d *journal.Event) string {
	if len(d.Rcpt) > 0 {
		return d.Rcpt[0]
	}
	return d.User
}

// crossSendElsewhere explains a cross-send that reached no peer: still in
// the relay queue, bounced, sent to a group of another cluster, or not sent.
func (c *check) crossSendElsewhere(own *server, peers []int) Result {
	var queued, bounced *journal.Event
	for i := range own.outgoing {
		e := &own.outgoing[i]
		if isKit(e.From, e.Origin) {
			continue
		}
		if _, _, ok := c.member(e.From, c.group); !ok {
			continue
		}
		switch {
		case !slices.Contains(peers, e.DestGroup):
			return missing(c.t("cross-send-other-cluster", groups(c.l, []int{e.DestGroup}, true), groups(c.l, c.ev.Classroom.Cluster(c.group), true)))
		case e.Kind == journal.Relayed && e.Result == journal.ResultBounced:
			bounced = e
		case e.Kind == journal.Queued:
			queued = e
		}
	}
	if bounced != nil {
		return missing(c.t("cross-send-bounced", strings.Join(bounced.Rcpt, ", "), bounced.Error))
	}
	if queued != nil {
		return missing(c.t("cross-send-queued", strings.Join(queued.Rcpt, ", "), groups(c.l, []int{queued.DestGroup}, true)))
	}
	// delivered at a group of another cluster (evidence of `lab grade`)
	for _, id := range c.ev.Groups() {
		if id == c.group || slices.Contains(peers, id) {
			continue
		}
		for _, d := range c.ev.servers[id].delivered {
			if _, _, ok := c.member(d.From, c.group); ok && !isKit(d.From, d.Origin) {
				return missing(c.t("cross-send-other-cluster", groups(c.l, []int{id}, true), groups(c.l, c.ev.Classroom.Cluster(c.group), true)))
			}
		}
	}
	return missing(c.t("cross-send-none", c.ev.domain(c.group), groups(c.l, peers, false)))
}

func (c *check) crossAPOP() Result {
	peers, bad := c.peers()
	if bad != nil {
		return *bad
	}
	s, bad := c.own()
	if bad != nil {
		return *bad
	}
	var fromPeers []*session
	otherCluster := 0
	ownMachine := false
	for _, ss := range s.order {
		if ss.proto != "pop3" {
			continue
		}
		switch o := ss.owner(); {
		case slices.Contains(peers, o):
			fromPeers = append(fromPeers, ss)
		case o == c.group:
			if _, ok := ss.login("apop", journal.ResultOK); ok {
				ownMachine = true
			}
		case ss.clientGroup != 0 && otherCluster == 0:
			otherCluster = ss.clientGroup
		}
	}
	top, ok := best(fromPeers, c.apopStepsFrom(), false, c.o.handGap())
	switch {
	case ok && top.first == "":
		return passed(c.t("cross-apop-passed", top.s.user(), groups(c.l, []int{top.s.clientGroup}, true)), top.s.id)
	case ok:
		return missing(top.first)
	case ownMachine:
		return missing(c.t("cross-apop-own-machine", groups(c.l, peers, false)))
	case otherCluster != 0:
		return missing(c.t("cross-apop-other-cluster", groups(c.l, []int{otherCluster}, true), groups(c.l, c.ev.Classroom.Cluster(c.group), true)))
	}
	return missing(c.t("cross-apop-none", groups(c.l, peers, false)))
}

// apopStepsFrom are the steps of cross-apop, whose texts name the peer.
func (c *check) apopStepsFrom() []step {
	from := func(s *session) string { return groups(c.l, []int{s.clientGroup}, true) }
	return []step{
		{ok: func(s *session) bool { _, ok := s.login("apop", journal.ResultOK); return ok },
			why: func(s *session) string {
				for _, l := range s.logins {
					if l.Method == "apop" {
						return c.t("cross-apop-failed", from(s), reason(c.l, loginReason(l)))
					}
				}
				if _, ok := s.login("pass", journal.ResultOK); ok {
					return c.t("cross-apop-pass-instead", from(s))
				}
				return c.t("cross-apop-no-login", from(s))
			}},
		{ok: func(s *session) bool { return len(s.retrs) > 0 },
			why: func(s *session) string { return c.t("cross-apop-no-retr", s.user(), from(s)) }},
	}
}

func (c *check) envelopeBcc() Result {
	s, bad := c.own()
	if bad != nil {
		return *bad
	}
	var unread, noHeader *journal.Event
	received := false
	for i := range s.delivered {
		d := &s.delivered[i]
		if isKit(d.From, d.Origin) || d.User == "postmaster" {
			continue
		}
		received = true
		a, ok := s.accepted[d.ID]
		if !ok {
			continue
		}
		header := append(append([]string(nil), a.To...), a.Cc...)
		if len(header) == 0 {
			if noHeader == nil {
				noHeader = d
			}
			continue
		}
		if inHeader(rcpt(d), header) {
			continue
		}
		if s.retrievedAfter(d.User, d.UID, d.Time) {
			return passed(c.t("bcc-passed", d.User, strings.Join(header, ", ")), "")
		}
		if unread == nil {
			unread = d
		}
	}
	switch {
	case unread != nil:
		return missing(c.t("bcc-unread", unread.User))
	case noHeader != nil:
		return missing(c.t("bcc-no-header", noHeader.User))
	case received:
		return missing(c.t("bcc-in-header"))
	}
	return missing(c.t("bcc-none"))
}

// inHeader says whether addr is among the addresses of a header.
func inHeader(addr string, header []string) bool {
	local, domain := splitAddr(addr)
	for _, h := range header {
		if l, d := splitAddr(h); l == local && d == domain {
			return true
		}
	}
	return false
}
