package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises/i18n"
	"maillab/lab/terminal"
)

// optionLine is one line of a help's options: its flag names and the
// display column where its description begins.
type optionLine struct {
	Flag string
	Col  int
}

// helpOptions parses the options section (OPTIONS or GLOBAL OPTIONS, in
// l) of a help screen: the description of a line begins after the first
// run of two or more spaces that follows the flag names.
func helpOptions(t *testing.T, help string, l i18n.Lang) []optionLine {
	t.Helper()
	headings := map[string]bool{
		helpFrame["OPTIONS"].In(l) + ":":        true,
		helpFrame["GLOBAL OPTIONS"].In(l) + ":": true,
	}
	var lines []optionLine
	in := false
	for line := range strings.SplitSeq(help, "\n") {
		switch {
		case headings[line]:
			in = true
		case in && strings.TrimSpace(line) == "":
			in = false
		case in:
			body, ok := strings.CutPrefix(line, "   -")
			if !ok {
				t.Fatalf("not an option line: %q\n%s", line, help)
			}
			flag, _, ok := strings.Cut(body, "  ")
			if !ok {
				t.Fatalf("no description after the flag: %q\n%s", line, help)
			}
			start := len("   -") + len(flag)
			start += len(line[start:]) - len(strings.TrimLeft(line[start:], " "))
			lines = append(lines, optionLine{Flag: "-" + flag, Col: terminal.Width(line[:start])})
		}
	}
	if len(lines) == 0 {
		t.Fatalf("no options section in\n%s", help)
	}
	return lines
}

// TestHelpOptionsAligned checks that in every help screen, in both
// languages, every option's description begins at one display column,
// though a Japanese placeholder (値) takes two columns for one rune.
func TestHelpOptionsAligned(t *testing.T) {
	t.Parallel()
	commands := [][]string{
		{"--help"},
		{"start", "--help"},
		{"user", "--help"},
		{"user", "add", "--help"},
		{"grade", "--help"},
		{"check", "--help"},
		{"telnet", "--help"},
		{"hint", "-h"},
	}
	for _, l := range []i18n.Lang{i18n.Ja, i18n.En} {
		vars := map[string]string{"LANG": map[i18n.Lang]string{i18n.Ja: "ja_JP.UTF-8", i18n.En: "en_US.UTF-8"}[l]}
		for _, args := range commands {
			t.Run(string(l)+" "+strings.Join(args, " "), func(t *testing.T) {
				t.Parallel()
				code, out, errOut := runLab(t, "", vars, args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				got := helpOptions(t, out, l)
				want := make([]optionLine, len(got))
				for i, o := range got {
					want[i] = optionLine{Flag: o.Flag, Col: got[0].Col}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("descriptions not at one column (-want +got):\n%s\n%s", diff, out)
				}
			})
		}
	}
}
