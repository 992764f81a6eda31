package maildir_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/maildir"
)

// A copy staged twice (a delivery redone after a crash) is published once;
// a restarted server finds what was staged, with the same sizes; once
// published, nothing is staged under the key any more.
func TestStageRestagePublish(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	at := time.Date(2026, 12, 3, 12, 0, 0, 123456000, time.UTC)
	key := maildir.StageKey(at, "18C0FFEE0001", 2)
	if key != maildir.StageKey(at, "18C0FFEE0001", 2) || key == maildir.StageKey(at, "18C0FFEE0001", 1) {
		t.Fatalf("keys not deterministic or not distinct: %s", key)
	}
	if _, err := d.Stage(key, strings.NewReader("Subject: first try\r\n\r\ncut")); err != nil {
		t.Fatal(err)
	}
	staged, err := d.Stage(key, strings.NewReader("Subject: s\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	again, ok, err := d.Restaged(key)
	if err != nil || !ok {
		t.Fatalf("Restaged: %v, %v", ok, err)
	}
	if diff := cmp.Diff(staged, again, cmp.AllowUnexported(maildir.Staged{})); diff != "" {
		t.Errorf("restaged (-staged +found):\n%s", diff)
	}
	if list, _ := d.List(); len(list) != 0 {
		t.Errorf("listed before Publish: %v", list)
	}
	m, err := again.Publish()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := d.Restaged(key); ok || err != nil {
		t.Errorf("Restaged after Publish: %v, %v; want nothing", ok, err)
	}
	if _, err := again.Publish(); err == nil {
		t.Error("second Publish: no error")
	}
	list, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		Key            string
		Size, FileSize int64
		Text           string
	}
	var got []item
	for _, m := range list {
		got = append(got, item{m.Key, m.Size, m.FileSize, read(t, d, m)})
	}
	want := []item{{key, 20, 17, "Subject: s\n\nbody\n"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folder (-want +got):\n%s", diff)
	}
	if m.Key != key || !strings.HasPrefix(key, "1796299200.M123456S18C0FFEE0001R2.") {
		t.Errorf("published key %q, staged %q", m.Key, key)
	}
	if left, _ := os.ReadDir(filepath.Join(string(d), "tmp")); len(left) != 0 {
		t.Errorf("left in tmp/: %v", left)
	}
}

// Unstage takes a staged copy back; keys that are no plain name are
// refused.
func TestUnstageAndBadKeys(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	if _, err := d.Stage("k1", strings.NewReader("x\r\n")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"k1", "never-staged"} {
		if err := d.Unstage(key); err != nil {
			t.Errorf("Unstage(%q): %v", key, err)
		}
	}
	if _, ok, _ := d.Restaged("k1"); ok {
		t.Error("still staged after Unstage")
	}
	for _, key := range []string{"", ".hidden", "../x", `a\b`, "a,S=1", "a:2,S", "a;2,S"} {
		if _, err := d.Stage(key, strings.NewReader("x")); err == nil {
			t.Errorf("Stage(%q): no error", key)
		}
	}
}
