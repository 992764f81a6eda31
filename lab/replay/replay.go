// Package replay tells a session of a group's journal again, for people:
// the commands and replies in order, each explained (its meaning, its RFC
// section, its reply codes), the facts the server recorded beside them
// (logins, deliveries, relays), and what became of the session's messages
// afterwards. `lab replay` shows it; the same model lists a journal's
// sessions.
package replay

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/color"

	"maillab/exercises/explain"
	"maillab/exercises/i18n"
	"maillab/lab/console"
	"maillab/lab/terminal"
	"maillab/server/classroom"
	"maillab/server/evidence"
	"maillab/server/journal"
)

// Session is one session of the journal: its events in order.
type Session struct {
	id, proto string
	open      journal.Event // the Open event (zero when it is missing)
	events    []journal.Event
	start     time.Time
	end       time.Time // of the Close event; zero while open
	commands  int
	user      string // the POP3 login name, or the SMTP envelope sender
	probe     bool   // a session of the instructor's lab grade --probe
}

// Short is the id as the live console shows it: "pop3#17".
func (s *Session) Short() string {
	if i := strings.LastIndexByte(s.id, '-'); i >= 0 && s.proto != "" {
		return s.proto + "#" + s.id[i+1:]
	}
	return s.id
}

// Sessions gathers the events of each session, in the order the sessions
// began.
func Sessions(events []journal.Event) []*Session {
	var list []*Session
	byID := map[string]*Session{}
	for _, ev := range events {
		if ev.Session == "" {
			continue
		}
		s := byID[ev.Session]
		if s == nil {
			s = &Session{id: ev.Session, proto: ev.Proto, start: ev.Time}
			byID[ev.Session] = s
			list = append(list, s)
		}
		s.events = append(s.events, ev)
		s.probe = s.probe || evidence.IsProbe(ev)
		switch ev.Kind {
		case journal.Open:
			s.open, s.start = ev, ev.Time
		case journal.Close:
			s.end = ev.Time
		case journal.Command:
			s.commands++
			if s.user == "" && s.proto == explain.SMTP && ev.Verb == "MAIL" {
				s.user = mailFrom(ev.Line)
			}
		case journal.Login:
			if s.user == "" || ev.Result == journal.ResultOK {
				s.user = ev.User
			}
		case journal.Accepted:
			s.user = ev.From
			if s.user == "" {
				s.user = "<>"
			}
		}
	}
	return list
}

// mailFrom takes the address out of a MAIL FROM line as typed.
func mailFrom(line string) string {
	_, rest, ok := strings.Cut(line, ":")
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if i := strings.IndexByte(rest, '>'); strings.HasPrefix(rest, "<") && i > 0 {
		return rest[1:i]
	}
	addr, _, _ := strings.Cut(rest, " ")
	return addr
}

// Find finds a session by its full id, or by its number as the
// console shows it ("pop3#17", "#17", "17"). The counter starts again when
// the server restarts, so a number may match several sessions: the latest
// is taken, and the number of matches returned.
func Find(sessions []*Session, want string) (*Session, int) {
	for _, s := range sessions {
		if s.id == want {
			return s, 1
		}
	}
	proto, num, ok := strings.Cut(want, "#")
	if !ok {
		proto, num = "", want
	}
	if _, err := strconv.Atoi(num); err != nil {
		return nil, 0
	}
	var found *Session
	matches := 0
	for _, s := range sessions {
		if strings.HasSuffix(s.id, "-"+num) && (proto == "" || strings.EqualFold(proto, s.proto)) {
			found = s
			matches++
		}
	}
	return found, matches
}

// Afterwards returns what became, outside the session, of the messages the
// session handed over: relays, bounces.
func Afterwards(events []journal.Event, s *Session) []journal.Event {
	ids, msgIDs := map[string]bool{}, map[string]bool{}
	for _, ev := range s.events {
		if ev.Kind == journal.Accepted {
			ids[ev.ID] = ev.ID != ""
			msgIDs[ev.MessageID] = ev.MessageID != ""
		}
	}
	var out []journal.Event
	for _, ev := range events {
		if ev.Session != "" || (ev.Kind != journal.Relayed && ev.Kind != journal.Bounced) {
			continue
		}
		// the relay queue's id is the message's id and the group: "ID.g2"
		queueOf, _, _ := strings.Cut(ev.ID, ".")
		if ids[ev.ID] || ids[queueOf] || msgIDs[ev.MessageID] {
			out = append(out, ev)
		}
	}
	return out
}

