package main

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// `lab start --max-conns 2` takes two POP3 connections at once and tells a
// third that there are too many.
func TestMaxConnsFlag(t *testing.T) {
	t.Parallel()
	_, out := labProcess(t, "start", "--group", "4", "--data", t.TempDir(), "--max-conns", "2",
		"--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--web", "127.0.0.1:0")
	popAddr := readUntil(t, out, `^\s+POP3\s+(\S+)\s+telnet `)[1]
	readUntil(t, out, `Ctrl-C`)
	var got []string
	for range 3 {
		c, err := net.Dial("tcp", popAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Fields(line)[0]+" "+strings.Join(strings.Fields(line)[1:3], " "))
	}
	if !strings.HasPrefix(got[0], "+OK") || !strings.HasPrefix(got[1], "+OK") ||
		got[2] != "-ERR [SYS/TEMP] too" {
		t.Errorf("greetings %q, want two +OK and a refusal", got)
	}
}

// A negative --max-conns is a usage error.
func TestMaxConnsFlagBad(t *testing.T) {
	t.Parallel()
	for _, cmd := range [][]string{{"start", "--group", "3"}, {"up", "--classroom", "x.toml"}} {
		code, _, errOut := runLab(t, "", nil, append(cmd, "--lang", "en", "--max-conns", "-1")...)
		if code != 2 || !strings.Contains(errOut, "--max-conns takes a number") {
			t.Errorf("%v --max-conns -1: exit %d, %q", cmd, code, errOut)
		}
	}
}
