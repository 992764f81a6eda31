package testenv

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCIValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    string
		want bool
	}{
		{"", false},
		{"0", false},
		{"false", false},
		{"FALSE", false},
		{"1", true},
		{"true", true},
		{"yes", true},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ciValue(tt.v)); diff != "" {
			t.Errorf("CI=%q (-want +got):\n%s", tt.v, diff)
		}
	}
}

// NeedTool finds a program that every machine running the tests has: the
// Go toolchain running them.
func TestNeedToolFindsGo(t *testing.T) {
	t.Parallel()
	if got := NeedTool(t, "no-such-program-maillab", "go"); got == "" {
		t.Error("NeedTool found no go on PATH")
	}
}
