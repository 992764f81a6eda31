package console

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"

	"maillab/checker"
	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/server/classroom"
	"maillab/server/evidence"
	"maillab/server/journal"
	"maillab/server/web"
)

// GuideOptions shape a Guide.
type GuideOptions struct {
	// Groups are the groups whose progress the guide announces — the
	// groups whose students watch this console: one under `lab start`,
	// every group under `lab up`. Events of other groups are evidence too
	// (a peer's journal shows that this group's mail was read).
	Groups []int
	// Classroom is the class, or nil for a group run standalone.
	Classroom *classroom.Classroom
	// HandGap is the by-hand threshold, as checker.Options.HandGap.
	HandGap time.Duration
	// Evidence holds, by group, the live evidence of the servers in this
	// process (group.Server.Evidence): the guide reads it, and keeps no
	// event of these groups itself. What passed before the guide began is
	// not announced again.
	Evidence map[int]*evidence.Tracker
	// History holds, for a group with no tracker in Evidence, the events
	// its journal recorded before the guide was subscribed; the guide then
	// keeps that group's summaries itself, from these and the events it is
	// given.
	History map[int][]journal.Event
	// Accounts, when set, returns the account names of a group watched
	// (e.g. from its data folder's accounts): cross-send counts mail from
	// real accounts only, and an account made by `lab user add` in another
	// process never reaches a journal subscriber.
	Accounts func(group int) []string
	// ShowGroup prefixes every line with its group ("g3"), as
	// Console.ShowGroup does.
	ShowGroup bool
	// PollPeers, when positive, is how often Watch reads the evidence of
	// the watched groups' cluster peers that run elsewhere (their web API,
	// /api/evidence): a peer retrieving this group's mail happens in the
	// peer's journal, which no subscriber here sees, and cross-send is
	// announced as soon as a poll shows it. PollPeers below MinPollPeers
	// is taken as MinPollPeers.
	PollPeers time.Duration
	// Client reads the peers' servers; nil means a web.Client with its
	// default timeout.
	Client *web.Client
}

// MinPollPeers is the shortest interval between two polls of the peers'
// servers: the guide must never load a peer's server.
const MinPollPeers = 10 * time.Second

// Guide watches the journals for the students: it says when an exercise
// newly passes and which one is next, and explains SMTP mistakes on the
// console (never on the wire): an address without <>, RCPT before MAIL,
// DATA before RCPT. (The console explains failed APOP logins and, with
// the shared diagnoses of its Explainer, the rest.) Subscribe its Event to a group's journal
// next to the Console's; it is safe to subscribe it to several journals.
type Guide struct {
	w    io.Writer
	lang i18n.Lang
	o    GuideOptions

	ok, note *color.Color

	minPoll time.Duration // MinPollPeers; shorter in tests

	mu       sync.Mutex
	ev       *checker.Evidence
	passed   map[int]map[string]bool // group → exercise → passed
	sessions map[string]*smtpState   // by group and session id
	// checked is when the guide last checked the exercises, and later a
	// check that waits for checkEvery to pass since then: a mail client
	// retrieving a hundred messages, or sixteen clients each sending a
	// message on a connection of its own, make a few checks a second,
	// not one for each retrieval or session, and the last of them is
	// never left out.
	checked  time.Time
	later    *time.Timer
	laterFor journal.Event // the latest event that asked for the later check
}

// checkEvery is the least time between two checks of the exercises.
const checkEvery = 250 * time.Millisecond

// smtpState is what the guide follows of an SMTP session.
type smtpState struct {
	lastVerb string
}

