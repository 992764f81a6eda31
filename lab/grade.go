package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/urfave/cli/v2"

	"maillab/checker"
	"maillab/exercises"
	"maillab/lab/dashboard"
	"maillab/server/classroom"
)

// gradeOptions are what lab grade was asked to do.
type gradeOptions struct {
	classroom string
	format    string // "" (the table), "json", "csv", "markdown"
	verbose   bool
	probe     bool
	serve     string // the dashboard's address, "" for none
	dataRoot  string // read these data folders instead of the servers
	handGap   string // checked --hand-gap ("" for the default)

	// for tests: zero means the default
	timeout   time.Duration // each request to a server
	probeWait time.Duration // for relayed probes to arrive
	interval  time.Duration // between the dashboard's reads
	served    func(addr string)
}

func newGradeCommand(e *env) *cli.Command {
	t := func(key string) string { return gradeTexts[key].In(e.lang) }
	return &cli.Command{
		Name:  "grade",
		Usage: t("grade-usage"),
		UsageText: "lab grade --classroom FILE [--json | --csv | --markdown] [--verbose] [--probe] [--serve ADDR]\n" +
			"          [--data DIR] [--hand-gap D] [--lang ja|en]",
		Description: t("grade-description"),
		Flags: []cli.Flag{
			classroomFlag(e),
			&cli.BoolFlag{Name: "json", Usage: t("flag-grade-json")},
			&cli.BoolFlag{Name: "csv", Usage: t("flag-grade-csv")},
			&cli.BoolFlag{Name: "markdown", Aliases: []string{"md"}, Usage: t("flag-grade-markdown")},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: t("flag-grade-verbose")},
			&cli.BoolFlag{Name: "probe", Usage: t("flag-grade-probe")},
			&cli.StringFlag{Name: "serve", Usage: t("flag-grade-serve")},
			&cli.StringFlag{Name: "data", Usage: t("flag-grade-data")},
			langFlag(e),
			handGapFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{texts["unexpected-args"].F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			if c.String("classroom") == "" {
				return usageError{texts["need-classroom"].In(e.lang)}
			}
			var formats []string
			for _, f := range []string{"json", "csv", "markdown"} {
				if c.Bool(f) {
					formats = append(formats, f)
				}
			}
			if len(formats) > 1 {
				return usageError{gradeTexts["grade-one-format"].F(e.lang, "--"+strings.Join(formats, ", --"))}
			}
			gap, err := handGap(e, c)
			if err != nil {
				return err
			}
			o := gradeOptions{
				classroom: c.String("classroom"),
				verbose:   c.Bool("verbose"),
				probe:     c.Bool("probe"),
				serve:     c.String("serve"),
				dataRoot:  c.String("data"),
				handGap:   gap,
			}
			if len(formats) == 1 {
				o.format = formats[0]
			}
			if o.serve != "" {
				if _, _, err := net.SplitHostPort(o.serve); err != nil {
					return usageError{gradeTexts["grade-bad-serve"].F(e.lang, o.serve)}
				}
			}
			return runGrade(c.Context, e, o)
		},
	}
}

// classGrades is the outcome of a grading: its JSON form is the stable
// `lab grade --json` ({"groups": [<lab check --json object>, …]}), with
// fields added.
type classGrades struct {
	Classroom string        `json:"classroom"`
	Time      time.Time     `json:"time"`
	Exercises []string      `json:"exercise_ids"`
	Groups    []groupGrades `json:"groups"`
}

// groupGrades is one group's report (the object of `lab check --json`)
// and what lab grade adds to it.
type groupGrades struct {
	checker.Report
	Domain  string `json:"domain"`
	Cluster []int  `json:"cluster"`
	// Reachable says whether the group's evidence could be read;
	// Unreachable is why not.
	Reachable   bool          `json:"reachable"`
	Unreachable string        `json:"unreachable,omitempty"`
	Passed      int           `json:"passed"`
	Probes      []probeGrades `json:"probes,omitempty"`
}

// probeGrades is one probe's result as lab grade reports it.
type probeGrades struct {
	Name     string         `json:"name"`
	Passed   bool           `json:"passed"`
	Status   checker.Status `json:"status"`
	Expected string         `json:"expected"`
	Got      string         `json:"got,omitempty"`
}

