package grading

import "maillab/exercises/i18n"

// txt are what the grades say, in both languages: typed, so that the
// compiler checks every use.
var txt = struct {
	Title              i18n.Text
	ColGroup           i18n.Text
	ColCluster         i18n.Text
	ColTotal           i18n.Text
	ColDoneBy          i18n.Text
	ColNote            i18n.Text
	Unreachable        i18n.Text
	GroupHeading       i18n.Text
	VerboseHint        i18n.Text
	ProbesTitle        i18n.Text
	ProbeExpected      i18n.Text
	ProbeGot           i18n.Text
	MistakeLogin       i18n.Text
	MistakeReply       i18n.Text
	ReportTitle        i18n.Text
	ReportGenerated    i18n.Text
	ReportFromData     i18n.Text
	ReportGrid         i18n.Text
	ReportLegend       i18n.Text
	ReportGroups       i18n.Text
	ReportTimeline     i18n.Text
	ReportNoTimeline   i18n.Text
	ReportNotYet       i18n.Text
	ReportTook         i18n.Text
	ReportMistakes     i18n.Text
	ReportNoMistakes   i18n.Text
	ReportMistakesNote i18n.Text
	ReportTimes        i18n.Text
	ReportHints        i18n.Text
	ReportNoHints      i18n.Text
	ReportHintTier     i18n.Text
	ReportDetails      i18n.Text
	ReportUnreachable  i18n.Text
	ReportProbes       i18n.Text
	ExtensionsTitle    i18n.Text
}{
	Title:         i18n.Text{Ja: "maillab 採点 — %s（%d 班、%s）", En: "maillab grades — %s (%d groups, %s)"},
	ColGroup:      i18n.Text{Ja: "班", En: "group"},
	ColCluster:    i18n.Text{Ja: "組", En: "cluster"},
	ColTotal:      i18n.Text{Ja: "合計", En: "total"},
	ColDoneBy:     i18n.Text{Ja: "できた班", En: "groups done"},
	ColNote:       i18n.Text{Ja: "備考", En: "note"},
	Unreachable:   i18n.Text{Ja: "つながりません: %s", En: "unreachable: %s"},
	GroupHeading:  i18n.Text{Ja: "%d 班（%s）", En: "group %d (%s)"},
	VerboseHint:   i18n.Text{Ja: "✗ と ? の理由は lab grade --verbose で表示されます。", En: "lab grade --verbose explains each ✗ and ?."},
	ProbesTitle:   i18n.Text{Ja: "サーバの試験（--probe）", En: "Server probes (--probe)"},
	ProbeExpected: i18n.Text{Ja: "期待:", En: "expected:"},
	ProbeGot:      i18n.Text{Ja: "実際:", En: "got:"},
	ExtensionsTitle: i18n.Text{
		Ja: "発展課題（任意。上の %d 課題の合計には入りません）",
		En: "Extensions (optional; not counted in the %d exercises above)",
	},

	// mistakes
	MistakeLogin: i18n.Text{Ja: "%s のログイン失敗: %s", En: "%s login failed: %s"},
	MistakeReply: i18n.Text{Ja: "%s に %s が返りました", En: "%s answered %s"},

	// the HTML report
	ReportTitle:      i18n.Text{Ja: "maillab 採点レポート — %s", En: "maillab grading report — %s"},
	ReportGenerated:  i18n.Text{Ja: "%s に作成（%d 班中 %d 班の記録を読めました）", En: "made %s (the evidence of %d of %d groups could be read)"},
	ReportFromData:   i18n.Text{Ja: "記録はデータフォルダから読みました。", En: "The evidence was read from the data folders."},
	ReportGrid:       i18n.Text{Ja: "課題の達成状況", En: "Exercises passed"},
	ReportLegend:     i18n.Text{Ja: "✓ できた　✗ まだ　? 確かめられない（相手の班のサーバにつながらない）　— つながらない班", En: "✓ passed · ✗ not yet · ? could not check (another group's server unreachable) · — group unreachable"},
	ReportGroups:     i18n.Text{Ja: "班ごとの記録", En: "Each group"},
	ReportTimeline:   i18n.Text{Ja: "最初の試み → できた時刻", En: "First attempt → passed"},
	ReportNoTimeline: i18n.Text{Ja: "時刻のわかる試みはありません。", En: "No attempt with a time in the evidence."},
	ReportNotYet:     i18n.Text{Ja: "まだ", En: "not yet"}, // a label, not a sentence
	ReportTook:       i18n.Text{Ja: "（%s）", En: " (%s)"},
	ReportMistakes:   i18n.Text{Ja: "よくあった誤り", En: "Mistakes made most"},
	ReportNoMistakes: i18n.Text{Ja: "記録に残る誤りはありません。", En: "No mistake in the evidence kept."},
	ReportMistakesNote: i18n.Text{Ja: "評価の根拠として残っているセッションで数えています（実際の回数はこれ以上です）。",
		En: "Counted in the sessions kept as evidence (the real numbers are at least these)."},
	ReportTimes:       i18n.Text{Ja: "%d 回", En: "%d×"},
	ReportHints:       i18n.Text{Ja: "使ったヒント", En: "Hints used"},
	ReportNoHints:     i18n.Text{Ja: "ヒントは使っていません。", En: "No hint asked for."},
	ReportHintTier:    i18n.Text{Ja: "%s: ヒント %d まで", En: "%s: up to hint %d"},
	ReportDetails:     i18n.Text{Ja: "できていない課題", En: "Not passed yet"},
	ReportUnreachable: i18n.Text{Ja: "この班の記録は読めませんでした: %s", En: "This group's evidence could not be read: %s"},
	ReportProbes:      i18n.Text{Ja: "サーバの試験（--probe）", En: "Server probes (--probe)"},
}
