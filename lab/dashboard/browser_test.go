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
	shot := func(name string) {
		png := value(t, ctx, 20*time.Second, "screenshot", chromedp.FullScreenshot(100))
		path := filepath.Join(t.ArtifactDir(), name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

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
	before := value(t, ctx, 10*time.Second, "reading a cell", chromedp.Text(chromedp.CSS(`td[data-group="2"][data-ex="pop3-telnet"]`)))
	if before != "✗" {
		t.Errorf("group 2's pop3-telnet before: %q", before)
	}

	// group 2 does pop3-telnet by hand: the cell turns ✓
	g2, g3 := lab.Groups[2], lab.Groups[3]
	checkertest.Type(t, checkertest.Session{From: g2.Host, Addr: g2.POP3Addr(), Delay: pause,
		Lines: []string{"user yom", "pass " + g2.Passwords["yom"], "stat", "retr 1", "quit"}})
	within(t, ctx, 30*time.Second, "waiting for group 2's pop3-telnet to turn ✓",
		chromedp.WaitVisible(chromedp.CSS(`td[data-group="2"][data-ex="pop3-telnet"][data-status="passed"]`)))
	after := value(t, ctx, 10*time.Second, "reading the cell", chromedp.Text(chromedp.CSS(`td[data-group="2"][data-ex="pop3-telnet"]`)))
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
	shot("dashboard.png")
}

// jsString quotes s for a script.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "'", `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}
