package main

import "maillab/exercises/i18n"

// guideTexts are the messages of the guided commands (exercises, show,
// hint, check, doctor), in both languages.
var guideTexts = map[string]i18n.Text{
	// flags and usage
	"exercises-usage": {Ja: "レッスンと課題の一覧（できたものに ✓、次にやるもの）", En: "list the lessons and exercises (✓ for those done, and which is next)"},
	"show-usage":      {Ja: "課題かレッスンの説明を表示する", En: "show an exercise or a lesson"},
	"hint-usage":      {Ja: "課題のヒントを 1 段ずつ表示する（聞くたびに次の段）", En: "show an exercise's hints, one more each time"},
	"check-usage":     {Ja: "課題ができたかを確かめる（終了コード 0: できた、1: まだ、2: 確かめられない）", En: "check whether exercises are done (exit 0: passed, 1: not yet, 2: could not check)"},
	"doctor-usage":    {Ja: "実験の環境を診断する（telnet、ポート、他の班のサーバ、時計）", En: "check the lab setup (telnet, ports, the other groups' servers, the clock)"},
	"flag-json":       {Ja: "結果を JSON で出力する", En: "print the result as JSON"},
	"flag-hand-gap": {Ja: "手で打ったと見なすコマンドの間隔（中央値）の下限。既定は $MAILLAB_HAND_GAP か 500ms",
		En: "the least median gap between commands of a session typed by hand; default $MAILLAB_HAND_GAP, else 500ms"},
	"flag-guide-group": {Ja: "班の番号（データの置き場所に班が 1 つだけなら省略可）",
		En: "the group number (may be left out when the data root holds one group)"},
	"bad-hand-gap": {Ja: "手で打つ間隔 %q が読めません（例: 500ms、1s、0s）", En: "cannot read the hand gap %q (e.g. 500ms, 1s, 0s)"},
	"need-id": {Ja: "課題かレッスンの ID を 1 つ指定してください（lab exercises で一覧が見られます）",
		En: "give one exercise or lesson id (lab exercises lists them)"},
	"need-exercise-id": {Ja: "課題の ID を 1 つ指定してください（lab exercises で一覧が見られます）",
		En: "give one exercise id (lab exercises lists them)"},
	"no-such-id": {Ja: "%q という課題やレッスンはありません（lab exercises で一覧が見られます）",
		En: "no exercise or lesson %q (lab exercises lists them)"},
	"no-such-exercise": {Ja: "%q という課題はありません。課題は %s です",
		En: "no exercise %q; the exercises are %s"},

	// lab exercises
	"ex-title":       {Ja: "maillab の課題 — %d 班（%s）", En: "maillab exercises — group %d (%s)"},
	"ex-title-none":  {Ja: "maillab の課題", En: "maillab exercises"},
	"ex-lessons":     {Ja: "まず読むもの", En: "Read first"},
	"ex-exercises":   {Ja: "課題", En: "Exercises"},
	"ex-next-mark":   {Ja: "← 次はこれ", En: "← next"},
	"ex-classroom":   {Ja: "組で行う", En: "with your cluster"},
	"paren":          {Ja: "（%s）", En: " (%s)"},
	"list-sep":       {Ja: "、", En: ", "},
	"ex-task":        {Ja: "資料の課題 %d", En: "handout task %d"},
	"ex-done":        {Ja: "%d / %d できています。", En: "%d of %d done."},
	"ex-next":        {Ja: "次: lab show %s   （ヒント: lab hint %s、確認: lab check %s）", En: "Next: lab show %s   (a hint: lab hint %s; check: lab check %s)"},
	"ex-all-done":    {Ja: "すべての課題ができました。おつかれさまでした！", En: "Every exercise is done. Well done!"},
	"ex-no-group":    {Ja: "--group N を付けると、できた課題に ✓ が付きます。", En: "With --group N, the exercises done get a ✓."},
	"ex-start-first": {Ja: "はじめに %s でサーバを動かし、lab show model から読みましょう。", En: "Start with %s, then read lab show model."},
	// what the texts say where a value is not known yet (never a placeholder)
	"var-group":      {Ja: "自班の番号", En: "your group's number"},
	"var-group-arg":  {Ja: "自班の番号", En: "<your group's number>"},
	"var-domain":     {Ja: "自班のドメイン", En: "your group's domain"},
	"var-host":       {Ja: "自班のマシンのアドレス", En: "your machine's address"},
	"var-peer":       {Ja: "相手の班", En: "the other group"},
	"var-peerdomain": {Ja: "相手の班のドメイン", En: "the other group's domain"},
	"var-peerhost":   {Ja: "相手の班のマシンのアドレス", En: "the other group's address"},
	"var-cluster":    {Ja: "クラスの設定ファイルで決まっている班どうし", En: "the groups the classroom file puts together"},
	"ex-legend":      {Ja: "✓ できた  ✗ まだ  ? 確かめられない（他の班のサーバにつながらない など）", En: "✓ done  ✗ not yet  ? could not check (another group's server not reachable, …)"},

	// lab show
	"show-exercise-head": {Ja: "課題 %d / %d", En: "exercise %d of %d"},
	"show-lesson-head":   {Ja: "レッスン %d / %d", En: "lesson %d of %d"},
	"show-goal":          {Ja: "目標", En: "Goal"},
	"show-steps":         {Ja: "手順", En: "Steps"},
	"show-sample":        {Ja: "やりとりの例", En: "A sample session"},
	"show-hints":         {Ja: "困ったら: lab hint %s（ヒントは %d 段、聞くたびに 1 段ずつ）", En: "Stuck? lab hint %s (%d hints, one more each time you ask)"},
	"show-check":         {Ja: "できたら: lab check %s", En: "Done? lab check %s"},
	"show-next-lesson":   {Ja: "次: lab show %s", En: "Next: lab show %s"},
	"show-to-exercises":  {Ja: "次: lab exercises で課題の一覧を見ましょう。", En: "Next: lab exercises lists the exercises."},

	// lab hint
	"hint-head":      {Ja: "ヒント %d / %d（%s）", En: "Hint %d of %d for %s"},
	"hint-more":      {Ja: "（もう一度 lab hint %s で次のヒント）", En: "(lab hint %s again for the next one)"},
	"hint-last":      {Ja: "（これが最後のヒントです。lab show %s のやりとりの例も見てみましょう）", En: "(that was the last hint; see also the sample session in lab show %s)"},
	"hint-all-shown": {Ja: "（ヒントはこれで全部です）", En: "(there are no more hints)"},

	// the web API under lab start and lab up
	"web-listen-failed": {Ja: "web API を %s で待ち受けられません: %v（別のサーバが動いていませんか。--web で変えられます）",
		En: "cannot listen on %s for the web API: %v (is another server running? --web changes it)"},
	"flag-web": {Ja: "読み取り専用の web API のアドレス（他の班の lab check が読む。既定はクラスの設定ファイルの web）",
		En: "address of the read-only web API, which the other groups' lab check reads (default: the classroom file's web)"},

	// lab check
	"check-title":   {Ja: "%d 班の課題", En: "Group %d's exercises"},
	"check-summary": {Ja: "%d / %d できています。", En: "%d of %d done."},
	"check-unknown": {Ja: "確かめられなかった課題があります（終了コード 2）。", En: "Some exercises could not be checked (exit code 2)."},

	// lab doctor
	"doctor-title":           {Ja: "lab doctor — %d 班（%s）", En: "lab doctor — group %d (%s)"},
	"doctor-title-none":      {Ja: "lab doctor", En: "lab doctor"},
	"doctor-tool-ok":         {Ja: "%s があります（%s）", En: "%s is installed (%s)"},
	"doctor-no-telnet":       {Ja: "telnet がありません。sudo apt install telnet で入れるか、代わりに lab telnet HOST PORT を使ってください。", En: "telnet is not installed: sudo apt install telnet, or use lab telnet HOST PORT instead."},
	"doctor-no-nc":           {Ja: "nc（netcat）がありません。なくても課題はできます（telnet か lab telnet を使います）。", En: "nc (netcat) is not installed; the exercises do not need it (telnet or lab telnet will do)."},
	"doctor-no-md5sum":       {Ja: "md5sum がありません。APOP のダイジェストは lab digest '<タイムスタンプ>' でも計算できます。", En: "md5sum is not installed; lab digest '<timestamp>' computes APOP digests too."},
	"doctor-no-group":        {Ja: "--group N を付けると、自班のサーバと他の班のサーバも調べます。", En: "With --group N, your server and the other groups' are checked too."},
	"doctor-data":            {Ja: "%d 班のデータ: %s（アカウント %d 個）", En: "group %d's data: %s (%d accounts)"},
	"doctor-no-data":         {Ja: "%d 班のデータはまだこのマシンにありません（%s）。サーバを動かすマシンなら %s で作られます。別の場所にあるなら --data か MAILLAB_DATA、またはクラスの設定ファイルの data で指定してください。", En: "group %d's data is not on this machine yet (%s); on the server's machine, %s makes it. If it is elsewhere, point to it with --data, MAILLAB_DATA or the classroom file's data."},
	"doctor-own-running":     {Ja: "自班の %s サーバが %s で動いています", En: "your %s server is running on %s"},
	"doctor-own-free":        {Ja: "%s（%s）はあいています。サーバはまだ動いていません: %s", En: "%s (%s) is free; the server is not running yet: %s"},
	"doctor-own-taken":       {Ja: "%s（%s）を別のプログラムが使っています（%s）。それを止めるか、lab start に別のアドレスを指定してください。", En: "%s (%s) is taken by another program (%s): stop it, or give lab start another address."},
	"doctor-own-other-group": {Ja: "%s（%s）で動いているのは %d 班のサーバです。--group が正しいか確かめてください。", En: "the server on %s (%s) is group %d's: is --group right?"},
	"doctor-own-cannot":      {Ja: "%s（%s）で待ち受けられません（%v）。このマシンは %d 班のマシンですか？クラスの設定ファイルの host を確かめてください。", En: "cannot listen on %s (%s): %v. Is this group %d's machine? Check its host in the classroom file."},
	"doctor-peer-ok":         {Ja: "%d 班のサーバにつながります（%s）", En: "group %d's server answers (%s)"},
	"doctor-peer-down":       {Ja: "%d 班の %s（%s）につながりません（%v）。その班で lab start が動いているか、ファイアウォールがないか確かめてください。", En: "group %d's %s (%s) does not answer (%v): is lab start running there? Is a firewall in the way?"},
	"doctor-peer-wrong":      {Ja: "%d 班の %s（%s）で答えたのは maillab ではありません（%s）。", En: "what answers at group %d's %s (%s) is not maillab (%s)."},
	"doctor-clock-ok":        {Ja: "時計は %d 班のサーバと合っています（差 %s）", En: "your clock agrees with group %d's server (%s apart)"},
	"doctor-clock-off":       {Ja: "時計が %d 班のサーバと %s ずれています。時刻を合わせてください（例: sudo timedatectl set-ntp true）。", En: "your clock and group %d's server are %s apart: set the time (e.g. sudo timedatectl set-ntp true)."},
	"doctor-clock-wrong":     {Ja: "このマシンの時計は %s を指しています。時刻を合わせてください（例: sudo timedatectl set-ntp true）。", En: "this machine's clock says %s: set the time (e.g. sudo timedatectl set-ntp true)."},
	"doctor-clock-sane":      {Ja: "このマシンの時計は %s を指しています", En: "this machine's clock says %s"},
	"doctor-no-problems":     {Ja: "問題は見つかりませんでした。", En: "No problems found."},
	"doctor-problems":        {Ja: "問題が %d 件見つかりました。", En: "%d problem(s) found."},
	"doctor-web-off":         {Ja: "自班の web API（%s）は動いていません。他の班の lab check が自班の記録を読むのに使います（lab start の --web）。", En: "your web API (%s) is not running; the other groups' lab check reads your records through it (lab start's --web)."},
}
