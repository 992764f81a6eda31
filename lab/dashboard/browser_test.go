//go:build linux

// The dashboard test drives Debian's headless Chromium (/usr/bin/chromium),
// which Linux CI installs.

package dashboard_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"maillab/checker/checkertest"
	"maillab/exercises/i18n"
	"maillab/internal/testenv"
	"maillab/lab/dashboard"
)

// browser starts a headless Chromium for the test, with a profile of its
// own, and returns a tab's context. Without Chromium on PATH the test is
// skipped locally and fails in CI (.ci/run installs it).
func browser(t *testing.T) context.Context {
	t.Helper()
	chromium := testenv.NeedTool(t, "chromium", "chromium-browser", "google-chrome")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// start the browser now (with no timeout: it would stop the browser),
	// so that a failure to start is reported as such
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// within runs actions, failing the test when they do not finish within d
// (a wait for a condition, not a timing).
func within(t *testing.T, ctx context.Context, d time.Duration, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(wctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value runs an action that returns a value, within d.
func value[T any](t *testing.T, ctx context.Context, d time.Duration, what string, action chromedp.Action[T]) T {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	v, err := chromedp.Run(wctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// The dashboard in a real browser: the page loads and shows every group;
// a cell turns ✓ soon after the group passes the exercise; a mail from
// group 3 to group 2 shows in the mail flow; and what students typed
// (here, HTML) is shown as text, never taken as HTML.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{})
	reader := dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{Timeout: 5 * time.Second})
	d := dashboard.New(dashboard.Options{Reader: reader, Lang: i18n.Ja, HandGap: threshold, Interval: 200 * time.Millisecond})
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	ts := httptest.NewServer(d)
	t.Cleanup(func() { stop(); <-done; ts.Close() })

	ctx := browser(t)

	// the page loads (in English, by its switch) and shows every group
	within(t, ctx, 30*time.Second, "loading the page",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`td[data-group="3"][data-ex="pop3-telnet"]`)),
		chromedp.Click(chromedp.CSS(`#lang`)),
		chromedp.WaitVisible(chromedp.CSS(`th.ex`)),
	)
	rows := value(t, ctx, 10*time.Second, "reading the grid",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll('#grid tbody tr[data-group]')].map(r => r.dataset.group)`))
	heading := value(t, ctx, 10*time.Second, "reading the heading", chromedp.Text(chromedp.CSS(`#grid thead th:first-child`)))
	lang := value(t, ctx, 10*time.Second, "reading the language", chromedp.Evaluate[string](`document.documentElement.lang`))
	if diff := cmp.Diff([]string{"1", "2", "3"}, rows); diff != "" {
		t.Errorf("groups on the page (-want +got):\n%s", diff)
	}
	if heading != "group" || lang != "en" {
		t.Errorf("after the language switch: heading %q, lang %q", heading, lang)
	}
	// the extensions are optional columns after the total, with their own
	columns := value(t, ctx, 10*time.Second, "reading the columns",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll('#grid thead th')].map(h => h.textContent)`))
	want := []string{"group", "cluster", "pop3-telnet", "apop-telnet", "smtp-telnet", "cross-send", "cross-apop", "envelope-bcc", "total", "tls-telnet", "apop-weakness", "extensions"}
	if diff := cmp.Diff(want, columns); diff != "" {
		t.Errorf("the grid's columns (-want +got):\n%s", diff)
	}
	// a window narrower than 1600 px opens the detailed view
	if projector := value(t, ctx, 10*time.Second, "reading the view", chromedp.Evaluate[bool](`document.documentElement.classList.contains('projector')`)); projector {
		t.Errorf("a window 1280 px wide opened the projector view")
	}
	before := value(t, ctx, 10*time.Second, "reading a cell", chromedp.Text(chromedp.CSS(`td[data-group="2"][data-ex="pop3-telnet"] .mark`)))
	if before != "✗" {
		t.Errorf("group 2's pop3-telnet before: %q", before)
	}

	// group 2 does pop3-telnet by hand: the cell turns ✓
	g2, g3 := lab.Groups[2], lab.Groups[3]
	checkertest.Type(t, checkertest.Session{From: g2.Host, Addr: g2.POP3Addr(), Delay: pause,
		Lines: []string{"user yom", "pass " + g2.Passwords["yom"], "stat", "retr 1", "quit"}})
	within(t, ctx, 30*time.Second, "waiting for group 2's pop3-telnet to turn ✓",
		chromedp.WaitVisible(chromedp.CSS(`td[data-group="2"][data-ex="pop3-telnet"][data-status="passed"]`)))
	after := value(t, ctx, 10*time.Second, "reading the cell", chromedp.Text(chromedp.CSS(`td[data-group="2"][data-ex="pop3-telnet"] .mark`)))
	if after != "✓" {
		t.Errorf("group 2's pop3-telnet after: %q", after)
	}

	// group 3 sends to group 2 through its own server's relay; group 1
	// types HTML where an address goes
	checkertest.Type(t, checkertest.Session{From: g3.Host, Addr: g3.SMTPAddr(),
		Lines: []string{"helo pc3", "mail from:<hana@g3.lab.test>", "rcpt to:<taro@g2.lab.test>", "data",
			"To: taro@g2.lab.test", "", "hello", ".", "quit"}})
	g1 := lab.Groups[1]
	evil := `<img/src=x/onerror=document.title='pwned'>` // one word: HELO's kept argument
	checkertest.Type(t, checkertest.Session{From: g1.Host, Addr: g1.SMTPAddr(),
		Lines: []string{"helo " + evil, `mail from:<"<script>window.pwned=1</script>"@g1.lab.test>`, "quit"}})
	within(t, ctx, 30*time.Second, "waiting for the mail flow from group 3 to group 2",
		chromedp.WaitVisible(chromedp.CSS(`#flow-matrix td[data-from="3"][data-to="2"]:not(.zero)`)),
		chromedp.WaitVisible(chromedp.CSS(`#flow-graph path.edge[data-from="3"][data-to="2"]`)),
	)
	flow := value(t, ctx, 10*time.Second, "reading the mail flow", chromedp.Text(chromedp.CSS(`#flow-matrix td[data-from="3"][data-to="2"]`)))
	if flow != "1" {
		t.Errorf("mail from group 3 to group 2: %q", flow)
	}
	within(t, ctx, 30*time.Second, "waiting for group 1's session",
		chromedp.Poll[chromedp.Void](`document.querySelector('#sessions [data-group="1"]').textContent.includes(`+jsString(evil)+`)`,
			chromedp.WithPollingInterval(100*time.Millisecond)))
	type found struct {
		Elements int    `json:"elements"`
		Title    string `json:"title"`
		Pwned    bool   `json:"pwned"`
	}
	injected := value(t, ctx, 10*time.Second, "looking for injected HTML",
		chromedp.Evaluate[found](`({elements: document.querySelectorAll('#sessions img, #sessions script, main img').length,
			title: document.title, pwned: window.pwned === 1})`))
	if injected.Elements != 0 || injected.Pwned || strings.Contains(injected.Title, "pwned") {
		t.Errorf("what a student typed was taken as HTML: %+v", injected)
	}
	saveShot(t, "dashboard.png", value(t, ctx, 20*time.Second, "screenshot", chromedp.FullScreenshot(100)))
}

