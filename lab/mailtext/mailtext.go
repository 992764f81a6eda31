// Package mailtext turns the header fields of a message into text a person
// can read: RFC 2047 encoded words ("=?ISO-2022-JP?B?…?=") decoded from the
// charsets Japanese mailers use (ISO-2022-JP, UTF-8, Shift_JIS, EUC-JP) and
// any other the WHATWG Encoding Standard names, with a raw ISO-2022-JP field
// — which some old mailers send without encoding it — decoded too.
//
// The decoding is golang.org/x/text's: nothing here knows a charset. What
// this package adds is the policy a lab needs: a field that cannot be
// decoded is shown as it came, never dropped, so the lesson "this is what
// the wire carries" is never hidden; and nothing returned holds a control
// character a terminal would act on.
package mailtext

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"maillab/server/mask"
)

// aliases are charset names Japanese mailers write that the WHATWG index
// does not list, mapped to what they mean.
var aliases = map[string]encoding.Encoding{
	"cp932":     japanese.ShiftJIS, // Microsoft's name for its Shift_JIS
	"ms932":     japanese.ShiftJIS,
	"sjis":      japanese.ShiftJIS,
	"x-euc-jp":  japanese.EUCJP,
	"eucjp":     japanese.EUCJP,
	"iso2022jp": japanese.ISO2022JP,
}

// Charset returns the decoder of the charset named, or an error that names
// it.
func Charset(name string) (encoding.Encoding, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if e, ok := aliases[n]; ok {
		return e, nil
	}
	e, err := htmlindex.Get(n)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", name)
	}
	return e, nil
}

var decoder = &mime.WordDecoder{
	CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
		e, err := Charset(charset)
		if err != nil {
			return nil, err
		}
		return transform.NewReader(input, e.NewDecoder()), nil
	},
}

// Header returns the field value raw (the part after "Subject:") as text:
// its encoded words decoded (RFC 2047; the white space between two adjacent
// encoded words dropped, as section 6.2 says), raw ISO-2022-JP decoded, and
// control characters shown escaped. ok is false when something could not
// be decoded; the text then keeps those parts as they came.
func Header(raw string) (text string, ok bool) {
	raw = unfold(raw)
	ok = true
	if strings.Contains(raw, "\x1b$") || strings.Contains(raw, "\x1b(") {
		if s, err := decodeBytes(japanese.ISO2022JP, []byte(raw)); err == nil {
			raw = s
		} else {
			ok = false
		}
	}
	s, err := decoder.DecodeHeader(raw)
	if err != nil {
		s, ok = raw, false
	}
	if !utf8.ValidString(s) {
		s, ok = strings.ToValidUTF8(s, "\uFFFD"), false
	}
	return Escape(s), ok
}

// Encoded says whether a field value holds RFC 2047 encoded words or raw
// ISO-2022-JP, that is, whether its raw form differs from what Header shows
// for a reason worth teaching.
func Encoded(raw string) bool {
	return strings.Contains(raw, "=?") && strings.Contains(raw, "?=") || strings.Contains(raw, "\x1b$")
}

func decodeBytes(e encoding.Encoding, b []byte) (string, error) {
	out, _, err := transform.Bytes(e.NewDecoder(), b)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// Body returns a text body in charset as UTF-8 text, control characters
// other than tab and newline escaped. An empty or unknown charset leaves
// valid UTF-8 as it is; bytes that cannot be decoded are shown as U+FFFD.
func Body(charset string, body []byte) string {
	s := string(body)
	if e, err := Charset(charset); err == nil && charset != "" {
		if d, err := decodeBytes(e, body); err == nil {
			s = d
		}
	} else if bytes.Contains(body, []byte("\x1b$B")) {
		if d, err := decodeBytes(japanese.ISO2022JP, body); err == nil {
			s = d
		}
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, line := range strings.SplitAfter(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		nl := strings.HasSuffix(line, "\n")
		b.WriteString(escape(strings.TrimSuffix(line, "\n"), true))
		if nl {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// unfold joins a folded field value (RFC 5322 section 2.2.3): a line break
// followed by white space is the white space.
func unfold(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n ", " "), "\n\t", "\t")
}

// Escape returns s with every character a terminal could act on shown as
// an escape: C0 and C1 controls and DEL as \xNN (tab as \t), and the
// Unicode format characters that reorder or hide text (bidi overrides,
// zero-width marks, line and paragraph separators) as \u{NNNN}.
func Escape(s string) string { return escape(s, false) }

func escape(s string, keepTab bool) string {
	clean := true
	for _, r := range s {
		if unsafe(r) && !(keepTab && r == '\t') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' && keepTab:
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafe is what steers a terminal (the servers' own definition,
// mask.Steering) and the other format characters that hide text (zero
// width spaces and joiners); the soft hyphen is harmless.
func unsafe(r rune) bool {
	return mask.Steering(r) || unicode.Is(unicode.Cf, r) && r != '\u00ad'
}
