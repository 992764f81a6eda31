package checker_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker"
	"maillab/exercises/i18n"
	"maillab/server/classroom"
	"maillab/server/journal"
)

// The classroom of the recordings: groups 1–3 in a cluster, group 4 alone.
const classroomFile = `name = "test"
domain = "lab.test"
clusters = [[1, 2, 3], [4]]
[[groups]]
id = 1
host = "127.0.1.1"
smtp = 2525
pop3 = 1110
web = 8025
[[groups]]
id = 2
host = "127.0.1.2"
smtp = 2525
pop3 = 1110
web = 8025
[[groups]]
id = 3
host = "127.0.1.3"
smtp = 2525
pop3 = 1110
web = 8025
[[groups]]
id = 4
host = "127.0.1.4"
smtp = 2525
pop3 = 1110
web = 8025
`

func testClassroom(t *testing.T) *classroom.Classroom {
	t.Helper()
	c, err := classroom.Parse("classroom.toml", []byte(classroomFile))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// evidence loads a recorded scenario's journals of the groups read; the
// groups in down are unreachable. Account names come from the journals'
// account events, as they would from a data folder.
func evidence(t *testing.T, c *classroom.Classroom, scenario string, read []int, down []int) *checker.Evidence {
	t.Helper()
	ev := checker.NewEvidence(c)
	for _, g := range read {
		events, err := journal.ReadFile(filepath.Join("testdata/journals", scenario, "g"+strconv.Itoa(g)+".jsonl"))
		if err != nil || len(events) == 0 {
			t.Fatalf("scenario %s, group %d: %d events, %v", scenario, g, len(events), err)
		}
		ev.Add(g, events...)
	}
	for _, g := range down {
		ev.Unreachable(g, errors.New("dial tcp 127.0.1."+strconv.Itoa(g)+":8025: connect: connection refused"))
	}
	return ev
}

// median hides the measured pace in a detail: recordings differ in it.
var median = regexp.MustCompile(`(median of |中央値 )[0-9.]+(µs|ms|s)`)

func normalize(s string) string { return median.ReplaceAllString(s, "${1}X") }

func TestRules(t *testing.T) {
	t.Parallel()
	c := testClassroom(t)
	cluster := []int{1, 2, 3}
	all := []int{1, 2, 3, 4}
	const (
		pass    = checker.StatusPassed
		notPass = checker.StatusNotPassed
		unknown = checker.StatusUnknown
	)
	tests := []struct {
		scenario   string
		id         string
		lang       i18n.Lang
		read, down []int // default: the cluster, read
		noClass    bool
		gap        time.Duration
		want       checker.Status
		wantDetail string
	}{
		// nothing done yet
		{scenario: "nothing", id: "pop3-telnet", want: notPass,
			wantDetail: "No POP3 session from your group to your server has been recorded yet. Connect with telnet and log in with user and pass (lab show pop3-telnet)."},
		{scenario: "nothing", id: "pop3-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "あなたの班から自班の POP3 サーバへのセッションが、まだ記録されていません。telnet でつないで、user と pass でログインしてください（lab show pop3-telnet）。"},
		{scenario: "nothing", id: "apop-telnet", want: notPass,
			wantDetail: "No POP3 session from your group to your server has been recorded yet. Connect with telnet and log in with apop (lab show apop-telnet)."},
		{scenario: "nothing", id: "smtp-telnet", want: notPass,
			wantDetail: "No SMTP session from your group's machine has been recorded yet. Connect to the SMTP server with telnet (lab show smtp-telnet)."},
		{scenario: "nothing", id: "cross-send", want: notPass,
			wantDetail: "No mail from a member of your group (…@g3.lab.test) has reached groups 1 or 2 yet (lab show cross-send)."},
		{scenario: "nothing", id: "cross-send", lang: i18n.Ja, want: notPass,
			wantDetail: "あなたの班のメンバー（…@g3.lab.test）からのメールは、まだ 1・2 班に届いていません（lab show cross-send）。"},
		{scenario: "nothing", id: "cross-apop", want: notPass,
			wantDetail: "No session to your POP3 server from the machine of groups 1 or 2 has been recorded yet (lab show cross-apop)."},
		// the welcome messages are the kit's: they are no mail received
		{scenario: "nothing", id: "envelope-bcc", want: notPass,
			wantDetail: "No member of your group has received mail yet (the kit's messages do not count). Send one as lab show envelope-bcc shows."},

		// pop3-telnet
		{scenario: "pop3-typed", id: "pop3-telnet", want: pass,
			wantDetail: "yom logged in by hand with USER/PASS, listed, retrieved with RETR and ended with QUIT (a median of X between commands)."},
		{scenario: "pop3-typed", id: "pop3-telnet", lang: i18n.Ja, want: pass,
			wantDetail: "yom が手で USER/PASS でログインし、一覧を見て、RETR で取り出し、QUIT で終えました（コマンドの間隔の中央値 X）。"},
		// the same session does not count when the threshold is above its pace
		{scenario: "pop3-typed", id: "pop3-telnet", gap: 2 * time.Second, want: notPass,
			wantDetail: "A session has every step but went too fast to be typed by hand, so it does not count (a median of X between commands; at least 2s is needed). A mail program or a paste does not count: type the commands into telnet one at a time."},
		{scenario: "pop3-typed", id: "apop-telnet", want: notPass,
			wantDetail: "You logged in with USER/PASS; this exercise asks for APOP."},
		{scenario: "pop3-no-retr", id: "pop3-telnet", want: notPass,
			wantDetail: "You logged in as yom with USER/PASS but never retrieved a message with RETR."},
		{scenario: "pop3-no-retr", id: "pop3-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "yom で USER/PASS でログインしましたが、RETR でメールを取り出していません。"},
		{scenario: "pop3-no-list", id: "pop3-telnet", want: notPass,
			wantDetail: "You logged in as yom with USER/PASS but never listed the messages with STAT or LIST."},
		{scenario: "pop3-no-quit", id: "pop3-telnet", want: notPass,
			wantDetail: "You retrieved a message as yom but did not end with QUIT (closing telnet is not a proper end of the session)."},
		// DELE, then a close without QUIT: the check says, in the console's
		// words, that the mark was discarded
		{scenario: "pop3-dele-no-quit", id: "pop3-telnet", want: notPass,
			wantDetail: "You retrieved a message as yom but did not end with QUIT (closing telnet is not a proper end of the session). DELE marked 1 message(s), but the connection closed without QUIT: nothing was deleted. DELE takes effect only at QUIT (RFC 1939 §6)."},
		{scenario: "pop3-dele-no-quit", id: "pop3-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "yom でメールを取り出しましたが、QUIT で終わっていません（telnet を閉じるだけでは、正しい終わり方になりません）。DELE で 1 通に削除の印を付けましたが、QUIT をせずに接続が切れました。何も削除されていません。DELE が効くのは QUIT のときだけです（RFC 1939 §6）。"},
		{scenario: "apop-dele-no-quit", id: "apop-telnet", want: notPass,
			wantDetail: "You logged in as yom with APOP and retrieved a message but did not end with QUIT. DELE marked 1 message(s), but the connection closed without QUIT: nothing was deleted. DELE takes effect only at QUIT (RFC 1939 §6)."},
		{scenario: "apop-dele-no-quit", id: "apop-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "yom で APOP でログインしてメールを取り出しましたが、QUIT で終わっていません。DELE で 1 通に削除の印を付けましたが、QUIT をせずに接続が切れました。何も削除されていません。DELE が効くのは QUIT のときだけです（RFC 1939 §6）。"},
		{scenario: "pop3-wrong-password", id: "pop3-telnet", want: notPass,
			wantDetail: "Your USER/PASS login did not succeed (the password is wrong)."},
		{scenario: "pop3-wrong-password", id: "pop3-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "USER/PASS のログインが成功していません（パスワードが違います）。"},
		{scenario: "pop3-fast", id: "pop3-telnet", want: notPass,
			wantDetail: "A session has every step but went too fast to be typed by hand, so it does not count (a median of X between commands; at least 500ms is needed). A mail program or a paste does not count: type the commands into telnet one at a time."},
		{scenario: "pop3-fast", id: "pop3-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "必要な手順がそろったセッションがありますが、手で打ったにしては速すぎるため、課題には数えません（コマンドの間隔の中央値 X、必要なのは 500ms 以上）。メールソフトや貼り付けは数えません。telnet で 1 行ずつ打ってください。"},
		// with the threshold off (MAILLAB_HAND_GAP=0s), any pace counts
		{scenario: "pop3-fast", id: "pop3-telnet", gap: checker.AnyPace, want: pass,
			wantDetail: "yom logged in by hand with USER/PASS, listed, retrieved with RETR and ended with QUIT (a median of X between commands)."},

		// apop-telnet
		{scenario: "apop-typed", id: "apop-telnet", want: pass,
			wantDetail: "yom logged in by hand with APOP, retrieved with RETR and ended with QUIT (a median of X between commands)."},
		{scenario: "apop-typed", id: "pop3-telnet", want: notPass,
			wantDetail: "You logged in with APOP; this exercise asks for USER and PASS (APOP is the next one, apop-telnet)."},
		{scenario: "apop-newline", id: "apop-telnet", want: notPass,
			wantDetail: "Your APOP login did not succeed (a newline went into the digest); the lab start screen explains it too."},
		{scenario: "apop-newline", id: "apop-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "APOP のログインが成功していません（ダイジェストに改行が入っています）。lab start の画面にも説明が出ています。"},
		{scenario: "apop-no-retr", id: "apop-telnet", want: notPass,
			wantDetail: "You logged in as yom with APOP but never retrieved a message with RETR."},

		// smtp-telnet
		{scenario: "smtp-typed", id: "smtp-telnet", want: pass,
			wantDetail: "A message from yom@g3.lab.test, typed by hand in SMTP, was accepted by group 3's server (a median of X between commands)."},
		{scenario: "smtp-typed", id: "smtp-telnet", lang: i18n.Ja, want: pass,
			wantDetail: "yom@g3.lab.test からのメッセージを手で SMTP を打って送り、3 班のサーバが受け付けました（コマンドの間隔の中央値 X）。"},
		// typed to a peer's server: it counts, found in the peer's journal
		{scenario: "smtp-typed-to-peer", id: "smtp-telnet", want: pass,
			wantDetail: "A message from yom@g3.lab.test, typed by hand in SMTP, was accepted by group 2's server (a median of X between commands)."},
		// … and when that peer is down, the check cannot decide
		{scenario: "smtp-typed-to-peer", id: "smtp-telnet", read: []int{1, 3}, down: []int{2}, want: unknown,
			wantDetail: "The server of group 2 is not reachable, so this could not be checked fully (dial tcp 127.0.1.2:8025: connect: connection refused); ask them whether lab start is running. In the records that could be read: No SMTP session from your group's machine has been recorded yet. Connect to the SMTP server with telnet (lab show smtp-telnet)."},
		{scenario: "smtp-typed-to-peer", id: "smtp-telnet", lang: i18n.Ja, read: []int{1, 3}, down: []int{2}, want: unknown,
			wantDetail: "2 班のサーバに接続できないため、確かめきれませんでした（dial tcp 127.0.1.2:8025: connect: connection refused）。その班で lab start が動いているか確かめてください。読めた記録では: あなたの班のマシンからの SMTP セッションが、まだ記録されていません。telnet で SMTP サーバにつないでください（lab show smtp-telnet）。"},
		// a peer down does not matter when it passed on the group's own server
		{scenario: "smtp-typed", id: "smtp-telnet", read: []int{3}, down: []int{1, 2}, want: pass,
			wantDetail: "A message from yom@g3.lab.test, typed by hand in SMTP, was accepted by group 3's server (a median of X between commands)."},
		{scenario: "smtp-fast", id: "smtp-telnet", want: notPass,
			wantDetail: "A session has every step but went too fast to be typed by hand, so it does not count (a median of X between commands; at least 500ms is needed). A mail program or a paste does not count: type the commands into telnet one at a time."},
		{scenario: "smtp-postmaster", id: "smtp-telnet", want: notPass,
			wantDetail: "The sender was postmaster or <>: the kit's own addresses do not count. Give your own address in MAIL FROM."},
		{scenario: "smtp-no-dot", id: "smtp-telnet", want: notPass,
			wantDetail: "You began a message with DATA but never ended it with a line holding only \".\"; a message never ended is not delivered."},
		{scenario: "smtp-no-dot", id: "smtp-telnet", lang: i18n.Ja, want: notPass,
			wantDetail: "DATA でメッセージを書き始めましたが、「.」だけの行で終えていません。終わらなかったメッセージは届きません。"},
		{scenario: "smtp-no-brackets", id: "smtp-telnet", want: notPass,
			wantDetail: "The MAIL FROM address was not in < > (501): write MAIL FROM:<you@…>."},
		{scenario: "smtp-rcpt-first", id: "smtp-telnet", want: notPass,
			wantDetail: "RCPT TO came before MAIL FROM (503): the envelope sender comes first, then the recipients."},
		{scenario: "smtp-data-first", id: "smtp-telnet", want: notPass,
			wantDetail: "DATA came before any RCPT TO was accepted (503): give RCPT TO first."},
		{scenario: "smtp-no-quit", id: "smtp-telnet", want: notPass,
			wantDetail: "The message was accepted, but you did not end with QUIT."},

		// cross-send
		{scenario: "cross-send-read", id: "cross-send", want: pass,
			wantDetail: "Mail from yom@g3.lab.test to taro@g2.lab.test reached group 2, and the recipient read it with RETR."},
		{scenario: "cross-send-read", id: "cross-send", lang: i18n.Ja, want: pass,
			wantDetail: "yom@g3.lab.test から taro@g2.lab.test へのメールが 2 班に届き、受信者が RETR で読みました。"},
		{scenario: "cross-send-read", id: "cross-send", read: []int{1, 3}, down: []int{2}, want: unknown,
			wantDetail: "The server of group 2 is not reachable, so this could not be checked fully (dial tcp 127.0.1.2:8025: connect: connection refused); ask them whether lab start is running. In the records that could be read: No mail from a member of your group (…@g3.lab.test) has reached groups 1 or 2 yet (lab show cross-send)."},
		{scenario: "cross-send-read", id: "cross-send", noClass: true, read: []int{3}, want: unknown,
			wantDetail: "This exercise is done between groups of one cluster, so it needs the classroom file: give it with --classroom FILE."},
		// the message reached group 2, but group 3's own server is down
		{scenario: "cross-send-read", id: "cross-send", read: []int{1, 2}, down: []int{3}, want: unknown,
			wantDetail: "The records of group 3's server could not be read (dial tcp 127.0.1.3:8025: connect: connection refused); is lab start running?"},
		{scenario: "cross-send-unread", id: "cross-send", want: notPass,
			wantDetail: "Mail from yom@g3.lab.test to taro@g2.lab.test reached group 2 but has not been retrieved with RETR yet: ask them to read it."},
		{scenario: "cross-send-unread", id: "cross-send", lang: i18n.Ja, want: notPass,
			wantDetail: "yom@g3.lab.test から taro@g2.lab.test へのメールは 2 班に届いていますが、まだ RETR で取り出されていません。相手の班に読んでもらってください。"},
		{scenario: "cross-send-not-member", id: "cross-send", want: notPass,
			wantDetail: "Mail from nobody@g3.lab.test reached group 2, but nobody is not an account of your group: send from an address lab user list shows."},
		{scenario: "cross-send-other-cluster", id: "cross-send", want: notPass,
			wantDetail: "No mail from a member of your group (…@g3.lab.test) has reached groups 1 or 2 yet (lab show cross-send)."},
		// with the whole class read, as lab grade does, the mistake is named
		{scenario: "cross-send-other-cluster", id: "cross-send", read: all, want: notPass,
			wantDetail: "Mail from your group reached group 4, which is not in your cluster (groups 1, 2 and 3)."},
		{scenario: "cross-send-other-cluster", id: "cross-send", lang: i18n.Ja, read: all, want: notPass,
			wantDetail: "あなたの班からのメールが 4 班に届いていますが、同じ組ではありません（組は 1・2・3 班です）。"},

		// cross-apop
		{scenario: "cross-apop-read", id: "cross-apop", want: pass,
			wantDetail: "yom logged in with APOP from the machine of group 2 and retrieved a message with RETR."},
		{scenario: "cross-apop-read", id: "cross-apop", lang: i18n.Ja, want: pass,
			wantDetail: "yom が 2 班のマシンから APOP でログインし、RETR でメールを取り出しました。"},
		// only the group's own server is needed
		{scenario: "cross-apop-read", id: "cross-apop", read: []int{3}, down: []int{1, 2}, want: pass,
			wantDetail: "yom logged in with APOP from the machine of group 2 and retrieved a message with RETR."},
		{scenario: "cross-apop-read", id: "apop-telnet", want: notPass,
			wantDetail: "No POP3 session from your group to your server has been recorded yet. Connect with telnet and log in with apop (lab show apop-telnet)."},
		{scenario: "cross-apop-own-machine", id: "cross-apop", want: notPass,
			wantDetail: "You logged in with APOP, but from your own machine: connect from the machine of groups 1 or 2."},
		{scenario: "cross-apop-user-pass", id: "cross-apop", want: notPass,
			wantDetail: "You logged in from the machine of group 1 with USER/PASS; this exercise asks for APOP."},
		{scenario: "cross-apop-other-cluster", id: "cross-apop", want: notPass,
			wantDetail: "There is a session from the machine of group 4, which is not in your cluster (groups 1, 2 and 3)."},
		{scenario: "cross-apop-no-retr", id: "cross-apop", want: notPass,
			wantDetail: "yom logged in with APOP from the machine of group 1 but never retrieved a message with RETR."},
		{scenario: "cross-apop-no-retr", id: "cross-apop", lang: i18n.Ja, want: notPass,
			wantDetail: "yom が 1 班のマシンから APOP でログインしましたが、RETR でメールを取り出していません。"},

		// envelope-bcc
		{scenario: "bcc-read", id: "envelope-bcc", want: pass,
			wantDetail: "taro received a message as a Bcc recipient, in neither To nor Cc (To/Cc: hana@g3.lab.test), and read it with RETR."},
		{scenario: "bcc-read", id: "envelope-bcc", lang: i18n.Ja, want: pass,
			wantDetail: "taro は To にも Cc にもいない Bcc の受信者としてメールを受け取り（To/Cc: hana@g3.lab.test）、RETR で読みました。"},
		{scenario: "bcc-unread", id: "envelope-bcc", want: notPass,
			wantDetail: "taro received a message as a Bcc recipient but has not read it with RETR yet."},
		{scenario: "bcc-no-header", id: "envelope-bcc", want: notPass,
			wantDetail: "The message taro received has no address in To or Cc at all, so there is nothing to compare with: send one whose To: names someone else."},
		{scenario: "bcc-all-named", id: "envelope-bcc", want: notPass,
			wantDetail: "Every message your group received names its recipient in To or Cc: send one to a recipient who is only in RCPT TO (lab show envelope-bcc)."},
		{scenario: "bcc-all-named", id: "envelope-bcc", lang: i18n.Ja, want: notPass,
			wantDetail: "あなたの班が受け取ったメールは、どれも受信者が To か Cc に書かれています。RCPT TO にだけいる受信者にも送ってください（lab show envelope-bcc）。"},
	}
	for _, tt := range tests {
		name := tt.scenario + "/" + tt.id
		if tt.lang == "" {
			tt.lang = i18n.En
		}
		name += "/" + string(tt.lang)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			read := tt.read
			if read == nil {
				read = cluster
			}
			cl := c
			if tt.noClass {
				cl = nil
			}
			ev := evidence(t, cl, tt.scenario, read, tt.down)
			got := checker.CheckOne(ev, 3, tt.id, checker.Options{Lang: tt.lang, HandGap: tt.gap})
			got.Detail = normalize(got.Detail)
			want := checker.Result{ID: tt.id, Passed: tt.want == checker.StatusPassed, Status: tt.want, Detail: tt.wantDetail}
			if diff := cmp.Diff(want, got, cmpIgnoreSession); diff != "" {
				t.Errorf("CheckOne (-want +got):\n%s", diff)
			}
		})
	}
}

// cmpIgnoreSession leaves out the session id, which differs between
// recordings; TestPassingSession checks it.
var cmpIgnoreSession = cmp.Transformer("noSession", func(r checker.Result) checker.Result {
	r.Session = ""
	return r
})

// A passing session is named, so that `lab replay` can show it.
func TestPassingSession(t *testing.T) {
	t.Parallel()
	ev := evidence(t, testClassroom(t), "apop-typed", []int{1, 2, 3}, nil)
	got := checker.CheckOne(ev, 3, "apop-telnet", checker.Options{})
	if !regexp.MustCompile(`^pop3-[0-9a-z]+-[0-9]+$`).MatchString(got.Session) {
		t.Errorf("session %q", got.Session)
	}
}

// Events added one at a time, as the live console adds them, give what
// the whole journal gives.
func TestEvidenceGrowsEventByEvent(t *testing.T) {
	t.Parallel()
	c := testClassroom(t)
	for _, scenario := range []string{"pop3-typed", "cross-send-read", "bcc-read", "smtp-no-dot"} {
		whole := evidence(t, c, scenario, []int{1, 2, 3}, nil)
		grown := checker.NewEvidence(c)
		for _, g := range []int{1, 2, 3} {
			events, _ := journal.ReadFile(filepath.Join("testdata/journals", scenario, "g"+strconv.Itoa(g)+".jsonl"))
			for _, e := range events {
				grown.Add(g, e)
			}
		}
		if diff := cmp.Diff(checker.Check(whole, 3, checker.Options{}), checker.Check(grown, 3, checker.Options{})); diff != "" {
			t.Errorf("%s (-whole +grown):\n%s", scenario, diff)
		}
	}
}

// The JSON of a report is the spec's shape: {"group": N, "exercises":
// [{"id", "passed", "detail"}, …]}, every exercise in order.
func TestReportJSON(t *testing.T) {
	t.Parallel()
	ev := evidence(t, testClassroom(t), "pop3-typed", []int{1, 2, 3}, nil)
	ev.Add(3, journal.Event{Kind: checker.KindHint, ID: "apop-telnet", Count: 1}, journal.Event{Kind: checker.KindHint, ID: "apop-telnet", Count: 2})
	r := checker.Check(ev, 3, checker.Options{})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Group     int              `json:"group"`
		Exercises []map[string]any `json:"exercises"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got.Exercises {
		ids = append(ids, e["id"].(string))
		if _, ok := e["passed"].(bool); !ok {
			t.Errorf("%v: passed is not a boolean", e)
		}
		if _, ok := e["detail"].(string); !ok {
			t.Errorf("%v: detail is not a string", e)
		}
	}
	if got.Group != 3 || !slices.Equal(ids, []string{"pop3-telnet", "apop-telnet", "smtp-telnet", "cross-send", "cross-apop", "envelope-bcc"}) {
		t.Errorf("report: group %d, exercises %v", got.Group, ids)
	}
	if res, _ := r.Result("apop-telnet"); res.Hints != 2 {
		t.Errorf("apop-telnet: %d hints, want 2", res.Hints)
	}
	if r.Status() != checker.StatusNotPassed {
		t.Errorf("status %s", r.Status())
	}
}

func TestReportStatus(t *testing.T) {
	t.Parallel()
	r := func(s ...checker.Status) checker.Report {
		var rep checker.Report
		for _, x := range s {
			rep.Exercises = append(rep.Exercises, checker.Result{Status: x})
		}
		return rep
	}
	p, n, u := checker.StatusPassed, checker.StatusNotPassed, checker.StatusUnknown
	for _, tt := range []struct {
		r    checker.Report
		want checker.Status
	}{
		{r(p, p), p}, {r(p, u), u}, {r(u, n, p), n}, {r(), p},
	} {
		if got := tt.r.Status(); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.r, got, tt.want)
		}
	}
}

func TestUnknownExercise(t *testing.T) {
	t.Parallel()
	got := checker.CheckOne(checker.NewEvidence(nil), 3, "pop4", checker.Options{})
	if got.Status != checker.StatusUnknown || got.Passed {
		t.Errorf("%+v", got)
	}
}

// Without a classroom a group runs standalone: its own loopback sessions
// are its own, and the cross-group exercises cannot be decided.
func TestStandalone(t *testing.T) {
	t.Parallel()
	ev := checker.NewEvidence(nil)
	events, _ := journal.ReadFile("testdata/journals/pop3-typed/g3.jsonl")
	// as a standalone server records them: no client group
	for i := range events {
		events[i].ClientGroup = 0
	}
	ev.Add(3, events...)
	r := checker.Check(ev, 3, checker.Options{})
	var got []checker.Status
	for _, e := range r.Exercises {
		got = append(got, e.Status)
	}
	want := []checker.Status{checker.StatusPassed, checker.StatusNotPassed, checker.StatusNotPassed,
		checker.StatusUnknown, checker.StatusUnknown, checker.StatusNotPassed}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("standalone statuses (-want +got):\n%s", diff)
	}
}

// The instructor's probes come from loopback in a rehearsal, which counts
// as the group's own machine; they must leave the explanations as if they
// had never been there.
func TestProbeSessionsAreIgnored(t *testing.T) {
	t.Parallel()
	c := testClassroom(t)
	empty := evidence(t, c, "pop3-typed", []int{1, 2, 3}, nil)
	probed := evidence(t, c, "pop3-typed", []int{1, 2, 3}, nil)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []journal.Event
	for i, e := range []journal.Event{
		{Kind: journal.Open, Remote: "127.0.0.1:5000"},
		{Kind: journal.Command, Verb: "EHLO", Line: "EHLO grade-probe"},
		{Kind: journal.Command, Verb: "MAIL", Line: "MAIL FROM:<>"},
		{Kind: journal.Command, Verb: "RCPT", Line: "RCPT TO:<postmaster@g3.lab.test>"},
		{Kind: journal.Command, Verb: "DATA", Line: "DATA"},
		{Kind: journal.Accepted, ID: "P1", Origin: journal.OriginProbe, Rcpt: []string{"postmaster@g3.lab.test"}},
		{Kind: journal.Command, Verb: "QUIT", Line: "QUIT"},
		{Kind: journal.Close},
		{Kind: journal.Open, Remote: "127.0.0.1:5001", Session: "pop3-p-2", Proto: "pop3"},
		{Kind: journal.Command, Verb: "APOP", Line: "APOP grade-probe-1a2b3c4d ****", Session: "pop3-p-2", Proto: "pop3"},
		{Kind: journal.Login, User: checker.ProbeUserPrefix + "1a2b3c4d", Method: "apop", Result: journal.ResultFail, Reason: "unknown-user", Session: "pop3-p-2", Proto: "pop3"},
		{Kind: journal.Close, Session: "pop3-p-2", Proto: "pop3"},
	} {
		if e.Session == "" {
			e.Session, e.Proto = "smtp-p-1", "smtp"
		}
		e.Time = at.Add(time.Duration(i) * time.Second)
		e.Group = 3
		evs = append(evs, e)
	}
	probed.Add(3, evs...)
	if diff := cmp.Diff(checker.Check(empty, 3, checker.Options{}), checker.Check(probed, 3, checker.Options{})); diff != "" {
		t.Errorf("the probes changed the report (-without +with):\n%s", diff)
	}
}
