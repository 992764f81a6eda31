package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"maillab/checker"
	"maillab/checker/checkertest"
	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/server/evidence"
	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/web"
)

var en = map[string]string{"LANG": "en_US.UTF-8"}

// pace and gap: the tests type a line every 150ms and count 75ms as
// human; a pause is a lower bound, so typed sessions pass however loaded
// the machine, and clients at machine speed stay far below.
const (
	pace = 150 * time.Millisecond
	gap  = "75ms"
)

func typePOP3(t *testing.T, lab *checkertest.Lab, from, to int, delay time.Duration, user string, lines ...string) {
	t.Helper()
	g := lab.Groups[to]
	checkertest.Type(t, checkertest.Session{From: checkertest.Host(from), Addr: g.POP3Addr(), Delay: delay,
		Secret: g.Passwords[user], Lines: lines})
}

func typeSMTP(t *testing.T, lab *checkertest.Lab, from, to int, delay time.Duration, lines ...string) {
	t.Helper()
	checkertest.Type(t, checkertest.Session{From: checkertest.Host(from), Addr: lab.Groups[to].SMTPAddr(), Delay: delay, Lines: lines})
}

// checkJSON is the spec's shape of `lab check --json`.
type checkJSON struct {
	Group     int `json:"group"`
	Exercises []struct {
		ID     string `json:"id"`
		Passed bool   `json:"passed"`
		Detail string `json:"detail"`
	} `json:"exercises"`
}

