package main

import "maillab/exercises/i18n"

// The messages of the students' tools `lab telnet` and
// `lab replay`, in both languages.
var (
	// lab telnet
	txtTelnetUsage = i18n.Text{
		Ja: "telnet の代わりになる行単位の TCP クライアント: サーバに接続し、打った行を 1 行ずつ CRLF 付きで送って、やり取りの両側を表示します",
		En: "a line-mode TCP client in place of telnet: connect to a server, send each line typed with CRLF, and show both sides",
	}
	txtTelnetDescription = i18n.Text{
		Ja: "telnet の無いマシンでも、資料のとおり POP3 や SMTP のコマンドを手で打てます。\n" +
			"サーバの行は色付きで、自分が打った行は「> 」の後に表示されます。\n" +
			"入力が終わると（Ctrl-D、またはファイルやパイプの終わり）、サーバが接続を閉じるのを数秒待ってから終わります。\n" +
			"1 台のマシンで全部の班を動かす練習では、--bind に自分の班のアドレス（クラスの設定ファイルの host）を付けて、そこから接続します。\n" +
			"RFC 854 の Telnet プロトコルは話しません（Telnet コマンドを送らず、オプションの交渉もしません）。資料の telnet の使い方と同じく、ただの TCP 接続に 1 行ずつ打ち込みます。\n" +
			"終了コード: 0 接続が閉じた、1 接続できなかった、2 使い方の誤り。",
		En: "Lets you type POP3 and SMTP commands by hand, as the handout does, on machines without telnet.\n" +
			"The server's lines are in colour; what you typed is shown after \"> \".\n" +
			"When the input ends (Ctrl-D, or the end of a file or pipe), it waits a few seconds for the server to close.\n" +
			"When all groups run on one machine, --bind with your group's address (its host in the classroom file) connects from there.\n" +
			"It does not speak the Telnet protocol of RFC 854 (it sends no Telnet commands and negotiates no options): as the handout uses telnet, it is a plain TCP connection typed into line by line.\n" +
			"Exit codes: 0 the connection was closed, 1 could not connect, 2 bad usage.",
	}
	txtFlagBind = i18n.Text{
		Ja: "接続元のアドレス（全部の班を 1 台で動かすときは、クラスの設定ファイルにある自分の班の host）",
		En: "the local address to connect from (when all groups run on one machine: your group's host in the classroom file)",
	}
	txtTelnetArgs = i18n.Text{
		Ja: "接続先のホストとポートを指定してください（例: lab telnet 127.0.0.1 1110）",
		En: "give the host and the port (e.g. lab telnet 127.0.0.1 1110)",
	}
	txtTelnetBadPort = i18n.Text{
		Ja: "%q はポートではありません。1110（POP3）や 2525（SMTP）のような番号を指定してください",
		En: "%q is not a port: give a number such as 1110 (POP3) or 2525 (SMTP)",
	}
	txtTelnetBadBind = i18n.Text{
		Ja: "--bind にはこのマシンの IP アドレス（例: 127.0.1.2）を指定してください（%q は使えません）",
		En: "--bind wants an IP address of this machine, such as 127.0.1.2 (not %q)",
	}

	// lab replay
	txtReplayUsage = i18n.Text{
		Ja: "過去のセッションを、サーバから見たとおりに 1 行ずつ説明付きで見せます",
		En: "show a past session as the server saw it, each line explained",
	}
	txtReplayDescription = i18n.Text{
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
	}
	txtFlagList            = i18n.Text{Ja: "セッションの一覧を表示します", En: "list the sessions"}
	txtReplayListOrSession = i18n.Text{
		Ja: "--list とセッションの指定は同時に使えません",
		En: "give either --list or a session, not both",
	}
	txtReplayNoSessions = i18n.Text{
		Ja: "%d 班にはまだセッションがありません（%s）。telnet でサーバに接続すると記録されます。データが別の場所にあるなら --data か MAILLAB_DATA、またはクラスの設定ファイルの data で指定してください",
		En: "group %d has no sessions yet (%s); connecting to the server with telnet records one. If the data is elsewhere, point to it with --data, MAILLAB_DATA or the classroom file's data",
	}
	txtReplayNoSuchSession = i18n.Text{
		Ja: "%q というセッションは %d 班のジャーナルにありません（lab replay --list で一覧が見られます）",
		En: "there is no session %q in group %d's journal (lab replay --list lists them)",
	}
	txtReplayAmbiguous = i18n.Text{
		Ja: "%q に当たるセッションが %d 個あります（サーバを起動し直すと番号は 1 から数え直します）。最新の %s を表示します。",
		En: "%q matches %d sessions (the numbers start again when the server restarts); showing the latest, %s.",
	}
)
