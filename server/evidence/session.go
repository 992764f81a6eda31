// Package evidence keeps, for one group's server, compact summaries of
// what its sessions did and the little of them that could still decide
// an exercise. A State is updated in constant time per journal event and
// its size does not grow with the history of the class: the exercise
// rules (package checker), the live guide, `lab check`, `lab grade` and
// the web API all read it instead of the whole journal.
//
// What is kept, and its bounds:
//
//   - each session still open: its first MaxCommands commands (verb,
//     time, reply codes), then counts; its first MaxLogins logins; counts
//     of retrievals, message ends and accepted messages (at most MaxOpen
//     sessions; the oldest is settled when more open);
//   - for each exercise rule and each group a session could belong to, the
//     few closed sessions that the checker's choice of the best attempt
//     could pick, whatever by-hand threshold it is given (see Class);
//   - deliveries waiting to be retrieved (at most MaxPending, the oldest
//     dropped), by user and UIDL, and for each envelope sender its first
//     delivery and first retrieved delivery (at most MaxSenders senders);
//   - the header recipients of the last MaxAccepted accepted messages, for
//     the Bcc exercise; what the relay did with each sender's mail; the
//     hints asked for; the account names; counters of the mail flow;
//   - for the extension exercises: whether a session switched to TLS, the
//     first test account's digest `lab crack` recovered (user and time),
//     and when each group's latest POP3 login over TLS began.
//
// Nothing secret is kept: command verbs, reply codes and user names, never
// a command's arguments, a password, a digest or a message.
package evidence

import (
	"net"
	"slices"
	"strings"
	"time"

	"maillab/server/account"
	"maillab/server/journal"
)

// Bounds of a session summary.
const (
	// MaxCommands is how many commands of a session are kept in full
	// (verb, time, replies); later ones are only counted. The pace of a
	// session is the median gap between these.
	MaxCommands = 200
	// MaxReplies is how many reply codes are kept per command.
	MaxReplies = 4
	// MaxLogins is how many login attempts of a session are kept.
	MaxLogins = 8
)

// ProbeUserPrefix begins the made-up user names of the failed APOP logins
// `lab grade --probe` makes; a session with such a login, or with a probe
// message, is the instructor's and never a student's.
const ProbeUserPrefix = "grade-probe-"

// IsProbe says whether e shows its session to be the instructor's: `lab
// grade --probe` (an APOP or login of a grade-probe- user, or a message the
// probe sent) or `lab doctor` (USER or HELO with a grade-probe- name).
func IsProbe(e journal.Event) bool {
	if e.Origin == journal.OriginProbe {
		return true
	}
	if strings.HasPrefix(e.User, ProbeUserPrefix) {
		return true
	}
	if e.Kind != journal.Command {
		return false
	}
	switch e.Verb {
	case "APOP", "USER", "HELO", "EHLO":
		arg := strings.TrimSpace(e.Line[min(len(e.Verb), len(e.Line)):])
		return strings.HasPrefix(strings.ToLower(arg), ProbeUserPrefix)
	}
	return false
}

