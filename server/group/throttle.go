package group

import (
	"sync"
	"time"
)

// throttle slows down guessing: after a few failed logins from one client
// address or for one user name, each further failure is answered later and
// later. The name counts whether or not such a user exists, so the delay
// tells nobody which names are real.
type throttle struct {
	free   int           // failures answered at once
	base   time.Duration // the first delay, doubling after
	max    time.Duration
	window time.Duration // failures older than this are forgotten

	mu    sync.Mutex
	fails map[string][]time.Time
}

func newThrottle(base time.Duration) *throttle {
	return &throttle{free: 3, base: base, max: 8 * base, window: 15 * time.Minute, fails: map[string][]time.Time{}}
}

// failed records a failure for each key and returns how long to wait before
// answering it.
func (t *throttle) failed(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, k := range keys {
		list := t.fails[k]
		// forget what is old
		i := 0
		for i < len(list) && now.Sub(list[i]) > t.window {
			i++
		}
		list = append(list[i:], now)
		t.fails[k] = list
		n = max(n, len(list))
	}
	if len(t.fails) > 10000 { // a flood of made-up names: keep memory bounded
		for k, list := range t.fails {
			if now.Sub(list[len(list)-1]) > t.window {
				delete(t.fails, k)
			}
		}
	}
	if n <= t.free {
		return 0
	}
	d := t.base
	for i := t.free + 1; i < n && d < t.max; i++ {
		d *= 2
	}
	return min(d, t.max)
}

// succeeded forgets the failures of keys.
func (t *throttle) succeeded(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.fails, k)
	}
}
