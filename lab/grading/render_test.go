package grading

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker"
	"maillab/exercises/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// at is a time of the class, 2026-12-03 in UTC.
func at(hour, min int) time.Time { return time.Date(2026, 12, 3, hour, min, 0, 0, time.UTC) }

// results makes a report's results: every exercise not passed but those
// named with their status.
func results(kv ...any) []checker.Result {
	var out []checker.Result
	for _, id := range []string{"pop3-telnet", "apop-telnet", "smtp-telnet", "cross-send", "cross-apop", "envelope-bcc"} {
		r := checker.Result{ID: id, Status: checker.StatusNotPassed, Detail: "No " + id + " yet."}
		for i := 0; i < len(kv); i += 2 {
			if kv[i] == id {
				r.Status = kv[i+1].(checker.Status)
				r.Passed = r.Status == checker.StatusPassed
				r.Detail = map[checker.Status]string{checker.StatusPassed: "Done in session s1.", checker.StatusUnknown: "Group 3 is unreachable."}[r.Status]
			}
		}
		if id == "apop-telnet" {
			r.Hints = 2
		}
		out = append(out, r)
	}
	return out
}

// fixture is a class of three groups: group 1 has passed two exercises,
// group 2 one, with an undecided one, and group 3 could not be read.
func fixture() Class {
	ids := []string{"pop3-telnet", "apop-telnet", "smtp-telnet", "cross-send", "cross-apop", "envelope-bcc"}
	return Class{
		Classroom: "情報システム工学実験 メールサーバ", Time: at(12, 0), Exercises: ids,
		Groups: []Group{
			{
				Report: checker.Report{Group: 1, Exercises: results("pop3-telnet", checker.StatusPassed, "apop-telnet", checker.StatusPassed)},
				Domain: "g1.lab.test", Cluster: []int{1, 2, 3}, Reachable: true, Passed: 2,
				Timeline: []Attempt{
					{ID: "pop3-telnet", First: at(10, 0), Passed: at(10, 20)},
					{ID: "apop-telnet", First: at(10, 30), Passed: at(11, 15)},
					{ID: "smtp-telnet", First: at(11, 20)},
				},
				Mistakes: []Mistake{{Text: "APOP login failed: the digest is in upper case", Count: 3}, {Text: "RETR answered -ERR", Count: 1}},
				Probes: []Probe{{Name: "pop3-greeting", Passed: true, Status: checker.StatusPassed, Expected: "a greeting"},
					{Name: "relay-g2", Status: checker.StatusNotPassed, Expected: "relayed", Got: "gave up"}},
			},
			{
				Report: checker.Report{Group: 2, Exercises: results("smtp-telnet", checker.StatusPassed, "cross-send", checker.StatusUnknown)},
				Domain: "g2.lab.test", Cluster: []int{1, 2, 3}, Reachable: true, Passed: 1,
				Timeline: []Attempt{{ID: "smtp-telnet", First: at(10, 5), Passed: at(10, 6)}},
			},
			{
				Report: checker.Report{Group: 3, Exercises: results("pop3-telnet", checker.StatusUnknown, "apop-telnet", checker.StatusUnknown, "smtp-telnet", checker.StatusUnknown, "cross-send", checker.StatusUnknown, "cross-apop", checker.StatusUnknown, "envelope-bcc", checker.StatusUnknown)},
				Domain: "g3.lab.test", Cluster: []int{1, 2, 3},
				Unreachable: "no server is running at 127.0.1.3:8025 (connection refused)",
				Error:       "web: server not reachable: 127.0.1.3:8025: dial tcp 127.0.1.3:8025: connect: connection refused",
			},
		},
	}
}

