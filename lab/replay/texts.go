package replay

import "maillab/exercises/i18n"

// texts are what a replay says, in both languages.
var texts = map[string]i18n.Text{
	"col-session":  {Ja: "セッション", En: "session"},
	"col-proto":    {Ja: "種類", En: "proto"},
	"col-client":   {Ja: "クライアント", En: "client"},
	"col-started":  {Ja: "開始", En: "started"},
	"col-commands": {Ja: "コマンド数", En: "commands"},
	"col-user":     {Ja: "ユーザ/送信者", En: "user/sender"},
	"col-id":       {Ja: "ID", En: "id"},
	"list-probe":   {Ja: "（先生の確認用）", En: "(instructor's probe)"},
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
		Ja: "── 終わりの記録がありません（まだ接続中か、サーバが突然止まりました）──",
		En: "── no end recorded (still connected, or the server stopped abruptly) ──",
	},
	"replay-afterwards": {Ja: "その後:", En: "Afterwards:"},
	"replay-login-ok": {
		Ja: "%s が %s でログインしました（%d 通、%d オクテット）",
		En: "%s logged in with %s (%d message(s), %d octets)",
	},
	"replay-login-in-use": {
		Ja: "%s の %s ログインは認証を通りましたが、メールボックスは別のセッションが使用中でした",
		En: "%s's %s login was authenticated, but another session was using the maildrop",
	},
	"replay-login-error": {
		Ja: "%s のログイン中に、サーバ側でエラーが起きました: %s",
		En: "server error while %s logged in: %s",
	},
	"replay-login-fail": {
		Ja: "%s の %s ログインは失敗しました",
		En: "%s's %s login failed",
	},
	"replay-why": {Ja: "原因: %s", En: "why: %s"},
	"replay-retr": {
		Ja: "%s にメールを 1 通まるごと送りました（%d オクテット）",
		En: "%s was sent a whole message (%d octets)",
	},
	"replay-deleted": {
		Ja: "QUIT で %d 通を削除しました（%s のメールボックス）",
		En: "QUIT removed %d message(s) from %s's maildrop",
	},
	"replay-deleted-error": {
		Ja: "%d 通の削除に失敗しました: %s",
		En: "removing %d message(s) failed: %s",
	},
	"replay-data": {
		Ja: "メッセージを受け取りました: %d オクテット（本文そのものはジャーナルに残しません）",
		En: "the message came in: %d octets (the journal keeps no message text)",
	},
	"replay-bare-lf": {
		Ja: "そのうち %d 行が CR の無い LF だけで終わっていました（SMTP の行末は CRLF です。CRLF に直して保存しました）",
		En: "%d of its lines ended in a bare LF without CR (SMTP lines end in CRLF; they were stored with CRLF)",
	},
	"replay-accepted": {
		Ja: "メッセージ %s を受け付けました: エンベロープの送信者 %s、受信者 %s",
		En: "message %s accepted: envelope sender %s, recipients %s",
	},
	"replay-headers": {
		Ja: "ヘッダの To: %s、Cc: %s",
		En: "header fields To: %s, Cc: %s",
	},

	"replay-none": {Ja: "（なし）", En: "(none)"},
	"replay-delivered": {
		Ja: "%s のメールボックスに配送しました",
		En: "delivered to %s's mailbox",
	},
	"replay-delivered-error": {
		Ja: "%s のメールボックスへの配送に失敗しました: %s",
		En: "delivery to %s's mailbox failed: %s",
	},
	"replay-queued": {
		Ja: "%s 宛てなので、%d 班のサーバへ中継するためキューに入れました",
		En: "for %s: queued to be relayed to group %d's server",
	},
	"replay-relayed": {
		Ja: "%s 宛てを %d 班のサーバへ中継しました（%s）",
		En: "relayed for %s to group %d's server (%s)",
	},
	"replay-relay-deferred": {
		Ja: "%d 班への中継は %d 回目も届きませんでした: %s（後でまた試します）",
		En: "relaying to group %d did not work on attempt %d: %s (it will be tried again)",
	},
	"replay-relay-failed": {
		Ja: "%s 宛ての中継は失敗しました: %s",
		En: "relaying for %s failed: %s",
	},

	"replay-bounced": {
		Ja: "届けられなかったので、送信者 %s にエラーの知らせ（バウンス）を返しました",
		En: "it could not be delivered, so a bounce went back to the sender %s",
	},
}
