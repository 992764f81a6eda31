//go:build !windows

package maildir

import "strings"

// InfoSeparator is the character that ends a message's unique name and
// begins its info ("2," and the flags): ':' as in every Maildir on Linux and
// macOS, where s-nail, mutt and Dovecot read the folders.
const InfoSeparator = ':'

// safeHost encodes "/" and ":" in a host name as the Maildir convention
// asks.
func safeHost(h string) string {
	h = strings.ReplaceAll(h, "/", `\057`)
	return strings.ReplaceAll(h, ":", `\072`)
}
