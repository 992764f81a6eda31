package main

import "maillab/exercises/i18n"

// The messages of lab grade, in both languages.
var (
	txtGradeUsage = i18n.Text{Ja: "クラス全体の課題を採点します（教員用。--serve でクラスの様子をブラウザに表示）",
		En: "grade the whole class (for the instructor; --serve shows the class live in a browser)"}
	txtGradeDescription = i18n.Text{
		Ja: "クラスの設定ファイルにある各班のサーバ（web API）から記録を同時に集め、課題ごとに ✓/✗ を表にします。\n" +
			"つながらない班は点数の代わりに「つながりません」と短い理由を表示します（不合格とは別）。\n" +
			"--json・--csv・--markdown で機械や表計算向けに出力します。--report FILE.html は、表・各班の最初の試みからできるまでの時刻・\n" +
			"よくあった誤り・使ったヒントを 1 つの HTML ファイルに書きます。サーバが止まっているときは --data DIR で各班のデータフォルダから\n" +
			"採点します。--probe は各班のサーバを実際に試します（POP3 の挨拶とタイムスタンプ、CAPA、架空ユーザの APOP、SMTP の挨拶と EHLO、\n" +
			"postmaster、同じ組の班への中継）。試験メールは postmaster 宛で、課題には数えません。\n" +
			"終了コード: 0 採点できた（成績に関係なく）、1 まったく採点できなかった、2 使い方の誤り。",
		En: "Reads every group's evidence from its server (its web API in the classroom file), all at once, and prints a table of ✓/✗ per exercise.\n" +
			"A group whose server cannot be reached shows as unreachable, with a short reason and no score, not as failed.\n" +
			"--json, --csv and --markdown are for programs and spreadsheets. --report FILE.html writes one page with the grid, each group's\n" +
			"times from first attempt to pass, the mistakes made most and the hints used. With the servers stopped, --data DIR grades from the\n" +
			"groups' data folders. --probe tries each server for real (POP3 greeting and timestamp, CAPA, APOP of a made-up user, SMTP greeting\n" +
			"and EHLO, postmaster, relaying to the cluster's other groups); probe mail goes to postmaster and counts toward nothing.\n" +
			"Exit codes: 0 graded (whatever the grades), 1 could not grade at all, 2 bad usage.",
	}
	txtFlagGradeJSON     = i18n.Text{Ja: "JSON で出力します（{\"groups\": [lab check --json の形, …]}）", En: "print JSON ({\"groups\": [the lab check --json object, …]})"}
	txtFlagGradeCsv      = i18n.Text{Ja: "CSV で出力します（1 班 1 行、課題ごとに 1 列: 1 できた、0 まだ、空 確かめられない）", En: "print CSV (a row per group, a column per exercise: 1 passed, 0 not yet, empty could not check)"}
	txtFlagGradeMarkdown = i18n.Text{Ja: "Markdown の表で出力します", En: "print a Markdown table"}
	txtFlagGradeVerbose  = i18n.Text{Ja: "できていない課題それぞれの説明も表示します", En: "also explain each exercise not passed"}
	txtFlagGradeProbe    = i18n.Text{Ja: "各班のサーバを実際に試します（試験メールは postmaster 宛で、課題には数えません）", En: "try each group's server for real (probe mail goes to postmaster and counts toward nothing)"}
	txtFlagGradeServe    = i18n.Text{Ja: "クラスの様子のページをこのアドレスで表示し続けます（例: 127.0.0.1:8080）。Ctrl-C で止めると採点を表示します",
		En: "serve the live class dashboard on this address (e.g. 127.0.0.1:8080); Ctrl-C stops it and prints the grades"}
	txtFlagGradeData = i18n.Text{Ja: "サーバではなく、このマシンのデータの置き場所（DIR/gN）から記録を読みます",
		En: "read the evidence from the data folders on this machine (DIR/gN) instead of the servers"}
	txtGradeOneFormat   = i18n.Text{Ja: "出力の形式は 1 つだけ指定してください（%s が指定されています）", En: "give one output format only (got %s)"}
	txtGradeBadServe    = i18n.Text{Ja: "--serve %q が読めません。HOST:PORT の形で指定してください（例: 127.0.0.1:8080、:8080）", En: "cannot read --serve %q: give HOST:PORT (e.g. 127.0.0.1:8080, :8080)"}
	txtGradeReading     = i18n.Text{Ja: "各班の記録を読んでいます", En: "reading each group's evidence"}
	txtGradeProbing     = i18n.Text{Ja: "各班のサーバを試しています（中継の試験メールを待っています）", En: "probing each group's server (waiting for the relayed probes)"}
	txtGradeNothingRead = i18n.Text{Ja: "どの班のサーバにもつながらないため、採点できませんでした。授業のあとなどサーバが止まっているときは、各班のデータフォルダ（DIR/gN）をこのマシンに集めて lab grade --classroom FILE --data DIR で採点してください。動いているはずのサーバは lab doctor --classroom FILE --group N で確かめられます",
		En: "could not grade: no group's server could be reached. When the servers are stopped (after class, say), gather the groups' data folders (DIR/gN) on this machine and grade from them with lab grade --classroom FILE --data DIR; lab doctor --classroom FILE --group N checks a server that should be running"}
	txtGradeNoData = i18n.Text{Ja: "%s に班のデータフォルダ（g1、g2 …）がひとつもないため、採点できませんでした。--data にはデータの置き場所（各班の gN フォルダがある場所）を指定してください",
		En: "could not grade: there is no group's data folder (g1, g2 …) in %s; give --data the data root, the folder that holds each group's gN folder"}
	txtFlagGradeReport = i18n.Text{Ja: "教員用のレポート（1 つの HTML ファイル。外部のものを読み込まないので、保存やメールでの送付ができます）をこのファイルに書きます",
		En: "write the instructor's report to this file: one HTML page that loads nothing from elsewhere, to keep or mail"}
	txtGradeReportWritten = i18n.Text{Ja: "レポートを %s に書きました。", En: "the report is in %s."}
	txtGradeReportFailed  = i18n.Text{Ja: "レポートを %s に書けません（原因: %v）", En: "cannot write the report to %s: %v"}
	txtGradeServeFailed   = i18n.Text{Ja: "%s でページを表示できません（原因: %v）", En: "cannot serve the dashboard on %s: %v"}
	txtGradeServing       = i18n.Text{Ja: "クラスの様子: %s （Ctrl-C で止めると採点を表示します）", En: "class dashboard: %s (Ctrl-C stops it and prints the grades)"}
	txtGradeServeStopped  = i18n.Text{Ja: "ページの表示を止めました。", En: "the dashboard has stopped."}
)
