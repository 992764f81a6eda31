package group

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The error log is rotated once: past its size it becomes server.log.1
// (replacing the older one), so it never takes more than twice its bound,
// and the newest entries are in server.log.
func TestErrorLogRotatedOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		entries  int
		wantFile []string // the files there, their last entry
	}{
		{entries: 2, wantFile: []string{"server.log: entry 1"}},
		{entries: 10, wantFile: []string{"server.log: entry 9", "server.log.1: entry 7"}},
		{entries: 100, wantFile: []string{"server.log: entry 99", "server.log.1: entry 97"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.entries), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, ErrorLogName)
			lf, err := openLogFile(path, 100, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.entries {
				fmt.Fprintf(lf, "entry %d %s\n", i, strings.Repeat("x", 30))
			}
			lf.Close()
			var got []string
			for _, name := range []string{"server.log", "server.log.1"} {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if os.IsNotExist(err) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(b) > 100 {
					t.Errorf("%s has %d bytes, over its bound", name, len(b))
				}
				lines := strings.Split(strings.TrimSpace(string(b)), "\n")
				f := strings.Fields(lines[len(lines)-1])
				got = append(got, name+": "+f[0]+" "+f[1])
			}
			if diff := cmp.Diff(tt.wantFile, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
