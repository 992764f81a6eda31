package group_test

import (
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"sort"
)

func digest(challenge, secret string) string {
	sum := md5.Sum([]byte(challenge + secret))
	return hex.EncodeToString(sum[:])
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

var (
	regexpID   = regexp.MustCompile(`<[0-9A-F]+@g3\.lab\.test>`)
	regexpDate = regexp.MustCompile(`; [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}`)
)