// Session is what one connection did, in brief.
type Session struct {
	// Seq orders sessions as their first events came in the journal.
	Seq         int64     `json:"seq"`
	ID          string    `json:"id"`
	Proto       string    `json:"proto"`
	Server      int       `json:"server"` // whose server
	ClientGroup int       `json:"client_group,omitempty"`
	Loopback    bool      `json:"loopback,omitempty"`
	Open        time.Time `json:"open"`
	Closed      bool      `json:"closed,omitempty"`
	Close       time.Time `json:"close,omitzero"`
	// Probe: the instructor's probe, not a student.
	Probe bool `json:"probe,omitempty"`
	// Commands counts every command; Cmds holds the first MaxCommands of
	// them (and, once the session is settled, only the first of each kind:
	// the same verb with the same replies).
	Commands int       `json:"commands"`
	Cmds     []Command `json:"cmds,omitempty"`
	// Median is the median gap between the first MaxCommands commands,
	// set when the session is settled; HasMedian is false for fewer than
	// two commands.
	Median    time.Duration `json:"median,omitempty"`
	HasMedian bool          `json:"has_median,omitempty"`
	settled   bool

	// Logins holds the first MaxLogins login attempts; LoginCount counts
	// them all.
	Logins     []Login `json:"logins,omitempty"`
	LoginCount int     `json:"login_count,omitempty"`
	PassOK     bool    `json:"pass_ok,omitempty"` // a USER/PASS login succeeded
	APOPOK     bool    `json:"apop_ok,omitempty"` // an APOP login succeeded
	LastOKUser string  `json:"last_ok_user,omitempty"`
	LastUser   string  `json:"last_user,omitempty"`

	Retrs    int `json:"retrs,omitempty"`     // messages retrieved
	DataEnds int `json:"data_ends,omitempty"` // messages ended with "."
	Accepted int `json:"accepted,omitempty"`  // messages accepted
	// Marked counts the messages DELE marked, among the first MaxCommands
	// commands, that no RSET took back and no QUIT removed: in a session
	// closed without QUIT, the marks the server discarded (RFC 1939 §6).
	Marked int `json:"marked,omitempty"`
	// TLS says that the session switched to TLS (STLS or STARTTLS);
	// SentTLS that a message that is not the kit's was accepted after.
	TLS     bool `json:"tls,omitempty"`
	SentTLS bool `json:"sent_tls,omitempty"`
	// SentFrom is the envelope sender of the last accepted message that
	// is not the kit's ("" when none).
	SentFrom string `json:"sent_from,omitempty"`
}

// Command is one command of a session and the codes of its replies.
type Command struct {
	Verb    string    `json:"verb"`
	T       time.Time `json:"t,omitzero"`
	Replies []string  `json:"replies,omitempty"`
}

