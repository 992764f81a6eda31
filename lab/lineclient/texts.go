package lineclient

import "maillab/exercises/i18n"

// texts are what a session says about its connection, in both languages.
var texts = map[string]i18n.Text{
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
}
