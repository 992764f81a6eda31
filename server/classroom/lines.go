package classroom

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// lineIndex remembers on which line the keys of a classroom file stand, so
// that a mistake found after decoding can name its line. It reads the file
// as people write it (one key a line, [[groups]] tables); what it does not
// find gets line 0, and the message still names the group.
type lineIndex struct {
	text   []string         // the lines
	top    map[string]int   // top-level key → line
	groups []int            // the line of each [[groups]] header
	keys   []map[string]int // per group: key → line
}

var (
	keyLine   = regexp.MustCompile(`^\s*([A-Za-z0-9_-]+)\s*=`)
	groupHead = regexp.MustCompile(`^\s*\[\[\s*groups\s*\]\]`)
	tableHead = regexp.MustCompile(`^\s*\[\s*[A-Za-z_"']`) // not a line of a multi-line array
)

func indexLines(data []byte) lineIndex {
	idx := lineIndex{top: map[string]int{}, text: strings.Split(string(data), "\n")}
	inGroup := -1
	for n, line := range bytes.Split(data, []byte("\n")) {
		l := string(line)
		switch {
		case groupHead.MatchString(l):
			idx.groups = append(idx.groups, n+1)
			idx.keys = append(idx.keys, map[string]int{})
			inGroup = len(idx.groups) - 1
		case tableHead.MatchString(l):
			inGroup = -2 // some other table
		default:
			m := keyLine.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			switch {
			case inGroup >= 0:
				if _, seen := idx.keys[inGroup][m[1]]; !seen {
					idx.keys[inGroup][m[1]] = n + 1
				}
			case inGroup == -1:
				if _, seen := idx.top[m[1]]; !seen {
					idx.top[m[1]] = n + 1
				}
			}
		}
	}
	return idx
}

func (x lineIndex) groupLine(i int) int {
	if i < len(x.groups) {
		return x.groups[i]
	}
	return x.top["groups"]
}

// keyLine finds an undecoded key: top-level, or in the k-th group when the
// key path is groups.<index>.name (BurntSushi gives no index, so the first
// group holding the key is taken).
func (x lineIndex) keyLine(k toml.Key) int {
	name := k[len(k)-1]
	if len(k) == 1 {
		return x.top[name]
	}
	if k[0] == "groups" {
		for _, keys := range x.keys {
			if n, ok := keys[name]; ok {
				return n
			}
		}
	}
	return 0
}

// wrongKind returns the line of the first group whose key has a value of
// the wrong kind: quoted where a number belongs (wantNumber), or not.
func (x lineIndex) wrongKind(key string, wantNumber bool) int {
	for _, keys := range x.keys {
		n, ok := keys[key]
		if !ok || n > len(x.text) {
			continue
		}
		_, value, _ := strings.Cut(x.text[n-1], "=")
		value = strings.TrimSpace(value)
		isNumber := value != "" && value[0] >= '0' && value[0] <= '9'
		if isNumber != wantNumber {
			return n
		}
	}
	return 0
}
