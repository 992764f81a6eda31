package group

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"

	"maillab/server/journal"
)

// header is what the server needs to know of a message's header.
type header struct {
	// missingBlank is where a line that is no header field begins, when no
	// empty line came before it: someone typed the text right after DATA, or
	// forgot the empty line after Subject. An empty line is put there, as
	// Postfix does, so that mail readers see a header and a body. It is -1
	// when the header ends properly.
	missingBlank int
	messageID    string
	to, cc       []string
	received     int    // Received fields, to count hops
	relayID      string // X-Maillab-Relay-ID of a message another group relayed: the first, this hop's
	origin       string // X-Maillab-Origin: the kit's own messages (a probe)
	subject      string // the first Subject field as it came, bounded, controls escaped
}

// maxSubject is the most of a Subject field the journal keeps: enough for
// any subject a student types, encoded words included; never a body.
const maxSubject = 200

// journalSubject bounds a Subject field value to maxSubject bytes (never
// splitting an escape) and escapes its control characters as \xNN, so the
// journal and every terminal that shows it get only printable text. An ESC
// of raw ISO-2022-JP is escaped too; readers decode it back (mailtext).
func journalSubject(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		piece := v[i : i+1]
		if c < 0x20 || c == 0x7f {
			piece = fmt.Sprintf("\\x%02x", c)
		}
		if b.Len()+len(piece) > maxSubject {
			break
		}
		b.WriteString(piece)
	}
	return strings.ToValidUTF8(b.String(), "\ufffd")
}

// scanHeader reads the header at the top of a message with CRLF (or LF)
// line ends. The header ends at the first empty line; a line that is
// neither a field nor a continuation also ends it.
func scanHeader(msg []byte) header {
	h := header{missingBlank: -1}
	var fields []string // unfolded
	for off := 0; off < len(msg); {
		line := msg[off:]
		next := len(msg)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], off+i+1
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) > 0 {
				fields[len(fields)-1] += " " + strings.TrimSpace(string(line))
				off = next
				continue
			}
		} else if colon := bytes.IndexByte(line, ':'); colon > 0 && isFieldName(line[:colon]) {
			fields = append(fields, string(line))
			off = next
			continue
		}
		h.missingBlank = off
		break
	}
	for _, f := range fields {
		name, value, _ := strings.Cut(f, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "message-id":
			h.messageID = value
		case "to":
			h.to = append(h.to, addresses(value)...)
		case "cc":
			h.cc = append(h.cc, addresses(value)...)
		case "subject":
			if h.subject == "" {
				h.subject = journalSubject(value)
			}
		case "received":
			h.received++
		case "x-maillab-relay-id":
			if h.relayID == "" {
				// the relay puts its own on top (and strips older ones); an
				// older one below names an earlier hop, and a message that
				// loops back must not be taken for one already delivered
				h.relayID = value
			}
		case "x-maillab-origin":
			if value == journal.OriginProbe {
				h.origin = value // only probes come over SMTP; the rest the kit writes itself
			}
		}
	}
	return h
}

func isFieldName(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// addresses returns the addr-specs of an address list, in lower case. When
// the list does not parse (students type "To: yom"), the words that look
// like addresses are taken.
func addresses(value string) []string {
	var out []string
	if list, err := mail.ParseAddressList(value); err == nil {
		for _, a := range list {
			out = append(out, strings.ToLower(a.Address))
		}
		return out
	}
	for _, w := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		w = strings.Trim(w, "<>\"'")
		if w != "" {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}
