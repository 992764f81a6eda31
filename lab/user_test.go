package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
	"maillab/server/classroom"
)

// python runs a short Python program with a real mail client library and
// returns its output and whether it exited 0.
func python(t *testing.T, program string, args ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testenv.NeedTool(t, "python3"), append([]string{"-c", program}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// pyPOPLogin logs in with poplib (USER/PASS) and prints the message count.
const pyPOPLogin = `
import poplib, sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
p.user(sys.argv[3])
p.pass_(sys.argv[4])
print("messages", p.stat()[0])
p.quit()
`

// pySMTPSend sends one message with smtplib and prints the refused recipients.
const pySMTPSend = `
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10)
try:
    s.sendmail("bob@g2.lab.test", [sys.argv[3]], "Subject: hi\r\n\r\nhello\r\n")
    print("sent")
except smtplib.SMTPRecipientsRefused as e:
    for addr, (code, msg) in e.recipients.items():
        print("refused", code, msg.decode())
s.quit()
`

// Every account command names the data folder it uses, and warns when no
// server uses that folder (its server.lock is not held), as happens when
// the server runs with another --data.
func TestUserCommandsShowTheirFolder(t *testing.T) {
	t.Parallel()
	served := startToolServer(t) // group 3, with yom and hana
	unserved := t.TempDir()
	en := map[string]string{"LANG": "en_US.UTF-8"}
	ja := map[string]string{"LANG": "ja_JP.UTF-8"}
	for _, root := range []string{unserved} {
		if code, _, errOut := runLab(t, "tanstaaf\n", en, "user", "add", "yom", "--group", "3", "--data", root); code != 0 {
			t.Fatal(errOut)
		}
	}
	tests := []struct {
		name     string
		root     string
		vars     map[string]string
		stdin    string
		args     []string
		wantOut  string // a line of stdout
		wantWarn string // "" when the folder is served: no warning
	}{
		{"add, served", served.root, en, "secret1\n", []string{"user", "add", "carol", "--group", "3"},
			"data folder: " + filepath.Join(served.root, "g3"), ""},
		{"add, not served", unserved, en, "secret1\n", []string{"user", "add", "carol", "--group", "3"},
			"data folder: " + filepath.Join(unserved, "g3"),
			"note: no server is using " + filepath.Join(unserved, "g3") + " now; if the group's server runs with another --data, it will not see this change."},
		{"passwd, served", served.root, en, "secret2\n", []string{"user", "passwd", "carol"},
			"data folder: " + filepath.Join(served.root, "g3"), ""},
		{"passwd, not served, Japanese", unserved, ja, "secret2\n", []string{"user", "passwd", "carol"},
			"データの置き場所: " + filepath.Join(unserved, "g3"),
			"注意: " + filepath.Join(unserved, "g3") + " を使っているサーバは今ありません。班のサーバが別の --data で動いているなら、この変更はそちらには届きません。"},
		{"list, served", served.root, en, "", []string{"user", "list"},
			"  data folder: " + filepath.Join(served.root, "g3"), ""},
		{"list, not served", unserved, en, "", []string{"user", "list"},
			"  data folder: " + filepath.Join(unserved, "g3"), "note: no server is using " + filepath.Join(unserved, "g3")},
		{"del, served", served.root, en, "", []string{"user", "del", "carol"},
			"data folder: " + filepath.Join(served.root, "g3"), ""},
		{"del, not served", unserved, en, "", []string{"user", "del", "carol"},
			"data folder: " + filepath.Join(unserved, "g3"), "note: no server is using " + filepath.Join(unserved, "g3")},
	}
	for _, tt := range tests { // in order: each step builds on the one before
		code, out, errOut := runLab(t, tt.stdin, tt.vars, append(tt.args, "--data", tt.root)...)
		if code != 0 {
			t.Errorf("%s: exit %d\n%s%s", tt.name, code, out, errOut)
			continue
		}
		if !strings.Contains("\n"+out, "\n"+tt.wantOut+"\n") {
			t.Errorf("%s: stdout has no line %q:\n%s", tt.name, tt.wantOut, out)
		}
		warned := strings.Contains(errOut, "no server is using") || strings.Contains(errOut, "使っているサーバは今ありません")
		if tt.wantWarn == "" && warned {
			t.Errorf("%s: warned though the server runs:\n%s", tt.name, errOut)
		}
		if tt.wantWarn != "" && !strings.Contains(errOut, tt.wantWarn) {
			t.Errorf("%s: stderr does not warn %q:\n%s", tt.name, tt.wantWarn, errOut)
		}
	}
}

// lab user del while the server runs: the server rereads the accounts
// file, so the user can no longer log in and mail to them is refused; the
// mail is kept aside unless --purge.
func TestUserDelWhileServing(t *testing.T) {
	t.Parallel()
	s := startToolServer(t)
	en := map[string]string{"LANG": "en_US.UTF-8"}
	// logins are case-insensitive, as before
	if out, ok := python(t, pyPOPLogin, s.popHost, s.popPort, "HANA", toolUsers["hana"]); !ok || !strings.Contains(out, "messages 1") {
		t.Fatalf("POP3 login of HANA before del: %s", out)
	}
	now := time.Now()
	code, out, errOut := runLab(t, "", en, "user", "del", "hana", "--data", s.root)
	if code != 0 {
		t.Fatalf("user del: exit %d\n%s%s", code, out, errOut)
	}
	kept, _ := filepath.Glob(filepath.Join(s.root, "g3", "deleted", "hana-*"))
	if len(kept) != 1 {
		t.Fatalf("kept aside: %v", kept)
	}
	if stamp := strings.TrimPrefix(filepath.Base(kept[0]), "hana-"); stamp != now.Format("20060102-150405") && stamp != time.Now().Format("20060102-150405") {
		t.Errorf("kept as %s, want hana-YYYYMMDD-HHMMSS of now", kept[0])
	}
	if want := "deleted hana@g3.lab.test; its mail is kept in " + kept[0] + "\n"; !strings.HasSuffix(out, want) {
		t.Errorf("stdout %q, want it to end %q", out, want)
	}
	if welcome, _ := filepath.Glob(filepath.Join(kept[0], "new", "*")); len(welcome) != 1 {
		t.Errorf("the welcome message was not kept: %v", welcome)
	}
	if _, err := os.Stat(filepath.Join(s.root, "g3", "mail", "hana")); !os.IsNotExist(err) {
		t.Errorf("the Maildir is still in mail/: %v", err)
	}
	if out, ok := python(t, pyPOPLogin, s.popHost, s.popPort, "hana", toolUsers["hana"]); ok || !strings.Contains(out, "-ERR") {
		t.Errorf("POP3 login of a deleted user: %s", out)
	}
	if out, _ := python(t, pySMTPSend, s.smtpHost, s.smtpPort, "hana@g3.lab.test"); !strings.Contains(out, "refused 550 5.1.1") {
		t.Errorf("mail to a deleted user: %s", out)
	}
	// yom, still there, receives; then --purge leaves nothing
	if out, _ := python(t, pySMTPSend, s.smtpHost, s.smtpPort, "yom@g3.lab.test"); !strings.Contains(out, "sent") {
		t.Errorf("mail to yom: %s", out)
	}
	code, out, errOut = runLab(t, "", en, "user", "del", "--purge", "--data", s.root, "yom")
	if code != 0 || !strings.HasSuffix(out, "deleted yom@g3.lab.test and its mail (--purge).\n") {
		t.Errorf("user del --purge: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(s.root, "g3", "mail", "yom")); !os.IsNotExist(err) {
		t.Errorf("purged Maildir still there: %v", err)
	}
	if gone, _ := filepath.Glob(filepath.Join(s.root, "g3", "deleted", "yom-*")); len(gone) != 0 {
		t.Errorf("purged Maildir kept: %v", gone)
	}
	if out, ok := python(t, pyPOPLogin, s.popHost, s.popPort, "yom", toolUsers["yom"]); ok || !strings.Contains(out, "-ERR") {
		t.Errorf("POP3 login of a purged user: %s", out)
	}
	accounts, err := os.ReadFile(filepath.Join(s.root, "g3", "accounts"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(accounts), "hana:") || strings.Contains(string(accounts), "yom:") {
		t.Errorf("accounts file after del:\n%s", accounts)
	}
	s.stop(t)
	var deletions []string
	for _, ev := range s.events(t, "account") {
		if ev.Result == "deleted" {
			deletions = append(deletions, ev.User)
		}
	}
	if diff := cmp.Diff([]string{"hana", "yom"}, deletions); diff != "" {
		t.Errorf("journalled deletions (-want +got):\n%s", diff)
	}
	journal, _ := os.ReadFile(s.data.JournalPath())
	for _, pw := range toolUsers {
		if strings.Contains(string(journal), pw) {
			t.Errorf("journal contains a password")
		}
	}
}

// What lab user del and add refuse, with the reason, in both languages.
func TestUserRefusals(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	en := map[string]string{"LANG": "en_US.UTF-8"}
	ja := map[string]string{"LANG": "ja_JP.UTF-8"}
	if code, _, errOut := runLab(t, "secret1\n", en, "user", "add", "yom", "--group", "3", "--data", root); code != 0 {
		t.Fatal(errOut)
	}
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"upper case refused", en, []string{"user", "add", "Carol"}, 2,
			`user name "Carol" has upper case; user names are kept in lower case, so use lower case: carol`},
		{"upper case refused, Japanese", ja, []string{"user", "add", "Carol"}, 2,
			`ユーザ名 "Carol" に大文字があります。ユーザ名は小文字で保存されるので、小文字で指定してください: carol`},
		{"upper case in passwd", en, []string{"user", "passwd", "YOM"}, 2, "so use lower case: yom"},
		{"upper case in del", en, []string{"user", "del", "Yom"}, 2, "so use lower case: yom"},
		{"a bad name stays a bad name", en, []string{"user", "add", "Ca/rol"}, 1, `"Ca/rol" cannot be a user name`},
		{"postmaster", en, []string{"user", "del", "postmaster"}, 1, "postmaster cannot be deleted"},
		{"postmaster, Japanese", ja, []string{"user", "del", "postmaster"}, 1, "postmaster は消せません"},
		{"no such user", en, []string{"user", "del", "carol"}, 1, "group 3 has no user carol"},
		{"two names", en, []string{"user", "del", "yom", "hana"}, 2, "give one user name"},
		{"all groups without the classroom", en, []string{"user", "add", "inst", "--all-groups"}, 2, "--all-groups needs the classroom file: --classroom FILE"},
		{"classroom without all groups", en, []string{"user", "add", "inst", "--classroom", "c.toml"}, 2, "lab user add takes --classroom only with --all-groups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runLab(t, "secret2\n", tt.vars, append(tt.args, "--data", root)...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain %q (stdout %q)", code, tt.wantCode, errOut, tt.wantErr, out)
			}
		})
	}
	list, _ := os.ReadFile(filepath.Join(root, "g3", "accounts"))
	if strings.Contains(strings.ToLower(string(list)), "carol") || !strings.Contains(string(list), "yom:secret1\n") {
		t.Errorf("accounts after the refusals:\n%s", list)
	}
}

