package i18n_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"maillab/exercises/i18n"
)

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want i18n.Lang
	}{
		{map[string]string{}, i18n.Ja},
		{map[string]string{"LANG": "ja_JP.UTF-8"}, i18n.Ja},
		{map[string]string{"LANG": "en_US.UTF-8"}, i18n.En},
		{map[string]string{"LANG": "de_DE.UTF-8"}, i18n.En},
		{map[string]string{"LANG": "C.UTF-8"}, i18n.En},
		{map[string]string{"LANG": "C"}, i18n.En},
		{map[string]string{"LC_ALL": "POSIX", "LANG": "ja_JP.UTF-8"}, i18n.En},
		{map[string]string{"LC_ALL": "", "LANG": "ja_JP.UTF-8"}, i18n.Ja},
		{map[string]string{"LANG": "ja_JP.UTF-8", "LC_ALL": "en_GB.UTF-8"}, i18n.En},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.eucJP"}, i18n.Ja},
	}
	for _, tt := range tests {
		if got := i18n.FromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("FromEnv(%v) = %s, want %s", tt.env, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]i18n.Lang{"ja": i18n.Ja, "EN": i18n.En, "ja_JP.UTF-8": i18n.Ja} {
		if got, err := i18n.Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %s, %v", in, got, err)
		}
	}
	if _, err := i18n.Parse("fr"); err == nil {
		t.Error("Parse(fr) accepted")
	}
}

func TestMissing(t *testing.T) {
	t.Parallel()
	got := i18n.Missing(map[string]i18n.Text{
		"good":      {Ja: "%d 通", En: "%d messages"},
		"no-en":     {Ja: "こんにちは"},
		"verbs":     {Ja: "%s と %d", En: "%s and %s"},
		"width ok":  {Ja: "%-8s|", En: "%-8s|"},
		"percent %": {Ja: "100%%", En: "100%%"},
	})
	if diff := cmp.Diff([]string{"no-en", "verbs"}, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("Missing (-want +got):\n%s", diff)
	}
	if s := (i18n.Text{Ja: "%d 通", En: "%d messages"}).F(i18n.En, 3); s != "3 messages" {
		t.Errorf("F = %q", s)
	}
}
