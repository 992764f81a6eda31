package journal

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// encodeEvent appends e as one line of JSON to b: by appendEvent, or, should
// Event have fields that appendEvent does not know (a field added without
// adding it there too), by encoding/json, so that nothing is ever lost.
func encodeEvent(b []byte, e *Event) []byte {
	if fastEncoding {
		return appendEvent(b, e)
	}
	w := bytes.NewBuffer(b)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(e)
	return w.Bytes()
}

// appendedFields are the fields appendEvent writes, in order, as the tag
// and type of each; fastEncoding says whether they are Event's.
var appendedFields = []string{
	"t time.Time", "group,omitempty int", "ev string", "session,omitempty string", "proto,omitempty string",
	"remote,omitempty string", "local,omitempty string", "client_group,omitempty int",
	"line,omitempty string", "verb,omitempty string", "code,omitempty string",
	"user,omitempty string", "method,omitempty string", "result,omitempty string", "reason,omitempty string",
	"challenge,omitempty string", "id,omitempty string", "message_id,omitempty string", "from,omitempty string",
	"rcpt,omitempty []string", "to,omitempty []string", "cc,omitempty []string", "subject,omitempty string", "origin,omitempty string",
	"other_group,omitempty int", "dest_group,omitempty int", "attempt,omitempty int", "uid,omitempty string",
	"uids,omitempty []string", "size,omitempty int64", "count,omitempty int", "ms,omitempty int64",
	"error,omitempty string", "skipped_cmds,omitempty int", "skipped_replies,omitempty int",
}

var fastEncoding = slices.Equal(eventFields(), appendedFields)

// eventFields lists Event's fields as appendedFields does.
func eventFields() []string {
	t := reflect.TypeFor[Event]()
	fields := make([]string, t.NumField())
	for i := range fields {
		f := t.Field(i)
		fields[i] = f.Tag.Get("json") + " " + f.Type.String()
	}
	return fields
}

// appendEvent appends e as one line of JSON, byte for byte what
// encoding/json's Encoder (with SetEscapeHTML(false)) writes for it: the
// fields in the order of the struct, the empty ones left out, the line
// ended by "\n". It is written out by hand because the journal records
// every command and reply of every session, and encoding by reflection was
// the largest cost of a POP3 session after the system calls. The tests
// compare the two encodings. A field added to Event must be added here and
// to appendedFields.
func appendEvent(b []byte, e *Event) []byte {
	b = append(b, `{"t":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendInt(b, `,"group":`, int64(e.Group))
	b = appendStr(b, `,"ev":`, e.Kind, true)
	b = appendStr(b, `,"session":`, e.Session, false)
	b = appendStr(b, `,"proto":`, e.Proto, false)
	b = appendStr(b, `,"remote":`, e.Remote, false)
	b = appendStr(b, `,"local":`, e.Local, false)
	b = appendInt(b, `,"client_group":`, int64(e.ClientGroup))
	b = appendStr(b, `,"line":`, e.Line, false)
	b = appendStr(b, `,"verb":`, e.Verb, false)
	b = appendStr(b, `,"code":`, e.Code, false)
	b = appendStr(b, `,"user":`, e.User, false)
	b = appendStr(b, `,"method":`, e.Method, false)
	b = appendStr(b, `,"result":`, e.Result, false)
	b = appendStr(b, `,"reason":`, e.Reason, false)
	b = appendStr(b, `,"challenge":`, e.Challenge, false)
	b = appendStr(b, `,"id":`, e.ID, false)
	b = appendStr(b, `,"message_id":`, e.MessageID, false)
	b = appendStr(b, `,"from":`, e.From, false)
	b = appendList(b, `,"rcpt":`, e.Rcpt)
	b = appendList(b, `,"to":`, e.To)
	b = appendList(b, `,"cc":`, e.Cc)
	b = appendStr(b, `,"subject":`, e.Subject, false)
	b = appendStr(b, `,"origin":`, e.Origin, false)
	b = appendInt(b, `,"other_group":`, int64(e.OtherGroup))
	b = appendInt(b, `,"dest_group":`, int64(e.DestGroup))
	b = appendInt(b, `,"attempt":`, int64(e.Attempt))
	b = appendStr(b, `,"uid":`, e.UID, false)
	b = appendList(b, `,"uids":`, e.UIDs)
	b = appendInt(b, `,"size":`, e.Size)
	b = appendInt(b, `,"count":`, int64(e.Count))
	b = appendInt(b, `,"ms":`, e.Millis)
	b = appendStr(b, `,"error":`, e.Error, false)
	b = appendInt(b, `,"skipped_cmds":`, int64(e.SkippedCmds))
	b = appendInt(b, `,"skipped_replies":`, int64(e.SkippedReplies))
	return append(b, '}', '\n')
}

// appendInt appends a field of a number, left out when zero.
func appendInt(b []byte, key string, v int64) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), v, 10)
}

// appendStr appends a field of a string, left out when empty unless always.
func appendStr(b []byte, key, s string, always bool) []byte {
	if s == "" && !always {
		return b
	}
	return appendQuoted(append(b, key...), s)
}

// appendList appends a field of a list of strings, left out when empty.
func appendList(b []byte, key string, list []string) []byte {
	if len(list) == 0 {
		return b
	}
	b = append(b, key...)
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuoted(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string the way encoding/json does
// without HTML escaping: quote and backslash escaped, the control
// characters as \b \f \n \r \t or \u00XX, invalid UTF-8 as \ufffd, and
// U+2028 and U+2029 escaped.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
