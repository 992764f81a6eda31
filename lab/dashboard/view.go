package dashboard

import (
	"errors"
	"slices"
	"strings"
	"time"

	"maillab/checker"
	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/lab/mailtext"
	"maillab/server/classroom"
)

// Snapshot is what the page shows at one moment; its JSON form is what
// the page reads (GET /api/snapshot, and each event of /api/stream).
type Snapshot struct {
	// Version grows by one each time something shown changes.
	Version int64 `json:"version"`
	// Time is when the evidence was read.
	Time      time.Time  `json:"time"`
	Classroom string     `json:"classroom"`
	Exercises []Exercise `json:"exercises"`
	// Extensions are the optional extension exercises: columns of their
	// own, with their own total.
	Extensions []Exercise `json:"extensions"`
	Groups     []Group    `json:"groups"`
	Flow       Flow       `json:"flow"`
	// Probes are the results of lab grade --probe, when it was given.
	Probes []ProbeView `json:"probes,omitempty"`
}

// Text is a text in both languages, as the page takes it.
type Text struct {
	Ja string `json:"ja"`
	En string `json:"en"`
}

func bothOf(t i18n.Text) Text { return Text{Ja: t.Ja, En: t.En} }

// Exercise is a column of the grid.
type Exercise struct {
	ID    string `json:"id"`
	Title Text   `json:"title"`
}

// Group is a row of the grid, and the group's latest sessions.
type Group struct {
	Group   int    `json:"group"`
	Domain  string `json:"domain"`
	Cluster []int  `json:"cluster"`
	// Error is why the group's server could not be read ("" when it was);
	// Reason says it in a short sentence, in both languages.
	Error  string `json:"error,omitempty"`
	Reason *Text  `json:"reason,omitempty"`
	Passed int    `json:"passed"`
	Cells  []Cell `json:"cells"`
	// ExtensionCells are the extension exercises, ExtensionsPassed how
	// many of them passed (never counted in Passed).
	ExtensionCells   []Cell    `json:"extension_cells"`
	ExtensionsPassed int       `json:"extensions_passed"`
	Sessions         []Session `json:"sessions"`
}

// Cell is one exercise of one group.
type Cell struct {
	ID     string         `json:"id"`
	Status checker.Status `json:"status"`
	Detail Text           `json:"detail"`
}

// Session is one connection to a group's server, as its journal has it:
// command and reply lines (secrets masked by the server), never a message.
type Session struct {
	ID    string    `json:"id"`
	Proto string    `json:"proto"`
	Start time.Time `json:"start"`
	// Remote is the client's address; ClientGroup the classroom group
	// whose machine it is (0: none).
	Remote      string `json:"remote"`
	ClientGroup int    `json:"client_group"`
	User        string `json:"user,omitempty"`
	Closed      bool   `json:"closed"`
	Lines       []Line `json:"lines"`
	// More is how many lines were left out.
	More int `json:"more,omitempty"`
}

// Line is a line of a session: "C" from the client, "S" from the server.
type Line struct {
	Dir  string `json:"dir"`
	Text string `json:"text"`
}

// Flow is the mail between groups: Delivered[i][j] deliveries (one per
// recipient) from group Groups[i] went into a mailbox of group Groups[j],
// Messages[i][j] is how many messages they were (a message to two
// recipients of a group counts once there); Waiting and Bounced count the
// messages that group i's relay holds for group j, or gave up on.
type Flow struct {
	Groups    []int   `json:"groups"`
	Delivered [][]int `json:"delivered"`
	Messages  [][]int `json:"messages"`
	Waiting   [][]int `json:"waiting"`
	Bounced   [][]int `json:"bounced"`
}

// ProbeView is one probe's result, as the page shows it.
type ProbeView struct {
	Group  int            `json:"group"`
	Name   string         `json:"name"`
	Status checker.Status `json:"status"`
	Expect Text           `json:"expect"`
	Got    Text           `json:"got"`
}

// Limits of what the page shows of sessions.
const (
	sessionsShown = 6  // the latest, per group
	linesShown    = 80 // per session
)

