package grading

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fatih/color"

	"maillab/checker"
	"maillab/exercises/i18n"
	"maillab/lab/dashboard"
	"maillab/lab/terminal"
)

// Style is how grades are rendered for people.
type Style struct {
	Lang i18n.Lang
	// Color paints the table (for a terminal).
	Color bool
	// Verbose explains each exercise not passed.
	Verbose bool
}

// timeLayout is how a grading's time is shown.
const timeLayout = "2006-01-02 15:04"

// WriteJSON writes the grades as the JSON of `lab grade --json`.
func WriteJSON(w io.Writer, c Class) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// ClusterLabel is a cluster as people write it: 1–3, or 1,4,7.
func ClusterLabel(cl []int) string {
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
	case checker.StatusUnknown:
		return "?"
	}
	return "·"
}

// mark is an exercise's mark, coloured when on.
func mark(s checker.Status, on bool) string {
	switch s {
	case checker.StatusPassed:
		return terminal.Color(on, color.FgGreen).Sprint("✓")
	case checker.StatusNotPassed:
		return terminal.Color(on, color.FgRed).Sprint("✗")
	case checker.StatusUnknown:
		return terminal.Color(on, color.FgYellow).Sprint("?")
	}
	return "·"
}

// center puts s in the middle of width columns; plain is s without
// colour, for its width.
func center(s, plain string, width int) string {
	n := terminal.Width(plain)
	if n >= width {
		return s
	}
	left := (width - n) / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", width-n-left)
}

// score is a group's total: "2/6", or "—" when it could not be read.
func score(c Class, g Group) string {
	if !g.Reachable {
		return "—"
	}
	return fmt.Sprintf("%d/%d", g.Passed, len(c.Exercises))
}

// WriteTable writes the grades as a table for people, coloured when
// s.Color is set. An unreachable group's row gives the reason instead of
// marks and a score.
func WriteTable(w io.Writer, c Class, s Style) error {
	tr := func(x i18n.Text, args ...any) string { return x.F(s.Lang, args...) }
	paint := func(attr color.Attribute, text string) string { return terminal.Color(s.Color, attr).Sprint(text) }
	fmt.Fprintf(w, "%s\n\n", tr(txt.Title, c.Classroom, len(c.Groups), c.Time.Format(timeLayout)))
	groupW := max(terminal.Width(tr(txt.ColGroup)), 4)
	clusterW := terminal.Width(tr(txt.ColCluster))
	for _, g := range c.Groups {
		clusterW = max(clusterW, terminal.Width(ClusterLabel(g.Cluster)))
	}
	head := terminal.Pad(tr(txt.ColGroup), groupW) + "  " + terminal.Pad(tr(txt.ColCluster), clusterW)
	for _, id := range c.Exercises {
		head += "  " + id
	}
	head += "  " + tr(txt.ColTotal)
	fmt.Fprintln(w, paint(color.Bold, head))
	doneBy := make([]int, len(c.Exercises))
	for _, g := range c.Groups {
		line := terminal.Pad("g"+strconv.Itoa(g.Group), groupW) + "  " + terminal.Pad(ClusterLabel(g.Cluster), clusterW)
		if !g.Reachable {
			fmt.Fprintln(w, line+"  "+paint(color.FgYellow, tr(txt.Unreachable, g.Unreachable)))
			continue
		}
		for i, id := range c.Exercises {
			res, _ := g.Result(id)
			if res.Passed {
				doneBy[i]++
			}
			line += "  " + center(mark(res.Status, s.Color), markOf(res.Status), len(id))
		}
		line += "  " + score(c, g)
		fmt.Fprintln(w, line)
	}
	foot := terminal.Pad(tr(txt.ColDoneBy), groupW+2+clusterW)
	for i, id := range c.Exercises {
		n := fmt.Sprintf("%d/%d", doneBy[i], len(c.Groups))
		foot += "  " + center(n, n, len(id))
	}
	fmt.Fprintln(w, strings.TrimRight(paint(color.Faint, foot), " "))

	explained := false
	if s.Verbose {
		for _, g := range c.Groups {
			var lines []string
			for _, res := range g.Exercises {
				if !res.Passed && g.Reachable {
					lines = append(lines, fmt.Sprintf("  %s %-13s %s", mark(res.Status, s.Color), res.ID, res.Detail))
				}
			}
			if len(lines) > 0 {
				fmt.Fprintf(w, "\n%s\n%s\n", tr(txt.GroupHeading, g.Group, g.Domain), strings.Join(lines, "\n"))
				explained = true
			}
		}
	}
	writeExtensionsTable(w, c, s, paint)
	writeProbesTable(w, c, s, paint)
	if !s.Verbose && !explained && slices.ContainsFunc(c.Groups, func(g Group) bool { return g.Reachable && g.Passed < len(c.Exercises) }) {
		fmt.Fprintf(w, "\n%s\n", tr(txt.VerboseHint))
	}
	return nil
}

