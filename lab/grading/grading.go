// Package grading is a class's grades as `lab grade` reports them: the
// model built from the checker's report of every group (with what the
// evidence summaries say of each group's attempts, mistakes and hints),
// and its renderers — a table for a terminal, JSON, CSV, Markdown and a
// self-contained HTML report for the instructor to keep.
//
// The JSON form of Class is the stable `lab grade --json`
// ({"groups": [<lab check --json object>, …]}); fields are added to it,
// never changed.
package grading

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"maillab/checker"
	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/lab/dashboard"
	"maillab/server/classroom"
	"maillab/server/evidence"
	"maillab/server/journal"
)

// Class is the outcome of a grading.
type Class struct {
	// Classroom is the class's name: the classroom file's name, else its
	// domain.
	Classroom string    `json:"classroom"`
	Time      time.Time `json:"time"`
	Exercises []string  `json:"exercise_ids"`
	// Extensions are the ids of the optional extension exercises, graded
	// apart from the six of Exercises.
	Extensions []string `json:"extension_ids,omitempty"`
	Groups     []Group  `json:"groups"`
	// FromData says the evidence was read from data folders on this
	// machine (--data) rather than from the servers.
	FromData bool `json:"from_data,omitempty"`
	// Latest is the time of the latest event read from any group (zero
	// when none was): where the timelines of exercises not passed end.
	Latest time.Time `json:"latest,omitzero"`
}

// Group is one group's report (the object of `lab check --json`) and what
// lab grade adds to it.
type Group struct {
	checker.Report
	Domain  string `json:"domain"`
	Cluster []int  `json:"cluster"`
	// Reachable says whether the group's evidence could be read;
	// Unreachable is why not, in a short sentence in the grading's
	// language, and Error the error itself, for a program's log.
	Reachable   bool   `json:"reachable"`
	Unreachable string `json:"unreachable,omitempty"`
	Error       string `json:"error,omitempty"`
	// Passed counts the exercises passed (0 when not reachable: see
	// Reachable).
	Passed int `json:"passed"`
	// Extensions are the results of the extension exercises (never among
	// the report's "exercises"), and ExtensionsPassed counts those passed.
	Extensions       []checker.Result `json:"extensions,omitempty"`
	ExtensionsPassed int              `json:"extensions_passed,omitempty"`
	Probes           []Probe          `json:"probes,omitempty"`
	// Timeline is, for each exercise the group tried, when it first tried
	// and when it passed, as far as the evidence keeps times.
	Timeline []Attempt `json:"timeline,omitempty"`
	// Mistakes are the errors the group's sessions met most, most first.
	Mistakes []Mistake `json:"mistakes,omitempty"`
}

// Probe is one probe's result as lab grade reports it.
type Probe struct {
	Name     string         `json:"name"`
	Passed   bool           `json:"passed"`
	Status   checker.Status `json:"status"`
	Expected string         `json:"expected"`
	Got      string         `json:"got,omitempty"`
}

// Attempt is when a group first tried an exercise and when it passed it
// (zero when it has not, or when the evidence keeps no time).
type Attempt struct {
	ID     string    `json:"id"`
	First  time.Time `json:"first,omitzero"`
	Passed time.Time `json:"passed,omitzero"`
}

// Mistake is one kind of error a group's sessions met, and how often it
// is seen in the sessions the evidence keeps (a lower bound).
type Mistake struct {
	Text  string `json:"text"`
	Count int    `json:"count"`
}

// Source is where a grading reads the groups' evidence from: a
// dashboard.Reader after an Update.
type Source interface {
	Groups() []int
	Err(id int) error
	State(id int) *evidence.State
	Evidence() *checker.Evidence
}

var _ Source = (*dashboard.Reader)(nil)

// Options shape a grading.
type Options struct {
	// Lang is the language of the details and reasons.
	Lang i18n.Lang
	// HandGap is the checker's by-hand threshold (zero: its default).
	HandGap time.Duration
	// Probes are the results of `lab grade --probe`, if it was asked for.
	Probes []dashboard.ProbeResult
	// DataRoot is the data root the evidence was read from ("" for the
	// servers).
	DataRoot string
	// Now is the grading's time (zero: the current time).
	Now time.Time
}

