// Package mask decides what of a client's command line may be kept: in the
// journal, on the console, in `lab replay` and in the web API. What is
// kept is built from an allow-list, never by hiding what looks secret: a
// known verb and those of its arguments that have an innocent shape (a
// user name, a message number, an address); anything else is replaced by
// "****", and a line whose verb is not a command of the protocol, or that
// holds a control character, is kept only as its class and its length:
//
//	<unknown command, 12 bytes>
//
// The protocol packages (server/pop3, server/smtp) hold the allow-lists
// and apply them before their Tracer sees a line; this package has what
// both share: splitting a line into words, the classes, and the shapes.
//
// Unicode spaces (U+3000 typed by a Japanese IME, U+00A0, and the other
// space separators) separate words as the ASCII space does, so that
// "PASS　secret" is masked as a PASS command. Masking is idempotent: a
// masked line masks to itself, so it can be masked again on the way out.
package mask

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hidden replaces an argument that is not kept.
const Hidden = "****"

// Classes: the Verb of a Line that is kept only as its kind and length.
const (
	Unknown = "unknown" // not a command of the protocol
	Control = "control" // holds a control character (or is not UTF-8)
	Empty   = "empty"   // nothing but spaces
)

// WideSpace is the reason recorded with a command whose words a non-ASCII
// space separates (Line.Space), so that the console can explain it.
const WideSpace = "wide-space"

// classText is how a class is written in a kept line, with the line's
// length in bytes.
var classText = map[string]string{
	Unknown: "unknown command",
	Control: "command with control characters",
}

// Line is what may be kept of one command line.
type Line struct {
	// Verb is the command's verb in upper case when the protocol has it,
	// else a class (Unknown, Control, Empty).
	Verb string
	// Text is what may be shown: the verb as typed and its kept
	// arguments, or "<class, N bytes>".
	Text string
	// Space is the first non-ASCII space that separates words (U+3000 when
	// an IME typed a full-width space), or 0.
	Space rune
}

// Words is a command line split at spaces.
type Words struct {
	Verb string   // the first word, as typed
	Args []string // the other words
	// Space is the first non-ASCII space that separated two words, or
	// ended the line, or 0 when there is none.
	Space rune
	// Control reports a control character (C0, DEL, C1, the line and
	// paragraph separators, bidirectional overrides) or bytes that are not
	// UTF-8. Such a line is never split, and never kept.
	Control bool
}

// Split splits line into words at runs of ASCII spaces, tabs and Unicode
// space separators.
func Split(line string) Words {
	var w Words
	if !Printable(line) {
		w.Control = true
		return w
	}
	words := strings.FieldsFunc(line, func(r rune) bool {
		if r == ' ' || r == '\t' {
			return true
		}
		if r >= utf8.RuneSelf && unicode.Is(unicode.Zs, r) {
			if w.Space == 0 {
				w.Space = r
			}
			return true
		}
		return false
	})
	if len(words) > 0 {
		w.Verb, w.Args = words[0], words[1:]
	}
	return w
}

// Printable reports whether s is UTF-8 without any character that can
// steer a terminal or reorder text: C0 controls (the tab excepted), DEL,
// C1 controls, U+2028, U+2029 and the bidirectional formatting characters.
func Printable(s string) bool {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < ' ' && b != '\t' || b == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || Steering(r) {
			return false
		}
		i += n
	}
	return true
}

// Steering reports whether r is a control character for a terminal or a
// text renderer: C0 (the tab included), DEL, C1, U+2028, U+2029, and the
// bidirectional embeddings, overrides, isolates and marks.
func Steering(r rune) bool {
	switch {
	case r < ' ', r == 0x7f, 0x80 <= r && r < 0xa0:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069: // embeddings, overrides, isolates
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c: // LRM, RLM, ALM
		return true
	}
	return false
}

// Class returns the Line that keeps only the class of a line of n bytes.
func Class(class string, n int) Line {
	if class == Empty {
		return Line{Verb: Empty}
	}
	return Line{Verb: class, Text: fmt.Sprintf("<%s, %d bytes>", classText[class], n)}
}

