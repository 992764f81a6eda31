package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/checker/checkertest"
	"maillab/server/evidence"
)

// lab crack finds the password of the test account lab crack --setup made
// from a real APOP exchange with a running server, records only the user
// and the time, and refuses the digest of a normal account.
func TestCrack(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1}, NoWeb: true})
	g := lab.Groups[1]
	en := map[string]string{"LANG": "en_US.UTF-8"}
	code, out, errOut := runLab(t, "", en, "crack", "--setup", "--group", "1", "--data", lab.Root)
	if code != 0 {
		t.Fatalf("setup: exit %d: %s", code, errOut)
	}
	m := regexp.MustCompile(`password is "([^"]+)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("setup printed no password: %q", out)
	}
	weak := m[1]
	capture := checkertest.Type(t, checkertest.Session{From: g.Host, Addr: g.POP3Addr(), Secret: weak,
		Lines: []string{"apop weak1 {digest}", "quit"}})
	if !strings.Contains(capture, "+OK") || strings.Contains(capture, "-ERR") {
		t.Fatalf("the APOP login of weak1 failed:\n%s", capture)
	}
	code, out, errOut = runLab(t, capture, en, "crack", "--group", "1", "--data", lab.Root, "-")
	if code != 0 {
		t.Fatalf("crack: exit %d: %s", code, errOut)
	}
	if want := `Found: the password of weak1 is "` + weak + `"`; !strings.Contains(out, want) {
		t.Errorf("crack printed %q, want it to hold %q", out, want)
	}
	dir := g.Data.Dir
	if c := evidence.ReadCrack(dir); c == nil || c.User != "weak1" {
		t.Errorf("crack kept %+v, want weak1", c)
	}
	st, err := evidence.Load(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Crack == nil || st.Crack.User != "weak1" {
		t.Errorf("the group's evidence holds crack %+v, want weak1", st.Crack)
	}
	digest := regexp.MustCompile(`[0-9a-f]{32}`).FindString(capture)
	journal, err := os.ReadFile(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(journal), `"ev":"crack"`) || strings.Contains(string(journal), digest) {
		t.Errorf("the journal should hold the crack event and never the digest %s", digest)
	}

	// a normal account's digest: refused, whether the capture names the
	// user or only the timestamp and digest are given
	yom := checkertest.Type(t, checkertest.Session{From: g.Host, Addr: g.POP3Addr(), Secret: g.Passwords["yom"],
		Lines: []string{"apop yom {digest}", "quit"}})
	code, _, errOut = runLab(t, yom, en, "crack", "--group", "1", "--data", lab.Root, "-")
	if want := "yom is not a test account of group 1"; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("crack of yom's capture: exit %d, %q; want 1 and %q", code, errOut, want)
	}
	ts := regexp.MustCompile(`<[^<>]+@[^<>]+>`).FindString(yom)
	d := regexp.MustCompile(`[0-9a-f]{32}`).FindString(yom)
	code, _, errOut = runLab(t, "", map[string]string{"LANG": "ja_JP.UTF-8"}, "crack", "--group", "1", "--data", lab.Root, "--timestamp", ts, "--digest", d)
	if want := "1 班のテスト用アカウント"; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("crack of yom's digest: exit %d, %q; want 1 and %q", code, errOut, want)
	}
}

// parseCapture takes the lines as a terminal or tcpdump -A shows them,
// and refuses lines without a timestamp before the APOP line.
func TestParseCapture(t *testing.T) {
	t.Parallel()
	const d = "c4c9334bac560ecc979e58001b3e22fb"
	tests := []struct {
		name, in string
		want     crackInput
		ok       bool
	}{
		{"terminal", "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\napop weak1 " + d + "\n+OK\n",
			crackInput{timestamp: "<1896.697170952@dbc.mtview.ca.us>", digest: d, user: "weak1"}, true},
		{"tcpdump -A", "E..<..@.@....+OK ready <1.2@g3.lab.test>\r\n\n....APOP weak1 " + d + "\r\n",
			crackInput{timestamp: "<1.2@g3.lab.test>", digest: d, user: "weak1"}, true},
		{"no timestamp", "+OK ready\napop weak1 " + d + "\n", crackInput{}, false},
		{"no APOP line", "+OK ready <1.2@g3.lab.test>\nuser weak1\n", crackInput{}, false},
	}
	for _, tt := range tests {
		got, err := parseCapture(strings.NewReader(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok %v", tt.name, err, tt.ok)
			continue
		}
		if tt.ok {
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(crackInput{})); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		}
	}
}
