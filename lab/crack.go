package main

// lab crack: the offline dictionary attack of the apop-weakness exercise.
// It only ever searches a digest that one of the group's own test accounts
// (TestAccountPrefix) made: before any search it checks that
// md5(timestamp + password) of such an account is the digest given, so a
// real account's digest is refused and never searched.

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/server/account"
	"maillab/server/evidence"
	"maillab/server/group"
	"maillab/server/journal"
)

// testAccountPrefix begins the names of the test accounts whose APOP
// digests lab crack may search; lab crack --setup makes testAccount.
const (
	testAccountPrefix = "weak"
	testAccount       = "weak1"
)

func newCrackCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "crack",
		Usage:     txtCrackUsage.In(e.lang),
		UsageText: "lab crack --group N --timestamp '<…>' --digest HEX [--wordlist FILE]\n   lab crack --group N CAPTURE   (CAPTURE: lines copied from telnet, - for standard input)\n   lab crack --setup --group N",
		Flags: guideFlags(e,
			&cli.StringFlag{Name: "timestamp", Usage: txtCrackFlagTimestamp.In(e.lang)},
			&cli.StringFlag{Name: "digest", Usage: txtCrackFlagDigest.In(e.lang)},
			&cli.StringFlag{Name: "wordlist", Usage: txtCrackFlagWordlist.In(e.lang)},
			&cli.BoolFlag{Name: "setup", Usage: txtCrackFlagSetup.In(e.lang)},
		),
		Action: func(c *cli.Context) error {
			g, err := newGuide(e, c, true)
			if err != nil {
				return err
			}
			data, err := group.OpenData(g.root, g.group, domainIfClassroom(g))
			if err != nil {
				return err
			}
			if c.Bool("setup") {
				return runCrackSetup(e, data)
			}
			x := crackInput{timestamp: c.String("timestamp"), digest: c.String("digest")}
			switch {
			case c.NArg() > 1:
				return usageError{txtCrackOneCapture.In(e.lang)}
			case c.NArg() == 1:
				var r io.Reader = e.stdin
				if name := c.Args().First(); name != "-" {
					f, err := os.Open(name)
					if err != nil {
						return failure{err.Error()}
					}
					defer f.Close()
					r = f
				}
				if x, err = parseCapture(r); err != nil {
					return failure{txtCrackCaptureIncomplete.In(e.lang)}
				}
			case x.timestamp == "" || x.digest == "":
				return usageError{txtCrackNeedInput.In(e.lang)}
			}
			words := exercises.WordList()
			if path := c.String("wordlist"); path != "" {
				if words, err = readWordList(path); err != nil {
					return failure{err.Error()}
				}
			}
			return runCrack(e, data, x, words)
		},
	}
}

// crackInput is a recorded APOP exchange: the greeting's timestamp, the
// digest, and the user when the capture named one.
type crackInput struct {
	timestamp, digest, user string
}

var (
	captureTimestamp = regexp.MustCompile(`<[^<>\s@]+@[^<>\s]+>`)
	captureAPOP      = regexp.MustCompile(`(?i)\bapop\s+(\S+)\s+([0-9a-f]{32})\b`)
)

// parseCapture finds, in lines copied from a terminal (or tcpdump -A),
// the greeting's timestamp and the first APOP command after it.
func parseCapture(r io.Reader) (crackInput, error) {
	var x crackInput
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	for sc.Scan() {
		line := sc.Text()
		if m := captureAPOP.FindStringSubmatch(line); m != nil && x.timestamp != "" {
			x.user, x.digest = m[1], m[2]
			return x, nil
		}
		if ts := captureTimestamp.FindString(line); ts != "" {
			x.timestamp = ts
		}
	}
	return x, errors.New("no timestamp and APOP line")
}

func readWordList(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, nil
}

// runCrackSetup makes the group's test account with a weak password from
// the word list, and prints it (an existing one's password is printed
// again).
func runCrackSetup(e *env, data *group.Data) error {
	if a, err := data.Accounts.Lookup(testAccount); err == nil {
		fmt.Fprintln(e.stdout, txtCrackSetupExists.F(e.lang, testAccount, a.Password))
		return nil
	}
	words := exercises.WordList()
	var pw string
	for account.CheckPassword(pw) != nil {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
		if err != nil {
			return err
		}
		pw = words[n.Int64()]
	}
	j, err := journal.OpenFile(data.JournalPath(), data.Group)
	if err != nil {
		return err
	}
	err = data.AddUser(testAccount, pw, j)
	if cerr := j.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, txtCrackSetupMade.F(e.lang, testAccount, pw))
	return nil
}