// NewGuide returns a guide writing to w in lang, with colour only when
// useColor. It takes in o.History at once.
func NewGuide(w io.Writer, lang i18n.Lang, useColor bool, o GuideOptions) *Guide {
	g := &Guide{
		w: w, lang: lang, o: o,
		ok:       color.New(color.FgGreen, color.Bold),
		note:     color.New(color.FgYellow),
		ev:       checker.NewEvidence(o.Classroom),
		passed:   map[int]map[string]bool{},
		sessions: map[string]*smtpState{},
		minPoll:  MinPollPeers,
	}
	for _, c := range []*color.Color{g.ok, g.note} {
		if useColor {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	for id, t := range o.Evidence {
		g.ev.Track(id, t)
	}
	for id, events := range o.History {
		if o.Evidence[id] == nil {
			g.ev.Add(id, events...)
		}
	}
	for _, id := range o.Groups {
		g.ev.SetGroup(id, "", nil) // its evidence is here, even with no event yet
		g.passed[id] = map[string]bool{}
		for _, r := range g.check(id).Exercises {
			if r.Passed {
				g.passed[id][r.ID] = true
			}
		}
	}
	return g
}

func (g *Guide) check(id int) checker.Report {
	if g.o.Accounts != nil {
		g.ev.SetGroup(id, "", g.o.Accounts(id))
	}
	var todo []string
	for _, x := range exercises.IDs() {
		if !g.passed[id][x] {
			todo = append(todo, x)
		}
	}
	if len(todo) == 0 {
		return checker.Report{Group: id}
	}
	return checker.Check(g.ev, id, checker.Options{HandGap: g.o.HandGap, Lang: g.lang, IDs: todo})
}

// Watch polls the peers' evidence (GuideOptions.PollPeers) until ctx ends
// or every group watched has passed cross-send, the one exercise a peer's
// journal decides; it returns at once when there is nothing to poll. Run
// it on its own goroutine.
func (g *Guide) Watch(ctx context.Context) {
	if g.o.PollPeers <= 0 || g.o.Classroom == nil {
		return
	}
	every := max(g.o.PollPeers, g.minPoll)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		peers := g.peersToPoll()
		if len(peers) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g.poll(ctx, peers)
	}
}

// peersToPoll returns the cluster peers of the watched groups that have
// not passed cross-send, when those peers run elsewhere.
func (g *Guide) peersToPoll() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	var peers []int
	for _, id := range g.o.Groups {
		if g.passed[id][crossSend] {
			continue
		}
		for _, p := range g.o.Classroom.Peers(id) {
			if g.o.Evidence[p] == nil && !slices.Contains(g.o.Groups, p) && !slices.Contains(peers, p) {
				peers = append(peers, p)
			}
		}
	}
	slices.Sort(peers)
	return peers
}

// crossSend is the exercise a peer's journal decides.
const crossSend = "cross-send"

// poll reads each peer's evidence from its server and announces what
// newly passed. A peer that cannot be read keeps what was read before.
func (g *Guide) poll(ctx context.Context, peers []int) {
	client := g.o.Client
	if client == nil {
		client = &web.Client{}
	}
	type read struct {
		id     int
		status web.Status
		st     *evidence.State
	}
	var got []read
	for _, id := range peers {
		cg, ok := g.o.Classroom.Group(id)
		if !ok {
			continue
		}
		status, err := client.Status(ctx, cg.WebAddr())
		if err != nil || status.Group != id {
			continue
		}
		st, err := client.Evidence(ctx, cg.WebAddr())
		if err != nil || st.Group != id {
			continue
		}
		got = append(got, read{id, status, st})
	}
	if len(got) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range got {
		g.ev.SetGroup(r.id, r.status.Domain, r.status.Accounts)
		g.ev.SetState(r.id, r.st)
	}
	g.write(journal.Event{Time: time.Now()}, g.progress())
}

