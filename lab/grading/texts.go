package grading

import "maillab/exercises/i18n"

func t(l i18n.Lang, key string, args ...any) string { return texts[key].F(l, args...) }

// texts are what the grades say, in both languages.
var texts = map[string]i18n.Text{
	"title":          {Ja: "maillab 採点 — %s（%d 班、%s）", En: "maillab grades — %s (%d groups, %s)"},
	"col-group":      {Ja: "班", En: "group"},
	"col-cluster":    {Ja: "組", En: "cluster"},
	"col-total":      {Ja: "合計", En: "total"},
	"col-done-by":    {Ja: "できた班", En: "groups done"},
	"col-note":       {Ja: "備考", En: "note"},
	"unreachable":    {Ja: "つながりません: %s", En: "unreachable: %s"},
	"group-heading":  {Ja: "%d 班（%s）", En: "group %d (%s)"},
	"verbose-hint":   {Ja: "✗ と ? の理由は lab grade --verbose で表示されます。", En: "lab grade --verbose explains each ✗ and ?."},
	"probes-title":   {Ja: "サーバの試験（--probe）", En: "Server probes (--probe)"},
	"probe-expected": {Ja: "期待:", En: "expected:"},
	"probe-got":      {Ja: "実際:", En: "got:"},

	// mistakes
	"mistake-login": {Ja: "%s のログイン失敗: %s", En: "%s login failed: %s"},
	"mistake-reply": {Ja: "%s に %s が返りました", En: "%s answered %s"},

	// the HTML report
	"report-title":       {Ja: "maillab 採点レポート — %s", En: "maillab grading report — %s"},
	"report-generated":   {Ja: "%s に作成（%d 班中 %d 班の記録を読めました）", En: "made %s (the evidence of %d of %d groups could be read)"},
	"report-from-data":   {Ja: "記録はデータフォルダから読みました。", En: "The evidence was read from the data folders."},
	"report-grid":        {Ja: "課題の達成状況", En: "Exercises passed"},
	"report-legend":      {Ja: "✓ できた　✗ まだ　? 確かめられない（相手の班のサーバにつながらない）　— つながらない班", En: "✓ passed · ✗ not yet · ? could not check (another group's server unreachable) · — group unreachable"},
	"report-groups":      {Ja: "班ごとの記録", En: "Each group"},
	"report-timeline":    {Ja: "最初の試み → できた時刻", En: "First attempt → passed"},
	"report-no-timeline": {Ja: "時刻のわかる試みはありません。", En: "No attempt with a time in the evidence."},
	"report-not-yet":     {Ja: "まだ", En: "not yet"},
	"report-took":        {Ja: "（%s）", En: " (%s)"},
	"report-mistakes":    {Ja: "よくあった誤り", En: "Mistakes made most"},
	"report-no-mistakes": {Ja: "記録に残る誤りはありません。", En: "No mistake in the evidence kept."},
	"report-mistakes-note": {Ja: "評価の根拠として残っているセッションで数えています（実際の回数はこれ以上です）。",
		En: "Counted in the sessions kept as evidence (the real numbers are at least these)."},
	"report-times":       {Ja: "%d 回", En: "%d×"},
	"report-hints":       {Ja: "使ったヒント", En: "Hints used"},
	"report-no-hints":    {Ja: "ヒントは使っていません。", En: "No hint asked for."},
	"report-hint-tier":   {Ja: "%s: ヒント %d まで", En: "%s: up to hint %d"},
	"report-details":     {Ja: "できていない課題", En: "Not passed yet"},
	"report-unreachable": {Ja: "この班の記録は読めませんでした: %s", En: "This group's evidence could not be read: %s"},
	"report-probes":      {Ja: "サーバの試験（--probe）", En: "Server probes (--probe)"},
}