// AsClass recognizes a line that is already a class with its length, as
// Class writes it, so that masking it again changes nothing.
func AsClass(line string) (Line, bool) {
	class, _, ok := ClassOf(line)
	if !ok {
		return Line{}, false
	}
	return Line{Verb: class, Text: line}, true
}

// ClassOf returns the class and the length in bytes of a kept line that
// Class wrote ("<unknown command, 12 bytes>"), so that a console can say
// it in the student's language.
func ClassOf(text string) (class string, n int, ok bool) {
	if !strings.HasPrefix(text, "<") || !strings.HasSuffix(text, " bytes>") {
		return "", 0, false
	}
	inner := strings.TrimSuffix(text[1:], " bytes>")
	name, num, ok := strings.Cut(inner, ", ")
	if !ok {
		return "", 0, false
	}
	v, err := strconv.ParseUint(num, 10, 31)
	if err != nil || num[0] == '0' && num != "0" {
		return "", 0, false
	}
	for class, t := range classText {
		if t == name {
			return class, int(v), true
		}
	}
	return "", 0, false
}

// Join writes a kept line: the verb as typed, then the kept arguments,
// separated by an ASCII space. Consecutive hidden arguments are written as
// one. A line with a non-ASCII space keeps none of its arguments (it is a
// syntax error, so they are evidence of nothing) and shows that space as
// the separator.
func Join(w Words, verb string, args []string) Line {
	sep := " "
	if w.Space != 0 {
		sep = string(w.Space)
		for i := range args {
			args[i] = Hidden
		}
	}
	var b strings.Builder
	b.WriteString(w.Verb)
	last := ""
	for _, a := range args {
		if a == Hidden && last == Hidden {
			continue
		}
		b.WriteString(sep)
		b.WriteString(a)
		last = a
	}
	if len(args) == 0 && w.Space != 0 {
		b.WriteString(sep) // "STAT　": the space is the lesson
	}
	return Line{Verb: verb, Text: b.String(), Space: w.Space}
}

// Known masks what both protocols mask alike, and returns the words of
// any other line with its verb for the protocol's own allow-list: a line
// already masked masks to itself; a line with a control character, an
// empty line, or a line whose first word cannot be a verb keeps only its
// class and length. done says l is the line's mask; else known reports
// whether the protocol knows the verb (when it does not, l is the
// unknown-command class).
func Known(line string, known func(verb string) bool) (l Line, w Words, verb string, done bool) {
	if l, ok := AsClass(line); ok {
		return l, Words{}, "", true
	}
	w = Split(line)
	verb = Verb(w)
	switch {
	case w.Control:
		return Class(Control, len(line)), w, verb, true
	case w.Verb == "":
		return Class(Empty, len(line)), w, verb, true
	case verb == "" || !known(verb):
		return Class(Unknown, len(line)), w, verb, true
	}
	return Line{}, w, verb, false
}

// Verb returns the verb of w in upper case when it is one of the
// protocol's verbs (ASCII letters, up to 8), else "".
func Verb(w Words) string {
	v := w.Verb
	if v == "" || len(v) > 8 {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if c := v[i] | 0x20; c < 'a' || c > 'z' {
			return ""
		}
	}
	return strings.ToUpper(v)
}

// Name reports whether s has the shape of a user name: 1 to 32 ASCII
// letters, digits, '.', '_' or '-', beginning with a letter. (Account
// names are those in lower case; a name typed in upper case is the same
// account.)
func Name(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	if c := s[0] | 0x20; c < 'a' || c > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Number reports whether s is a decimal number of at most 20 digits.
func Number(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Token reports whether s is 1 to max printable ASCII characters other
// than the space: a host name, an address, a keyword.
func Token(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// SpaceName names a non-ASCII space for a protocol reply, e.g.
// "a full-width space (U+3000)".
func SpaceName(r rune) string {
	if r == 0x3000 {
		return fmt.Sprintf("a full-width space (U+%04X)", r)
	}
	return fmt.Sprintf("a non-ASCII space (U+%04X)", r)
}
