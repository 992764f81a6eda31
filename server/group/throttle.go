package group

import (
	"strings"
	"sync"
	"time"
)

// throttle caps password guessing. Every user name and every client
// address has a bucket of tries: a login takes a try from the bucket of
// its name and of its address before the password is checked, and is
// refused at once, unchecked, when either is empty. A bucket refills at a
// fixed rate, so that the guesses at one name are capped whatever the
// number of connections or addresses they come from, and a refused login
// costs the server no waiting connection. A right password gives its
// tries back. The name counts whether or not such a user exists, so a
// refusal tells nobody which names are real.
type throttle struct {
	every time.Duration // a name's bucket gains one try this often; an address's twice as often

	mu      sync.Mutex
	buckets map[string]*bucket
}

// Bucket sizes: the tries at hand before the rate applies.
const (
	nameBurst = 5  // a student mistyping a password has these
	addrBurst = 10 // a lab machine where several students log in has these
	// maxBuckets bounds memory against a flood of made-up names; full
	// buckets are forgotten first.
	maxBuckets = 10000
)

type bucket struct {
	tries float64
	at    time.Time // when tries was last brought up to date
}

func newThrottle(every time.Duration) *throttle {
	return &throttle{every: every, buckets: map[string]*bucket{}}
}

// nameKey and addrKey are the keys of a login's buckets.
func nameKey(name string) string { return "user " + name }
func addrKey(ip string) string   { return "ip " + ip }

// shape returns the size and refill interval of a key's bucket.
func (t *throttle) shape(key string) (burst float64, every time.Duration) {
	if strings.HasPrefix(key, "ip ") {
		return addrBurst, t.every / 2
	}
	return nameBurst, t.every
}

// refill brings b up to now. t.mu is held.
func (t *throttle) refill(key string, b *bucket, now time.Time) {
	burst, every := t.shape(key)
	if d := now.Sub(b.at); d > 0 && every > 0 {
		b.tries = min(burst, b.tries+float64(d)/float64(every))
	}
	b.at = now
}

// take takes a try from the bucket of every key. When one is empty it
// takes nothing and returns false and how long until that bucket has a
// try again.
func (t *throttle) take(now time.Time, keys ...string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	list := make([]*bucket, len(keys))
	for i, k := range keys {
		b := t.buckets[k]
		if b == nil {
			burst, _ := t.shape(k)
			b = &bucket{tries: burst, at: now}
		}
		t.refill(k, b, now)
		list[i] = b
		if b.tries < 1 {
			_, every := t.shape(k)
			wait = max(wait, time.Duration((1-b.tries)*float64(every)))
		}
	}
	if wait > 0 {
		return false, wait
	}
	if len(t.buckets)+len(keys) > maxBuckets {
		t.forgetFull(now)
	}
	for i, k := range keys {
		list[i].tries--
		t.buckets[k] = list[i]
	}
	return true, 0
}

// forgetFull drops the buckets that have refilled. t.mu is held.
func (t *throttle) forgetFull(now time.Time) {
	for k, b := range t.buckets {
		t.refill(k, b, now)
		if burst, _ := t.shape(k); b.tries >= burst {
			delete(t.buckets, k)
		}
	}
}

// giveBack returns the try a login took from each key: the login did not
// fail (the password was right, or the server could not check it).
func (t *throttle) giveBack(now time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if b := t.buckets[k]; b != nil {
			t.refill(k, b, now)
			burst, _ := t.shape(k)
			b.tries = min(burst, b.tries+1)
		}
	}
}

// forget fills the buckets of keys again: a right password for a name ends
// what its mistypings cost.
func (t *throttle) forget(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.buckets, k)
	}
}
