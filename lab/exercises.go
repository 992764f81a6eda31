package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fatih/color"
	"github.com/urfave/cli/v2"

	"maillab/checker"
	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/lab/terminal"
	"maillab/server/account"
	"maillab/server/classroom"
	"maillab/server/durable"
	"maillab/server/group"
	"maillab/server/journal"
)

// guideFlags are the flags the guided commands share.
func guideFlags(e *env, more ...cli.Flag) []cli.Flag {
	return append([]cli.Flag{
		&cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: txtFlagGuideGroup.In(e.lang)},
		classroomFlag(e),
		dataRootFlag(e),
		langFlag(e),
	}, more...)
}

// guide is what a guided command knows of the group it speaks for.
type guide struct {
	e         *env
	root      string
	group     int // 0: not known
	classroom *classroom.Classroom
}

// newGuide reads the guided flags. The group is --group, else the one
// group under the data root; when needGroup, a group must be found.
func newGuide(e *env, c *cli.Context, needGroup bool) (*guide, error) {
	g := &guide{e: e, root: c.String("data")}
	n, err := pickGroup(e, g.root, c.Int("group"))
	switch {
	case err == nil:
		g.group = n
	case needGroup || c.Int("group") != 0:
		return nil, err
	}
	path := classroomPath(e, c)
	if path == "" && g.group != 0 {
		path = notedClassroom(g.dataDir()) // where lab start --classroom ran
	}
	if path != "" {
		cl, err := loadClassroom(e, path)
		if err != nil {
			return nil, err
		}
		g.classroom = cl
	}
	if g.group != 0 && g.classroom != nil {
		if _, ok := g.classroom.Group(g.group); !ok {
			return nil, failure{txtNotInClassroom.F(e.lang, g.group, g.classroom.Path)}
		}
	}
	return g, nil
}

// dataDir is the group's data folder under the root.
func (g *guide) dataDir() string { return group.DirFor(g.root, g.group) }

// hasData says whether the group's data is on this machine.
func (g *guide) hasData() bool {
	_, err := os.Stat(filepath.Join(g.dataDir(), journal.FileName))
	return err == nil
}

// domain is the group's mail domain.
func (g *guide) domain() string {
	if g.classroom != nil {
		return g.classroom.GroupDomain(g.group)
	}
	if b, err := os.ReadFile(filepath.Join(g.dataDir(), "domain")); err == nil {
		if d := strings.TrimSpace(string(b)); d != "" {
			return d
		}
	}
	return group.DomainFor(g.group, group.DefaultDomain)
}

// addresses are where the group's SMTP and POP3 servers listen: the
// classroom's word, else where the server last started (its journal's
// start event), else the standalone defaults.
func (g *guide) addresses() (smtp, pop3 string) {
	smtp, pop3 = defaultSMTPAddr, defaultPOP3Addr
	if g.classroom != nil {
		if cg, ok := g.classroom.Group(g.group); ok {
			return cg.SMTPAddr(), cg.POP3Addr()
		}
	}
	if g.group == 0 {
		return smtp, pop3
	}
	events, _ := journal.ReadFile(filepath.Join(g.dataDir(), journal.FileName))
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == journal.Start {
			if f := strings.Fields(events[i].Local); len(f) == 2 {
				return f[0], f[1]
			}
		}
	}
	return smtp, pop3
}

// vars fills the exercises' placeholders for the group. What is not known
// (no group yet, no classroom to name a partner) is said in words, never
// as a placeholder.
func (g *guide) vars() exercises.Vars {
	hp := func(addr string) (string, string) {
		h, p, err := net.SplitHostPort(addr)
		if err != nil {
			return addr, ""
		}
		return h, p
	}
	w := func(t i18n.Text) string { return t.In(g.e.lang) }
	smtp, pop3 := g.addresses()
	host, smtpPort := hp(smtp)
	_, pop3Port := hp(pop3)
	if g.group == 0 && g.classroom != nil && len(g.classroom.Groups) > 0 {
		// no group yet: the classroom's ports, the host in words
		cg := g.classroom.Groups[0]
		host, smtpPort, pop3Port = w(txtVarHost), strconv.Itoa(cg.SMTP), strconv.Itoa(cg.POP3)
	}
	v := exercises.Vars{
		"group": w(txtVarGroup), "domain": w(txtVarDomain), "host": host,
		"smtp": host + " " + smtpPort, "pop3": host + " " + pop3Port, "smtpport": smtpPort, "pop3port": pop3Port,
		"user": "yom", "user2": "hana", "user3": "taro",
		"peer": w(txtVarPeer), "peerdomain": w(txtVarPeerdomain), "peerhost": w(txtVarPeerhost),
		"peersmtp": w(txtVarPeerhost) + " " + smtpPort, "peerpop3": w(txtVarPeerhost) + " " + pop3Port,
		"cluster": w(txtVarCluster), "start": g.startCommand(),
	}
	if g.classroom != nil {
		v["cluster"] = clusterList(g.classroom)
	}
	if g.group == 0 {
		return v
	}
	v["group"] = strconv.Itoa(g.group)
	v["domain"] = g.domain()
	for i, name := range g.users() {
		v[[]string{"user", "user2", "user3"}[i]] = name
	}
	if c := g.classroom; c != nil {
		var cl []string
		for _, id := range c.Cluster(g.group) {
			cl = append(cl, strconv.Itoa(id))
		}
		v["cluster"] = strings.Join(cl, ", ")
		if peers := c.Peers(g.group); len(peers) > 0 {
			p, _ := c.Group(peers[0])
			v["peer"], v["peerdomain"], v["peerhost"] = strconv.Itoa(p.ID), c.GroupDomain(p.ID), p.Host
			v["peersmtp"] = p.Host + " " + strconv.Itoa(p.SMTP)
			v["peerpop3"] = p.Host + " " + strconv.Itoa(p.POP3)
		}
	}
	return v
}