// errNothingRead is when no group's evidence could be read at all.
var errNothingRead = errors.New("no group's evidence could be read")

// runGrade grades the class: it reads every group's evidence (with a
// progress bar on a terminal), checks it, probes the servers when asked,
// and prints the grades; with serve, it serves the live dashboard until
// ctx ends, then prints the grades as they are then.
func runGrade(ctx context.Context, e *env, o gradeOptions) error {
	t := func(key string, args ...any) string { return gradeTexts[key].F(e.lang, args...) }
	c, err := loadClassroom(e, o.classroom)
	if err != nil {
		return err
	}
	reader := dashboard.NewReader(c, dashboard.ReaderOptions{DataRoot: o.dataRoot, Timeout: o.timeout})
	bar := newProgress(e, t("grade-reading"), len(c.Groups))
	reader.Update(ctx, func(int, error) { bar.step() })
	bar.done()

	var probes []dashboard.ProbeResult
	if o.probe {
		bar := newProgress(e, t("grade-probing"), 0)
		probes = dashboard.Probe(ctx, dashboard.ProbeOptions{Reader: reader, Wait: o.probeWait, Timeout: o.timeout})
		bar.done()
	}
	if o.serve != "" {
		if err := serveDashboard(ctx, e, o, reader, probes); err != nil {
			return err
		}
		// the grades as they are when the dashboard stops
		reader.Update(context.WithoutCancel(ctx), nil)
	}
	g := gradeClass(e, c, reader, o, probes)
	if err := printGrades(e, o, g); err != nil {
		return err
	}
	if !slices.ContainsFunc(g.Groups, func(gg groupGrades) bool { return gg.Reachable }) {
		return failure{t("grade-nothing-read", errNothingRead)}
	}
	return nil
}

// gradeClass checks every group on the evidence read.
func gradeClass(e *env, c *classroom.Classroom, r *dashboard.Reader, o gradeOptions, probes []dashboard.ProbeResult) classGrades {
	ev := r.Evidence()
	g := classGrades{Classroom: c.Name, Time: time.Now(), Exercises: exercises.IDs(), Groups: []groupGrades{}}
	for _, id := range r.Groups() {
		rep := checker.Check(ev, id, checker.Options{HandGap: checkerGap(o.handGap), Lang: e.lang})
		gg := groupGrades{Report: rep, Domain: c.GroupDomain(id), Cluster: c.Cluster(id), Reachable: r.Err(id) == nil}
		if err := r.Err(id); err != nil {
			gg.Unreachable = err.Error()
		}
		for _, res := range rep.Exercises {
			if res.Passed {
				gg.Passed++
			}
		}
		for _, p := range probes {
			if p.Group == id {
				gg.Probes = append(gg.Probes, probeGrades{Name: p.Name(), Passed: p.Passed(), Status: p.Status,
					Expected: p.Expect.In(e.lang), Got: p.Got.In(e.lang)})
			}
		}
		g.Groups = append(g.Groups, gg)
	}
	return g
}

// serveDashboard serves the live dashboard on o.serve until ctx ends.
func serveDashboard(ctx context.Context, e *env, o gradeOptions, r *dashboard.Reader, probes []dashboard.ProbeResult) error {
	t := func(key string, args ...any) string { return gradeTexts[key].F(e.lang, args...) }
	ln, err := net.Listen("tcp", o.serve)
	if err != nil {
		return failure{t("grade-serve-failed", o.serve, err)}
	}
	d := dashboard.New(dashboard.Options{Reader: r, Lang: e.lang, HandGap: checkerGap(o.handGap), Interval: o.interval, Probes: probes})
	srv := &http.Server{
		Handler:           d,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	d.Update(ctx) // the page has something to show from the first request on
	go srv.Serve(ln)
	addr := ln.Addr().String()
	fmt.Fprintln(e.stderr, t("grade-serving", "http://"+addr+"/"))
	if o.served != nil {
		o.served(addr)
	}
	d.Run(ctx)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	fmt.Fprintln(e.stderr, t("grade-serve-stopped"))
	return nil
}

// printGrades prints the grades in o's format.
func printGrades(e *env, o gradeOptions, g classGrades) error {
	switch o.format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(g)
	case "csv":
		return writeGradesCSV(e.stdout, g)
	case "markdown":
		writeGradesMarkdown(e, g, o.verbose)
		return nil
	}
	writeGradesTable(e, g, o.verbose)
	return nil
}

