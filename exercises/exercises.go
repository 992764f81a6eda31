// Package exercises holds the guided part of the lab as data: two short
// lessons (the Internet mail model; the envelope and the contents) and the
// six exercises, each with its stable id, title, goal, steps, a sample
// session and hints from a nudge to almost the answer — every text in
// Japanese and English.
//
// The texts live in data/*.toml, one file per lesson or exercise, embedded
// in the binary. They may hold placeholders such as {pop3} or {user} that
// Vars.Expand fills in with a group's own values (Placeholders lists them);
// titles hold none, so that they read the same everywhere.
//
// The exercise ids are a stable interface (graders and course pages use
// them): pop3-telnet, apop-telnet, smtp-telnet, cross-send, cross-apop,
// envelope-bcc. Beyond the handout come the optional extension exercises
// (files of kind "extension"), kept apart from those six: tls-telnet and
// apop-weakness (ExtensionIDs), with lab crack's word list beside them.
package exercises

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"maillab/exercises/i18n"
)

// The stable exercise ids.
const (
	POP3Telnet  = "pop3-telnet"
	APOPTelnet  = "apop-telnet"
	SMTPTelnet  = "smtp-telnet"
	CrossSend   = "cross-send"
	CrossAPOP   = "cross-apop"
	EnvelopeBcc = "envelope-bcc"
)

// IDs returns the exercise ids in the order students do them.
func IDs() []string {
	return []string{POP3Telnet, APOPTelnet, SMTPTelnet, CrossSend, CrossAPOP, EnvelopeBcc}
}

// The extension exercise ids: beyond the handout, optional, graded apart
// from the six of IDs (stable too).
const (
	TLSTelnet    = "tls-telnet"
	APOPWeakness = "apop-weakness"
)

// ExtensionIDs returns the extension exercise ids in order. They are never
// among IDs: the six core exercises stay the handout's.
func ExtensionIDs() []string { return []string{TLSTelnet, APOPWeakness} }

// Extensions returns the extension exercises in order.
func Extensions() []Exercise {
	b := book()
	out := make([]Exercise, len(b.Extensions))
	for i, e := range b.Extensions {
		out[i] = e.clone()
	}
	return out
}

// Exercise is one exercise of the lab.
type Exercise struct {
	ID    string
	Order int // 1, 2, … in the order students do them
	// Task is the task of the original handout the exercise belongs to
	// (1 to 3), or 0 for an exercise the kit adds.
	Task int
	// Classroom says the exercise is done between groups of one cluster,
	// so that it needs the classroom file.
	Classroom bool
	Title     i18n.Text
	Goal      i18n.Text
	Steps     []i18n.Text
	Sample    Sample
	// Hints go from a nudge to almost the answer; `lab hint` shows the
	// next one each time it is asked.
	Hints []i18n.Text
}

// Sample is a model session: what the screen shows when the exercise is
// done. Protocol lines are the same in every language, so Text is one;
// Note says what it is.
type Sample struct {
	Note i18n.Text
	Text string
}

// Lesson is a short reading before the exercises.
type Lesson struct {
	ID      string
	Order   int
	Title   i18n.Text
	Body    i18n.Text
	Picture i18n.Text // drawn with ASCII, aligned for a fixed-width font
}

// Book is a loaded, checked set of lessons and exercises.
type Book struct {
	Lessons   []Lesson
	Exercises []Exercise
	// Extensions are the optional exercises beyond the handout (files of
	// kind "extension"), in order.
	Extensions []Exercise
}

//go:embed data/*.toml
var files embed.FS

// embedded is the book of the embedded files, loaded once.
var embedded = sync.OnceValues(func() (*Book, error) {
	sub, err := fs.Sub(files, "data")
	if err != nil {
		return nil, err
	}
	return Load(sub)
})

// book returns the embedded book. The files are checked by the package's
// tests, so an error here is a broken build.
func book() *Book {
	b, err := embedded()
	if err != nil {
		panic(err)
	}
	return b
}

// All returns the exercises in order.
func All() []Exercise {
	b := book()
	out := make([]Exercise, len(b.Exercises))
	for i, e := range b.Exercises {
		out[i] = e.clone()
	}
	return out
}

// Lessons returns the lessons in order.
func Lessons() []Lesson {
	return slices.Clone(book().Lessons)
}

// Lookup returns the exercise with the id.
func Lookup(id string) (Exercise, bool) {
	for _, e := range book().Exercises {
		if e.ID == id {
			return e.clone(), true
		}
	}
	for _, e := range book().Extensions {
		if e.ID == id {
			return e.clone(), true
		}
	}
	return Exercise{}, false
}

