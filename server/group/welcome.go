package group

import (
	"fmt"
	"mime"
	"strings"
	"time"
)

type kitMessage struct {
	id        string
	messageID string
	text      string // CRLF line ends
}

// welcome is the first message of every new mailbox, so that the first
// RETR 1 of the handout's session has something to read.
func welcome(user, domain string, now time.Time) kitMessage {
	id := newID(now)
	msgID := "<" + id + ".welcome@" + domain + ">"
	body := fmt.Sprintf(`%[1]s さん、maillab へようこそ。

これは %[1]s@%[2]s のメールボックスに届いた最初のメールです。
telnet で POP3 サーバにつないで RETR 1 でこれを読めたなら、課題 1 の
大事な一歩ができています。

  user %[1]s        ログインする名前を送る
  pass パスワード    パスワードを送る（APOP なら apop %[1]s ダイジェスト）
  stat / list       何通あるか、それぞれ何オクテットか
  retr 1            1 通目（このメール）を読む
  dele 1            1 通目に削除の印をつける（quit のときに消える）
  quit              終わる

APOP では、サーバが最初の行で送る <…@…> のタイムスタンプに
パスワードをつなげた文字列の MD5 を送ります:

  lab digest '<タイムスタンプ>'     または
  printf '%%s' '<タイムスタンプ>パスワード' | md5sum

（echo は -n なしだと改行まで MD5 に入ってしまいます。）

このメールはキットが書いたものなので、課題の得点には数えません。

-- maillab

----------------------------------------------------------------------

Welcome to maillab, %[1]s.

This is the first message in the mailbox of %[1]s@%[2]s. If you are
reading it after connecting to the POP3 server with telnet and typing
RETR 1, you have done an important part of task 1.

  user %[1]s        send your user name
  pass PASSWORD     send your password (or, with APOP: apop %[1]s DIGEST)
  stat / list       how many messages, and how many octets each
  retr 1            read message 1 (this one)
  dele 1            mark message 1 for deletion (it goes at quit)
  quit              end the session

With APOP you send the MD5 of the timestamp <…@…> from the server's
first line followed by your password:

  lab digest '<timestamp>'     or
  printf '%%s' '<timestamp>PASSWORD' | md5sum

(echo without -n puts a newline into the MD5 as well.)

The kit wrote this message itself, so it does not count toward an exercise.

-- maillab
`, user, domain)
	subject := mime.BEncoding.Encode("UTF-8", "maillab へようこそ / Welcome to maillab")
	var b strings.Builder
	fmt.Fprintf(&b, "From: maillab <%s@%s>\r\n", Postmaster, domain)
	fmt.Fprintf(&b, "To: %s@%s\r\n", user, domain)
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: %s\r\n", msgID)
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\n")
	b.WriteString("Content-Transfer-Encoding: 8bit\r\n")
	b.WriteString("X-Maillab-Origin: welcome\r\n")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return kitMessage{id: id, messageID: msgID, text: b.String()}
}
