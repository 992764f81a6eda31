package dashboard

import (
	"maillab/exercises/i18n"
)

// The dashboard's words, in both languages: why a group could not be read,
// and what the probes expected and saw. They are typed values, so that the
// compiler checks every use; the page's words are pageTexts.
var (
	// why a group could not be read: one short sentence each
	txtReasonRefused        = i18n.Text{Ja: "%s で動いているサーバがありません（接続を拒否されました）", En: "no server is running at %s (connection refused)"}
	txtReasonTimeout        = i18n.Text{Ja: "%s から時間内に応答がありません", En: "no answer from %s in time"}
	txtReasonUnreachable    = i18n.Text{Ja: "%s に接続できません", En: "cannot connect to %s"}
	txtReasonCanceled       = i18n.Text{Ja: "読み終わる前に止められました", En: "stopped before it was read"}
	txtReasonNoData         = i18n.Text{Ja: "データフォルダ %s がありません", En: "no data folder %s"}
	txtReasonDataUnreadable = i18n.Text{Ja: "データフォルダ %s を読めません", En: "cannot read the data folder %s"}
	txtReasonNotMaillab     = i18n.Text{Ja: "%s の応答が %d 班の maillab サーバのものではありません", En: "%s does not answer as group %d's maillab server"}

	txtExpectPOP3Greeting = i18n.Text{Ja: "%s の POP3 サーバの最初の行が +OK で、RFC 1939 のタイムスタンプ <…@…> が付いていること",
		En: "the POP3 server at %s greets with +OK and an RFC 1939 timestamp <…@…>"}
	txtExpectPOP3Capa = i18n.Text{Ja: "%s の POP3 サーバが CAPA に +OK と USER・TOP・UIDL を含む一覧で答えること",
		En: "the POP3 server at %s answers CAPA with +OK and a list with USER, TOP and UIDL"}
	txtExpectAPOPFake = i18n.Text{Ja: "架空のユーザ %s の APOP に -ERR で答え、そのユーザがいるかどうかを漏らさないこと",
		En: "APOP of the made-up user %s is answered with -ERR that does not tell whether the user exists"}
	txtExpectSMTPGreeting = i18n.Text{Ja: "%s の SMTP サーバの最初の行が 220 であること", En: "the SMTP server at %s greets with 220"}
	txtExpectSMTPEHLO     = i18n.Text{Ja: "%s の SMTP サーバが EHLO に 250 で答えること", En: "the SMTP server at %s answers EHLO with 250"}
	txtExpectPostmaster   = i18n.Text{Ja: "RCPT TO:<%s> に 250 で答えること（postmaster は必ずある: RFC 5321 4.5.1 節）",
		En: "RCPT TO:<%s> is answered with 250 (postmaster always exists: RFC 5321 section 4.5.1)"}
	txtExpectRelayAccepted = i18n.Text{Ja: "%d 班のサーバが %d 班の postmaster 宛のメールを受け付けること",
		En: "group %d's server takes a message for group %d's postmaster"}
	txtExpectRelayArrived = i18n.Text{Ja: "%d 班のサーバに渡した試験メールが %d 班の postmaster に %s 以内に届くこと",
		En: "a probe handed to group %d's server reaches group %d's postmaster within %s"}
	txtGotUnreadable = i18n.Text{Ja: "%d 班の記録が読めません: %v", En: "group %d's evidence could not be read: %v"}
	txtGotDeferred   = i18n.Text{Ja: "%d 班の中継が再送を待っています: %s", En: "group %d's relay is waiting to try again: %s"}
	txtGotNothing    = i18n.Text{Ja: "%d 班には届いておらず、%d 班の中継にも試みの記録がありません",
		En: "nothing arrived at group %d, and group %d's relay has recorded no attempt"}
	txtGotBounced = i18n.Text{Ja: "%d 班の中継があきらめました: %s", En: "group %d's relay gave up: %s"}
)

