package main

import "maillab/exercises/i18n"

// The texts of the account commands (lab user) and of lab classroom init's
// new flags.
func init() {
	for k, v := range map[string]i18n.Text{
		"user-del-usage": {Ja: "アカウントを消します（メールは deleted/ に取っておきます）",
			En: "delete an account (its mail is kept aside in deleted/)"},
		"flag-purge": {Ja: "メールも取っておかずに消します", En: "remove its mail too instead of keeping it aside"},
		"flag-all-groups": {Ja: "クラスの全班に同じアカウントを作ります（--classroom が必要です。教員の試験用）",
			En: "add the same account to every group of the classroom (needs --classroom; the instructor's test account)"},
		"user-lower-case": {Ja: "ユーザ名 %q に大文字があります。ユーザ名は小文字で保存されるので、小文字で指定してください: %s",
			En: "user name %q has upper case; user names are kept in lower case, so use lower case: %s"},
		"user-folder": {Ja: "データの置き場所: %s", En: "data folder: %s"},
		"user-no-server": {Ja: "注意: %s を使っているサーバは今ありません。班のサーバが別の --data で動いているなら、この変更はそちらには届きません。",
			En: "note: no server is using %s now; if the group's server runs with another --data, it will not see this change."},
		"user-del-postmaster": {Ja: "postmaster は消せません（メールサーバには必ず要るアドレスです。RFC 5321 4.5.1 節）",
			En: "postmaster cannot be deleted (every mail server must have it; RFC 5321 section 4.5.1)"},
		"user-deleted-kept": {Ja: "%s@%s を消しました。メールは %s に取っておきました。",
			En: "deleted %s@%s; its mail is kept in %s"},
		"user-deleted-purged": {Ja: "%s@%s を消しました。メールも消しました（--purge）。",
			En: "deleted %s@%s and its mail (--purge)."},
		"user-deleted": {Ja: "%s@%s を消しました（メールボックスはありませんでした）。",
			En: "deleted %s@%s (it had no mailbox)."},
		"all-groups-needs-classroom": {Ja: "--all-groups には --classroom FILE でクラスの設定ファイルを指定してください",
			En: "--all-groups needs the classroom file: --classroom FILE"},
		"all-groups-and-group": {Ja: "--all-groups と --group は一緒に使えません",
			En: "--all-groups and --group cannot be used together"},
		"classroom-needs-all-groups": {Ja: "lab user add の --classroom は --all-groups と一緒に使います",
			En: "lab user add takes --classroom only with --all-groups"},
		"user-exists-skipped": {Ja: "ユーザ %s は %d 班にもうあるので、そのままにしました",
			En: "user %s already exists in group %d; left as it is"},
		"user-exists-in": {Ja: "ユーザ %s は次の班にもうありました: %s（変えるなら lab user passwd）",
			En: "user %s already existed in groups %s (lab user passwd changes the password)"},
		"flag-smtp-port": {Ja: "各班の SMTP のポート", En: "every group's SMTP port"},
		"flag-pop3-port": {Ja: "各班の POP3 のポート", En: "every group's POP3 port"},
		"flag-web-port":  {Ja: "各班の Web（読み出し専用 API）のポート", En: "every group's web port (the read-only API)"},
		"bad-port":       {Ja: "--%s %d: ポートは 1〜65535 です", En: "--%s %d: a port is 1 to 65535"},
		"flag-init-lang": {Ja: "クラスの言語 ja か en（lang として書き、name とコメントもその言語にします）",
			En: "the class's language, ja or en (written as lang; the name and comments follow it)"},
		"flag-init-data": {Ja: "クラスのデータの置き場所（data として書きます）",
			En: "the class's data root (written as data)"},
	} {
		texts[k] = v
	}
}
