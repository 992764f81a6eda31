//go:build !windows

package main

import (
	"bufio"
	"math/rand/v2"
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"maillab/server/wire"
)

// retr counts a message's octets as RFC 1939 does, however the reply is cut
// into pieces on the way.
func TestRetrCountsOctets(t *testing.T) {
	t.Parallel()
	messages := []string{
		"",
		"Subject: x\r\n\r\nbody\r\n",
		".\r\n..\r\n...\r\n",
		"a line\r\n.starts with a dot\r\n\r\n.\r\nend\r\n",
		strings.Repeat(".x\r\n", 3000) + strings.Repeat("y", 900) + "\r\n",
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for _, msg := range messages {
		var stuffed strings.Builder
		bw := bufio.NewWriter(&stuffed)
		dw := wire.NewDotWriter(bw)
		dw.Write([]byte(msg))
		dw.Close()
		bw.Flush()
		reply := "+OK\r\n" + stuffed.String() + "+OK next\r\n"
		for range 20 {
			server, client := net.Pipe()
			go func() {
				defer server.Close()
				bufio.NewReader(server).ReadString('\n') // the command
				for rest := reply; rest != ""; {
					n := 1 + rng.IntN(min(len(rest), 7000))
					server.Write([]byte(rest[:n]))
					rest = rest[n:]
				}
			}()
			c := &pop3Client{nc: client, r: bufio.NewReaderSize(client, 4096), w: bufio.NewWriter(client)}
			got, err := c.retr(1)
			if err != nil {
				t.Fatalf("message %q: %v", msg, err)
			}
			next, err := c.status()
			client.Close()
			if diff := cmp.Diff([]any{int64(len(msg)), "next"}, []any{got, next}); diff != "" {
				t.Errorf("message %q: octets and the line after (-want +got):\n%s", msg, diff)
			}
		}
	}
}
