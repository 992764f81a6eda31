package mailtext_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/lab/mailtext"
)

// The encoded words below are what real mailers write for the subjects
// 日本語の件名 and 課題 2 のテスト（班３）: ISO-2022-JP B (the classic
// Japanese mailers: Mew, Becky!, Outlook Express), ISO-2022-JP Q, Shift_JIS
// and EUC-JP (old Windows and Unix mailers), UTF-8 (Thunderbird, Gmail).
// The expected texts were checked with Python's email.header.
func TestHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, want string
		ok              bool
	}{
		{"ascii", "Hello from group 2", "Hello from group 2", true},
		{"iso-2022-jp B", "=?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?=", "日本語の件名", true},
		{"iso-2022-jp B lower case", "=?iso-2022-jp?b?GyRCRnxLXDhsJE43b0w+GyhC?=", "日本語の件名", true},
		{"iso-2022-jp B with ascii", "=?ISO-2022-JP?B?GyRCMl1CahsoQiAyIBskQiROJUYlOSVIIUpISSMzIUsbKEI=?=", "課題 2 のテスト（班３）", true},
		{"iso-2022-jp Q", "=?ISO-2022-JP?Q?=1B$B2]Bj=1B(B_2_=1B$B$N%F%9%H!JHI#3!K=1B(B?=", "課題 2 のテスト（班３）", true},
		{"shift_jis B", "=?SHIFT_JIS?B?k/qWe4zqgsyMj5a8?=", "日本語の件名", true},
		{"shift_jis Q", "=?SHIFT_JIS?Q?=93=FA=96{=8C=EA=82=CC=8C=8F=96=BC?=", "日本語の件名", true},
		{"cp932", "=?CP932?B?k/qWe4zqgsyMj5a8?=", "日本語の件名", true},
		{"euc-jp B", "=?EUC-JP?B?xvzL3LjspM6378y+?=", "日本語の件名", true},
		{"euc-jp Q", "=?EUC-JP?Q?=B2=DD=C2=EA_2_=A4=CE=A5=C6=A5=B9=A5=C8=A1=CA=C8=C9=A3=B3=A1=CB?=", "課題 2 のテスト（班３）", true},
		{"utf-8 B", "=?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=", "日本語の件名", true},
		{"utf-8 Q", "=?UTF-8?Q?=E6=97=A5=E6=9C=AC=E8=AA=9E=E3=81=AE=E4=BB=B6=E5=90=8D?=", "日本語の件名", true},
		// A long subject folded over two lines, split into two encoded
		// words: the space between them is not part of the text.
		{"folded", "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n =?ISO-2022-JP?B?GyRCJE43b0w+GyhC?=", "日本語の件名", true},
		{"words and text", "Re: =?UTF-8?B?5pel5pys6Kqe?= test", "Re: 日本語 test", true},
		{"raw iso-2022-jp", "\x1b$BF|K\\8l$N7oL>\x1b(B", "日本語の件名", true},
		{"unknown charset kept", "=?X-UNKNOWN?B?AAAA?=", "=?X-UNKNOWN?B?AAAA?=", false},
		{"control characters escaped", "hi\x1b]0;TITLE\x07 there", `hi\x1b]0;TITLE\x07 there`, true},
		{"encoded control characters escaped", "=?UTF-8?Q?a=1B[2Jb?=", `a\x1b[2Jb`, true},
		{"bidi override escaped", "=?UTF-8?B?YeKArmI=?=", `a\u{202e}b`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := mailtext.Header(tt.raw)
			if diff := cmp.Diff(tt.want, got); diff != "" || ok != tt.ok {
				t.Errorf("Header(%q) ok=%v (want %v), -want +got:\n%s", tt.raw, ok, tt.ok, diff)
			}
		})
	}
}

func TestEncoded(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"plain subject":                        false,
		"=?UTF-8?B?5pel5pys6Kqe?=":             true,
		"\x1b$BF|K\\8l\x1b(B":                  true,
		"price =? not encoded":                 false,
		"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= x": true,
	} {
		if got := mailtext.Encoded(raw); got != want {
			t.Errorf("Encoded(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, charset, body, want string
	}{
		{"iso-2022-jp", "ISO-2022-JP", "\x1b$B$3$s$K$A$O\x1b(B\r\n2 \x1b$BHV$G$9\x1b(B\r\n", "こんにちは\n2 番です\n"},
		{"iso-2022-jp without charset", "", "\x1b$B$3$s$K$A$O\x1b(B\n", "こんにちは\n"},
		{"shift_jis", "Shift_JIS", "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\n", "こんにちは\n"},
		{"utf-8 tab kept, escape shown", "utf-8", "a\tb\x1b[2J\n", "a\tb\\x1b[2J\n"},
		{"bad utf-8", "", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, mailtext.Body(tt.charset, []byte(tt.body))); diff != "" {
				t.Errorf("Body -want +got:\n%s", diff)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"日本語 ok":                  "日本語 ok",
		"\x1b[31mred":             `\x1b[31mred`,
		"osc52\x1b]52;c;Zm9v\x07": `osc52\x1b]52;c;Zm9v\x07`,
		"c1\u009b2J":              `c1\x9b2J`,
		"tab\there":               `tab\there`,
		"line\u2028sep":           `line\u{2028}sep`,
		"zero\u200bwidth":         `zero\u{200b}width`,
		"del\x7f":                 `del\x7f`,
	} {
		if got := mailtext.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
