// Package explain says, in Japanese and English, what a line of a POP3 or
// SMTP conversation means and which section of which RFC defines it: the
// commands a client sends (RFC 1939, RFC 2449, RFC 5321), the replies a
// server gives (+OK/-ERR and the response codes of RFC 2449 and RFC 3206;
// the three-digit codes of RFC 5321 and the enhanced status codes of
// RFC 3463), the extensions an SMTP server offers after EHLO, and the
// diagnoses the kit gives for a failed login.
//
// `lab replay` annotates past sessions with it; the tables are meant to be
// read by students, so every entry says what the line does for them, not
// only its RFC title.
package explain

import (
	"regexp"
	"strconv"
	"strings"

	"maillab/exercises/i18n"
)

// The protocols the kit's servers speak, as the journal names them.
const (
	POP3 = "pop3"
	SMTP = "smtp"
)

// Note is what one thing on the wire means, and where the standard
// defines it.
type Note struct {
	Text i18n.Text
	Ref  string // e.g. "RFC 1939 §7"; "" when no standard says
}

// In returns the note in l, with its reference in parentheses.
func (n Note) In(l i18n.Lang) string {
	if n.Ref == "" {
		return n.Text.In(l)
	}
	if l == i18n.Ja {
		return n.Text.In(l) + "（" + n.Ref + "）"
	}
	return n.Text.In(l) + " (" + n.Ref + ")"
}

// Verb returns the command word of a command line, upper case: "MAIL" for
// "mail from:<a@b>", "USER" for "user yom".
func Verb(line string) string {
	verb, _, _ := strings.Cut(strings.TrimLeft(line, " \t"), " ")
	verb, _, _ = strings.Cut(verb, ":")
	return strings.ToUpper(verb)
}

// Command says what a client's command line means in proto (POP3 or SMTP).
// It reports false for a command the protocol does not have.
func Command(proto, line string) (Note, bool) {
	var n Note
	var ok bool
	switch proto {
	case POP3:
		n, ok = pop3Commands[Verb(line)]
	case SMTP:
		n, ok = smtpCommands[Verb(line)]
	}
	return n, ok
}

// Unknown is the note for a command the protocol does not have.
func Unknown(proto string) Note {
	if proto == POP3 {
		return Note{Text: i18n.Text{
			Ja: "POP3 にこのコマンドはありません（綴りを確かめてください）",
			En: "POP3 has no such command (check the spelling)",
		}, Ref: "RFC 1939 §9"}
	}
	return Note{Text: i18n.Text{
		Ja: "SMTP にこのコマンドはありません（綴りを確かめてください）",
		En: "SMTP has no such command (check the spelling)",
	}, Ref: "RFC 5321 §4.1"}
}

// Greeting says what the first line of a session means: for POP3 it
// explains the APOP timestamp, then the reply's own notes follow.
func Greeting(proto, line string) []Note {
	if proto != POP3 {
		return Reply(proto, line)
	}
	g := Note{Text: i18n.Text{
		Ja: "グリーティング: サーバの準備ができました。末尾の <…> がこの接続の APOP タイムスタンプです（接続のたびに変わります）",
		En: "greeting: the server is ready; the <…> at its end is this connection's APOP timestamp (new on every connection)",
	}, Ref: "RFC 1939 §4, §7"}
	if !apopTimestamp.MatchString(line) {
		g = Note{Text: i18n.Text{
			Ja: "グリーティング: サーバの準備ができました（タイムスタンプが無いので APOP は使えません）",
			En: "greeting: the server is ready (it has no timestamp, so APOP cannot be used)",
		}, Ref: "RFC 1939 §4"}
	}
	return append([]Note{g}, Reply(proto, line)...)
}

var apopTimestamp = regexp.MustCompile(`<[^<>@\s]+@[^<>\s]+>`)

// Reply says what a server's reply line means in proto: the status (+OK,
// -ERR, or the three-digit code) and, when the line has one, the response
// code ([AUTH], [IN-USE] …) or the enhanced status code (5.1.1 …).
func Reply(proto, line string) []Note {
	switch proto {
	case POP3:
		return pop3Reply(line)
	case SMTP:
		return smtpReply(line)
	}
	return nil
}

func pop3Reply(line string) []Note {
	status, rest, _ := strings.Cut(line, " ")
	n, ok := pop3Status[strings.ToUpper(status)]
	if !ok {
		return nil
	}
	notes := []Note{n}
	if code, ok := responseCode(rest); ok {
		notes = append(notes, pop3Code(code))
	}
	return notes
}