// writeExtensionsTable writes the extension exercises apart from the six,
// as optional columns with their own total; with s.Verbose, why each was
// not passed.
func writeExtensionsTable(w io.Writer, c Class, s Style, paint func(color.Attribute, string) string) {
	if len(c.Extensions) == 0 {
		return
	}
	tr := func(x i18n.Text, args ...any) string { return x.F(s.Lang, args...) }
	groupW := max(terminal.Width(tr(txt.ColGroup)), 4)
	fmt.Fprintf(w, "\n%s\n", paint(color.Bold, tr(txt.ExtensionsTitle, len(c.Exercises))))
	head := terminal.Pad(tr(txt.ColGroup), groupW)
	for _, id := range c.Extensions {
		head += "  " + id
	}
	fmt.Fprintln(w, paint(color.Bold, head+"  "+tr(txt.ColTotal)))
	var why []string
	for _, g := range c.Groups {
		if !g.Reachable {
			continue
		}
		line := terminal.Pad("g"+strconv.Itoa(g.Group), groupW)
		for _, id := range c.Extensions {
			st := checker.Status("")
			for _, res := range g.Extensions {
				if res.ID == id {
					st = res.Status
					if !res.Passed && s.Verbose {
						why = append(why, fmt.Sprintf("  g%d %s %-13s %s", g.Group, mark(res.Status, s.Color), res.ID, res.Detail))
					}
				}
			}
			line += "  " + center(mark(st, s.Color), markOf(st), len(id))
		}
		fmt.Fprintln(w, line+"  "+fmt.Sprintf("%d/%d", g.ExtensionsPassed, len(c.Extensions)))
	}
	if len(why) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(why, "\n"))
	}
}

// probeColumns are the columns of the probes' table: each probe, the
// relay probes of a group in one.
func probeColumns() []string { return dashboard.ProbeIDs() }

