package checker_test

import (
	"os/exec"
	"strings"
	"testing"

	"maillab/internal/testenv"
)

// The checker decides from evidence, not from servers: it must not depend
// on any protocol or server package, only on the evidence and its readers.
func TestCheckerDependsOnNoServer(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(testenv.NeedTool(t, "go"), "list", "-deps", "maillab/checker").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch pkg {
		case "maillab/server/pop3", "maillab/server/smtp", "maillab/server/wire", "maillab/server/telnet",
			"maillab/server/group", "maillab/server/maildir", "maillab/server/relay", "maillab/server/conns":
			t.Errorf("the checker depends on %s", pkg)
		}
	}
}