// responseCode finds the response code at the start of a reply's text:
// "[IN-USE] …" gives "IN-USE".
func responseCode(text string) (string, bool) {
	if !strings.HasPrefix(text, "[") {
		return "", false
	}
	code, _, ok := strings.Cut(text[1:], "]")
	return strings.ToUpper(code), ok && code != ""
}

// pop3Code explains a response code; a code of a hierarchy it does not
// know in full ("SYS/OTHER") is explained by its first part.
func pop3Code(code string) Note {
	if n, ok := pop3Codes[code]; ok {
		return n
	}
	if top, _, ok := strings.Cut(code, "/"); ok {
		if n, ok := pop3Codes[top]; ok {
			return n
		}
	}
	return Note{Text: i18n.Text{
		Ja: "[" + code + "] — 応答コード: 失敗の理由をプログラムにも分かる形で示します",
		En: "[" + code + "] — a response code: the reason for the answer, in a form programs can read",
	}, Ref: "RFC 2449 §8"}
}

var enhanced = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})\b`)

func smtpReply(line string) []Note {
	if len(line) < 3 {
		return nil
	}
	code, err := strconv.Atoi(line[:3])
	if err != nil || code < 200 || code > 599 || (len(line) > 3 && line[3] != ' ' && line[3] != '-') {
		return nil
	}
	var notes []Note
	if n, ok := smtpCodes[code]; ok {
		notes = append(notes, n)
	} else {
		notes = append(notes, smtpClass(code))
	}
	if len(line) > 4 {
		if m := enhanced.FindStringSubmatch(line[4:]); m != nil {
			notes = append(notes, Enhanced(m[0]))
		}
	}
	return notes
}

// smtpClass explains a code by its first two digits (RFC 5321 §4.2.1).
func smtpClass(code int) Note {
	first, second := smtpFirst[code/100], smtpSecond[code/10%10]
	return Note{Text: i18n.Text{
		Ja: strconv.Itoa(code) + " — " + first.Ja + "。" + second.Ja,
		En: strconv.Itoa(code) + " — " + first.En + "; " + second.En,
	}, Ref: "RFC 5321 §4.2.1"}
}

// Enhanced explains an enhanced status code such as "5.1.1" (RFC 3463): its
// class (success, temporary or permanent failure) and its detail.
func Enhanced(code string) Note {
	parts := strings.Split(code, ".")
	if len(parts) != 3 {
		return Note{}
	}
	class, ok := enhancedClass[parts[0]]
	if !ok {
		return Note{}
	}
	subject, detail := parts[1], parts[2]
	if d, ok := enhancedDetail[subject+"."+detail]; ok {
		return Note{Text: i18n.Text{
			Ja: code + " — " + class.Ja + ": " + d.Ja,
			En: code + " — " + class.En + ": " + d.En,
		}, Ref: "RFC 3463 §3." + subjectSection(subject)}
	}
	if s, ok := enhancedSubject[subject]; ok {
		return Note{Text: i18n.Text{
			Ja: code + " — " + class.Ja + ": " + s.Ja,
			En: code + " — " + class.En + ": " + s.En,
		}, Ref: "RFC 3463 §3." + subjectSection(subject)}
	}
	return Note{Text: i18n.Text{
		Ja: code + " — " + class.Ja,
		En: code + " — " + class.En,
	}, Ref: "RFC 3463 §2"}
}

// subjectSection is the section of RFC 3463 chapter 3 that lists the
// subject's codes: X.0.X in 3.1, X.1.X in 3.2 … X.7.X in 3.8.
func subjectSection(subject string) string {
	n, _ := strconv.Atoi(subject)
	return strconv.Itoa(n + 1)
}

// Extension says what a keyword of the EHLO reply means ("PIPELINING",
// "SIZE 10485760" …). It reports false for one it does not know.
func Extension(text string) (Note, bool) {
	kw, _, _ := strings.Cut(text, " ")
	n, ok := smtpExtensions[strings.ToUpper(kw)]
	return n, ok
}

// LoginFailure explains the kit's diagnosis of a failed POP3 login, as the
// journal records it ("wrong-password", "apop-newline" …). It reports false
// for a reason it does not know.
func LoginFailure(reason string) (i18n.Text, bool) {
	t, ok := loginReasons[reason]
	return t, ok
}
