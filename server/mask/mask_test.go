package mask_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/mask"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want mask.Words
	}{
		{"USER yom", mask.Words{Verb: "USER", Args: []string{"yom"}}},
		{"  pass \t two  words ", mask.Words{Verb: "pass", Args: []string{"two", "words"}}},
		{"PASS\u3000secret", mask.Words{Verb: "PASS", Args: []string{"secret"}, Space: 0x3000}},
		{"USER taro\u00a0x\u3000y", mask.Words{Verb: "USER", Args: []string{"taro", "x", "y"}, Space: 0xa0}},
		{"STAT\u2003", mask.Words{Verb: "STAT", Args: []string{}, Space: 0x2003}},
		{"PA\x7fSS x", mask.Words{Control: true}},
		{"NOOP \x1b[2J", mask.Words{Control: true}},
		{"NOOP \u0085", mask.Words{Control: true}},
		{"NOOP \u2029", mask.Words{Control: true}},
		{"NOOP \u2066", mask.Words{Control: true}},
		{"NOOP \xc3", mask.Words{Control: true}},
		{"", mask.Words{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, mask.Split(tt.line), cmpEmpty); diff != "" {
			t.Errorf("Split(%q) (-want +got):\n%s", tt.line, diff)
		}
	}
}

var cmpEmpty = cmp.Transformer("nilSlice", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

func TestShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"Name yom", mask.Name("yom"), true},
		{"Name Yom.Sato_2-x", mask.Name("Yom.Sato_2-x"), true},
		{"Name 8kpk8n3i", mask.Name("8kpk8n3i"), false},
		{"Name ../etc", mask.Name("../etc"), false},
		{"Name 33 letters", mask.Name("abcdefghijabcdefghijabcdefghijabc"), false},
		{"Number 12", mask.Number("12"), true},
		{"Number -1", mask.Number("-1"), false},
		{"Number 21 digits", mask.Number("123456789012345678901"), false},
		{"Token <a@b>", mask.Token("<a@b>", 10), true},
		{"Token with space", mask.Token("a b", 10), false},
		{"Token non-ASCII", mask.Token("ä", 10), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestClassOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text  string
		class string
		n     int
		ok    bool
	}{
		{mask.Class(mask.Unknown, 12).Text, mask.Unknown, 12, true},
		{mask.Class(mask.Control, 0).Text, mask.Control, 0, true},
		{"<unknown command, 012 bytes>", "", 0, false},
		{"<unknown command, -1 bytes>", "", 0, false},
		{"<other, 1 bytes>", "", 0, false},
		{"PASS ****", "", 0, false},
	}
	for _, tt := range tests {
		class, n, ok := mask.ClassOf(tt.text)
		if class != tt.class || n != tt.n || ok != tt.ok {
			t.Errorf("ClassOf(%q) = %q %d %v, want %q %d %v", tt.text, class, n, ok, tt.class, tt.n, tt.ok)
		}
	}
}
