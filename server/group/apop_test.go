package group

import (
	"strings"
	"testing"

	"maillab/server/account"
)

// One case for each APOP mistake the console explains.
func TestDiagnoseAPOP(t *testing.T) {
	t.Parallel()
	a := account.Account{Name: "yom", Password: "tanstaaf"}
	const ts = "<3386.1036126149@g3.lab.test>"
	const earlier = "<3385.1036126100@g3.lab.test>"
	md5 := account.Digest
	tests := []struct {
		name   string
		digest string
		want   string
	}{
		{"cut short", "8f9e4723b4a1207bd915dc7d07c5ae", "apop-malformed"},
		{"not hex", "zzzz4723b4a1207bd915dc7d07c5ae00", "apop-malformed"},
		{"upper case", strings.ToUpper(a.Digest(ts)), "apop-uppercase"},
		{"echo without -n", md5(ts, "tanstaaf\n"), "apop-newline"},
		{"no angle brackets", md5("3386.1036126149@g3.lab.test", "tanstaaf"), "apop-no-brackets"},
		{"the timestamp alone", md5(ts, ""), "apop-no-secret"},
		{"the secret alone", md5("tanstaaf", ""), "apop-wrong-order"},
		{"secret first", md5("tanstaaf"+ts, ""), "apop-wrong-order"},
		{"an earlier connection's timestamp", md5(earlier, "tanstaaf"), "apop-old-challenge"},
		{"another password", md5(ts, "tanstaaF"), "apop-wrong"},
	}
	if got := a.Digest(ts); got != "8e41f266b68133f15761eaf35f6cb319" {
		t.Fatalf("the right digest is %s", got)
	}
	for _, tt := range tests {
		if got := diagnoseAPOP(a, ts, tt.digest, []string{earlier, ts}); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
