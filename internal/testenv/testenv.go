// Package testenv says what the machine running the tests offers, and what
// a test does when something it needs is missing: locally it is skipped,
// with the reason, so that a developer without Chromium or root can still
// run the rest; in CI (the CI environment variable is set) it fails,
// because CI installs everything and a test that silently does not run
// there proves nothing.
package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// InCI reports whether the tests run in continuous integration: the CI
// environment variable is set to anything but "", "0" or "false", as GitHub
// Actions, GitLab and most CI systems set it.
func InCI() bool { return ciValue(os.Getenv("CI")) }

func ciValue(v string) bool { return v != "" && v != "0" && !strings.EqualFold(v, "false") }

// Unavailable ends a test that cannot run here: it is skipped with the
// reason, or, in CI, it fails with it.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("cannot run in CI: "+format, args...)
	}
	t.Skipf("skipped: "+format, args...)
}

// NeedTool looks a program up on PATH and returns its path. When none of
// name and its alternatives (other names of the same program, such as
// "chromium-browser" for "chromium") is installed, the test is
// Unavailable.
func NeedTool(t testing.TB, name string, alternatives ...string) string {
	t.Helper()
	for _, n := range append([]string{name}, alternatives...) {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Unavailable(t, "%s is not installed (make deps installs the test clients)", name)
	return ""
}

// Long marks a test that takes seconds, such as a soak or a crash test:
// go test -short skips it, with why it is long.
func Long(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipped with -short: %s", why)
	}
}
