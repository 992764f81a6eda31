package smtp

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// A refusal is the protocol's own answer to a command it will not take.
type refusal struct {
	code int
	enh  string
	msg  string
}

// The answers to the mistakes people make typing MAIL and RCPT. They say
// what was expected, since students read them. Read-only.
var (
	errMailSyntax  = &refusal{501, "5.5.4", "Syntax: MAIL FROM:<address>"}
	errMailBracket = &refusal{501, "5.5.4", "Syntax: MAIL FROM:<address> (the address must be in angle brackets <>)"}
	errMailAddress = &refusal{501, "5.1.7", "Bad sender address syntax"}
	errRcptSyntax  = &refusal{501, "5.5.4", "Syntax: RCPT TO:<address>"}
	errRcptBracket = &refusal{501, "5.5.4", "Syntax: RCPT TO:<address> (the address must be in angle brackets <>)"}
	errRcptAddress = &refusal{501, "5.1.3", "Bad recipient address syntax"}
	errParamSyntax = &refusal{501, "5.5.4", "Bad parameter syntax (KEYWORD=value after the address)"}
	errTooBig      = &refusal{552, "5.3.4", "Message size exceeds fixed maximum message size"}
)

// parseMail parses the argument of MAIL: "FROM:<reverse-path>" and its
// parameters (RFC 5321 section 4.1.1.2, RFC 1870, RFC 6152). A space after
// the colon is tolerated, as many clients send one.
func parseMail(arg string, maxSize int64) (from string, opts MailOptions, r *refusal) {
	rest, ok := cutPrefixFold(arg, "FROM:")
	if !ok {
		return "", opts, errMailSyntax
	}
	inner, params, f := splitPath(strings.TrimLeft(rest, " "))
	switch f {
	case noBrackets:
		return "", opts, errMailBracket
	case badTail:
		return "", opts, errMailAddress
	}
	if inner != "" { // "<>" is the null reverse-path of bounces
		if from, ok = parsePath(inner); !ok {
			return "", opts, errMailAddress
		}
	}
	var seen [2]bool // SIZE, BODY
	for _, p := range strings.Fields(params) {
		key, value, hasValue := strings.Cut(p, "=")
		if !validKeyword(key) || hasValue && !validValue(value) {
			return "", opts, errParamSyntax
		}
		switch strings.ToUpper(key) {
		case "SIZE":
			if seen[0] {
				return "", opts, &refusal{501, "5.5.4", "Duplicate SIZE parameter"}
			}
			seen[0] = true
			if !hasValue || len(value) > 20 || strings.Trim(value, "0123456789") != "" {
				return "", opts, &refusal{501, "5.5.4", "Bad SIZE value (a number of octets)"}
			}
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil { // more than 19 digits
				n = math.MaxInt64
			}
			if maxSize > 0 && n > maxSize {
				return "", opts, errTooBig
			}
			opts.Size = n
		case "BODY":
			if seen[1] {
				return "", opts, &refusal{501, "5.5.4", "Duplicate BODY parameter"}
			}
			seen[1] = true
			switch v := strings.ToUpper(value); v {
			case "7BIT", "8BITMIME":
				opts.Body = v
			default:
				return "", opts, &refusal{501, "5.5.4", "Bad BODY value (7BIT or 8BITMIME)"}
			}
		default:
			return "", opts, unsupported(key)
		}
	}
	return from, opts, nil
}

// parseRcpt parses the argument of RCPT: "TO:<forward-path>". RCPT takes no
// parameters here, as no extension that defines one is offered.
func parseRcpt(arg string) (to string, r *refusal) {
	rest, ok := cutPrefixFold(arg, "TO:")
	if !ok {
		return "", errRcptSyntax
	}
	inner, params, f := splitPath(strings.TrimLeft(rest, " "))
	switch f {
	case noBrackets:
		return "", errRcptBracket
	case badTail:
		return "", errRcptAddress
	}
	if strings.EqualFold(inner, "postmaster") {
		// RFC 5321 sections 4.1.1.3 and 4.5.1: every server takes mail
		// for <Postmaster> without a domain, in any case.
		to = "postmaster"
	} else if to, ok = parsePath(inner); !ok {
		return "", errRcptAddress
	}
	if f := strings.Fields(params); len(f) > 0 {
		key, value, hasValue := strings.Cut(f[0], "=")
		if !validKeyword(key) || hasValue && !validValue(value) {
			return "", errParamSyntax
		}
		return "", unsupported(key)
	}
	return to, nil
}

// unsupported refuses an ESMTP parameter that no extension offered here
// defines. It names the parameter only when it is one of a known extension:
// anything else the client typed may be a secret, and the reply is
// journaled.
func unsupported(key string) *refusal {
	switch k := strings.ToUpper(key); k {
	case "AUTH", "NOTIFY", "ORCPT", "RET", "ENVID", "SMTPUTF8", "BY", "MT-PRIORITY",
		"REQUIRETLS", "HOLDFOR", "HOLDUNTIL", "MTRK", "RRVS", "DELIVERBY":
		return &refusal{555, "5.5.4", "Unsupported parameter: " + key}
	}
	return &refusal{555, "5.5.4", "Unsupported parameter"}
}

// cutPrefixFold is strings.CutPrefix, ignoring ASCII case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// How a path in MAIL or RCPT is framed.
type framing int