// Login is a login attempt.
type Login struct {
	User   string `json:"user,omitempty"`
	Method string `json:"method,omitempty"`
	Result string `json:"result,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Owner is the group a session belongs to: the classroom group whose host
// the client connected from; else, for a client on the server's own
// machine (loopback), the server's group; else none (0).
func (s *Session) Owner() int {
	if s.ClientGroup != 0 {
		return s.ClientGroup
	}
	if s.Loopback {
		return s.Server
	}
	return 0
}

// MedianGap is the median time between the session's first MaxCommands
// commands; false when it has fewer than two.
func (s *Session) MedianGap() (time.Duration, bool) {
	if s.settled || s.HasMedian || len(s.Cmds) < 2 || s.Cmds[0].T.IsZero() {
		return s.Median, s.HasMedian
	}
	gaps := make([]time.Duration, 0, len(s.Cmds)-1)
	for i := 1; i < len(s.Cmds); i++ {
		gaps = append(gaps, s.Cmds[i].T.Sub(s.Cmds[i-1].T))
	}
	slices.Sort(gaps)
	n := len(gaps)
	if n%2 == 1 {
		return gaps[n/2], true
	}
	return (gaps[n/2-1] + gaps[n/2]) / 2, true
}

// Did says whether the session has a command of one of verbs answered with
// a reply whose code starts with code.
func (s *Session) Did(code string, verbs ...string) bool {
	for _, c := range s.Cmds {
		if !slices.Contains(verbs, c.Verb) {
			continue
		}
		for _, r := range c.Replies {
			if strings.HasPrefix(r, code) {
				return true
			}
		}
	}
	return false
}

// LoginOK says whether a login with method ("pass" or "apop") succeeded.
func (s *Session) LoginOK(method string) bool {
	switch method {
	case "pass":
		return s.PassOK
	case "apop":
		return s.APOPOK
	}
	return false
}

// User is the user of the session's last successful login, or of its last
// attempt.
func (s *Session) User() string {
	if s.LastOKUser != "" {
		return s.LastOKUser
	}
	return s.LastUser
}

// Sent says whether the session had a message accepted that is not the
// kit's.
func (s *Session) Sent() bool { return s.SentFrom != "" }

// add takes one event of the session.
func (s *Session) add(e *journal.Event) {
	switch e.Kind {
	case journal.Open:
		s.ClientGroup, s.Open = e.ClientGroup, e.Time
		s.Loopback = isLoopback(e.Remote)
	case journal.Command:
		s.Commands++
		if len(s.Cmds) < MaxCommands {
			s.Cmds = append(s.Cmds, Command{Verb: knownVerb(e.Verb), T: e.Time})
		}
	case journal.Reply:
		if n := len(s.Cmds); n > 0 && s.Commands == n {
			c := &s.Cmds[n-1]
			if len(c.Replies) == 0 && strings.HasPrefix(e.Code, "+") {
				switch c.Verb {
				case "DELE":
					s.Marked++
				case "RSET":
					s.Marked = 0
				}
			}
			if len(c.Replies) < MaxReplies {
				c.Replies = append(c.Replies, e.Code)
			}
		}
	case journal.Deleted:
		s.Marked = 0
	case journal.Login:
		s.LoginCount++
		if len(s.Logins) < MaxLogins {
			s.Logins = append(s.Logins, Login{User: e.User, Method: e.Method, Result: e.Result, Reason: e.Reason})
		}
		s.LastUser = e.User
		if e.Result == journal.ResultOK {
			s.LastOKUser = e.User
			switch e.Method {
			case "pass":
				s.PassOK = true
			case "apop":
				s.APOPOK = true
			}
		}
		if strings.HasPrefix(e.User, ProbeUserPrefix) {
			s.Probe = true
		}
	case journal.Retrieved:
		s.Retrs++
	case journal.Data:
		s.DataEnds++
	case journal.Accepted:
		s.Accepted++
		if !IsKit(e.From, e.Origin) {
			s.SentFrom = e.From
			s.SentTLS = s.SentTLS || s.TLS
		}
		if e.Origin == journal.OriginProbe {
			s.Probe = true
		}
	case journal.TLS:
		if e.Result == "" || e.Result == journal.ResultOK {
			s.TLS = true
		}
	case journal.Close:
		s.Closed, s.Close = true, e.Time
	}
}

// settle fixes the session's pace and keeps only the first command of
// each kind (verb and replies): what Did and the rules' explanations read.
func (s *Session) settle() {
	if s.settled {
		return
	}
	s.Median, s.HasMedian = s.MedianGap()
	s.settled = true
	seen := map[string]bool{}
	kept := s.Cmds[:0]
	for _, c := range s.Cmds {
		k := c.Verb + "\x00" + strings.Join(c.Replies, "\x00")
		if seen[k] {
			continue
		}
		seen[k] = true
		c.T = time.Time{}
		kept = append(kept, c)
	}
	clear(s.Cmds[len(kept):])
	s.Cmds = slices.Clip(kept)
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsKit says whether a message was written by the kit itself, or sent
// with the kit's addresses (postmaster, or the null sender of bounces):
// such messages never count as sent by a student.
func IsKit(from, origin string) bool {
	if origin != "" || from == "" {
		return true
	}
	local, _, _ := strings.Cut(from, "@")
	return strings.EqualFold(local, "postmaster") || strings.EqualFold(local, "mailer-daemon")
}

// SplitAddr splits an address at its last @, lower-casing the domain and
// normalizing the local part as account names are.
func SplitAddr(a string) (local, domain string) {
	a = strings.Trim(strings.TrimSpace(a), "<>")
	i := strings.LastIndexByte(a, '@')
	if i < 0 {
		return account.Normalize(a), ""
	}
	return account.Normalize(a[:i]), strings.ToLower(a[i+1:])
}

// InHeader says whether addr is among the addresses of a header.
func InHeader(addr string, header []string) bool {
	local, domain := SplitAddr(addr)
	for _, h := range header {
		if l, d := SplitAddr(h); l == local && d == domain {
			return true
		}
	}
	return false
}

// verbs are the command verbs of POP3 (RFC 1939, 2449, 2595) and SMTP (RFC
// 5321, 3207, 4954), and the classes the servers journal in place of
// anything else.
var verbs = map[string]bool{
	"USER": true, "PASS": true, "APOP": true, "STAT": true, "LIST": true,
	"RETR": true, "DELE": true, "NOOP": true, "RSET": true, "QUIT": true,
	"TOP": true, "UIDL": true, "CAPA": true, "AUTH": true, "STLS": true,
	"HELO": true, "EHLO": true, "MAIL": true, "RCPT": true, "DATA": true,
	"VRFY": true, "EXPN": true, "HELP": true, "STARTTLS": true, "BDAT": true,
	"unknown": true, "control": true, "empty": true,
}

// knownVerb is v when it is a known verb or class, else "unknown": a
// journal of an older version may hold a whole line as its verb, and the
// summaries keep nothing that is not known to be safe.
func knownVerb(v string) string {
	if verbs[v] {
		return v
	}
	return "unknown"
}
