package main

import (
	"strings"
	"testing"
)

// lab exercises lists the extensions apart from the six, and lab show
// numbers an extension among the extensions, not "of 6".
func TestExtensionsListedApart(t *testing.T) {
	t.Parallel()
	en := map[string]string{"LANG": "en_US.UTF-8"}
	code, out, errOut := runLab(t, "", en, "exercises", "--data", t.TempDir())
	if code != 0 {
		t.Fatalf("lab exercises: exit %d\n%s%s", code, out, errOut)
	}
	six, ext, ok := strings.Cut(out, "Extensions (beyond the handout")
	if !ok || !strings.Contains(ext, "tls-telnet") || !strings.Contains(ext, "apop-weakness") || strings.Contains(six, "tls-telnet") {
		t.Errorf("lab exercises:\n%s", out)
	}
	for _, tt := range []struct{ id, want string }{
		{"tls-telnet", "(extension 1 of 2)"},
		{"apop-weakness", "(extension 2 of 2)"},
		{"pop3-telnet", "exercise 1 of 6"},
	} {
		code, out, _ := runLab(t, "", en, "show", tt.id)
		if first, _, _ := strings.Cut(out, "\n"); code != 0 || !strings.Contains(first, tt.want) {
			t.Errorf("lab show %s: exit %d, first line %q, want %q in it", tt.id, code, first, tt.want)
		}
	}
}
