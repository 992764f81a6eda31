package checker

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises/i18n"
)

// A login's reason is said from the journal's key, and one the checker
// does not know is sent to the server's screen.
func TestLoginReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		lang i18n.Lang
		want string
	}{
		{"wrong-password", i18n.En, "the password is wrong"},
		{"apop-uppercase", i18n.Ja, "ダイジェストが大文字です"},
		{"no-such-reason", i18n.En, "the lab start screen says why"},
		{"", i18n.Ja, "理由は lab start の画面に出ています"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, LoginReason(tt.lang, tt.key)); diff != "" {
			t.Errorf("LoginReason(%s, %q) (-want +got):\n%s", tt.lang, tt.key, diff)
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