type exerciseJSON = struct {
	ID     string `json:"id"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
}

var median = regexp.MustCompile(`(median of |中央値 )[0-9.]+(µs|ms|s)`)

func decodeCheck(t *testing.T, out string) checkJSON {
	t.Helper()
	// more fields may be added to the spec's shape: decode leniently, but
	// make sure it is one object
	var got checkJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var any map[string]any
	if err := json.Unmarshal([]byte(out), &any); err != nil || len(any) != 2 {
		t.Errorf("not one object of group and exercises: %v", any)
	}
	for i := range got.Exercises {
		got.Exercises[i].Detail = median.ReplaceAllString(got.Exercises[i].Detail, "${1}X")
	}
	return got
}

// The whole guided round in a 3-group classroom: each step done by hand
// (or by a client where that is allowed) turns its exercise to passed in
// `lab check --json`, whose shape and exit codes are the spec's.
func TestCheckCommand(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	root, class := lab.Root, lab.ClassroomPath
	check := func(args ...string) (int, checkJSON, string) {
		t.Helper()
		args = append([]string{"check"}, args...)
		args = append(args, "--group", "3", "--classroom", class, "--data", root, "--json", "--hand-gap", gap)
		code, out, errOut := runLab(t, "", en, args...)
		return code, decodeCheck(t, out), errOut
	}
	code, got, errOut := check()
	want := checkJSON{Group: 3, Exercises: []exerciseJSON{
		{"pop3-telnet", false, "No POP3 session from your group to your server has been recorded yet. Connect with telnet and log in with user and pass (lab show pop3-telnet)."},
		{"apop-telnet", false, "No POP3 session from your group to your server has been recorded yet. Connect with telnet and log in with apop (lab show apop-telnet)."},
		{"smtp-telnet", false, "No SMTP session from your group's machine has been recorded yet. Connect to the SMTP server with telnet (lab show smtp-telnet)."},
		{"cross-send", false, "No mail from a member of your group (…@g3.lab.test) has reached groups 1 or 2 yet (lab show cross-send)."},
		{"cross-apop", false, "No session to your POP3 server from the machine of groups 1 or 2 has been recorded yet (lab show cross-apop)."},
		{"envelope-bcc", false, "No member of your group has received mail yet (the kit's messages do not count). Send one as lab show envelope-bcc shows."},
	}}
	if diff := cmp.Diff(want, got); code != 1 || diff != "" {
		t.Fatalf("at the start: exit %d (-want +got):\n%s%s", code, diff, errOut)
	}

	// task 1, typed by hand at group 3's machine
	typePOP3(t, lab, 3, 3, pace, "yom", "user yom", "pass "+lab.Groups[3].Passwords["yom"], "list", "retr 1", "quit")
	typePOP3(t, lab, 3, 3, pace, "yom", "apop yom {digest}", "retr 1", "quit")
	typeSMTP(t, lab, 3, 3, pace, "helo pc3.example", "mail from:<yom@g3.lab.test>", "rcpt to:<hana@g3.lab.test>",
		"rcpt to:<taro@g3.lab.test>", "data", "To: hana@g3.lab.test", "Subject: typed", "", "hello", ".", "quit")
	typePOP3(t, lab, 3, 3, 0, "taro", "user taro", "pass "+lab.Groups[3].Passwords["taro"], "retr 2", "quit")
	// task 2: to group 2's taro, who reads it; task 3: from group 1's machine
	typeSMTP(t, lab, 3, 2, 0, "helo g3", "mail from:<yom@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "data",
		"To: taro@g2.lab.test", "", "hello group 2", ".", "quit")
	typePOP3(t, lab, 2, 2, 0, "taro", "user taro", "pass "+lab.Groups[2].Passwords["taro"], "retr 2", "quit")
	typePOP3(t, lab, 1, 3, 0, "yom", "apop yom {digest}", "retr 1", "quit")

	code, got, errOut = check()
	want = checkJSON{Group: 3, Exercises: []exerciseJSON{
		{"pop3-telnet", true, "yom logged in by hand with USER/PASS, listed, retrieved with RETR and ended with QUIT (a median of X between commands)."},
		{"apop-telnet", true, "yom logged in by hand with APOP, retrieved with RETR and ended with QUIT (a median of X between commands)."},
		{"smtp-telnet", true, "A message from yom@g3.lab.test, typed by hand in SMTP, was accepted by group 3's server (a median of X between commands)."},
		{"cross-send", true, "Mail from yom@g3.lab.test to taro@g2.lab.test reached group 2, and the recipient read it with RETR."},
		{"cross-apop", true, "yom logged in with APOP from the machine of group 1 and retrieved a message with RETR."},
		{"envelope-bcc", true, "taro received a message as a Bcc recipient, in neither To nor Cc (To/Cc: hana@g3.lab.test), and read it with RETR."},
	}}
	if diff := cmp.Diff(want, got); code != 0 || diff != "" {
		t.Errorf("all done: exit %d (-want +got):\n%s%s", code, diff, errOut)
	}

	// one exercise, the flags after its id
	code, out, _ := runLab(t, "", en, "check", "pop3-telnet", "--group", "3", "--data", root, "--hand-gap", gap, "--json")
	if got := decodeCheck(t, out); code != 0 || len(got.Exercises) != 1 || !got.Exercises[0].Passed {
		t.Errorf("check pop3-telnet: exit %d, %+v", code, got)
	}
	// the by-hand threshold above the typing pace: the typed sessions are too fast
	code, out, _ = runLab(t, "", en, "check", "pop3-telnet", "--group", "3", "--data", root, "--json", "--hand-gap", "10s")
	if got := decodeCheck(t, out); code != 1 || !strings.Contains(got.Exercises[0].Detail, "too fast to be typed by hand") {
		t.Errorf("with --hand-gap 10s: exit %d, %+v", code, got)
	}
	// the threshold from the environment
	code, _, _ = runLab(t, "", map[string]string{"LANG": "en_US.UTF-8", "MAILLAB_HAND_GAP": "10s"}, "check", "apop-telnet", "--group", "3", "--data", root)
	if code != 1 {
		t.Errorf("MAILLAB_HAND_GAP=10s: exit %d, want 1", code)
	}

	// group 3's data not on this machine: its evidence comes from its server
	code, out, errOut = runLab(t, "", en, "check", "cross-apop", "--group", "3", "--classroom", class, "--data", t.TempDir(), "--json")
	if got := decodeCheck(t, out); code != 0 || !got.Exercises[0].Passed {
		t.Errorf("own evidence from the web API: exit %d, %+v %s", code, got, errOut)
	}

	// group 2's server down: cross-send cannot be checked (exit 2); the
	// rest still can
	lab.Groups[2].Web.Shutdown(context.Background())
	code, out, _ = runLab(t, "", en, "check", "cross-send", "--group", "3", "--classroom", class, "--data", root, "--json")
	if got := decodeCheck(t, out); code != 2 || got.Exercises[0].Passed || !strings.HasPrefix(got.Exercises[0].Detail, "The server of group 2 is not reachable") {
		t.Errorf("group 2 down: exit %d, %+v", code, got)
	}
	code, out, _ = runLab(t, "", en, "check", "--group", "3", "--classroom", class, "--data", root, "--hand-gap", gap)
	if code != 2 || !strings.Contains(out, "  ? cross-send ") || !strings.Contains(out, "Some exercises could not be checked (exit code 2).") {
		t.Errorf("group 2 down, all: exit %d\n%s", code, out)
	}
}

// Clients at machine speed do not pass the by-hand exercises — unless the
// threshold is 0s.
func TestCheckMachineSpeed(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{3}, NoWeb: true})
	pw := lab.Groups[3].Passwords["yom"]
	typePOP3(t, lab, 3, 3, 0, "yom", "user yom", "pass "+pw, "stat", "retr 1", "quit")
	code, out, _ := runLab(t, "", en, "check", "pop3-telnet", "--group", "3", "--data", lab.Root, "--json")
	if got := decodeCheck(t, out); code != 1 || !strings.Contains(got.Exercises[0].Detail, "went too fast to be typed by hand") {
		t.Errorf("default threshold: exit %d, %+v", code, got)
	}
	code, out, _ = runLab(t, "", map[string]string{"MAILLAB_HAND_GAP": "0s"}, "check", "pop3-telnet", "--group", "3", "--data", lab.Root, "--json")
	if got := decodeCheck(t, out); code != 0 || !got.Exercises[0].Passed || !strings.HasPrefix(got.Exercises[0].Detail, "yom が手で USER/PASS でログインし") {
		t.Errorf("MAILLAB_HAND_GAP=0s: exit %d, %+v", code, got)
	}
}

func TestCheckUsage(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "g3"), 0o700)
	os.MkdirAll(filepath.Join(root, "g4"), 0o700)
	tests := []struct {
		args       []string
		wantCode   int
		wantStderr string
	}{
		{[]string{"check", "pop4", "--group", "3", "--data", root}, 2, `no exercise "pop4"; the exercises are pop3-telnet, apop-telnet, smtp-telnet, cross-send, cross-apop, envelope-bcc`},
		{[]string{"check", "pop3-telnet", "smtp-telnet", "--group", "3", "--data", root}, 2, "unexpected arguments: smtp-telnet"},
		{[]string{"check", "--group", "3", "--data", root, "--hand-gap", "fast"}, 2, `cannot read the hand gap "fast"`},
		{[]string{"check", "--data", root}, 2, "does not hold exactly one group"},
		{[]string{"check", "--group", "3", "--data", root, "--classroom", filepath.Join(root, "none.toml")}, 1, "cannot read the classroom file"},
		{[]string{"show"}, 2, "give one exercise or lesson id"},
		{[]string{"show", "pop4"}, 2, `no exercise or lesson "pop4"`},
		{[]string{"hint", "model", "--group", "3", "--data", root}, 2, `no exercise "model"`},
		{[]string{"exercises", "extra"}, 2, "unexpected arguments: extra"},
	}
	for _, tt := range tests {
		code, _, errOut := runLab(t, "", en, tt.args...)
		if code != tt.wantCode || !strings.Contains(errOut, tt.wantStderr) {
			t.Errorf("lab %s: exit %d, want %d; stderr %q, want %q", strings.Join(tt.args, " "), code, tt.wantCode, errOut, tt.wantStderr)
		}
	}
}

// `lab exercises` lists the lessons and the exercises with their marks and
// the next one.
func TestExercisesCommand(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	typePOP3(t, lab, 3, 3, pace, "yom", "user yom", "pass "+lab.Groups[3].Passwords["yom"], "list", "retr 1", "quit")
	lab.Groups[1].Web.Shutdown(context.Background())
	code, out, errOut := runLab(t, "", en, "exercises", "--group", "3", "--classroom", lab.ClassroomPath, "--data", lab.Root, "--hand-gap", gap)
	want := `maillab exercises — group 3 (g3.lab.test)

Read first
  lab show model          The Internet mail model (the global model)
  lab show envelope       The envelope and the contents

Exercises
  ✓ 1. pop3-telnet   Operate the POP3 server by hand with telnet (handout task 1)
  ✗ 2. apop-telnet   Log in with APOP (make the digest with md5sum) (handout task 1)  ← next
  ? 3. smtp-telnet   Send a message by typing SMTP into telnet
  ? 4. cross-send    Send mail to a member of another group, and have them confirm it arrived (handout task 2, with your cluster)
  ✗ 5. cross-apop    Reach your group's APOP server from another group's machine (handout task 3, with your cluster)
  ✗ 6. envelope-bcc  See the envelope differ from the header (Bcc)

Extensions (beyond the handout, counted apart from the six)
  ✗ 1. tls-telnet    Type by hand over TLS (openssl s_client -starttls)
  ✗ 2. apop-weakness What APOP protects, and what it does not (lab crack and TLS)

✓ done  ✗ not yet  ? could not check (another group's server not reachable, …)
1 of 6 done.
Next: lab show apop-telnet   (a hint: lab hint apop-telnet; check: lab check apop-telnet)
`
	if diff := cmp.Diff(want, out); code != 0 || diff != "" {
		t.Errorf("exit %d (-want +got):\n%s%s", code, diff, errOut)
	}
	// in Japanese, without a group: no marks, and where to begin
	code, out, _ = runLab(t, "", nil, "exercises", "--data", t.TempDir(), "--lang", "ja")
	for _, s := range []string{"まず読むもの", "  lab show model          インターネットメールの全体像（Global Model）", "  · 1. pop3-telnet   telnet で POP3 サーバを操作する（資料の課題 1）", "--group 自班の番号 を付けると"} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("exercises in Japanese: exit %d, no %q in\n%s", code, s, out)
		}
	}
}

// `lab show` fills the texts with the group's own values.
func TestShow(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{NoWeb: true})
	g3 := lab.Groups[3]
	smtpHost, smtpPort, _ := net.SplitHostPort(g3.SMTPAddr())
	code, out, _ := runLab(t, "", en, "show", "smtp-telnet", "--group", "3", "--classroom", lab.ClassroomPath, "--data", lab.Root)
	for _, s := range []string{
		"smtp-telnet — Send a message by typing SMTP into telnet (exercise 3 of 6)",
		"  1. Connect with telnet " + smtpHost + " " + smtpPort + ". The server greets you",
		"    $ telnet " + smtpHost + " " + smtpPort + "\n    Trying " + smtpHost + "...",
		"    mail from:<yom@g3.lab.test>\n    250 2.1.0 Ok\n    rcpt to:<hana@g3.lab.test>",
		"Stuck? lab hint smtp-telnet (4 hints, one more each time you ask)",
	} {
		if code != 0 || !strings.Contains(out, s) {
			t.Errorf("show smtp-telnet: exit %d, no %q in\n%s", code, s, out)
		}
	}
	// the cross-group texts name a peer
	_, out, _ = runLab(t, "", en, "show", "cross-apop", "--group", "3", "--classroom", lab.ClassroomPath, "--data", lab.Root, "--lang", "ja")
	if !strings.Contains(out, "1・2・3 班") && !strings.Contains(out, "同じ組（1, 2, 3 班）") {
		t.Errorf("show cross-apop names no cluster:\n%s", out)
	}
	if !strings.Contains(out, "telnet -b 127.0.1.1") {
		t.Errorf("show cross-apop names no peer host:\n%s", out)
	}
	// standalone: where the server last started, from its journal
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "g5"), 0o700)
	os.WriteFile(filepath.Join(root, "g5", journal.FileName), []byte(`{"t":"2026-11-25T10:00:00Z","group":5,"ev":"start","local":"127.0.0.1:2626 127.0.0.1:1210"}`+"\n"), 0o600)
	_, out, _ = runLab(t, "", en, "show", "pop3-telnet", "--data", root)
	if !strings.Contains(out, "Connect with telnet 127.0.0.1 1210.") || !strings.Contains(out, "lab start --group 5 is running") {
		t.Errorf("standalone show:\n%s", out)
	}
	// a lesson
	code, out, _ = runLab(t, "", en, "show", "envelope")
	if code != 0 || !strings.Contains(out, "envelope — The envelope and the contents (lesson 2 of 2)") || !strings.Contains(out, "|  MAIL FROM:<yom@g3.lab.test>") {
		t.Errorf("show envelope: exit %d\n%s", code, out)
	}
}

// `lab hint` shows the next tier each time, remembers it in the group's
// folder, and records in the journal that a hint was used.
func TestHint(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if code, _, errOut := runLab(t, "pw-1234\n", en, "user", "add", "yom", "--group", "3", "--data", root); code != 0 {
		t.Fatal(errOut)
	}
	x, _ := exercises.Lookup("apop-telnet")
	var tiers []string
	for i := 0; i < len(x.Hints)+1; i++ {
		code, out, errOut := runLab(t, "", en, "hint", "apop-telnet", "--data", root) // the one group of the root
		if code != 0 {
			t.Fatalf("hint: exit %d %s", code, errOut)
		}
		tiers = append(tiers, strings.SplitN(out, "\n", 2)[0]+" | "+lastLine(out))
	}
	want := []string{
		"Hint 1 of 4 for apop-telnet | (lab hint apop-telnet again for the next one)",
		"Hint 2 of 4 for apop-telnet | (lab hint apop-telnet again for the next one)",
		"Hint 3 of 4 for apop-telnet | (lab hint apop-telnet again for the next one)",
		"Hint 4 of 4 for apop-telnet | (that was the last hint; see also the sample session in lab show apop-telnet)",
		"Hint 4 of 4 for apop-telnet | (there are no more hints)",
	}
	if diff := cmp.Diff(want, tiers); diff != "" {
		t.Errorf("tiers (-want +got):\n%s", diff)
	}
	// another exercise has its own count; Japanese; the flags before the id
	_, out, _ := runLab(t, "", en, "hint", "--group", "3", "--data", root, "--lang", "ja", "pop3-telnet")
	if !strings.HasPrefix(out, "ヒント 1 / 4（pop3-telnet）\n  POP3 の会話は") {
		t.Errorf("hint in Japanese:\n%s", out)
	}
	b, _ := os.ReadFile(filepath.Join(root, "g3", "hints.json"))
	var seen map[string]int
	if err := json.Unmarshal(b, &seen); err != nil || !cmp.Equal(seen, map[string]int{"apop-telnet": 4, "pop3-telnet": 1}) {
		t.Errorf("hints.json: %s %v", b, err)
	}
	events, _ := journal.ReadFile(filepath.Join(root, "g3", journal.FileName))
	var hints []string
	for _, e := range events {
		if e.Kind == checker.KindHint {
			hints = append(hints, fmt.Sprintf("%s %d g%d", e.ID, e.Count, e.Group))
		}
	}
	if diff := cmp.Diff([]string{"apop-telnet 1 g3", "apop-telnet 2 g3", "apop-telnet 3 g3", "apop-telnet 4 g3", "apop-telnet 4 g3", "pop3-telnet 1 g3"}, hints); diff != "" {
		t.Errorf("journal hint events (-want +got):\n%s", diff)
	}
	// lab check reports the hints used
	_, out, _ = runLab(t, "", en, "check", "apop-telnet", "--group", "3", "--data", root, "--json")
	if !strings.Contains(out, `"hints": 4`) {
		t.Errorf("check does not report the hints:\n%s", out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// `lab doctor` in a running classroom: every finding is good; then a
// peer's web API goes down, and that is a problem with what to do.
func TestDoctorClassroom(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	code, out, errOut := runLab(t, "", en, "doctor", "--group", "3", "--classroom", lab.ClassroomPath, "--data", lab.Root)
	g1, g3 := lab.Groups[1], lab.Groups[3]
	for _, s := range []string{
		"lab doctor — group 3 (g3.lab.test)",
		"  ✓ group 3's data: " + filepath.Join(lab.Root, "g3") + " (3 accounts)",
		"  ✓ your SMTP server is running on " + g3.SMTPAddr(),
		"  ✓ your POP3 server is running on " + g3.POP3Addr(),
		"  ✓ your web server is running on " + g3.Web.Addr().String(),
		"  ✓ group 1's server answers (SMTP " + g1.SMTPAddr() + ", POP3 " + g1.POP3Addr() + ", web " + g1.Web.Addr().String() + ")",
		"  ✓ your clock agrees with group 2's server (",
		"No problems found.",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("doctor: no %q in\n%s", s, out)
		}
	}
	if code != 0 {
		t.Errorf("doctor: exit %d\n%s%s", code, out, errOut)
	}
	// the doctor's sessions are marked as the instructor's probes
	probeSessions := func() map[string]bool {
		seen := map[string]bool{}
		journal.ReadDir(lab.Groups[1].Data.Dir, func(ev journal.Event) error {
			if evidence.IsProbe(ev) {
				seen[ev.Proto] = true
			}
			return nil
		})
		return seen
	}
	// the servers write a session's last lines once they have read them
	for end := time.Now().Add(5 * time.Second); len(probeSessions()) < 2 && time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond)
	}
	if probes := probeSessions(); len(probes) < 2 { // its POP3 and SMTP sessions to group 1
		t.Errorf("group 1's journal marks %v of lab doctor's sessions as probes, want its POP3 and SMTP sessions", probes)
	}
	lab.Groups[2].Web.Shutdown(context.Background())
	code, out, _ = runLab(t, "", map[string]string{"LANG": "ja_JP.UTF-8"}, "doctor", "--group", "3", "--classroom", lab.ClassroomPath, "--data", lab.Root)
	if code != 1 || !regexp.MustCompile(`  ✗ 2 班の web（127\.0\.1\.2:\d+）につながりません（.*connection refused）。その班で lab start が動いているか、ファイアウォールがないか確かめてください。`).MatchString(out) ||
		!strings.Contains(out, "問題が 1 件見つかりました。") {
		t.Errorf("doctor with group 2's web down: exit %d\n%s", code, out)
	}
}

// `lab doctor` standalone: a port taken by another program, a port free,
// tools missing, a clock off.
func TestDoctorStandalone(t *testing.T) {
	t.Parallel()
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	go func() {
		for {
			c, err := other.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			c.Close()
		}
	}()
	free, _ := net.Listen("tcp", "127.0.0.1:0")
	freeAddr := free.Addr().String()
	free.Close()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "g5"), 0o700)
	start := fmt.Sprintf(`{"t":"2026-11-25T10:00:00Z","group":5,"ev":"start","local":"%s %s"}`+"\n", other.Addr(), freeAddr)
	os.WriteFile(filepath.Join(root, "g5", journal.FileName), []byte(start), 0o600)

	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }, lang: i18n.En}
	g := &guide{e: e, root: root, group: 5}
	missing := func(name string) (string, error) {
		if name == "telnet" {
			return "/usr/bin/telnet", nil
		}
		return "", fmt.Errorf("%s: not found", name)
	}
	err = runDoctor(context.Background(), g, doctorOptions{lookPath: missing, now: func() time.Time { return time.Date(1970, 1, 1, 9, 0, 0, 0, time.UTC) }, timeout: 2 * time.Second})
	want := `lab doctor — group 5 (g5.lab.test)
  ✓ telnet is installed (/usr/bin/telnet)
  ! nc (netcat) is not installed; the exercises do not need it (telnet or lab telnet will do).
  ! md5sum is not installed; lab digest '<timestamp>' computes APOP digests too.
  ✓ group 5's data: ` + filepath.Join(root, "g5") + ` (0 accounts)
  ✗ SMTP (` + other.Addr().String() + `) is taken by another program (SSH-2.0-OpenSSH_9.6): stop it, or give lab start another address.
  · POP3 (` + freeAddr + `) is free; the server is not running yet: lab start --group 5
  ✗ this machine's clock says 1970-01-01 09:00:00 UTC: set the time (e.g. sudo timedatectl set-ntp true).

2 problem(s) found.
`
	var ec cli.ExitCoder
	if diff := cmp.Diff(want, out.String()); diff != "" || !errors.As(err, &ec) || ec.ExitCode() != 1 {
		t.Errorf("doctor: %v (-want +got):\n%s", err, diff)
	}
}

// A clock minutes off a peer's server is a problem.
func TestDoctorClockSkew(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1, 2}})
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }, lang: i18n.En}
	g := &guide{e: e, root: lab.Root, group: 1, classroom: lab.Classroom}
	skewed := func() time.Time { return time.Now().Add(-5 * time.Minute) }
	err := runDoctor(context.Background(), g, doctorOptions{lookPath: func(n string) (string, error) { return "/bin/" + n, nil }, now: skewed, timeout: 2 * time.Second})
	if err == nil || !strings.Contains(out.String(), "  ✗ your clock and group 2's server are 5m0s apart: set the time (e.g. sudo timedatectl set-ntp true).") {
		t.Errorf("skewed clock: %v\n%s", err, out.String())
	}
}

// The helpers the lead wires into lab start and lab up: the guide sees the
// server from its start (with its history and its accounts) and the web
// API serves the group's status; a web address in use is a clear failure.
func TestStartGuideAndWeb(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 4, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	var out syncBuffer
	e := &env{stdout: &out, stderr: &out, lang: i18n.En,
		getenv: func(k string) string { return map[string]string{"MAILLAB_HAND_GAP": "50ms"}[k] }}
	guide, err := newLiveGuide(e, e.stdout, nil, map[int]*group.Server{4: srv}, false)
	if err != nil {
		t.Fatal(err)
	}
	srv.Journal().Subscribe(guide.Event)
	made, err := srv.EnsureUsers()
	if err != nil || srv.Start() != nil {
		t.Fatal(err)
	}
	w, err := startWeb(e, srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Shutdown(context.Background()) })
	guide.Greet()
	checkertest.Type(t, checkertest.Session{Addr: srv.POP3Addr().String(), Delay: 100 * time.Millisecond,
		Lines: []string{"user " + made[0].Name, "pass " + made[0].Password, "list", "retr 1", "quit"}})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "✓ Group 4 has done exercise pop3-telnet") {
		if time.Now().After(deadline) {
			t.Fatalf("no announcement:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.HasPrefix(out.String(), "Group 4: 0 of 6 exercises done. Next: pop3-telnet") {
		t.Errorf("greeting:\n%s", out.String())
	}
	st, err := (&web.Client{}).Status(context.Background(), w.Addr().String())
	if err != nil || st.Group != 4 || !cmp.Equal(st.Accounts, []string{"hana", "taro", "yom"}) || st.Listen.POP3 != srv.POP3Addr().String() {
		t.Errorf("status %+v, %v", st, err)
	}
	if _, err := startWeb(e, srv, w.Addr().String()); err == nil || !strings.Contains(err.Error(), "cannot listen on "+w.Addr().String()+" for the web API") {
		t.Errorf("web on a taken address: %v", err)
	}
}

// syncBuffer is a buffer the journal's goroutines write to while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
