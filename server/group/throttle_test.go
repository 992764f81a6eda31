package group

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	type try struct {
		at    time.Duration // after start
		keys  []string
		ok    bool
		wait  time.Duration
		after string // "giveBack" or "forget" the keys after the try
	}
	yom := []string{addrKey("10.0.0.1"), nameKey("yom")}
	yomElsewhere := []string{addrKey("10.0.0.9"), nameKey("yom")}
	hana := []string{addrKey("10.0.0.1"), nameKey("hana")}
	tests := []struct {
		name  string
		tries []try
	}{
		{"a name has 5 tries, then one every 20 s", []try{
			{0, yom, true, 0, ""}, {0, yom, true, 0, ""}, {0, yom, true, 0, ""},
			{0, yom, true, 0, ""}, {0, yom, true, 0, ""},
			{0, yom, false, 20 * time.Second, ""},
			// from another address too: the name's bucket is empty
			{0, yomElsewhere, false, 20 * time.Second, ""},
			{15 * time.Second, yom, false, 5 * time.Second, ""},
			{20 * time.Second, yom, true, 0, ""},
			{21 * time.Second, yom, false, 19 * time.Second, ""},
		}},
		{"an address has 10 tries, then one every 10 s", []try{
			{0, yom, true, 0, ""}, {0, yom, true, 0, ""}, {0, yom, true, 0, ""},
			{0, yom, true, 0, ""}, {0, yom, true, 0, ""},
			{0, hana, true, 0, ""}, {0, hana, true, 0, ""}, {0, hana, true, 0, ""},
			{0, hana, true, 0, ""}, {0, hana, true, 0, ""},
			{0, []string{addrKey("10.0.0.1"), nameKey("taro")}, false, 10 * time.Second, ""},
			{10 * time.Second, []string{addrKey("10.0.0.1"), nameKey("taro")}, true, 0, ""},
		}},
		{"a right password gives the tries back", []try{
			{0, yom, true, 0, ""}, {0, yom, true, 0, ""}, {0, yom, true, 0, ""},
			{0, yom, true, 0, ""}, {0, yom, true, 0, "forget"},
			{0, yom, true, 0, ""}, {0, yom, true, 0, ""}, {0, yom, true, 0, ""},
			{0, yom, true, 0, ""}, {0, yom, true, 0, ""},
			// the address's bucket is empty now: one give-back
			{0, hana, false, 10 * time.Second, ""},
		}},
		{"a server error costs no try", []try{
			{0, yom, true, 0, "giveBack"}, {0, yom, true, 0, "giveBack"}, {0, yom, true, 0, "giveBack"},
			{0, yom, true, 0, "giveBack"}, {0, yom, true, 0, "giveBack"}, {0, yom, true, 0, "giveBack"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			th := newThrottle(20 * time.Second)
			type result struct {
				OK   bool
				Wait time.Duration
			}
			var want, got []result
			for _, tr := range tt.tries {
				now := start.Add(tr.at)
				ok, wait := th.take(now, tr.keys...)
				want = append(want, result{tr.ok, tr.wait})
				got = append(got, result{ok, wait})
				switch tr.after {
				case "giveBack":
					th.giveBack(now, tr.keys...)
				case "forget":
					th.forget(tr.keys[1])
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("tries (-want +got):\n%s", diff)
			}
		})
	}
}

// A flood of made-up names keeps at most maxBuckets buckets.
func TestThrottleMemory(t *testing.T) {
	t.Parallel()
	th := newThrottle(time.Millisecond)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 3*maxBuckets; i++ {
		th.take(now.Add(time.Duration(i)*time.Second), addrKey("10.0.0.1"), nameKey(string(rune('a'+i%26))+time.Duration(i).String()))
	}
	if n := len(th.buckets); n > maxBuckets {
		t.Errorf("%d buckets", n)
	}
}
