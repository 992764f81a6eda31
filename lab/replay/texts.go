package replay

import "maillab/exercises/i18n"

// What a replay says, in both languages: typed values, so that the compiler
// checks every use.
var (
	txtColSession        = i18n.Text{Ja: "セッション", En: "session"}
	txtColProto          = i18n.Text{Ja: "種類", En: "proto"}
	txtColClient         = i18n.Text{Ja: "クライアント", En: "client"}
	txtColStarted        = i18n.Text{Ja: "開始", En: "started"}
	txtColCommands       = i18n.Text{Ja: "コマンド数", En: "commands"}
	txtColUser           = i18n.Text{Ja: "ユーザ/送信者", En: "user/sender"}
	txtColID             = i18n.Text{Ja: "ID", En: "id"}
	txtListProbe         = i18n.Text{Ja: "（先生の確認用）", En: "(instructor's probe)"}
	txtReplayTitle       = i18n.Text{Ja: "セッション %s（%s）%s", En: "Session %s (%s), %s"}
	txtReplayClientGroup = i18n.Text{
		Ja: "%s（%d 班のホスト）",
		En: "%s (group %d's host)",
	}
	txtReplayClient  = i18n.Text{Ja: "クライアント:", En: "client:"}
	txtReplayServer  = i18n.Text{Ja: "サーバ:", En: "server:"}
	txtReplayStarted = i18n.Text{Ja: "開始:", En: "started:"}
	txtReplayUser    = i18n.Text{Ja: "ユーザ:", En: "user:"}
	txtReplaySender  = i18n.Text{Ja: "送信者:", En: "sender:"}
	txtReplayClosed  = i18n.Text{
		Ja: "── 切断（コマンド %d 個、%.1f 秒）──",
		En: "── closed (%d commands, %.1f s) ──",
	}
	txtReplayNotClosed = i18n.Text{
		Ja: "── 終わりの記録がありません（まだ接続中か、サーバが突然止まりました）──",
		En: "── no end recorded (still connected, or the server stopped abruptly) ──",
	}
	txtReplayAfterwards = i18n.Text{Ja: "その後:", En: "Afterwards:"}
	txtReplayLoginOk    = i18n.Text{
		Ja: "%s が %s でログインしました（%d 通、%d オクテット）",
		En: "%s logged in with %s (%d message(s), %d octets)",
	}
	txtReplayLoginInUse = i18n.Text{
		Ja: "%s の %s ログインは認証を通りましたが、メールボックスは別のセッションが使用中でした",
		En: "%s's %s login was authenticated, but another session was using the maildrop",
	}
	txtReplayLoginError = i18n.Text{
		Ja: "%s のログイン中に、サーバ側でエラーが起きました: %s",
		En: "server error while %s logged in: %s",
	}
	txtReplayLoginFail = i18n.Text{
		Ja: "%s の %s ログインは失敗しました",
		En: "%s's %s login failed",
	}
	txtReplayWhy  = i18n.Text{Ja: "原因: %s", En: "why: %s"}
	txtReplayRetr = i18n.Text{
		Ja: "%s にメールを 1 通まるごと送りました（%d オクテット）",
		En: "%s was sent a whole message (%d octets)",
	}
	txtReplayDeleted = i18n.Text{
		Ja: "QUIT で %d 通を削除しました（%s のメールボックス）",
		En: "QUIT removed %d message(s) from %s's maildrop",
	}
	txtReplayDeletedError = i18n.Text{
		Ja: "%d 通の削除に失敗しました: %s",
		En: "removing %d message(s) failed: %s",
	}
	txtReplayData = i18n.Text{
		Ja: "メッセージを受け取りました: %d オクテット（本文そのものはジャーナルに残しません）",
		En: "the message came in: %d octets (the journal keeps no message text)",
	}
	txtReplayBareLF = i18n.Text{
		Ja: "そのうち %d 行が CR の無い LF だけで終わっていました（SMTP の行末は CRLF です。CRLF に直して保存しました）",
		En: "%d of its lines ended in a bare LF without CR (SMTP lines end in CRLF; they were stored with CRLF)",
	}
	txtReplayAccepted = i18n.Text{
		Ja: "メッセージ %s を受け付けました: エンベロープの送信者 %s、受信者 %s",
		En: "message %s accepted: envelope sender %s, recipients %s",
	}
	txtReplayHeaders = i18n.Text{
		Ja: "ヘッダの To: %s、Cc: %s",
		En: "header fields To: %s, Cc: %s",
	}

	txtReplayNone      = i18n.Text{Ja: "（なし）", En: "(none)"}
	txtReplayDelivered = i18n.Text{
		Ja: "%s のメールボックスに配送しました",
		En: "delivered to %s's mailbox",
	}
	txtReplayDeliveredError = i18n.Text{
		Ja: "%s のメールボックスへの配送に失敗しました: %s",
		En: "delivery to %s's mailbox failed: %s",
	}
	txtReplayQueued = i18n.Text{
		Ja: "%s 宛てなので、%d 班のサーバへ中継するためキューに入れました",
		En: "for %s: queued to be relayed to group %d's server",
	}
	txtReplayRelayed = i18n.Text{
		Ja: "%s 宛てを %d 班のサーバへ中継しました（%s）",
		En: "relayed for %s to group %d's server (%s)",
	}
	txtReplayRelayDeferred = i18n.Text{
		Ja: "%d 班への中継は %d 回目も届きませんでした: %s（後でまた試します）",
		En: "relaying to group %d did not work on attempt %d: %s (it will be tried again)",
	}
	txtReplayRelayFailed = i18n.Text{
		Ja: "%s 宛ての中継は失敗しました: %s",
		En: "relaying for %s failed: %s",
	}

	txtReplayBounced = i18n.Text{
		Ja: "届けられなかったので、送信者 %s にエラーの知らせ（バウンス）を返しました",
		En: "it could not be delivered, so a bounce went back to the sender %s",
	}
)
