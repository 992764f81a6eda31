package checker

import (
	"strconv"
	"strings"
	"time"

	"maillab/exercises/i18n"
)

// The checker's explanations, in both languages: typed values, so that the
// compiler checks every use (those of the extension exercises are in
// texts_ext.go).
var (
	// whatever the exercise
	txtNoClassroom = i18n.Text{
		Ja: "この課題は同じ組の班どうしで行うので、クラスの設定ファイルが必要です。--classroom FILE で指定してください。",
		En: "This exercise is done between groups of one cluster, so it needs the classroom file: give it with --classroom FILE.",
	}
	txtNotInClassroom = i18n.Text{Ja: "%d 班はクラスの設定ファイルにありません。", En: "Group %d is not in the classroom file."}
	txtNoPeers        = i18n.Text{
		Ja: "%d 班の組には、ほかの班がありません（クラスの設定ファイルの clusters を確かめてください）。",
		En: "Group %d's cluster has no other group (see clusters in the classroom file).",
	}
	txtOwnUnreachable = i18n.Text{
		Ja: "%d 班のサーバの記録を読めませんでした（%v）。lab start が動いているか確かめてください。",
		En: "The records of group %d's server could not be read (%v); is lab start running?",
	}
	txtPeerUnreachable = i18n.Text{
		Ja: "%sのサーバに接続できないため、確かめきれませんでした（%v）。その班で lab start が動いているか確かめてください。",
		En: "The server of %s is not reachable, so this could not be checked fully (%v); ask them whether lab start is running.",
	}
	txtPartial = i18n.Text{Ja: "読めた記録では: %s", En: "In the records that could be read: %s"}
	// the subject of explain.DiagTooFast, which says the rest in the
	// words the console and lab replay use
	txtTooFast = i18n.Text{Ja: "必要な手順がそろったセッションがありますが、", En: "A session has every step but "}

	// why a login failed, when the journal gives no reason this table knows
	txtReasonOther = i18n.Text{Ja: "理由は lab start の画面に出ています", En: "the lab start screen says why"}

	// pop3-telnet
	txtPOP3None = i18n.Text{
		Ja: "あなたの班から自班の POP3 サーバへのセッションが、まだ記録されていません。telnet でつないで、user と pass でログインしてください（lab show pop3-telnet）。",
		En: "No POP3 session from your group to your server has been recorded yet. Connect with telnet and log in with user and pass (lab show pop3-telnet).",
	}
	txtPOP3NoLogin     = i18n.Text{Ja: "POP3 サーバにはつなぎましたが、USER と PASS でログインしていません。", En: "You connected to the POP3 server but did not log in with USER and PASS."}
	txtPOP3NoPass      = i18n.Text{Ja: "USER は送りましたが、PASS を送っていません。", En: "You sent USER but no PASS."}
	txtPOP3LoginFailed = i18n.Text{Ja: "USER/PASS のログインが成功していません（%s）。", En: "Your USER/PASS login did not succeed (%s)."}
	txtPOP3APOPInstead = i18n.Text{
		Ja: "APOP でログインしています。この課題は USER と PASS でログインするものです（APOP は次の課題 apop-telnet です）。",
		En: "You logged in with APOP; this exercise asks for USER and PASS (APOP is the next one, apop-telnet).",
	}
	txtPOP3NoList = i18n.Text{
		Ja: "%s で USER/PASS でログインしましたが、STAT か LIST でメールの数を確かめていません。",
		En: "You logged in as %s with USER/PASS but never listed the messages with STAT or LIST.",
	}
	txtPOP3NoRetr = i18n.Text{
		Ja: "%s で USER/PASS でログインしましたが、RETR でメールを取り出していません。",
		En: "You logged in as %s with USER/PASS but never retrieved a message with RETR.",
	}
	txtPOP3NoQuit = i18n.Text{
		Ja: "%s でメールを取り出しましたが、QUIT で終わっていません（telnet を閉じるだけでは、正しい終わり方になりません）。",
		En: "You retrieved a message as %s but did not end with QUIT (closing telnet is not a proper end of the session).",
	}
	txtPOP3Passed = i18n.Text{
		Ja: "%s が手で USER/PASS でログインし、一覧を見て、RETR で取り出し、QUIT で終えました（コマンドの間隔の中央値 %s）。",
		En: "%s logged in by hand with USER/PASS, listed, retrieved with RETR and ended with QUIT (a median of %s between commands).",
	}

	// apop-telnet
	txtAPOPNone = i18n.Text{
		Ja: "あなたの班から自班の POP3 サーバへのセッションが、まだ記録されていません。telnet でつないで、apop でログインしてください（lab show apop-telnet）。",
		En: "No POP3 session from your group to your server has been recorded yet. Connect with telnet and log in with apop (lab show apop-telnet).",
	}
	txtAPOPNoLogin     = i18n.Text{Ja: "POP3 サーバにはつなぎましたが、APOP でログインしていません。", En: "You connected to the POP3 server but did not log in with APOP."}
	txtAPOPPassInstead = i18n.Text{Ja: "USER/PASS でログインしています。この課題は APOP でログインするものです。", En: "You logged in with USER/PASS; this exercise asks for APOP."}
	txtAPOPFailed      = i18n.Text{
		Ja: "APOP のログインが成功していません（%s）。lab start の画面にも説明が出ています。",
		En: "Your APOP login did not succeed (%s); the lab start screen explains it too.",
	}
	txtAPOPNoRetr = i18n.Text{
		Ja: "%s で APOP でログインしましたが、RETR でメールを取り出していません。",
		En: "You logged in as %s with APOP but never retrieved a message with RETR.",
	}
	txtAPOPNoQuit = i18n.Text{
		Ja: "%s で APOP でログインしてメールを取り出しましたが、QUIT で終わっていません。",
		En: "You logged in as %s with APOP and retrieved a message but did not end with QUIT.",
	}
	txtAPOPPassed = i18n.Text{
		Ja: "%s が手で APOP でログインし、RETR で取り出し、QUIT で終えました（コマンドの間隔の中央値 %s）。",
		En: "%s logged in by hand with APOP, retrieved with RETR and ended with QUIT (a median of %s between commands).",
	}

	// a missing QUIT (txtPOP3NoQuit, txtAPOPNoQuit) followed by
	// explain.DiagDeleNoQuit, the console's words for the DELE marks the
	// close discarded: how the two sentences join in each language
	txtNoQuitMarks = i18n.Text{Ja: "%s%s", En: "%s %s"}

	// smtp-telnet
	txtSMTPNone = i18n.Text{
		Ja: "あなたの班のマシンからの SMTP セッションが、まだ記録されていません。telnet で SMTP サーバにつないでください（lab show smtp-telnet）。",
		En: "No SMTP session from your group's machine has been recorded yet. Connect to the SMTP server with telnet (lab show smtp-telnet).",
	}
	txtSMTPNoHelo         = i18n.Text{Ja: "SMTP サーバにはつなぎましたが、HELO（か EHLO）が受け付けられていません。", En: "You connected to the SMTP server, but no HELO (or EHLO) was accepted."}
	txtSMTPNoMail         = i18n.Text{Ja: "HELO の後、MAIL FROM:<…> が受け付けられていません。", En: "After HELO, no MAIL FROM:<…> was accepted."}
	txtSMTPMailBrackets   = i18n.Text{Ja: "MAIL FROM のアドレスが < > で囲まれていませんでした（501）。MAIL FROM:<you@…> のように書きます。", En: "The MAIL FROM address was not in < > (501): write MAIL FROM:<you@…>."}
	txtSMTPMailOrder      = i18n.Text{Ja: "MAIL FROM の前に HELO が必要です（503）。", En: "MAIL FROM needs HELO first (503)."}
	txtSMTPNoRcpt         = i18n.Text{Ja: "MAIL FROM は受け付けられましたが、RCPT TO:<…> が受け付けられていません。", En: "MAIL FROM was accepted, but no RCPT TO:<…> was."}
	txtSMTPRcptBrackets   = i18n.Text{Ja: "RCPT TO のアドレスが < > で囲まれていませんでした（501）。RCPT TO:<name@…> のように書きます。", En: "The RCPT TO address was not in < > (501): write RCPT TO:<name@…>."}
	txtSMTPRcptBeforeMail = i18n.Text{
		Ja: "RCPT TO を MAIL FROM より先に送っています（503）。封筒の送信者が先、受信者が後です。",
		En: "RCPT TO came before MAIL FROM (503): the envelope sender comes first, then the recipients.",
	}
	txtSMTPRcptRefused = i18n.Text{
		Ja: "RCPT TO の宛先が断られました（%s）。宛先のユーザ名とドメインを確かめてください。",
		En: "The RCPT TO address was refused (%s): check the user name and the domain.",
	}
	txtSMTPNoData         = i18n.Text{Ja: "RCPT TO は受け付けられましたが、DATA を送っていません。", En: "RCPT TO was accepted, but you never sent DATA."}
	txtSMTPDataBeforeRcpt = i18n.Text{Ja: "受信者が決まる前に DATA を送っています（503）。先に RCPT TO を送ります。", En: "DATA came before any RCPT TO was accepted (503): give RCPT TO first."}
	txtSMTPNoDot          = i18n.Text{
		Ja: "DATA でメッセージを書き始めましたが、「.」だけの行で終えていません。終わらなかったメッセージは届きません。",
		En: "You began a message with DATA but never ended it with a line holding only \".\"; a message never ended is not delivered.",
	}
	txtSMTPNotAccepted = i18n.Text{Ja: "メッセージはサーバに受け付けられませんでした（%s）。", En: "The server did not accept the message (%s)."}
	txtSMTPKitSender   = i18n.Text{
		Ja: "送信者が postmaster か <> でした。これはキットが使うアドレスなので数えません。MAIL FROM には自分たちのアドレスを書いてください。",
		En: "The sender was postmaster or <>: the kit's own addresses do not count. Give your own address in MAIL FROM.",
	}
	txtSMTPNoQuit = i18n.Text{Ja: "メッセージは受け付けられましたが、QUIT で終わっていません。", En: "The message was accepted, but you did not end with QUIT."}
	txtSMTPPassed = i18n.Text{
		Ja: "%s からのメッセージを手で SMTP を打って送り、%sのサーバが受け付けました（コマンドの間隔の中央値 %s）。",
		En: "A message from %s, typed by hand in SMTP, was accepted by %s's server (a median of %s between commands).",
	}

	// cross-send
	txtCrossSendPassed = i18n.Text{
		Ja: "%s から %s へのメールが %sに届き、受信者が RETR で読みました。",
		En: "Mail from %s to %s reached %s, and the recipient read it with RETR.",
	}
	txtCrossSendUnread = i18n.Text{
		Ja: "%s から %s へのメールは %sに届いていますが、まだ RETR で取り出されていません。相手の班に読んでもらってください。",
		En: "Mail from %s to %s reached %s but has not been retrieved with RETR yet: ask them to read it.",
	}
	txtCrossSendNotMember = i18n.Text{
		Ja: "%s からのメールが %sに届いていますが、%s はあなたの班のアカウントではありません。lab user list にあるアドレスから送ってください。",
		En: "Mail from %s reached %s, but %s is not an account of your group: send from an address lab user list shows.",
	}
	txtCrossSendBounced = i18n.Text{
		Ja: "%s へのメールは中継できずに返送されました（%s）。",
		En: "Mail to %s could not be relayed and was bounced (%s).",
	}
	txtCrossSendQueued = i18n.Text{
		Ja: "%s へのメールは自班のサーバの中継キューにあり、まだ %sに届いていません。相手のサーバが動いているか確かめてください。",
		En: "Mail to %s is in your server's relay queue and has not reached %s yet: is their server running?",
	}
	txtCrossSendOtherCluster = i18n.Text{
		Ja: "あなたの班からのメールが %sに届いていますが、同じ組ではありません（組は %sです）。",
		En: "Mail from your group reached %s, which is not in your cluster (%s).",
	}
	txtCrossSendNone = i18n.Text{
		Ja: "あなたの班のメンバー（…@%s）からのメールは、まだ %sに届いていません（lab show cross-send）。",
		En: "No mail from a member of your group (…@%s) has reached %s yet (lab show cross-send).",
	}

	// cross-apop
	txtCrossAPOPPassed = i18n.Text{
		Ja: "%s が %sのマシンから APOP でログインし、RETR でメールを取り出しました。",
		En: "%s logged in with APOP from the machine of %s and retrieved a message with RETR.",
	}
	txtCrossAPOPNone = i18n.Text{
		Ja: "%sのマシンから自班の POP3 サーバへのセッションが、まだ記録されていません（lab show cross-apop）。",
		En: "No session to your POP3 server from the machine of %s has been recorded yet (lab show cross-apop).",
	}
	txtCrossAPOPOwnMachine = i18n.Text{
		Ja: "APOP でのログインはありますが、自班のマシンからです。%sのマシンからつないでください。",
		En: "You logged in with APOP, but from your own machine: connect from the machine of %s.",
	}
	txtCrossAPOPOtherCluster = i18n.Text{
		Ja: "%sのマシンからのセッションがありますが、同じ組ではありません（組は %sです）。",
		En: "There is a session from the machine of %s, which is not in your cluster (%s).",
	}
	txtCrossAPOPPassInstead = i18n.Text{
		Ja: "%sのマシンから USER/PASS でログインしています。この課題は APOP でログインするものです。",
		En: "You logged in from the machine of %s with USER/PASS; this exercise asks for APOP.",
	}
	txtCrossAPOPFailed = i18n.Text{
		Ja: "%sのマシンからの APOP のログインが成功していません（%s）。",
		En: "The APOP login from the machine of %s did not succeed (%s).",
	}
	txtCrossAPOPNoLogin = i18n.Text{
		Ja: "%sのマシンからつなぎましたが、APOP でログインしていません。",
		En: "You connected from the machine of %s but did not log in with APOP.",
	}
	txtCrossAPOPNoRetr = i18n.Text{
		Ja: "%s が %sのマシンから APOP でログインしましたが、RETR でメールを取り出していません。",
		En: "%s logged in with APOP from the machine of %s but never retrieved a message with RETR.",
	}

	// envelope-bcc
	txtBccPassed = i18n.Text{
		Ja: "%s は To にも Cc にもいない Bcc の受信者としてメールを受け取り（To/Cc: %s）、RETR で読みました。",
		En: "%s received a message as a Bcc recipient, in neither To nor Cc (To/Cc: %s), and read it with RETR.",
	}
	txtBccUnread = i18n.Text{
		Ja: "%s は Bcc の受信者としてメールを受け取っていますが、まだ RETR で読んでいません。",
		En: "%s received a message as a Bcc recipient but has not read it with RETR yet.",
	}
	txtBccNoHeader = i18n.Text{
		Ja: "%s が受け取ったメールには To: にも Cc: にもアドレスがないので、比べられません。To: に別の人を書いたメールを送ってください。",
		En: "The message %s received has no address in To or Cc at all, so there is nothing to compare with: send one whose To: names someone else.",
	}
	txtBccInHeader = i18n.Text{
		Ja: "あなたの班が受け取ったメールは、どれも受信者が To か Cc に書かれています。RCPT TO にだけいる受信者にも送ってください（lab show envelope-bcc）。",
		En: "Every message your group received names its recipient in To or Cc: send one to a recipient who is only in RCPT TO (lab show envelope-bcc).",
	}
	txtBccNone = i18n.Text{
		Ja: "あなたの班のメンバーは、まだメールを受け取っていません（キットのメールは数えません）。lab show envelope-bcc の手順で送ってください。",
		En: "No member of your group has received mail yet (the kit's messages do not count). Send one as lab show envelope-bcc shows.",
	}
)