// Greet says, for each group watched, how far it is and what is next; call
// it after the banner.
func (g *Guide) Greet() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range g.o.Groups {
		done := len(g.passed[id])
		prefix := ""
		if g.o.ShowGroup {
			prefix = fmt.Sprintf("g%d ", id)
		}
		next, more := exercises.Next(func(x string) bool { return g.passed[id][x] })
		if !more {
			fmt.Fprintf(g.w, "%s%s\n", prefix, g.ok.Sprint(txtProgressAll.F(g.lang, id)))
			continue
		}
		fmt.Fprintf(g.w, "%s%s\n", prefix, g.note.Sprint(txtProgress.F(g.lang, id, done, len(exercises.IDs()), next.ID, next.Title.In(g.lang), next.ID)))
	}
}

// Event takes one journal event; subscribe it to a journal. It is quick:
// the rules run only when a session ends or a message is retrieved, only
// for exercises not passed yet, and over the summaries, whose size does
// not grow with the history.
func (g *Guide) Event(e journal.Event) {
	if e.Group == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.o.Evidence[e.Group] == nil {
		g.ev.Add(e.Group, e)
	}
	var lines []string
	if e.Proto == "smtp" {
		lines = append(lines, g.smtp(e)...)
	}
	if e.Kind == journal.Close || e.Kind == journal.Retrieved {
		lines = append(lines, g.checkSoon(e)...)
	}
	g.write(e, lines)
}

// checkSoon checks the exercises now, when the last check is checkEvery
// ago, or else once that time has passed, and then says what passed after
// the prefix of the latest event that asked for a check. g.mu is held.
func (g *Guide) checkSoon(e journal.Event) []string {
	wait := checkEvery - time.Since(g.checked)
	if wait <= 0 {
		g.checked = time.Now()
		return g.progress()
	}
	g.laterFor = e
	if g.later == nil {
		g.later = time.AfterFunc(wait, func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.later = nil
			g.checked = time.Now()
			g.write(g.laterFor, g.progress())
		})
	}
	return nil
}

// write writes lines, each after the prefix of e (its time, its group
// under lab up, its session), in one write.
func (g *Guide) write(e journal.Event, lines []string) {
	if len(lines) == 0 {
		return
	}
	prefix := e.Time.Local().Format("15:04:05") + " "
	if g.o.ShowGroup && e.Group != 0 {
		prefix += fmt.Sprintf("g%d ", e.Group)
	}
	if e.Session != "" {
		prefix += shortSession(e.Session) + " "
	}
	g.writeAfter(prefix, lines)
}

// writeAfter writes lines, each after prefix, in one write.
func (g *Guide) writeAfter(prefix string, lines []string) {
	if len(lines) == 0 {
		return
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(prefix + l + "\n")
	}
	io.WriteString(g.w, b.String())
}

// smtp explains the mistakes of an SMTP session as they happen.
func (g *Guide) smtp(e journal.Event) []string {
	key := fmt.Sprintf("%d/%s", e.Group, e.Session)
	s := g.sessions[key]
	if s == nil {
		s = &smtpState{}
		g.sessions[key] = s
	}
	say := func(k i18n.Text) []string { return []string{g.note.Sprint("  → " + k.In(g.lang))} }
	switch e.Kind {
	case journal.Command:
		s.lastVerb = e.Verb
	case journal.Close:
		delete(g.sessions, key)
	case journal.Reply:
		switch {
		case e.Code == "501" && strings.Contains(e.Line, "angle brackets") && s.lastVerb == "MAIL":
			return say(txtMailBrackets)
		case e.Code == "501" && strings.Contains(e.Line, "angle brackets") && s.lastVerb == "RCPT":
			return say(txtRcptBrackets)
		case e.Code == "503" && s.lastVerb == "RCPT":
			return say(txtRcptBeforeMail)
		case e.Code == "503" && s.lastVerb == "DATA" && strings.Contains(e.Line, "MAIL"):
			return say(txtDataBeforeMail)
		case e.Code == "503" && s.lastVerb == "DATA":
			return say(txtDataBeforeRcpt)
		case e.Code == "503" && s.lastVerb == "MAIL" && strings.Contains(e.Line, "HELO"):
			return say(txtMailBeforeHelo)
		case e.Code == "503" && s.lastVerb == "MAIL":
			return say(txtNestedMail)
		}
	}
	return nil
}

