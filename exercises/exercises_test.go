package exercises_test

import (
	"bufio"
	"context"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises"
	"maillab/exercises/i18n"
	"maillab/server/group"
)

func TestBook(t *testing.T) {
	t.Parallel()
	var ids []string
	for _, e := range exercises.All() {
		ids = append(ids, e.ID)
		if n := len(e.Hints); n < 2 || n > 4 {
			t.Errorf("%s has %d hints, want 2 to 4", e.ID, n)
		}
		got, ok := exercises.Lookup(e.ID)
		if !ok || got.Title != e.Title {
			t.Errorf("Lookup(%s) = %v, %v", e.ID, got.Title, ok)
		}
	}
	if diff := cmp.Diff(exercises.IDs(), ids); diff != "" {
		t.Errorf("exercise ids (-want +got):\n%s", diff)
	}
	// the spec's stable ids, whatever the order
	want := []string{"smtp-telnet", "pop3-telnet", "apop-telnet", "cross-send", "cross-apop", "envelope-bcc"}
	slices.Sort(want)
	slices.Sort(ids)
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("stable ids (-want +got):\n%s", diff)
	}
	var lessons []string
	for _, l := range exercises.Lessons() {
		lessons = append(lessons, l.ID)
	}
	if diff := cmp.Diff([]string{"model", "envelope"}, lessons); diff != "" {
		t.Errorf("lessons (-want +got):\n%s", diff)
	}
	if _, ok := exercises.Lookup("nope"); ok {
		t.Error("Lookup(nope) found something")
	}
	if _, ok := exercises.LookupLesson("envelope"); !ok {
		t.Error("LookupLesson(envelope) found nothing")
	}
	for _, e := range exercises.All() {
		if want := e.ID == exercises.CrossSend || e.ID == exercises.CrossAPOP; e.Classroom != want {
			t.Errorf("%s: Classroom = %v", e.ID, e.Classroom)
		}
	}
}

// A test fails if any text lacks a language.
func TestEveryTextInBothLanguages(t *testing.T) {
	t.Parallel()
	all := map[string]i18n.Text{}
	for _, e := range exercises.All() {
		for k, v := range e.Texts() {
			all[k] = v
		}
	}
	for _, l := range exercises.Lessons() {
		for k, v := range l.Texts() {
			all[k] = v
		}
	}
	if len(all) < 60 {
		t.Fatalf("only %d texts", len(all))
	}
	if bad := i18n.Missing(all); len(bad) > 0 {
		t.Errorf("texts missing a language: %v", bad)
	}
	// and the Japanese is Japanese, the English English
	kana := regexp.MustCompile(`[\p{Hiragana}\p{Katakana}]`)
	for name, tx := range all {
		if strings.HasSuffix(name, ".picture") {
			continue
		}
		if !kana.MatchString(tx.Ja) && !strings.HasSuffix(name, ".title") {
			t.Errorf("%s: the Japanese text has no kana: %q", name, tx.Ja)
		}
		if kana.MatchString(tx.En) {
			t.Errorf("%s: the English text has kana: %q", name, tx.En)
		}
	}
}

// Every line of the pictures and samples fits an 80-column terminal, wide
// (Japanese) characters counting two; the lines of a box are all as wide.
func TestPicturesFit(t *testing.T) {
	t.Parallel()
	check := func(name, s string, boxes bool) {
		boxWidth := -1
		for _, l := range strings.Split(s, "\n") {
			w := width(l)
			if w > 80 {
				t.Errorf("%s: %d columns: %q", name, w, l)
			}
			if boxes && (strings.HasSuffix(l, "|") || strings.HasSuffix(l, "+")) {
				if boxWidth >= 0 && w != boxWidth {
					t.Errorf("%s: box line of %d columns, others have %d: %q", name, w, boxWidth, l)
				}
				boxWidth = w
			}
		}
	}
	for _, l := range exercises.Lessons() {
		check(l.ID+".picture.ja", l.Picture.Ja, true)
		check(l.ID+".picture.en", l.Picture.En, true)
		check(l.ID+".body.ja", l.Body.Ja, false)
		check(l.ID+".body.en", l.Body.En, false)
	}
	for _, e := range exercises.All() {
		check(e.ID+".sample", e.Sample.Text, false)
	}
}