// sampleVars fill a sample session, which shows a real screen: with no
// group known, that of an example group (the classroom's first, else 1),
// whose number is returned; else the group's own (and 0).
func (g *guide) sampleVars() (exercises.Vars, int) {
	if g.group != 0 {
		return g.vars(), 0
	}
	ex := *g
	ex.group = 1
	if g.classroom != nil && len(g.classroom.Groups) > 0 {
		ex.group = g.classroom.Groups[0].ID
	}
	return ex.vars(), ex.group
}

// startCommand is the command that starts the group's server, with the
// classroom file when there is one.
func (g *guide) startCommand() string {
	n := txtVarGroupArg.In(g.e.lang)
	if g.group != 0 {
		n = strconv.Itoa(g.group)
	}
	s := "lab start --group " + n
	if g.classroom != nil {
		s += " --classroom " + g.classroom.Path
	}
	return s
}

// clusterList names the classroom's clusters: "1–3 / 4–6 / 7–9".
func clusterList(c *classroom.Classroom) string {
	var parts []string
	for _, cl := range c.Clusters {
		var ids []string
		for _, id := range cl {
			ids = append(ids, strconv.Itoa(id))
		}
		parts = append(parts, strings.Join(ids, ", "))
	}
	return strings.Join(parts, " / ")
}

// users are up to three of the group's accounts for the texts: the
// default ones first, in their order.
func (g *guide) users() []string {
	list, err := account.Open(g.dataDir()).List()
	if err != nil || len(list) == 0 {
		return nil
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Name)
	}
	slices.SortStableFunc(names, func(a, b string) int {
		ia, ib := slices.Index(group.DefaultUsers, a), slices.Index(group.DefaultUsers, b)
		if ia < 0 {
			ia = len(group.DefaultUsers)
		}
		if ib < 0 {
			ib = len(group.DefaultUsers)
		}
		return ia - ib
	})
	return names[:min(3, len(names))]
}

// marks of an exercise's status.
func mark(s checker.Status, colored bool) string {
	c := func(attr color.Attribute, s string) string { return terminal.Color(colored, attr).Sprint(s) }
	switch s {
	case checker.StatusPassed:
		return c(color.FgGreen, "✓")
	case checker.StatusNotPassed:
		return c(color.FgRed, "✗")
	case checker.StatusUnknown:
		return c(color.FgYellow, "?")
	}
	return "·"
}

func newExercisesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "exercises",
		Usage:     txtExercisesUsage.In(e.lang),
		UsageText: "lab exercises [--group N] [--data DIR] [--classroom FILE] [--lang ja|en]",
		Flags:     guideFlags(e, handGapFlag(e)),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			g, err := newGuide(e, c, false)
			if err != nil {
				return err
			}
			gap, err := handGap(e, c)
			if err != nil {
				return err
			}
			return runExercises(c, g, gap)
		},
	}
}

