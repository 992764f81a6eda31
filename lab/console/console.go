// Package console is the live feed of a group server for the students who
// run it: each session's client and server lines as the server sees them
// (secrets already masked in the journal), the APOP challenge of each POP3
// connection, and plain-language notes on what happened and what went
// wrong — in Japanese or English, never on the wire.
package console

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"

	"maillab/exercises/explain"
	"maillab/exercises/i18n"
	"maillab/server/classroom"
	"maillab/server/journal"
)

// Console writes journal events for people to read.
type Console struct {
	// ShowGroup prefixes every line with its group ("g3"), for `lab up`
	// where one console shows the whole class.
	ShowGroup bool
	// Classroom, when set, lets the console say why a relay was refused
	// (a client off the classroom's hosts, or a domain outside the class).
	Classroom *classroom.Classroom
	// HandGap is the by-hand threshold (checker.Options.HandGap): a
	// session whose median gap between commands is under it is told, when
	// it closes, that it does not count. Zero is the default, 500ms.
	HandGap time.Duration

	w    io.Writer
	lang i18n.Lang
	mu   sync.Mutex

	client, ok, bad, note, dim *color.Color

	x *Explainer

	hidden   map[string]*condensed // by session (see condense)
	buf      []byte                // an event's lines, reused
	clockSec int64                 // the second that clock shows
	clock    string                // "15:04:05"
}

// New returns a console writing to w. Colour is used only when color is
// true (a terminal, and NO_COLOR unset).
func New(w io.Writer, lang i18n.Lang, useColor bool) *Console {
	c := &Console{
		w: w, lang: lang,
		x:      NewExplainer(lang),
		hidden: map[string]*condensed{},
		client: color.New(color.FgCyan),
		ok:     color.New(color.FgGreen),
		bad:    color.New(color.FgRed),
		note:   color.New(color.FgYellow),
		dim:    color.New(color.Faint),
	}
	for _, col := range []*color.Color{c.client, c.ok, c.bad, c.note, c.dim} {
		if useColor {
			col.EnableColor()
		} else {
			col.DisableColor()
		}
	}
	return c
}

// Event writes one journal event. Subscribe it to a journal (Subscribe,
// never Observe): the console writes to a terminal or a pipe that may stop
// reading, and a subscriber's queue keeps that from ever slowing the
// servers; the console then says how many lines it left out.
func (c *Console) Event(raw journal.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.x.Classroom, c.x.HandGap = c.Classroom, c.HandGap
	e, notes, probe := c.x.explain(raw) // e: made printable
	var lines []string
	switch {
	case probe:
		for _, n := range notes {
			lines = append(lines, c.dim.Sprint(n))
		}
	case c.condense(e, notes):
		return
	default:
		if h := c.hidden[sessionKey(e)]; h != nil && h.cmd != nil && e.Kind == journal.Reply {
			// an error answers a command left out: show the command too
			lines = c.render(*h.cmd)
			h.cmd = nil
			h.n--
		}
		lines = append(lines, c.render(e)...)
		for _, n := range notes {
			lines = append(lines, c.note.Sprint("  → "+n))
		}
		if e.Kind == journal.Close {
			if h := c.hidden[sessionKey(e)]; h != nil && h.n > 0 {
				lines = append(lines, c.dim.Sprint(txtCondensedLines.F(c.lang, h.n)))
			}
			delete(c.hidden, sessionKey(e))
		}
	}
	if len(lines) == 0 {
		return
	}
	// one write for the event's lines (an Output gathers a batch's)
	prefix := c.dim.Sprint(c.prefix(e))
	c.buf = c.buf[:0]
	for _, l := range lines {
		c.buf = append(c.buf, prefix...)
		c.buf = append(c.buf, l...)
		c.buf = append(c.buf, '\n')
	}
	c.w.Write(c.buf)
	if cap(c.buf) > 64<<10 {
		c.buf = nil
	}
}

