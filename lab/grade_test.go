package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
)

// Typing at a human pace: pauses of 150ms, counted as by hand with
// --hand-gap 75ms (a pause is a lower bound on the gap, whatever the load).
const (
	gradePause = 150 * time.Millisecond
	gradeGap   = "75ms"
)

// Bad usage is exit 2 with a message; a classroom file that cannot be read
// is exit 1.
func TestGradeUsage(t *testing.T) {
	t.Parallel()
	path, _ := writeClassroom(t, 1)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no classroom", []string{"grade"}, 2, "give the classroom file with --classroom FILE"},
		{"two formats", []string{"grade", "--classroom", path, "--json", "--csv"}, 2, "give one output format only (got --json, --csv)"},
		{"three formats", []string{"grade", "--classroom", path, "--csv", "--markdown", "--json"}, 2, "give one output format only (got --json, --csv, --markdown)"},
		{"bad serve", []string{"grade", "--classroom", path, "--serve", "8080"}, 2, `cannot read --serve "8080"`},
		{"bad hand gap", []string{"grade", "--classroom", path, "--hand-gap", "soon"}, 2, `cannot read the hand gap "soon"`},
		{"arguments", []string{"grade", "--classroom", path, "g1"}, 2, "unexpected arguments: g1"},
		{"unknown flag", []string{"grade", "--classroom", path, "--pdf"}, 2, "flag provided but not defined: -pdf"},
		{"missing file", []string{"grade", "--classroom", path + ".missing"}, 1, "cannot read the classroom file"},
	}
	for _, tt := range tests {
		code, out, errOut := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, tt.args...)
		if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) || out != "" {
			t.Errorf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s(want it to say %q)", tt.name, code, tt.wantCode, out, errOut, tt.wantErr)
		}
	}
}

// grades is what the JSON of lab grade says, in short: group → exercise
// → status, and which groups could be read.
type grades struct {
	Status    map[int]map[string]string
	Reachable map[int]bool
	Passed    map[int]int
}

// decodeGrades decodes lab grade --json through the stable fields only
// (group, exercises: id, passed, detail) and the added ones it names.
func decodeGrades(t *testing.T, out string) grades {
	t.Helper()
	var v struct {
		Groups []struct {
			Group     int  `json:"group"`
			Reachable bool `json:"reachable"`
			Passed    int  `json:"passed"`
			Exercises []struct {
				ID     string  `json:"id"`
				Passed *bool   `json:"passed"`
				Detail *string `json:"detail"`
				Status string  `json:"status"`
			} `json:"exercises"`
		} `json:"groups"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("lab grade --json: %v\n%s", err, out)
	}
	g := grades{Status: map[int]map[string]string{}, Reachable: map[int]bool{}, Passed: map[int]int{}}
	for _, gr := range v.Groups {
		g.Status[gr.Group] = map[string]string{}
		g.Reachable[gr.Group], g.Passed[gr.Group] = gr.Reachable, gr.Passed
		for _, x := range gr.Exercises {
			if x.Passed == nil || x.Detail == nil || *x.Detail == "" || *x.Passed != (x.Status == "passed") {
				t.Errorf("group %d %s: the stable fields are wrong: passed %v, detail %v", gr.Group, x.ID, x.Passed, x.Detail)
			}
			g.Status[gr.Group][x.ID] = x.Status
		}
	}
	return g
}

// statuses builds the expected grades of a group: every exercise
// not-passed but those named.
func statuses(kv ...string) map[string]string {
	m := map[string]string{}
	for _, id := range []string{"pop3-telnet", "apop-telnet", "smtp-telnet", "cross-send", "cross-apop", "envelope-bcc"} {
		m[id] = "not-passed"
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var (
	gradeTime = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`)
	anyPort   = regexp.MustCompile(`:\d{2,5}\b`)
)

