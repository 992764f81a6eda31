package explain

import "maillab/exercises/i18n"

// pop3Commands are the commands of RFC 1939 and RFC 2449, and the two of
// later RFCs a student may meet in a mail client's log.
var pop3Commands = map[string]Note{
	"USER": {Text: i18n.Text{
		Ja: "USER 名前 — ログインするメールボックスの名前を伝えます。続けて PASS でパスワードを送ります",
		En: "USER name — names the maildrop to log in to; PASS with the password comes next",
	}, Ref: "RFC 1939 §7"},
	"PASS": {Text: i18n.Text{
		Ja: "PASS パスワード — パスワードをそのまま（平文で）送ります。ジャーナルでは **** に伏せてあります",
		En: "PASS password — sends the password as it is, in clear text; the journal keeps it masked as ****",
	}, Ref: "RFC 1939 §7"},
	"APOP": {Text: i18n.Text{
		Ja: "APOP 名前 ダイジェスト — パスワードを送らずにログインします。ダイジェストは「タイムスタンプ＋パスワード」の MD5 を 16 進 32 桁で書いたものです（ここでは伏せてあります）",
		En: "APOP name digest — logs in without sending the password: the digest is the MD5 of timestamp + password in 32 hex digits (masked here)",
	}, Ref: "RFC 1939 §7"},
	"STAT": {Text: i18n.Text{
		Ja: "STAT — メールの数と合計の大きさ（オクテット）を聞きます",
		En: "STAT — asks for the number of messages and their total size in octets",
	}, Ref: "RFC 1939 §5"},
	"LIST": {Text: i18n.Text{
		Ja: "LIST [番号] — メールごとの番号と大きさの一覧を聞きます（番号を付けるとその 1 通だけ）",
		En: "LIST [msg] — asks for each message's number and size (or only the one given)",
	}, Ref: "RFC 1939 §5"},
	"RETR": {Text: i18n.Text{
		Ja: "RETR 番号 — その番号のメールを丸ごと取り出します。中身は「.」だけの行で終わります",
		En: "RETR msg — retrieves the whole message; it ends with a line holding only \".\"",
	}, Ref: "RFC 1939 §5"},
	"DELE": {Text: i18n.Text{
		Ja: "DELE 番号 — メールに削除の印を付けます。実際に消えるのは QUIT のときです",
		En: "DELE msg — marks the message as deleted; it is removed only at QUIT",
	}, Ref: "RFC 1939 §5"},
	"NOOP": {Text: i18n.Text{
		Ja: "NOOP — 何もしません。サーバが応答するか確かめるだけです",
		En: "NOOP — does nothing but check that the server answers",
	}, Ref: "RFC 1939 §5"},
	"RSET": {Text: i18n.Text{
		Ja: "RSET — このセッションで付けた削除の印をすべて取り消します",
		En: "RSET — takes back every deletion mark of this session",
	}, Ref: "RFC 1939 §5"},
	"QUIT": {Text: i18n.Text{
		Ja: "QUIT — セッションを終えます。ログインした後なら、ここで削除の印の付いたメールが消えます（UPDATE 状態）",
		En: "QUIT — ends the session; after a login, this is when the messages marked with DELE are removed (the UPDATE state)",
	}, Ref: "RFC 1939 §4, §6"},
	"TOP": {Text: i18n.Text{
		Ja: "TOP 番号 行数 — メールのヘッダと、本文の最初の指定した行数だけを取り出します",
		En: "TOP msg n — retrieves the message's header and only the first n lines of its body",
	}, Ref: "RFC 1939 §7"},
	"UIDL": {Text: i18n.Text{
		Ja: "UIDL [番号] — メールごとの一意な ID（セッションをまたいでも変わらない）を聞きます",
		En: "UIDL [msg] — asks for each message's unique id, which stays the same from session to session",
	}, Ref: "RFC 1939 §7"},
	"CAPA": {Text: i18n.Text{
		Ja: "CAPA — サーバが対応している機能（capability）の一覧を聞きます",
		En: "CAPA — asks for the list of the server's capabilities",
	}, Ref: "RFC 2449 §5"},
	"STLS": {Text: i18n.Text{
		Ja: "STLS — 通信を TLS で暗号化し始めます。+OK の後に TLS のハンドシェイクをし、続きは暗号の中で行います（ログイン前だけです。openssl s_client -starttls pop3 が代わりにしてくれます）",
		En: "STLS — starts encrypting the connection with TLS: after the +OK comes the TLS handshake, and the session goes on inside it (before login only; openssl s_client -starttls pop3 does it for you)",
	}, Ref: "RFC 2595 §4"},
	"AUTH": {Text: i18n.Text{
		Ja: "AUTH 方式 — SASL でログインします（このキットのサーバにはありません）",
		En: "AUTH mechanism — logs in with SASL (the kit's server does not offer it)",
	}, Ref: "RFC 5034 §4"},
}

