package dashboard_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/checker"
	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/lab/dashboard"
)

// Typing at a human pace is simulated with short pauses and a threshold
// below them (as in the checker's tests): a pause is a lower bound on the
// gap, whatever the machine's load.
const (
	pause     = 150 * time.Millisecond
	threshold = 75 * time.Millisecond
)

// snapshot reads the class once and returns what the page would get.
func snapshot(t *testing.T, d *dashboard.Server) dashboard.Snapshot {
	t.Helper()
	d.Update(context.Background())
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/snapshot", nil))
	var s dashboard.Snapshot
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
		t.Fatalf("snapshot: %v\n%s", err, rec.Body)
	}
	return s
}

// The mail flow counts deliveries by the group whose machine handed them
// over, and what a relay holds or gave up; the kit's messages (welcome,
// probes) never count. Sessions show their lines, secrets masked.
func TestFlowAndSessions(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g1, g2, g3 := lab.Groups[1], lab.Groups[2], lab.Groups[3]
	// group 3 → group 2 through group 3's relay, twice; group 1 → group 1
	for range 2 {
		checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
			Lines: []string{"helo pc3", "mail from:<hana@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "data", "", "hi", ".", "quit"}})
	}
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.SMTPAddr(),
		Lines: []string{"helo pc1", "mail from:<yom@g1.lab.test>", "rcpt to:<hana@g1.lab.test>", "data", "", "hi", ".", "quit"}})
	// group 1 types straight into group 2's server
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g2.SMTPAddr(),
		Lines: []string{"helo pc1", "mail from:<yom@g1.lab.test>", "rcpt to:<yom@g2.lab.test>", "data", "", "hi", ".", "quit"}})
	// a password typed as a user name, at group 2
	checkertest.Type(t, checkertest.Session{From: g2.Host, Addr: g2.POP3Addr(),
		Lines: []string{"user " + g2.Passwords["hana"], "quit"}})

	d := dashboard.New(dashboard.Options{Reader: dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{}), Lang: i18n.En, HandGap: threshold})
	want := dashboard.Flow{
		Groups:    []int{1, 2, 3},
		Delivered: [][]int{{1, 1, 0}, {0, 0, 0}, {0, 2, 0}},
		Messages:  [][]int{{1, 1, 0}, {0, 0, 0}, {0, 2, 0}},
		Waiting:   [][]int{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
		Bounced:   [][]int{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
	}
	var s dashboard.Snapshot
	deadline := time.Now().Add(30 * time.Second)
	for {
		s = snapshot(t, d)
		if cmp.Equal(want, s.Flow) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if diff := cmp.Diff(want, s.Flow); diff != "" {
		t.Errorf("flow (-want +got):\n%s", diff)
	}
	if len(s.Groups) != 3 {
		t.Fatalf("groups: %+v", s.Groups)
	}
	// group 2's latest session is the POP3 one, the password masked
	latest := s.Groups[1].Sessions[0]
	wantLines := []dashboard.Line{
		{Dir: "S", Text: latest.Lines[0].Text}, // the greeting, with its timestamp
		{Dir: "C", Text: "user ****"},
		{Dir: "S", Text: "+OK password required for ****"},
		{Dir: "C", Text: "quit"},
		{Dir: "S", Text: "+OK maillab POP3 server signing off"},
	}
	if diff := cmp.Diff(wantLines, latest.Lines); diff != "" {
		t.Errorf("group 2's latest session (-want +got):\n%s", diff)
	}
	if latest.ClientGroup != 2 || latest.Proto != "pop3" {
		t.Errorf("latest session: %+v", latest)
	}
	body, _ := json.Marshal(s)
	if strings.Contains(string(body), g2.Passwords["hana"]) {
		t.Errorf("the snapshot holds hana's password")
	}
}

// Read from the data folders (lab grade --data), the evidence and its
// masking are those of the servers.
func TestLocalReaderMasksLikeTheServers(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	g3 := lab.Groups[3]
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.POP3Addr(),
		Lines: []string{"user " + g3.Passwords["taro"], "user yom", "pass " + g3.Passwords["yom"], "quit"}})
	remote := dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{})
	local := dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{DataRoot: lab.Root})
	remote.Update(context.Background(), nil)
	var order []int
	local.Update(context.Background(), func(g int, err error) {
		if err != nil {
			t.Errorf("group %d: %v", g, err)
		}
		order = append(order, g)
	})
	if len(order) != 3 {
		t.Errorf("progress calls: %v", order)
	}
	for _, g := range []int{1, 2, 3} {
		if diff := cmp.Diff(remote.Events(g), local.Events(g)); diff != "" {
			t.Errorf("group %d from its server and from its folder (-server +folder):\n%s", g, diff)
		}
	}
	b, _ := json.Marshal(local.Events(3))
	for _, pw := range g3.Passwords {
		if strings.Contains(string(b), pw) {
			t.Errorf("the local events hold a password")
		}
	}
	// a data folder that is not there is a reason, not a crash
	c := *lab.Classroom
	c.Groups = append(c.Groups, c.Groups[0])
	c.Groups[len(c.Groups)-1].ID = 9
	r := dashboard.NewReader(&c, dashboard.ReaderOptions{DataRoot: lab.Root})
	r.Update(context.Background(), nil)
	if err := r.Err(9); err == nil || !strings.Contains(err.Error(), "no data folder for group 9") {
		t.Errorf("group 9: %v", err)
	}
}

