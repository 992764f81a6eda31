package grading

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"maillab/exercises/i18n"
	"maillab/internal/testenv"
)

// The report in a real browser, at a laptop's width and a projector's: every
// group's section is there, nothing is wider than the window, and a
// screenshot of each is kept as a test artefact. Without Chromium on PATH
// the test is skipped locally and fails in CI.
func TestReportInChromium(t *testing.T) {
	t.Parallel()
	chromium := testenv.NeedTool(t, "chromium", "chromium-browser", "google-chrome")
	for _, l := range []i18n.Lang{i18n.Ja, i18n.En} {
		var page bytes.Buffer
		if err := WriteHTML(&page, fixture(), Style{Lang: l}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "report.html")
		if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, size := range []struct{ w, h int }{{1280, 800}, {1920, 1080}} {
			actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
				chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
				chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
				chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(size.w, size.h))
			ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
			if err := chromedp.Do(ctx); err != nil {
				cancel()
				cancelAlloc()
				t.Fatalf("starting Chromium: %v", err)
			}
			wctx, stop := context.WithTimeout(ctx, 30*time.Second)
			if err := chromedp.Do(wctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS(`#g3`))); err != nil {
				t.Fatalf("loading the report: %v", err)
			}
			type look struct {
				Sections []string `json:"sections"`
				Overflow bool     `json:"overflow"`
				Bars     int      `json:"bars"`
			}
			got, err := chromedp.Run(wctx, chromedp.Evaluate[look](`({
				sections: [...document.querySelectorAll('section.group')].map(s => s.id),
				overflow: document.documentElement.scrollWidth > window.innerWidth,
				bars: document.querySelectorAll('.bar').length})`))
			if err != nil {
				t.Fatalf("reading the report: %v", err)
			}
			if diff := cmp.Diff(look{Sections: []string{"g1", "g2", "g3"}, Bars: 4}, got); diff != "" {
				t.Errorf("%s at %dx%d (-want +got):\n%s", l, size.w, size.h, diff)
			}
			png, err := chromedp.Run(wctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			shot := filepath.Join(t.ArtifactDir(), "report-"+string(l)+"-"+strconv.Itoa(size.w)+".png")
			if err := os.WriteFile(shot, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", shot)
			stop()
			cancel()
			cancelAlloc()
		}
	}
}