func runExercises(c *cli.Context, g *guide, gap string) error {
	e := g.e
	w := e.stdout
	colored := useColor(e)
	var report *checker.Report
	if g.group != 0 && (g.hasData() || g.classroom != nil) {
		ids := append(exercises.IDs(), exercises.ExtensionIDs()...)
		r := g.check(c.Context, ids, gap)
		report = &r
	}
	if g.group != 0 {
		fmt.Fprintf(w, "%s\n\n", txtExTitle.F(e.lang, g.group, g.domain()))
	} else {
		fmt.Fprintf(w, "%s\n\n", txtExTitleNone.In(e.lang))
	}
	fmt.Fprintf(w, "%s\n", txtExLessons.In(e.lang))
	for _, l := range exercises.Lessons() {
		fmt.Fprintf(w, "  lab show %-14s %s\n", l.ID, l.Title.In(e.lang))
	}
	fmt.Fprintf(w, "\n%s\n", txtExExercises.In(e.lang))
	status := func(id string) checker.Status {
		if report == nil {
			return ""
		}
		r, _ := report.Result(id)
		return r.Status
	}
	next, more := exercises.Next(func(id string) bool { return status(id) == checker.StatusPassed })
	done := 0
	all := exercises.All()
	for _, x := range all {
		s := status(x.ID)
		if s == checker.StatusPassed {
			done++
		}
		line := fmt.Sprintf("  %s %d. %-13s %s", mark(s, colored), x.Order, x.ID, x.Title.In(e.lang))
		var notes []string
		if x.Task > 0 {
			notes = append(notes, txtExTask.F(e.lang, x.Task))
		}
		if x.Classroom {
			notes = append(notes, txtExClassroom.In(e.lang))
		}
		if len(notes) > 0 {
			line += txtParen.F(e.lang, strings.Join(notes, txtListSep.In(e.lang)))
		}
		if report != nil && more && x.ID == next.ID {
			line += "  " + txtExNextMark.In(e.lang)
		}
		fmt.Fprintln(w, line)
	}
	if ext := exercises.Extensions(); len(ext) > 0 {
		fmt.Fprintf(w, "\n%s\n", txtExExtensions.In(e.lang))
		for i, x := range ext {
			fmt.Fprintf(w, "  %s %d. %-13s %s\n", mark(status(x.ID), colored), i+1, x.ID, x.Title.In(e.lang))
		}
	}
	fmt.Fprintln(w)
	switch {
	case report == nil && g.group != 0:
		fmt.Fprintln(w, txtExStartFirst.F(e.lang, g.startCommand()))
	case report == nil:
		fmt.Fprintln(w, txtExNoGroup.F(e.lang, txtVarGroupArg.In(e.lang)))
		fmt.Fprintln(w, txtExStartFirst.F(e.lang, g.startCommand()))
	case !more:
		fmt.Fprintln(w, txtExDone.F(e.lang, done, len(all)))
		fmt.Fprintln(w, txtExAllDone.In(e.lang))
	default:
		fmt.Fprintln(w, txtExLegend.In(e.lang))
		fmt.Fprintln(w, txtExDone.F(e.lang, done, len(all)))
		fmt.Fprintln(w, txtExNext.F(e.lang, next.ID, next.ID, next.ID))
	}
	return nil
}

func newShowCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     txtShowUsage.In(e.lang),
		UsageText: "lab show ID [--group N] [--data DIR] [--classroom FILE] [--lang ja|en]",
		Flags:     guideFlags(e),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{txtNeedID.In(e.lang)}
			}
			g, err := newGuide(e, c, false)
			if err != nil {
				return err
			}
			return runShow(g, c.Args().First())
		},
	}
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func runShow(g *guide, id string) error {
	e, w := g.e, g.e.stdout
	v := g.vars()
	in := func(t i18n.Text) string { return v.Expand(t.In(e.lang)) }
	bold := terminal.Color(useColor(e), color.Bold)
	if l, ok := exercises.LookupLesson(id); ok {
		lessons := exercises.Lessons()
		fmt.Fprintf(w, "%s — %s%s\n\n", bold.Sprint(l.ID), bold.Sprint(in(l.Title)), txtParen.F(e.lang, txtShowLessonHead.F(e.lang, l.Order, len(lessons))))
		fmt.Fprintf(w, "%s\n\n%s\n\n", in(l.Picture), in(l.Body))
		if l.Order < len(lessons) {
			fmt.Fprintln(w, txtShowNextLesson.F(e.lang, lessons[l.Order].ID))
		} else {
			fmt.Fprintln(w, txtShowToExercises.In(e.lang))
		}
		return nil
	}
	x, ok := exercises.Lookup(id)
	if !ok {
		return usageError{txtNoSuchID.F(e.lang, id)}
	}
	head := txtShowExerciseHead.F(e.lang, x.Order, len(exercises.IDs()))
	if slices.Contains(exercises.ExtensionIDs(), x.ID) {
		head = txtShowExtensionHead.F(e.lang, x.Order, len(exercises.ExtensionIDs()))
	}
	if x.Task > 0 {
		head += txtListSep.In(e.lang) + txtExTask.F(e.lang, x.Task)
	}
	fmt.Fprintf(w, "%s — %s%s\n\n", bold.Sprint(x.ID), bold.Sprint(in(x.Title)), txtParen.F(e.lang, head))
	fmt.Fprintf(w, "%s\n%s\n\n", bold.Sprint(txtShowGoal.In(e.lang)), indent(in(x.Goal), "  "))
	fmt.Fprintf(w, "%s\n", bold.Sprint(txtShowSteps.In(e.lang)))
	for i, s := range x.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, strings.ReplaceAll(in(s), "\n", "\n     "))
	}
	sv, example := g.sampleVars()
	note := in(x.Sample.Note)
	if example != 0 && sv.Expand(x.Sample.Text) != x.Sample.Text {
		note += txtShowSampleGroup.F(e.lang, example)
	}
	fmt.Fprintf(w, "\n%s\n%s\n\n%s\n\n", bold.Sprint(txtShowSample.In(e.lang)), indent(note, "  "), indent(sv.Expand(x.Sample.Text), "    "))
	fmt.Fprintln(w, txtShowHints.F(e.lang, x.ID, len(x.Hints)))
	fmt.Fprintln(w, txtShowCheck.F(e.lang, x.ID))
	return nil
}

func newHintCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "hint",
		Usage:     txtHintUsage.In(e.lang),
		UsageText: "lab hint ID [--group N] [--data DIR] [--classroom FILE] [--lang ja|en]",
		Flags:     guideFlags(e),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{txtNeedExerciseID.In(e.lang)}
			}
			id := c.Args().First()
			if _, ok := exercises.Lookup(id); !ok {
				return usageError{txtNoSuchExercise.F(e.lang, id, strings.Join(exercises.IDs(), ", "))}
			}
			g, err := newGuide(e, c, false)
			if err != nil {
				return err
			}
			if g.group == 0 {
				return runFirstHint(g, id)
			}
			return runHint(g, id)
		},
	}
}

// hintsFile is where a group's hint tiers are remembered: DIR/gN/hints.json,
// {"apop-telnet": 2, …}.
const hintsFile = "hints.json"

func runHint(g *guide, id string) error {
	e, w := g.e, g.e.stdout
	x, _ := exercises.Lookup(id)
	data, err := group.OpenData(g.root, g.group, domainIfClassroom(g))
	if err != nil {
		return err
	}
	path := filepath.Join(data.Dir, hintsFile)
	seen := map[string]int{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &seen); err != nil {
			seen = map[string]int{} // a damaged file starts over
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tier := min(seen[id]+1, len(x.Hints))
	again := seen[id] >= len(x.Hints)
	seen[id] = tier
	b, err := json.MarshalIndent(seen, "", "  ")
	if err != nil {
		return err
	}
	if err := durable.WriteFile(path, bytes.NewReader(append(b, '\n')), 0o600); err != nil {
		return err
	}
	j, err := journal.OpenFile(data.JournalPath(), g.group)
	if err != nil {
		return err
	}
	j.Record(journal.Event{Kind: checker.KindHint, ID: id, Count: tier})
	if err := j.Close(); err != nil {
		return err
	}
	v := g.vars()
	fmt.Fprintf(w, "%s\n%s\n\n", txtHintHead.F(e.lang, tier, len(x.Hints), id), indent(v.Expand(x.Hints[tier-1].In(e.lang)), "  "))
	switch {
	case again:
		fmt.Fprintln(w, txtHintAllShown.In(e.lang))
	case tier == len(x.Hints):
		fmt.Fprintln(w, txtHintLast.F(e.lang, id))
	default:
		fmt.Fprintln(w, txtHintMore.F(e.lang, id))
	}
	return nil
}

// runFirstHint shows the first hint when no group is known yet (no
// server has run here): nothing is remembered, and the text says how the
// tiers work and how to name the group.
func runFirstHint(g *guide, id string) error {
	e, w := g.e, g.e.stdout
	x, _ := exercises.Lookup(id)
	v := g.vars()
	fmt.Fprintf(w, "%s\n%s\n\n", txtHintHead.F(e.lang, 1, len(x.Hints), id), indent(v.Expand(x.Hints[0].In(e.lang)), "  "))
	fmt.Fprintln(w, txtHintNoGroup.F(e.lang, len(x.Hints), id, g.root))
	return nil
}

// domainIfClassroom is the group's domain when a classroom names it, else
// "" (the data folder's own).
func domainIfClassroom(g *guide) string {
	if g.classroom != nil {
		return g.classroom.GroupDomain(g.group)
	}
	return ""
}