// The dashboard only reads: every other method gets 405; its page may
// load nothing from elsewhere and run no inline script.
func TestServerIsReadOnly(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1}})
	d := dashboard.New(dashboard.Options{Reader: dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{})})
	d.Update(context.Background())
	tests := []struct {
		method, path string
		want         int
		wantType     string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8"},
		{"GET", "/app.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/style.css", 200, "text/css; charset=utf-8"},
		{"GET", "/api/config", 200, "application/json; charset=utf-8"},
		{"GET", "/api/snapshot", 200, "application/json; charset=utf-8"},
		{"HEAD", "/", 200, "text/html; charset=utf-8"},
		{"POST", "/api/snapshot", 405, "text/plain; charset=utf-8"},
		{"PUT", "/", 405, "text/plain; charset=utf-8"},
		{"DELETE", "/api/stream", 405, "text/plain; charset=utf-8"},
		{"GET", "/assets/app.js", 404, "text/plain; charset=utf-8"},
		{"GET", "/../reader.go", 404, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		got := []any{rec.Code, rec.Header().Get("Content-Type")}
		if diff := cmp.Diff([]any{tt.want, tt.wantType}, got); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.method, tt.path, diff)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s %s: Content-Security-Policy %q", tt.method, tt.path, csp)
		}
	}
	// the page's own files use no inline script and no innerHTML
	for _, path := range []string{"/", "/app.js"} {
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body := rec.Body.String()
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "<script>", "http://", "https://"} {
			if strings.Contains(body, bad) && !(bad == "http://" && strings.Contains(body, "http://www.w3.org/2000/svg")) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
}

// The event stream sends the latest snapshot at once, then each new one.
func TestStream(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1, 2}})
	d := dashboard.New(dashboard.Options{Reader: dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{}), Interval: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	ts := httptest.NewServer(d)
	defer func() { cancel(); <-done; ts.Close() }()
	resp, err := http.Get(ts.URL + "/api/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	next := func() dashboard.Snapshot {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var s dashboard.Snapshot
				if err := json.Unmarshal([]byte(data), &s); err != nil {
					t.Fatal(err)
				}
				return s
			}
		}
	}
	first := next()
	if len(first.Groups) != 2 || first.Groups[0].Cells[0].Status != checker.StatusNotPassed {
		t.Fatalf("first snapshot: %+v", first.Groups)
	}
	g1 := lab.Groups[1]
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.POP3Addr(), Lines: []string{"user yom", "quit"}})
	for {
		s := next()
		if s.Version <= first.Version {
			t.Fatalf("version went from %d to %d", first.Version, s.Version)
		}
		if len(s.Groups[0].Sessions) > 0 {
			break
		}
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
				c.Write([]byte("220 fake.invalid ESMTP not a mail server\r\n"))
				r := bufio.NewReader(c)
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.EqualFold(strings.TrimSpace(l), "QUIT") {
						c.Write([]byte("221 bye\r\n"))
						return
					}
					c.Write([]byte("502 5.5.2 nothing here\r\n"))
				}
			}()
		}
	}()
}

// probeStatuses sums probe results up as group → name → status.
func probeStatuses(rs []dashboard.ProbeResult) map[int]map[string]checker.Status {
	out := map[int]map[string]checker.Status{}
	for _, r := range rs {
		if out[r.Group] == nil {
			out[r.Group] = map[string]checker.Status{}
		}
		out[r.Group][r.Name()] = r.Status
	}
	return out
}

