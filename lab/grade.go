package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"maillab/lab/dashboard"
	"maillab/lab/grading"
	"maillab/server/durable"
)

// gradeOptions are what lab grade was asked to do.
type gradeOptions struct {
	classroom string
	format    string // "" (the table), "json", "csv", "markdown"
	verbose   bool
	probe     bool
	serve     string // the dashboard's address, "" for none
	dataRoot  string // read these data folders instead of the servers
	report    string // write the HTML report here, "" for none
	handGap   string // checked --hand-gap ("" for the default)

	// for tests: zero means the default
	timeout   time.Duration // each request to a server
	probeWait time.Duration // for relayed probes to arrive
	interval  time.Duration // between the dashboard's reads
	served    func(addr string)
}

func newGradeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "grade",
		Usage: txtGradeUsage.In(e.lang),
		UsageText: "lab grade --classroom FILE [--json | --csv | --markdown] [--verbose] [--probe] [--serve ADDR]\n" +
			"          [--report FILE.html] [--data DIR] [--hand-gap D] [--lang ja|en]",
		Description: txtGradeDescription.In(e.lang),
		Flags: []cli.Flag{
			classroomFlag(e),
			&cli.BoolFlag{Name: "json", Usage: txtFlagGradeJSON.In(e.lang)},
			&cli.BoolFlag{Name: "csv", Usage: txtFlagGradeCsv.In(e.lang)},
			&cli.BoolFlag{Name: "markdown", Aliases: []string{"md"}, Usage: txtFlagGradeMarkdown.In(e.lang)},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: txtFlagGradeVerbose.In(e.lang)},
			&cli.BoolFlag{Name: "probe", Usage: txtFlagGradeProbe.In(e.lang)},
			&cli.StringFlag{Name: "serve", Usage: txtFlagGradeServe.In(e.lang)},
			&cli.StringFlag{Name: "data", Usage: txtFlagGradeData.In(e.lang)},
			&cli.StringFlag{Name: "report", Usage: txtFlagGradeReport.In(e.lang)},
			langFlag(e),
			handGapFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			path := classroomPath(e, c)
			if path == "" {
				return usageError{txtNeedClassroom.In(e.lang)}
			}
			var formats []string
			for _, f := range []string{"json", "csv", "markdown"} {
				if c.Bool(f) {
					formats = append(formats, f)
				}
			}
			if len(formats) > 1 {
				return usageError{txtGradeOneFormat.F(e.lang, "--"+strings.Join(formats, ", --"))}
			}
			gap, err := handGap(e, c)
			if err != nil {
				return err
			}
			o := gradeOptions{
				classroom: path,
				verbose:   c.Bool("verbose"),
				probe:     c.Bool("probe"),
				serve:     c.String("serve"),
				dataRoot:  c.String("data"),
				report:    c.String("report"),
				handGap:   gap,
			}
			if len(formats) == 1 {
				o.format = formats[0]
			}
			if o.serve != "" {
				if _, _, err := net.SplitHostPort(o.serve); err != nil {
					return usageError{txtGradeBadServe.F(e.lang, o.serve)}
				}
			}
			return runGrade(c.Context, e, o)
		},
	}
}

// runGrade grades the class: it reads every group's evidence (with a
// progress bar on a terminal), checks it, probes the servers when asked,
// and prints the grades (and writes the report when asked); with serve,
// it serves the live dashboard until ctx ends, then prints the grades as
// they are then.
func runGrade(ctx context.Context, e *env, o gradeOptions) error {
	c, err := loadClassroom(e, o.classroom)
	if err != nil {
		return err
	}
	reader := dashboard.NewReader(c, dashboard.ReaderOptions{DataRoot: o.dataRoot, Timeout: o.timeout})
	bar := newProgress(e, txtGradeReading.In(e.lang), len(c.Groups))
	reader.Update(ctx, func(int, error) { bar.step() })
	bar.done()

	var probes []dashboard.ProbeResult
	if o.probe {
		bar := newProgress(e, txtGradeProbing.In(e.lang), 0)
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
	g := grading.Build(c, reader, grading.Options{Lang: e.lang, HandGap: checkerGap(o.handGap), Probes: probes, DataRoot: o.dataRoot})
	if err := printGrades(e, o, g); err != nil {
		return err
	}
	if o.report != "" {
		var page bytes.Buffer
		if err := grading.WriteHTML(&page, g, grading.Style{Lang: e.lang}); err != nil {
			return err
		}
		if err := durable.WriteFile(o.report, &page, 0o644); err != nil {
			return failure{txtGradeReportFailed.F(e.lang, o.report, err)}
		}
		fmt.Fprintln(e.stderr, txtGradeReportWritten.F(e.lang, o.report))
	}
	if g.Reachable() == 0 {
		if o.dataRoot != "" {
			return failure{txtGradeNoData.F(e.lang, o.dataRoot)}
		}
		return failure{txtGradeNothingRead.In(e.lang)}
	}
	return nil
}

// serveDashboard serves the live dashboard on o.serve until ctx ends.
func serveDashboard(ctx context.Context, e *env, o gradeOptions, r *dashboard.Reader, probes []dashboard.ProbeResult) error {
	ln, err := net.Listen("tcp", o.serve)
	if err != nil {
		return failure{txtGradeServeFailed.F(e.lang, o.serve, err)}
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
	fmt.Fprintln(e.stderr, txtGradeServing.F(e.lang, "http://"+addr+"/"))
	if o.served != nil {
		o.served(addr)
	}
	d.Run(ctx)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	fmt.Fprintln(e.stderr, txtGradeServeStopped.In(e.lang))
	return nil
}

// printGrades prints the grades in o's format.
func printGrades(e *env, o gradeOptions, g grading.Class) error {
	style := grading.Style{Lang: e.lang, Color: useColor(e), Verbose: o.verbose}
	switch o.format {
	case "json":
		return grading.WriteJSON(e.stdout, g)
	case "csv":
		return grading.WriteCSV(e.stdout, g)
	case "markdown":
		return grading.WriteMarkdown(e.stdout, g, style)
	}
	return grading.WriteTable(e.stdout, g, style)
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