// LookupLesson returns the lesson with the id.
func LookupLesson(id string) (Lesson, bool) {
	for _, l := range book().Lessons {
		if l.ID == id {
			return l, true
		}
	}
	return Lesson{}, false
}

// Next returns the first exercise, in order, that done does not report as
// done; false when every one is.
func Next(done func(id string) bool) (Exercise, bool) {
	for _, e := range book().Exercises {
		if !done(e.ID) {
			return e.clone(), true
		}
	}
	return Exercise{}, false
}

func (e Exercise) clone() Exercise {
	e.Steps = slices.Clone(e.Steps)
	e.Hints = slices.Clone(e.Hints)
	return e
}

// Texts returns every text of the exercise by a name for messages, such as
// "pop3-telnet.hints[2]"; tests give it to i18n.Missing.
func (e Exercise) Texts() map[string]i18n.Text {
	m := map[string]i18n.Text{
		e.ID + ".title":       e.Title,
		e.ID + ".goal":        e.Goal,
		e.ID + ".sample.note": e.Sample.Note,
	}
	for i, s := range e.Steps {
		m[fmt.Sprintf("%s.steps[%d]", e.ID, i+1)] = s
	}
	for i, h := range e.Hints {
		m[fmt.Sprintf("%s.hints[%d]", e.ID, i+1)] = h
	}
	return m
}

// Texts returns every text of the lesson by a name for messages.
func (l Lesson) Texts() map[string]i18n.Text {
	return map[string]i18n.Text{
		l.ID + ".title":   l.Title,
		l.ID + ".body":    l.Body,
		l.ID + ".picture": l.Picture,
	}
}

// The files' shapes. Every text is a table with ja and en.
type (
	text struct {
		Ja string `toml:"ja"`
		En string `toml:"en"`
	}
	sampleFile struct {
		Ja   string `toml:"ja"`
		En   string `toml:"en"`
		Text string `toml:"text"`
	}
	file struct {
		Kind      string     `toml:"kind"` // "lesson" or "exercise"
		ID        string     `toml:"id"`
		Order     int        `toml:"order"`
		Task      int        `toml:"task"`
		Classroom bool       `toml:"classroom"`
		Title     text       `toml:"title"`
		Goal      text       `toml:"goal"`
		Body      text       `toml:"body"`
		Picture   text       `toml:"picture"`
		Steps     []text     `toml:"steps"`
		Sample    sampleFile `toml:"sample"`
		Hints     []text     `toml:"hints"`
	}
)

func (t text) i18n() i18n.Text { return i18n.Text{Ja: trim(t.Ja), En: trim(t.En)} }

// trim drops the newline a TOML multi-line string begins or ends with,
// and the spaces at the ends of lines.
func trim(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// Load reads and checks a book from the .toml files of fsys: one file per
// lesson or exercise, named after its id. It is exported for tests and for
// instructors who try new texts; the kit uses the embedded book.
func Load(fsys fs.FS) (*Book, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("exercises: %w", err)
	}
	var b Book
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("exercises: %w", err)
		}
		var f file
		md, err := toml.NewDecoder(bytes.NewReader(raw)).Decode(&f)
		if err != nil {
			return nil, fmt.Errorf("exercises: %s: %w", name, err)
		}
		if keys := md.Undecoded(); len(keys) > 0 {
			return nil, fmt.Errorf("exercises: %s: unknown key %q", name, keys[0].String())
		}
		if want := strings.TrimSuffix(path.Base(name), ".toml"); f.ID != want {
			return nil, fmt.Errorf("exercises: %s: id %q, want the file's name %q", name, f.ID, want)
		}
		switch f.Kind {
		case "lesson":
			b.Lessons = append(b.Lessons, Lesson{
				ID: f.ID, Order: f.Order, Title: f.Title.i18n(), Body: f.Body.i18n(), Picture: f.Picture.i18n(),
			})
		case "exercise", "extension":
			e := Exercise{
				ID: f.ID, Order: f.Order, Task: f.Task, Classroom: f.Classroom,
				Title: f.Title.i18n(), Goal: f.Goal.i18n(),
				Sample: Sample{Note: i18n.Text{Ja: trim(f.Sample.Ja), En: trim(f.Sample.En)}, Text: trim(f.Sample.Text)},
			}
			for _, s := range f.Steps {
				e.Steps = append(e.Steps, s.i18n())
			}
			for _, h := range f.Hints {
				e.Hints = append(e.Hints, h.i18n())
			}
			if f.Kind == "extension" {
				b.Extensions = append(b.Extensions, e)
			} else {
				b.Exercises = append(b.Exercises, e)
			}
		default:
			return nil, fmt.Errorf("exercises: %s: kind %q, want \"lesson\", \"exercise\" or \"extension\"", name, f.Kind)
		}
	}
	sort.Slice(b.Lessons, func(i, j int) bool { return b.Lessons[i].Order < b.Lessons[j].Order })
	sort.Slice(b.Exercises, func(i, j int) bool { return b.Exercises[i].Order < b.Exercises[j].Order })
	sort.Slice(b.Extensions, func(i, j int) bool { return b.Extensions[i].Order < b.Extensions[j].Order })
	if err := b.check(); err != nil {
		return nil, err
	}
	return &b, nil
}

