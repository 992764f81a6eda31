package console

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"maillab/exercises/explain"
	"maillab/exercises/i18n"
	"maillab/lab/mailtext"
	"maillab/server/classroom"
	"maillab/server/evidence"
	"maillab/server/journal"
	"maillab/server/mask"
)

// maxFollowed is the most sessions the console follows at once; past it
// the oldest is forgotten (its close then says nothing more).
const maxFollowed = 1024

// maxPaced is how many command times of a session the pace is taken from,
// as the evidence summaries do.
const maxPaced = journal.DefaultSessionCommands

// minPaced is the fewest commands a session needs before the console says
// it went too fast: a greeting and a QUIT are no session to judge.
const minPaced = 4

// followed is what the console keeps of an open session to explain it.
type followed struct {
	remote      string
	clientGroup int
	times       []time.Time // of the first maxPaced commands
	lastVerb    string
	lastArg     string // the address of the last RCPT
	marked      int    // messages DELE marked and QUIT has not removed yet
	inData      bool   // 354 given, the lone "." not yet seen
	probe       bool   // an instructor's probe: shown as one line
	relay       bool   // another group's server relaying: a program, rightly fast
	program     bool   // its first ProgramAfter commands came at a program's pace
	telnetSaid  bool   // telnet's own commands were explained
}

// Subject returns an accepted event's Subject field (as the journal keeps
// it: control characters escaped) decoded for people, the raw form as the
// wire carried it (printable), and whether the two differ for a reason
// worth teaching (encoded words, raw ISO-2022-JP).
func Subject(journalled string) (decoded, raw string, encoded bool) {
	wire := strings.ReplaceAll(journalled, `\x1b`, "\x1b") // raw ISO-2022-JP
	decoded, _ = mailtext.Header(wire)
	return decoded, Printable(wire), mailtext.Encoded(wire)
}

// Explainer follows the sessions of a journal and says what went wrong or
// what happened in each, from the one table of diagnoses that `lab check`
// and `lab replay` share (explain.Diag…): a relay refused and why,
// DELE without QUIT, a session too fast to count, a Bcc, a full-width
// space, telnet's own commands, TLS, and the decoded Subject of a message.
// The console and lab replay both use it, so they say the same.
type Explainer struct {
	// Classroom, when set, tells a client off the classroom's hosts from a
	// domain outside the class when a relay is refused.
	Classroom *classroom.Classroom
	// HandGap is the by-hand threshold; zero is the default, 500ms.
	HandGap time.Duration
	// ClassUnknown says that a nil Classroom means the class is not known
	// (a reader of a journal), not a group run standalone: a refused relay
	// is then given both possible causes.
	ClassUnknown bool

	lang     i18n.Lang
	followed map[string]*followed // open sessions, by id
	order    []string             // their ids, oldest first
}

// NewExplainer returns an explainer speaking lang.
func NewExplainer(lang i18n.Lang) *Explainer {
	return &Explainer{lang: lang, followed: map[string]*followed{}}
}

// Explain takes the next event of the journal (as it was recorded, not
// yet made printable) and returns its diagnoses, plain text, one a line.
// probe is true for an event of a session of the instructor's `lab grade
// --probe`: the session is said in one line (the first such event's
// diagnosis is explain.DiagProbe) and the rest of it in none.
func (x *Explainer) Explain(raw journal.Event) (lines []string, probe bool) {
	_, lines, probe = x.explain(raw)
	return lines, probe
}

// explain is Explain, returning also the event made printable, for a
// caller that shows it (the console) and so need not make it again.
func (x *Explainer) explain(raw journal.Event) (e journal.Event, lines []string, probe bool) {
	e = PrintableEvent(raw)
	s := x.session(e)
	defer func() {
		if e.Kind == journal.Close && e.Session != "" {
			x.forget(sessionKey(e))
		}
	}()
	switch {
	case s != nil && s.probe:
		return e, nil, true
	case s != nil && evidence.IsProbe(e):
		s.probe = true
		return e, []string{explain.DiagProbe.In(x.lang)}, true
	}
	return e, x.diagnose(e, raw, s), false
}

