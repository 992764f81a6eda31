package main

import "maillab/exercises/i18n"

// The texts of the account commands (lab user) and of lab classroom init's
// new flags.
var (
	txtUserDelUsage = i18n.Text{Ja: "アカウントを消します（メールは deleted/ に取っておきます）",
		En: "delete an account (its mail is kept aside in deleted/)"}
	txtFlagPurge     = i18n.Text{Ja: "メールも取っておかずに消します", En: "remove its mail too instead of keeping it aside"}
	txtFlagAllGroups = i18n.Text{Ja: "クラスの全班に同じアカウントを作ります（--classroom が必要です。教員の試験用）",
		En: "add the same account to every group of the classroom (needs --classroom; the instructor's test account)"}
	txtUserLowerCase = i18n.Text{Ja: "ユーザ名 %q に大文字があります。ユーザ名は小文字で保存されるので、小文字で指定してください: %s",
		En: "user name %q has upper case; user names are kept in lower case, so use lower case: %s"}
	txtUserFolder   = i18n.Text{Ja: "データの置き場所: %s", En: "data folder: %s"}
	txtUserNoServer = i18n.Text{Ja: "注意: %s を使っているサーバは今ありません。班のサーバが別の --data で動いているなら、この変更はそちらには届きません。",
		En: "note: no server is using %s now; if the group's server runs with another --data, it will not see this change."}
	txtUserDelPostmaster = i18n.Text{Ja: "postmaster は消せません（メールサーバには必ず要るアドレスです。RFC 5321 4.5.1 節）",
		En: "postmaster cannot be deleted (every mail server must have it; RFC 5321 section 4.5.1)"}
	txtUserDeletedKept = i18n.Text{Ja: "%s@%s を消しました。メールは %s に取っておきました。",
		En: "deleted %s@%s; its mail is kept in %s"}
	txtUserDeletedPurged = i18n.Text{Ja: "%s@%s を消しました。メールも消しました（--purge）。",
		En: "deleted %s@%s and its mail (--purge)."}
	txtUserDeleted = i18n.Text{Ja: "%s@%s を消しました（メールボックスはありませんでした）。",
		En: "deleted %s@%s (it had no mailbox)."}
	txtAllGroupsNeedsClassroom = i18n.Text{Ja: "--all-groups には --classroom FILE でクラスの設定ファイルを指定してください",
		En: "--all-groups needs the classroom file: --classroom FILE"}
	txtAllGroupsAndGroup = i18n.Text{Ja: "--all-groups と --group は一緒に使えません",
		En: "--all-groups and --group cannot be used together"}
	txtClassroomNeedsAllGroups = i18n.Text{Ja: "lab user add の --classroom は --all-groups と一緒に使います",
		En: "lab user add takes --classroom only with --all-groups"}
	txtUserExistsSkipped = i18n.Text{Ja: "ユーザ %s は %d 班にもうあるので、そのままにしました",
		En: "user %s already exists in group %d; left as it is"}
	txtUserExistsIn = i18n.Text{Ja: "ユーザ %s は次の班にもうありました: %s（変えるなら lab user passwd）",
		En: "user %s already existed in groups %s (lab user passwd changes the password)"}
	txtFlagSMTPPort = i18n.Text{Ja: "各班の SMTP のポート", En: "every group's SMTP port"}
	txtFlagPOP3Port = i18n.Text{Ja: "各班の POP3 のポート", En: "every group's POP3 port"}
	txtFlagWebPort  = i18n.Text{Ja: "各班の Web（読み出し専用 API）のポート", En: "every group's web port (the read-only API)"}
	txtBadPort      = i18n.Text{Ja: "--%s %d: ポートは 1〜65535 です", En: "--%s %d: a port is 1 to 65535"}
	txtFlagInitLang = i18n.Text{Ja: "クラスの言語 ja か en（lang として書き、name とコメントもその言語にします）",
		En: "the class's language, ja or en (written as lang; the name and comments follow it)"}
	txtFlagInitData = i18n.Text{Ja: "クラスのデータの置き場所（data として書きます）",
		En: "the class's data root (written as data)"}
)