// pageTexts are the words of the live page, sent to it as they are (its
// script looks them up by these keys).
var pageTexts = map[string]i18n.Text{
	"page-title":        {Ja: "maillab クラスの様子", En: "maillab class dashboard"},
	"page-grid":         {Ja: "課題の進み具合", En: "Exercises"},
	"page-group":        {Ja: "班", En: "group"},
	"page-cluster":      {Ja: "組", En: "cluster"},
	"page-total":        {Ja: "合計", En: "total"},
	"page-done-by":      {Ja: "できた班", En: "groups done"},
	"page-ext-total":    {Ja: "発展", En: "extensions"},
	"page-ext-title":    {Ja: "発展課題（任意。合計には入りません）", En: "an extension (optional; not in the total)"},
	"page-unreachable":  {Ja: "つながりません", En: "unreachable"},
	"page-sessions":     {Ja: "最近のセッション", En: "Latest sessions"},
	"page-no-sessions":  {Ja: "まだセッションはありません", En: "no session yet"},
	"page-flow":         {Ja: "メールの流れ（どの班からどの班へ）", En: "Mail flow (which group sent to which)"},
	"page-flow-from":    {Ja: "送った班 ＼ 受けた班", En: "from \\ to"},
	"page-flow-note":    {Ja: "数字は届いたメールの数で、かっこの中は受信者ののべ数です（キットのメールは数えません）。対角線は班の中のメールです。", En: "Numbers are messages delivered, recipients in brackets (the kit's own messages are not counted). The diagonal is mail within a group."},
	"page-flow-waiting": {Ja: "中継待ち", En: "waiting"},
	"page-flow-bounced": {Ja: "返送", En: "bounced"},
	"page-probes":       {Ja: "サーバの試験（--probe）", En: "Server probes (--probe)"},
	"page-expected":     {Ja: "期待", En: "expected"},
	"page-got":          {Ja: "実際", En: "got"},
	"page-live":         {Ja: "更新中", En: "live"},
	"page-offline":      {Ja: "lab grade --serve とつながっていません（再接続を試みています）", En: "not connected to lab grade --serve (trying again)"},
	"page-updated":      {Ja: "最終更新", En: "updated"},
	"page-from":         {Ja: "接続元", En: "from"},
	"page-from-group":   {Ja: "%d 班のマシン", En: "group %d's machine"},
	"page-from-other":   {Ja: "クラス外", En: "outside the classroom"},
	"page-user":         {Ja: "ユーザ", En: "user"},
	"page-lang":         {Ja: "English", En: "日本語"},
	"page-passed":       {Ja: "できた", En: "passed"},              // a label, not a sentence
	"page-not-passed":   {Ja: "まだ", En: "not yet"},              // a label, not a sentence
	"page-unknown":      {Ja: "確かめられない", En: "could not check"}, // a label, not a sentence

	// the projector view, the legend and the compact probe grid
	"page-view-projector": {Ja: "プロジェクタ表示", En: "projector view"},
	"page-view-full":      {Ja: "詳しい表示", En: "detailed view"},
	"page-legend":         {Ja: "記号の意味", En: "Legend"},
	"page-legend-passed":  {Ja: "できた", En: "passed"}, // a label, not a sentence
	"page-legend-not-passed": {Ja: "まだ（下に理由）", // a label, not a sentence
		En: "not yet (the reason below it)"},
	"page-legend-unknown": {Ja: "確かめられない（相手の班のサーバが読めない）", // a label, not a sentence
		En: "could not check (a partner group's server cannot be read)"},
	"page-legend-unreachable": {Ja: "その班のサーバが読めない（点数なし）", // a label, not a sentence
		En: "the group's server cannot be read (no score)"},
	"page-legend-fresh": {Ja: "いまできたところ", En: "just passed"},
	"page-legend-node":  {Ja: "班（色は組）", En: "a group (colour: its cluster)"},
	"page-legend-node-unreachable": {Ja: "読めない班",
		En: "a group that cannot be read"},
	"page-legend-within": {Ja: "組の中のメール（太い矢印）", En: "mail within a cluster (thick arrow)"},
	"page-legend-across": {Ja: "組をまたぐメール（細い矢印）", En: "mail across clusters (thin arrow)"},
	"page-legend-count": {Ja: "メール 2 通、受信者のべ 3 人",
		En: "2 messages, to 3 recipients in all"},
	"page-legend-self":    {Ja: "班の中のメール N 通", En: "N messages within the group"},
	"page-legend-waiting": {Ja: "中継待ち（相手のサーバに届いていない）", En: "waiting in the relay (not yet at the other server)"},
	"page-legend-bounced": {Ja: "返送された（中継をあきらめた）", En: "bounced (the relay gave up)"}, // a label, not a sentence
	"page-recent":         {Ja: "いまできた課題", En: "Just passed"},
	"page-recent-none":    {Ja: "（このページを開いてからはまだありません）", En: "(none since this page was opened)"},
	"page-cluster-n":      {Ja: "%s 組", En: "cluster %s"},
	"page-probe":          {Ja: "試験", En: "probe"},
	"page-probe-relay":    {Ja: "relay（同じ組の各班へ）", En: "relay (to each group of the cluster)"},
	"page-probe-failed":   {Ja: "うまくいかなかった試験", En: "Probes that failed"},
	"page-probe-none":     {Ja: "なし", En: "none"},
	"page-flow-counts":    {Ja: "メールの数（受信者ののべ数）", En: "messages (recipients)"},
	"page-flow-no-messages": {Ja: "この版のサーバはメールの数を出していないので、受信者ののべ数だけを示しています。",
		En: "This server does not give message counts, so the numbers are recipients."},
}

// inBoth is t formatted with args in both languages.
func inBoth(t i18n.Text, args ...any) i18n.Text {
	return i18n.Text{Ja: t.F(i18n.Ja, args...), En: t.F(i18n.En, args...)}
}
