package console

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"maillab/exercises/i18n"
	"maillab/server/journal"
	"maillab/server/mask"
)

// Printable returns s with every character that could steer a terminal
// written out as an escape, so that what came from the network is shown
// and never obeyed: C0 controls and DEL as \x1b (the tab is kept), C1
// controls, U+2028, U+2029 and the bidirectional formatting characters
// as \u202e, bytes that are not UTF-8 as \xff, and a backslash as \\ (so
// that an escape cannot be forged).
func Printable(s string) string {
	if mask.Printable(s) && !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteByte('\t')
		case r < 0x80 && mask.Steering(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case mask.Steering(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// CommandLine is how a command event's line is shown to students: as it
// was kept, or, for a line kept only as its class and length, that said in
// their language.
func CommandLine(lang i18n.Lang, e journal.Event) string {
	class, n, ok := mask.ClassOf(e.Line)
	if !ok {
		return e.Line
	}
	return classTexts[class].F(lang, n)
}

// classTexts say a kept class in both languages.
var classTexts = map[string]i18n.Text{
	mask.Unknown: {Ja: "〈このプロトコルにないコマンド、%d バイト。内容は記録しません〉", En: "<a command this protocol does not have, %d bytes; its text is not kept>"},
	mask.Control: {Ja: "〈制御文字を含むコマンド、%d バイト。内容は記録しません〉", En: "<a command with control characters, %d bytes; its text is not kept>"},
}

// PrintableEvent is e with Printable applied to every text in it that
// can come from the network or from a file.
func PrintableEvent(e journal.Event) journal.Event {
	for _, p := range []*string{&e.Session, &e.Proto, &e.Remote, &e.Local, &e.Line, &e.Verb, &e.Code, &e.User,
		&e.Method, &e.Result, &e.Reason, &e.Challenge, &e.ID, &e.MessageID, &e.From,
		&e.Origin, &e.UID, &e.Error} {
		*p = Printable(*p)
	}
	for _, list := range []*[]string{&e.Rcpt, &e.To, &e.Cc, &e.UIDs} {
		*list = printableList(*list)
	}
	return e
}

// printableList is Printable of each of list; a new slice when something
// changed, since the event is shared with other subscribers.
func printableList(list []string) []string {
	for _, s := range list {
		if Printable(s) != s {
			out := make([]string, len(list))
			for j, s := range list {
				out[j] = Printable(s)
			}
			return out
		}
	}
	return list
}
