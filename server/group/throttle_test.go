package group

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	th := newThrottle(time.Second)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var got []time.Duration
	for i := 0; i < 7; i++ {
		got = append(got, th.failed(now, "ip 10.0.0.1", "user yom"))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
	// another address guessing the same name is slowed down too
	if d := th.failed(now, "ip 10.0.0.9", "user yom"); d != 8*time.Second {
		t.Errorf("same name from elsewhere: %v", d)
	}
	// failures older than the window are forgotten
	if d := th.failed(now.Add(16*time.Minute), "ip 10.0.0.1", "user yom"); d != 0 {
		t.Errorf("after the window: %v", d)
	}
	// a success forgets at once
	th.failed(now, "ip 10.0.0.2", "user hana")
	th.failed(now, "ip 10.0.0.2", "user hana")
	th.failed(now, "ip 10.0.0.2", "user hana")
	th.succeeded("ip 10.0.0.2", "user hana")
	if d := th.failed(now, "ip 10.0.0.2", "user hana"); d != 0 {
		t.Errorf("after a success: %v", d)
	}
}
