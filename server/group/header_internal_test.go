package group

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// The Subject the journal keeps: as it came, but bounded, control
// characters escaped (raw ISO-2022-JP's ESC included), valid UTF-8.
func TestJournalSubject(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "hello", "hello"},
		{"encoded word", "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="},
		{"raw ISO-2022-JP", "\x1b$BF|K\\8l\x1b(B", `\x1b$BF|K\8l\x1b(B`},
		{"a terminal escape", "hi\x1b[2J\x07", `hi\x1b[2J\x07`},
		{"long", strings.Repeat("a", 300), strings.Repeat("a", maxSubject)},
		{"an escape not split", strings.Repeat("a", maxSubject-2) + "\x1b", strings.Repeat("a", maxSubject-2)},
		{"not UTF-8", "caf\xe9", "caf\ufffd"},
		{"raw UTF-8", "日本語の件名", "日本語の件名"},
	}
	for _, tt := range tests {
		got := journalSubject(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: not UTF-8: %q", tt.name, got)
		}
	}
	if h := scanHeader([]byte("To: a@b\r\nSubject: first\r\nSubject: second\r\n\r\nbody\r\n")); h.subject != "first" {
		t.Errorf("scanHeader kept subject %q, want the first field's", h.subject)
	}
}