// session returns the state of e's session, starting it on open.
func (c *Explainer) session(e journal.Event) *followed {
	if e.Session == "" {
		return nil
	}
	key := sessionKey(e)
	s := c.followed[key]
	if s == nil {
		if len(c.followed) >= maxFollowed {
			for _, id := range c.order[:maxFollowed/4] {
				delete(c.followed, id)
			}
			c.order = slices.Delete(c.order, 0, maxFollowed/4)
		}
		s = &followed{}
		c.followed[key] = s
		c.order = append(c.order, key)
	}
	return s
}

// ProgramAfter is how many commands of a session show its pace: from the
// next on, when they came at a program's pace (a median gap under the
// by-hand threshold), AtProgramPace says so.
const ProgramAfter = 20

// AtProgramPace reports whether e's session is open and has had its first
// ProgramAfter commands at a program's pace: a mail client, a paste, a
// script — not a person typing.
func (x *Explainer) AtProgramPace(e journal.Event) bool {
	s := x.followed[sessionKey(e)]
	return s != nil && s.program
}

// sessionKey names e's session among those of every group (lab up
// subscribes one console to every group's journal).
func sessionKey(e journal.Event) string { return strconv.Itoa(e.Group) + "/" + e.Session }

// forget drops a closed session.
func (c *Explainer) forget(id string) {
	delete(c.followed, id)
	if i := slices.Index(c.order, id); i >= 0 {
		c.order = slices.Delete(c.order, i, i+1)
	}
}

// diagnose returns the explanations of e, which Printable has made safe;
// raw is the event as it came (its Subject escaped by the server, not yet
// by Printable).
func (c *Explainer) diagnose(e, raw journal.Event, s *followed) []string {
	switch e.Kind {
	case journal.Open:
		if s != nil {
			s.remote, s.clientGroup = e.Remote, e.ClientGroup
		}
	case journal.Command:
		var out []string
		if e.Reason == mask.WideSpace {
			out = append(out, explain.DiagWideSpace.In(c.lang))
		}
		if s == nil {
			return out
		}
		if len(s.times) < maxPaced {
			s.times = append(s.times, e.Time)
		}
		if len(s.times) == ProgramAfter+1 { // the gaps of the first ProgramAfter
			gap, ok := medianGap(s.times)
			s.program = ok && gap < c.handGap()
		}
		s.lastVerb, s.lastArg = e.Verb, ""
		if (e.Verb == "EHLO" || e.Verb == "HELO") && c.Classroom != nil && s.clientGroup != 0 {
			// a relay from a group's server names its domain from its host
			_, name, _ := strings.Cut(e.Line, " ")
			s.relay = c.Classroom.GroupOfDomain(strings.TrimSpace(name)) == s.clientGroup
		}
		if e.Verb == "RCPT" {
			if _, addr, ok := strings.Cut(e.Line, "<"); ok {
				s.lastArg, _, _ = strings.Cut(addr, ">")
			}
		}
		return out
	case journal.Reply:
		if s == nil {
			return nil
		}
		switch {
		case e.Proto == explain.SMTP && e.Code == "354":
			s.inData = true
		case s.inData:
			s.inData = false // the answer to the final "."
		case e.Proto == explain.SMTP && s.lastVerb == "RCPT" && strings.HasPrefix(e.Line, "554 5.7.1"):
			d, args := c.relayDenied(e.Group, s)
			return []string{d.F(c.lang, args...)}
		case e.Proto == explain.POP3 && s.lastVerb == "DELE" && strings.HasPrefix(e.Code, "+"):
			s.marked++
		case e.Proto == explain.POP3 && s.lastVerb == "RSET" && strings.HasPrefix(e.Code, "+"):
			s.marked = 0
		}
	case journal.Deleted:
		if s != nil {
			s.marked = 0
		}
	case journal.Data:
		if s != nil {
			s.inData = false
		}
	case journal.Note:
		if e.Reason == NoteTelnet {
			// once a session: telnet sends its commands in pairs and runs
			// (BRK, DO TIMING-MARK), and one explanation is enough
			if s != nil && s.telnetSaid {
				return nil
			}
			if s != nil {
				s.telnetSaid = true
			}
			return []string{explain.DiagTelnet.F(c.lang, e.Line)}
		}
	case journal.TLS:
		if e.Result == journal.ResultFail || e.Result == journal.ResultError {
			return []string{explain.DiagTLSFailed.F(c.lang, e.Error)}
		}
		return []string{explain.DiagTLS.F(c.lang, e.Method, e.Line)}
	case journal.Accepted:
		var out []string
		if raw.Subject != "" {
			decoded, rawText, encoded := Subject(raw.Subject)
			if encoded && decoded != rawText {
				out = append(out, explain.DiagSubjectRaw.F(c.lang, decoded, rawText))
			} else {
				out = append(out, explain.DiagSubject.F(c.lang, decoded))
			}
		}
		for _, r := range Bcc(e) {
			out = append(out, explain.DiagBcc.F(c.lang, r))
		}
		return out
	case journal.Close:
		if s == nil {
			return nil
		}
		var out []string
		if s.inData {
			out = append(out, explain.DiagNoDot.In(c.lang))
		}
		if s.marked > 0 {
			out = append(out, explain.DiagDeleNoQuit.F(c.lang, s.marked))
		}
		if gap, ok := medianGap(s.times); ok && !s.relay && len(s.times) >= minPaced && gap < c.handGap() {
			out = append(out, explain.DiagThisSession.In(c.lang)+
				explain.DiagTooFast.F(c.lang, roundGap(gap), c.handGap()))
		}
		return out
	}
	return nil
}

