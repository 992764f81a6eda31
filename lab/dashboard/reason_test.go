package dashboard_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises/i18n"
	"maillab/lab/dashboard"
	"maillab/server/classroom"
	"maillab/server/web"
)

// Why a group could not be read is one short sentence, whatever the
// error's chain, in the language asked for.
func TestReason(t *testing.T) {
	t.Parallel()
	c, err := classroom.Parse("class.toml", []byte("domain = \"lab.test\"\n[[groups]]\nid = 3\nhost = \"127.0.1.3\"\nsmtp = 2525\npop3 = 1110\nweb = 8025\n"))
	if err != nil {
		t.Fatal(err)
	}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		lang i18n.Lang
		err  error
		want string
	}{
		{"refused", i18n.En, fmt.Errorf("%w: 127.0.1.3:8025: %w", web.ErrUnreachable, dial),
			"no server is running at 127.0.1.3:8025 (connection refused)"},
		{"refused ja", i18n.Ja, fmt.Errorf("%w: 127.0.1.3:8025: %w", web.ErrUnreachable, dial),
			"127.0.1.3:8025 で動いているサーバがありません（接続を拒否されました）"},
		{"timeout", i18n.En, fmt.Errorf("%w: 127.0.1.3:8025: %w", web.ErrUnreachable, context.DeadlineExceeded),
			"no answer from 127.0.1.3:8025 in time"},
		{"unreachable", i18n.En, fmt.Errorf("%w: 127.0.1.3:8025: %w", web.ErrUnreachable, errors.New("no route to host")),
			"cannot connect to 127.0.1.3:8025"},
		{"no data folder", i18n.En, fmt.Errorf("no data folder for group 3: %w", &fs.PathError{Op: "stat", Path: "data/g3", Err: fs.ErrNotExist}),
			"no data folder data/g3"},
		{"unreadable data folder", i18n.Ja, fmt.Errorf("no data folder for group 3: %w", &fs.PathError{Op: "stat", Path: "data/g3", Err: fs.ErrPermission}),
			"データフォルダ data/g3 を読めません"},
		{"another server", i18n.En, errors.New("127.0.1.3:8025 is group 4's server, not group 3's"),
			"127.0.1.3:8025 does not answer as group 3's maillab server"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, dashboard.Reason(tt.lang, c, 3, tt.err)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