// loginReasons say why a login failed, by the journal's short key of the
// reason (the Reason of a login event).
var loginReasons = map[string]i18n.Text{
	"wrong-password": {Ja: "パスワードが違います", En: "the password is wrong"},
	"unknown-user":   {Ja: "その名前のアカウントはありません。lab user list で確かめられます", En: "there is no account of that name; lab user list shows them"},
	"in-use":         {Ja: "メールボックスを別のセッションが使っていました", En: "another session was using the maildrop"},
	"apop-newline":   {Ja: "ダイジェストに改行が入っています", En: "a newline went into the digest"},
	"apop-no-brackets": {
		Ja: "タイムスタンプの < > が抜けています", En: "the timestamp's < > were left out",
	},
	"apop-old-challenge": {
		Ja: "前の接続のタイムスタンプで計算しています", En: "the digest was made from an earlier connection's timestamp",
	},
	"apop-uppercase":   {Ja: "ダイジェストが大文字です", En: "the digest is in upper case"},
	"apop-malformed":   {Ja: "ダイジェストが 16 進 32 桁になっていません", En: "the digest is not 32 hex digits"},
	"apop-no-secret":   {Ja: "パスワードをつなげずに MD5 を計算しています", En: "the password was left out of the MD5"},
	"apop-wrong-order": {Ja: "タイムスタンプとパスワードの順番が逆です", En: "the timestamp and the password are the wrong way round"},
	"apop-wrong":       {Ja: "ダイジェストが合いません", En: "the digest does not match"},
}

// LoginReason says in l why a login failed, from the journal's short key
// of the reason ("wrong-password", "apop-uppercase", "in-use" …).
func LoginReason(l i18n.Lang, key string) string { return reason(l, key) }

// reason says why a login failed, from the journal's short key.
func reason(l i18n.Lang, key string) string {
	if r, ok := loginReasons[key]; ok {
		return r.In(l)
	}
	return txtReasonOther.In(l)
}

// groups names one or more groups: "2 班", "1・2 班"; "group 2",
// "groups 1 or 2" (or "and" when all is true).
func groups(l i18n.Lang, ids []int, all bool) string {
	nums := make([]string, len(ids))
	for i, id := range ids {
		nums[i] = strconv.Itoa(id)
	}
	if l == i18n.Ja {
		return strings.Join(nums, "・") + " 班"
	}
	switch len(nums) {
	case 0:
		return "no group"
	case 1:
		return "group " + nums[0]
	}
	conj := " or "
	if all {
		conj = " and "
	}
	return "groups " + strings.Join(nums[:len(nums)-1], ", ") + conj + nums[len(nums)-1]
}

// duration says a duration as people read it: "240ms", "1.3s".
func duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
