package datadir_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/datadir"
)

// A folder is read as it is: its domain file, else the domain given; its
// hints, or none when the file is missing or damaged.
func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		files      map[string]string
		wantDomain string
		wantHints  map[string]int
	}{
		{name: "empty", wantDomain: "g3.lab.test", wantHints: map[string]int{}},
		{name: "remembered domain", files: map[string]string{"domain": "g3.example.ac.jp\n", "hints.json": `{"apop-telnet": 2}`},
			wantDomain: "g3.example.ac.jp", wantHints: map[string]int{"apop-telnet": 2}},
		{name: "damaged hints", files: map[string]string{"hints.json": `{"apop-`},
			wantDomain: "g3.lab.test", wantHints: map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			dir := datadir.DirFor(root, 3)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f := datadir.Read(root, 3, "g3.lab.test")
			type got struct {
				Dir, Domain, Journal, Evidence string
				Group                          int
				Hints                          map[string]int
			}
			want := got{Dir: filepath.Join(root, "g3"), Domain: tt.wantDomain, Journal: filepath.Join(root, "g3", "journal.jsonl"),
				Evidence: filepath.Join(root, "g3", "evidence.json"), Group: 3, Hints: tt.wantHints}
			g := got{Dir: f.Dir, Domain: f.Domain, Journal: f.JournalPath(), Evidence: f.EvidencePath(), Group: f.Group, Hints: datadir.ReadHints(dir)}
			if diff := cmp.Diff(want, g); diff != "" {
				t.Errorf("folder (-want +got):\n%s", diff)
			}
		})
	}
}
