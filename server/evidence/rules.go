package evidence

import "time"

// Rule is an exercise whose evidence is one session that did a series of
// steps; the checker measures sessions against the steps and takes the
// one that got furthest.
type Rule int

// The rules whose candidate sessions a State keeps.
const (
	// POP3Telnet: USER/PASS login, STAT or LIST, RETR, QUIT, by hand.
	POP3Telnet Rule = iota
	// APOPTelnet: APOP login, RETR, QUIT, by hand.
	APOPTelnet
	// SMTPTelnet: HELO/EHLO, MAIL, RCPT, DATA, ".", accepted, QUIT, by hand.
	SMTPTelnet
	// CrossAPOP: APOP login and RETR, from another group's machine.
	CrossAPOP
	// TLSTelnet: STLS/STARTTLS, then a POP3 login and RETR or an SMTP
	// message accepted, then QUIT, by hand (the extension tls-telnet).
	TLSTelnet
	numRules
)

// Rules are all the rules, in order.
var Rules = []Rule{POP3Telnet, APOPTelnet, SMTPTelnet, CrossAPOP, TLSTelnet}

// String is the rule's name, as its exercise id.
func (r Rule) String() string {
	switch r {
	case POP3Telnet:
		return "pop3-telnet"
	case APOPTelnet:
		return "apop-telnet"
	case SMTPTelnet:
		return "smtp-telnet"
	case CrossAPOP:
		return "cross-apop"
	case TLSTelnet:
		return "tls-telnet"
	}
	return "rule?"
}

// Step is one thing a session must have done.
type Step func(s *Session) bool

// Steps are what a session must do for the rule, in order. The checker
// pairs each with what to say when it is missing.
func (r Rule) Steps() []Step {
	switch r {
	case POP3Telnet:
		return pop3Steps
	case APOPTelnet:
		return apopSteps
	case SMTPTelnet:
		return smtpSteps
	case CrossAPOP:
		return apopSteps[:2]
	case TLSTelnet:
		return tlsSteps
	}
	return nil
}

// ByHand says whether the rule's session must be typed by hand.
func (r Rule) ByHand() bool { return r != CrossAPOP }

// Applies says whether session s can be evidence for the rule: its
// protocol, and not the instructor's probe (cross-apop counts every POP3
// session, as it always has).
func (r Rule) Applies(s *Session) bool {
	switch r {
	case POP3Telnet, APOPTelnet:
		return s.Proto == "pop3" && !s.Probe
	case SMTPTelnet:
		return s.Proto == "smtp" && !s.Probe
	case CrossAPOP:
		return s.Proto == "pop3"
	case TLSTelnet:
		return (s.Proto == "pop3" || s.Proto == "smtp") && !s.Probe
	}
	return false
}

// Done counts the steps of the rule that s did.
func (r Rule) Done(s *Session) int {
	n := 0
	for _, st := range r.Steps() {
		if st(s) {
			n++
		}
	}
	return n
}

var pop3Steps = []Step{
	func(s *Session) bool { return s.PassOK },
	func(s *Session) bool { return s.Did("+OK", "STAT", "LIST") },
	func(s *Session) bool { return s.Retrs > 0 },
	func(s *Session) bool { return s.Did("+OK", "QUIT") },
}

var apopSteps = []Step{
	func(s *Session) bool { return s.APOPOK },
	func(s *Session) bool { return s.Retrs > 0 },
	func(s *Session) bool { return s.Did("+OK", "QUIT") },
}

var smtpSteps = []Step{
	func(s *Session) bool { return s.Did("250", "HELO", "EHLO") },
	func(s *Session) bool { return s.Did("250", "MAIL") },
	func(s *Session) bool { return s.Did("250", "RCPT") },
	func(s *Session) bool { return s.Did("354", "DATA") },
	func(s *Session) bool { return s.DataEnds > 0 },
	(*Session).Sent,
	func(s *Session) bool { return s.Did("221", "QUIT") },
}

var tlsSteps = []Step{
	func(s *Session) bool { return s.TLS },
	func(s *Session) bool {
		if s.Proto == "smtp" {
			return s.SentTLS
		}
		return (s.PassOK || s.APOPOK) && s.Retrs > 0
	},
	func(s *Session) bool { return s.Did("+OK", "QUIT") || s.Did("221", "QUIT") },
}

// MaxCandidates bounds the sessions a Class keeps with a median.
const MaxCandidates = 4

// DefaultHandGap is the checker's default least median gap between the
// commands of a session typed by hand; a Class always keeps the session
// the checker picks with it.
const DefaultHandGap = 500 * time.Millisecond

// Class holds, of the closed sessions of one rule, one owner group and one
// number of steps done, those that the checker's choice could pick. The
// checker takes the session that did the most steps, and among those the
// earliest that is fast enough (or, for a complete session, slow enough)
// for the by-hand threshold given at check time; so a session is kept
// unless an earlier one has a median gap at least as large. That leaves
// sessions of rising medians: the earliest, and each one slower than all
// before it. At most MaxCandidates are kept: past that, the one that is
// picked for the narrowest range of thresholds is dropped, but never the
// earliest, the slowest (so whether a session passes never changes, only,
// rarely, which one is named) nor the one picked at DefaultHandGap. A
// session too short to have a median is kept apart, the earliest of them.
type Class struct {
	Known   []*Session `json:"known,omitempty"`
	Unknown *Session   `json:"unknown,omitempty"`
}

func (c *Class) add(s *Session) {
	m, ok := s.MedianGap()
	if !ok {
		if c.Unknown == nil || s.Seq < c.Unknown.Seq {
			c.Unknown = s
		}
		return
	}
	for _, k := range c.Known {
		if k.Seq <= s.Seq && k.Median >= m {
			return
		}
	}
	kept := c.Known[:0]
	for _, k := range c.Known {
		if !(s.Seq <= k.Seq && m >= k.Median) {
			kept = append(kept, k)
		}
	}
	i := len(kept)
	for i > 0 && kept[i-1].Seq > s.Seq {
		i--
	}
	kept = append(kept, nil)
	copy(kept[i+1:], kept[i:])
	kept[i] = s
	if len(kept) > MaxCandidates {
		keep := len(kept) - 1
		for k, x := range kept {
			if x.Median >= DefaultHandGap {
				keep = k
				break
			}
		}
		drop := -1
		for k := 1; k < len(kept)-1; k++ {
			if k != keep && (drop < 0 || kept[k].Median-kept[k-1].Median < kept[drop].Median-kept[drop-1].Median) {
				drop = k
			}
		}
		kept = append(kept[:drop], kept[drop+1:]...)
	}
	c.Known = kept
}

func (c *Class) appendTo(out []*Session) []*Session {
	out = append(out, c.Known...)
	if c.Unknown != nil {
		out = append(out, c.Unknown)
	}
	return out
}

func (c *Class) size() int {
	n := len(c.Known)
	if c.Unknown != nil {
		n++
	}
	return n
}
