// Package i18n holds what every student-facing text of the kit needs: the
// two languages, the choice between them, and a text in both.
//
// Students read Japanese first. Every text a student reads exists in
// Japanese and English; protocol replies on the wire stay in English.
package i18n

import (
	"fmt"
	"slices"
	"strings"
)

// Lang is a language of the kit's texts.
type Lang string

// The kit's languages.
const (
	Ja Lang = "ja"
	En Lang = "en"
)

// Parse reads a --lang value: "ja" or "en" (also "ja_JP.UTF-8" and such).
func Parse(s string) (Lang, error) {
	switch l := strings.ToLower(s); {
	case l == "ja" || strings.HasPrefix(l, "ja_") || strings.HasPrefix(l, "ja-") || strings.HasPrefix(l, "ja."):
		return Ja, nil
	case l == "en" || strings.HasPrefix(l, "en_") || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en."):
		return En, nil
	}
	return "", fmt.Errorf("unknown language %q: use ja or en", s)
}

// FromEnv chooses the language from the locale variables, as POSIX orders
// them (LC_ALL, LC_MESSAGES, LANG): Japanese for a ja locale, English for a
// locale of any other language and for the C and POSIX locales (which mean
// the untranslated texts, as with every gettext program), and Japanese —
// the kit's home language — when no locale variable is set at all.
func FromEnv(getenv func(string) string) Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		loc := getenv(v)
		if loc == "" {
			continue
		}
		if l, err := Parse(loc); err == nil {
			return l
		}
		return En
	}
	return Ja
}

// Text is a text in both languages. It may hold fmt verbs, the same in both.
type Text struct {
	Ja, En string
}

// In returns the text in l.
func (t Text) In(l Lang) string {
	if l == En {
		return t.En
	}
	return t.Ja
}

// F formats the text in l with args.
func (t Text) F(l Lang, args ...any) string {
	return fmt.Sprintf(t.In(l), args...)
}

// Missing returns the names of the texts of a catalog that lack one of the
// languages, or whose fmt verbs differ between them; tests call it on every
// catalog.
func Missing(catalog map[string]Text) []string {
	var bad []string
	for name, t := range catalog {
		if strings.TrimSpace(t.Ja) == "" || strings.TrimSpace(t.En) == "" || !slices.Equal(verbs(t.Ja), verbs(t.En)) {
			bad = append(bad, name)
		}
	}
	return bad
}

// verbs lists the fmt verbs of s in order, e.g. ["%s" "%-8d" "%%"].
func verbs(s string) []string {
	var vs []string
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte("+-# 0123456789.[]", s[j]) >= 0 {
			j++
		}
		if j < len(s) {
			vs = append(vs, s[i:j+1])
		}
		i = j
	}
	return vs
}