// pop3Status are the two status indicators of RFC 1939.
var pop3Status = map[string]Note{
	"+OK": {Text: i18n.Text{
		Ja: "+OK — 肯定応答: コマンドは成功しました",
		En: "+OK — positive response: the command succeeded",
	}, Ref: "RFC 1939 §3"},
	"-ERR": {Text: i18n.Text{
		Ja: "-ERR — 否定応答: コマンドは失敗しました（セッションは続きます）",
		En: "-ERR — negative response: the command failed (the session goes on)",
	}, Ref: "RFC 1939 §3"},
}

// pop3Codes are the response codes of RFC 2449 and RFC 3206.
var pop3Codes = map[string]Note{
	"AUTH": {Text: i18n.Text{
		Ja: "[AUTH] — 認証の失敗: ユーザ名・パスワード・ダイジェストのどれかが違います（どれが違うかは、わざと言いません）",
		En: "[AUTH] — authentication failed: the user name, the password or the digest is wrong (which one is deliberately not said)",
	}, Ref: "RFC 3206 §5"},
	"IN-USE": {Text: i18n.Text{
		Ja: "[IN-USE] — 認証は通りましたが、メールボックスを別のセッションが使っています（ロック中）。そちらを QUIT すれば入れます",
		En: "[IN-USE] — authenticated, but another session holds the maildrop's lock; QUIT that session and try again",
	}, Ref: "RFC 2449 §8.1.1"},
	"LOGIN-DELAY": {Text: i18n.Text{
		Ja: "[LOGIN-DELAY] — ログインの間隔が短すぎます。少し待ってからやり直してください",
		En: "[LOGIN-DELAY] — logged in again too soon; wait a while and try again",
	}, Ref: "RFC 2449 §8.1.2"},
	"SYS": {Text: i18n.Text{
		Ja: "[SYS] — サーバ側の問題で失敗しました（あなたの誤りではありません）",
		En: "[SYS] — the server failed for a reason of its own (not your mistake)",
	}, Ref: "RFC 3206 §4"},
	"SYS/TEMP": {Text: i18n.Text{
		Ja: "[SYS/TEMP] — サーバ側の一時的な問題です。あなたの誤りではないので、後でやり直してください",
		En: "[SYS/TEMP] — a temporary problem on the server; not your mistake, so try again later",
	}, Ref: "RFC 3206 §4"},
	"SYS/PERM": {Text: i18n.Text{
		Ja: "[SYS/PERM] — サーバ側の恒久的な問題です。やり直しても直らないので、管理者に知らせてください",
		En: "[SYS/PERM] — a lasting problem on the server; trying again will not help, so tell its administrator",
	}, Ref: "RFC 3206 §4"},
}