// check enforces what the rest of the kit relies on.
func (b *Book) check() error {
	if err := checkExercises(b.Exercises, IDs()); err != nil {
		return err
	}
	if len(b.Extensions) > 0 {
		if err := checkExercises(b.Extensions, ExtensionIDs()); err != nil {
			return err
		}
	}
	for i, l := range b.Lessons {
		if l.Order != i+1 {
			return fmt.Errorf("exercises: lesson %s: order %d, want %d", l.ID, l.Order, i+1)
		}
		if err := checkTexts(l.Texts()); err != nil {
			return err
		}
	}
	if len(b.Lessons) == 0 {
		return fmt.Errorf("exercises: no lessons")
	}
	return nil
}

// checkExercises checks a list of exercises (the core ones, or the
// extensions) against the ids it must hold, in order.
func checkExercises(list []Exercise, want []string) error {
	var ids []string
	for i, e := range list {
		ids = append(ids, e.ID)
		if e.Order != i+1 {
			return fmt.Errorf("exercises: %s: order %d, want %d (orders are 1, 2, … without gaps)", e.ID, e.Order, i+1)
		}
		if n := len(e.Hints); n < 2 || n > 4 {
			return fmt.Errorf("exercises: %s: %d hints, want 2 to 4", e.ID, n)
		}
		if len(e.Steps) == 0 {
			return fmt.Errorf("exercises: %s: no steps", e.ID)
		}
		if e.Sample.Text == "" {
			return fmt.Errorf("exercises: %s: no sample session", e.ID)
		}
		if err := checkTexts(e.Texts()); err != nil {
			return err
		}
		if err := checkPlaceholders(e.ID, e.Sample.Text); err != nil {
			return err
		}
	}
	if !slices.Equal(ids, want) {
		return fmt.Errorf("exercises: the exercises are %v, want %v", ids, want)
	}
	return nil
}

func checkTexts(m map[string]i18n.Text) error {
	if bad := i18n.Missing(m); len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("exercises: %s: a language is missing", strings.Join(bad, ", "))
	}
	for name, t := range m {
		for _, s := range []string{t.Ja, t.En} {
			if strings.HasSuffix(name, ".title") && placeholder.MatchString(s) {
				return fmt.Errorf("exercises: %s: a title may hold no placeholder", name)
			}
			if err := checkPlaceholders(name, s); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkPlaceholders(name, s string) error {
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(Placeholders(), m[1]) {
			return fmt.Errorf("exercises: %s: unknown placeholder {%s}", name, m[1])
		}
	}
	return nil
}

// placeholder is a {name} in a text.
var placeholder = regexp.MustCompile(`\{([a-z0-9]+)\}`)

// Placeholders returns the names texts may use in braces:
//
//	group, domain, host        the group's number, mail domain, machine
//	smtp, pop3                 "HOST PORT" of its servers, as telnet takes them
//	smtpport, pop3port         the ports alone
//	user, user2, user3         three of its accounts (yom, hana, taro)
//	peer, peerdomain, peerhost another group of its cluster
//	peersmtp, peerpop3         "HOST PORT" of that group's servers
//	cluster                    the groups of its cluster, e.g. "1, 2, 3"
//	start                      the command that starts its server (lab start --group 3 --classroom FILE)
func Placeholders() []string {
	return []string{
		"group", "domain", "host", "smtp", "pop3", "smtpport", "pop3port",
		"user", "user2", "user3",
		"peer", "peerdomain", "peerhost", "peersmtp", "peerpop3", "cluster", "start",
	}
}

// Vars are the values of the placeholders for one group.
type Vars map[string]string

// Expand replaces each {name} of s that v has a value for.
func (v Vars) Expand(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if val, ok := v[m[1:len(m)-1]]; ok {
			return val
		}
		return m
	})
}

// Text expands both languages of t.
func (v Vars) Text(t i18n.Text) i18n.Text {
	return i18n.Text{Ja: v.Expand(t.Ja), En: v.Expand(t.En)}
}