// probeCell sums up a group's probes of one column.
func probeCell(g Group, col string) checker.Status {
	s := checker.Status("")
	for _, p := range g.Probes {
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

func hasProbes(c Class) bool {
	return slices.ContainsFunc(c.Groups, func(g Group) bool { return len(g.Probes) > 0 })
}

// writeProbesTable writes the probes' results: a table, then each failed
// probe with what it expected and what came back.
func writeProbesTable(w io.Writer, c Class, s Style, paint func(color.Attribute, string) string) {
	if !hasProbes(c) {
		return
	}
	tr := func(x i18n.Text, args ...any) string { return x.F(s.Lang, args...) }
	fmt.Fprintf(w, "\n%s\n", paint(color.Bold, tr(txt.ProbesTitle)))
	groupW := max(terminal.Width(tr(txt.ColGroup)), 4)
	head := terminal.Pad(tr(txt.ColGroup), groupW)
	for _, col := range probeColumns() {
		head += "  " + col
	}
	fmt.Fprintln(w, paint(color.Bold, head))
	for _, g := range c.Groups {
		line := terminal.Pad("g"+strconv.Itoa(g.Group), groupW)
		for _, col := range probeColumns() {
			m, plain := "·", "·"
			if st := probeCell(g, col); st != "" {
				m, plain = mark(st, s.Color), markOf(st)
			}
			line += "  " + center(m, plain, len(col))
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	expected, got := tr(txt.ProbeExpected), tr(txt.ProbeGot)
	labelW := max(terminal.Width(expected), terminal.Width(got))
	for _, g := range c.Groups {
		for _, p := range g.Probes {
			if p.Passed {
				continue
			}
			fmt.Fprintf(w, "\n  %s g%d %s\n      %s %s\n      %s %s\n", mark(p.Status, s.Color), g.Group, p.Name,
				terminal.Pad(expected, labelW), p.Expected, terminal.Pad(got, labelW), p.Got)
		}
	}
}

// WriteCSV writes one row per group and one column per exercise: 1
// passed, 0 not, empty when it could not be checked; column headers are
// the stable ids, whatever the language. An unreachable group has an
// empty score, "false" under reachable and the reason as its note.
// The extension exercises come last, after the probes' columns, so that
// every other column keeps its place: one column each, then
// extensions_passed (empty for an unreachable group).
func WriteCSV(w io.Writer, c Class) error {
	cw := csv.NewWriter(w)
	head := []string{"group", "domain", "cluster"}
	head = append(head, c.Exercises...)
	head = append(head, "passed", "reachable", "note")
	probes := hasProbes(c)
	if probes {
		for _, col := range probeColumns() {
			head = append(head, "probe:"+col)
		}
	}
	if len(c.Extensions) > 0 {
		head = append(head, c.Extensions...)
		head = append(head, "extensions_passed")
	}
	cw.Write(head)
	for _, g := range c.Groups {
		var cl []string
		for _, id := range g.Cluster {
			cl = append(cl, strconv.Itoa(id))
		}
		row := []string{strconv.Itoa(g.Group), g.Domain, strings.Join(cl, " ")}
		for _, id := range c.Exercises {
			res, _ := g.Result(id)
			row = append(row, csvStatus(res.Status))
		}
		passed := ""
		if g.Reachable {
			passed = strconv.Itoa(g.Passed)
		}
		row = append(row, passed, strconv.FormatBool(g.Reachable), g.Unreachable)
		if probes {
			for _, col := range probeColumns() {
				row = append(row, csvStatus(probeCell(g, col)))
			}
		}
		if len(c.Extensions) > 0 {
			for _, id := range c.Extensions {
				st := checker.Status("")
				if g.Reachable {
					st = extensionStatus(g, id)
				}
				row = append(row, csvStatus(st))
			}
			extPassed := ""
			if g.Reachable {
				extPassed = strconv.Itoa(g.ExtensionsPassed)
			}
			row = append(row, extPassed)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// extensionStatus is the status of group g's extension exercise id, ""
// when g has no result for it.
func extensionStatus(g Group, id string) checker.Status {
	for _, res := range g.Extensions {
		if res.ID == id {
			return res.Status
		}
	}
	return ""
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

// WriteMarkdown writes the grades as a Markdown table (and, when
// s.Verbose, why each exercise was not passed).
func WriteMarkdown(w io.Writer, c Class, s Style) error {
	tr := func(x i18n.Text, args ...any) string { return x.F(s.Lang, args...) }
	fmt.Fprintf(w, "## %s\n\n", mdEscape(tr(txt.Title, c.Classroom, len(c.Groups), c.Time.Format(timeLayout))))
	head := "| " + tr(txt.ColGroup) + " | " + tr(txt.ColCluster) + " |"
	rule := "|---|---|"
	for _, id := range c.Exercises {
		head += " `" + id + "` |"
		rule += ":-:|"
	}
	head += " " + tr(txt.ColTotal) + " | " + tr(txt.ColNote) + " |"
	rule += ":-:|---|"
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, g := range c.Groups {
		row := fmt.Sprintf("| g%d | %s |", g.Group, ClusterLabel(g.Cluster))
		for _, id := range c.Exercises {
			res, _ := g.Result(id)
			if !g.Reachable {
				row += " — |"
				continue
			}
			row += " " + markOf(res.Status) + " |"
		}
		note := ""
		if !g.Reachable {
			note = tr(txt.Unreachable, g.Unreachable)
		}
		row += fmt.Sprintf(" %s | %s |", score(c, g), mdEscape(note))
		fmt.Fprintln(w, row)
	}
	writeExtensionsMarkdown(w, c, s)
	if s.Verbose {
		for _, g := range c.Groups {
			var lines []string
			for _, res := range g.Exercises {
				if !res.Passed && g.Reachable {
					lines = append(lines, fmt.Sprintf("- %s `%s`: %s", markOf(res.Status), res.ID, mdEscape(res.Detail)))
				}
			}
			if len(lines) > 0 {
				fmt.Fprintf(w, "\n### %s\n\n%s\n", mdEscape(tr(txt.GroupHeading, g.Group, g.Domain)), strings.Join(lines, "\n"))
			}
		}
	}
	if !hasProbes(c) {
		return nil
	}
	fmt.Fprintf(w, "\n### %s\n\n", tr(txt.ProbesTitle))
	head, rule = "| "+tr(txt.ColGroup)+" |", "|---|"
	for _, col := range probeColumns() {
		head += " `" + col + "` |"
		rule += ":-:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, g := range c.Groups {
		row := fmt.Sprintf("| g%d |", g.Group)
		for _, col := range probeColumns() {
			m := "·"
			if st := probeCell(g, col); st != "" {
				m = markOf(st)
			}
			row += " " + m + " |"
		}
		fmt.Fprintln(w, row)
	}
	var failed []string
	for _, g := range c.Groups {
		for _, p := range g.Probes {
			if !p.Passed {
				failed = append(failed, fmt.Sprintf("- %s g%d `%s`: %s %s; %s %s", markOf(p.Status), g.Group, p.Name,
					tr(txt.ProbeExpected), mdEscape(p.Expected), tr(txt.ProbeGot), mdEscape(p.Got)))
			}
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(failed, "\n"))
	}
	return nil
}

// writeExtensionsMarkdown writes the extension exercises as a table of
// their own under the six's, with their own total; an unreachable group
// has dashes and no total, as in the main table.
func writeExtensionsMarkdown(w io.Writer, c Class, s Style) {
	if len(c.Extensions) == 0 {
		return
	}
	tr := func(x i18n.Text, args ...any) string { return x.F(s.Lang, args...) }
	fmt.Fprintf(w, "\n### %s\n\n", mdEscape(tr(txt.ExtensionsTitle, len(c.Exercises))))
	head, rule := "| "+tr(txt.ColGroup)+" |", "|---|"
	for _, id := range c.Extensions {
		head += " `" + id + "` |"
		rule += ":-:|"
	}
	fmt.Fprintln(w, head+" "+tr(txt.ColTotal)+" |")
	fmt.Fprintln(w, rule+":-:|")
	for _, g := range c.Groups {
		row := fmt.Sprintf("| g%d |", g.Group)
		for _, id := range c.Extensions {
			m := "—"
			if g.Reachable {
				m = markOf(extensionStatus(g, id))
			}
			row += " " + m + " |"
		}
		total := "—"
		if g.Reachable {
			total = fmt.Sprintf("%d/%d", g.ExtensionsPassed, len(c.Extensions))
		}
		fmt.Fprintln(w, row+" "+total+" |")
	}
}