// smtpCommands are the commands of RFC 5321 section 4.1.1, and the
// extensions a student may meet in a mail client's log.
var smtpCommands = map[string]Note{
	"HELO": {Text: i18n.Text{
		Ja: "HELO ホスト名 — 自分のホスト名を名乗ってセッションを始めます",
		En: "HELO host — the client introduces itself by its host name and starts the session",
	}, Ref: "RFC 5321 §4.1.1.1"},
	"EHLO": {Text: i18n.Text{
		Ja: "EHLO ホスト名 — HELO の拡張版です。サーバは使える拡張機能（SIZE、PIPELINING など）の一覧で答えます",
		En: "EHLO host — extended HELO: the server answers with the extensions it offers (SIZE, PIPELINING …)",
	}, Ref: "RFC 5321 §4.1.1.1"},
	"MAIL": {Text: i18n.Text{
		Ja: "MAIL FROM:<アドレス> — エンベロープの送信者を伝えて、新しいメールの受け渡しを始めます（届かなかったときの知らせはこのアドレスに返ります）",
		En: "MAIL FROM:<address> — gives the envelope sender and starts a new mail transaction (a bounce goes back to this address)",
	}, Ref: "RFC 5321 §4.1.1.2"},
	"RCPT": {Text: i18n.Text{
		Ja: "RCPT TO:<アドレス> — エンベロープの受信者を 1 人伝えます（受信者ごとに 1 回）。ヘッダの To: や Cc: とは別ものです",
		En: "RCPT TO:<address> — gives one envelope recipient (once per recipient); not the same thing as the To: or Cc: header field",
	}, Ref: "RFC 5321 §4.1.1.3"},
	"DATA": {Text: i18n.Text{
		Ja: "DATA — メッセージそのもの（ヘッダ、空行、本文）を送り始めます。「.」だけの行で終わります",
		En: "DATA — starts the message itself (header, empty line, body); a line holding only \".\" ends it",
	}, Ref: "RFC 5321 §4.1.1.4"},
	"RSET": {Text: i18n.Text{
		Ja: "RSET — 途中までの受け渡し（送信者・受信者）を取り消して、最初からやり直します",
		En: "RSET — aborts the mail transaction so far (sender, recipients) and starts over",
	}, Ref: "RFC 5321 §4.1.1.5"},
	"VRFY": {Text: i18n.Text{
		Ja: "VRFY 名前 — そのユーザがいるか確かめます（迷惑メール対策で答えないサーバが多いです）",
		En: "VRFY name — asks whether the user exists (most servers will not say, because of spammers)",
	}, Ref: "RFC 5321 §4.1.1.6"},
	"EXPN": {Text: i18n.Text{
		Ja: "EXPN リスト — メーリングリストのメンバーを展開してもらいます",
		En: "EXPN list — asks for the members of a mailing list",
	}, Ref: "RFC 5321 §4.1.1.7"},
	"HELP": {Text: i18n.Text{
		Ja: "HELP — コマンドの説明を聞きます",
		En: "HELP — asks for help on the commands",
	}, Ref: "RFC 5321 §4.1.1.8"},
	"NOOP": {Text: i18n.Text{
		Ja: "NOOP — 何もしません。サーバが応答するか確かめるだけです",
		En: "NOOP — does nothing but check that the server answers",
	}, Ref: "RFC 5321 §4.1.1.9"},
	"QUIT": {Text: i18n.Text{
		Ja: "QUIT — セッションを終えます。サーバは 221 と答えて接続を閉じます",
		En: "QUIT — ends the session; the server answers 221 and closes the connection",
	}, Ref: "RFC 5321 §4.1.1.10"},
	"STARTTLS": {Text: i18n.Text{
		Ja: "STARTTLS — 通信を TLS で暗号化し始めます。220 の後に TLS のハンドシェイクをし、暗号の中で EHLO からやり直します（openssl s_client -starttls smtp が代わりにしてくれます）",
		En: "STARTTLS — starts encrypting the connection with TLS: after the 220 comes the TLS handshake, then the session starts again inside it with EHLO (openssl s_client -starttls smtp does it for you)",
	}, Ref: "RFC 3207 §4"},
	"AUTH": {Text: i18n.Text{
		Ja: "AUTH 方式 — SMTP でログインします（このキットのサーバにはありません）",
		En: "AUTH mechanism — logs in to the SMTP server (the kit's server does not offer it)",
	}, Ref: "RFC 4954 §4"},
	"BDAT": {Text: i18n.Text{
		Ja: "BDAT 大きさ — メッセージを大きさを示したかたまりで送ります（このキットのサーバにはありません）",
		En: "BDAT size — sends the message in chunks of a given size (the kit's server does not offer it)",
	}, Ref: "RFC 3030 §2"},
}

