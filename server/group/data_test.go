package group_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/account"
	"maillab/server/group"
	"maillab/server/journal"
)

// DeleteUser keeps the Maildir aside (never over an earlier one), or
// purges it, and never deletes the postmaster.
func TestDeleteUser(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 9, 5, 7, 0, time.UTC)
	tests := []struct {
		name     string
		del      string
		purge    bool
		before   []string // folders already in deleted/
		wantKept string   // under deleted/; "" none
		wantErr  error
	}{
		{"kept aside", "hana", false, nil, "hana-20261203-090507", nil},
		{"twice in one second", "hana", false, []string{"hana-20261203-090507"}, "hana-20261203-090507-2", nil},
		{"purged", "hana", true, nil, "", nil},
		{"no such user", "carol", false, nil, "", account.ErrNoUser},
		{"postmaster", "postmaster", false, nil, "", group.ErrPostmaster},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := group.OpenData(t.TempDir(), 3, "")
			if err != nil {
				t.Fatal(err)
			}
			j, err := journal.OpenFile(data.JournalPath(), 3)
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			for _, n := range []string{"yom", "hana"} {
				if err := data.AddUser(n, "secret-"+n, j); err != nil {
					t.Fatal(err)
				}
			}
			for _, b := range tt.before {
				os.MkdirAll(filepath.Join(data.Dir, group.DeletedDir, b), 0o700)
			}
			kept, err := data.DeleteUser(tt.del, tt.purge, at, j)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("DeleteUser: %v, want %v", err, tt.wantErr)
			}
			want := ""
			if tt.wantKept != "" {
				want = filepath.Join(data.Dir, group.DeletedDir, tt.wantKept)
			}
			if kept != want {
				t.Errorf("kept in %q, want %q", kept, want)
			}
			if want != "" {
				if msgs, err := data.Mailbox(tt.del).List(); err == nil || len(msgs) != 0 {
					t.Errorf("the Maildir is still in mail/: %v", err)
				}
				if welcome, _ := filepath.Glob(filepath.Join(want, "new", "*")); len(welcome) != 1 {
					t.Errorf("welcome message not kept: %v", welcome)
				}
			}
			if tt.purge {
				if _, err := os.Stat(string(data.Mailbox(tt.del))); !os.IsNotExist(err) {
					t.Errorf("purged Maildir: %v", err)
				}
			}
			list, _ := data.Accounts.List()
			var names []string
			for _, a := range list {
				names = append(names, a.Name)
			}
			wantNames := []string{"yom"}
			if tt.wantErr != nil {
				wantNames = []string{"hana", "yom"}
			}
			if diff := cmp.Diff(wantNames, names); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
		})
	}
}

// Served is true exactly while a server runs on the folder.
func TestServed(t *testing.T) {
	t.Parallel()
	data, err := group.OpenData(t.TempDir(), 3, "")
	if err != nil {
		t.Fatal(err)
	}
	if data.Served() {
		t.Error("served before any server")
	}
	srv, err := group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if !data.Served() {
		t.Error("not served while the server runs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if data.Served() {
		t.Error("served after the server stopped")
	}
	// a new server can start: Served did not keep the lock
	srv, err = group.New(group.Config{Data: data, SMTPAddr: "127.0.0.1:0", POP3Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("server after Served: %v", err)
	}
	srv.Start()
	srv.Shutdown(ctx)
}
