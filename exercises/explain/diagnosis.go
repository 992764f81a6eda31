package explain

import "maillab/exercises/i18n"

// The diagnoses: the mistakes and events the kit explains to a student
// wherever it sees them — the live console as they happen, `lab check` when
// an exercise does not pass, `lab replay` afterwards — always with the same
// words. Each is a text to format with its arguments (d.F(lang, args...)).
var (
	// DiagRelayHost: 554 5.7.1 for another group's domain, because the
	// client is not on a classroom host. Args: recipient, client address,
	// the group's host (twice).
	DiagRelayHost = i18n.Text{
		Ja: "%s へは中継できません（554 5.7.1）。この接続は、クラスの班のホストからではありません（%s から）。ほかの班あてのメールは、自班のホストのアドレスからつないで送ります: telnet -b %s … か lab telnet --bind %s … を使ってください。",
		En: "the server does not relay to %s (554 5.7.1): this connection does not come from a classroom group's host (it comes from %s). Mail for another group is sent from your group's host address: use telnet -b %s … or lab telnet --bind %s ….",
	}
	// DiagRelayDomain: 554 5.7.1 for a domain outside the class. Args:
	// recipient, its domain.
	DiagRelayDomain = i18n.Text{
		Ja: "%s へは中継できません（554 5.7.1）。ドメイン %s はクラスのどの班のドメインでもありません。サーバはクラスの外へはメールを送りません（誰のメールでも中継する「開いた中継」にならないためです）。宛先のドメインを確かめてください。",
		En: "the server does not relay to %s (554 5.7.1): the domain %s is no classroom group's domain. The server sends no mail outside the class (so that it is never an open relay); check the recipient's domain.",
	}
	// DiagRelayEither: 554 5.7.1 for a reader that does not know the
	// classroom (lab replay without it). Args: recipient.
	DiagRelayEither = i18n.Text{
		Ja: "%s へは中継できません（554 5.7.1）。クラスの班のホストからの接続ではないか（ほかの班あてなら、telnet -b か lab telnet --bind で自班のホストのアドレスを指定してつなぎます）、宛先のドメインがクラスの外です。",
		En: "the server does not relay to %s (554 5.7.1): either the connection does not come from a classroom group's host (for another group, connect with telnet -b or lab telnet --bind and your group's host address), or the domain is outside the class.",
	}
	// DiagDeleNoQuit: DELE, then the connection dropped without QUIT.
	// Args: how many messages were marked.
	DiagDeleNoQuit = i18n.Text{
		Ja: "DELE で %d 通に削除の印を付けましたが、QUIT をせずに接続が切れました。何も削除されていません。DELE が効くのは QUIT のときだけです（RFC 1939 §6）。",
		En: "DELE marked %d message(s), but the connection closed without QUIT: nothing was deleted. DELE takes effect only at QUIT (RFC 1939 §6).",
	}
	// DiagTooFast: a session too fast to be typed by hand. It is the end of
	// a sentence whose subject the caller gives (DiagThisSession, or the
	// checker's own). Args: the median gap, the threshold.
	DiagTooFast = i18n.Text{
		Ja: "手で打ったにしては速すぎるため、課題には数えません（コマンドの間隔の中央値 %s、必要なのは %s 以上）。メールソフトや貼り付けは数えません。telnet で 1 行ずつ打ってください。",
		En: "went too fast to be typed by hand, so it does not count (a median of %s between commands; at least %s is needed). A mail program or a paste does not count: type the commands into telnet one at a time.",
	}
	// DiagThisSession is the subject the console and replay put before
	// DiagTooFast.
	DiagThisSession = i18n.Text{Ja: "このセッションは", En: "this session "}
	// DiagBcc: an envelope recipient in neither To nor Cc. Args: the
	// recipient.
	DiagBcc = i18n.Text{
		Ja: "%s はエンベロープの受信者ですが、To: にも Cc: にもありません。この人にとって、このメールは Bcc です。",
		En: "%s is an envelope recipient but in neither To: nor Cc:, so for them the message is a Bcc.",
	}
	// DiagWideSpace: a full-width (non-ASCII) space between the words of a
	// command.
	DiagWideSpace = i18n.Text{
		Ja: "単語の間に全角スペースなど ASCII 以外の空白が入っていました（日本語入力（IME）がオンのままだと全角スペースになります）。IME をオフにして、半角スペースで打ち直してください。",
		En: "a non-ASCII space (such as the full-width space a Japanese IME types) separated the words; switch the IME off and type an ordinary space.",
	}
	// DiagNoDot: the session closed inside DATA, before the lone ".".
	DiagNoDot = i18n.Text{
		Ja: "「.」だけの行でメッセージを終えないまま、接続が切れました。このメッセージは届いていません。DATA の後は、「.」だけの行を打つまでがメッセージです（その間に打った QUIT もメッセージの一部です）。",
		En: "the connection closed before the message was ended with a line holding only \".\", so it was not delivered. After DATA, everything up to that line is the message (a QUIT typed there too).",
	}
	// DiagTelnet: telnet sent one of its own commands (BRK, DO
	// TIMING-MARK …) in place of a byte of Japanese text. Args: the
	// command.
	DiagTelnet = i18n.Text{
		Ja: "telnet が、日本語の文字の 1 バイトの代わりに telnet のコマンド %s を送りました。サーバが答えたので画面は動き続けますが、その文字は崩れています。日本語をそのまま送るには、Ctrl-] を押して unset quit と打つか、~/.telnetrc に DEFAULT unset quit と書くか、lab telnet を使ってください。",
		En: "telnet sent its own command %s in place of a byte of your Japanese text; the server answered so your screen keeps working, but that character is broken. To send Japanese intact press Ctrl-] and type unset quit, or put DEFAULT unset quit in ~/.telnetrc, or use lab telnet.",
	}
	// DiagTLS: the session is now encrypted. Args: TLS version, cipher
	// suite.
	DiagTLS = i18n.Text{
		Ja: "このセッションはここから暗号化されています（%s、暗号スイート %s）。",
		En: "this session is now encrypted (%s, cipher %s).",
	}
	// DiagTLSFailed: a STLS/STARTTLS handshake failed. Args: the error.
	DiagTLSFailed = i18n.Text{
		Ja: "TLS のハンドシェイクに失敗し、接続が終わりました（%s）。",
		En: "the TLS handshake failed and the connection ended (%s).",
	}
	// DiagProbe: a session of the instructor's `lab grade --probe`.
	DiagProbe = i18n.Text{
		Ja: "先生の確認用の接続です（lab grade --probe）。課題には数えません。",
		En: "instructor's probe (lab grade --probe); it does not count toward any exercise.",
	}
	// DiagSubject: the Subject of an accepted message, decoded. Args: the
	// decoded text.
	DiagSubject = i18n.Text{Ja: "件名: %s", En: "subject: %s"}
	// DiagSubjectRaw: the same, with the raw form beside it. Args: the
	// decoded text, the raw field.
	DiagSubjectRaw = i18n.Text{
		Ja: "件名: %s（ヘッダに書かれているのは %s です。日本語はこのように符号化されて送られます）",
		En: "subject: %s (the header carries %s: this is how Japanese travels in a header)",
	}
)
