package lineclient

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/exercises/i18n"
)

// When the server closes first, the client says so as telnet does, and
// exits 0 without waiting for more input.
func TestServerClosesFirst(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Lang{i18n.En, i18n.Ja} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err == nil {
				io.WriteString(c, "-ERR [SYS/TEMP] go away\r\n")
				c.Close()
			}
		}()
		host, port, _ := net.SplitHostPort(ln.Addr().String())
		stdin, _ := io.Pipe() // input that never ends
		var out, errOut bytes.Buffer
		err = Run(context.Background(), Options{Host: host, Port: port, Pace: true, Wait: time.Minute, Lang: lang}, stdin, &out, &errOut)
		if err != nil {
			t.Errorf("%s: %v", lang, err)
		}
		if diff := cmp.Diff("-ERR [SYS/TEMP] go away\n", out.String()); diff != "" {
			t.Errorf("%s: stdout (-want +got):\n%s", lang, diff)
		}
		want := "Connection closed by foreign host.\n"
		if lang == i18n.Ja {
			want += "（相手のサーバが接続を閉じました）\n"
		}
		if !strings.HasSuffix(errOut.String(), want) {
			t.Errorf("%s: stderr %q does not end in %q", lang, errOut.String(), want)
		}
	}
}

// When the input ends and the server does not close, the client closes the
// connection itself after a while, and says so.
func TestGivesUpWaiting(t *testing.T) {
	t.Parallel()
	addr, got := silentServer(t, "+OK hello\r\n")
	host, port, _ := net.SplitHostPort(addr)
	var out, errOut bytes.Buffer
	if err := Run(context.Background(), Options{Host: host, Port: port, Wait: 50 * time.Millisecond, Lang: i18n.En}, strings.NewReader("noop\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "the server did not close the connection within") {
		t.Errorf("stderr: %s", errOut.String())
	}
	if diff := cmp.Diff("noop\r\n", string(<-got)); diff != "" {
		t.Errorf("bytes on the wire (-want +got):\n%s", diff)
	}
}

// silentServer greets a client and returns, once the client has gone,
// the bytes it sent; it never closes first.
func silentServer(t *testing.T, greeting string) (addr string, got <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			ch <- nil
			return
		}
		defer c.Close()
		io.WriteString(c, greeting)
		b, _ := io.ReadAll(c)
		ch <- b
	}()
	return ln.Addr().String(), ch
}
