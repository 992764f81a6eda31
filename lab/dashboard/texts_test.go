package dashboard

import (
	"testing"

	"maillab/exercises/i18n"
)

// Every text of the dashboard is in both languages, with the same verbs.
func TestTextsInBothLanguages(t *testing.T) {
	t.Parallel()
	if bad := i18n.Missing(texts); len(bad) > 0 {
		t.Errorf("texts missing a language or with different verbs: %v", bad)
	}
}