// runCrack checks that a test account of the group made the digest, then
// searches the word list for its password.
func runCrack(e *env, data *group.Data, x crackInput, words []string) error {
	x.digest = strings.TrimSpace(x.digest)
	if len(x.digest) != 32 || strings.Trim(x.digest, "0123456789abcdef") != "" {
		return usageError{txtCrackBadDigest.In(e.lang)}
	}
	if x.user != "" && !strings.HasPrefix(account.Normalize(x.user), testAccountPrefix) {
		return failure{txtCrackRefuseUser.F(e.lang, x.user, data.Group, testAccountPrefix)}
	}
	accounts, err := data.Accounts.List()
	if err != nil {
		return err
	}
	user := ""
	for _, a := range accounts {
		if strings.HasPrefix(a.Name, testAccountPrefix) && a.Digest(x.timestamp) == x.digest {
			user = a.Name
			break
		}
	}
	if user == "" {
		return failure{txtCrackRefuseDigest.F(e.lang, data.Group, testAccountPrefix)}
	}
	start := time.Now()
	tries, found := 0, ""
	for _, w := range words {
		tries++
		if account.Digest(x.timestamp, w) == x.digest {
			found = w
			break
		}
	}
	took := time.Since(start)
	if found == "" {
		return failure{txtCrackNotFound.F(e.lang, user, tries, took.Round(time.Millisecond))}
	}
	if err := evidence.RecordCrack(data.Dir, data.Group, evidence.Crack{User: user, Time: time.Now()}); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, txtCrackFound.F(e.lang, user, found, tries, took.Round(time.Microsecond)))
	fmt.Fprintln(e.stdout, txtCrackLesson.In(e.lang))
	return nil
}

// The messages of lab crack, in both languages.
var (
	txtCrackUsage = i18n.Text{
		Ja: "記録した APOP のやりとり（タイムスタンプとダイジェスト）にオフラインの辞書攻撃をかけます（班のテスト用アカウントだけ）",
		En: "run an offline dictionary attack on a recorded APOP exchange (timestamp and digest; the group's test accounts only)",
	}
	txtCrackFlagTimestamp = i18n.Text{Ja: "サーバの挨拶にあったタイムスタンプ <…>", En: "the timestamp <…> of the server's greeting"}
	txtCrackFlagDigest    = i18n.Text{Ja: "APOP の行で送ったダイジェスト（16 進数 32 桁）", En: "the digest the APOP line sent (32 hex digits)"}
	txtCrackFlagWordlist  = i18n.Text{Ja: "使う単語リストのファイル（1 行に 1 つ。省略すると内蔵のもの）", En: "a word list file to use (one a line; the built-in one if left out)"}
	txtCrackFlagSetup     = i18n.Text{Ja: "弱いパスワードのテスト用アカウント weak1 を作り、パスワードを表示します", En: "make the test account weak1 with a weak password, and show it"}
	txtCrackOneCapture    = i18n.Text{Ja: "写し取ったファイルは 1 つだけ指定してください。", En: "Give one capture file only."}
	txtCrackNeedInput     = i18n.Text{
		Ja: "--timestamp と --digest を両方指定するか、telnet の画面から写した行のファイルを指定してください（- で標準入力）。",
		En: "Give both --timestamp and --digest, or a file of the lines copied from the telnet screen (- for standard input).",
	}
	txtCrackCaptureIncomplete = i18n.Text{
		Ja: "写した行の中に、タイムスタンプ <…> を含む挨拶の行と、そのあとの「apop ユーザ名 ダイジェスト」の行が見つかりません。",
		En: "The copied lines do not hold the greeting with its timestamp <…> followed by an \"apop USER DIGEST\" line.",
	}
	txtCrackBadDigest  = i18n.Text{Ja: "ダイジェストは小文字の 16 進数 32 桁です。", En: "A digest is 32 lower-case hex digits."}
	txtCrackRefuseUser = i18n.Text{
		Ja: "%s は %d 班のテスト用アカウント（%s で始まる名前）ではないので、調べません。lab crack が破るのは、この練習のために作ったテスト用アカウントのダイジェストだけです。",
		En: "%s is not a test account of group %d (a name starting with %s), so it is not searched: lab crack only breaks digests of the test accounts made for this exercise.",
	}
	txtCrackRefuseDigest = i18n.Text{
		Ja: "このダイジェストは %d 班のテスト用アカウント（%s で始まる名前）が作ったものではないので、調べません。本物のアカウントのダイジェストは決して調べません。lab crack --setup で作った weak1 でログインしたときの行を使ってください（タイムスタンプが欠けていても一致しません）。",
		En: "This digest was not made by a test account of group %d (a name starting with %s), so it is not searched: a real account's digest never is. Use the lines of a login as weak1, made by lab crack --setup (a timestamp cut short does not match either).",
	}
	txtCrackNotFound = i18n.Text{
		Ja: "%s のパスワードは単語リストにありませんでした（%d 語を %v で試しました）。",
		En: "The password of %s is not in the word list (%d words tried in %v).",
	}
	txtCrackFound = i18n.Text{
		Ja: "見つかりました: %s のパスワードは %q です（%d 語目、%v）。",
		En: "Found: the password of %s is %q (word %d tried, in %v).",
	}
	txtCrackLesson = i18n.Text{
		Ja: "APOP はリプレイを防ぎますが、回線で見たタイムスタンプとダイジェストからのオフラインの推測は防げません。TLS（STLS/STARTTLS）を使いましょう。",
		En: "APOP stops replay, not offline guessing from a timestamp and digest seen on the wire. Use TLS (STLS/STARTTLS).",
	}
	txtCrackSetupMade = i18n.Text{
		Ja: "テスト用アカウント %s を作りました。パスワードは %q です（単語リストにある弱いものです）。",
		En: "Made the test account %s. Its password is %q (a weak one, from the word list).",
	}
	txtCrackSetupExists = i18n.Text{
		Ja: "テスト用アカウント %s はもうあります。パスワードは %q です。",
		En: "The test account %s exists already. Its password is %q.",
	}
)