// The instructor's own account in every group at once: one password, each
// group's folder named, under the classroom's data root unless --data.
func TestUserAddAllGroups(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := classroom.DefaultInit
	o.Groups, o.Data = 3, "class-data"
	b, err := classroom.Init(o)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "class.toml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	en := map[string]string{"LANG": "en_US.UTF-8"}
	root := filepath.Join(dir, "class-data")
	code, out, errOut := runLab(t, "teach3r\n", en, "user", "add", "inst", "--all-groups", "--classroom", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var want strings.Builder
	for _, g := range []string{"1", "2", "3"} {
		want.WriteString("group " + g + "\ndata folder: " + filepath.Join(root, "g"+g) + "\ncreated inst@g" + g + ".lab.test; a welcome message is waiting in the mailbox.\n")
	}
	if diff := cmp.Diff(want.String(), out); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	for _, g := range []string{"g1", "g2", "g3"} {
		accounts, err := os.ReadFile(filepath.Join(root, g, "accounts"))
		if err != nil || !strings.Contains(string(accounts), "\ninst:teach3r\n") {
			t.Errorf("%s accounts: %v\n%s", g, err, accounts)
		}
	}
	// again: every group has it already; nothing changes, exit 1
	code, _, errOut = runLab(t, "other1\n", en, "user", "add", "inst", "--all-groups", "--classroom", path)
	if code != 1 || !strings.Contains(errOut, "user inst already existed in groups 1, 2, 3") {
		t.Errorf("second time: exit %d\n%s", code, errOut)
	}
	// --data wins over the classroom's data
	other := t.TempDir()
	if code, out, errOut = runLab(t, "teach3r\n", en, "user", "add", "--data", other, "--all-groups", "inst", "--classroom", path); code != 0 || !strings.Contains(out, "data folder: "+filepath.Join(other, "g2")+"\n") {
		t.Errorf("with --data: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut = runLab(t, "teach3r\n", en, "user", "add", "inst", "--all-groups", "--group", "2", "--classroom", path); code != 2 || !strings.Contains(errOut, "--all-groups and --group cannot be used together") {
		t.Errorf("with --group: exit %d\n%s", code, errOut)
	}
}

// lab classroom init's flags reach the file, which loads back with them.
func TestClassroomInitFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		wantLines []string
		wantCode  int
		wantErr   string
	}{
		{"english", []string{"--lang", "en"},
			[]string{`name = "Information systems lab: mail servers"`, `lang = "en"`, "# Group N's mail domain is gN.<domain>. In a real lab, set each host to"}, 0, ""},
		{"japanese", []string{"--lang", "ja"},
			[]string{`name = "情報システム工学実験 メールサーバ"`, `lang = "ja"`, "# N 班のメールドメインは gN.<domain> です。実際の実験室では、各 host を"}, 0, ""},
		{"no lang: no lang line, the name as before", nil,
			[]string{`name = "情報システム工学実験 メールサーバ"`}, 0, ""},
		{"ports and data", []string{"--smtp-port", "25", "--pop3-port", "110", "--web-port", "8080", "--data", "/srv/maillab"},
			[]string{"smtp = 25", "pop3 = 110", "web  = 8080", `data = "/srv/maillab"`}, 0, ""},
		{"a port twice", []string{"--web-port", "1110"}, nil, 2, "--web-port 1110: the same port as --pop3-port"},
		{"a port out of range", []string{"--smtp-port", "0"}, nil, 2, "--smtp-port 0: a port is 1 to 65535"},
		{"a port too high", []string{"--pop3-port", "70000"}, nil, 2, "--pop3-port 70000: a port is 1 to 65535"},
		{"an unknown language", []string{"--lang", "fr"}, nil, 2, `--lang "fr": ja or en`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runLab(t, "", map[string]string{"LANG": "en_US.UTF-8"}, append([]string{"classroom", "init", "--groups", "3"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.wantCode, errOut)
			}
			if tt.wantCode != 0 {
				return
			}
			for _, l := range tt.wantLines {
				if !strings.Contains("\n"+out, "\n"+l+"\n") {
					t.Errorf("no line %q in:\n%s", l, out)
				}
			}
			if tt.args == nil && strings.Contains(out, "\nlang =") {
				t.Errorf("a lang line without --lang:\n%s", out)
			}
			if _, err := classroom.Parse("out.toml", []byte(out)); err != nil {
				t.Errorf("does not load: %v\n%s", err, out)
			}
		})
	}
}