// Build grades every group of classroom c on the evidence src has read.
func Build(c *classroom.Classroom, src Source, o Options) Class {
	g := Class{Classroom: c.Title(), Time: cmp.Or(o.Now, time.Now()), Exercises: exercises.IDs(), Extensions: exercises.ExtensionIDs(), Groups: []Group{},
		FromData: o.DataRoot != ""}
	ev := src.Evidence()
	reasons := map[int]string{}
	for _, id := range src.Groups() {
		if err := src.Err(id); err != nil {
			reasons[id] = dashboard.Reason(o.Lang, c, id, err)
			// the other groups' details name this one: the short reason,
			// not the error with its address twice
			ev.Unreachable(id, errors.New(reasons[id]))
		}
	}
	for _, id := range src.Groups() {
		rep := checker.Check(ev, id, checker.Options{HandGap: o.HandGap, Lang: o.Lang})
		gg := Group{Report: rep, Domain: c.GroupDomain(id), Cluster: c.Cluster(id), Reachable: src.Err(id) == nil}
		if err := src.Err(id); err != nil {
			gg.Unreachable, gg.Error = reasons[id], err.Error()
		}
		for _, res := range rep.Exercises {
			if res.Passed {
				gg.Passed++
			}
		}
		gg.Extensions = checker.Extensions(ev, id, checker.Options{HandGap: o.HandGap, Lang: o.Lang}).Exercises
		for _, res := range gg.Extensions {
			if res.Passed && gg.Reachable {
				gg.ExtensionsPassed++
			}
		}
		for _, p := range o.Probes {
			if p.Group == id {
				gg.Probes = append(gg.Probes, Probe{Name: p.Name(), Passed: p.Passed(), Status: p.Status,
					Expected: p.Expect.In(o.Lang), Got: p.Got.In(o.Lang)})
			}
		}
		if st := src.State(id); gg.Reachable && st != nil && st.Last.After(g.Latest) {
			g.Latest = st.Last
		}
		if gg.Reachable {
			gg.Timeline = timeline(c, src, id, rep)
			gg.Mistakes = mistakes(src, id, o.Lang)
		}
		g.Groups = append(g.Groups, gg)
	}
	return g
}

// Reachable counts the groups whose evidence could be read.
func (c Class) Reachable() int {
	n := 0
	for _, g := range c.Groups {
		if g.Reachable {
			n++
		}
	}
	return n
}

// sessionsOf are the sessions the evidence keeps on the servers of the
// groups servers (nil: every group's) that belong to one of the groups
// owners, each once, oldest first: the candidates of each rule and those
// still open.
func sessionsOf(src Source, servers, owners []int) []*evidence.Session {
	type key struct {
		server int
		id     string
	}
	seen := map[key]bool{}
	var out []*evidence.Session
	add := func(s *evidence.Session) {
		if s == nil || s.Probe || seen[key{s.Server, s.ID}] {
			return
		}
		seen[key{s.Server, s.ID}] = true
		out = append(out, s)
	}
	if servers == nil {
		servers = src.Groups()
	}
	for _, server := range servers {
		st := src.State(server)
		if st == nil || src.Err(server) != nil {
			continue
		}
		for _, owner := range owners {
			if o := st.Owners[owner]; o != nil {
				for _, classes := range o.Rules {
					for _, cl := range classes {
						for _, s := range cl.Known {
							add(s)
						}
						add(cl.Unknown)
					}
				}
			}
		}
		for _, s := range st.Open {
			if slices.Contains(owners, s.Owner()) {
				add(s)
			}
		}
	}
	slices.SortFunc(out, func(a, b *evidence.Session) int { return a.Open.Compare(b.Open) })
	return out
}

// loggedIn says whether session s tried to log in with method ("pass",
// "apop").
func loggedIn(s *evidence.Session, method string) bool {
	return slices.ContainsFunc(s.Logins, func(l evidence.Login) bool { return l.Method == method })
}