// WriteList writes a table of the sessions, oldest first.
func WriteList(w io.Writer, l i18n.Lang, sessions []*Session) {
	rows := [][]string{{txtColSession.In(l), txtColProto.In(l), txtColClient.In(l), txtColStarted.In(l), txtColCommands.In(l), txtColUser.In(l), txtColID.In(l)}}
	for _, s := range sessions {
		client := s.open.Remote
		if s.open.ClientGroup != 0 {
			client += " (g" + strconv.Itoa(s.open.ClientGroup) + ")"
		}
		if client == "" {
			client = "-"
		}
		user := s.user
		if user == "" {
			user = "-"
		}
		if s.probe {
			user += " " + txtListProbe.In(l)
		}
		rows = append(rows, []string{
			s.Short(), strings.ToUpper(s.proto), client, s.start.Local().Format("2006-01-02 15:04:05"),
			strconv.Itoa(s.commands), user, s.id,
		})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], terminal.Width(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-terminal.Width(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// replayColors are the colours of a replay; all off without a terminal.
type replayColors struct {
	client, ok, bad, note, fact, dim *color.Color
}

func newReplayColors(on bool) replayColors {
	return replayColors{
		client: terminal.Color(on, color.FgCyan),
		ok:     terminal.Color(on, color.FgGreen),
		bad:    terminal.Color(on, color.FgRed),
		note:   terminal.Color(on, color.Faint),
		fact:   terminal.Color(on, color.FgYellow),
		dim:    terminal.Color(on, color.Faint),
	}
}

// replayer writes one session for people to read.
type replayer struct {
	w      io.Writer
	lang   i18n.Lang
	colors replayColors
	x      *console.Explainer // the diagnoses the live console gave
}

// Indents of the parts of a replayed line.
const (
	timeWidth  = 7 // "  12.3s"
	noteIndent = "           - "
	factIndent = "         → "
)

// line writes a line of the wire, after the seconds since the session began.
func (r *replayer) line(s *Session, ev journal.Event, text string, c *color.Color) {
	secs := ev.Time.Sub(s.start).Seconds()
	fmt.Fprintf(r.w, "%s  %s\n", r.colors.dim.Sprintf("%*.1fs", timeWidth-1, secs), c.Sprint(text))
}

// notes writes what a line means, under it.
func (r *replayer) notes(notes ...explain.Note) {
	for _, n := range notes {
		fmt.Fprintln(r.w, r.colors.note.Sprint(noteIndent+n.In(r.lang)))
	}
}

// fact writes something the server did or found that is not on the wire.
func (r *replayer) fact(c *color.Color, text string) {
	fmt.Fprintln(r.w, c.Sprint(factIndent+text))
}

// session writes the header of s, then each of its events with what it
// means, then what became of its messages afterwards.
func (r *replayer) session(s *Session, later []journal.Event) {
	r.header(s)
	proto := s.proto
	replies := 0     // replies so far in the session
	lineOfReply := 0 // lines of the current reply so far
	lastVerb := ""   // of the last command
	for _, ev := range displayOrder(s.events) {
		diagnoses, _ := r.x.Explain(ev)
		switch ev.Kind {
		case journal.Command:
			lastVerb, lineOfReply = ev.Verb, 0
			if lastVerb == "" {
				lastVerb = explain.Verb(ev.Line)
			}
			r.line(s, ev, "C: "+console.CommandLine(r.lang, ev), r.colors.client)
			if n, ok := explain.Command(proto, ev.Line); ok {
				r.notes(n)
			} else if proto == explain.POP3 || proto == explain.SMTP {
				r.notes(explain.Unknown(proto))
			}
		case journal.Reply:
			c := r.colors.ok
			if strings.HasPrefix(ev.Code, "-") || strings.HasPrefix(ev.Code, "4") || strings.HasPrefix(ev.Code, "5") {
				c = r.colors.bad
			}
			r.line(s, ev, "S: "+ev.Line, c)
			replies++
			lineOfReply++
			r.replyNotes(proto, ev.Line, replies == 1, lineOfReply, lastVerb)
		default:
			r.event(ev)
		}
		for _, d := range diagnoses {
			r.fact(r.colors.fact, d)
		}
	}
	switch {
	case !s.end.IsZero():
		fmt.Fprintln(r.w, r.colors.dim.Sprint(txtReplayClosed.F(r.lang, s.commands, s.end.Sub(s.start).Seconds())))
	default:
		fmt.Fprintln(r.w, r.colors.dim.Sprint(txtReplayNotClosed.In(r.lang)))
	}
	if len(later) > 0 {
		fmt.Fprintln(r.w, txtReplayAfterwards.In(r.lang))
		for _, ev := range later {
			r.event(ev)
		}
	}
}

// displayOrder puts the Data event of a message (its size, its bare LFs)
// before what the server did with it (accepted, delivered, queued): the
// server records the size last, but it read the message first.
func displayOrder(events []journal.Event) []journal.Event {
	out := make([]journal.Event, 0, len(events))
	for i := 0; i < len(events); i++ {
		if events[i].Kind == journal.Accepted {
			if j := dataAfter(events, i); j > 0 {
				out = append(out, events[j])
				out = append(out, events[i:j]...)
				i = j
				continue
			}
		}
		out = append(out, events[i])
	}
	return out
}

// dataAfter finds the Data event after events[i] and before the next line
// on the wire; 0 when there is none.
func dataAfter(events []journal.Event, i int) int {
	for j := i + 1; j < len(events); j++ {
		switch events[j].Kind {
		case journal.Data:
			return j
		case journal.Reply, journal.Command:
			return 0
		}
	}
	return 0
}

// replyNotes explains one reply line. A multi-line SMTP reply is explained
// once, at its last line ("250 …" after "250-…"); the lines of the EHLO
// reply name extensions, and each is explained.
func (r *replayer) replyNotes(proto, line string, greeting bool, lineOfReply int, lastVerb string) {
	continued := proto == explain.SMTP && len(line) > 3 && line[3] == '-'
	if proto == explain.SMTP && lastVerb == "EHLO" && lineOfReply > 1 && len(line) > 4 {
		if n, ok := explain.Extension(line[4:]); ok {
			r.notes(n)
		}
	}
	switch {
	case continued:
	case greeting:
		r.notes(explain.Greeting(proto, line)...)
	default:
		r.notes(explain.Reply(proto, line)...)
	}
}

// header writes who connected, when, and how the session went.
func (r *replayer) header(s *Session) {
	fmt.Fprintln(r.w, txtReplayTitle.F(r.lang, s.Short(), s.id, strings.ToUpper(s.proto)))
	client := s.open.Remote
	if s.open.ClientGroup != 0 {
		client = txtReplayClientGroup.F(r.lang, client, s.open.ClientGroup)
	}
	field := func(key i18n.Text, value string) {
		if value != "" {
			k := key.In(r.lang)
			fmt.Fprintf(r.w, "  %s%s%s\n", k, strings.Repeat(" ", max(1, 14-terminal.Width(k))), value)
		}
	}
	field(txtReplayClient, client)
	field(txtReplayServer, s.open.Local)
	field(txtReplayStarted, s.start.Local().Format("2006-01-02 15:04:05"))
	if s.proto == explain.SMTP {
		field(txtReplaySender, s.user)
	} else {
		field(txtReplayUser, s.user)
	}
	fmt.Fprintln(r.w)
}

// event writes a fact of the journal that is not a line on the wire.
func (r *replayer) event(ev journal.Event) {
	c := r.colors
	switch ev.Kind {
	case journal.Login:
		method := "USER/PASS"
		if ev.Method == "apop" {
			method = "APOP"
		}
		switch ev.Result {
		case journal.ResultOK:
			r.fact(c.ok, txtReplayLoginOk.F(r.lang, ev.User, method, ev.Count, ev.Size))
		case journal.ResultInUse:
			r.fact(c.bad, txtReplayLoginInUse.F(r.lang, ev.User, method))
		case journal.ResultError:
			r.fact(c.bad, txtReplayLoginError.F(r.lang, ev.User, ev.Error))
		default:
			r.fact(c.bad, txtReplayLoginFail.F(r.lang, ev.User, method))
			if why, ok := explain.LoginFailure(ev.Reason); ok {
				r.fact(c.fact, txtReplayWhy.F(r.lang, why.In(r.lang)))
			}
		}
	case journal.Retrieved:
		r.fact(c.fact, txtReplayRetr.F(r.lang, ev.User, ev.Size))
	case journal.Deleted:
		if ev.Result == journal.ResultError {
			r.fact(c.bad, txtReplayDeletedError.F(r.lang, ev.Count, ev.Error))
			return
		}
		r.fact(c.fact, txtReplayDeleted.F(r.lang, ev.Count, ev.User))
	case journal.Data:
		r.fact(c.fact, txtReplayData.F(r.lang, ev.Size))
		if ev.Reason == "bare-lf" {
			r.fact(c.bad, txtReplayBareLF.F(r.lang, ev.Count))
		}
	case journal.Accepted:
		from := ev.From
		if from == "" {
			from = "<>"
		}
		r.fact(c.fact, txtReplayAccepted.F(r.lang, ev.ID, from, strings.Join(ev.Rcpt, ", ")))
		r.fact(c.fact, txtReplayHeaders.F(r.lang, orNone(r.lang, ev.To), orNone(r.lang, ev.Cc)))
		if len(ev.To) == 0 && len(ev.Cc) == 0 {
			// no To or Cc at all: every recipient is a Bcc (the explainer
			// says it only where there are header addresses to compare)
			for _, rc := range ev.Rcpt {
				r.fact(c.fact, explain.DiagBcc.F(r.lang, rc))
			}
		}
	case journal.Delivered:
		if ev.Result == journal.ResultError {
			r.fact(c.bad, txtReplayDeliveredError.F(r.lang, ev.User, ev.Error))
			return
		}
		r.fact(c.ok, txtReplayDelivered.F(r.lang, ev.User))
	case journal.Queued:
		r.fact(c.fact, txtReplayQueued.F(r.lang, strings.Join(ev.Rcpt, ", "), ev.DestGroup))
	case journal.Relayed:
		switch ev.Result {
		case journal.ResultOK:
			r.fact(c.ok, txtReplayRelayed.F(r.lang, strings.Join(ev.Rcpt, ", "), ev.DestGroup, ev.Time.Local().Format("15:04:05")))
		case journal.ResultDeferred:
			r.fact(c.fact, txtReplayRelayDeferred.F(r.lang, ev.DestGroup, ev.Attempt, ev.Error))
		default:
			r.fact(c.bad, txtReplayRelayFailed.F(r.lang, strings.Join(ev.Rcpt, ", "), ev.Error))
		}
	case journal.Bounced:
		r.fact(c.bad, txtReplayBounced.F(r.lang, orNone(r.lang, []string{ev.From})))
	}
}

// orNone joins addresses, or says there were none.
func orNone(l i18n.Lang, addrs []string) string {
	var nonEmpty []string
	for _, a := range addrs {
		if a != "" {
			nonEmpty = append(nonEmpty, a)
		}
	}
	if len(nonEmpty) == 0 {
		return txtReplayNone.In(l)
	}
	return strings.Join(nonEmpty, ", ")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// ID is the session's full id, such as "pop3-smb3k2-17".
func (s *Session) ID() string { return s.id }

// Write writes session s for people to read, with its events explained and
// what became of its messages (later, from Afterwards); coloured when
// color is true.
func Write(w io.Writer, l i18n.Lang, color bool, s *Session, later []journal.Event) {
	WriteWith(w, Options{Lang: l, Color: color}, s, later)
}

// Options shape a replay.
type Options struct {
	Lang  i18n.Lang
	Color bool // colour the output
	// Classroom, when known, lets a refused relay be given its one cause
	// (a client off the classroom's hosts, or a domain outside the class).
	Classroom *classroom.Classroom
	// HandGap is the by-hand threshold (zero: the default, 500ms).
	HandGap time.Duration
}

// WriteWith is Write with options.
func WriteWith(w io.Writer, o Options, s *Session, later []journal.Event) {
	x := console.NewExplainer(o.Lang)
	x.Classroom, x.HandGap, x.ClassUnknown = o.Classroom, o.HandGap, o.Classroom == nil
	r := &replayer{w: w, lang: o.Lang, colors: newReplayColors(o.Color), x: x}
	r.session(s, later)
}
