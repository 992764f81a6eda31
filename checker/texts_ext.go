package checker

import "maillab/exercises/i18n"

// The explanations of the extension exercises' rules.
var (
	txtTLSNone = i18n.Text{
		Ja: "TLS を使ったセッションがまだありません。openssl s_client -starttls pop3 -crlf -connect ホスト:ポート でつなぎ、1 行ずつ手で打ってください。",
		En: "There is no session over TLS yet. Connect with openssl s_client -starttls pop3 -crlf -connect HOST:PORT and type the commands by hand, one at a time.",
	}
	txtTLSNoSTLS = i18n.Text{
		Ja: "POP3 のセッションはありますが、STLS で TLS に切り替えていません。telnet ではなく openssl s_client -starttls pop3 を使ってください。",
		En: "There is a POP3 session, but it never switched to TLS with STLS. Use openssl s_client -starttls pop3 instead of telnet.",
	}
	txtTLSNoSTARTTLS = i18n.Text{
		Ja: "SMTP のセッションはありますが、STARTTLS で TLS に切り替えていません。telnet ではなく openssl s_client -starttls smtp を使ってください。",
		En: "There is an SMTP session, but it never switched to TLS with STARTTLS. Use openssl s_client -starttls smtp instead of telnet.",
	}
	txtTLSPOP3NoLogin = i18n.Text{
		Ja: "STLS で TLS に切り替えましたが、ログインしていません。user と pass（または apop）でログインしてください。",
		En: "The session switched to TLS with STLS but never logged in: log in with user and pass (or apop).",
	}
	txtTLSPOP3NoRetr = i18n.Text{
		Ja: "TLS の中で %s としてログインしましたが、retr でメールを読んでいません。",
		En: "You logged in as %s inside TLS but never read a message with retr.",
	}
	txtTLSSMTPNotSent = i18n.Text{
		Ja: "STARTTLS で TLS に切り替えましたが、TLS の中でメールが受け付けられていません。ehlo から打ち直し、mail from、rcpt to、data、本文、. と進めてください。",
		En: "The session switched to TLS with STARTTLS but no message was accepted inside TLS: start again with ehlo, then mail from, rcpt to, data, the message and a lone \".\".",
	}
	txtTLSNoQuit = i18n.Text{
		Ja: "TLS の中のやりとりはそろっていますが、quit で終わっていません。",
		En: "The session inside TLS did everything but did not end with quit.",
	}
	txtTLSPassedPOP3 = i18n.Text{
		Ja: "STLS のあと TLS の中で %s としてログインし、メールを読みました（コマンドの間隔の中央値 %s）。",
		En: "After STLS you logged in as %s inside TLS and read a message (a median of %s between commands).",
	}
	txtTLSPassedSMTP = i18n.Text{
		Ja: "STARTTLS のあと TLS の中で %s からのメールを送りました（コマンドの間隔の中央値 %s）。",
		En: "After STARTTLS you sent a message from %s inside TLS (a median of %s between commands).",
	}
	txtWeakNoCrack = i18n.Text{
		Ja: "テスト用アカウントの APOP のダイジェストをまだ lab crack で破っていません。lab crack --setup --group %[1]d で weak1 を作り、telnet で apop weak1 … とログインして、写した行を lab crack --group %[1]d に渡してください。",
		En: "No test account's APOP digest has been broken with lab crack yet. Make weak1 with lab crack --setup --group %[1]d, log in with apop weak1 … in telnet, and give the copied lines to lab crack --group %[1]d.",
	}
	txtWeakNoTLS = i18n.Text{
		Ja: "lab crack で %s のパスワードを見つけました。次は openssl s_client -starttls pop3 -crlf でつなぎ、STLS の中でログインしてください（lab crack のあとのセッションだけを数えます）。",
		En: "lab crack found the password of %s. Now connect with openssl s_client -starttls pop3 -crlf and log in inside STLS (only a session after lab crack counts).",
	}
	txtWeakPassed = i18n.Text{
		Ja: "lab crack で %s の APOP のダイジェストからパスワードを見つけ、そのあと STLS の中でログインしました。",
		En: "lab crack recovered the password of %s from its APOP digest, and afterwards you logged in inside STLS.",
	}
)
