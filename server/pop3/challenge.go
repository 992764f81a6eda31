package pop3

import (
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// lastClock is the clock part of the latest challenge handed out. It is the
// package's only mutable global: challenges must never repeat, even between
// two Servers of one process.
var lastClock atomic.Int64

// nextClock returns the microseconds since the epoch, or one more than the
// last value returned when the clock has not moved on (or went back).
func nextClock() int64 {
	now := time.Now().UnixMicro()
	for {
		last := lastClock.Load()
		next := max(now, last+1)
		if lastClock.CompareAndSwap(last, next) {
			return next
		}
	}
}

// newChallenge returns a fresh APOP timestamp "<pid.clock@host>" (RFC 1939
// section 7): unique for this process, and the process id makes it unique
// for the machine.
func newChallenge(host string) string {
	if host == "" {
		host, _ = os.Hostname()
		if host == "" {
			host = "localhost"
		}
	}
	b := make([]byte, 0, 48+len(host))
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(os.Getpid()), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, nextClock(), 10)
	b = append(b, '@')
	b = append(b, host...)
	b = append(b, '>')
	return string(b)
}
