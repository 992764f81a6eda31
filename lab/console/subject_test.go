package console

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/internal/testenv"
)

// sendJapanese is a Python program that sends, with smtplib, one message
// for each way Japanese mailers write a subject: RFC 2047 B in ISO-2022-JP
// (the classic Japanese mail), Q in UTF-8, B in Shift_JIS and EUC-JP, and a
// raw ISO-2022-JP field as old mailers sent it.
const sendJapanese = `
import smtplib, sys
from email.header import Header
from email import charset
host, port, frm, to = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
q = charset.Charset('utf-8'); q.header_encoding = charset.QP
subjects = [
    Header('日本語の件名', 'iso-2022-jp').encode(),
    Header('件名テスト', q).encode(),
    Header('シフトJIS', 'shift_jis').encode(),
    Header('EUC の件名', 'euc-jp').encode(),
]
s = smtplib.SMTP(host, port, source_address=(sys.argv[5], 0))
for subj in subjects:
    s.sendmail(frm, [to], ('To: %s\r\nSubject: %s\r\n\r\nbody\r\n' % (to, subj)).encode('ascii'))
raw = b'To: ' + to.encode() + b'\r\nSubject: ' + '生の件名'.encode('iso-2022-jp') + b'\r\n\r\nbody\r\n'
s.sendmail(frm, [to], raw)
s.quit()
`

var shownSubject = regexp.MustCompile(`→ subject: (.*?) \(the header carries (.*)\)$`)

// Subjects as Python's email package encodes them reach the console
// decoded, with their raw form beside them.
func TestConsoleDecodesSubjectsFromPython(t *testing.T) {
	t.Parallel()
	python := testenv.NeedTool(t, "python3")
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{3}, NoWeb: true})
	g3 := lab.Groups[3]
	var out syncBuffer
	con := New(&out, i18n.En, false)
	g3.Server.Journal().Subscribe(con.Event)
	host, port, _ := strings.Cut(g3.SMTPAddr(), ":")
	cmd := exec.Command(python, "-c", sendJapanese, host, port, "yom@g3.lab.test", "hana@g3.lab.test", g3.Host)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python: %v\n%s", err, b)
	}
	waitCount(t, &out, "→ subject: ", 5)
	var got []string
	for _, l := range strings.Split(out.String(), "\n") {
		if m := shownSubject.FindStringSubmatch(l); m != nil {
			got = append(got, m[1])
			if strings.ContainsAny(m[2], "\x1b") {
				t.Errorf("a control character reached the console: %q", l)
			}
		}
	}
	want := []string{"日本語の件名", "件名テスト", "シフトJIS", "EUC の件名", "生の件名"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("subjects (-want +got):\n%s\n%s", diff, out.String())
	}
}

// The journal keeps a Subject with its control characters escaped; shown,
// raw ISO-2022-JP is decoded and its raw form escaped once, never doubled.
func TestSubject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		journalled, decoded, raw string
		encoded                  bool
	}{
		{"hello", "hello", "hello", false},
		{`\x1b$BF|K\8l\x1b(B`, "日本語", `\x1b$BF|K\\8l\x1b(B`, true},
		{"=?UTF-8?B?5pel5pys6Kqe?=", "日本語", "=?UTF-8?B?5pel5pys6Kqe?=", true},
		{"=?ISO-2022-JP?Q?=1B$BF|K=5C8l=1B(B?=", "日本語", "=?ISO-2022-JP?Q?=1B$BF|K=5C8l=1B(B?=", true},
	}
	for _, tt := range tests {
		decoded, raw, encoded := Subject(tt.journalled)
		if diff := cmp.Diff([]any{tt.decoded, tt.raw, tt.encoded}, []any{decoded, raw, encoded}); diff != "" {
			t.Errorf("Subject(%q) (-want +got):\n%s", tt.journalled, diff)
		}
	}
}