// width is the number of terminal columns s takes: East Asian wide and
// full-width characters take two.
func width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	good := func() fstest.MapFS {
		fs := fstest.MapFS{}
		for _, l := range []string{"model", "envelope"} {
			fs[l+".toml"] = &fstest.MapFile{Data: []byte(`kind = "lesson"
id = "` + l + `"
order = ` + map[string]string{"model": "1", "envelope": "2"}[l] + `
title = {ja = "題", en = "title"}
body = {ja = "本文", en = "body"}
picture = {ja = "+--+", en = "+--+"}
`)}
		}
		for i, id := range exercises.IDs() {
			fs[id+".toml"] = &fstest.MapFile{Data: []byte(exerciseFile(id, i+1, ""))}
		}
		return fs
	}
	if _, err := exercises.Load(good()); err != nil {
		t.Fatalf("good book: %v", err)
	}
	tests := []struct {
		name    string
		change  func(fstest.MapFS)
		wantErr string
	}{
		{"no English", func(fs fstest.MapFS) {
			fs["cross-apop.toml"].Data = []byte(strings.Replace(exerciseFile("cross-apop", 5, ""), `en = "goal"`, `en = ""`, 1))
		}, "cross-apop.goal: a language is missing"},
		{"no Japanese hint", func(fs fstest.MapFS) {
			fs["cross-apop.toml"].Data = []byte(exerciseFile("cross-apop", 5, "[[hints]]\nen = \"third\"\n"))
		}, "cross-apop.hints[3]: a language is missing"},
		{"unknown key", func(fs fstest.MapFS) {
			fs["pop3-telnet.toml"].Data = []byte(exerciseFile("pop3-telnet", 1, "hint = 3\n"))
		}, `pop3-telnet.toml: unknown key "hints.hint"`},
		{"id not the file name", func(fs fstest.MapFS) {
			fs["pop3-telnet.toml"].Data = []byte(exerciseFile("pop3", 1, ""))
		}, `id "pop3", want the file's name "pop3-telnet"`},
		{"one hint", func(fs fstest.MapFS) {
			fs["pop3-telnet.toml"].Data = []byte(strings.Replace(exerciseFile("pop3-telnet", 1, ""), "[[hints]]\nja = \"二\"\nen = \"second\"\n", "", 1))
		}, "pop3-telnet: 1 hints, want 2 to 4"},
		{"unknown placeholder", func(fs fstest.MapFS) {
			fs["pop3-telnet.toml"].Data = []byte(strings.Replace(exerciseFile("pop3-telnet", 1, ""), `en = "goal"`, `en = "telnet {pop} {pop3}"`, 1))
		}, "pop3-telnet.goal: unknown placeholder {pop}"},
		{"placeholder in a title", func(fs fstest.MapFS) {
			fs["pop3-telnet.toml"].Data = []byte(strings.Replace(exerciseFile("pop3-telnet", 1, ""), `en = "title"`, `en = "group {group}"`, 1))
		}, "pop3-telnet.title: a title may hold no placeholder"},
		{"an id missing", func(fs fstest.MapFS) { delete(fs, "envelope-bcc.toml") }, "the exercises are"},
		{"a gap in the order", func(fs fstest.MapFS) {
			fs["envelope-bcc.toml"].Data = []byte(exerciseFile("envelope-bcc", 9, ""))
		}, "envelope-bcc: order 9, want 6"},
		{"not TOML", func(fs fstest.MapFS) { fs["model.toml"].Data = []byte("kind = \n") }, "model.toml: toml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := good()
			tt.change(fs)
			_, err := exercises.Load(fs)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "exercises: ") {
				t.Errorf("Load: %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

func exerciseFile(id string, order int, extra string) string {
	return `kind = "exercise"
id = "` + id + `"
order = ` + string(rune('0'+order)) + `
title = {ja = "題", en = "title"}
goal = {ja = "目標", en = "goal"}
sample = {ja = "例", en = "sample", text = "$ telnet"}
[[steps]]
ja = "一"
en = "one"
[[hints]]
ja = "一"
en = "first"
[[hints]]
ja = "二"
en = "second"
` + extra
}

func TestExpand(t *testing.T) {
	t.Parallel()
	v := exercises.Vars{"pop3": "127.0.1.3 1110", "user": "yom"}
	got := v.Expand("telnet {pop3}; user {user}; {unknown} {not a placeholder}")
	if want := "telnet 127.0.1.3 1110; user yom; {unknown} {not a placeholder}"; got != want {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	tx := v.Text(i18n.Text{Ja: "{user} さん", En: "dear {user}"})
	if diff := cmp.Diff(i18n.Text{Ja: "yom さん", En: "dear yom"}, tx); diff != "" {
		t.Errorf("Text (-want +got):\n%s", diff)
	}
}

// Callers get copies: changing one does not change the book.
func TestAllReturnsCopies(t *testing.T) {
	t.Parallel()
	a := exercises.All()
	a[0].Hints[0] = i18n.Text{Ja: "x", En: "x"}
	a[0].Steps = nil
	b := exercises.All()
	if b[0].Hints[0].En == "x" || len(b[0].Steps) == 0 {
		t.Error("All returned the book's own slices")
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	done := map[string]bool{"pop3-telnet": true, "apop-telnet": true, "cross-send": true}
	e, ok := exercises.Next(func(id string) bool { return done[id] })
	if !ok || e.ID != "smtp-telnet" {
		t.Errorf("Next = %s, %v", e.ID, ok)
	}
	if _, ok := exercises.Next(func(string) bool { return true }); ok {
		t.Error("Next found one when all are done")
	}
}

// The SMTP samples are what the kit's server really says: each client line
// of the sample is sent to a real group server, and each server line of
// the sample must be what comes back (the queue id aside).
func TestSMTPSamplesMatchTheServer(t *testing.T) {
	t.Parallel()
	for _, id := range []string{exercises.SMTPTelnet, exercises.EnvelopeBcc} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			addr := startServer(t)
			host, port, _ := net.SplitHostPort(addr)
			e, _ := exercises.Lookup(id)
			v := exercises.Vars{"smtp": host + " " + port, "host": host, "domain": "g3.lab.test", "group": "3",
				"user": "yom", "user2": "hana", "user3": "taro"}
			replaySample(t, addr, v.Expand(e.Sample.Text))
		})
	}
}

var serverLine = regexp.MustCompile(`^[2-5][0-9][0-9][ -]`)
var queueID = regexp.MustCompile(`queued as [0-9A-F]+`)

func replaySample(t *testing.T, addr, sample string) {
	t.Helper()
	lines := strings.Split(sample, "\n")
	start := slices.Index(lines, "Escape character is '^]'.")
	end := slices.Index(lines, "Connection closed by foreign host.")
	if start < 0 || end < 0 {
		t.Fatalf("sample without telnet's lines:\n%s", sample)
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	for _, l := range lines[start+1 : end] {
		if !serverLine.MatchString(l) {
			if _, err := c.Write([]byte(l + "\r\n")); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("waiting for %q: %v", l, err)
		}
		got = queueID.ReplaceAllString(strings.TrimRight(got, "\r\n"), "queued as ID")
		if want := queueID.ReplaceAllString(l, "queued as ID"); got != want {
			t.Errorf("server said %q, the sample says %q", got, want)
		}
	}
}

// startServer runs group 3's server on loopback with yom, hana and taro,
// and returns its SMTP address.
func startServer(t *testing.T) string {
	t.Helper()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"yom", "hana", "taro"} {
		if err := data.AddUser(u, "secret-"+u, srv.Journal()); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv.SMTPAddr().String()
}