// screenshotsEnv names the folder where the browser tests keep their
// screenshots; without it they go to the test's artifact folder (see go
// test -artifacts), a temporary one by default.
const screenshotsEnv = "MAILLAB_SCREENSHOTS"

func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		dir = t.ArtifactDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// jsString quotes s for a script.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "'", `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}

// layout is what the projector test measures of the page: the window,
// the document's scroll sizes, and the boxes of what must be seen.
type layout struct {
	Projector    bool    `json:"projector"`
	Width        float64 `json:"width"`
	Height       float64 `json:"height"`
	ScrollWidth  float64 `json:"scrollWidth"`
	ClientWidth  float64 `json:"clientWidth"`
	ScrollHeight float64 `json:"scrollHeight"`
	ClientHeight float64 `json:"clientHeight"`
	Boxes        []box   `json:"boxes"`
	// the smallest font size of the grid's marks, group names and totals
	GridFont float64 `json:"gridFont"`
	Legend   string  `json:"legend"`
}

// box is an element's bounding box, by a name for the test's messages.
type box struct {
	Name   string  `json:"name"`
	Left   float64 `json:"left"`
	Top    float64 `json:"top"`
	Right  float64 `json:"right"`
	Bottom float64 `json:"bottom"`
}

// measure is the script that fills a layout.
const measure = `(() => {
	const d = document.documentElement;
	const boxes = [];
	const add = (name, e) => {
		if (!e) { boxes.push({name: name + ' (missing)', left: -1, top: -1, right: -1, bottom: -1}); return; }
		const r = e.getBoundingClientRect();
		boxes.push({name, left: r.left, top: r.top, right: r.right, bottom: r.bottom});
	};
	for (const r of document.querySelectorAll('#grid tbody tr[data-group]')) add('grid row g' + r.dataset.group, r);
	add('mail flow', document.querySelector('#flow-graph'));
	for (const n of document.querySelectorAll('#flow-graph .node')) add('flow node g' + n.dataset.group, n);
	for (const n of document.querySelectorAll('#flow-graph .label')) add('flow label ' + n.dataset.from + '→' + n.dataset.to, n);
	add('legend', document.querySelector('#legend'));
	add('probe grid', document.querySelector('#probes'));
	const sizes = [...document.querySelectorAll('#grid td.cell .mark, #grid td.group, #grid td.total')]
		.map(e => parseFloat(getComputedStyle(e).fontSize));
	return {
		projector: d.classList.contains('projector'),
		width: window.innerWidth, height: window.innerHeight,
		scrollWidth: d.scrollWidth, clientWidth: d.clientWidth,
		scrollHeight: d.scrollHeight, clientHeight: d.clientHeight,
		boxes, gridFont: Math.min(...sizes), legend: document.querySelector('#legend').innerText,
	};
})()`

