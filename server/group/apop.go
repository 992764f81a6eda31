package group

import (
	"strings"
	"sync"

	"maillab/server/account"
)

// diagnoseAPOP says, as a short key for the journal and the console, why an
// APOP digest was wrong, by trying the mistakes students make. It never
// says anything of the secret itself.
// earlier holds the challenges of recent connections, to tell a digest of an
// old timestamp (a second telnet window, or a timestamp copied from the
// handout).
func diagnoseAPOP(a account.Account, challenge, digest string, earlier []string) string {
	if len(digest) != 32 || strings.Trim(strings.ToLower(digest), "0123456789abcdef") != "" {
		return "apop-malformed" // not 32 hex digits (a copy cut short, a stray character)
	}
	if strings.ToLower(digest) == a.Digest(challenge) {
		return "apop-uppercase" // RFC 1939 asks for lower-case hex
	}
	switch digest {
	case account.Digest(challenge, a.Password+"\n"):
		return "apop-newline" // echo without -n
	case account.Digest(strings.TrimSuffix(strings.TrimPrefix(challenge, "<"), ">"), a.Password):
		return "apop-no-brackets" // the timestamp without its < >
	case account.Digest(challenge, ""):
		return "apop-no-secret" // only the timestamp went into md5sum
	case account.Digest(a.Password, ""), account.Digest(a.Password+challenge, ""):
		return "apop-wrong-order" // the secret alone, or before the timestamp
	}
	for _, c := range earlier {
		if c != challenge && digest == a.Digest(c) {
			return "apop-old-challenge"
		}
	}
	return "apop-wrong"
}

// challenges remembers the last APOP challenges the server issued.
type challenges struct {
	mu   sync.Mutex
	ring [64]string
	next int
}

func (c *challenges) add(s string) {
	c.mu.Lock()
	c.ring[c.next%len(c.ring)] = s
	c.next++
	c.mu.Unlock()
}

func (c *challenges) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.ring))
	for _, s := range c.ring {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
