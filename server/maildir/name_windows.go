//go:build windows

package maildir

import "strings"

// InfoSeparator is the character that ends a message's unique name and
// begins its info ("2," and the flags). Windows forbids ':' in file names,
// so there it is ';', as Dovecot's maildir_info_separator setting allows.
const InfoSeparator = ';'

// safeHost keeps of a host name only what a Windows file name can hold
// (letters, digits, '.', '-' and '_'); the rest becomes '_'.
func safeHost(h string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, h)
}