// NoteTelnet is the reason of a journal note that a telnet client sent one
// of its own commands (server/group's NoteTelnet).
const NoteTelnet = "telnet"

// relayDenied says why a RCPT was refused relaying.
func (c *Explainer) relayDenied(group int, s *followed) (i18n.Text, []any) {
	_, domain, _ := strings.Cut(s.lastArg, "@")
	if c.Classroom != nil && s.clientGroup == 0 {
		if g := c.Classroom.GroupOfDomain(domain); g != 0 && g != group {
			if own, ok := c.Classroom.Group(group); ok {
				return explain.DiagRelayHost, []any{s.lastArg, hostOf(s.remote), own.Host, own.Host}
			}
		}
	}
	if c.Classroom == nil && c.ClassUnknown && s.clientGroup == 0 {
		// (from a classroom host, only the domain can be the cause)
		return explain.DiagRelayEither, []any{s.lastArg}
	}
	return explain.DiagRelayDomain, []any{s.lastArg, domain}
}

// hostOf is the host part of a "host:port" address.
func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}

// Bcc returns the envelope recipients of an accepted message that are in
// neither its To nor its Cc field: for them the message is a Bcc.
func Bcc(e journal.Event) []string {
	if len(e.To) == 0 && len(e.Cc) == 0 {
		return nil // no header addresses kept: nothing to compare
	}
	var out []string
	for _, r := range e.Rcpt {
		if !slices.ContainsFunc(e.To, func(a string) bool { return strings.EqualFold(a, r) }) &&
			!slices.ContainsFunc(e.Cc, func(a string) bool { return strings.EqualFold(a, r) }) {
			out = append(out, r)
		}
	}
	return out
}

// medianGap is the median gap between commands, as the evidence
// summaries take it.
func medianGap(times []time.Time) (time.Duration, bool) {
	if len(times) < 2 {
		return 0, false
	}
	gaps := make([]time.Duration, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	slices.Sort(gaps)
	n := len(gaps)
	if n%2 == 1 {
		return gaps[n/2], true
	}
	return (gaps[n/2-1] + gaps[n/2]) / 2, true
}

// roundGap rounds a gap for people: milliseconds.
func roundGap(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

func (c *Explainer) handGap() time.Duration {
	if c.HandGap > 0 {
		return c.HandGap
	}
	return evidence.DefaultHandGap
}