// prefix is what begins each line of an event: its time, group (for lab
// up) and session.
func (c *Console) prefix(e journal.Event) string {
	if sec := e.Time.Unix(); sec != c.clockSec || c.clock == "" {
		c.clockSec, c.clock = sec, e.Time.Local().Format("15:04:05")
	}
	prefix := c.clock + " "
	if c.ShowGroup && e.Group != 0 {
		prefix += "g" + strconv.Itoa(e.Group) + " "
	}
	if e.Session != "" {
		prefix += shortSession(e.Session) + " "
	}
	return prefix
}

// condense reports whether e is a routine line of a session going on at a
// program's pace (a mail client retrieving a hundred messages, a paste)
// past its first ProgramAfter commands — a command, a reply that is no
// error, a retrieval — with nothing to explain: such a line is counted,
// not shown, and the session's close says how many were left out (lab
// replay shows the session from the journal). The first one left out is
// announced. A person typing is never condensed, and errors and
// explanations always show.
func (c *Console) condense(e journal.Event, notes []string) bool {
	routine := e.Kind == journal.Command || e.Kind == journal.Retrieved ||
		(e.Kind == journal.Reply && !strings.HasPrefix(e.Code, "-") && !strings.HasPrefix(e.Code, "4") && !strings.HasPrefix(e.Code, "5"))
	if !routine || len(notes) > 0 || !c.x.AtProgramPace(e) {
		return false
	}
	key := sessionKey(e)
	h := c.hidden[key]
	if h == nil {
		if len(c.hidden) >= maxFollowed {
			clear(c.hidden) // sessions never closed; the counts are a courtesy
		}
		h = &condensed{}
		c.hidden[key] = h
		prefix := c.dim.Sprint(c.prefix(e))
		c.w.Write([]byte(prefix + c.note.Sprint(txtCondensed.In(c.lang)) + "\n"))
	}
	h.n++
	h.cmd = nil
	if e.Kind == journal.Command {
		h.cmd = &e // shown after all if its reply is an error
	}
	return true
}

// condensed is what the console keeps of a session it condenses.
type condensed struct {
	n   int            // lines left out
	cmd *journal.Event // the last command left out, until its reply
}

// Together returns one subscriber that hands each event to every one of
// fns in turn. The console and the guide write to the same terminal:
// subscribed together, on one queue, the guide's explanation of a reply
// always comes after the reply.
func Together(fns ...func(journal.Event)) func(journal.Event) {
	return func(e journal.Event) {
		for _, fn := range fns {
			fn(e)
		}
	}
}

// shortSession turns "pop3-smb3k2-17" into "pop3#17".
func shortSession(id string) string {
	proto, rest, _ := strings.Cut(id, "-")
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		return proto + "#" + rest[i+1:]
	}
	return id
}

