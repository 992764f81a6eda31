package main

import "maillab/exercises/i18n"

// The messages of the guided commands (exercises, show,
// hint, check, doctor), in both languages.
var (
	// flags and usage
	txtExercisesUsage = i18n.Text{Ja: "レッスンと課題の一覧（できたものに ✓、次にやるもの）", En: "list the lessons and exercises (✓ for those done, and which is next)"}
	txtShowUsage      = i18n.Text{Ja: "課題かレッスンの説明を表示します", En: "show an exercise or a lesson"}
	txtHintUsage      = i18n.Text{Ja: "課題のヒントを 1 段ずつ表示します（聞くたびに次の段）", En: "show an exercise's hints, one more each time"}
	txtCheckUsage     = i18n.Text{Ja: "課題ができたかを確かめます（終了コード 0: できた、1: まだ、2: 確かめられない）", En: "check whether exercises are done (exit 0: passed, 1: not yet, 2: could not check)"}
	txtDoctorUsage    = i18n.Text{Ja: "実験の環境を診断します（telnet、ポート、他の班のサーバ、時計）", En: "check the lab setup (telnet, ports, the other groups' servers, the clock)"}
	txtFlagJSON       = i18n.Text{Ja: "結果を JSON で出力します", En: "print the result as JSON"}
	txtFlagHandGap    = i18n.Text{Ja: "手で打ったと見なすコマンドの間隔（中央値）の下限。既定は $MAILLAB_HAND_GAP か 500ms",
		En: "the least median gap between commands of a session typed by hand; default $MAILLAB_HAND_GAP, else 500ms"}
	txtFlagGuideGroup = i18n.Text{Ja: "班の番号（データの置き場所に班が 1 つだけなら省略可）",
		En: "the group number (may be left out when the data root holds one group)"}
	txtBadHandGap = i18n.Text{Ja: "手で打つ間隔 %q が読めません（例: 500ms、1s、0s）", En: "cannot read the hand gap %q (e.g. 500ms, 1s, 0s)"}
	txtNeedID     = i18n.Text{Ja: "課題かレッスンの ID を 1 つ指定してください（lab exercises で一覧が見られます）",
		En: "give one exercise or lesson id (lab exercises lists them)"}
	txtNeedExerciseID = i18n.Text{Ja: "課題の ID を 1 つ指定してください（lab exercises で一覧が見られます）",
		En: "give one exercise id (lab exercises lists them)"}
	txtNoSuchID = i18n.Text{Ja: "%q という課題やレッスンはありません（lab exercises で一覧が見られます）",
		En: "no exercise or lesson %q (lab exercises lists them)"}
	txtNoSuchExercise = i18n.Text{Ja: "%q という課題はありません。課題は %s です",
		En: "no exercise %q; the exercises are %s"}

	// lab exercises
	txtExTitle      = i18n.Text{Ja: "maillab の課題 — %d 班（%s）", En: "maillab exercises — group %d (%s)"}
	txtExTitleNone  = i18n.Text{Ja: "maillab の課題", En: "maillab exercises"}
	txtExLessons    = i18n.Text{Ja: "まず読むもの", En: "Read first"}
	txtExExercises  = i18n.Text{Ja: "課題", En: "Exercises"}
	txtExExtensions = i18n.Text{Ja: "追加の課題（資料の先。6 つの課題とは別に数えます）", En: "Extensions (beyond the handout, counted apart from the six)"}
	txtExNextMark   = i18n.Text{Ja: "← 次はこれ", En: "← next"}
	txtExClassroom  = i18n.Text{Ja: "組の課題", En: "with your cluster"}
	txtParen        = i18n.Text{Ja: "（%s）", En: " (%s)"}
	txtListSep      = i18n.Text{Ja: "、", En: ", "}
	txtExTask       = i18n.Text{Ja: "資料の課題 %d", En: "handout task %d"}
	txtExDone       = i18n.Text{Ja: "%d / %d できています。", En: "%d of %d done."}
	txtExNext       = i18n.Text{Ja: "次: lab show %s   （ヒント: lab hint %s、確認: lab check %s）", En: "Next: lab show %s   (a hint: lab hint %s; check: lab check %s)"}
	txtExAllDone    = i18n.Text{Ja: "すべての課題ができました。おつかれさまでした！", En: "Every exercise is done. Well done!"}
	txtExNoGroup    = i18n.Text{Ja: "--group %s を付けると、できた課題に ✓ が付きます。", En: "With --group %s, the exercises done get a ✓."}
	txtExStartFirst = i18n.Text{Ja: "はじめに %s でサーバを動かし、lab show model から読みましょう。", En: "Start with %s, then read lab show model."}
	// what the texts say where a value is not known yet (never a placeholder)
	txtVarGroup      = i18n.Text{Ja: "自班の番号", En: "your group's number"}
	txtVarGroupArg   = i18n.Text{Ja: "自班の番号", En: "<your group's number>"}
	txtVarDomain     = i18n.Text{Ja: "自班のドメイン", En: "your group's domain"}
	txtVarHost       = i18n.Text{Ja: "自班のマシンのアドレス", En: "your machine's address"}
	txtVarPeer       = i18n.Text{Ja: "相手の班", En: "the other group"}
	txtVarPeerdomain = i18n.Text{Ja: "相手の班のドメイン", En: "the other group's domain"}
	txtVarPeerhost   = i18n.Text{Ja: "相手の班のマシンのアドレス", En: "the other group's address"}
	txtVarCluster    = i18n.Text{Ja: "クラスの設定ファイルで決まっている班どうし", En: "the groups the classroom file puts together"}
	// a legend of marks, not a sentence
	txtExLegend = i18n.Text{Ja: "✓ できた  ✗ まだ  ? 確かめられない（他の班のサーバにつながらない など）", En: "✓ done  ✗ not yet  ? could not check (another group's server not reachable, …)"}

	// lab show
	txtShowExerciseHead  = i18n.Text{Ja: "課題 %d / %d", En: "exercise %d of %d"}
	txtShowExtensionHead = i18n.Text{Ja: "追加の課題 %d / %d", En: "extension %d of %d"}
	txtShowLessonHead    = i18n.Text{Ja: "レッスン %d / %d", En: "lesson %d of %d"}
	txtShowGoal          = i18n.Text{Ja: "目標", En: "Goal"}
	txtShowSteps         = i18n.Text{Ja: "手順", En: "Steps"}
	txtShowSample        = i18n.Text{Ja: "やりとりの例", En: "A sample session"}
	txtShowSampleGroup   = i18n.Text{Ja: "例は %d 班の場合です。", En: " The example is group %d's."}
	txtShowHints         = i18n.Text{Ja: "困ったら: lab hint %s（ヒントは %d 段、聞くたびに 1 段ずつ）", En: "Stuck? lab hint %s (%d hints, one more each time you ask)"}
	txtShowCheck         = i18n.Text{Ja: "できたら: lab check %s", En: "Done? lab check %s"}
	txtShowNextLesson    = i18n.Text{Ja: "次: lab show %s", En: "Next: lab show %s"}
	txtShowToExercises   = i18n.Text{Ja: "次: lab exercises で課題の一覧を見ましょう。", En: "Next: lab exercises lists the exercises."}

	// lab hint
	txtHintHead    = i18n.Text{Ja: "ヒント %d / %d（%s）", En: "Hint %d of %d for %s"}
	txtHintNoGroup = i18n.Text{Ja: "（ヒントは %d 段あり、段ごとに詳しくなります。どの班か分からない（%[3]s に班のデータが 1 つだけではない）ので、1 段目だけを表示しました。lab hint %[2]s --group 自班の番号 で聞くと、聞くたびに次の段が出ます。データが別の場所にあるなら --data か MAILLAB_DATA、またはクラスの設定ファイルの data で指定してください）",
		En: "(there are %d hints, each more detailed than the last. The group is not known (%[3]s does not hold exactly one group's data), so this is the first one; lab hint %[2]s --group <your group's number> gives the next one each time you ask. If the data is elsewhere, point to it with --data, MAILLAB_DATA or the classroom file's data.)"}
	txtHintMore     = i18n.Text{Ja: "（もう一度 lab hint %s で次のヒント）", En: "(lab hint %s again for the next one)"}
	txtHintLast     = i18n.Text{Ja: "（これが最後のヒントです。lab show %s のやりとりの例も見てみましょう）", En: "(that was the last hint; see also the sample session in lab show %s)"}
	txtHintAllShown = i18n.Text{Ja: "（ヒントはこれで全部です）", En: "(there are no more hints)"}

	// the web API under lab start and lab up
	txtWebListenFailed = i18n.Text{Ja: "web API を %s で待ち受けられません（原因: %v）。別のサーバが動いていないか確かめてください。--web で変えられます",
		En: "cannot listen on %s for the web API: %v (is another server running? --web changes it)"}
	txtFlagWeb = i18n.Text{Ja: "読み取り専用の web API のアドレス（他の班の lab check が読みます。既定はクラスの設定ファイルの web）",
		En: "address of the read-only web API, which the other groups' lab check reads (default: the classroom file's web)"}

	// lab check
	txtCheckTitle   = i18n.Text{Ja: "%d 班の課題", En: "Group %d's exercises"}
	txtCheckSummary = i18n.Text{Ja: "%d / %d できています。", En: "%d of %d done."}
	txtCheckUnknown = i18n.Text{Ja: "確かめられなかった課題があります（終了コード 2）。", En: "Some exercises could not be checked (exit code 2)."}

	// lab doctor
	txtDoctorTitle         = i18n.Text{Ja: "lab doctor — %d 班（%s）", En: "lab doctor — group %d (%s)"}
	txtDoctorTitleNone     = i18n.Text{Ja: "lab doctor", En: "lab doctor"}
	txtDoctorToolOk        = i18n.Text{Ja: "%s があります（%s）", En: "%s is installed (%s)"}
	txtDoctorNoTelnet      = i18n.Text{Ja: "telnet がありません。sudo apt install telnet で入れるか、代わりに lab telnet を使ってください（例: lab telnet %s）。", En: "telnet is not installed: sudo apt install telnet, or use lab telnet instead (e.g. lab telnet %s)."}
	txtDoctorNoNc          = i18n.Text{Ja: "nc（netcat）がありません。なくても課題はできます（telnet か lab telnet を使います）。", En: "nc (netcat) is not installed; the exercises do not need it (telnet or lab telnet will do)."}
	txtDoctorNoMd5sum      = i18n.Text{Ja: "md5sum がありません。APOP のダイジェストは lab digest '<タイムスタンプ>' でも計算できます。", En: "md5sum is not installed; lab digest '<timestamp>' computes APOP digests too."}
	txtDoctorNoGroup       = i18n.Text{Ja: "--group %s を付けると、自班のサーバと他の班のサーバも調べます。", En: "With --group %s, your server and the other groups' are checked too."}
	txtDoctorData          = i18n.Text{Ja: "%d 班のデータ: %s（アカウント %d 個）", En: "group %d's data: %s (%d accounts)"}
	txtDoctorNoData        = i18n.Text{Ja: "%d 班のデータはまだこのマシンにありません（%s）。サーバを動かすマシンなら %s で作られます。別の場所にあるなら --data か MAILLAB_DATA、またはクラスの設定ファイルの data で指定してください。", En: "group %d's data is not on this machine yet (%s); on the server's machine, %s makes it. If it is elsewhere, point to it with --data, MAILLAB_DATA or the classroom file's data."}
	txtDoctorOwnRunning    = i18n.Text{Ja: "自班の %s サーバが %s で動いています", En: "your %s server is running on %s"}
	txtDoctorOwnFree       = i18n.Text{Ja: "%s（%s）はあいています。サーバはまだ動いていません: %s", En: "%s (%s) is free; the server is not running yet: %s"}
	txtDoctorOwnTaken      = i18n.Text{Ja: "%s（%s）を別のプログラムが使っています（%s）。それを止めるか、lab start に別のアドレスを指定してください。", En: "%s (%s) is taken by another program (%s): stop it, or give lab start another address."}
	txtDoctorOwnOtherGroup = i18n.Text{Ja: "%s（%s）で動いているのは %d 班のサーバです。--group が正しいか確かめてください。", En: "the server on %s (%s) is group %d's: is --group right?"}
	txtDoctorOwnCannot     = i18n.Text{Ja: "%s（%s）で待ち受けられません（原因: %v）。このマシンは %d 班のマシンですか？クラスの設定ファイルの host を確かめてください。", En: "cannot listen on %s (%s): %v. Is this group %d's machine? Check its host in the classroom file."}
	txtDoctorPeerOk        = i18n.Text{Ja: "%d 班のサーバにつながります（%s）", En: "group %d's server answers (%s)"}
	txtDoctorPeerDown      = i18n.Text{Ja: "%d 班の %s（%s）につながりません（原因: %v）。その班で lab start が動いているか、ファイアウォールがないか確かめてください。", En: "group %d's %s (%s) does not answer (%v): is lab start running there? Is a firewall in the way?"}
	txtDoctorPeerWrong     = i18n.Text{Ja: "%d 班の %s（%s）で答えたのは maillab ではありません（%s）。", En: "what answers at group %d's %s (%s) is not maillab (%s)."}
	txtDoctorClockOk       = i18n.Text{Ja: "時計は %d 班のサーバと合っています（差 %s）", En: "your clock agrees with group %d's server (%s apart)"}
	txtDoctorClockOff      = i18n.Text{Ja: "時計が %d 班のサーバと %s ずれています。時刻を合わせてください（例: sudo timedatectl set-ntp true）。", En: "your clock and group %d's server are %s apart: set the time (e.g. sudo timedatectl set-ntp true)."}
	txtDoctorClockWrong    = i18n.Text{Ja: "このマシンの時計は %s を指しています。時刻を合わせてください（例: sudo timedatectl set-ntp true）。", En: "this machine's clock says %s: set the time (e.g. sudo timedatectl set-ntp true)."}
	txtDoctorClockSane     = i18n.Text{Ja: "このマシンの時計は %s を指しています", En: "this machine's clock says %s"}
	txtDoctorNoProblems    = i18n.Text{Ja: "問題は見つかりませんでした。", En: "No problems found."}
	txtDoctorProblems      = i18n.Text{Ja: "問題が %d 件見つかりました。", En: "%d problem(s) found."}
	txtDoctorWebOff        = i18n.Text{Ja: "自班の web API（%s）は動いていません。他の班の lab check が自班の記録を読むのに使います（lab start の --web）。", En: "your web API (%s) is not running; the other groups' lab check reads your records through it (lab start's --web)."}
)