// clusterLabel is a cluster as people write it: 1–3, or 1,4,7.
func clusterLabel(cl []int) string {
	contiguous := len(cl) > 1
	for i := 1; i < len(cl); i++ {
		if cl[i] != cl[i-1]+1 {
			contiguous = false
		}
	}
	if contiguous {
		return fmt.Sprintf("%d–%d", cl[0], cl[len(cl)-1])
	}
	var s []string
	for _, id := range cl {
		s = append(s, strconv.Itoa(id))
	}
	return strings.Join(s, ",")
}

// markOf is an exercise's mark without colour.
func markOf(s checker.Status) string {
	switch s {
	case checker.StatusPassed:
		return "✓"
	case checker.StatusNotPassed:
		return "✗"
	}
	return "?"
}

// center puts s in the middle of width columns; plain is s without
// colour, for its width.
func center(s, plain string, width int) string {
	n := displayWidth(plain)
	if n >= width {
		return s
	}
	left := (width - n) / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", width-n-left)
}

// writeGradesTable prints the grades as a table for people, coloured on a
// terminal.
func writeGradesTable(e *env, g classGrades, verbose bool) {
	t := func(key string, args ...any) string { return gradeTexts[key].F(e.lang, args...) }
	w := e.stdout
	colored := useColor(e)
	paint := func(attr color.Attribute, s string) string {
		c := color.New(attr)
		if colored {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c.Sprint(s)
	}
	name := g.Classroom
	fmt.Fprintf(w, "%s\n\n", t("grade-title", name, len(g.Groups), g.Time.Format("2006-01-02 15:04")))
	groupW := max(displayWidth(t("grade-col-group")), 4)
	clusterW := displayWidth(t("grade-col-cluster"))
	for _, gg := range g.Groups {
		clusterW = max(clusterW, displayWidth(clusterLabel(gg.Cluster)))
	}
	head := padWidth(t("grade-col-group"), groupW) + "  " + padWidth(t("grade-col-cluster"), clusterW)
	for _, id := range g.Exercises {
		head += "  " + id
	}
	head += "  " + t("grade-col-total")
	fmt.Fprintln(w, paint(color.Bold, head))
	doneBy := make([]int, len(g.Exercises))
	for _, gg := range g.Groups {
		line := padWidth("g"+strconv.Itoa(gg.Group), groupW) + "  " + padWidth(clusterLabel(gg.Cluster), clusterW)
		if !gg.Reachable {
			fmt.Fprintln(w, line+"  "+paint(color.FgYellow, t("grade-unreachable", gg.Unreachable)))
			continue
		}
		for i, id := range g.Exercises {
			res, _ := gg.Result(id)
			if res.Passed {
				doneBy[i]++
			}
			line += "  " + center(mark(res.Status, colored), markOf(res.Status), len(id))
		}
		line += "  " + fmt.Sprintf("%d/%d", gg.Passed, len(g.Exercises))
		fmt.Fprintln(w, line)
	}
	foot := padWidth(t("grade-col-done-by"), groupW+2+clusterW)
	for i, id := range g.Exercises {
		n := fmt.Sprintf("%d/%d", doneBy[i], len(g.Groups))
		foot += "  " + center(n, n, len(id))
	}
	fmt.Fprintln(w, strings.TrimRight(paint(color.Faint, foot), " "))

	explained := false
	if verbose {
		for _, gg := range g.Groups {
			var lines []string
			for _, res := range gg.Exercises {
				if !res.Passed && gg.Reachable {
					lines = append(lines, fmt.Sprintf("  %s %-13s %s", mark(res.Status, colored), res.ID, res.Detail))
				}
			}
			if len(lines) > 0 {
				fmt.Fprintf(w, "\n%s\n%s\n", t("grade-group-heading", gg.Group, gg.Domain), strings.Join(lines, "\n"))
				explained = true
			}
		}
	}
	writeProbesTable(e, g, paint, colored)
	if !verbose && !explained && slices.ContainsFunc(g.Groups, func(gg groupGrades) bool { return gg.Reachable && gg.Passed < len(g.Exercises) }) {
		fmt.Fprintf(w, "\n%s\n", t("grade-verbose-hint"))
	}
}

// probeColumns are the columns of the probes' table: each probe, the
// relay probes of a group in one.
func probeColumns() []string { return dashboard.ProbeIDs() }

// probeCell sums up a group's probes of one column.
func probeCell(gg groupGrades, col string) checker.Status {
	s := checker.Status("")
	for _, p := range gg.Probes {
		if p.Name != col && !(col == dashboard.ProbeRelay && strings.HasPrefix(p.Name, dashboard.ProbeRelay+"-")) {
			continue
		}
		switch {
		case p.Status == checker.StatusNotPassed:
			return checker.StatusNotPassed
		case p.Status == checker.StatusUnknown || s == checker.StatusUnknown:
			s = checker.StatusUnknown
		default:
			s = checker.StatusPassed
		}
	}
	return s
}

func hasProbes(g classGrades) bool {
	return slices.ContainsFunc(g.Groups, func(gg groupGrades) bool { return len(gg.Probes) > 0 })
}

// writeProbesTable prints the probes' results: a table, then each failed
// probe with what it expected and what came back.
func writeProbesTable(e *env, g classGrades, paint func(color.Attribute, string) string, colored bool) {
	if !hasProbes(g) {
		return
	}
	t := func(key string, args ...any) string { return gradeTexts[key].F(e.lang, args...) }
	w := e.stdout
	fmt.Fprintf(w, "\n%s\n", paint(color.Bold, t("grade-probes-title")))
	groupW := max(displayWidth(t("grade-col-group")), 4)
	head := padWidth(t("grade-col-group"), groupW)
	for _, col := range probeColumns() {
		head += "  " + col
	}
	fmt.Fprintln(w, paint(color.Bold, head))
	for _, gg := range g.Groups {
		line := padWidth("g"+strconv.Itoa(gg.Group), groupW)
		for _, col := range probeColumns() {
			m, plain := "·", "·"
			if s := probeCell(gg, col); s != "" {
				m, plain = mark(s, colored), markOf(s)
			}
			line += "  " + center(m, plain, len(col))
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	expected, got := t("grade-probe-expected"), t("grade-probe-got")
	labelW := max(displayWidth(expected), displayWidth(got))
	for _, gg := range g.Groups {
		for _, p := range gg.Probes {
			if p.Passed {
				continue
			}
			fmt.Fprintf(w, "\n  %s g%d %s\n      %s %s\n      %s %s\n", mark(p.Status, colored), gg.Group, p.Name,
				padWidth(expected, labelW), p.Expected, padWidth(got, labelW), p.Got)
		}
	}
}

// writeGradesCSV prints one row per group and one column per exercise:
// 1 passed, 0 not, empty when it could not be checked; column headers
// are the stable ids, whatever the language.
func writeGradesCSV(w io.Writer, g classGrades) error {
	cw := csv.NewWriter(w)
	head := []string{"group", "domain", "cluster"}
	head = append(head, g.Exercises...)
	head = append(head, "passed", "reachable", "note")
	probes := hasProbes(g)
	if probes {
		for _, col := range probeColumns() {
			head = append(head, "probe:"+col)
		}
	}
	cw.Write(head)
	for _, gg := range g.Groups {
		var cl []string
		for _, id := range gg.Cluster {
			cl = append(cl, strconv.Itoa(id))
		}
		row := []string{strconv.Itoa(gg.Group), gg.Domain, strings.Join(cl, " ")}
		for _, id := range g.Exercises {
			res, _ := gg.Result(id)
			row = append(row, csvStatus(res.Status))
		}
		row = append(row, strconv.Itoa(gg.Passed), strconv.FormatBool(gg.Reachable), gg.Unreachable)
		if probes {
			for _, col := range probeColumns() {
				row = append(row, csvStatus(probeCell(gg, col)))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

func csvStatus(s checker.Status) string {
	switch s {
	case checker.StatusPassed:
		return "1"
	case checker.StatusNotPassed:
		return "0"
	}
	return ""
}

// mdEscape makes s safe in a Markdown table cell: no cell break, no
// HTML.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "\\`").Replace(s)
}

// writeGradesMarkdown prints the grades as a Markdown table (and, when
// verbose, why each exercise was not passed).
func writeGradesMarkdown(e *env, g classGrades, verbose bool) {
	t := func(key string, args ...any) string { return gradeTexts[key].F(e.lang, args...) }
	w := e.stdout
	fmt.Fprintf(w, "## %s\n\n", mdEscape(t("grade-title", g.Classroom, len(g.Groups), g.Time.Format("2006-01-02 15:04"))))
	head := "| " + t("grade-col-group") + " | " + t("grade-col-cluster") + " |"
	rule := "|---|---|"
	for _, id := range g.Exercises {
		head += " `" + id + "` |"
		rule += ":-:|"
	}
	head += " " + t("grade-col-total") + " | " + t("grade-col-note") + " |"
	rule += ":-:|---|"
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, gg := range g.Groups {
		row := fmt.Sprintf("| g%d | %s |", gg.Group, clusterLabel(gg.Cluster))
		for _, id := range g.Exercises {
			res, _ := gg.Result(id)
			if !gg.Reachable {
				row += " — |"
				continue
			}
			row += " " + markOf(res.Status) + " |"
		}
		note := ""
		if !gg.Reachable {
			note = t("grade-unreachable", gg.Unreachable)
		}
		row += fmt.Sprintf(" %d/%d | %s |", gg.Passed, len(g.Exercises), mdEscape(note))
		fmt.Fprintln(w, row)
	}
	if verbose {
		for _, gg := range g.Groups {
			var lines []string
			for _, res := range gg.Exercises {
				if !res.Passed && gg.Reachable {
					lines = append(lines, fmt.Sprintf("- %s `%s`: %s", markOf(res.Status), res.ID, mdEscape(res.Detail)))
				}
			}
			if len(lines) > 0 {
				fmt.Fprintf(w, "\n### %s\n\n%s\n", mdEscape(t("grade-group-heading", gg.Group, gg.Domain)), strings.Join(lines, "\n"))
			}
		}
	}
	if !hasProbes(g) {
		return
	}
	fmt.Fprintf(w, "\n### %s\n\n", t("grade-probes-title"))
	head, rule = "| "+t("grade-col-group")+" |", "|---|"
	for _, col := range probeColumns() {
		head += " `" + col + "` |"
		rule += ":-:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, gg := range g.Groups {
		row := fmt.Sprintf("| g%d |", gg.Group)
		for _, col := range probeColumns() {
			m := "·"
			if s := probeCell(gg, col); s != "" {
				m = markOf(s)
			}
			row += " " + m + " |"
		}
		fmt.Fprintln(w, row)
	}
	var failed []string
	for _, gg := range g.Groups {
		for _, p := range gg.Probes {
			if !p.Passed {
				failed = append(failed, fmt.Sprintf("- %s g%d `%s`: %s %s; %s %s", markOf(p.Status), gg.Group, p.Name,
					t("grade-probe-expected"), mdEscape(p.Expected), t("grade-probe-got"), mdEscape(p.Got)))
			}
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(failed, "\n"))
	}
}

// progress is a progress bar on stderr, drawn only when stderr is a
// terminal. With a total of 0 it is a line that says what is going on.
type progress struct {
	w     io.Writer
	on    bool
	label string
	n     int
	total int
}

func newProgress(e *env, label string, total int) *progress {
	p := &progress{w: e.stderr, on: isTerminal(e.stderr), label: label, total: total}
	p.draw()
	return p
}

func (p *progress) draw() {
	if !p.on {
		return
	}
	if p.total == 0 {
		fmt.Fprintf(p.w, "\r\033[K%s…", p.label)
		return
	}
	const width = 24
	full := width * p.n / p.total
	fmt.Fprintf(p.w, "\r\033[K%s [%s%s] %d/%d", p.label, strings.Repeat("█", full), strings.Repeat("░", width-full), p.n, p.total)
}

// step counts one more done; calls come one at a time.
func (p *progress) step() {
	p.n++
	p.draw()
}

// done clears the bar.
func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