// Each renderer's output of the fixture, in each language, is its golden
// file's.
func TestRenderers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		render func(*bytes.Buffer, Class) error
	}{
		{"table-en.txt", func(b *bytes.Buffer, c Class) error { return WriteTable(b, c, Style{Lang: i18n.En}) }},
		{"table-color-en.txt", func(b *bytes.Buffer, c Class) error { return WriteTable(b, c, Style{Lang: i18n.En, Color: true}) }},
		{"table-verbose-ja.txt", func(b *bytes.Buffer, c Class) error { return WriteTable(b, c, Style{Lang: i18n.Ja, Verbose: true}) }},
		// with the extension exercises, as lab grade always has them
		{"markdown-en.md", func(b *bytes.Buffer, _ Class) error {
			return WriteMarkdown(b, extFixture(), Style{Lang: i18n.En, Verbose: true})
		}},
		{"markdown-ja.md", func(b *bytes.Buffer, _ Class) error { return WriteMarkdown(b, extFixture(), Style{Lang: i18n.Ja}) }},
		{"grades.csv", func(b *bytes.Buffer, _ Class) error { return WriteCSV(b, extFixture()) }},
		{"grades-no-extensions.csv", func(b *bytes.Buffer, c Class) error { return WriteCSV(b, c) }},
		{"grades.json", func(b *bytes.Buffer, c Class) error { return WriteJSON(b, c) }},
		{"report-en.html", func(b *bytes.Buffer, c Class) error { return WriteHTML(b, c, Style{Lang: i18n.En}) }},
		{"report-ja.html", func(b *bytes.Buffer, c Class) error { return WriteHTML(b, c, Style{Lang: i18n.Ja}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tt.render(&b, fixture()); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

// An unreachable group has no score in any renderer, and its reason is
// said once, not per exercise.
func TestUnreachableHasNoScore(t *testing.T) {
	t.Parallel()
	reason := "no server is running at 127.0.1.3:8025 (connection refused)"
	tests := []struct {
		name     string
		render   func(*bytes.Buffer, Class) error
		row      string // the beginning of group 3's line
		wantRow  string
		reasonsN int
	}{
		{"table", func(b *bytes.Buffer, c Class) error { return WriteTable(b, c, Style{Lang: i18n.En, Verbose: true}) },
			"g3 ", "g3     1–3      unreachable: " + reason, 1},
		{"markdown", func(b *bytes.Buffer, c Class) error { return WriteMarkdown(b, c, Style{Lang: i18n.En, Verbose: true}) },
			"| g3 ", "| g3 | 1–3 | — | — | — | — | — | — | — | unreachable: " + reason + " |", 1},
		{"csv", func(b *bytes.Buffer, c Class) error { return WriteCSV(b, c) },
			"3,", "3,g3.lab.test,1 2 3,,,,,,,,false," + reason + ",,,,,,,", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tt.render(&b, fixture()); err != nil {
				t.Fatal(err)
			}
			var row string
			for _, l := range strings.Split(b.String(), "\n") {
				if strings.HasPrefix(l, tt.row) {
					row = l
					break
				}
			}
			if diff := cmp.Diff(tt.wantRow, row); diff != "" {
				t.Errorf("group 3's row (-want +got):\n%s", diff)
			}
			if n := strings.Count(b.String(), reason); n != tt.reasonsN {
				t.Errorf("the reason is said %d times, want %d:\n%s", n, tt.reasonsN, b.String())
			}
			if strings.Contains(b.String(), "dial tcp") {
				t.Errorf("the raw error is shown:\n%s", b.String())
			}
		})
	}
}

// The report is one page that fetches nothing and names each group and
// exercise.
func TestReportSelfContained(t *testing.T) {
	t.Parallel()
	for _, l := range []i18n.Lang{i18n.Ja, i18n.En} {
		var b bytes.Buffer
		c := fixture()
		c.Classroom = "Mail <lab> & friends"
		if err := WriteHTML(&b, c, Style{Lang: l}); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|@import|url\(`).FindString(page); m != "" {
			t.Errorf("%s: the page fetches something: %q", l, m)
		}
		for _, want := range append([]string{`id="g1"`, `id="g2"`, `id="g3"`, "Mail &lt;lab&gt; &amp; friends", `<html lang="` + string(l) + `">`}, c.Exercises...) {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page does not hold %q", l, want)
			}
		}
	}
}

// A class whose attempts span days shows the day with each time, and a
// timeline not passed ends at the latest event, not at the grading.
func TestReportOverDays(t *testing.T) {
	t.Parallel()
	c := fixture()
	c.Groups[1].Timeline = []Attempt{{ID: "smtp-telnet", First: at(10, 5).AddDate(0, 0, -1), Passed: at(10, 6).AddDate(0, 0, -1)}}
	c.Time, c.Latest = at(12, 0).AddDate(0, 0, 7), at(11, 20)
	var b bytes.Buffer
	if err := WriteHTML(&b, c, Style{Lang: i18n.En}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<td>12-02 10:05 → 12-02 10:06 (1m)</td>",
		"<td>12-03 11:20 → not yet</td>",
		`<span class="bar" style="left:100.0%;width:0.5%">`, // smtp-telnet of group 1, tried at the latest event
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report does not hold %q", want)
		}
	}
}

func TestClusterLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cl   []int
		want string
	}{
		{[]int{1, 2, 3}, "1–3"},
		{[]int{1, 4, 7}, "1,4,7"},
		{[]int{5}, "5"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ClusterLabel(tt.cl)); diff != "" {
			t.Errorf("ClusterLabel(%v) (-want +got):\n%s", tt.cl, diff)
		}
	}
}

// Every text is in both languages, with the same verbs.
func TestTextsInBothLanguages(t *testing.T) {
	t.Parallel()
	catalog := map[string]i18n.Text{}
	v := reflect.ValueOf(txt)
	for i := range v.NumField() {
		catalog[v.Type().Field(i).Name] = v.Field(i).Interface().(i18n.Text)
	}
	if len(catalog) == 0 {
		t.Fatal("no texts")
	}
	if bad := i18n.Missing(catalog); len(bad) > 0 {
		t.Errorf("texts missing a language or with different verbs: %v", bad)
	}
}
