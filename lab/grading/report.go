package grading

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"maillab/checker"
	"maillab/exercises/i18n"
)

// The report's page: one file with its style inline and nothing fetched
// from anywhere, so that it can be archived or mailed as it is.
//
//go:embed report.html
var reportPage string

var reportTemplate = template.Must(template.New("report").Parse(reportPage))

// report is what the page shows, worked out for the template.
type report struct {
	Lang      string
	Title     string
	Generated string
	FromData  string
	Exercises []string
	Rows      []reportRow
	Legend    string
	Probes    []string // the probe columns, none when no probe ran
	Groups    []reportGroup
	T         map[string]string // fixed texts of the page
}

type reportRow struct {
	Group   int
	Cluster string
	Cells   []reportCell
	Score   string
	Note    string
	Probes  []reportCell
}

type reportCell struct {
	Mark, Class, Title string
}

type reportGroup struct {
	Group       int
	Heading     string
	Unreachable string
	Timeline    []reportStep
	Mistakes    []Mistake
	Hints       []string
	Details     []reportCell
}

type reportStep struct {
	ID, First, Passed, Took string
	Done                    bool
	Bar                     template.CSS
}

// cellClass is the CSS class of a status.
func cellClass(s checker.Status) string {
	switch s {
	case checker.StatusPassed:
		return "pass"
	case checker.StatusNotPassed:
		return "fail"
	case checker.StatusUnknown:
		return "unknown"
	}
	return "none"
}

// span is the time the class's timelines cover: from the first attempt
// to the last pass, or to the latest event when something is not passed.
func span(c Class) (from, to time.Time) {
	for _, g := range c.Groups {
		for _, a := range g.Timeline {
			if from.IsZero() || a.First.Before(from) {
				from = a.First
			}
			end := a.Passed
			if end.IsZero() {
				end = notYetEnd(c, a)
			}
			if end.After(to) {
				to = end
			}
		}
	}
	return from, to
}

// notYetEnd is where the timeline of an exercise not passed ends: at the
// latest event read, else at the grading.
func notYetEnd(c Class, a Attempt) time.Time {
	end := c.Latest
	if end.IsZero() {
		end = c.Time
	}
	if end.Before(a.First) {
		end = a.First
	}
	return end
}

// sameDay says whether a and b fall on the same day.
func sameDay(a, b time.Time) bool {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	return ya == yb && ma == mb && da == db
}

// took is a duration as people read it, to the minute.
func took(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "<1m"
	}
	return strings.TrimSuffix(d.String(), "0s")
}

// WriteHTML writes the instructor's report of the grading: one
// self-contained page with the grid, each group's timeline of first
// attempt → pass, the mistakes its sessions met most and the hints it
// used, in s.Lang.
func WriteHTML(w io.Writer, c Class, s Style) error {
	tr := func(x i18n.Text, args ...any) string { return x.F(s.Lang, args...) }
	loc := c.Time.Location()
	from, to := span(c)
	layout := "15:04"
	if !sameDay(from.In(loc), to.In(loc)) {
		layout = "01-02 15:04" // a class over more than one day
	}
	clock := func(x time.Time) string { return x.In(loc).Format(layout) }
	r := report{
		Lang:      string(s.Lang),
		Title:     tr(txt.ReportTitle, c.Classroom),
		Generated: tr(txt.ReportGenerated, c.Time.Format(timeLayout), c.Reachable(), len(c.Groups)),
		Exercises: c.Exercises,
		Legend:    tr(txt.ReportLegend),
		T: map[string]string{
			"group": tr(txt.ColGroup), "cluster": tr(txt.ColCluster), "total": tr(txt.ColTotal), "note": tr(txt.ColNote),
			"grid": tr(txt.ReportGrid), "groups": tr(txt.ReportGroups), "timeline": tr(txt.ReportTimeline),
			"no-timeline": tr(txt.ReportNoTimeline), "mistakes": tr(txt.ReportMistakes), "no-mistakes": tr(txt.ReportNoMistakes),
			"mistakes-note": tr(txt.ReportMistakesNote), "hints": tr(txt.ReportHints), "no-hints": tr(txt.ReportNoHints),
			"details": tr(txt.ReportDetails), "probes": tr(txt.ReportProbes),
		},
	}
	if s.Lang == "" {
		r.Lang = string(i18n.Ja)
	}
	if c.FromData {
		r.FromData = tr(txt.ReportFromData)
	}
	if hasProbes(c) {
		r.Probes = probeColumns()
	}
	whole := to.Sub(from)
	pos := func(x time.Time) float64 {
		if whole <= 0 {
			return 0
		}
		return 100 * float64(x.Sub(from)) / float64(whole)
	}
	for _, g := range c.Groups {
		row := reportRow{Group: g.Group, Cluster: ClusterLabel(g.Cluster), Score: score(c, g)}
		rg := reportGroup{Group: g.Group, Heading: tr(txt.GroupHeading, g.Group, g.Domain)}
		if !g.Reachable {
			row.Note = tr(txt.Unreachable, g.Unreachable)
			rg.Unreachable = tr(txt.ReportUnreachable, g.Unreachable)
		}
		for _, id := range c.Exercises {
			res, _ := g.Result(id)
			cell := reportCell{Mark: markOf(res.Status), Class: cellClass(res.Status), Title: res.Detail}
			if !g.Reachable {
				cell = reportCell{Mark: "—", Class: "none"}
			}
			row.Cells = append(row.Cells, cell)
			if g.Reachable && !res.Passed {
				rg.Details = append(rg.Details, reportCell{Mark: markOf(res.Status), Class: cellClass(res.Status), Title: id + ": " + res.Detail})
			}
			if res.Hints > 0 {
				rg.Hints = append(rg.Hints, tr(txt.ReportHintTier, id, res.Hints))
			}
		}
		for _, col := range r.Probes {
			st := probeCell(g, col)
			row.Probes = append(row.Probes, reportCell{Mark: markOf(st), Class: cellClass(st)})
		}
		for _, a := range g.Timeline {
			step := reportStep{ID: a.ID, First: clock(a.First), Passed: tr(txt.ReportNotYet)}
			end := notYetEnd(c, a)
			if !a.Passed.IsZero() {
				step.Done, step.Passed, end = true, clock(a.Passed), a.Passed
				step.Took = tr(txt.ReportTook, took(a.Passed.Sub(a.First)))
			}
			left := pos(a.First)
			width := max(pos(end)-left, 0.5)
			step.Bar = template.CSS(fmt.Sprintf("left:%.1f%%;width:%.1f%%", left, width))
			rg.Timeline = append(rg.Timeline, step)
		}
		for _, m := range g.Mistakes {
			rg.Mistakes = append(rg.Mistakes, Mistake{Text: m.Text + " — " + tr(txt.ReportTimes, m.Count), Count: m.Count})
		}
		r.Rows = append(r.Rows, row)
		r.Groups = append(r.Groups, rg)
	}
	return reportTemplate.Execute(w, r)
}
