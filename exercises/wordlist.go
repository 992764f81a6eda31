package exercises

import (
	_ "embed"
	"strings"
)

//go:embed data/wordlist.txt
var wordList string

// WordList returns lab crack's word list of weak passwords (the
// apop-weakness exercise), in order, comments left out.
func WordList() []string {
	var out []string
	for _, l := range strings.Split(wordList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}
