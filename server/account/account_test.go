package account_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/account"
)

func TestCheckName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"yom", true},
		{"taro.yamada", true},
		{"a-b_c9", true},
		{"", false},
		{"Yom", false}, // Add normalizes; the stored form is lower case
		{"9lives", false},
		{"../../etc", false},
		{"..", false},
		{"a..b", false},
		{"ends.", false},
		{"a/b", false},
		{"a b", false},
		{"a:b", false},
		{"nul\x00", false},
		{"ユーザ", false},
		{strings.Repeat("a", 32), true},
		{strings.Repeat("a", 33), false},
	}
	for _, tt := range tests {
		err := account.CheckName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, account.ErrBadName) {
			t.Errorf("CheckName(%q) error %v is not ErrBadName", tt.name, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	for pw, ok := range map[string]bool{
		"tanstaaf": true, "abc": false, "with space": false, "tab\there": false,
		"パスワード": false, strings.Repeat("x", 128): true, strings.Repeat("x", 129): false,
		"p@ss:w0rd!": true,
	} {
		if err := account.CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}

func TestAddListLookup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := account.Open(dir)
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Fatalf("List of no file = %v, %v", list, err)
	}
	for _, a := range []account.Account{{"yom", "secret1"}, {"Hana", "p@ss:w0rd!"}} {
		if err := s.Add(a.Name, a.Password); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Add("yom", "other"); !errors.Is(err, account.ErrExists) {
		t.Errorf("second Add = %v, want ErrExists", err)
	}
	if err := s.Add("../../etc", "secret1"); !errors.Is(err, account.ErrBadName) {
		t.Errorf("Add ../../etc = %v, want ErrBadName", err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []account.Account{{"hana", "p@ss:w0rd!"}, {"yom", "secret1"}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	a, err := s.Lookup("YOM")
	if err != nil || a.Password != "secret1" {
		t.Errorf("Lookup(YOM) = %v, %v", a, err)
	}
	if _, err := s.Lookup("nobody"); !errors.Is(err, account.ErrNoUser) {
		t.Errorf("Lookup(nobody) = %v, want ErrNoUser", err)
	}
	fi, err := os.Stat(filepath.Join(dir, account.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("accounts file mode %v, want 0600", fi.Mode().Perm())
	}
	// another process's view (a fresh Store) sees the same, and a change
	// made through it is seen by the first
	other := account.Open(dir)
	if err := other.SetPassword("yom", "newsecret"); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Lookup("yom"); a.Password != "newsecret" {
		t.Errorf("first store did not see the new password: %q", a.Password)
	}
	if err := other.SetPassword("nobody", "newsecret"); !errors.Is(err, account.ErrNoUser) {
		t.Errorf("SetPassword(nobody) = %v, want ErrNoUser", err)
	}
}

func TestConcurrentAddsLoseNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// a Store each, as separate `lab user add` processes would have
			if err := account.Open(dir).Add("user"+string(rune('a'+i)), "password"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	list, err := account.Open(dir).List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 20 {
		t.Errorf("%d accounts after 20 concurrent adds", len(list))
	}
}

func TestCorruptFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		content string
		want    string
	}{
		{"yom\n", ":1: want name:password"},
		{"# c\nyom:a\n../x:b\n", `:3: account: bad user name "../x"`},
		{"yom:a\nyom:b\n", `:2: user "yom" listed twice`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, account.FileName), []byte(tt.content), 0o600)
		_, err := account.Open(dir).List()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("List of %q = %v, want error containing %q", tt.content, err, tt.want)
		}
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	// RFC 1939 section 7
	a := account.Account{Name: "mrose", Password: "tanstaaf"}
	const ts = "<1896.697170952@dbc.mtview.ca.us>"
	if got := a.Digest(ts); got != "c4c9334bac560ecc979e58001b3e22fb" {
		t.Errorf("Digest = %s", got)
	}
	for digest, ok := range map[string]bool{
		"c4c9334bac560ecc979e58001b3e22fb": true,
		"C4C9334BAC560ECC979E58001B3E22FB": false, // RFC 1939: lower-case hex
		"c4c9334bac560ecc979e58001b3e22":   false,
		"":                                 false,
	} {
		if got := a.CheckDigest(ts, digest); got != ok {
			t.Errorf("CheckDigest(%q) = %v, want %v", digest, got, ok)
		}
	}
	if !a.CheckPassword("tanstaaf") || a.CheckPassword("tanstaa") {
		t.Error("CheckPassword wrong")
	}
}

func TestRandomPassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		pw := account.RandomPassword(10)
		if err := account.CheckPassword(pw); err != nil || len(pw) != 10 || strings.ContainsAny(pw, "0O1lI") {
			t.Fatalf("RandomPassword = %q (%v)", pw, err)
		}
		seen[pw] = true
	}
	if len(seen) != 100 {
		t.Errorf("only %d distinct passwords of 100", len(seen))
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		del     string
		wantErr error
		left    []string
	}{
		{"one of three", "hana", nil, []string{"taro", "yom"}},
		{"case-insensitive as logins are", "HANA", nil, []string{"taro", "yom"}},
		{"no such user", "carol", account.ErrNoUser, []string{"hana", "taro", "yom"}},
		{"bad name", "../x", account.ErrBadName, []string{"hana", "taro", "yom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := account.Open(dir)
			for _, n := range []string{"yom", "hana", "taro"} {
				if err := s.Add(n, "secret-"+n); err != nil {
					t.Fatal(err)
				}
			}
			// a second store, as a running server holds one, sees the change
			server := account.Open(dir)
			if _, err := server.Lookup("hana"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(tt.del); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Delete(%q) = %v, want %v", tt.del, err, tt.wantErr)
			}
			list, err := server.List()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range list {
				got = append(got, a.Name)
			}
			if diff := cmp.Diff(tt.left, got); diff != "" {
				t.Errorf("accounts left (-want +got):\n%s", diff)
			}
			if fi, err := os.Stat(s.Path()); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("accounts file after Delete: %v %v", fi.Mode(), err)
			}
		})
	}
}

func TestLower(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, suggest string
		ok          bool
	}{
		{"carol", "carol", true},
		{"Carol", "carol", false},
		{"YOM", "yom", false},
		{"a-b.c_9", "a-b.c_9", true},
	}
	for _, tt := range tests {
		suggest, ok := account.Lower(tt.in)
		if suggest != tt.suggest || ok != tt.ok {
			t.Errorf("Lower(%q) = %q, %v; want %q, %v", tt.in, suggest, ok, tt.suggest, tt.ok)
		}
	}
}
