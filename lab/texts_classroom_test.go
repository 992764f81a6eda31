package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises"
	"maillab/exercises/i18n"
)

// oddClassroom is a classroom whose hosts and ports are none of the
// defaults, so that a text not filled from it shows.
const oddClassroom = `name = "odd"
domain = "lab.test"
clusters = [[1, 2, 3]]

[[groups]]
id = 1
host = "127.0.3.1"
smtp = 22525
pop3 = 21110
web  = 28025

[[groups]]
id = 2
host = "127.0.3.2"
smtp = 22525
pop3 = 21110
web  = 28025

[[groups]]
id = 3
host = "127.0.3.3"
smtp = 22525
pop3 = 21110
web  = 28025
`

func writeOddClassroom(t *testing.T, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "classroom.toml")
	if err := os.WriteFile(path, []byte(extra+oddClassroom), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// notFromClassroom is what a text filled from oddClassroom never shows: a
// placeholder (braces, HOST, N, M, gN), a default port, the default hosts.
var notFromClassroom = regexp.MustCompile(`\{[a-z0-9]+\}|\bHOST\b|\bPORT\b|\b[NM]\b|\bg[NM]\b|\b(2525|1110|8025)\b|127\.0\.1\.`)

// everyText is every exercise and lesson text, all tiers, steps and samples.
func everyText() map[string]i18n.Text {
	all := map[string]i18n.Text{}
	for _, l := range exercises.Lessons() {
		all[l.ID+"/title"], all[l.ID+"/body"], all[l.ID+"/picture"] = l.Title, l.Body, l.Picture
	}
	for _, x := range exercises.All() {
		all[x.ID+"/title"], all[x.ID+"/goal"], all[x.ID+"/sample-note"] = x.Title, x.Goal, x.Sample.Note
		all[x.ID+"/sample"] = i18n.Text{Ja: x.Sample.Text, En: x.Sample.Text}
		for i, s := range x.Steps {
			all[x.ID+"/step"+string(rune('1'+i))] = s
		}
		for i, h := range x.Hints {
			all[x.ID+"/hint"+string(rune('1'+i))] = h
		}
	}
	return all
}

func TestEveryExerciseTextFromTheClassroom(t *testing.T) {
	t.Parallel()
	path := writeOddClassroom(t, "")
	root := t.TempDir()
	for _, tc := range []struct {
		name  string
		group int
	}{{"group 1", 1}, {"group 3", 3}, {"no group yet", 0}} {
		for _, l := range []i18n.Lang{i18n.Ja, i18n.En} {
			e := &env{lang: l, getenv: func(string) string { return "" }}
			cl, err := loadClassroom(e, path)
			if err != nil {
				t.Fatal(err)
			}
			g := &guide{e: e, root: root, group: tc.group, classroom: cl}
			v := g.vars()
			var bad []string
			for key, text := range everyText() {
				if s := v.Expand(text.In(l)); notFromClassroom.MatchString(s) {
					bad = append(bad, key+": "+notFromClassroom.FindString(s))
				}
			}
			if len(bad) > 0 {
				t.Errorf("%s, %s: texts not filled from the classroom: %v", tc.name, l, bad)
			}
			if tc.group == 1 && !strings.Contains(v.Expand("{smtp} {pop3} {peerpop3} {start}"), "127.0.3.1 22525 127.0.3.1 21110 127.0.3.2 21110 lab start --group 1 --classroom "+path) {
				t.Errorf("vars of group 1: %v", v)
			}
		}
	}
}

// TestShowAndDoctorNameTheClassroom runs lab show and lab doctor as a
// student does, the classroom given by $MAILLAB_CLASSROOM.
func TestShowAndDoctorNameTheClassroom(t *testing.T) {
	t.Parallel()
	path := writeOddClassroom(t, "")
	root := t.TempDir()
	vars := map[string]string{"LANG": "en_US.UTF-8", "MAILLAB_CLASSROOM": path}
	for _, id := range append(exercises.IDs(), "model") {
		code, out, errOut := runLab(t, "", vars, "show", id, "--group", "1", "--data", root)
		if code != 0 {
			t.Fatalf("show %s: exit %d %s", id, code, errOut)
		}
		if m := notFromClassroom.FindString(out); m != "" {
			t.Errorf("show %s shows %q:\n%s", id, m, out)
		}
	}
	_, out, _ := runLab(t, "", vars, "show", "pop3-telnet", "--group", "1", "--data", root)
	if !strings.Contains(out, "lab start --group 1 --classroom "+path) {
		t.Errorf("show does not name the classroom:\n%s", out)
	}
	// before a group is known, a sample is an example group's real screen
	_, out, _ = runLab(t, "", vars, "show", "cross-apop", "--data", root)
	for _, want := range []string{"The example is group 1's.", "    $ telnet 127.0.3.1 21110\n", "telnet -b the other group's address"} {
		if !strings.Contains(out, want) {
			t.Errorf("show without a group lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runLab(t, "", vars, "doctor", "--group", "1", "--data", root)
	if !strings.Contains(out, "lab start --group 1 --classroom "+path) {
		t.Errorf("doctor does not name the classroom:\n%s", out)
	}
}

// TestClassroomLangAndData: the classroom's lang and data are every
// command's language and data root when no flag says otherwise.
func TestClassroomLangAndData(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	path := writeOddClassroom(t, "lang = \"ja\"\ndata = \""+data+"\"\n")
	_, out, _ := runLab(t, "", en, "hint", "smtp-telnet", "--group", "2", "--classroom", path)
	if !strings.HasPrefix(out, "ヒント 1 /") {
		t.Errorf("the classroom's lang was not used:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(data, "g2", hintsFile)); err != nil {
		t.Errorf("the classroom's data root was not used: %v", err)
	}
	_, out, _ = runLab(t, "", en, "hint", "smtp-telnet", "--classroom", path, "--lang", "en")
	if !strings.HasPrefix(out, "Hint 2 of") {
		t.Errorf("--lang does not win over the classroom's lang, or the tier was not counted:\n%s", out)
	}
	// a broken classroom still names its line (blanked lines keep the numbering)
	bad := writeOddClassroom(t, "lang = \"en\"\ncolour = 1\n")
	code, _, errOut := runLab(t, "", en, "show", "model", "--classroom", bad)
	if code != 1 || !strings.Contains(errOut, "classroom.toml:2:") {
		t.Errorf("broken classroom: exit %d %s", code, errOut)
	}
}

func TestHelpFrameTranslated(t *testing.T) {
	t.Parallel()
	english := regexp.MustCompile(`USAGE|COMMANDS|OPTIONS|NAME:|DESCRIPTION|show help|default:|\bvalue\b`)
	for _, args := range [][]string{{"--help"}, {"start", "--help"}, {"user", "--help"}, {"user", "add", "--help"}, {"hint", "-h"}} {
		code, out, errOut := runLab(t, "", map[string]string{"LANG": "ja_JP.UTF-8"}, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
		if m := english.FindString(out); m != "" {
			t.Errorf("lab %s in Japanese shows %q:\n%s", strings.Join(args, " "), m, out)
		}
		if !strings.Contains(out, "使い方:") || !strings.Contains(out, "このヘルプを表示します") {
			t.Errorf("lab %s: no Japanese frame:\n%s", strings.Join(args, " "), out)
		}
	}
	_, out, _ := runLab(t, "", en, "start", "--help")
	for _, want := range []string{"USAGE:", "OPTIONS:", "--help, -h", "show help", "(default: 127.0.0.1:2525)"} {
		if !strings.Contains(out, want) {
			t.Errorf("lab start --help in English lacks %q:\n%s", want, out)
		}
	}
}

func TestHintWithoutGroup(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, tc := range []struct {
		vars       map[string]string
		head, tail string
	}{
		{en, "Hint 1 of 4 for apop-telnet\n", "lab hint apop-telnet --group <your group's number> gives the next one"},
		{map[string]string{"LANG": "ja_JP.UTF-8"}, "ヒント 1 / 4（apop-telnet）\n", "lab hint apop-telnet --group 自班の番号 で聞くと"},
	} {
		code, out, errOut := runLab(t, "", tc.vars, "hint", "apop-telnet", "--data", root)
		if code != 0 {
			t.Fatalf("exit %d %s", code, errOut)
		}
		if !strings.HasPrefix(out, tc.head) || !strings.Contains(out, tc.tail) || !strings.Contains(out, root) {
			t.Errorf("hint without a group:\n%s", out)
		}
		if m := notFromClassroom.FindString(out); m != "" {
			t.Errorf("hint without a group shows %q:\n%s", m, out)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a hint without a group wrote into the data root: %v", entries)
	}
}

func TestReplayClassroomAndNoData(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	path := writeOddClassroom(t, "data = \""+data+"\"\n")
	code, _, errOut := runLab(t, "", en, "replay", "--classroom", path, "--group", "1")
	want := "lab: group 1 has no sessions yet (" + filepath.Join(data, "g1", "journal.jsonl") + ")"
	if code != 1 || !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "--data, MAILLAB_DATA or the classroom file's data") {
		t.Errorf("replay --classroom: exit %d %s", code, errOut)
	}
	code, _, errOut = runLab(t, "", en, "replay", "--classroom", path, "--group", "7")
	if diff := cmp.Diff("lab: group 7 is not in "+path+"\n", errOut); code != 1 || diff != "" {
		t.Errorf("replay, group not in the classroom: exit %d (-want +got):\n%s", code, diff)
	}
}

// TestUpBannerFromTheClassroom: lab up on 127.0.3.N tells how to connect
// as a group with the classroom's own addresses, never 127.0.1.N.
func TestUpBannerFromTheClassroom(t *testing.T) {
	t.Parallel()
	hosts := []string{"127.0.3.1", "127.0.3.2", "127.0.3.3"}
	p := freePorts(t, hosts, 3)
	text := strings.NewReplacer("22525", strconv.Itoa(p[0]), "21110", strconv.Itoa(p[1]), "28025", strconv.Itoa(p[2])).Replace(oddClassroom)
	path := filepath.Join(t.TempDir(), "classroom.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out := labProcess(t, "up", "--classroom", path, "--data", t.TempDir())
	var banner []string
	for {
		l, err := out.line()
		if err != nil {
			t.Fatalf("banner: %v; so far:\n%s", err, strings.Join(banner, "\n"))
		}
		banner = append(banner, l)
		if strings.Contains(l, "Ctrl-C stops the server") {
			break
		}
	}
	got := strings.Join(banner, "\n")
	want := fmt.Sprintf("e.g. group 1: lab telnet --bind 127.0.3.1 127.0.3.1 %d, or telnet -b 127.0.3.1 127.0.3.1 %d", p[1], p[1])
	if !strings.Contains(got, want) || strings.Contains(got, "127.0.1.") || regexp.MustCompile(`\bHOST\b|\bN\b`).MatchString(got) {
		t.Errorf("lab up banner, want %q and no default address or placeholder:\n%s", want, got)
	}
}

// literalText is the text of an i18n.Text literal of string constants.
func literalText(t *testing.T, fset *token.FileSet, lit *ast.CompositeLit) i18n.Text {
	t.Helper()
	var text i18n.Text
	for _, e := range lit.Elts {
		kv := e.(*ast.KeyValueExpr)
		s, ok := constString(kv.Value)
		if !ok {
			t.Fatalf("%s: not a constant text", fset.Position(kv.Pos()))
		}
		if kv.Key.(*ast.Ident).Name == "Ja" {
			text.Ja = s
		} else {
			text.En = s
		}
	}
	return text
}

// constString evaluates a string literal, or a sum of them.
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		x, ok1 := constString(e.X)
		y, ok2 := constString(e.Y)
		return x + y, ok1 && ok2 && e.Op == token.ADD
	}
	return "", false
}

// TestEveryExerciseTextStandalone: without a classroom the standalone
// addresses fill the texts, and what is unknown is said in words.
func TestEveryExerciseTextStandalone(t *testing.T) {
	t.Parallel()
	placeholder := regexp.MustCompile(`\{[a-z0-9]+\}|\bHOST\b|\bPORT\b|\b[NM]\b|\bg[NM]\b`)
	for _, group := range []int{0, 3} {
		for _, l := range []i18n.Lang{i18n.Ja, i18n.En} {
			e := &env{lang: l, getenv: func(string) string { return "" }}
			g := &guide{e: e, root: t.TempDir(), group: group}
			v := g.vars()
			for key, text := range everyText() {
				if s := v.Expand(text.In(l)); placeholder.MatchString(s) {
					t.Errorf("group %d, %s: %s shows %q", group, l, key, placeholder.FindString(s))
				}
			}
			if got := v.Expand("{pop3}"); got != "127.0.0.1 1110" {
				t.Errorf("group %d, %s: {pop3} = %q, want the standalone address", group, l, got)
			}
		}
	}
}