// normalizeGrade replaces what changes from run to run: the time, the ports.
func normalizeGrade(s string) string {
	return anyPort.ReplaceAllString(gradeTime.ReplaceAllString(s, "TIME"), ":PORT")
}

// lab grade over a 3-group classroom after a scripted session: group 1
// operated POP3 by hand, group 2 logged in with APOP by hand, group 3 typed
// SMTP by hand with a Bcc recipient, who read it. The table, JSON, CSV and
// Markdown agree; then group 3's server stops and shows as unreachable.
func TestGrade(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g1, g2, g3 := lab.Groups[1], lab.Groups[2], lab.Groups[3]
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.POP3Addr(), Delay: gradePause,
		Lines: []string{"user yom", "pass " + g1.Passwords["yom"], "list", "retr 1", "quit"}})
	checkertest.Type(t, checkertest.Session{From: g2.Host, Addr: g2.POP3Addr(), Delay: gradePause, Secret: g2.Passwords["hana"],
		Lines: []string{"apop hana {digest}", "retr 1", "quit"}})
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(), Delay: gradePause,
		Lines: []string{"helo pc3", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>", "rcpt to:<taro@g3.lab.test>", "data",
			"To: hana@g3.lab.test", "Subject: a Bcc", "", "hello", ".", "quit"}})
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(),
		Lines: []string{"user taro", "pass " + g3.Passwords["taro"], "retr 2", "quit"}})

	en := map[string]string{"LANG": "en_US.UTF-8"}
	grade := func(args ...string) (int, string, string) {
		return runLab(t, "", en, append([]string{"grade", "--classroom", lab.ClassroomPath, "--hand-gap", gradeGap}, args...)...)
	}
	code, out, errOut := grade("--json")
	if code != 0 {
		t.Fatalf("lab grade --json: exit %d\n%s", code, errOut)
	}
	want := grades{
		Status: map[int]map[string]string{
			1: statuses("pop3-telnet", "passed"),
			2: statuses("apop-telnet", "passed"),
			3: statuses("smtp-telnet", "passed", "envelope-bcc", "passed"),
		},
		Reachable: map[int]bool{1: true, 2: true, 3: true},
		Passed:    map[int]int{1: 1, 2: 1, 3: 2},
	}
	if diff := cmp.Diff(want, decodeGrades(t, out)); diff != "" {
		t.Errorf("lab grade --json (-want +got):\n%s", diff)
	}
	// the spec's shape: {"groups": [{"group", "exercises": [{"id", "passed", "detail"}]}]}
	var shape map[string]any
	json.Unmarshal([]byte(out), &shape)
	first := shape["groups"].([]any)[0].(map[string]any)
	ex := first["exercises"].([]any)[0].(map[string]any)
	if first["group"] != 1.0 || ex["id"] != "pop3-telnet" || ex["passed"] != true || ex["detail"] == "" {
		t.Errorf("lab grade --json shape: %v", first)
	}

	// the same from the data folders
	code, out, _ = grade("--json", "--data", lab.Root)
	if diff := cmp.Diff(want, decodeGrades(t, out)); code != 0 || diff != "" {
		t.Errorf("lab grade --json --data: exit %d (-want +got):\n%s", code, diff)
	}

	code, out, _ = grade()
	wantTable := `maillab grades — test (3 groups, TIME)

group  cluster  pop3-telnet  apop-telnet  smtp-telnet  cross-send  cross-apop  envelope-bcc  total
g1     1–3           ✓            ✗            ✗           ✗           ✗            ✗        1/6
g2     1–3           ✗            ✓            ✗           ✗           ✗            ✗        1/6
g3     1–3           ✗            ✗            ✓           ✗           ✗            ✓        2/6
groups done         1/3          1/3          1/3         0/3         0/3          1/3

Extensions (optional; not counted in the 6 exercises above)
group  tls-telnet  apop-weakness  total
g1         ✗             ✗        0/2
g2         ✗             ✗        0/2
g3         ✗             ✗        0/2

lab grade --verbose explains each ✗ and ?.
`
	if diff := cmp.Diff(wantTable, normalizeGrade(out)); code != 0 || diff != "" {
		t.Errorf("lab grade: exit %d (-want +got):\n%s", code, diff)
	}

	code, out, _ = grade("--csv")
	wantCSV := `group,domain,cluster,pop3-telnet,apop-telnet,smtp-telnet,cross-send,cross-apop,envelope-bcc,passed,reachable,note,tls-telnet,apop-weakness,extensions_passed
1,g1.lab.test,1 2 3,1,0,0,0,0,0,1,true,,0,0,0
2,g2.lab.test,1 2 3,0,1,0,0,0,0,1,true,,0,0,0
3,g3.lab.test,1 2 3,0,0,1,0,0,1,2,true,,0,0,0
`
	if diff := cmp.Diff(wantCSV, out); code != 0 || diff != "" {
		t.Errorf("lab grade --csv: exit %d (-want +got):\n%s", code, diff)
	}

	code, out, _ = grade("--markdown", "--verbose")
	wantMarkdown := "## maillab grades — test (3 groups, TIME)\n\n" +
		"| group | cluster | `pop3-telnet` | `apop-telnet` | `smtp-telnet` | `cross-send` | `cross-apop` | `envelope-bcc` | total | note |\n" +
		"|---|---|:-:|:-:|:-:|:-:|:-:|:-:|:-:|---|\n" +
		"| g1 | 1–3 | ✓ | ✗ | ✗ | ✗ | ✗ | ✗ | 1/6 |  |\n" +
		"| g2 | 1–3 | ✗ | ✓ | ✗ | ✗ | ✗ | ✗ | 1/6 |  |\n" +
		"| g3 | 1–3 | ✗ | ✗ | ✓ | ✗ | ✗ | ✓ | 2/6 |  |\n"
	if code != 0 || !strings.HasPrefix(normalizeGrade(out), wantMarkdown) {
		t.Errorf("lab grade --markdown: exit %d (-want +got):\n%s", code, cmp.Diff(wantMarkdown, normalizeGrade(out)))
	}
	for _, line := range []string{
		"### group 1 (g1.lab.test)",
		"- ✗ `apop-telnet`: You logged in with USER/PASS; this exercise asks for APOP.",
		"- ✗ `cross-send`: No mail from a member of your group (…@g1.lab.test) has reached groups 2 or 3 yet (lab show cross-send).",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("lab grade --markdown --verbose does not say %q:\n%s", line, out)
		}
	}

	// verbose: the explanation of each ✗, in the language asked for
	code, out, _ = grade("--verbose", "--lang", "ja")
	if code != 0 || !strings.Contains(out, "1 班（g1.lab.test）") || !strings.Contains(out, "✗ apop-telnet") || strings.Contains(out, "lab grade --verbose") {
		t.Errorf("lab grade --verbose --lang ja: exit %d\n%s", code, out)
	}

	// group 3's server stops: unreachable, not failed; the cross-group
	// exercises of the others cannot be decided
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	g3.Web.Shutdown(ctx)
	g3.Server.Shutdown(ctx)
	cancel()
	code, out, _ = grade("--json")
	unknown := "unknown"
	want = grades{
		Status: map[int]map[string]string{
			1: statuses("pop3-telnet", "passed", "smtp-telnet", unknown, "cross-send", unknown),
			2: statuses("apop-telnet", "passed", "smtp-telnet", unknown, "cross-send", unknown),
			3: statuses("pop3-telnet", unknown, "apop-telnet", unknown, "smtp-telnet", unknown, "cross-send", unknown, "cross-apop", unknown, "envelope-bcc", unknown),
		},
		Reachable: map[int]bool{1: true, 2: true, 3: false},
		Passed:    map[int]int{1: 1, 2: 1, 3: 0},
	}
	if diff := cmp.Diff(want, decodeGrades(t, out)); code != 0 || diff != "" {
		t.Errorf("group 3 stopped: lab grade --json: exit %d (-want +got):\n%s", code, diff)
	}
	code, out, _ = grade()
	wantTable = `maillab grades — test (3 groups, TIME)

group  cluster  pop3-telnet  apop-telnet  smtp-telnet  cross-send  cross-apop  envelope-bcc  total
g1     1–3           ✓            ✗            ?           ?           ✗            ✗        1/6
g2     1–3           ✗            ✓            ?           ?           ✗            ✗        1/6
g3     1–3      unreachable: no server is running at 127.0.1.3:PORT (connection refused)
groups done         1/3          1/3          0/3         0/3         0/3          0/3

Extensions (optional; not counted in the 6 exercises above)
group  tls-telnet  apop-weakness  total
g1         ✗             ✗        0/2
g2         ✗             ✗        0/2

lab grade --verbose explains each ✗ and ?.
`
	if diff := cmp.Diff(wantTable, normalizeGrade(out)); code != 0 || diff != "" {
		t.Errorf("group 3 stopped: lab grade: exit %d (-want +got):\n%s", code, diff)
	}
	code, out, _ = grade("--csv")
	if !strings.Contains(normalizeGrade(out), "\n3,g3.lab.test,1 2 3,,,,,,,,false,no server is running at 127.0.1.3:PORT (connection refused),,,\n") {
		t.Errorf("group 3 stopped: lab grade --csv: exit %d\n%s", code, out)
	}
	// the reason once, in the language asked for; the others' "?" name
	// group 3 with it, not with the raw error
	code, out, _ = grade("--verbose", "--lang", "ja")
	if got := normalizeGrade(out); code != 0 || strings.Count(got, "127.0.1.3:PORT で動いているサーバがありません（接続を拒否されました）") != 5 ||
		strings.Contains(got, "dial tcp") || strings.Contains(got, "3 班（g3.lab.test）") {
		t.Errorf("group 3 stopped: lab grade --verbose --lang ja: exit %d\n%s", code, out)
	}
}

