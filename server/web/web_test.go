package web_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/internal/testenv"
	"maillab/server/group"
	"maillab/server/journal"
	"maillab/server/web"
)

var users = map[string]string{"yom": "tanstaaf", "hana": "p@ss:w0rd!"}

// body is in the message sent; it must never come out of the API.
const body = "the-secret-body-text-4711"

type fixture struct {
	data *group.Data
	srv  *group.Server
	web  *web.Server
	url  string
	// digests holds every APOP digest sent in the sessions.
	digests []string
}

// start runs group 3's server with two accounts and its web API, and
// plays sessions that put secrets on the wire: a USER/PASS login, an APOP
// login, a failed APOP login, a password typed as a user name and as a
// command, an SMTP AUTH attempt, and a message with a body.
func start(t *testing.T, cfg web.Config) *fixture {
	t.Helper()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	for name, pw := range users {
		if err := data.AddUser(name, pw, srv.Journal()); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	f := &fixture{data: data, srv: srv}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	// SMTP: a message with a body, and credentials after AUTH
	smtpSay(t, srv.SMTPAddr().String(),
		"EHLO me", "AUTH PLAIN AHlvbQB0YW5zdGFhZg==", "AUTH LOGIN "+users["hana"],
		"MAIL FROM:<hana@g3.lab.test>", "RCPT TO:<yom@g3.lab.test>", "DATA",
		"Subject: hi\r\n\r\n"+body+"\r\n.", "QUIT")
	// POP3: USER/PASS; the password typed as a user name and as a command
	popSay(t, srv.POP3Addr().String(), "USER tanstaaf", "PASS x", "tanstaaf", "USER yom", "PASS tanstaaf", "STAT", "RETR 2", "QUIT")
	// APOP, right and wrong (upper case, and with a newline)
	for _, mistake := range []func(ts string) string{
		func(ts string) string { return md5hex(ts + users["yom"]) },
		func(ts string) string { return strings.ToUpper(md5hex(ts + users["yom"])) },
		func(ts string) string { return md5hex(ts + users["hana"] + "\n") },
	} {
		c, r, greeting := dialPOP(t, srv.POP3Addr().String())
		ts := regexp.MustCompile(`<[^>]+>`).FindString(greeting)
		d := mistake(ts)
		f.digests = append(f.digests, strings.ToLower(d))
		say(t, c, r, "APOP yom "+d)
		say(t, c, r, "QUIT")
		c.Close()
	}
	// a session's close is recorded just after its last reply: wait for all,
	// so that the journal no longer grows under the tests
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		opens, closes := 0, 0
		for _, e := range readJournal(t, data) {
			switch e.Kind {
			case journal.Open:
				opens++
			case journal.Close:
				closes++
			}
		}
		if opens == closes {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions opened, %d closed", opens, closes)
		}
	}
	if cfg.Data == nil {
		cfg.Data = &data.Folder
	}
	if cfg.MaskCommand == nil {
		cfg.MaskCommand = group.MaskCommand
	}
	cfg.Listen.SMTP, cfg.Listen.POP3 = srv.SMTPAddr().String(), srv.POP3Addr().String()
	w, err := web.Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Shutdown(context.Background()) })
	f.web, f.url = w, "http://"+w.Addr().String()
	return f
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func dialPOP(t *testing.T, addr string) (net.Conn, *bufio.Reader, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	greeting, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return c, r, greeting
}

// say sends a line and reads the reply (all of a multi-line one).
func say(t *testing.T, c net.Conn, r *bufio.Reader, line string) string {
	t.Helper()
	if _, err := io.WriteString(c, line+"\r\n"); err != nil {
		t.Fatal(err)
	}
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	multi := strings.HasPrefix(first, "+OK") && (strings.HasPrefix(line, "RETR") || strings.HasPrefix(line, "LIST") && !strings.Contains(line, " "))
	for multi {
		l, err := r.ReadString('\n')
		if err != nil || l == ".\r\n" {
			break
		}
	}
	return first
}

