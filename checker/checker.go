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
	"maillab/exercises/explain"
	"maillab/exercises/i18n"
	"maillab/server/evidence"
	"maillab/server/journal"
)

// DefaultHandGap is the least median gap between commands of a session
// typed by hand.
const DefaultHandGap = evidence.DefaultHandGap

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
	defer ev.lock()()
	for _, id := range ids {
		r.Exercises = append(r.Exercises, checkOne(ev, group, id, o))
	}
	return r
}

// CheckOne checks one exercise of group.
func CheckOne(ev *Evidence, group int, id string, o Options) Result {
	defer ev.lock()()
	return checkOne(ev, group, id, o)
}

func checkOne(ev *Evidence, group int, id string, o Options) Result {
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
		res = c.extension(id)
	}
	res.ID = id
	res.Passed = res.Status == StatusPassed
	if s := ev.servers[group]; s != nil {
		res.Hints = s.st.Hints[id]
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

func passed(detail, session string) Result {
	return Result{Status: StatusPassed, Detail: detail, Session: session}
}

func missing(detail string) Result { return Result{Status: StatusNotPassed, Detail: detail} }

// own returns the group's own server, or a result saying why it cannot be
// read.
func (c *check) own() (*server, *Result) {
	s := c.ev.servers[c.group]
	if s != nil && s.err != nil {
		return nil, &Result{Status: StatusUnknown, Detail: txtOwnUnreachable.F(c.l, c.group, s.err)}
	}
	if s == nil || !s.read {
		err := errors.New("no evidence")
		return nil, &Result{Status: StatusUnknown, Detail: txtOwnUnreachable.F(c.l, c.group, err)}
	}
	return s, nil
}

// peers returns the other groups of the cluster, or a result saying why
// there are none.
func (c *check) peers() ([]int, *Result) {
	cl := c.ev.Classroom
	switch {
	case cl == nil:
		return nil, &Result{Status: StatusUnknown, Detail: txtNoClassroom.In(c.l)}
	case !slices.Contains(groupIDs(c.ev), c.group):
		return nil, &Result{Status: StatusUnknown, Detail: txtNotInClassroom.F(c.l, c.group)}
	}
	p := c.ev.peers(c.group)
	if len(p) == 0 {
		return nil, &Result{Status: StatusUnknown, Detail: txtNoPeers.F(c.l, c.group)}
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
			parts = append(parts, txtPeerUnreachable.F(c.l, groups(c.l, []int{id}, true), s.err))
		} else if s == nil || !s.read {
			parts = append(parts, txtPeerUnreachable.F(c.l, groups(c.l, []int{id}, true), errors.New("no evidence")))
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
		detail += sep + txtPartial.F(c.l, res.Detail)
	}
	return Result{Status: StatusUnknown, Detail: detail}
}

// step is one thing a session must have done, and what to say when it
// has not.
type step struct {
	ok  evidence.Step
	why func(s *evidence.Session) string
}

// stepsOf pairs the steps of rule r with what to say of each.
func stepsOf(r evidence.Rule, why ...func(s *evidence.Session) string) []step {
	var steps []step
	for i, ok := range r.Steps() {
		steps = append(steps, step{ok: ok, why: why[i]})
	}
	return steps
}

// candidate is a session measured against the steps of a rule.
type candidate struct {
	s     *evidence.Session
	done  int    // steps done
	first string // what the first missing step says; "" when all are done
	pace  pace
}

// best measures sessions against steps and returns the one that got
// furthest. When byHand, a session that is complete and typed by hand
// comes first, then those that did something and were not too fast to
// tell (a student's own attempt says more than a mail client's session),
// then the rest, each by the steps done; of equals, the earliest. ok is
// false when there is no session at all. The sessions are the candidates
// a State keeps, which hold this choice for any threshold (see
// evidence.Class).
func best(sessions []*evidence.Session, steps []step, byHand bool, gap time.Duration) (top candidate, ok bool) {
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
		c := candidate{s: s, pace: paceOf(s, gap)}
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

// byHandResult finishes a rule whose sessions must be typed by hand.
func (c *check) byHandResult(top candidate, passedText func(*evidence.Session, string) string) Result {
	if top.first != "" {
		return missing(top.first)
	}
	median, _ := top.s.MedianGap()
	if top.pace == paceMachine {
		return missing(txtTooFast.In(c.l) + explain.DiagTooFast.F(c.l, duration(median), duration(c.o.handGap())))
	}
	return passed(passedText(top.s, duration(median)), top.s.ID)
}

// noQuit is why, a POP3 session's missing QUIT, and, when the session
// was closed with messages DELE had marked, that they were not deleted,
// in the words the console uses (explain.DiagDeleNoQuit).
func (c *check) noQuit(s *evidence.Session, why string) string {
	if !s.Closed || s.Marked == 0 {
		return why
	}
	return txtNoQuitMarks.F(c.l, why, explain.DiagDeleNoQuit.F(c.l, s.Marked))
}

// firstLogin returns the session's first login attempt with method.
func firstLogin(s *evidence.Session, method string) (evidence.Login, bool) {
	for _, l := range s.Logins {
		if l.Method == method {
			return l, true
		}
	}
	return evidence.Login{}, false
}

func (c *check) pop3Telnet() Result {
	s, bad := c.own()
	if bad != nil {
		return *bad
	}
	sessions := s.st.Candidates(evidence.POP3Telnet, c.group)
	steps := stepsOf(evidence.POP3Telnet,
		func(s *evidence.Session) string {
			if s.APOPOK {
				return txtPOP3APOPInstead.In(c.l)
			}
			if l, ok := firstLogin(s, "pass"); ok {
				return txtPOP3LoginFailed.F(c.l, reason(c.l, loginReason(l)))
			}
			if s.Did("+OK", "USER") {
				return txtPOP3NoPass.In(c.l)
			}
			return txtPOP3NoLogin.In(c.l)
		},
		func(s *evidence.Session) string { return txtPOP3NoList.F(c.l, s.User()) },
		func(s *evidence.Session) string { return txtPOP3NoRetr.F(c.l, s.User()) },
		func(s *evidence.Session) string { return c.noQuit(s, txtPOP3NoQuit.F(c.l, s.User())) },
	)
	top, ok := best(sessions, steps, true, c.o.handGap())
	if !ok {
		return missing(txtPOP3None.In(c.l))
	}
	return c.byHandResult(top, func(s *evidence.Session, median string) string {
		return txtPOP3Passed.F(c.l, s.User(), median)
	})
}

func loginReason(l evidence.Login) string {
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
	sessions := s.st.Candidates(evidence.APOPTelnet, c.group)
	steps := stepsOf(evidence.APOPTelnet,
		func(s *evidence.Session) string {
			if l, ok := firstLogin(s, "apop"); ok {
				return txtAPOPFailed.F(c.l, reason(c.l, loginReason(l)))
			}
			if s.PassOK {
				return txtAPOPPassInstead.In(c.l)
			}
			return txtAPOPNoLogin.In(c.l)
		},
		func(s *evidence.Session) string { return txtAPOPNoRetr.F(c.l, s.User()) },
		func(s *evidence.Session) string { return c.noQuit(s, txtAPOPNoQuit.F(c.l, s.User())) },
	)
	top, ok := best(sessions, steps, true, c.o.handGap())
	if !ok {
		return missing(txtAPOPNone.In(c.l))
	}
	return c.byHandResult(top, func(s *evidence.Session, median string) string {
		return txtAPOPPassed.F(c.l, s.User(), median)
	})
}

func (c *check) smtpTelnet() Result {
	var sessions []*evidence.Session
	needed := []int{c.group}
	if p, bad := c.peers(); bad == nil {
		needed = append(needed, p...)
	}
	for _, id := range c.ev.Groups() {
		if s := c.ev.servers[id]; s.err == nil {
			sessions = append(sessions, s.st.Candidates(evidence.SMTPTelnet, c.group)...)
		}
	}
	code := func(s *evidence.Session, verb string) string {
		for _, cmd := range s.Cmds {
			if cmd.Verb == verb && len(cmd.Replies) > 0 {
				if r := cmd.Replies[len(cmd.Replies)-1]; !strings.HasPrefix(r, "2") && !strings.HasPrefix(r, "3") {
					return r
				}
			}
		}
		return ""
	}
	steps := stepsOf(evidence.SMTPTelnet,
		func(*evidence.Session) string { return txtSMTPNoHelo.In(c.l) },
		func(s *evidence.Session) string {
			switch {
			case code(s, "MAIL") == "501":
				return txtSMTPMailBrackets.In(c.l)
			case code(s, "MAIL") == "503":
				return txtSMTPMailOrder.In(c.l)
			case code(s, "RCPT") == "503":
				return txtSMTPRcptBeforeMail.In(c.l)
			}
			return txtSMTPNoMail.In(c.l)
		},
		func(s *evidence.Session) string {
			switch r := code(s, "RCPT"); r {
			case "":
				if code(s, "DATA") == "503" {
					return txtSMTPDataBeforeRcpt.In(c.l)
				}
				return txtSMTPNoRcpt.In(c.l)
			case "501":
				return txtSMTPRcptBrackets.In(c.l)
			case "503":
				return txtSMTPRcptBeforeMail.In(c.l)
			default:
				return txtSMTPRcptRefused.F(c.l, r)
			}
		},
		func(s *evidence.Session) string {
			if code(s, "DATA") == "503" {
				return txtSMTPDataBeforeRcpt.In(c.l)
			}
			return txtSMTPNoData.In(c.l)
		},
		func(*evidence.Session) string { return txtSMTPNoDot.In(c.l) },
		func(s *evidence.Session) string {
			if s.Accepted > 0 {
				return txtSMTPKitSender.In(c.l)
			}
			r := code(s, "DATA")
			if r == "" {
				r = "?"
			}
			return txtSMTPNotAccepted.F(c.l, r)
		},
		func(*evidence.Session) string { return txtSMTPNoQuit.In(c.l) },
	)
	top, ok := best(sessions, steps, true, c.o.handGap())
	var res Result
	if !ok {
		res = missing(txtSMTPNone.In(c.l))
	} else {
		res = c.byHandResult(top, func(s *evidence.Session, median string) string {
			return txtSMTPPassed.F(c.l, s.SentFrom, groups(c.l, []int{s.Server}, true), median)
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
	return local, true, s != nil && s.hasAccount(local) && local != "postmaster"
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
	var read, unread, notMember *evidence.Delivery
	var readGroup, unreadGroup, notMemberGroup int
	for _, p := range peers {
		s := c.ev.servers[p]
		if s == nil || s.err != nil {
			continue
		}
		// the senders in the order of their first delivery, as the
		// deliveries came
		for _, snd := range sendersOf(s.st) {
			_, domainOK, ok := c.member(snd.First.From, c.group)
			switch {
			case ok && snd.Read != nil && (read == nil || readGroup == p && snd.Read.Seq < read.Seq):
				read, readGroup = snd.Read, p
			case ok && snd.Read == nil && unread == nil:
				unread, unreadGroup = snd.First, p
			case domainOK && !ok && notMember == nil:
				notMember, notMemberGroup = snd.First, p
			}
		}
		if read != nil {
			return passed(txtCrossSendPassed.F(c.l, read.From, read.Rcpt, groups(c.l, []int{readGroup}, true)), "")
		}
	}
	var res Result
	switch {
	case unread != nil:
		res = missing(txtCrossSendUnread.F(c.l, unread.From, unread.Rcpt, groups(c.l, []int{unreadGroup}, true)))
	case notMember != nil:
		local, _ := splitAddr(notMember.From)
		res = missing(txtCrossSendNotMember.F(c.l, notMember.From, groups(c.l, []int{notMemberGroup}, true), local))
	default:
		res = c.crossSendElsewhere(own, peers)
	}
	return c.undecided(res, peers)
}

// sendersOf returns the senders of the mail delivered to the server's
// users (postmaster aside), in the order of their first delivery.
func sendersOf(st *evidence.State) []*evidence.Sender {
	var out []*evidence.Sender
	for _, snd := range st.Senders {
		if snd.First != nil {
			out = append(out, snd)
		}
	}
	slices.SortFunc(out, func(a, b *evidence.Sender) int { return int(a.First.Seq - b.First.Seq) })
	return out
}

// crossSendElsewhere explains a cross-send that reached no peer: still in
// the relay queue, bounced, sent to a group of another cluster, or not sent.
func (c *check) crossSendElsewhere(own *server, peers []int) Result {
	var queued, bounced *evidence.RelayEntry
	var other *evidence.RelayEntry
	for from, out := range own.st.Outgoing {
		if _, _, ok := c.member(from, c.group); !ok {
			continue
		}
		for dest, seq := range out.Dests {
			if !slices.Contains(peers, dest) && (other == nil || seq < other.Seq) {
				other = &evidence.RelayEntry{Seq: seq, DestGroup: dest}
			}
		}
		if b := out.Bounced; b != nil && (bounced == nil || b.Seq > bounced.Seq) {
			bounced = b
		}
		if q := out.Queued; q != nil && (queued == nil || q.Seq > queued.Seq) {
			queued = q
		}
	}
	switch {
	case other != nil:
		return missing(txtCrossSendOtherCluster.F(c.l, groups(c.l, []int{other.DestGroup}, true), groups(c.l, c.ev.Classroom.Cluster(c.group), true)))
	case bounced != nil:
		return missing(txtCrossSendBounced.F(c.l, strings.Join(bounced.Rcpt, ", "), bounced.Error))
	case queued != nil:
		return missing(txtCrossSendQueued.F(c.l, strings.Join(queued.Rcpt, ", "), groups(c.l, []int{queued.DestGroup}, true)))
	}
	// delivered at a group of another cluster (evidence of `lab grade`)
	for _, id := range c.ev.Groups() {
		if id == c.group || slices.Contains(peers, id) {
			continue
		}
		for from, snd := range c.ev.servers[id].st.Senders {
			if _, _, ok := c.member(from, c.group); ok && snd.Any {
				return missing(txtCrossSendOtherCluster.F(c.l, groups(c.l, []int{id}, true), groups(c.l, c.ev.Classroom.Cluster(c.group), true)))
			}
		}
	}
	return missing(txtCrossSendNone.F(c.l, c.ev.domain(c.group), groups(c.l, peers, false)))
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
	var fromPeers []*evidence.Session
	for _, p := range peers {
		fromPeers = append(fromPeers, s.st.Candidates(evidence.CrossAPOP, p)...)
	}
	slices.SortFunc(fromPeers, func(a, b *evidence.Session) int { return int(a.Seq - b.Seq) })
	from := func(s *evidence.Session) string { return groups(c.l, []int{s.ClientGroup}, true) }
	steps := stepsOf(evidence.CrossAPOP,
		func(s *evidence.Session) string {
			if l, ok := firstLogin(s, "apop"); ok {
				return txtCrossAPOPFailed.F(c.l, from(s), reason(c.l, loginReason(l)))
			}
			if s.PassOK {
				return txtCrossAPOPPassInstead.F(c.l, from(s))
			}
			return txtCrossAPOPNoLogin.F(c.l, from(s))
		},
		func(s *evidence.Session) string { return txtCrossAPOPNoRetr.F(c.l, s.User(), from(s)) },
	)
	top, ok := best(fromPeers, steps, false, c.o.handGap())
	switch {
	case ok && top.first == "":
		return passed(txtCrossAPOPPassed.F(c.l, top.s.User(), groups(c.l, []int{top.s.ClientGroup}, true)), top.s.ID)
	case ok:
		return missing(top.first)
	case s.st.APOPFrom(c.group):
		return missing(txtCrossAPOPOwnMachine.F(c.l, groups(c.l, peers, false)))
	}
	other := s.st.FirstClientGroup(func(g int) bool { return g != c.group && !slices.Contains(peers, g) })
	if other != 0 {
		return missing(txtCrossAPOPOtherCluster.F(c.l, groups(c.l, []int{other}, true), groups(c.l, c.ev.Classroom.Cluster(c.group), true)))
	}
	return missing(txtCrossAPOPNone.F(c.l, groups(c.l, peers, false)))
}

func (c *check) envelopeBcc() Result {
	s, bad := c.own()
	if bad != nil {
		return *bad
	}
	b := s.st.Bcc
	switch {
	case b.Read != nil:
		return passed(txtBccPassed.F(c.l, b.Read.User, strings.Join(b.Read.Header, ", ")), "")
	case b.First != nil:
		return missing(txtBccUnread.F(c.l, b.First.User))
	case b.NoHeader != nil:
		return missing(txtBccNoHeader.F(c.l, b.NoHeader.User))
	case b.Received:
		return missing(txtBccInHeader.In(c.l))
	}
	return missing(txtBccNone.In(c.l))
}