// smtpCodes are the reply codes of RFC 5321 section 4.2.3, with what each
// asks of the client.
var smtpCodes = map[int]Note{
	211: {Text: i18n.Text{Ja: "211 — システムの状態の報告", En: "211 — system status"}, Ref: "RFC 5321 §4.2.3"},
	214: {Text: i18n.Text{Ja: "214 — ヘルプのメッセージ", En: "214 — a help message"}, Ref: "RFC 5321 §4.2.3"},
	220: {Text: i18n.Text{
		Ja: "220 — サービスの準備ができました（サーバの最初のあいさつ）",
		En: "220 — service ready (the server's greeting)",
	}, Ref: "RFC 5321 §4.2.3"},
	221: {Text: i18n.Text{
		Ja: "221 — 接続を閉じます（QUIT への答え）",
		En: "221 — closing the connection (the answer to QUIT)",
	}, Ref: "RFC 5321 §4.2.3"},
	250: {Text: i18n.Text{
		Ja: "250 — 要求された動作は完了しました",
		En: "250 — the requested action is done",
	}, Ref: "RFC 5321 §4.2.3"},
	251: {Text: i18n.Text{
		Ja: "251 — このサーバのユーザではありませんが、転送します",
		En: "251 — not a user here, but the message will be forwarded",
	}, Ref: "RFC 5321 §4.2.3"},
	252: {Text: i18n.Text{
		Ja: "252 — ユーザがいるかは確かめられませんが、メールは受け取って配送を試みます",
		En: "252 — cannot verify the user, but will accept the message and try to deliver it",
	}, Ref: "RFC 5321 §4.2.3"},
	354: {Text: i18n.Text{
		Ja: "354 — メッセージを送ってください。終わりは「.」だけの行です（<CRLF>.<CRLF>）",
		En: "354 — go ahead with the message; end it with a line holding only \".\" (<CRLF>.<CRLF>)",
	}, Ref: "RFC 5321 §4.2.3"},
	421: {Text: i18n.Text{
		Ja: "421 — サービスを続けられないので接続を閉じます（一時的）",
		En: "421 — the service is not available and the connection is being closed (temporary)",
	}, Ref: "RFC 5321 §4.2.3"},
	450: {Text: i18n.Text{
		Ja: "450 — メールボックスが今は使えません（一時的。後でやり直せます）",
		En: "450 — the mailbox is unavailable for now (temporary; try again later)",
	}, Ref: "RFC 5321 §4.2.3"},
	451: {Text: i18n.Text{
		Ja: "451 — サーバ側の処理の誤りで中止しました（一時的。後でやり直せます）",
		En: "451 — aborted by an error on the server (temporary; try again later)",
	}, Ref: "RFC 5321 §4.2.3"},
	452: {Text: i18n.Text{
		Ja: "452 — 記憶領域が足りないか、受信者が多すぎます（一時的）",
		En: "452 — insufficient storage, or too many recipients (temporary)",
	}, Ref: "RFC 5321 §4.2.3, §4.5.3.1.10"},
	455: {Text: i18n.Text{
		Ja: "455 — 指定されたパラメータに今は応じられません",
		En: "455 — the server cannot accommodate the parameters now",
	}, Ref: "RFC 5321 §4.2.3"},
	500: {Text: i18n.Text{
		Ja: "500 — 構文の誤り: コマンドが分かりません（または行が長すぎます）",
		En: "500 — syntax error: command not recognized (or the line is too long)",
	}, Ref: "RFC 5321 §4.2.3"},
	501: {Text: i18n.Text{
		Ja: "501 — 引数の構文の誤り（例: アドレスを < > で囲んでいない）",
		En: "501 — syntax error in the arguments (e.g. an address without its < >)",
	}, Ref: "RFC 5321 §4.2.3"},
	502: {Text: i18n.Text{
		Ja: "502 — そのコマンドは実装されていません",
		En: "502 — the command is not implemented",
	}, Ref: "RFC 5321 §4.2.3"},
	503: {Text: i18n.Text{
		Ja: "503 — コマンドの順番が違います（HELO → MAIL → RCPT → DATA の順に送ります）",
		En: "503 — bad sequence of commands (send HELO, MAIL, RCPT, DATA in that order)",
	}, Ref: "RFC 5321 §4.2.3, §4.1.4"},
	504: {Text: i18n.Text{
		Ja: "504 — そのパラメータは実装されていません",
		En: "504 — the command parameter is not implemented",
	}, Ref: "RFC 5321 §4.2.3"},
	550: {Text: i18n.Text{
		Ja: "550 — メールボックスが使えません（存在しない、または方針で拒否）。そのままやり直しても通りません",
		En: "550 — mailbox unavailable (none such, or refused by policy); trying again as it is will not help",
	}, Ref: "RFC 5321 §4.2.3"},
	551: {Text: i18n.Text{
		Ja: "551 — このサーバのユーザではありません",
		En: "551 — not a user here",
	}, Ref: "RFC 5321 §4.2.3"},
	552: {Text: i18n.Text{
		Ja: "552 — 大きさの上限を超えたので中止しました",
		En: "552 — aborted: the storage allocation was exceeded",
	}, Ref: "RFC 5321 §4.2.3"},
	553: {Text: i18n.Text{
		Ja: "553 — そのメールボックス名は使えません（アドレスの形の誤り）",
		En: "553 — the mailbox name is not allowed (a malformed address)",
	}, Ref: "RFC 5321 §4.2.3"},
	554: {Text: i18n.Text{
		Ja: "554 — 受け渡しの失敗です（中継の拒否など）。そのままやり直しても通りません",
		En: "554 — transaction failed (relaying refused, for one); trying again as it is will not help",
	}, Ref: "RFC 5321 §4.2.3"},
	555: {Text: i18n.Text{
		Ja: "555 — MAIL FROM や RCPT TO に付けたパラメータが分かりません",
		En: "555 — a parameter given with MAIL FROM or RCPT TO is not recognized",
	}, Ref: "RFC 5321 §4.2.3"},
}

