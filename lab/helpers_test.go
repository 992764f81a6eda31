package main

import (
	"crypto/md5"
	"encoding/hex"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// lookPath finds a client program the test needs; a missing one fails the
// test (CI installs them all), it never skips it.
func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if runtime.GOOS != "linux" {
			// The real clients are Linux CI's (make deps); there they
			// are installed and the test always runs.
			t.Skipf("%s is needed for this test and is not installed on this %s machine", name, runtime.GOOS)
		}
		t.Fatalf("%s is needed for this test and is not installed (make deps installs the test clients)", name)
	}
	return p
}

func runCmd(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
