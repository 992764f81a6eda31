package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
)

// cliMu serializes runs of the app in tests: urfave/cli v2 applies one
// package-level help flag to every app, which races when two apps parse
// their flags at once. (The lab command runs one app per process.)
var cliMu sync.Mutex

// runLab runs the whole app against buffers.
func runLab(t *testing.T, stdin string, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) string { return vars[k] },
	}
	cliMu.Lock()
	defer cliMu.Unlock()
	code = run(context.Background(), append([]string{"lab"}, args...), e)
	return code, out.String(), errOut.String()
}

func TestDigest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string // substrings
	}{
		{
			name:  "RFC 1939 example, secret on stdin",
			stdin: "tanstaaf", args: []string{"digest", "<1896.697170952@dbc.mtview.ca.us>"},
			wantStdout: "c4c9334bac560ecc979e58001b3e22fb  -\n",
			wantStderr: []string{"printf '%s' '<1896.697170952@dbc.mtview.ca.us>YOUR-PASSWORD' | md5sum", "echo, use -n"},
		},
		{
			name:  "one line from echo: the newline ends the secret",
			stdin: "tanstaaf\n", args: []string{"digest", "<1896.697170952@dbc.mtview.ca.us>", "--lang", "en"},
			wantStdout: "c4c9334bac560ecc979e58001b3e22fb  -\n",
		},
		{
			name:  "timestamp without brackets is warned about",
			stdin: "tanstaaf", args: []string{"digest", "1896.697170952@dbc.mtview.ca.us"},
			wantStdout: "0ba577d66591bc01ade01c3a761fc205  -\n",
			wantStderr: []string{"has no < >"},
		},
		{
			name: "no timestamp", args: []string{"digest"}, wantCode: 2,
			wantStderr: []string{"give one timestamp"},
		},
		{
			name: "no secret", args: []string{"digest", "<a@b>"}, wantCode: 1,
			wantStderr: []string{"no password on standard input"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runLab(t, tt.stdin, map[string]string{"LANG": "en_US.UTF-8"}, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if tt.wantStdout != "" {
				if diff := cmp.Diff(tt.wantStdout, out); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
		})
	}
}

// lab digest prints what md5sum prints for the same bytes.
func TestDigestMatchesMD5Sum(t *testing.T) {
	t.Parallel()
	md5sum := testenv.NeedTool(t, "md5sum")
	for _, c := range []struct{ ts, secret string }{
		{"<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"},
		{"<3386.1036126149@apop.kochi-tech.ac.jp>", "p@ss:w0rd!"},
		{"<9560.1795635722514104@g3.lab.test>", "5pffqjfx"},
	} {
		_, got, _ := runLab(t, c.secret, nil, "digest", c.ts)
		want := runCmd(t, c.ts+c.secret, md5sum)
		if got != want {
			t.Errorf("lab digest %s = %q, md5sum = %q", c.ts, got, want)
		}
	}
}

func TestUserAddListPasswd(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	en := map[string]string{"LANG": "en_US.UTF-8"}
	// flags after the name, as people type them
	code, out, errOut := runLab(t, "secret1\n", en, "user", "add", "yom", "--group", "3", "--data", root)
	if code != 0 || !strings.Contains(out, "created yom@g3.lab.test") {
		t.Fatalf("user add: exit %d\n%s%s", code, out, errOut)
	}
	// flags before the name; the one group of the root is found alone
	if code, out, errOut = runLab(t, "secret2\n", en, "user", "add", "--data", root, "hana"); code != 0 {
		t.Fatalf("user add hana: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = runLab(t, "secret3\n", en, "user", "add", "yom", "--group", "3", "--data", root)
	if code != 1 || !strings.Contains(errOut, "user yom already exists in group 3") {
		t.Errorf("second add: exit %d, %s", code, errOut)
	}
	code, _, errOut = runLab(t, "secret3\n", en, "user", "add", "../../etc", "--group", "3", "--data", root)
	if code != 1 || !strings.Contains(errOut, `"../../etc" cannot be a user name`) {
		t.Errorf("add ../../etc: exit %d, %s", code, errOut)
	}
	code, _, errOut = runLab(t, "a b c\n", en, "user", "add", "taro", "--group", "3", "--data", root)
	if code != 1 || !strings.Contains(errOut, "4 to 128 ASCII characters without spaces") {
		t.Errorf("add with bad password: exit %d, %s", code, errOut)
	}
	code, out, _ = runLab(t, "", en, "user", "list", "--data", root, "--group", "3")
	want := "group 3 (g3.lab.test)\n  data folder: " + filepath.Join(root, "g3") + `
  user             address                      messages
  hana             hana@g3.lab.test             1
  yom              yom@g3.lab.test              1
`
	if diff := cmp.Diff(want, out); code != 0 || diff != "" {
		t.Errorf("user list: exit %d (-want +got):\n%s", code, diff)
	}
	if code, _, errOut = runLab(t, "newsecret\n", en, "user", "passwd", "yom", "--data", root); code != 0 {
		t.Errorf("passwd: exit %d %s", code, errOut)
	}
	accounts, err := os.ReadFile(filepath.Join(root, "g3", "accounts"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(accounts), "yom:newsecret\n") || !strings.Contains(string(accounts), "hana:secret2\n") {
		t.Errorf("accounts file:\n%s", accounts)
	}
	fi, _ := os.Stat(filepath.Join(root, "g3", "accounts"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("accounts mode %v", fi.Mode().Perm())
	}
	journal, _ := os.ReadFile(filepath.Join(root, "g3", "journal.jsonl"))
	for _, secret := range []string{"secret1", "secret2", "newsecret"} {
		if strings.Contains(string(journal), secret) {
			t.Errorf("journal contains the password %q", secret)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"start"}, "give the group number (1 or more) with --group N"},
		{[]string{"start", "--group", "x"}, `invalid value "x" for flag -group`},
		{[]string{"start", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"frobnicate"}, `no such command "frobnicate"`},
		{[]string{"user", "add"}, "give one user name"},
		{[]string{"user", "add", "a", "b"}, "give one user name"},
	}
	for _, tt := range tests {
		code, _, errOut := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("lab %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, errOut, tt.want)
		}
	}
	// and in Japanese
	code, _, errOut := runLab(t, "", map[string]string{"LANG": "ja_JP.UTF-8"}, "start")
	if code != 2 || !strings.Contains(errOut, "--group N で班の番号") {
		t.Errorf("lab start in Japanese: %d %q", code, errOut)
	}
}

func TestReorderArgs(t *testing.T) {
	t.Parallel()
	app := newApp(&env{getenv: func(string) string { return "" }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	tests := []struct{ in, want string }{
		{"lab user add yom --group 3", "lab user add --group 3 yom"},
		{"lab user add --group 3 yom", "lab user add --group 3 yom"},
		{"lab user add yom --group=3 --data /d", "lab user add --group=3 --data /d yom"},
		{"lab start --quiet --group 3", "lab start --quiet --group 3"},
		{"lab digest <a@b> --lang ja", "lab digest --lang ja <a@b>"},
		{"lab digest -- -x", "lab digest -- -x"},
		{"lab", "lab"},
	}
	for _, tt := range tests {
		got := strings.Join(reorderArgs(app, strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("reorderArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
