package dashboard

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises/i18n"
	"maillab/server/classroom"
	"maillab/server/web"
)

// Every text of the dashboard is in both languages, with the same verbs.
func TestTextsInBothLanguages(t *testing.T) {
	t.Parallel()
	if bad := i18n.Missing(texts); len(bad) > 0 {
		t.Errorf("texts missing a language or with different verbs: %v", bad)
	}
}

// An unreachable group's reason is a few words in both languages, by the
// kind of error: a server that does not answer (named by its web
// address), a missing data folder, anything else.
func TestUnreachableReason(t *testing.T) {
	t.Parallel()
	c, err := classroom.Parse("classroom.toml", []byte(`name = "test"
domain = "lab.test"
clusters = [[1, 2]]

[[groups]]
id = 1
host = "127.0.1.1"
smtp = 2525
pop3 = 1110
web = 8025

[[groups]]
id = 2
host = "127.0.1.2"
smtp = 2525
pop3 = 1110
web = 8025
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   int
		err  error
		want Text
	}{
		{"no answer", 2, fmt.Errorf("%w: 127.0.1.2:8025: dial tcp 127.0.1.2:8025: connect: connection refused", web.ErrUnreachable),
			Text{Ja: "127.0.1.2:8025（web）が応答しません。lab start は動いていますか？", En: "no answer at 127.0.1.2:8025 (web): is lab start running there?"}},
		{"no data folder", 1, fmt.Errorf("no data folder for group 1: %w", os.ErrNotExist),
			Text{Ja: "1 班のデータフォルダがありません", En: "no data folder for group 1"}},
		{"something else", 1, errors.New("web: 127.0.1.1:8025: 500 Internal Server Error (is it a maillab server?)"),
			Text{Ja: "1 班のサーバの記録が読めません", En: "group 1's server could not be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := unreachableReason(c, tt.id, tt.err)
			if got == nil {
				t.Fatal("no reason")
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("reason (-want +got):\n%s", diff)
			}
		})
	}
}