// smtpFirst and smtpSecond explain a reply code by its digits
// (RFC 5321 section 4.2.1).
var smtpFirst = map[int]i18n.Text{
	2: {Ja: "完了の応答: 要求は成功しました", En: "positive completion: the request succeeded"},
	3: {Ja: "途中の応答: 続きを送ってください", En: "positive intermediate: send the rest"},
	4: {Ja: "一時的な失敗: 後でやり直せば通るかもしれません", En: "transient failure: the same request may work later"},
	5: {Ja: "恒久的な失敗: そのままやり直しても通りません", En: "permanent failure: the same request will not work"},
}

var smtpSecond = map[int]i18n.Text{
	0: {Ja: "構文に関すること", En: "about syntax"},
	1: {Ja: "情報の提供", En: "information"},
	2: {Ja: "接続に関すること", En: "about the connection"},
	3: {Ja: "（未定義）", En: "(unspecified)"},
	4: {Ja: "（未定義）", En: "(unspecified)"},
	5: {Ja: "メールシステムに関すること", En: "about the mail system"},
	6: {Ja: "（未定義）", En: "(unspecified)"},
	7: {Ja: "（未定義）", En: "(unspecified)"},
	8: {Ja: "（未定義）", En: "(unspecified)"},
	9: {Ja: "（未定義）", En: "(unspecified)"},
}