// build makes the snapshot of what r has read.
func build(r *Reader, handGap time.Duration, probes []ProbeResult) Snapshot {
	c := r.Classroom()
	s := Snapshot{Time: time.Now(), Classroom: c.Title(), Flow: flow(r)}
	for _, id := range exercises.IDs() {
		x, _ := exercises.Lookup(id)
		s.Exercises = append(s.Exercises, Exercise{ID: id, Title: bothOf(x.Title)})
	}
	for _, x := range exercises.Extensions() {
		s.Extensions = append(s.Extensions, Exercise{ID: x.ID, Title: bothOf(x.Title)})
	}
	// the details name an unreachable group by the short reason, in
	// each language, not by the error with its address twice
	evJa, evEn := r.Evidence(), r.Evidence()
	reasons := map[int]Text{}
	for _, id := range r.Groups() {
		if err := r.Err(id); err != nil {
			reasons[id] = Text{Ja: Reason(i18n.Ja, c, id, err), En: Reason(i18n.En, c, id, err)}
			evJa.Unreachable(id, errors.New(reasons[id].Ja))
			evEn.Unreachable(id, errors.New(reasons[id].En))
		}
	}
	for _, id := range r.Groups() {
		ja := checker.Check(evJa, id, checker.Options{HandGap: handGap, Lang: i18n.Ja})
		en := checker.Check(evEn, id, checker.Options{HandGap: handGap, Lang: i18n.En})
		g := Group{Group: id, Domain: c.GroupDomain(id), Cluster: c.Cluster(id), Sessions: latestSessions(r, id)}
		if err := r.Err(id); err != nil {
			reason := reasons[id]
			g.Error, g.Reason = err.Error(), &reason
		}
		for i, res := range en.Exercises {
			if res.Passed {
				g.Passed++
			}
			g.Cells = append(g.Cells, Cell{ID: res.ID, Status: res.Status, Detail: Text{Ja: ja.Exercises[i].Detail, En: res.Detail}})
		}
		extJa := checker.Extensions(evJa, id, checker.Options{HandGap: handGap, Lang: i18n.Ja})
		extEn := checker.Extensions(evEn, id, checker.Options{HandGap: handGap, Lang: i18n.En})
		g.ExtensionCells = []Cell{}
		for i, res := range extEn.Exercises {
			if res.Passed {
				g.ExtensionsPassed++
			}
			g.ExtensionCells = append(g.ExtensionCells, Cell{ID: res.ID, Status: res.Status, Detail: Text{Ja: extJa.Exercises[i].Detail, En: res.Detail}})
		}
		s.Groups = append(s.Groups, g)
	}
	for _, p := range probes {
		s.Probes = append(s.Probes, ProbeView{Group: p.Group, Name: p.Name(), Status: p.Status, Expect: bothOf(p.Expect), Got: bothOf(p.Got)})
	}
	return s
}

// flow counts the mail between groups, from the groups' evidence
// summaries: each delivery into a mailbox, by the group whose machine
// handed it over (else the group of the sender's domain); and each relay
// entry waiting or bounced, by the group whose relay holds it. The kit's
// own messages (welcome, bounces, probes) do not count.
func flow(r *Reader) Flow {
	c := r.Classroom()
	groups := r.Groups()
	n := len(groups)
	f := Flow{Groups: groups, Delivered: square(n), Messages: square(n), Waiting: square(n), Bounced: square(n)}
	index := func(id int) int { return slices.Index(groups, id) }
	for j, to := range groups {
		st := r.State(to)
		if st == nil {
			continue
		}
		for from, count := range st.Flow.Delivered {
			if i := index(from); i >= 0 {
				f.Delivered[i][j] += count
				f.Messages[i][j] += st.Flow.Messages[from]
			}
		}
		for domain, count := range st.Flow.BySender {
			if i := index(c.GroupOfDomain(domain)); i >= 0 {
				f.Delivered[i][j] += count
				f.Messages[i][j] += st.Flow.MessagesBySender[domain]
			}
		}
		// this group's relay: what waits, what bounced
		for dest, count := range st.Flow.WaitingFor() {
			if k := index(dest); k >= 0 {
				f.Waiting[j][k] += count
			}
		}
		for dest, count := range st.Flow.Bounced {
			if k := index(dest); k >= 0 {
				f.Bounced[j][k] += count
			}
		}
	}
	return f
}

// latestSessions are group id's latest sessions, the newest first, from
// its evidence summaries; the sessions of lab grade --probe (and the
// relay's hops of its messages) are left out.
func latestSessions(r *Reader, id int) []Session {
	out := []Session{}
	st := r.State(id)
	if st == nil {
		return out
	}
	for i := len(st.Recent) - 1; i >= 0 && len(out) < sessionsShown; i-- {
		t := st.Recent[i]
		if t.Probe {
			continue
		}
		s := Session{ID: t.ID, Proto: t.Proto, Start: t.Start, Remote: t.Remote, ClientGroup: t.ClientGroup,
			User: t.User, Closed: t.Closed, Lines: []Line{}, More: t.More}
		for _, l := range t.Lines {
			if len(s.Lines) >= linesShown {
				s.More++
				continue
			}
			text := l.Text
			if l.Dir == "M" { // a message's Subject, shown decoded
				decoded, _ := mailtext.Header(text)
				text = "Subject: " + decoded
				if mailtext.Encoded(l.Text) {
					text += "   (" + mailtext.Escape(l.Text) + ")"
				}
			}
			s.Lines = append(s.Lines, Line{Dir: l.Dir, Text: text})
		}
		out = append(out, s)
	}
	return out
}

// senderGroup is the classroom group of an envelope sender's domain, or 0.
func senderGroup(c *classroom.Classroom, from string) int {
	i := strings.LastIndexByte(from, '@')
	if i < 0 {
		return 0
	}
	return c.GroupOfDomain(strings.Trim(from[i+1:], "<> "))
}

func square(n int) [][]int {
	m := make([][]int, n)
	for i := range m {
		m[i] = make([]int, n)
	}
	return m
}
