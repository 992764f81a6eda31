package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI's answers to bad input: the exit code and the message, exactly
// enough to be sure the user is told what to fix.
func TestCLIBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.toml")
	os.WriteFile(corrupt, []byte("domain = \"lab.test\"\n[[groups]\nid = 1\n"), 0o644)
	small := filepath.Join(dir, "small.toml")
	os.WriteFile(small, []byte("domain = \"lab.test\"\n[[groups]]\nid = 1\nhost = \"127.0.1.1\"\nsmtp = 2525\npop3 = 1110\nweb = 8025\n"), 0o644)
	root := t.TempDir()
	en := map[string]string{"LANG": "en_US.UTF-8"}
	tests := []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"user", "add", "../../etc", "--group", "1", "--data", root}, 1, `"../../etc" cannot be a user name`},
		{"", []string{"user", "add", "Yom/../x", "--group", "1", "--data", root}, 1, `"Yom/../x" cannot be a user name`},
		{"two words\n", []string{"user", "add", "taro", "--group", "1", "--data", root}, 1, "a password must be 4 to 128 ASCII characters without spaces"},
		{"pw\x00nul\n", []string{"user", "add", "taro", "--group", "1", "--data", root}, 1, "a password must be 4 to 128 ASCII characters without spaces"},
		{"", []string{"user", "add", "taro", "--group", "1", "--data", root}, 1, "no password on standard input"},
		{"", []string{"user", "passwd", "nobody", "--group", "1", "--data", root}, 1, "no password on standard input"},
		{"", []string{"start", "--group", "0"}, 2, "give the group number (1 or more) with --group N"},
		{"", []string{"start", "--group", "-3"}, 2, "give the group number (1 or more) with --group N"},
		{"", []string{"start", "--group", "three"}, 2, `invalid value "three" for flag -group`},
		{"", []string{"start", "--group", "1", "extra"}, 2, "unexpected arguments: extra"},
		{"", []string{"start", "--group", "1", "--classroom", filepath.Join(dir, "missing.toml"), "--data", root}, 1, "no such file or directory"},
		{"", []string{"start", "--group", "1", "--classroom", corrupt, "--data", root}, 1, corrupt + ":2: not valid TOML"},
		{"", []string{"start", "--group", "7", "--classroom", small, "--data", root}, 1, "group 7 is not in " + small},
		{"", []string{"start", "--group", "1", "--data", root, "--smtp", "192.0.2.1:25", "--pop3", "127.0.0.1:0"}, 1, "cannot listen on 192.0.2.1:25"},
		{"", []string{"up"}, 2, "give the classroom file with --classroom FILE"},
		{"", []string{"up", "--classroom", corrupt}, 1, "not valid TOML"},
		{"", []string{"digest"}, 2, "give one timestamp"},
		{"", []string{"digest", "<a@b>", "<c@d>"}, 2, "give one timestamp"},
		{"", []string{"queue", "--data", t.TempDir()}, 2, "does not hold exactly one group; give it with --group N"},
		{"", []string{"classroom", "init", "--cluster-size", "0"}, 2, "--cluster-size 0: at least 1"},
		{"", []string{"classroom", "init", "--domain", "Not A Domain"}, 2, `"Not A Domain" is not a domain name`},
		{"", []string{"frobnicate"}, 2, `no such command "frobnicate"`},
		{"", []string{"user", "list", "--data", t.TempDir()}, 1, "holds no group yet"},
	}
	for _, tt := range tests {
		code, _, errOut := runLab(t, tt.stdin, en, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("lab %s: exit %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, errOut, tt.code, tt.want)
		}
	}
}