// enhancedClass is the first number of an enhanced status code (RFC 3463
// section 2).
var enhancedClass = map[string]i18n.Text{
	"2": {Ja: "成功", En: "success"},
	"4": {Ja: "一時的な失敗", En: "temporary failure"},
	"5": {Ja: "恒久的な失敗", En: "permanent failure"},
}

// enhancedSubject is the second number (RFC 3463 sections 3.1 to 3.8).
var enhancedSubject = map[string]i18n.Text{
	"0": {Ja: "その他", En: "other"},
	"1": {Ja: "アドレスについて", En: "about an address"},
	"2": {Ja: "メールボックスについて", En: "about a mailbox"},
	"3": {Ja: "メールシステムについて", En: "about the mail system"},
	"4": {Ja: "ネットワークと経路について", En: "about the network and routing"},
	"5": {Ja: "配送のプロトコルについて", En: "about the mail delivery protocol"},
	"6": {Ja: "メッセージの内容について", En: "about the message content"},
	"7": {Ja: "セキュリティや方針について", En: "about security or policy"},
}

// enhancedDetail are the codes of RFC 3463 chapter 3, by subject.detail.
var enhancedDetail = map[string]i18n.Text{
	"0.0": {Ja: "特に分類のない状態", En: "other or undefined status"},
	"1.0": {Ja: "アドレスについて", En: "other address status"},
	"1.1": {Ja: "宛先のメールボックスがありません（ユーザ名の誤り）", En: "bad destination mailbox address (no such user)"},
	"1.2": {Ja: "宛先のシステム（ドメイン）がありません", En: "bad destination system address"},
	"1.3": {Ja: "宛先アドレスの書き方の誤り", En: "bad destination mailbox address syntax"},
	"1.4": {Ja: "宛先アドレスがあいまい", En: "destination mailbox address ambiguous"},
	"1.5": {Ja: "宛先アドレスは有効", En: "destination address valid"},
	"1.6": {Ja: "宛先のメールボックスは移転しました", En: "destination mailbox has moved"},
	"1.7": {Ja: "送信者アドレスの書き方の誤り", En: "bad sender's mailbox address syntax"},
	"1.8": {Ja: "送信者のシステム（ドメイン）が正しくありません", En: "bad sender's system address"},
	"2.0": {Ja: "メールボックスについて", En: "other or undefined mailbox status"},
	"2.1": {Ja: "メールボックスが受け取りを止めています", En: "mailbox disabled, not accepting messages"},
	"2.2": {Ja: "メールボックスがいっぱい", En: "mailbox full"},
	"2.3": {Ja: "メッセージが管理上の上限を超えています", En: "message length exceeds administrative limit"},
	"2.4": {Ja: "メーリングリストの展開の問題", En: "mailing list expansion problem"},
	"3.0": {Ja: "メールシステムについて", En: "other or undefined mail system status"},
	"3.1": {Ja: "メールシステムの記憶領域がいっぱい", En: "mail system full"},
	"3.2": {Ja: "システムが今はメッセージを受け付けていません", En: "system not accepting network messages"},
	"3.3": {Ja: "システムがその機能に対応していません", En: "system not capable of selected features"},
	"3.4": {Ja: "メッセージがシステムには大きすぎます", En: "message too big for system"},
	"3.5": {Ja: "システムの設定の誤り", En: "system incorrectly configured"},
	"4.0": {Ja: "ネットワークと経路について", En: "other or undefined network or routing status"},
	"4.1": {Ja: "相手のホストが応答しません", En: "no answer from host"},
	"4.2": {Ja: "接続の不具合（切れた、時間切れなど）", En: "bad connection (dropped, timed out …)"},
	"4.3": {Ja: "ディレクトリサーバ（DNS など）の障害", En: "directory server failure"},
	"4.4": {Ja: "経路が見つかりません", En: "unable to route"},
	"4.5": {Ja: "メールシステムが混雑しています", En: "mail system congestion"},
	"4.6": {Ja: "配送の経路がループしています", En: "routing loop detected"},
	"4.7": {Ja: "配送の期限切れ", En: "delivery time expired"},
	"5.0": {Ja: "プロトコルについて", En: "other or undefined protocol status"},
	"5.1": {Ja: "コマンドが不正（順番が違う、または対応していない）", En: "invalid command (out of sequence, or not supported)"},
	"5.2": {Ja: "構文の誤り（分からないコマンド）", En: "syntax error (command not understood)"},
	"5.3": {Ja: "受信者が多すぎます", En: "too many recipients"},
	"5.4": {Ja: "コマンドの引数が不正", En: "invalid command arguments"},
	"5.5": {Ja: "プロトコルのバージョンが違います", En: "wrong protocol version"},
	"6.0": {Ja: "メッセージの内容について", En: "other or undefined media error"},
	"6.1": {Ja: "その形式の内容は扱えません", En: "media not supported"},
	"6.2": {Ja: "変換が必要ですが、禁じられています", En: "conversion required and prohibited"},
	"6.3": {Ja: "変換が必要ですが、対応していません", En: "conversion required but not supported"},
	"6.4": {Ja: "変換しましたが、一部が失われました", En: "conversion with loss performed"},
	"6.5": {Ja: "変換に失敗しました", En: "conversion failed"},
	"7.0": {Ja: "セキュリティについて", En: "other or undefined security status"},
	"7.1": {Ja: "配送が許されていません（中継の拒否など）", En: "delivery not authorized, message refused (relaying denied, for one)"},
	"7.2": {Ja: "メーリングリストの展開が禁じられています", En: "mailing list expansion prohibited"},
	"7.3": {Ja: "必要なセキュリティの変換ができません", En: "security conversion required but not possible"},
	"7.4": {Ja: "セキュリティ機能に対応していません", En: "security features not supported"},
	"7.5": {Ja: "暗号処理の失敗", En: "cryptographic failure"},
	"7.6": {Ja: "その暗号方式に対応していません", En: "cryptographic algorithm not supported"},
	"7.7": {Ja: "メッセージの完全性の検査に失敗", En: "message integrity failure"},
}