// When no group at all can be read, lab grade still prints what it knows,
// says how to grade from the data folders, and exits 1.
func TestGradeNothingReachable(t *testing.T) {
	t.Parallel()
	path, _ := writeClassroom(t, 2) // nothing runs there
	empty := t.TempDir()
	en := map[string]string{"LANG": "en_US.UTF-8"}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"servers", []string{"--json"}, "could not grade: no group's server could be reached. When the servers are stopped (after class, say), gather the groups' data folders (DIR/gN) on this machine and grade from them with lab grade --classroom FILE --data DIR"},
		{"data", []string{"--json", "--data", empty}, "could not grade: there is no group's data folder (g1, g2 …) in " + empty},
		{"ja", []string{"--json", "--lang", "ja"}, "lab grade --classroom FILE --data DIR で採点してください"},
	}
	for _, tt := range tests {
		code, out, errOut := runLab(t, "", en, append([]string{"grade", "--classroom", path}, tt.args...)...)
		g := decodeGrades(t, out)
		if code != 1 || g.Reachable[1] || g.Reachable[2] || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%s: exit %d, %+v\n%s(want it to say %q)", tt.name, code, g, errOut, tt.wantErr)
		}
	}
	// the table: each group's reason once, no score
	code, out, _ := runLab(t, "", en, "grade", "--classroom", path, "--data", empty, "--verbose")
	want := "g1     1–2      unreachable: no data folder " + filepath.Join(empty, "g1") + "\n"
	if code != 1 || !strings.Contains(out, want) || strings.Contains(out, "0/6") {
		t.Errorf("exit %d: the table does not say %q, or scores:\n%s", code, want, out)
	}
}

