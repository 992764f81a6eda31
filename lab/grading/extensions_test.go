package grading

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/checker"
	"maillab/exercises/i18n"
)

// extFixture is the fixture with the extension exercises: group 1 has
// passed tls-telnet, group 2 neither, and group 3 could not be read.
func extFixture() Class {
	c := fixture()
	c.Extensions = []string{"tls-telnet", "apop-weakness"}
	c.Groups[0].Extensions = []checker.Result{
		{ID: "tls-telnet", Passed: true, Status: checker.StatusPassed, Detail: "After STLS …"},
		{ID: "apop-weakness", Status: checker.StatusNotPassed, Detail: "No test account's APOP digest has been broken with lab crack yet."},
	}
	c.Groups[0].ExtensionsPassed = 1
	c.Groups[1].Extensions = []checker.Result{
		{ID: "tls-telnet", Status: checker.StatusNotPassed, Detail: "There is no session over TLS yet."},
		{ID: "apop-weakness", Status: checker.StatusNotPassed, Detail: "No test account's APOP digest has been broken with lab crack yet."},
	}
	c.Groups[2].Extensions = []checker.Result{
		{ID: "tls-telnet", Status: checker.StatusUnknown, Detail: "Group 3 is unreachable."},
		{ID: "apop-weakness", Status: checker.StatusUnknown, Detail: "Group 3 is unreachable."},
	}
	return c
}

// The extensions get a table of their own, with their own total; the six
// exercises' totals do not change.
func TestExtensionsTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		style Style
		want  string
	}{
		{Style{Lang: i18n.En}, `Extensions (optional; not counted in the 6 exercises above)
group  tls-telnet  apop-weakness  total
g1         ✓             ✗        1/2
g2         ✗             ✗        0/2
`},
		{Style{Lang: i18n.Ja, Verbose: true}, `発展課題（任意。上の 6 課題の合計には入りません）
班    tls-telnet  apop-weakness  合計
g1        ✓             ✗        1/2
g2        ✗             ✗        0/2

  g1 ✗ apop-weakness No test account's APOP digest has been broken with lab crack yet.
  g2 ✗ tls-telnet    There is no session over TLS yet.
  g2 ✗ apop-weakness No test account's APOP digest has been broken with lab crack yet.
`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteTable(&b, extFixture(), tt.style); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		i := strings.Index(out, strings.SplitN(tt.want, "\n", 2)[0])
		if i < 0 {
			t.Fatalf("no extensions table in:\n%s", out)
		}
		got := out[i:]
		if j := strings.Index(got, "\n\n"+txt.ProbesTitle.In(tt.style.Lang)); j >= 0 {
			got = got[:j+1]
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.style.Lang, diff)
		}
		var plain bytes.Buffer
		WriteTable(&plain, fixture(), tt.style)
		head := strings.SplitAfterN(plain.String(), "\n\n", 3) // the title, the six exercises' table
		if !strings.HasPrefix(out, head[0]+head[1]) {
			t.Errorf("the six exercises' table changed with the extensions")
		}
	}
}

// lab grade --json keeps "exercises" to the six and adds "extensions".
func TestExtensionsJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, extFixture()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Extensions []string `json:"extension_ids"`
		Groups     []struct {
			Exercises  []struct{ ID string } `json:"exercises"`
			Extensions []struct {
				ID     string `json:"id"`
				Passed bool   `json:"passed"`
			} `json:"extensions"`
			Passed           int `json:"passed"`
			ExtensionsPassed int `json:"extensions_passed"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	g1 := got.Groups[0]
	type summary struct {
		IDs                     []string
		Core, Passed, ExtPassed int
		ExtIDs                  []string
	}
	var ext []string
	for _, e := range g1.Extensions {
		ext = append(ext, e.ID)
	}
	want := summary{IDs: []string{"tls-telnet", "apop-weakness"}, Core: 6, Passed: 2, ExtPassed: 1, ExtIDs: []string{"tls-telnet", "apop-weakness"}}
	gotS := summary{IDs: got.Extensions, Core: len(g1.Exercises), Passed: g1.Passed, ExtPassed: g1.ExtensionsPassed, ExtIDs: ext}
	if diff := cmp.Diff(want, gotS); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// --csv and --markdown add the extensions apart from the six: CSV rows
// keep every column in its place and get the extensions' at their end;
// Markdown gets a table of its own under the main one, which does not
// change.
func TestExtensionsCSVMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		render func(*bytes.Buffer, Class) error
		keep   func(base, with string) string // with's line that must equal base's line
		added  []string                       // lines only with the extensions, in order
	}{
		{"csv", func(b *bytes.Buffer, c Class) error { return WriteCSV(b, c) },
			func(base, with string) string { return with[:min(len(base), len(with))] },
			nil},
		{"markdown-en", func(b *bytes.Buffer, c Class) error { return WriteMarkdown(b, c, Style{Lang: i18n.En}) },
			nil,
			[]string{"", "### Extensions (optional; not counted in the 6 exercises above)", "",
				"| group | `tls-telnet` | `apop-weakness` | total |", "|---|:-:|:-:|:-:|",
				"| g1 | ✓ | ✗ | 1/2 |", "| g2 | ✗ | ✗ | 0/2 |", "| g3 | — | — | — |"}},
		{"markdown-ja", func(b *bytes.Buffer, c Class) error { return WriteMarkdown(b, c, Style{Lang: i18n.Ja}) },
			nil,
			[]string{"", "### 発展課題（任意。上の 6 課題の合計には入りません）", "",
				"| 班 | `tls-telnet` | `apop-weakness` | 合計 |", "|---|:-:|:-:|:-:|",
				"| g1 | ✓ | ✗ | 1/2 |", "| g2 | ✗ | ✗ | 0/2 |", "| g3 | — | — | — |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var base, with bytes.Buffer
			if err := tt.render(&base, fixture()); err != nil {
				t.Fatal(err)
			}
			if err := tt.render(&with, extFixture()); err != nil {
				t.Fatal(err)
			}
			b, w := strings.Split(base.String(), "\n"), strings.Split(with.String(), "\n")
			if tt.keep != nil { // the same rows, each with cells added at its end
				var got []string
				for i := range min(len(b), len(w)) {
					got = append(got, tt.keep(b[i], w[i]))
				}
				if diff := cmp.Diff(b, got); diff != "" {
					t.Errorf("the existing columns moved (-want +got):\n%s", diff)
				}
				return
			}
			// the main table ends at the first empty line after the title's
			at := 2 + slices.Index(b[2:], "")
			want := slices.Concat(b[:at], tt.added, b[at:])
			if diff := cmp.Diff(want, w); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Each group's CSV cells of the extensions: 1, 0, or empty when the
// group could not be read (no score, as for the six).
func TestExtensionsCSVCells(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteCSV(&b, extFixture()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"tls-telnet,apop-weakness,extensions_passed",
		"1,0,1",
		"0,0,0",
		",,",
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		f := strings.Split(l, ",")
		got = append(got, strings.Join(f[len(f)-3:], ","))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
