package conns_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/conns"
)

var errTestClosed = errors.New("test: server closed")

// lineConn is a minimal line server on a Frame: it reads lines, with Idle,
// until the server shuts down.
type lineConn struct {
	conns.Idle
	nc net.Conn
}

func (c *lineConn) Close() error { return c.nc.Close() }

// A connection waiting for a command is woken by Shutdown, its handler
// returns, and Shutdown returns when it has; Serve then says the server
// is closed.
func TestFrameShutdownWakesAnIdleConnection(t *testing.T) {
	t.Parallel()
	var f conns.Frame
	f.Setup(func() conns.Config { return conns.Config{Protocol: "test", Closed: errTestClosed} })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Lines  []string
		Ending string
	}
	results := make(chan result, 1)
	waiting := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- f.Serve(l, func(nc net.Conn) {
			c := &lineConn{nc: nc}
			if err := f.Add(c, nc.RemoteAddr()); err != nil {
				nc.Close()
				return
			}
			defer f.Remove(c)
			defer nc.Close()
			var r result
			br := bufio.NewReader(nc)
			for {
				if !c.Begin(&f, nc) {
					r.Ending = "closing before the read"
					break
				}
				if len(r.Lines) == 1 {
					close(waiting)
				}
				line, err := br.ReadString('\n')
				if !c.End(&f) {
					r.Ending = "woken by shutdown"
					break
				}
				if err != nil {
					r.Ending = err.Error()
					break
				}
				r.Lines = append(r.Lines, line)
			}
			results <- r
		})
	}()
	cl, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	cl.Write([]byte("one\n"))
	<-waiting
	if err := f.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	select {
	case r := <-results:
		if diff := cmp.Diff(result{Lines: []string{"one\n"}, Ending: "woken by shutdown"}, r); diff != "" {
			t.Errorf("the session (-want +got):\n%s", diff)
		}
	default:
		t.Error("Shutdown returned before the handler did")
	}
	if err := <-served; !errors.Is(err, errTestClosed) {
		t.Errorf("Serve = %v, want the protocol's closed error", err)
	}
}

// Begin, End and SetReadDeadline around an Interrupt.
func TestIdle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		interruptBefore bool // Interrupt before Begin: not waiting, no effect
		interruptDuring bool // Interrupt between Begin and End
		wantBegin       bool
		wantEnd         bool
		wantTimeout     bool // the read ended on the deadline
	}{
		{name: "undisturbed", wantBegin: true, wantEnd: true},
		{name: "interrupted while busy", interruptBefore: true, wantBegin: true, wantEnd: true},
		{name: "interrupted while waiting", interruptDuring: true, wantBegin: true, wantEnd: false, wantTimeout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f conns.Frame
			f.Setup(func() conns.Config { return conns.Config{} })
			client, server := net.Pipe()
			defer client.Close()
			defer server.Close()
			var i conns.Idle
			if tt.interruptBefore {
				i.Interrupt()
			}
			if got := i.Begin(&f, server); got != tt.wantBegin {
				t.Fatalf("Begin = %v", got)
			}
			if tt.interruptDuring {
				i.Interrupt()
				i.SetReadDeadline(time.Hour) // must not undo the interruption
			} else {
				go client.Write([]byte("x"))
			}
			_, err := server.Read(make([]byte, 1))
			if got := errors.Is(err, os.ErrDeadlineExceeded); got != tt.wantTimeout {
				t.Errorf("read: %v", err)
			}
			if got := i.End(&f); got != tt.wantEnd {
				t.Errorf("End = %v", got)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		v, want time.Duration
	}{
		{"unset takes the default", 0, time.Minute},
		{"negative is off", -1, 0},
		{"set", time.Second, time.Second},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, conns.Limit(tt.v, time.Minute)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if diff := cmp.Diff(255, conns.Limit(0, 255)); diff != "" {
		t.Errorf("an int (-want +got):\n%s", diff)
	}
}