const (
	framed     framing = iota // "<...>", then nothing or a space
	noBrackets                // no "<" at the start, or no ">" to end it
	badTail                   // "<...>" followed by something other than a space
)

// splitPath takes "<...>" off the front of s and returns what was inside
// and what follows. A ">" inside a quoted local part does not end the path.
func splitPath(s string) (inner, rest string, f framing) {
	if s == "" || s[0] != '<' {
		return "", "", noBrackets
	}
	end := -1
	quoted := false
scan:
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case '>':
			if !quoted {
				end = i
				break scan
			}
		}
	}
	if end < 0 {
		// An unbalanced quote hid the ">": take the last one, and let the
		// address check refuse what is inside.
		if end = strings.LastIndexByte(s, '>'); end < 0 {
			return "", "", noBrackets
		}
	}
	inner, rest = s[1:end], s[end+1:]
	if rest != "" && rest[0] != ' ' {
		return "", "", badTail
	}
	return inner, rest, framed
}

// parsePath checks what was inside the angle brackets of a path (RFC 5321
// section 4.1.2) and returns the mailbox. A source route ("@a,@b:u@d") is
// accepted and dropped, as RFC 5321 section 3.6.1 and appendix C allow.
func parsePath(s string) (string, bool) {
	if strings.HasPrefix(s, "@") {
		route, mailbox, ok := strings.Cut(s, ":")
		if !ok {
			return "", false
		}
		for at := range strings.SplitSeq(route, ",") {
			if len(at) < 2 || at[0] != '@' || !validDomain(at[1:]) {
				return "", false
			}
		}
		s = mailbox
	}
	if !validMailbox(s) {
		return "", false
	}
	return unquoteLocal(s), true
}

// unquoteLocal writes a mailbox whose local part is a Quoted-string that
// says no more than a Dot-string without the quotes: "bob"@d and bob@d
// name the same mailbox (RFC 5321 section 4.1.2, RFC 5322 section 3.2.4),
// and the backend looks mailboxes up by the plain form. A quoted part that
// needs its quotes ("bob smith"@d) is left as it is.
func unquoteLocal(mailbox string) string {
	at := strings.LastIndexByte(mailbox, '@')
	local := mailbox[:at]
	if !strings.HasPrefix(local, `"`) {
		return mailbox
	}
	var b strings.Builder
	for i := 1; i < len(local)-1; i++ {
		if local[i] == '\\' {
			i++
		}
		b.WriteByte(local[i])
	}
	plain := b.String()
	if !validLocalPart(plain) || strings.HasPrefix(plain, `"`) {
		return mailbox
	}
	return plain + mailbox[at:]
}

// validMailbox reports whether s is Local-part "@" ( Domain / address-literal ).
func validMailbox(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if !validLocalPart(local) {
		return false
	}
	if strings.HasPrefix(domain, "[") {
		return validAddressLiteral(domain)
	}
	return validDomain(domain)
}

// validLocalPart reports whether s is a Dot-string or a Quoted-string.
func validLocalPart(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '"' {
		return validQuotedString(s)
	}
	// atoms separated by single dots
	prevDot := true
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == '.':
			if prevDot {
				return false
			}
			prevDot = true
		case isAtext(b):
			prevDot = false
		default:
			return false
		}
	}
	return !prevDot
}

// isAtext reports whether b may appear in an atom (RFC 5322 section 3.2.3).
func isAtext(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", b) >= 0
}

// validQuotedString reports whether s is DQUOTE *QcontentSMTP DQUOTE.
func validQuotedString(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		b := s[i]
		switch {
		case b == '\\':
			i++
			if i >= len(s)-1 || s[i] < 32 || s[i] > 126 {
				return false
			}
		case b == '"' || b < 32 || b > 126:
			return false
		}
	}
	return true
}

// validDomain reports whether s is sub-domain *("." sub-domain), each
// sub-domain letters, digits and inner hyphens (RFC 5321 section 4.1.2).
func validDomain(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			b := label[i]
			if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-') {
				return false
			}
		}
	}
	return true
}

// validAddressLiteral reports whether s is "[" IPv4 "]", "[IPv6:" IPv6 "]"
// or a general address literal "[" tag ":" dcontent "]" (RFC 5321 section
// 4.1.3).
func validAddressLiteral(s string) bool {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	s = s[1 : len(s)-1]
	tag, content, hasTag := strings.Cut(s, ":")
	if !hasTag {
		ip, err := netip.ParseAddr(s)
		return err == nil && ip.Is4()
	}
	if strings.EqualFold(tag, "IPv6") {
		ip, err := netip.ParseAddr(content)
		return err == nil && ip.Is6() && ip.Zone() == ""
	}
	if !validKeyword(tag) || content == "" {
		return false
	}
	for i := 0; i < len(content); i++ {
		if b := content[i]; b < 33 || b > 126 || b == '[' || b == '\\' || b == ']' {
			return false
		}
	}
	return true
}

// validKeyword reports whether s is an esmtp-keyword (RFC 5321 section
// 4.1.2): a letter or digit, then letters, digits and hyphens.
func validKeyword(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}

// validValue reports whether s is an esmtp-value: printable ASCII but "=".
func validValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 33 || b > 126 || b == '=' {
			return false
		}
	}
	return true
}