// --report writes one self-contained page that holds every group and
// exercise, in the language asked for.
func TestGradeReport(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1, 2}})
	g1 := lab.Groups[1]
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.POP3Addr(), Delay: gradePause,
		Lines: []string{"user yom", "pass wrong", "user yom", "pass " + g1.Passwords["yom"], "list", "retr 1", "quit"}})
	for _, lang := range []string{"en", "ja"} {
		report := filepath.Join(t.TempDir(), "report.html")
		code, _, errOut := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, "grade", "--classroom", lab.ClassroomPath,
			"--hand-gap", gradeGap, "--report", report, "--lang", lang, "--csv")
		b, err := os.ReadFile(report)
		if code != 0 || err != nil {
			t.Fatalf("lab grade --report --lang %s: exit %d, %v\n%s", lang, code, err, errOut)
		}
		page := string(b)
		want := []string{`<html lang="` + lang + `">`, `id="g1"`, `id="g2"`, "pop3-telnet", "apop-telnet", "smtp-telnet", "cross-send", "cross-apop", "envelope-bcc"}
		want = append(want, map[string][]string{
			"en": {"First attempt → passed", "USER/PASS login failed: the password is wrong — 1×"},
			"ja": {"最初の試み → できた時刻", "USER/PASS のログイン失敗: パスワードが違います — 1 回"},
		}[lang]...)
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("--lang %s: the report does not hold %q", lang, w)
			}
		}
		if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`).FindString(page); m != "" {
			t.Errorf("--lang %s: the report fetches %q", lang, m)
		}
	}

	// the JSON has the same: group 1 tried pop3-telnet, then passed it
	code, out, errOut := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, "grade", "--classroom", lab.ClassroomPath, "--hand-gap", gradeGap, "--json")
	var v struct {
		Groups []struct {
			Group    int `json:"group"`
			Timeline []struct {
				ID            string
				First, Passed time.Time
			} `json:"timeline"`
			Mistakes []struct {
				Text  string
				Count int
			} `json:"mistakes"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || len(v.Groups) != 2 {
		t.Fatalf("lab grade --json: exit %d, %v\n%s", code, err, errOut)
	}
	g := v.Groups[0]
	if len(g.Timeline) != 1 || g.Timeline[0].ID != "pop3-telnet" || g.Timeline[0].First.IsZero() || g.Timeline[0].Passed.Before(g.Timeline[0].First) {
		t.Errorf("group 1's timeline: %+v", g.Timeline)
	}
	wantMistakes := []struct {
		Text  string
		Count int
	}{{"USER/PASS login failed: the password is wrong", 1}}
	if diff := cmp.Diff(wantMistakes, g.Mistakes); diff != "" {
		t.Errorf("group 1's mistakes (-want +got):\n%s", diff)
	}
	if len(v.Groups[1].Timeline) != 0 || len(v.Groups[1].Mistakes) != 0 {
		t.Errorf("group 2 did nothing, yet: %+v", v.Groups[1])
	}
}

