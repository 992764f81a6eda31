package relay

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"time"
)

// BounceMessage is the report sent back to a message's sender when some of
// its recipients could not be reached: a multipart/report (RFC 3462) with an
// explanation in Japanese and English, a message/delivery-status part (RFC
// 3464) and the original header (text/rfc822-headers). It has the null
// envelope sender, so no bounce is ever bounced again.
func BounceMessage(reportingDomain string, e Entry, failed []Failure, original []byte, messageID string, now time.Time) []byte {
	boundary := "maillab-report-" + strings.ReplaceAll(strings.Trim(messageID, "<>"), "@", "-")
	var b bytes.Buffer
	hdr := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	hdr("From: Mail Delivery System <MAILER-DAEMON@%s>", reportingDomain)
	hdr("To: <%s>", e.From)
	hdr("Subject: %s", mime.BEncoding.Encode("UTF-8", "配送できなかったメール / Undelivered Mail Returned to Sender"))
	hdr("Date: %s", now.Format(time.RFC1123Z))
	hdr("Message-ID: %s", messageID)
	hdr("Auto-Submitted: auto-replied")
	hdr("X-Maillab-Origin: bounce")
	hdr("MIME-Version: 1.0")
	hdr("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"", boundary)
	hdr("")
	hdr("This is a MIME-encapsulated delivery status report.")
	hdr("")
	hdr("--%s", boundary)
	hdr("Content-Type: text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding: 8bit")
	hdr("")
	var who strings.Builder
	for _, f := range failed {
		fmt.Fprintf(&who, "  <%s>\r\n      %s\r\n", f.Rcpt, f.Reply)
	}
	hdr("%s のメールサーバです。", reportingDomain)
	hdr("")
	hdr("%s にあなたが出したメール（%s）を、次の宛先には配送できませんでした:", e.Created.Format("2006-01-02 15:04"), e.MessageID)
	hdr("")
	b.WriteString(who.String())
	hdr("")
	hdr("相手のサーバの返事が 5xx なら、宛先のアドレス（ユーザ名やドメイン）が")
	hdr("間違っていないか確かめてください。550 5.1.1 はそのユーザがいないという意味です。")
	hdr("相手のサーバにつながらないまま時間が過ぎた場合は、その班のサーバが")
	hdr("動いているか確かめてから、もう一度送ってください。")
	hdr("元のメールのヘッダをこの後に付けます。")
	hdr("")
	hdr("----------------------------------------------------------------------")
	hdr("")
	hdr("This is the mail server of %s.", reportingDomain)
	hdr("")
	hdr("Your message of %s (%s) could not be delivered to:", e.Created.Format("2006-01-02 15:04"), e.MessageID)
	hdr("")
	b.WriteString(who.String())
	hdr("")
	hdr("If the other server answered 5xx, check the address (user name and")
	hdr("domain): 550 5.1.1 means there is no such user. If the server could not")
	hdr("be reached for too long, make sure that group's server is running, then")
	hdr("send the message again. The original message's header follows.")
	hdr("")
	hdr("--%s", boundary)
	hdr("Content-Type: message/delivery-status")
	hdr("")
	hdr("Reporting-MTA: dns; %s", reportingDomain)
	hdr("Arrival-Date: %s", e.Created.Format(time.RFC1123Z))
	for _, f := range failed {
		hdr("")
		hdr("Final-Recipient: rfc822; %s", f.Rcpt)
		hdr("Action: failed")
		hdr("Status: %s", f.Status)
		if strings.HasPrefix(f.Reply, "4") || strings.HasPrefix(f.Reply, "5") {
			hdr("Diagnostic-Code: smtp; %s", f.Reply)
		} else {
			hdr("Diagnostic-Code: X-maillab; %s", f.Reply)
		}
	}
	hdr("")
	hdr("--%s", boundary)
	hdr("Content-Type: text/rfc822-headers")
	hdr("")
	h := headerOf(original)
	b.Write(bytes.ReplaceAll(bytes.ReplaceAll(h, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
	hdr("")
	hdr("--%s--", boundary)
	return b.Bytes()
}