// smtpExtensions are the EHLO keywords of the kit's server and of common
// servers.
var smtpExtensions = map[string]Note{
	"PIPELINING": {Text: i18n.Text{
		Ja: "PIPELINING — 応答を待たずに複数のコマンドをまとめて送れます",
		En: "PIPELINING — the client may send several commands without waiting for each reply",
	}, Ref: "RFC 2920"},
	"SIZE": {Text: i18n.Text{
		Ja: "SIZE — 受け取れるメッセージの大きさの上限（オクテット）",
		En: "SIZE — the largest message the server accepts, in octets",
	}, Ref: "RFC 1870"},
	"8BITMIME": {Text: i18n.Text{
		Ja: "8BITMIME — 8 ビットの本文（日本語の UTF-8 など）をそのまま受け取れます",
		En: "8BITMIME — 8-bit message bodies (UTF-8 text, for one) are accepted as they are",
	}, Ref: "RFC 6152"},
	"ENHANCEDSTATUSCODES": {Text: i18n.Text{
		Ja: "ENHANCEDSTATUSCODES — 応答に 2.1.5 のような詳しい状態コードを付けます",
		En: "ENHANCEDSTATUSCODES — replies carry detailed status codes such as 2.1.5",
	}, Ref: "RFC 2034"},
	"HELP": {Text: i18n.Text{
		Ja: "HELP — HELP コマンドが使えます",
		En: "HELP — the HELP command is available",
	}, Ref: "RFC 5321 §4.1.1.8"},
	"STARTTLS": {Text: i18n.Text{
		Ja: "STARTTLS — 通信を TLS で暗号化できます",
		En: "STARTTLS — the connection can be encrypted with TLS",
	}, Ref: "RFC 3207"},
	"AUTH": {Text: i18n.Text{
		Ja: "AUTH — SMTP でログインできます（使える方式が続きます）",
		En: "AUTH — clients can log in (the mechanisms follow)",
	}, Ref: "RFC 4954"},
	"SMTPUTF8": {Text: i18n.Text{
		Ja: "SMTPUTF8 — アドレスやヘッダに UTF-8 を使えます",
		En: "SMTPUTF8 — addresses and header fields may use UTF-8",
	}, Ref: "RFC 6531"},
	"CHUNKING": {Text: i18n.Text{
		Ja: "CHUNKING — BDAT でメッセージを分けて送れます",
		En: "CHUNKING — messages may be sent in pieces with BDAT",
	}, Ref: "RFC 3030"},
	"DSN": {Text: i18n.Text{
		Ja: "DSN — 配送状況の通知を頼めます",
		En: "DSN — delivery status notifications can be asked for",
	}, Ref: "RFC 3461"},
}

