package main

import "maillab/exercises/i18n"

// toolTexts are the messages of the students' tools `lab telnet` and
// `lab replay`, in both languages.
var toolTexts = map[string]i18n.Text{
	// lab telnet
	"telnet-usage": {
		Ja: "telnet の代わり: サーバに接続し、打った行を 1 行ずつ CRLF 付きで送って、やり取りの両側を表示する",
		En: "a line-mode telnet: connect to a server, send each line typed with CRLF, and show both sides",
	},
	"telnet-description": {
		Ja: "telnet の無いマシンでも、資料のとおり POP3 や SMTP のコマンドを手で打てます。\n" +
			"サーバの行は色付きで、自分が打った行は「> 」の後に表示されます。\n" +
			"入力が終わると（Ctrl-D、またはファイルやパイプの終わり）、サーバが接続を閉じるのを数秒待ってから終わります。\n" +
			"1 台のマシンで全部の班を動かす練習では、--bind 127.0.1.N で自分の班のアドレスから接続します。\n" +
			"終了コード: 0 接続が閉じた、1 接続できなかった、2 使い方の誤り。",
		En: "Lets you type POP3 and SMTP commands by hand, as the handout does, on machines without telnet.\n" +
			"The server's lines are in colour; what you typed is shown after \"> \".\n" +
			"When the input ends (Ctrl-D, or the end of a file or pipe), it waits a few seconds for the server to close.\n" +
			"When all groups run on one machine, --bind 127.0.1.N connects from your group's address.\n" +
			"Exit codes: 0 the connection was closed, 1 could not connect, 2 bad usage.",
	},
	"flag-bind": {
		Ja: "接続元のアドレス（全部の班を 1 台で動かすときは自分の班の 127.0.1.N）",
		En: "the local address to connect from (when all groups run on one machine: your group's 127.0.1.N)",
	},
	"telnet-args": {
		Ja: "接続先のホストとポートを指定してください: lab telnet HOST PORT（例: lab telnet 127.0.0.1 1110）",
		En: "give the host and the port: lab telnet HOST PORT (e.g. lab telnet 127.0.0.1 1110)",
	},
	"telnet-bad-port": {
		Ja: "%q はポートではありません。1110（POP3）や 2525（SMTP）のような番号を指定してください",
		En: "%q is not a port: give a number such as 1110 (POP3) or 2525 (SMTP)",
	},
	"telnet-bad-bind": {
		Ja: "--bind にはこのマシンの IP アドレス（例: 127.0.1.2）を指定してください（%q は使えません）",
		En: "--bind wants an IP address of this machine, such as 127.0.1.2 (not %q)",
	},
	"telnet-trying":    {Ja: "%s のポート %s に接続しています…", En: "Trying %s port %s..."},
	"telnet-connected": {Ja: "%s のポート %s に接続しました（こちらのアドレスは %s）。", En: "Connected to %s port %s (from %s)."},
	"telnet-hint-terminal": {
		Ja: "コマンドを打って Enter で送ります（行末は CRLF）。↑ で前に打った行を呼び出せます。QUIT の後は Ctrl-D、すぐに切るなら Ctrl-C。",
		En: "Type a command and press Enter to send it (with CRLF); ↑ recalls earlier lines. After QUIT, Ctrl-D; Ctrl-C disconnects at once.",
	},
	"telnet-foreign-close": {
		Ja: "Connection closed by foreign host.\n（相手のサーバが接続を閉じました）",
		En: "Connection closed by foreign host.",
	},
	"telnet-closed": {Ja: "接続を閉じました。", En: "Connection closed."},
	"telnet-gave-up": {
		Ja: "入力が終わってから %v 待ちましたが、サーバは接続を閉じませんでした。こちらから閉じます（セッションは QUIT で終えましょう）。",
		En: "The input ended and the server did not close the connection within %v, so it was closed from this side (QUIT ends a session properly).",
	},
	"telnet-lost": {Ja: "接続が切れました: %v", En: "the connection was lost: %v"},
	"telnet-refused": {
		Ja: "%s のポート %s に接続できません: 接続を拒否されました（そのポートで待ち受けているサーバがありません）。サーバ（lab start）は動いていますか。ポート番号は lab start の表示で確かめられます（既定は POP3 が 1110、SMTP が 2525）",
		En: "cannot connect to %s port %s: connection refused (no server listens on that port). Is the server (lab start) running? lab start prints its ports (POP3 1110 and SMTP 2525 by default)",
	},
	"telnet-unreachable": {
		Ja: "%s に届きません: %v。アドレスとネットワークを確かめてください",
		En: "cannot reach %s: %v; check the address and the network",
	},
	"telnet-no-host": {
		Ja: "ホスト %s が見つかりません。名前の綴りを確かめるか、IP アドレスで指定してください",
		En: "no such host %s: check its spelling, or give its IP address",
	},
	"telnet-timeout": {
		Ja: "%s のポート %s から %v 待っても応答がありません。アドレスを確かめてください（ファイアウォールが接続を捨てているのかもしれません）",
		En: "no answer from %s port %s within %v; check the address (a firewall may be dropping the connection)",
	},
	"telnet-bind-failed": {
		Ja: "%s から接続できません: %v。--bind にはこのマシンのアドレスを指定します（1 台で練習するときは 127.0.1.N）",
		En: "cannot connect from %s: %v; --bind takes an address of this machine (127.0.1.N when practising on one machine)",
	},
	"telnet-connect-failed": {
		Ja: "%s のポート %s に接続できません: %v",
		En: "cannot connect to %s port %s: %v",
	},

	// lab replay
	"replay-usage": {
		Ja: "過去のセッションを、サーバから見たとおりに 1 行ずつ説明付きで見せる",
		En: "show a past session as the server saw it, each line explained",
	},
	"replay-description": {
		Ja: "班のジャーナル（DIR/gN/journal.jsonl）から、セッションのコマンドと応答を順に表示し、\n" +
			"コマンドの意味と RFC の節、応答コード（+OK/-ERR、250 や 550、5.1.1 のような詳しいコード）の意味を添えます。\n" +
			"SESSION を省くと最新のセッションを、--list でセッションの一覧を表示します。\n" +
			"SESSION はコンソールに出る pop3#17 の形でも、pop3-smb3k2-17 のような完全な ID でも指定できます。\n" +
			"パスワードと APOP のダイジェストはジャーナルに残らないので、ここにも表示されません。",
		En: "Shows a session's commands and replies from the group's journal (DIR/gN/journal.jsonl), in order,\n" +
			"with what each command means and its RFC section, and what each reply code means (+OK/-ERR, 250 or 550, detailed codes like 5.1.1).\n" +
			"Without SESSION it shows the latest session; --list lists the sessions.\n" +
			"SESSION may be written as the console shows it, pop3#17, or as a full id such as pop3-smb3k2-17.\n" +
			"Passwords and APOP digests never reach the journal, so they are not shown here either.",
	},
	"flag-list": {Ja: "セッションの一覧を表示する", En: "list the sessions"},
	"replay-list-or-session": {
		Ja: "--list とセッションの指定は同時に使えません",
		En: "give either --list or a session, not both",
	},
	"replay-no-sessions": {
		Ja: "%d 班にはまだセッションがありません（%s）。telnet でサーバに接続すると記録されます",
		En: "group %d has no sessions yet (%s); connecting to the server with telnet records one",
	},
	"replay-no-such-session": {
		Ja: "%q というセッションは %d 班のジャーナルにありません（lab replay --list で一覧が見られます）",
		En: "there is no session %q in group %d's journal (lab replay --list lists them)",
	},
	"replay-ambiguous": {
		Ja: "%q に当たるセッションが %d 個あります（サーバを起動し直すと番号は 1 から数え直します）。最新の %s を表示します。",
		En: "%q matches %d sessions (the numbers start again when the server restarts); showing the latest, %s.",
	},
	"col-session":  {Ja: "セッション", En: "session"},
	"col-proto":    {Ja: "種類", En: "proto"},
	"col-client":   {Ja: "クライアント", En: "client"},
	"col-started":  {Ja: "開始", En: "started"},
	"col-commands": {Ja: "コマンド数", En: "commands"},
	"col-user":     {Ja: "ユーザ/送信者", En: "user/sender"},
	"col-id":       {Ja: "ID", En: "id"},
	"replay-title": {Ja: "セッション %s（%s）%s", En: "Session %s (%s), %s"},
	"replay-client-group": {
		Ja: "%s（%d 班のホスト）",
		En: "%s (group %d's host)",
	},
	"replay-client":  {Ja: "クライアント:", En: "client:"},
	"replay-server":  {Ja: "サーバ:", En: "server:"},
	"replay-started": {Ja: "開始:", En: "started:"},
	"replay-user":    {Ja: "ユーザ:", En: "user:"},
	"replay-sender":  {Ja: "送信者:", En: "sender:"},
	"replay-closed": {
		Ja: "── 切断（コマンド %d 個、%.1f 秒）──",
		En: "── closed (%d commands, %.1f s) ──",
	},
	"replay-not-closed": {
		Ja: "── 終わりの記録がありません（まだ接続中か、サーバが突然止まった）──",
		En: "── no end recorded (still connected, or the server stopped abruptly) ──",
	},
	"replay-afterwards": {Ja: "その後:", En: "Afterwards:"},
	"replay-login-ok": {
		Ja: "%s が %s でログインした（%d 通、%d オクテット）",
		En: "%s logged in with %s (%d message(s), %d octets)",
	},
	"replay-login-in-use": {
		Ja: "%s の %s ログインは認証を通ったが、メールボックスは別のセッションが使用中だった",
		En: "%s's %s login was authenticated, but another session was using the maildrop",
	},
	"replay-login-error": {
		Ja: "%s のログイン中にサーバ側でエラー: %s",
		En: "server error while %s logged in: %s",
	},
	"replay-login-fail": {
		Ja: "%s の %s ログインは失敗した",
		En: "%s's %s login failed",
	},
	"replay-why": {Ja: "原因: %s", En: "why: %s"},
	"replay-retr": {
		Ja: "%s にメールを 1 通まるごと送った（%d オクテット）",
		En: "%s was sent a whole message (%d octets)",
	},
	"replay-deleted": {
		Ja: "QUIT で %d 通を削除した（%s のメールボックス）",
		En: "QUIT removed %d message(s) from %s's maildrop",
	},
	"replay-deleted-error": {
		Ja: "%d 通の削除に失敗した: %s",
		En: "removing %d message(s) failed: %s",
	},
	"replay-data": {
		Ja: "メッセージを受け取った: %d オクテット（本文そのものはジャーナルに残さない）",
		En: "the message came in: %d octets (the journal keeps no message text)",
	},
	"replay-bare-lf": {
		Ja: "そのうち %d 行が CR の無い LF だけで終わっていた（SMTP の行末は CRLF。CRLF に直して保存した）",
		En: "%d of its lines ended in a bare LF without CR (SMTP lines end in CRLF; they were stored with CRLF)",
	},
	"replay-accepted": {
		Ja: "メッセージ %s を受け付けた: エンベロープの送信者 %s、受信者 %s",
		En: "message %s accepted: envelope sender %s, recipients %s",
	},
	"replay-headers": {
		Ja: "ヘッダの To: %s、Cc: %s",
		En: "header fields To: %s, Cc: %s",
	},
	"replay-bcc": {
		Ja: "%s はエンベロープの受信者だが、To: にも Cc: にも無い。この人にとってこのメールは Bcc",
		En: "%s is an envelope recipient but in neither To: nor Cc:, so for them the message is a Bcc",
	},
	"replay-none": {Ja: "（なし）", En: "(none)"},
	"replay-delivered": {
		Ja: "%s のメールボックスに配送した",
		En: "delivered to %s's mailbox",
	},
	"replay-delivered-error": {
		Ja: "%s のメールボックスへの配送に失敗した: %s",
		En: "delivery to %s's mailbox failed: %s",
	},
	"replay-queued": {
		Ja: "%s 宛てなので、%d 班のサーバへ中継するためキューに入れた",
		En: "for %s: queued to be relayed to group %d's server",
	},
	"replay-relayed": {
		Ja: "%s 宛てを %d 班のサーバへ中継した（%s）",
		En: "relayed for %s to group %d's server (%s)",
	},
	"replay-relay-deferred": {
		Ja: "%d 班への中継は %d 回目も届かなかった: %s（後でまた試す）",
		En: "relaying to group %d did not work on attempt %d: %s (it will be tried again)",
	},
	"replay-relay-failed": {
		Ja: "%s 宛ての中継は失敗した: %s",
		En: "relaying for %s failed: %s",
	},
	"replay-bounced": {
		Ja: "届けられなかったので、送信者 %s にエラーの知らせ（バウンス）を返した",
		En: "it could not be delivered, so a bounce went back to the sender %s",
	},
}
