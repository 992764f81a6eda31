package main

import (
	"path/filepath"
	"testing"
)

// The default data root comes from the environment; on Windows, which sets
// USERPROFILE and no HOME, it is still under the user's home folder.
func TestDefaultDataRoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"MAILLAB_DATA first", map[string]string{"MAILLAB_DATA": "/srv/lab", "HOME": "/home/yom"}, "/srv/lab"},
		{"XDG", map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/home/yom"}, filepath.Join("/x", "maillab")},
		{"HOME", map[string]string{"HOME": "/home/yom", "USERPROFILE": `C:\Users\yom`}, filepath.Join("/home/yom", ".local", "share", "maillab")},
		{"Windows", map[string]string{"USERPROFILE": `C:\Users\yom`}, filepath.Join(`C:\Users\yom`, ".local", "share", "maillab")},
		{"nothing", map[string]string{}, "maillab-data"},
	}
	for _, tt := range tests {
		if got := defaultDataRoot(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