// Probes against healthy servers all pass and count toward no exercise;
// against a class whose group 2 answers SMTP wrongly (its server stopped,
// something else on its port) they say what they expected and got.
func TestProbe(t *testing.T) {
	t.Parallel()
	pass, fail := checker.StatusPassed, checker.StatusNotPassed
	healthy := func() map[string]checker.Status {
		return map[string]checker.Status{
			"pop3-greeting": pass, "pop3-capa": pass, "pop3-apop-fake": pass,
			"smtp-greeting": pass, "smtp-ehlo": pass, "smtp-postmaster": pass,
		}
	}
	with := func(m map[string]checker.Status, kv ...any) map[string]checker.Status {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(checker.Status)
		}
		return m
	}
	tests := []struct {
		name   string
		break2 bool
		want   map[int]map[string]checker.Status
	}{
		{"healthy", false, map[int]map[string]checker.Status{
			1: with(healthy(), "relay-g2", pass, "relay-g3", pass),
			2: with(healthy(), "relay-g1", pass, "relay-g3", pass),
			3: with(healthy(), "relay-g1", pass, "relay-g2", pass),
		}},
		{"group 2 broken", true, map[int]map[string]checker.Status{
			1: with(healthy(), "relay-g2", fail, "relay-g3", pass),
			2: with(healthy(), "pop3-greeting", fail, "pop3-capa", fail, "pop3-apop-fake", fail,
				"smtp-ehlo", fail, "smtp-postmaster", fail, "relay-g1", fail, "relay-g3", fail),
			3: with(healthy(), "relay-g1", pass, "relay-g2", fail),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lab := checkertest.Start(t, checkertest.Config{})
			if tt.break2 {
				g2 := lab.Groups[2]
				smtpAddr := g2.SMTPAddr()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				g2.Server.Shutdown(ctx) // its web API goes on
				cancel()
				fakeSMTP(t, smtpAddr)
			}
			r := dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{})
			got := dashboard.Probe(context.Background(), dashboard.ProbeOptions{Reader: r, Wait: 5 * time.Second, Hello: "grader.test"})
			if diff := cmp.Diff(tt.want, probeStatuses(got)); diff != "" {
				t.Errorf("probes (-want +got):\n%s", diff)
			}
			for _, p := range got {
				if p.Passed() != (p.Got.En == "") || p.Expect.En == "" || p.Expect.Ja == "" {
					t.Errorf("%d %s: expect %q, got %q", p.Group, p.Name(), p.Expect.En, p.Got.En)
				}
			}
			if tt.break2 {
				byName := map[string]dashboard.ProbeResult{}
				for _, p := range got {
					byName[fmt.Sprintf("g%d %s", p.Group, p.Name())] = p
				}
				for name, want := range map[string]string{
					"g1 relay-g2":  "502 5.5.2 nothing here",
					"g2 smtp-ehlo": "502 5.5.2 nothing here",
					"g2 pop3-capa": "connection refused",
				} {
					if !strings.Contains(byName[name].Got.En, want) {
						t.Errorf("%s: got %q, want it to say %q", name, byName[name].Got.En, want)
					}
				}
			}
			// the probes' sessions are not among the latest sessions shown
			if !tt.break2 {
				for _, g := range snapshot(t, dashboard.New(dashboard.Options{Reader: r})).Groups {
					if len(g.Sessions) != 0 {
						t.Errorf("group %d shows the probes' sessions: %+v", g.Group, g.Sessions)
					}
				}
			}
			// the probes count toward no exercise
			r.Update(context.Background(), nil)
			ev := r.Evidence()
			for _, g := range []int{1, 3} {
				for _, res := range checker.Check(ev, g, checker.Options{HandGap: checker.AnyPace}).Exercises {
					if res.Passed {
						t.Errorf("group %d passed %s with the probes: %s", g, res.ID, res.Detail)
					}
				}
			}
		})
	}
}

// A group whose server is down shows in the snapshot with a short reason
// in both languages, and its partners' details name it by that reason,
// not by the error with its address twice.
func TestUnreachableReason(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1, 2}})
	g2 := lab.Groups[2]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	g2.Web.Shutdown(ctx)
	g2.Server.Shutdown(ctx)
	cancel()
	d := dashboard.New(dashboard.Options{Reader: dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{}), Lang: i18n.En, HandGap: threshold})
	s := snapshot(t, d)
	addr, _ := lab.Classroom.Group(2)
	want := &dashboard.Text{
		Ja: addr.WebAddr() + " で動いているサーバがありません（接続を拒否されました）",
		En: "no server is running at " + addr.WebAddr() + " (connection refused)",
	}
	if len(s.Groups) != 2 || s.Groups[0].Reason != nil {
		t.Fatalf("groups: %+v", s.Groups)
	}
	if diff := cmp.Diff(want, s.Groups[1].Reason); diff != "" || s.Groups[1].Error == "" {
		t.Errorf("group 2's reason (-want +got):\n%s", diff)
	}
	for _, c := range s.Groups[0].Cells {
		if c.Status != "unknown" {
			continue
		}
		if !strings.Contains(c.Detail.En, want.En) || !strings.Contains(c.Detail.Ja, want.Ja) || strings.Contains(c.Detail.En, "dial tcp") {
			t.Errorf("group 1's %s: %+v", c.ID, c.Detail)
		}
	}
}

// A message's Subject is shown decoded in the latest sessions, with its
// encoded form beside it.
func TestSessionShowsSubjectDecoded(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{Groups: []int{1}})
	g1 := lab.Groups[1]
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.SMTPAddr(),
		Lines: []string{"helo pc1", "mail from:<yom@g1.lab.test>", "rcpt to:<hana@g1.lab.test>", "data",
			"Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?=", "", "hi", ".", "quit"}})
	d := dashboard.New(dashboard.Options{Reader: dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{}), Lang: i18n.En, HandGap: threshold})
	want := dashboard.Line{Dir: "M", Text: "Subject: 日本語の件名   (=?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?=)"}
	var got []dashboard.Line
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		s := snapshot(t, d)
		got = nil
		for _, ss := range s.Groups[0].Sessions {
			for _, l := range ss.Lines {
				if l.Dir == "M" {
					got = append(got, l)
				}
			}
		}
		if len(got) > 0 {
			break
		}
	}
	if diff := cmp.Diff([]dashboard.Line{want}, got); diff != "" {
		t.Errorf("subject lines (-want +got):\n%s", diff)
	}
}