// timeline is, for each exercise, when group id first tried it and when
// it passed. A try is a session that began the exercise: a USER/PASS
// login for pop3-telnet, an APOP login for apop-telnet (and, on the
// group's own server from a cluster partner's machine, for cross-apop),
// an SMTP command for smtp-telnet; a message delivered for cross-send and
// envelope-bcc.
func timeline(c *classroom.Classroom, src Source, id int, rep checker.Report) []Attempt {
	own := sessionsOf(src, nil, []int{id})
	var out []Attempt
	for _, res := range rep.Exercises {
		a := Attempt{ID: res.ID}
		sessions, tried := own, func(*evidence.Session) bool { return false }
		switch res.ID {
		case evidence.POP3Telnet.String():
			tried = func(s *evidence.Session) bool { return s.Proto == "pop3" && loggedIn(s, "pass") }
		case evidence.APOPTelnet.String():
			tried = func(s *evidence.Session) bool { return s.Proto == "pop3" && loggedIn(s, "apop") }
		case evidence.SMTPTelnet.String():
			tried = func(s *evidence.Session) bool { return s.Proto == "smtp" && s.Commands > 0 }
		case evidence.CrossAPOP.String():
			sessions = sessionsOf(src, []int{id}, c.Peers(id))
			tried = func(s *evidence.Session) bool { return s.Proto == "pop3" && loggedIn(s, "apop") }
		}
		for _, s := range sessions {
			if !tried(s) {
				continue
			}
			if a.First.IsZero() || s.Open.Before(a.First) {
				a.First = s.Open
			}
			if res.Passed && s.ID == res.Session {
				a.Passed = cmp.Or(s.Close, s.Open)
			}
		}
		switch res.ID {
		case "envelope-bcc":
			if st := src.State(id); st != nil {
				if d := cmp.Or(st.Bcc.First, st.Bcc.NoHeader); d != nil {
					a.First = d.Time
				}
				if res.Passed && st.Bcc.Read != nil {
					a.Passed = st.Bcc.Read.Time
				}
			}
		case "cross-send":
			suffix := "@" + c.GroupDomain(id)
			for _, peer := range c.Peers(id) {
				st := src.State(peer)
				if st == nil || src.Err(peer) != nil {
					continue
				}
				for addr, snd := range st.Senders {
					if !strings.HasSuffix(strings.ToLower(addr), suffix) {
						continue
					}
					if snd.First != nil && (a.First.IsZero() || snd.First.Time.Before(a.First)) {
						a.First = snd.First.Time
					}
					if res.Passed && snd.Read != nil && (a.Passed.IsZero() || snd.Read.Time.Before(a.Passed)) {
						a.Passed = snd.Read.Time
					}
				}
			}
		}
		if !a.First.IsZero() || !a.Passed.IsZero() {
			if a.First.IsZero() || (!a.Passed.IsZero() && a.Passed.Before(a.First)) {
				a.First = a.Passed
			}
			out = append(out, a)
		}
	}
	return out
}

// maxMistakes is how many kinds of mistake a group's report shows.
const maxMistakes = 5

// mistakes are the errors group id's sessions met most: failed logins by
// their reason, commands answered with an error by verb and reply.
func mistakes(src Source, id int, l i18n.Lang) []Mistake {
	counts := map[string]int{}
	for _, s := range sessionsOf(src, nil, []int{id}) {
		for _, lg := range s.Logins {
			if lg.Result == "" || lg.Result == journal.ResultOK {
				continue
			}
			why := lg.Reason
			if lg.Result == journal.ResultInUse {
				why = "in-use"
			}
			method := strings.ToUpper(lg.Method)
			if lg.Method == "pass" {
				method = "USER/PASS"
			}
			counts[txt.MistakeLogin.F(l, method, checker.LoginReason(l, why))]++
		}
		for _, c := range s.Cmds {
			for _, r := range c.Replies {
				if strings.HasPrefix(r, "-ERR") || strings.HasPrefix(r, "5") || strings.HasPrefix(r, "4") {
					if c.Verb == "PASS" || c.Verb == "APOP" {
						continue // counted as a failed login
					}
					counts[txt.MistakeReply.F(l, c.Verb, r)]++
				}
			}
		}
	}
	var out []Mistake
	for text, n := range counts {
		out = append(out, Mistake{Text: text, Count: n})
	}
	slices.SortFunc(out, func(a, b Mistake) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Text, b.Text))
	})
	return out[:min(len(out), maxMistakes)]
}