// --probe against a class whose group 2 answers SMTP wrongly: the table of
// probes, and for each failed one what it expected and what came back;
// the probes change no grade.
func TestGradeProbe(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g2 := lab.Groups[2]
	smtpAddr := g2.SMTPAddr()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	g2.Server.Shutdown(ctx)
	cancel()
	fakeSMTP(t, smtpAddr)

	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, lang: i18n.En}
	err := runGrade(context.Background(), e, gradeOptions{classroom: lab.ClassroomPath, probe: true, probeWait: 5 * time.Second, verbose: true})
	if err != nil {
		t.Fatalf("lab grade --probe: %v\n%s", err, errOut.String())
	}
	got := normalizeGrade(out.String())
	for _, want := range []string{
		`Server probes (--probe)
group  pop3-greeting  pop3-capa  pop3-apop-fake  smtp-greeting  smtp-ehlo  smtp-postmaster  relay
g1           ✓            ✓            ✓               ✓            ✓             ✓           ✗
g2           ✗            ✗            ✗               ✓            ✗             ✗           ✗
g3           ✓            ✓            ✓               ✓            ✓             ✓           ✗
`,
		"  ✗ g1 relay-g2\n      expected: a probe handed to group 1's server reaches group 2's postmaster within 5s\n      got:      group 1's relay gave up: ",
		"  ✗ g2 pop3-apop-fake\n      expected: APOP of the made-up user grade-probe-",
		"  ✗ g2 relay-g1\n      expected: group 2's server takes a message for group 1's postmaster\n      got:      502 5.5.2 nothing here\n",
		"  ✗ g2 smtp-ehlo\n      expected: the SMTP server at 127.0.1.2:PORT answers EHLO with 250\n      got:      502 5.5.2 nothing here\n",
		"  ✗ g2 pop3-greeting\n      expected: the POP3 server at 127.0.1.2:PORT greets with +OK and an RFC 1939 timestamp <…@…>\n      got:      dial tcp 127.0.1.2:PORT: connect: connection refused\n",
		"g1     1–3           ✗            ✗            ✗           ✗           ✗            ✗        0/6\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lab grade --probe does not say:\n%s\nin:\n%s", want, got)
		}
	}
	if strings.Contains(got, "✗ g1 relay-g3") || strings.Contains(got, "✗ g3 relay-g1") {
		t.Errorf("a healthy relay failed:\n%s", got)
	}

	// the JSON names each probe
	out.Reset()
	err = runGrade(context.Background(), e, gradeOptions{classroom: lab.ClassroomPath, probe: true, probeWait: 5 * time.Second, format: "json"})
	var v struct {
		Groups []struct {
			Group  int `json:"group"`
			Probes []struct {
				Name, Expected, Got string
				Passed              bool
			} `json:"probes"`
		} `json:"groups"`
	}
	if err != nil || json.Unmarshal(out.Bytes(), &v) != nil || len(v.Groups) != 3 {
		t.Fatalf("lab grade --probe --json: %v\n%s", err, out.String())
	}
	passed := map[string]bool{}
	for _, p := range v.Groups[0].Probes {
		passed[p.Name] = p.Passed
	}
	wantPassed := map[string]bool{"pop3-greeting": true, "pop3-capa": true, "pop3-apop-fake": true, "smtp-greeting": true,
		"smtp-ehlo": true, "smtp-postmaster": true, "relay-g2": false, "relay-g3": true}
	if diff := cmp.Diff(wantPassed, passed); diff != "" {
		t.Errorf("group 1's probes (-want +got):\n%s", diff)
	}
}