func (c *Console) render(e journal.Event) []string {
	switch e.Kind {
	case journal.Start:
		return []string{c.ok.Sprint(txtStart.F(c.lang, e.Local))}
	case journal.Stop:
		return []string{c.note.Sprint(txtStop.In(c.lang))}
	case journal.Open:
		from := e.Remote
		if e.ClientGroup != 0 {
			return []string{c.dim.Sprint(txtOpenGroup.F(c.lang, from, e.ClientGroup))}
		}
		return []string{c.dim.Sprint(txtOpen.F(c.lang, from))}
	case journal.Close:
		if e.SkippedCmds > 0 {
			return []string{c.dim.Sprint(txtCloseSkipped.F(c.lang, journal.DefaultSessionCommands, e.SkippedCmds))}
		}
		return []string{c.dim.Sprint(txtClose.In(c.lang))}
	case journal.Note:
		switch e.Reason {
		case "flood-muted":
			return []string{c.bad.Sprint(txtFloodMuted.F(c.lang, e.Remote, e.Count, e.Millis/60000, e.Remote))}
		case "flood-unmuted":
			return []string{c.note.Sprint(txtFloodUnmuted.F(c.lang, e.Remote, e.Count, e.SkippedCmds))}
		}
		return nil
	case journal.Dropped:
		return []string{c.note.Sprint(txtDropped.F(c.lang, e.Count))}
	case journal.WriteFailed:
		if e.Result == journal.ResultOK {
			return []string{c.ok.Sprint(txtJournalOk.In(c.lang))}
		}
		return []string{c.bad.Sprint(txtJournalError.F(c.lang, e.Error))}
	case journal.Challenge:
		return []string{c.note.Sprint(txtChallenge.F(c.lang, e.Challenge, e.Challenge))}
	case journal.Command:
		return []string{c.client.Sprint("C: " + CommandLine(c.lang, e))}
	case journal.Reply:
		if strings.HasPrefix(e.Code, "-") || strings.HasPrefix(e.Code, "4") || strings.HasPrefix(e.Code, "5") {
			return []string{c.bad.Sprint("S: " + e.Line)}
		}
		return []string{c.ok.Sprint("S: " + e.Line)}
	case journal.Login:
		return c.login(e)
	case journal.Retrieved:
		return []string{c.note.Sprint(txtRetr.F(c.lang, e.User, e.Size))}
	case journal.Deleted:
		if e.Result == journal.ResultError {
			return []string{c.bad.Sprint(txtDeletedError.F(c.lang, e.Count, e.Error))}
		}
		return []string{c.note.Sprint(txtDeleted.F(c.lang, e.Count, e.User))}
	case journal.Data:
		if e.Reason == "bare-lf" {
			return []string{c.note.Sprint(txtBareLF.F(c.lang, e.Count))}
		}
		return nil
	case journal.Accepted:
		from := e.From
		if from == "" {
			from = "<>"
		}
		return []string{c.note.Sprint(txtAccepted.F(c.lang, e.ID, from, strings.Join(e.Rcpt, ", ")))}
	case journal.Delivered:
		if e.Result == journal.ResultError {
			return []string{c.bad.Sprint(txtDeliveredError.F(c.lang, e.User, e.Error))}
		}
		if e.Origin == journal.OriginWelcome {
			return []string{c.note.Sprint(txtWelcome.F(c.lang, e.User))}
		}
		return []string{c.note.Sprint(txtDelivered.F(c.lang, e.User))}
	case journal.Account:
		return []string{c.note.Sprint(txtAccount.F(c.lang, e.User))}
	case journal.Queued:
		return []string{c.note.Sprint(txtQueued.F(c.lang, e.ID, strings.Join(e.Rcpt, ", "), e.DestGroup))}
	case journal.Relayed:
		switch e.Result {
		case journal.ResultOK:
			return []string{c.ok.Sprint(txtRelayed.F(c.lang, e.ID, e.DestGroup, strings.Join(e.Rcpt, ", ")))}
		case journal.ResultDeferred:
			return []string{c.note.Sprint(txtRelayDeferred.F(c.lang, e.ID, e.DestGroup, e.Error))}
		default:
			return []string{c.bad.Sprint(txtRelayFailed.F(c.lang, e.ID, strings.Join(e.Rcpt, ", "), e.Error))}
		}
	case journal.Bounced:
		switch e.Result {
		case journal.ResultOK, "queued":
			return []string{c.note.Sprint(txtBounced.F(c.lang, e.From))}
		case journal.ResultError:
			return []string{c.bad.Sprint(txtBounceError.F(c.lang, e.From, e.Error))}
		}
		return []string{c.note.Sprint(txtBounceDropped.F(c.lang, e.Reason))}
	}
	return nil
}