func popSay(t *testing.T, addr string, lines ...string) {
	t.Helper()
	c, r, _ := dialPOP(t, addr)
	defer c.Close()
	for _, l := range lines {
		say(t, c, r, l)
	}
}

func smtpSay(t *testing.T, addr string, lines ...string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	readReply := func() string {
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("smtp: %v", err)
			}
			if len(l) < 4 || l[3] != '-' {
				return l
			}
		}
	}
	readReply()
	for _, l := range lines {
		io.WriteString(c, l+"\r\n")
		readReply()
	}
}

// Nothing secret comes out: every answer of the API, read with curl, is
// searched for the passwords, the digests sent and the message body.
func TestNoSecretsLeak(t *testing.T) {
	t.Parallel()
	f := start(t, web.Config{MaxEvents: 7})
	curl := testenv.NeedTool(t, "curl")
	raw, _ := os.ReadFile(f.data.JournalPath())
	if strings.Contains(string(raw), "tanstaaf") {
		t.Error("the sessions put a password into the journal")
	}
	// what a journal of an older version may hold: the API masks it again
	old := `{"t":"2026-11-25T10:00:00Z","group":3,"ev":"cmd","session":"pop3-old-1","proto":"pop3","line":"PASS\u3000tanstaaf","verb":"PASS\u3000TANSTAAF"}
{"t":"2026-11-25T10:00:01Z","group":3,"ev":"cmd","session":"pop3-old-1","proto":"pop3","line":"tanstaaf","verb":"TANSTAAF"}
{"t":"2026-11-25T10:00:02Z","group":3,"ev":"cmd","session":"pop3-old-1","proto":"pop3","line":"USER tanstaaf","verb":"USER"}
{"t":"2026-11-25T10:00:03Z","group":3,"ev":"reply","session":"pop3-old-1","proto":"pop3","line":"+OK password required for tanstaaf","code":"+OK"}
`
	jf, err := os.OpenFile(f.data.JournalPath(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jf.WriteString(old); err != nil {
		t.Fatal(err)
	}
	jf.Close()
	var answers []string
	get := func(path string) string {
		out, err := exec.Command(curl, "-sS", "--max-time", "10", f.url+path).Output()
		if err != nil {
			t.Fatalf("curl %s: %v", path, err)
		}
		answers = append(answers, string(out))
		return string(out)
	}
	get("/")
	get("/api/status")
	get("/nothing")
	// the evidence summaries: read from the data folder, and from the
	// running server's live state
	folder := get("/api/evidence")
	live := httptest.NewServer(web.New(web.Config{Data: &f.data.Folder, Evidence: f.srv.Evidence(), MaskCommand: group.MaskCommand}))
	defer live.Close()
	out, err := exec.Command(curl, "-sS", "--max-time", "10", live.URL+"/api/evidence").Output()
	if err != nil {
		t.Fatal(err)
	}
	answers = append(answers, string(out))
	for _, ev := range []string{folder, string(out)} {
		for _, want := range []string{`"text":"APOP yom ****"`, `"text":"USER ****"`, `"text":"\u003cunknown command, 8 bytes\u003e"`, `"text":"AUTH PLAIN ****"`,
			`"verb":"STAT"`, `"last_ok_user":"yom"`, `"group":3`} {
			if !strings.Contains(ev, want) {
				t.Errorf("no %s in the evidence: %s", want, ev)
			}
		}
	}
	next := "0"
	for pages := 0; ; pages++ {
		var page web.Events
		if err := json.Unmarshal([]byte(get("/api/events?after="+next)), &page); err != nil {
			t.Fatal(err)
		}
		if !page.More {
			break
		}
		if pages > 1000 {
			t.Fatal("endless pages")
		}
		next = jsonNumber(page.Next)
	}
	all := strings.Join(answers, "\n")
	for name, pw := range users {
		// in any case: a verb is upper-cased
		if strings.Contains(strings.ToLower(all), strings.ToLower(pw)) {
			t.Errorf("an answer holds %s's password", name)
		}
	}
	for _, d := range f.digests {
		if strings.Contains(strings.ToLower(all), d) {
			t.Errorf("an answer holds the digest %s", d)
		}
	}
	var challenges []string
	for _, e := range readJournal(t, f.data) {
		if e.Challenge != "" {
			challenges = append(challenges, e.Challenge)
		}
	}
	for _, ch := range challenges {
		for _, pw := range users {
			for _, s := range []string{pw, pw + "\n"} {
				if strings.Contains(strings.ToLower(all), md5hex(ch+s)) {
					t.Errorf("an answer holds a digest of %s", ch)
				}
			}
		}
	}
	if strings.Contains(all, body) {
		t.Error("an answer holds the message body")
	}
	if strings.Contains(all, "AHlvbQB0YW5zdGFhZg") {
		t.Error("an answer holds the AUTH PLAIN credentials")
	}
	// and what is not secret is there
	for _, want := range []string{`"APOP yom ****"`, `"USER ****"`, `"line":"<unknown command, 8 bytes>"`, `"line":"PASS　****","verb":"PASS"`, `"AUTH PLAIN ****"`, `"user":"yom","method":"apop","result":"ok"`} {
		if !strings.Contains(all, want) {
			t.Errorf("no %s in the answers", want)
		}
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func readJournal(t *testing.T, data *group.Data) []journal.Event {
	t.Helper()
	events, err := journal.ReadFile(data.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func TestStatus(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	f := start(t, web.Config{Version: "test-1", Now: func() time.Time { return at }})
	var c web.Client
	got, err := c.Status(context.Background(), f.web.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(f.data.JournalPath())
	want := web.Status{
		Group: 3, Domain: "g3.lab.test", Accounts: []string{"hana", "yom"}, Time: at, Version: "test-1",
		Listen: web.Listen{
			SMTP: f.srv.SMTPAddr().String(), POP3: f.srv.POP3Addr().String(), Web: f.web.Addr().String(),
		},
		JournalEnd: fi.Size(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}

// The client's pages add up to the whole journal, in order, whatever the
// page size; an empty page at the end says there is nothing new.
func TestEventsPaging(t *testing.T) {
	t.Parallel()
	for _, max := range []int{1, 3, 1000} {
		f := start(t, web.Config{MaxEvents: max})
		var c web.Client
		got, end, err := c.Journal(context.Background(), f.web.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		want := readJournal(t, f.data)
		fi, _ := os.Stat(f.data.JournalPath())
		if end != fi.Size() {
			t.Errorf("max %d: end cursor %d, journal size %d", max, end, fi.Size())
		}
		if len(got) != len(want) {
			t.Fatalf("max %d: %d events, want %d", max, len(got), len(want))
		}
		for i := range want {
			if got[i].Kind != want[i].Kind || got[i].Session != want[i].Session || !got[i].Time.Equal(want[i].Time) {
				t.Errorf("max %d: event %d is %+v, want %+v", max, i, got[i], want[i])
			}
		}
		// nothing new: an empty page, the same cursor
		page, err := c.Events(context.Background(), f.web.Addr().String(), end)
		if err != nil || len(page.Events) != 0 || page.Next != end || page.More {
			t.Errorf("max %d: after the end: %+v, %v", max, page, err)
		}
		// a new event shows up after the cursor
		f.srv.Journal().Record(journal.Event{Kind: journal.Note, Reason: "new"})
		page, err = c.Events(context.Background(), f.web.Addr().String(), end)
		if err != nil || len(page.Events) != 1 || page.Events[0].Reason != "new" {
			t.Errorf("max %d: the new event: %+v, %v", max, page, err)
		}
	}
}

// A line still being written is not served; the cursor stops before it.
func TestEventsLeaveAPartialLine(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 5, "")
	if err != nil {
		t.Fatal(err)
	}
	line := `{"t":"2026-11-25T10:00:00Z","group":5,"ev":"start"}` + "\n"
	os.WriteFile(data.JournalPath(), []byte(line+"not json\n"+line+`{"t":"2026-11-25T10:00:01Z","gro`), 0o600)
	ts := httptest.NewServer(web.New(web.Config{Data: &data.Folder, MaskCommand: group.MaskCommand}))
	defer ts.Close()
	var c web.Client
	page, err := c.Events(context.Background(), strings.TrimPrefix(ts.URL, "http://"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 2 || page.Next != int64(2*len(line)+len("not json\n")) || page.More || page.Group != 5 {
		t.Errorf("page: %+v", page)
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(data.JournalPath(), []byte(`{"t":"2026-11-25T10:00:00Z","group":3,"ev":"start"}`+"\n"), 0o600)
	ts := httptest.NewServer(web.New(web.Config{Data: &data.Folder, MaskCommand: group.MaskCommand}))
	defer ts.Close()
	tests := []struct {
		method, path string
		wantCode     int
		wantError    string
		wantAllow    string
	}{
		{"GET", "/api/events?after=5", 400, "after is not the start of an event: use a \"next\" of an earlier answer", ""},
		{"GET", "/api/events?after=9999", 400, "after is past the end of the journal", ""},
		{"GET", "/api/events?after=-1", 400, "after must be a cursor: 0 or a \"next\" of an earlier answer", ""},
		{"GET", "/api/events?limit=0", 400, "limit must be a number of events, 1 or more", ""},
		{"GET", "/api/nothing", 404, "no such resource: /api/nothing (see GET /)", ""},
		{"POST", "/api/status", 405, "read-only: only GET and HEAD", "GET, HEAD"},
		{"PUT", "/api/events", 405, "read-only: only GET and HEAD", "GET, HEAD"},
		{"DELETE", "/api/events", 405, "read-only: only GET and HEAD", "GET, HEAD"},
		{"PATCH", "/", 405, "read-only: only GET and HEAD", "GET, HEAD"},
		{"OPTIONS", "/api/status", 405, "read-only: only GET and HEAD", "GET, HEAD"},
		{"POST", "/nothing", 405, "read-only: only GET and HEAD", "GET, HEAD"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != tt.wantCode || e.Error != tt.wantError || resp.Header.Get("Allow") != tt.wantAllow {
			t.Errorf("%s %s: %d %q (Allow %q), want %d %q (Allow %q)", tt.method, tt.path,
				resp.StatusCode, e.Error, resp.Header.Get("Allow"), tt.wantCode, tt.wantError, tt.wantAllow)
		}
	}
	// HEAD answers like GET, without a body
	resp, err := http.Head(ts.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("HEAD: %d, %d bytes, %q", resp.StatusCode, len(b), resp.Header.Get("Content-Type"))
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	// nothing listens
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	c := web.Client{Timeout: 2 * time.Second}
	_, err := c.Status(context.Background(), addr)
	if !errors.Is(err, web.ErrUnreachable) {
		t.Errorf("nothing listening: %v, want ErrUnreachable", err)
	}
	// a server that never answers in time
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	c.Timeout = 100 * time.Millisecond
	if _, err := c.Status(context.Background(), strings.TrimPrefix(slow.URL, "http://")); !errors.Is(err, web.ErrUnreachable) {
		t.Errorf("silent server: %v, want ErrUnreachable", err)
	}
	// something else listens
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>hello</html>")
	}))
	defer other.Close()
	_, err = c.Status(context.Background(), strings.TrimPrefix(other.URL, "http://"))
	if err == nil || errors.Is(err, web.ErrUnreachable) || !strings.Contains(err.Error(), "not a maillab answer") {
		t.Errorf("another server: %v", err)
	}
}

// The API is used the way the lead wires it: New as a plain handler.
func TestNewPanicsWithoutData(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New without Data did not panic")
		}
	}()
	web.New(web.Config{})
}