// --serve: the dashboard answers while lab grade runs, changes nothing,
// and when it stops lab grade prints the grades.
func TestGradeServe(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1, 2}})
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, lang: i18n.En}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runGrade(ctx, e, gradeOptions{classroom: lab.ClassroomPath, serve: "127.0.0.1:0", format: "csv",
			interval: 100 * time.Millisecond, served: func(a string) { addrs <- a }})
	}()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("lab grade --serve ended: %v\n%s", err, errOut.String())
	}
	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, "http://"+addr+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("GET", "/api/snapshot")
	var snap struct {
		Groups []struct {
			Group int `json:"group"`
		} `json:"groups"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &snap) != nil || len(snap.Groups) != 2 {
		t.Errorf("GET /api/snapshot: %d %s", code, body)
	}
	if code, _ := get("GET", "/"); code != 200 {
		t.Errorf("GET /: %d", code)
	}
	if code, _ := get("POST", "/api/snapshot"); code != 405 {
		t.Errorf("POST /api/snapshot: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "class dashboard: http://"+addr+"/") || !strings.HasPrefix(out.String(), "group,domain,cluster,") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
}

// fakeSMTP listens at addr and answers like no mail server: a greeting,
// then 502 to everything.
func fakeSMTP(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(30 * time.Second))
				io.WriteString(c, "220 fake.invalid ESMTP not a mail server\r\n")
				r := bufio.NewReader(c)
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.EqualFold(strings.TrimSpace(l), "QUIT") {
						io.WriteString(c, "221 bye\r\n")
						return
					}
					io.WriteString(c, "502 5.5.2 nothing here\r\n")
				}
			}()
		}
	}()
}

// A classroom file whose clusters leave a group out is refused by lab
// grade and lab doctor alike, naming the group and the line; a file with
// no name is graded under its domain.
func TestGradeClassroomFile(t *testing.T) {
	t.Parallel()
	path, _ := writeClassroom(t, 3)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(name string, f func(string) string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(f(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leftOut := edit("left-out.toml", func(s string) string { return strings.Replace(s, "[[1, 2, 3]]", "[[1, 2]]", 1) })
	noName := edit("no-name.toml", func(s string) string { return regexp.MustCompile(`(?m)^name = .*\n`).ReplaceAllString(s, "") })
	en := map[string]string{"LANG": "en_US.UTF-8"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"grade, a group in no cluster", []string{"grade", "--classroom", leftOut}, 1, "",
			"left-out.toml:6: group 3 (line 23) is in no cluster: add it to one of clusters [[1 2]]"},
		{"doctor, a group in no cluster", []string{"doctor", "--classroom", leftOut, "--group", "1"}, 1, "",
			"left-out.toml:6: group 3 (line 23) is in no cluster"},
		{"no name", []string{"grade", "--classroom", noName}, 1, "maillab grades — lab.test (3 groups, ", "could not grade"},
	}
	for _, tt := range tests {
		code, out, errOut := runLab(t, "", en, tt.args...)
		if code != tt.wantCode || !strings.HasPrefix(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%s: exit %d (want %d)\nstdout: %s(want it to begin %q)\nstderr: %s(want it to say %q)", tt.name, code, tt.wantCode, out, tt.wantOut, errOut, tt.wantErr)
		}
	}
}

// lab grade and lab ca take the classroom file from $MAILLAB_CLASSROOM
// when --classroom is not given; --classroom wins over it.
func TestGradeAndCAClassroomFromEnv(t *testing.T) {
	t.Parallel()
	path, _ := writeClassroom(t, 1) // nothing runs there: grading reads nothing
	missing := path + ".missing"
	tests := []struct {
		name     string
		env      string
		args     []string
		wantCode int
		wantOut  string // in stdout
		wantErr  string // in stderr
	}{
		{"grade, no file at all", "", []string{"grade"}, 2, "", "give the classroom file with --classroom FILE"},
		{"grade, the variable's file", path, []string{"grade", "--csv"}, 1,
			"1,g1.", "no group's server could be reached"},
		{"grade, the variable's missing file", missing, []string{"grade"}, 1, "", "cannot read the classroom file " + missing},
		{"grade, --classroom wins", missing, []string{"grade", "--classroom", path, "--csv"}, 1,
			",tls-telnet,apop-weakness,extensions_passed\n", "no group's server could be reached"},
		{"ca, no file at all", "", []string{"ca"}, 2, "", "lab ca needs --classroom FILE or $MAILLAB_CLASSROOM"},
		{"ca, the variable's missing file", missing, []string{"ca"}, 1, "", "cannot read the classroom file " + missing},
		{"ca, the variable's file", path, []string{"ca"}, 0, "Issued certificates for: g1", ""},
	}
	for _, tt := range tests {
		vars := map[string]string{"LANG": "en_US.UTF-8"}
		if tt.env != "" {
			vars["MAILLAB_CLASSROOM"] = tt.env
		}
		code, out, errOut := runLab(t, "", vars, tt.args...)
		got := struct {
			Code     int
			Out, Err bool
		}{code, strings.Contains(out, tt.wantOut), strings.Contains(errOut, tt.wantErr)}
		want := struct {
			Code     int
			Out, Err bool
		}{tt.wantCode, true, true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s\nstdout: %s\nstderr: %s", tt.name, diff, out, errOut)
		}
	}
}