// loginReasons explain the kit's diagnoses of a failed POP3 login (see
// server/group: diagnoseAPOP).
var loginReasons = map[string]i18n.Text{
	"unknown-user": {
		Ja: "この班にその名前のユーザはいません（lab user list で確かめられます）。サーバは [AUTH] としか答えないので、誰かがユーザ名を探ろうとしても分かりません",
		En: "this group has no such user (lab user list shows them); the server only answers [AUTH], so nobody can probe for user names",
	},
	"wrong-password": {Ja: "パスワードが違います", En: "the password is wrong"},
	"other-group-user": {
		Ja: "それは別の班のユーザ名です。ログインできるのは、そのサーバの班のユーザだけです",
		En: "that user name belongs to another group; a server takes the users of its own group only",
	},
	"apop-malformed": {
		Ja: "ダイジェストは 16 進 32 桁です。コピーが途中で切れていないか確かめてください",
		En: "a digest is 32 hex digits; was it cut short when copied?",
	},
	"apop-uppercase": {
		Ja: "ダイジェストが大文字になっています。RFC 1939 では小文字の 16 進で送ります（md5sum の出力のままです）",
		En: "the digest is in upper case; RFC 1939 wants lower-case hex, as md5sum prints it",
	},
	"apop-newline": {
		Ja: "改行まで MD5 に入っています。echo ではなく printf '%s' か echo -n を使ってください",
		En: "a newline went into the MD5: use printf '%s' or echo -n rather than plain echo",
	},
	"apop-no-brackets": {
		Ja: "タイムスタンプの < と > が抜けています。< から > までをそのまま使ってください",
		En: "the timestamp's < and > were left out; use everything from < to >",
	},
	"apop-no-secret": {
		Ja: "タイムスタンプだけの MD5 になっています。すぐ後ろにパスワードをつなげてください",
		En: "that is the MD5 of the timestamp alone; put the password right after it",
	},
	"apop-wrong-order": {
		Ja: "順番が逆です。タイムスタンプが先で、パスワードが後です",
		En: "wrong order: the timestamp comes first, then the password",
	},
	"apop-old-challenge": {
		Ja: "前の接続のタイムスタンプで計算しています。タイムスタンプは接続のたびに変わるので、この接続の最初の行のものを使ってください",
		En: "the digest was made from an earlier connection's timestamp; it changes on every connection, so use the one in this connection's greeting",
	},
	"apop-wrong": {
		Ja: "ダイジェストが合いません。タイムスタンプ（< > ごと）のすぐ後にパスワードをつなげて md5sum してください",
		En: "the digest does not match: md5sum the timestamp (with its < >) followed right away by the password",
	},
}
