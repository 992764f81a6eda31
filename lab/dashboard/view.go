package dashboard

import (
	"slices"
	"strings"
	"time"

	"maillab/checker"
	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/server/classroom"
	"maillab/server/journal"
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
	Groups    []Group    `json:"groups"`
	Flow      Flow       `json:"flow"`
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
	// Reason says it in a few words, in both languages.
	Error    string    `json:"error,omitempty"`
	Reason   *Text     `json:"reason,omitempty"`
	Passed   int       `json:"passed"`
	Cells    []Cell    `json:"cells"`
	Sessions []Session `json:"sessions"`
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
	s := Snapshot{Time: time.Now(), Classroom: c.Name, Flow: flow(r)}
	for _, id := range exercises.IDs() {
		x, _ := exercises.Lookup(id)
		s.Exercises = append(s.Exercises, Exercise{ID: id, Title: bothOf(x.Title)})
	}
	ev := r.Evidence()
	for _, id := range r.Groups() {
		ja := checker.Check(ev, id, checker.Options{HandGap: handGap, Lang: i18n.Ja})
		en := checker.Check(ev, id, checker.Options{HandGap: handGap, Lang: i18n.En})
		g := Group{Group: id, Domain: c.GroupDomain(id), Cluster: c.Cluster(id), Sessions: sessions(r.Events(id))}
		if err := r.Err(id); err != nil {
			g.Error, g.Reason = err.Error(), unreachableReason(c, id, err)
		}
		for i, res := range en.Exercises {
			if res.Passed {
				g.Passed++
			}
			g.Cells = append(g.Cells, Cell{ID: res.ID, Status: res.Status, Detail: Text{Ja: ja.Exercises[i].Detail, En: res.Detail}})
		}
		s.Groups = append(s.Groups, g)
	}
	for _, p := range probes {
		s.Probes = append(s.Probes, ProbeView{Group: p.Group, Name: p.Name(), Status: p.Status, Expect: bothOf(p.Expect), Got: bothOf(p.Got)})
	}
	return s
}

// sessions are the latest sessions of a journal, the newest first; the
// sessions of lab grade --probe (and the relay's hops of its messages)
// are left out.
func sessions(events []journal.Event) []Session {
	var order []string
	byID := map[string]*Session{}
	probe := map[string]bool{}
	for _, e := range events {
		if e.Session == "" {
			continue
		}
		s := byID[e.Session]
		if s == nil {
			s = &Session{ID: e.Session, Proto: e.Proto, Start: e.Time, Lines: []Line{}}
			byID[e.Session] = s
			order = append(order, e.Session)
		}
		line := func(dir, text string) {
			if len(s.Lines) >= linesShown {
				s.More++
				return
			}
			s.Lines = append(s.Lines, Line{Dir: dir, Text: text})
		}
		switch e.Kind {
		case journal.Open:
			s.Remote, s.ClientGroup, s.Start = e.Remote, e.ClientGroup, e.Time
		case journal.Command:
			line("C", e.Line)
		case journal.Reply:
			line("S", e.Line)
		case journal.Login:
			if e.Result == journal.ResultOK {
				s.User = e.User
			}
			if strings.HasPrefix(e.User, checker.ProbeUserPrefix) {
				probe[e.Session] = true
			}
		case journal.Accepted:
			if e.Origin == journal.OriginProbe {
				probe[e.Session] = true
			}
		case journal.Close:
			s.Closed = true
		}
	}
	out := []Session{}
	for i := len(order) - 1; i >= 0 && len(out) < sessionsShown; i-- {
		if !probe[order[i]] {
			out = append(out, *byID[order[i]])
		}
	}
	return out
}

// flow counts the mail between groups: each delivery into a mailbox, by
// the group whose machine handed it over (else the group of the sender's
// domain); and each relay entry waiting or bounced, by the group whose
// relay holds it. The kit's own messages (welcome, bounces, probes) do not
// count.
func flow(r *Reader) Flow {
	c := r.Classroom()
	groups := r.Groups()
	n := len(groups)
	f := Flow{Groups: groups, Delivered: square(n), Messages: square(n), Waiting: square(n), Bounced: square(n)}
	index := func(id int) int { return slices.Index(groups, id) }
	for j, to := range groups {
		client := map[string]int{}
		counted := map[string]bool{} // message ids of Messages
		relay := map[string]string{} // entry id → its state
		var entries []string
		dest := map[string]int{}
		for _, e := range r.Events(to) {
			switch e.Kind {
			case journal.Open:
				client[e.Session] = e.ClientGroup
			case journal.Delivered:
				if e.Origin != "" || e.From == "" || (e.Result != "" && e.Result != journal.ResultOK) {
					continue
				}
				from := client[e.Session]
				if from == 0 {
					from = senderGroup(c, e.From)
				}
				if i := index(from); i >= 0 {
					f.Delivered[i][j]++
					if e.ID == "" || !counted[e.ID] {
						counted[e.ID] = true
						f.Messages[i][j]++
					}
				}
			case journal.Queued, journal.Relayed:
				if e.Origin != "" || e.From == "" {
					continue
				}
				if _, ok := relay[e.ID]; !ok {
					entries = append(entries, e.ID)
				}
				state := journal.ResultDeferred
				if e.Kind == journal.Relayed {
					state = e.Result
				}
				relay[e.ID], dest[e.ID] = state, e.DestGroup
			}
		}
		// this group's relay: what waits, what bounced
		for _, id := range entries {
			k := index(dest[id])
			switch {
			case k < 0:
			case relay[id] == journal.ResultDeferred:
				f.Waiting[j][k]++
			case relay[id] == journal.ResultBounced:
				f.Bounced[j][k]++
			}
		}
	}
	return f
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