func (c *Console) login(e journal.Event) []string {
	method := "USER/PASS"
	if e.Method == "apop" {
		method = "APOP"
	}
	switch e.Result {
	case journal.ResultOK:
		return []string{c.ok.Sprint(txtLoginOk.F(c.lang, e.User, method, e.Count, e.Size))}
	case journal.ResultInUse:
		return []string{c.bad.Sprint(txtLoginInUse.F(c.lang, e.User))}
	case journal.ResultError:
		return []string{c.bad.Sprint(txtLoginError.F(c.lang, e.User, e.Error))}
	}
	out := []string{c.bad.Sprint(txtLoginFail.F(c.lang, e.User, method))}
	if e.Reason == "other-group-user" && e.OtherGroup != 0 {
		out = append(out, c.note.Sprint("  → "+txtOtherGroupUser.F(c.lang, e.User, e.OtherGroup, e.OtherGroup)))
	} else if why, ok := explain.LoginFailure(e.Reason); ok {
		out = append(out, c.note.Sprint("  → "+why.In(c.lang)))
	}
	if e.Millis > 0 {
		out = append(out, c.note.Sprint("  → "+txtThrottled.F(c.lang, float64(e.Millis)/1000)))
	}
	return out
}

// The console's lines, in both languages: typed values, so that the
// compiler checks every use.
var (
	txtStart     = i18n.Text{Ja: "サーバが動き始めました (%s)", En: "the server is running (%s)"}
	txtStop      = i18n.Text{Ja: "サーバを止めました。受け付けたメールはすべてディスクにあります。", En: "the server has stopped; every message it accepted is on disk."}
	txtOpen      = i18n.Text{Ja: "── %s から接続 ──", En: "── connection from %s ──"}
	txtOpenGroup = i18n.Text{Ja: "── %s（%d 班のホスト）から接続 ──",
		En: "── connection from %s (group %d's host) ──"}
	txtClose = i18n.Text{Ja: "── 切断 ──", En: "── closed ──"}
	// condensed sessions (see condense)
	txtCondensed = i18n.Text{
		Ja: "  → プログラムの速さで続くセッションなので、ここからのコマンドと返事は数えるだけにします（誤りと説明は表示します。記録は lab replay で見られます）。",
		En: "  → this session goes on at a program's pace: its further commands and replies are counted, not shown (errors and explanations still are; lab replay shows its record).",
	}
	txtCondensedLines = i18n.Text{Ja: "（このセッションの %d 行は表示しませんでした）", En: "(%d lines of this session were not shown)"}
	txtCloseSkipped   = i18n.Text{Ja: "── 切断（最初の %d 個より後の %d 個のコマンドは記録せず、数だけ数えました）──",
		En: "── closed (after the first %d commands, %d more were counted, not recorded) ──"}
	txtDropped = i18n.Text{Ja: "（表示が追いつかなかったため、%d 件の表示を省略しました。記録はジャーナルに残っています）",
		En: "(the console fell behind: %d event(s) were not shown; the journal has them)"}
	txtJournalError = i18n.Text{Ja: "ジャーナルに書き込めません: %s。ディスクの空きを確かめてください。直るまで演習の記録が残りません。",
		En: "cannot write the journal: %s. Check the free disk space; until this is fixed, nothing is recorded for the exercises."}
	txtFloodMuted = i18n.Text{Ja: "%s からのセッションが %d 回、コマンドの送りすぎ（フラッド）で切断されました。これから %d 分間、%s からのコマンドは記録せず、数だけ数えます。",
		En: "sessions from %s were cut %d times for sending too many commands (a flood); for the next %d minutes the commands from %s are counted, not recorded."}
	txtFloodUnmuted = i18n.Text{Ja: "%s からのコマンドをまた記録します（その間の %d 回のセッションの %d 個のコマンドは、数だけ数えました）。",
		En: "commands from %s are recorded again (meanwhile, %d session(s) sent %d commands, counted, not recorded)."}
	txtJournalOk = i18n.Text{Ja: "ジャーナルにまた書き込めるようになりました。", En: "the journal is being written again."}
	txtChallenge = i18n.Text{Ja: "APOP チャレンジ: %s   ダイジェストは lab digest '%s' で計算できます",
		En: "APOP challenge: %s   compute the digest with: lab digest '%s'"}
	txtRetr         = i18n.Text{Ja: "%s が 1 通（%d オクテット）を取り出しました", En: "%s retrieved a message (%d octets)"}
	txtDeleted      = i18n.Text{Ja: "QUIT で %d 通を削除しました（%s）", En: "QUIT removed %d message(s) of %s"}
	txtDeletedError = i18n.Text{Ja: "%d 通の削除に失敗しました: %s", En: "could not remove %d message(s): %s"}
	txtBareLF       = i18n.Text{Ja: "このメッセージの %d 行は CR なしの LF だけで終わっていました（nc で送るとこうなります）。CRLF に直して保存しました。SMTP の行末は CRLF です。",
		En: "%d line(s) of this message ended in a bare LF without CR (nc sends them like that); they were stored with CRLF. SMTP lines end in CRLF."}
	txtAccepted       = i18n.Text{Ja: "メッセージ %s を受け付けました: エンベロープの送信者 %s、受信者 %s", En: "message %s accepted: envelope sender %s, recipients %s"}
	txtDelivered      = i18n.Text{Ja: "%s のメールボックスに配送しました", En: "delivered to %s's mailbox"}
	txtDeliveredError = i18n.Text{Ja: "%s のメールボックスへの配送に失敗しました: %s", En: "delivery to %s's mailbox failed: %s"}
	txtWelcome        = i18n.Text{Ja: "%s のメールボックスにようこそメールを入れました", En: "put a welcome message into %s's mailbox"}
	txtQueued         = i18n.Text{Ja: "メッセージ %s を中継キューに入れました: %s（%d 班のサーバへ）",
		En: "message %s queued for relay: %s (to group %d's server)"}
	txtRelayed = i18n.Text{Ja: "メッセージ %s を %d 班のサーバに渡しました: %s",
		En: "message %s handed to group %d's server: %s"}
	txtRelayDeferred = i18n.Text{Ja: "メッセージ %s はまだ %d 班に渡せません。あとでもう一度試します（%s）。lab queue で待っているメールが見られます。",
		En: "message %s could not be handed to group %d yet; it will be tried again (%s). lab queue shows what is waiting."}
	txtRelayFailed = i18n.Text{Ja: "メッセージ %s は %s に配送できませんでした: %s",
		En: "message %s could not be delivered to %s: %s"}
	txtBounced        = i18n.Text{Ja: "配送できなかったことを送信者 %s に知らせました（エラーメール）", En: "told the sender %s that it could not be delivered (a bounce)"}
	txtBounceError    = i18n.Text{Ja: "送信者 %s へのエラーメールを届けられません: %s", En: "could not deliver the bounce to the sender %s: %s"}
	txtBounceDropped  = i18n.Text{Ja: "エラーメールは送りませんでした（%s）", En: "no bounce was sent (%s)"}
	txtAccount        = i18n.Text{Ja: "アカウント %s を作りました", En: "account %s created"}
	txtLoginOk        = i18n.Text{Ja: "%s が %s でログインしました（%d 通、%d オクテット）", En: "%s logged in with %s (%d messages, %d octets)"}
	txtLoginInUse     = i18n.Text{Ja: "%s のメールボックスは別のセッションが使用中です（[IN-USE]）。前の telnet を quit してください。", En: "%s's maildrop is in use by another session ([IN-USE]); quit the other telnet first."}
	txtLoginError     = i18n.Text{Ja: "%s のログイン中に、サーバ側でエラーが起きました: %s", En: "server error while %s logged in: %s"}
	txtLoginFail      = i18n.Text{Ja: "%s の %s ログインに失敗しました", En: "%s's %s login failed"}
	txtOtherGroupUser = i18n.Text{Ja: "%s は %d 班のユーザです。%d 班のサーバにログインするか、この班のユーザでログインしてください。",
		En: "%s is a user of group %d: log in to group %d's server, or with a user of this group."}
	txtThrottled = i18n.Text{Ja: "失敗が続いたので、この名前（またはこのマシン）からのログインはあと %.1f 秒ほど受け付けません（パスワードの総当たりを防ぐため）。落ち着いてパスワードを確かめてから試してください。",
		En: "after too many failures, logins for this name (or from this machine) are refused for about %.1f s more (against password guessing); check the password carefully before the next try."}
)
