package explain

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"maillab/exercises/i18n"
)

// plainEnding is a Japanese sentence ending in the plain form (する, 見る,
// 送った, だ, ない, 無い, よい …); politeEnding is one in です/ます. The rule is
// the one the lab command's texts follow.
var (
	plainEnding  = regexp.MustCompile(`(する|す|る|た|だ|ない|無い|よい|う|く|つ|む)$`)
	politeEnding = regexp.MustCompile(`(ます|です|ません|ました|でした|ましょう)$`)
	trailing     = regexp.MustCompile(`（[^（）]*）$`)
	sentenceEnd  = regexp.MustCompile(`[。\n]`)
)

// plainSentences are the sentences of ja that end in the plain form; a
// trailing parenthesis and noun phrases do not count.
func plainSentences(ja string) []string {
	var bad []string
	for _, sentence := range sentenceEnd.Split(ja, -1) {
		s := strings.TrimSpace(sentence)
		for trailing.MatchString(s) {
			s = strings.TrimSpace(trailing.ReplaceAllString(s, ""))
		}
		s = strings.TrimRight(s, "）)」 ")
		if plainEnding.MatchString(s) && !politeEnding.MatchString(s) {
			bad = append(bad, sentence)
		}
	}
	return bad
}

// TestOneRegister: every sentence of the notes, and of the texts made at
// run time, is in です/ます (the diagnoses, text literals, are checked with
// every other literal of the module by exercises/i18n's TestModuleTexts).
func TestOneRegister(t *testing.T) {
	t.Parallel()
	all := map[string]i18n.Text{}
	for name, m := range map[string]map[string]Note{"pop3Commands": pop3Commands, "pop3Status": pop3Status, "pop3Codes": pop3Codes, "smtpCommands": smtpCommands, "smtpExtensions": smtpExtensions} {
		for k, n := range m {
			all[name+" "+k] = n.Text
		}
	}
	for k, n := range smtpCodes {
		all["smtpCodes "+strconv.Itoa(k)] = n.Text
	}
	for name, m := range map[string]map[int]i18n.Text{"smtpFirst": smtpFirst, "smtpSecond": smtpSecond} {
		for k, v := range m {
			all[name+" "+strconv.Itoa(k)] = v
		}
	}
	for name, m := range map[string]map[string]i18n.Text{"loginReasons": loginReasons, "enhancedClass": enhancedClass, "enhancedSubject": enhancedSubject, "enhancedDetail": enhancedDetail} {
		for k, v := range m {
			all[name+" "+k] = v
		}
	}
	for _, p := range []string{POP3, SMTP} {
		all["Unknown "+p] = Unknown(p).Text
	}
	for i, n := range Greeting(POP3, "+OK ready <1.2@g3.lab.test>") {
		all["Greeting apop "+strconv.Itoa(i)] = n.Text
	}
	for i, n := range Greeting(POP3, "+OK ready") {
		all["Greeting "+strconv.Itoa(i)] = n.Text
	}
	all["pop3Code fallback"] = pop3Code("NO-SUCH").Text
	for _, code := range []int{239, 388, 471, 596} {
		all["smtpClass "+strconv.Itoa(code)] = smtpClass(code).Text
	}
	for key, text := range all {
		for _, s := range plainSentences(text.Ja) {
			t.Errorf("%s ends a sentence in the plain form: %q", key, s)
		}
	}
}

// TestPlainSentences: the rule itself tells the two registers apart.
func TestPlainSentences(t *testing.T) {
	t.Parallel()
	for ja, plain := range map[string]bool{
		"220 — サービスの準備ができた（サーバの最初のあいさつ）":   true,
		"220 — サービスの準備ができました（サーバの最初のあいさつ）": false,
		"NOOP — 何もしない。サーバが応答するか確かめるだけです":   true,
		"354 — メッセージを送ってよい":                true,
		"宛先のメールボックスが無い（ユーザ名の誤り）":           true,
		"宛先のメールボックスがありません（ユーザ名の誤り）":        false,
		"宛先アドレスの書き方の誤り":                    false,
		"（未定義）": false,
	} {
		if got := len(plainSentences(ja)) > 0; got != plain {
			t.Errorf("%q: plain = %v, want %v", ja, got, plain)
		}
	}
}