// progress announces the exercises that newly passed, and what is next.
func (g *Guide) progress() []string {
	var lines []string
	for _, id := range g.o.Groups {
		var newly []string
		for _, r := range g.check(id).Exercises {
			if r.Passed {
				g.passed[id][r.ID] = true
				newly = append(newly, r.ID)
			}
		}
		if len(newly) == 0 {
			continue
		}
		for _, x := range exercises.All() {
			if slices.Contains(newly, x.ID) {
				lines = append(lines, g.ok.Sprint(txtPassed.F(g.lang, id, x.ID, x.Title.In(g.lang))))
			}
		}
		if next, ok := exercises.Next(func(x string) bool { return g.passed[id][x] }); ok {
			lines = append(lines, g.note.Sprint(txtNext.F(g.lang, next.ID, next.Title.In(g.lang), next.ID)))
		} else {
			lines = append(lines, g.ok.Sprint(txtAllDone.In(g.lang)))
		}
	}
	return lines
}

// The guide's messages, in both languages: typed values, so that the
// compiler checks every use.
var (
	txtPassed  = i18n.Text{Ja: "✓ %d 班が課題 %s「%s」をクリアしました！", En: "✓ Group %d has done exercise %s (%s)!"}
	txtNext    = i18n.Text{Ja: "  次の課題: %s「%s」 → lab show %s", En: "  Next: %s (%s) → lab show %s"}
	txtAllDone = i18n.Text{Ja: "  これで全部の課題ができました。おつかれさまでした！",
		En: "  That was the last one: every exercise is done. Well done!"}
	txtProgress = i18n.Text{Ja: "%d 班の課題: %d / %d できています。次は %s「%s」です（lab show %s）。",
		En: "Group %d: %d of %d exercises done. Next: %s (%s) — lab show %s"}
	txtProgressAll  = i18n.Text{Ja: "%d 班の課題はすべてできています。", En: "Group %d has done every exercise."}
	txtMailBrackets = i18n.Text{Ja: "アドレスが < > で囲まれていません（501 はその返事です）。MAIL FROM:<名前@ドメイン> のように、< と > で囲んで書きます。",
		En: "the address is not in < > (that is what the 501 says): write MAIL FROM:<name@domain>, with the < and >."}
	txtRcptBrackets = i18n.Text{Ja: "アドレスが < > で囲まれていません（501 はその返事です）。RCPT TO:<名前@ドメイン> のように、< と > で囲んで書きます。",
		En: "the address is not in < > (that is what the 501 says): write RCPT TO:<name@domain>, with the < and >."}
	txtRcptBeforeMail = i18n.Text{Ja: "RCPT TO の前に MAIL FROM が必要です（503 は順番が違うという返事です）。封筒には送信者を先に書きます。",
		En: "RCPT TO needs MAIL FROM first (503 means out of order): the envelope's sender comes first."}
	txtDataBeforeRcpt = i18n.Text{Ja: "DATA の前に、受け付けられた RCPT TO が必要です（503）。宛先が決まってから中身を送ります。",
		En: "DATA needs an accepted RCPT TO first (503): the recipients come before the contents."}
	txtDataBeforeMail = i18n.Text{Ja: "DATA の前に MAIL FROM と RCPT TO が必要です（503）。封筒（エンベロープ）が先、中身が後です。",
		En: "DATA needs MAIL FROM and RCPT TO first (503): the envelope comes before the contents."}
	txtMailBeforeHelo = i18n.Text{Ja: "まず HELO（か EHLO）で名乗ります（503）。", En: "say HELO (or EHLO) first (503)."}
	txtNestedMail     = i18n.Text{Ja: "MAIL FROM は 1 通につき 1 回です（503）。やり直すなら RSET と打ちます。", En: "one MAIL FROM per message (503); RSET starts over."}
)
