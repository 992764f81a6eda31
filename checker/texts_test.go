package checker

import (
	"os"
	"regexp"
	"testing"

	"maillab/exercises/i18n"
)

func TestEveryTextInBothLanguages(t *testing.T) {
	t.Parallel()
	if bad := i18n.Missing(texts); len(bad) > 0 {
		t.Errorf("texts missing a language or with different verbs: %v", bad)
	}
}

// Every text the code names is in the catalog.
func TestEveryTextUsedExists(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("checker.go")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`c\.t\("([a-z0-9-]+)"`).FindAllSubmatch(src, -1)
	if len(used) < 40 {
		t.Fatalf("found only %d texts used", len(used))
	}
	for _, m := range used {
		if _, ok := texts[string(m[1])]; !ok {
			t.Errorf("text %q is used but not in the catalog", m[1])
		}
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ids  []int
		all  bool
		lang i18n.Lang
		want string
	}{
		{[]int{2}, false, i18n.En, "group 2"},
		{[]int{1, 2}, false, i18n.En, "groups 1 or 2"},
		{[]int{1, 2, 3}, true, i18n.En, "groups 1, 2 and 3"},
		{[]int{2}, false, i18n.Ja, "2 班"},
		{[]int{1, 2, 3}, true, i18n.Ja, "1・2・3 班"},
	}
	for _, tt := range tests {
		if got := groups(tt.lang, tt.ids, tt.all); got != tt.want {
			t.Errorf("groups(%v) = %q, want %q", tt.ids, got, tt.want)
		}
	}
}
