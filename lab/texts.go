package main

import "maillab/exercises/i18n"

// The lab command's own messages, in both languages: typed values, so that
// the compiler checks every use (texts_*.go hold those of the other
// commands).
var (
	txtAppUsage       = i18n.Text{Ja: "電子メールサーバの課題のための実験キット", En: "the e-mail server lab kit"}
	txtAppDescription = i18n.Text{
		Ja: "各班は lab start --group N で自分のメールドメインの SMTP と POP3/APOP のサーバを動かし、telnet で手で話しかけます。",
		En: "Each group runs an SMTP and POP3/APOP server for its own mail domain with lab start --group N and talks to it by hand with telnet.",
	}
	txtSeeHelp        = i18n.Text{Ja: "使い方は lab --help で見られます。", En: "See lab --help for usage."}
	txtUnknownCommand = i18n.Text{Ja: "%q というコマンドはありません", En: "no such command %q"}
	txtUnexpectedArgs = i18n.Text{Ja: "余分な引数があります: %s", En: "unexpected arguments: %s"}
	txtFlagData       = i18n.Text{Ja: "データの置き場所（N 班は DIR/gN）",
		En: "the data root (group N keeps its data in DIR/gN)"}
	txtFlagLang      = i18n.Text{Ja: "表示の言語: ja か en（既定は LANG から）", En: "language of messages: ja or en (default from LANG)"}
	txtFlagGroup     = i18n.Text{Ja: "班の番号", En: "the group number"}
	txtFlagUserGroup = i18n.Text{Ja: "班の番号（データの置き場所に班が 1 つだけなら省略可）",
		En: "the group number (may be left out when the data root holds one group)"}
	txtFlagClassroom = i18n.Text{Ja: "クラスの設定ファイル（classroom.toml）。班のホストとポート、他の班への中継に使います",
		En: "the classroom file (classroom.toml): the group's host and ports, and the other groups to relay to"}
	txtUnexpectedError     = i18n.Text{Ja: "処理を続けられませんでした（原因: %v）", En: "%v"}
	txtClassroomUnreadable = i18n.Text{Ja: "クラスの設定ファイル %s が読めません（原因: %v）", En: "cannot read the classroom file %s (cause: %v)"}
	txtDataDefaultClass    = i18n.Text{Ja: "クラスの設定ファイルの data: %s", En: "the classroom file's data: %s"}
	txtClassroomBad        = i18n.Text{Ja: "クラスの設定ファイルに誤りがあります（原因: %v）", En: "the classroom file has a mistake: %v"}
	txtNotInClassroom      = i18n.Text{Ja: "%d 班は %s にありません", En: "group %d is not in %s"}
	txtBannerClassroom     = i18n.Text{Ja: "クラス", En: "classroom"}
	txtBannerPeers         = i18n.Text{Ja: "同じ組", En: "cluster"}
	txtBannerNoPeers       = i18n.Text{Ja: "（同じ組の他の班なし）", En: "(no other group in this cluster)"}
	txtFlagSMTP            = i18n.Text{Ja: "SMTP サーバのアドレス", En: "address of the SMTP server"}
	txtFlagPOP3            = i18n.Text{Ja: "POP3 サーバのアドレス", En: "address of the POP3 server"}
	txtFlagMaxConns        = i18n.Text{Ja: "プロトコルごとに同時に受け付ける接続の数（一部は教室のホスト用に取っておきます）", En: "the most connections at once per protocol (some are kept for the classroom's hosts)"}
	txtBadMaxConns         = i18n.Text{Ja: "--max-conns には 1 以上の数を指定してください", En: "--max-conns takes a number of connections, 1 or more"}
	txtFlagQuiet           = i18n.Text{Ja: "セッションの実況を表示しません", En: "do not show the live feed of sessions"}
	txtStartUsage          = i18n.Text{Ja: "班のメールサーバ（SMTP と POP3/APOP）を動かします", En: "run a group's mail server (SMTP and POP3/APOP)"}
	txtNeedGroup           = i18n.Text{Ja: "--group N で班の番号（1 以上）を指定してください", En: "give the group number (1 or more) with --group N"}
	txtWhichGroup          = i18n.Text{Ja: "%s には班が 1 つではありません。--group N で指定してください（データが別の場所にあるなら --data か MAILLAB_DATA、またはクラスの設定ファイルの data で指定します）",
		En: "%s does not hold exactly one group; give it with --group N (if the data is elsewhere, point to it with --data, MAILLAB_DATA or the classroom file's data)"}
	txtDataLocked = i18n.Text{Ja: "%s は別の lab サーバが使っています（原因: %v）。そちらを止めるか、--data で別の場所を指定してください",
		En: "%s is in use by another lab server (%v); stop that one or give another place with --data"}
	txtListenFailed = i18n.Text{Ja: "%s で待ち受けられません（原因: %v）。別のサーバが動いていないか確かめてください。--smtp / --pop3 で変えられます",
		En: "cannot listen on %s: %v (is another server running? --smtp / --pop3 change it)"}
	txtStopping = i18n.Text{Ja: "止めています…（受け付け中のメールは最後まで受け取ります）",
		En: "stopping… (a message being received is received to its end)"}
	txtBannerTitle       = i18n.Text{Ja: "maillab %d 班のメールサーバ", En: "maillab: group %d's mail server"}
	txtBannerDomain      = i18n.Text{Ja: "ドメイン", En: "domain"}
	txtBannerData        = i18n.Text{Ja: "データ", En: "data"}
	txtBannerAccounts    = i18n.Text{Ja: "アカウント", En: "accounts"}
	txtBannerNewAccounts = i18n.Text{Ja: "アカウントを作りました。パスワードは今だけ表示します。控えてください:", En: "New accounts; their passwords are shown only this once, so note them:"}
	txtBannerAPOP        = i18n.Text{
		Ja: "APOP: POP3 サーバの最初の行の終わりに <12345.%[2]d000000@%[1]s> のようなタイムスタンプが付きます。\n      接続ごとに変わるので、その接続のものに続けてパスワードを md5sum します（lab digest が手伝います）。",
		En: "APOP: the POP3 server's first line ends with a timestamp like <12345.%[2]d000000@%[1]s>.\n      It changes on every connection: md5sum that connection's timestamp followed by the password (lab digest helps).",
	}
	txtBannerStop      = i18n.Text{Ja: "Ctrl-C で止まります。", En: "Ctrl-C stops the server."}
	txtUserUsage       = i18n.Text{Ja: "メールのアカウントを管理します", En: "manage mail accounts"}
	txtUserAddUsage    = i18n.Text{Ja: "アカウントを作ります（パスワードは入力を表示しないプロンプトか標準入力から）", En: "add an account (password from a no-echo prompt, or from stdin)"}
	txtUserPasswdUsage = i18n.Text{Ja: "アカウントのパスワードを変えます", En: "change an account's password"}
	txtUserListUsage   = i18n.Text{Ja: "アカウントの一覧", En: "list the accounts"}
	txtUserOneName     = i18n.Text{Ja: "ユーザ名を 1 つ指定してください: lab user add NAME", En: "give one user name: lab user add NAME"}
	txtBadName         = i18n.Text{Ja: "%q はユーザ名に使えません。英小文字で始まり、英小文字・数字・. _ - だけの 32 文字以内にしてください",
		En: "%q cannot be a user name: begin with a lower-case letter and use only a-z, 0-9, '.', '_' and '-', at most 32 characters"}
	txtBadPassword = i18n.Text{Ja: "パスワードは空白を含まない ASCII の 4〜128 文字にしてください",
		En: "a password must be 4 to 128 ASCII characters without spaces"}
	txtUserExists       = i18n.Text{Ja: "ユーザ %s は %d 班にもうあります（変えるなら lab user passwd）", En: "user %s already exists in group %d (lab user passwd changes the password)"}
	txtUserMissing      = i18n.Text{Ja: "%[2]d 班にユーザ %[1]s はいません", En: "group %[2]d has no user %[1]s"}
	txtUserAdded        = i18n.Text{Ja: "%s@%s を作りました。ようこそメールが 1 通届いています。", En: "created %s@%s; a welcome message is waiting in the mailbox."}
	txtUserPasswdDone   = i18n.Text{Ja: "%s@%s のパスワードを変えました。", En: "changed the password of %s@%s."}
	txtPromptPassword   = i18n.Text{Ja: "%s のパスワード: ", En: "password for %s: "}
	txtPromptAgain      = i18n.Text{Ja: "もう一度: ", En: "again: "}
	txtPasswordMismatch = i18n.Text{Ja: "2 回の入力が一致しません", En: "the two passwords differ"}
	txtNoSecret         = i18n.Text{Ja: "標準入力にパスワードがありません", En: "no password on standard input"}
	txtNoGroups         = i18n.Text{Ja: "%s にはまだ班のデータがありません。lab start --group に自班の番号を付けて動かすと作られます。データが別の場所にあるなら --data か MAILLAB_DATA、またはクラスの設定ファイルの data で指定してください", En: "%s holds no group yet (lab start --group with your group's number makes one); if the data is elsewhere, point to it with --data, MAILLAB_DATA or the classroom file's data"}
	txtNoAccounts       = i18n.Text{Ja: "（アカウントなし）", En: "(no accounts)"}
	txtGroupN           = i18n.Text{Ja: "%d 班", En: "group %d"}
	txtColUser          = i18n.Text{Ja: "ユーザ", En: "user"}
	txtColAddress       = i18n.Text{Ja: "アドレス", En: "address"}
	txtColMessages      = i18n.Text{Ja: "メール数", En: "messages"}
	txtDigestUsage      = i18n.Text{Ja: "APOP のダイジェストを md5sum と同じ形で出します（秘密は入力を表示しないプロンプトか標準入力から）",
		En: "print an APOP digest as md5sum does (secret from a no-echo prompt, or from stdin)"}
	txtDigestOneTimestamp = i18n.Text{Ja: "タイムスタンプを 1 つ指定してください（< > ごと引用符で囲む）: lab digest '<…@…>'",
		En: "give one timestamp, quoted with its < >: lab digest '<…@…>'"}
	txtDigestBrackets = i18n.Text{Ja: "注意: %q には < > がありません。APOP ではグリーティングの < から > までをそのまま使います。",
		En: "note: %q has no < >; APOP uses the greeting's timestamp from < to > as it is."}
	txtPromptSecret = i18n.Text{Ja: "APOP の秘密（パスワード）: ", En: "APOP secret (password): "}
	txtYourPassword = i18n.Text{Ja: "あなたのパスワード", En: "YOUR-PASSWORD"}
	txtDigestSameAs = i18n.Text{Ja: "md5sum なら: printf '%%s' %s | md5sum", En: "with md5sum: printf '%%s' %s | md5sum"}
	txtDigestEcho   = i18n.Text{Ja: "echo を使うなら -n を付けること（付けないと改行まで MD5 に入り、ダイジェストが合いません）。",
		En: "with echo, use -n (without it the newline goes into the MD5 and the digest is wrong)."}
	txtNeedClassroom = i18n.Text{Ja: "--classroom FILE（または環境変数 MAILLAB_CLASSROOM）でクラスの設定ファイルを指定してください（lab classroom init で作れます）",
		En: "give the classroom file with --classroom FILE or $MAILLAB_CLASSROOM (lab classroom init makes one)"}
	txtUpUsage = i18n.Text{Ja: "クラスの全部の班のサーバを 1 つのプロセスで動かします（リハーサル、オンライン授業、テスト用）",
		En: "run every group of the classroom in one process (rehearsal, online class, tests)"}
	txtUpTitle    = i18n.Text{Ja: "maillab: %s（全 %d 班）", En: "maillab: %s (%d groups)"}
	txtColGroup   = i18n.Text{Ja: "班", En: "group"}
	txtColCluster = i18n.Text{Ja: "組", En: "cluster"}
	txtUpBind     = i18n.Text{Ja: "1 台で動かしているので、ある班として接続するには送信元アドレスをその班のアドレスにします（例: %d 班なら lab telnet --bind %s %s %d、telnet -b %s %s %d）。",
		En: "All groups run on this machine: to connect as a group, connect from that group's address (e.g. group %d: lab telnet --bind %s %s %d, or telnet -b %s %s %d)."}
	txtQueueUsage         = i18n.Text{Ja: "中継キュー（他の班宛てで配送待ちのメール）を見ます", En: "show the relay queue (mail waiting for another group's server)"}
	txtQueueEmpty         = i18n.Text{Ja: "%d 班の中継キューは空です。", En: "group %d's relay queue is empty."}
	txtQueueHead          = i18n.Text{Ja: "%d 班の中継キュー: %d 通", En: "group %d's relay queue: %d message(s)"}
	txtQueueAge           = i18n.Text{Ja: "（%s 前に受付）", En: "(accepted %s ago)"}
	txtQueueEnvelope      = i18n.Text{Ja: "エンベロープ:", En: "envelope:"}
	txtQueueNotTried      = i18n.Text{Ja: "まだ配送を試していません", En: "not tried yet"}
	txtQueueTried         = i18n.Text{Ja: "%d 回試しました。次は %s 後", En: "tried %d time(s); next try in %s"}
	txtQueueWhy           = i18n.Text{Ja: "理由: %s", En: "why: %s"}
	txtClassroomUsage     = i18n.Text{Ja: "クラスの設定ファイル", En: "the classroom file"}
	txtClassroomInitUsage = i18n.Text{Ja: "クラスの設定ファイルのひな形を出力します", En: "print a classroom file to start from"}
	txtFlagGroups         = i18n.Text{Ja: "班の数", En: "how many groups"}
	txtFlagClusterSize    = i18n.Text{Ja: "1 組の班の数（1-3、4-6、7-9 なら 3）", En: "groups per cluster (3 for 1-3, 4-6, 7-9)"}
	txtFlagHostTemplate   = i18n.Text{Ja: "各班のホスト。{N} は班の番号に置き換わります", En: "each group's host; {N} becomes the group number"}
	txtFlagDomain         = i18n.Text{Ja: "クラスのドメイン（N 班は gN.ドメイン）", En: "the classroom domain (group N is gN.DOMAIN)"}
	txtFlagName           = i18n.Text{Ja: "クラスの名前", En: "the classroom's name"}
)
