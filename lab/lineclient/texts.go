package lineclient

import "maillab/exercises/i18n"

// The texts of a session about its connection, in both languages: typed
// values, so that the compiler checks every use.
var (
	txtTelnetTrying       = i18n.Text{Ja: "%s のポート %s に接続しています…", En: "Trying %s port %s..."}
	txtTelnetConnected    = i18n.Text{Ja: "%s のポート %s に接続しました（こちらのアドレスは %s）。", En: "Connected to %s port %s (from %s)."}
	txtTelnetHintTerminal = i18n.Text{
		Ja: "コマンドを打って Enter で送ります（行末は CRLF）。↑ で前に打った行を呼び出せます。QUIT の後は Ctrl-D、すぐに切るなら Ctrl-C。",
		En: "Type a command and press Enter to send it (with CRLF); ↑ recalls earlier lines. After QUIT, Ctrl-D; Ctrl-C disconnects at once.",
	}
	txtTelnetForeignClose = i18n.Text{
		Ja: "Connection closed by foreign host.\n（相手のサーバが接続を閉じました）",
		En: "Connection closed by foreign host.",
	}
	txtTelnetClosed = i18n.Text{Ja: "接続を閉じました。", En: "Connection closed."}
	txtTelnetGaveUp = i18n.Text{
		Ja: "入力が終わってから %v 待ちましたが、サーバは接続を閉じませんでした。こちらから閉じます（セッションは QUIT で終えましょう）。",
		En: "The input ended and the server did not close the connection within %v, so it was closed from this side (QUIT ends a session properly).",
	}
	txtTelnetLost    = i18n.Text{Ja: "接続が切れました: %v", En: "the connection was lost: %v"}
	txtTelnetRefused = i18n.Text{
		Ja: "%s のポート %s に接続できません: 接続を拒否されました（そのポートで待ち受けているサーバがありません）。サーバ（lab start）は動いていますか。ポート番号は lab start の表示で確かめられます（既定は POP3 が 1110、SMTP が 2525）",
		En: "cannot connect to %s port %s: connection refused (no server listens on that port). Is the server (lab start) running? lab start prints its ports (POP3 1110 and SMTP 2525 by default)",
	}
	txtTelnetUnreachable = i18n.Text{
		Ja: "%s に届きません: %v。アドレスとネットワークを確かめてください",
		En: "cannot reach %s: %v; check the address and the network",
	}
	txtTelnetNoHost = i18n.Text{
		Ja: "ホスト %s が見つかりません。名前の綴りを確かめるか、IP アドレスで指定してください",
		En: "no such host %s: check its spelling, or give its IP address",
	}
	txtTelnetTimeout = i18n.Text{
		Ja: "%s のポート %s から %v 待っても応答がありません。アドレスを確かめてください（ファイアウォールが接続を捨てているのかもしれません）",
		En: "no answer from %s port %s within %v; check the address (a firewall may be dropping the connection)",
	}
	txtTelnetBindFailed = i18n.Text{
		Ja: "%s から接続できません: %v。--bind にはこのマシンのアドレスを指定します（1 台で練習するときは 127.0.1.N）",
		En: "cannot connect from %s: %v; --bind takes an address of this machine (127.0.1.N when practising on one machine)",
	}
	txtTelnetConnectFailed = i18n.Text{
		Ja: "%s のポート %s に接続できません: %v",
		En: "cannot connect to %s port %s: %v",
	}
)