// The projector view, in a real browser at 1920×1080 (where it is the
// default) and at 1280×720 (asked for with ?view=projector), with a class
// of nine groups in three clusters, group 9's machine off and --probe
// results: every group's row, the whole mail flow, the legend and the
// probe grid are inside the window (so on one screen, with nothing to
// scroll); the grid's type is at least 24 px at 1920×1080; the legend
// explains every symbol; a not-passed cell shows its reason as text, and
// the language switch translates it; the unreachable group has no score;
// a Bcc'd message counts once, its recipients in brackets; a cell that
// turns ✓ while the page is open is listed as just passed. The
// screenshots are kept (screenshotsEnv).
func TestProjectorInChromium(t *testing.T) {
	t.Parallel()
	lab := checkertest.Start(t, checkertest.Config{
		Groups:   []int{1, 2, 3, 4, 5, 6, 7, 8, 9},
		Clusters: [][]int{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
	})
	g := lab.Groups
	pop3 := func(n int, user string, lines ...string) {
		checkertest.Type(t, checkertest.Session{From: g[n].Host, Addr: g[n].POP3Addr(), Delay: pause, Secret: g[n].Passwords[user], Lines: lines})
	}
	smtp := func(from, server int, delay time.Duration, lines ...string) {
		checkertest.Type(t, checkertest.Session{From: g[from].Host, Addr: g[server].SMTPAddr(), Delay: delay, Lines: lines})
	}
	// group 9's machine is off
	stop9, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	g[9].Server.Shutdown(stop9)
	g[9].Web.Shutdown(stop9)
	cancel()

	// what the class has done before the page opens
	pop3(1, "yom", "user yom", "pass "+g[1].Passwords["yom"], "stat", "retr 1", "quit")
	pop3(1, "hana", "apop hana {digest}", "retr 1", "quit")
	smtp(2, 2, pause, "helo pc2", "mail from:<yom@g2.lab.test>", "rcpt to:<hana@g3.lab.test>", "data",
		"To: hana@g3.lab.test", "Subject: hi", "", "hello from group 2", ".", "quit")
	smtp(3, 3, pause, "helo pc3", "mail from:<postmaster@g3.lab.test>", "rcpt to:<taro@g3.lab.test>", "data", "", "hi", ".", "quit")
	// group 4 sends one message to two members of group 5, one of them Bcc
	smtp(4, 4, 0, "helo pc4", "mail from:<yom@g4.lab.test>", "rcpt to:<yom@g5.lab.test>", "rcpt to:<hana@g5.lab.test>", "data",
		"To: yom@g5.lab.test", "", "hello", ".", "quit")
	smtp(1, 1, 0, "helo pc1", "mail from:<taro@g1.lab.test>", "rcpt to:<taro@g5.lab.test>", "data", "", "across", ".", "quit")
	smtp(6, 6, 0, "helo pc6", "mail from:<yom@g6.lab.test>", "rcpt to:<hana@g6.lab.test>", "data", "", "within", ".", "quit")
	smtp(7, 7, 0, "helo pc7", "mail from:<yom@g7.lab.test>", "rcpt to:<yom@g9.lab.test>", "data", "", "to 9", ".", "quit")
	pop3(5, "yom", "user yom", "pass wrong", "quit")
	// the relayed messages arrive (group 3's reads hana's, from group 3's
	// machine), before the probes run
	reader := dashboard.NewReader(lab.Classroom, dashboard.ReaderOptions{Timeout: 5 * time.Second})
	d := dashboard.New(dashboard.Options{Reader: reader, HandGap: threshold})
	waitFor(t, 30*time.Second, "the relayed messages", func() bool {
		f := snapshot(t, d).Flow
		return f.Delivered[1][2] == 1 && f.Delivered[3][4] == 2 && f.Delivered[0][4] == 1
	})
	pop3(3, "hana", "user hana", "pass "+g[3].Passwords["hana"], "list", "retr 2", "quit")
	probes := dashboard.Probe(context.Background(), dashboard.ProbeOptions{Reader: reader, Wait: 10 * time.Second, Hello: "grader.test"})

	d = dashboard.New(dashboard.Options{Reader: reader, Lang: i18n.Ja, HandGap: threshold, Interval: 200 * time.Millisecond, Probes: probes})
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	ts := httptest.NewServer(d)
	t.Cleanup(func() { stop(); <-done; ts.Close() })
	ctx := browser(t)

	sizes := []struct {
		width, height int64
		path          string // what is opened
		lang          string // the page's language for the screenshot
		shot          string
	}{
		{1920, 1080, "/", "ja", "projector-1920x1080.png"},
		{1280, 720, "/?view=projector&lang=en", "en", "projector-1280x720.png"},
	}
	for i, sz := range sizes {
		within(t, ctx, 30*time.Second, "opening the page",
			chromedp.EmulateViewport(sz.width, sz.height),
			chromedp.Navigate(ts.URL+sz.path),
			chromedp.WaitVisible(chromedp.CSS(`#flow-graph .node[data-group="9"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#probes td[data-group="9"]`)),
		)
		if i == 0 {
			// group 6 passes pop3-telnet while the page is open
			pop3(6, "yom", "user yom", "pass "+g[6].Passwords["yom"], "stat", "retr 1", "quit")
			// (the highlight lasts ten seconds, the list until the next
			// ones: the highlight comes first)
			within(t, ctx, 30*time.Second, "waiting for group 6's pop3-telnet to be highlighted and among the just passed",
				chromedp.WaitVisible(chromedp.CSS(`#grid td.cell.fresh[data-group="6"][data-ex="pop3-telnet"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#recent li[data-group="6"][data-ex="pop3-telnet"]`)))
		}
		l := value(t, ctx, 10*time.Second, "measuring the page", chromedp.Evaluate[layout](measure))
		if !l.Projector {
			t.Errorf("%dx%d %s: not the projector view", sz.width, sz.height, sz.path)
		}
		if l.ScrollWidth > l.ClientWidth || l.ScrollHeight > l.ClientHeight {
			t.Errorf("%dx%d: the page scrolls: %v×%v in a window of %v×%v", sz.width, sz.height, l.ScrollWidth, l.ScrollHeight, l.ClientWidth, l.ClientHeight)
		}
		if len(l.Boxes) < 9+1+9+1+1 {
			t.Errorf("%dx%d: only %d boxes measured: %+v", sz.width, sz.height, len(l.Boxes), l.Boxes)
		}
		var flow box
		for _, b := range l.Boxes {
			if b.Left < 0 || b.Top < 0 || b.Right > l.Width || b.Bottom > l.Height || b.Right <= b.Left {
				t.Errorf("%dx%d: %s is not inside the window: %+v", sz.width, sz.height, b.Name, b)
			}
			if b.Name == "mail flow" {
				flow = b
			}
			// nothing of the drawing is cut off at its edges
			if strings.HasPrefix(b.Name, "flow ") && (b.Left < flow.Left || b.Top < flow.Top || b.Right > flow.Right || b.Bottom > flow.Bottom) {
				t.Errorf("%dx%d: %s is not inside the drawing %+v: %+v", sz.width, sz.height, b.Name, flow, b)
			}
		}
		if sz.width == 1920 && l.GridFont < 24 {
			t.Errorf("1920x1080: the grid's type is %v px, want at least 24", l.GridFont)
		}
		for _, sym := range []string{"✓", "✗", "?", "↻N", "2 (3)"} {
			if !strings.Contains(l.Legend, sym) {
				t.Errorf("%dx%d: the legend does not explain %s: %q", sz.width, sz.height, sym, l.Legend)
			}
		}
		saveShot(t, sz.shot, value(t, ctx, 20*time.Second, "screenshot", chromedp.CaptureScreenshot()))
	}

	// what the page says, in both languages (the 1280×720 page is in
	// English: switch it to Japanese and back)
	type page struct {
		Reason      string `json:"reason"`
		Visible     bool   `json:"visible"`
		Unreachable string `json:"unreachable"`
		Total       string `json:"total"`
		Bcc         string `json:"bcc"`
	}
	read := func() page {
		return value(t, ctx, 10*time.Second, "reading the page", chromedp.Evaluate[page](`(() => {
			const r = document.querySelector('td[data-group="3"][data-ex="smtp-telnet"] .reason');
			const box = r ? r.getBoundingClientRect() : {width: 0, height: 0};
			return {
				reason: r ? r.innerText : '', visible: box.width > 0 && box.height > 0,
				unreachable: document.querySelector('#grid td.unreachable[data-group="9"]').innerText,
				total: document.querySelector('#grid td.total[data-group="9"]').innerText,
				bcc: [...document.querySelectorAll('#flow-graph .label[data-from="4"][data-to="5"]')].map(e => e.textContent).join(','),
			};
		})()`))
	}
	en := read()
	within(t, ctx, 10*time.Second, "switching to Japanese",
		chromedp.Click(chromedp.CSS(`#lang`)),
		chromedp.Poll[chromedp.Void](`document.documentElement.lang === 'ja'`, chromedp.WithPollingInterval(50*time.Millisecond)))
	ja := read()
	tests := []struct {
		name string
		p    page
		want page
	}{
		{"en", en, page{Reason: "The sender was postmaster or <>: the kit's own addresses do not count.", Visible: true, Unreachable: "unreachable no server is running at " + g[9].Host + ":", Total: "—", Bcc: "1 (2)"}},
		{"ja", ja, page{Reason: "送信者が postmaster か <> でした。", Visible: true, Unreachable: "つながりません " + g[9].Host + ":", Total: "—", Bcc: "1 (2)"}},
	}
	for _, tt := range tests {
		// the unreachable row up to the port, which the test picked
		if strings.HasPrefix(tt.p.Unreachable, tt.want.Unreachable) {
			tt.p.Unreachable = tt.want.Unreachable
		}
		if diff := cmp.Diff(tt.want, tt.p); diff != "" {
			t.Errorf("%s page (-want +got):\n%s", tt.name, diff)
		}
	}

	// the button switches to the detailed view, which the address keeps:
	// the sessions, and each reason in full
	within(t, ctx, 10*time.Second, "switching to the detailed view",
		chromedp.Click(chromedp.CSS(`#view`)),
		chromedp.WaitVisible(chromedp.CSS(`#sessions .group[data-group="1"]`)))
	type detailed struct {
		Projector bool   `json:"projector"`
		Search    string `json:"search"`
		Reason    string `json:"reason"`
	}
	got := value(t, ctx, 10*time.Second, "reading the detailed view", chromedp.Evaluate[detailed](`({
		projector: document.documentElement.classList.contains('projector'), search: location.search,
		reason: document.querySelector('td[data-group="3"][data-ex="smtp-telnet"] .reason').innerText})`))
	want := detailed{Search: "?view=full&lang=ja",
		Reason: "送信者が postmaster か <> でした。これはキットが使うアドレスなので数えません。MAIL FROM には自分たちのアドレスを書いてください。"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the detailed view (-want +got):\n%s", diff)
	}
}

// waitFor polls cond until it holds, failing the test after d (a wait
// for a condition, not a timing).
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: it did not come within %s", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
