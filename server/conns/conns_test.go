package conns_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"maillab/server/conns"
)

type fakeConn struct {
	interrupted atomic.Bool
	closed      atomic.Bool
	onInterrupt func() // run, in a goroutine of its own, when interrupted
}

func (f *fakeConn) Interrupt() {
	f.interrupted.Store(true)
	if f.onInterrupt != nil {
		go f.onInterrupt()
	}
}

func (f *fakeConn) Close() error { f.closed.Store(true); return nil }

func addr(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 1000} }

func TestLimits(t *testing.T) {
	t.Parallel()
	var s conns.Set
	s.Limits = conns.Limits{Total: 3, PerHost: 2}
	a, b, c, d := &fakeConn{}, &fakeConn{}, &fakeConn{}, &fakeConn{}
	steps := []struct {
		c    *fakeConn
		from string
		want error
	}{
		{a, "10.0.0.1", nil},
		{b, "10.0.0.1", nil},
		{c, "10.0.0.1", conns.ErrTooManyFromHost},
		{c, "10.0.0.2", nil},
		{d, "10.0.0.3", conns.ErrTooMany},
	}
	for i, st := range steps {
		if err := s.Add(st.c, addr(st.from)); !errors.Is(err, st.want) {
			t.Errorf("step %d: Add from %s = %v, want %v", i, st.from, err, st.want)
		}
	}
	s.Remove(a)
	if err := s.Add(d, addr("10.0.0.1")); err != nil {
		t.Errorf("after a connection went: %v", err)
	}
	if s.Len() != 3 {
		t.Errorf("Len = %d", s.Len())
	}
}

// Slots reserved for trusted clients (the classroom's hosts) stay free
// when others fill the rest.
func TestReserved(t *testing.T) {
	t.Parallel()
	s := conns.Set{
		Limits:  conns.Limits{Total: 4, PerHost: 3, Reserved: 2},
		Trusted: func(a net.Addr) bool { return a.(*net.TCPAddr).IP.Equal(net.ParseIP("127.0.1.2")) },
	}
	steps := []struct {
		from string
		want error
	}{
		{"10.0.0.1", nil},
		{"10.0.0.2", nil},
		{"10.0.0.3", conns.ErrTooMany}, // the other two are reserved
		{"127.0.1.2", nil},
		{"127.0.1.2", nil},
		{"127.0.1.2", conns.ErrTooMany}, // all four taken
	}
	for i, st := range steps {
		if err := s.Add(&fakeConn{}, addr(st.from)); !errors.Is(err, st.want) {
			t.Errorf("step %d: Add from %s = %v, want %v", i, st.from, err, st.want)
		}
	}
}

// Shutdown interrupts every connection and waits for them to go; a
// connection that does not go in time is cut.
func TestShutdown(t *testing.T) {
	t.Parallel()
	var s conns.Set
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// quick ends when interrupted; then the time is up for slow
	quick, slow := &fakeConn{}, &fakeConn{}
	quick.onInterrupt = func() { s.Remove(quick); cancel() }
	s.Add(quick, addr("10.0.0.1"))
	s.Add(slow, addr("10.0.0.2"))
	err := s.Shutdown(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want the context's error", err)
	}
	if !slow.interrupted.Load() || !slow.closed.Load() || quick.closed.Load() {
		t.Errorf("slow interrupted %v closed %v; quick closed %v", slow.interrupted.Load(), slow.closed.Load(), quick.closed.Load())
	}
	if err := s.Add(&fakeConn{}, addr("10.0.0.3")); !errors.Is(err, conns.ErrClosed) {
		t.Errorf("Add after Shutdown = %v", err)
	}
}

// With a deadline, Shutdown cuts the connections left shortly before it,
// and waits for their handlers to return before it does.
func TestShutdownWaitsForTheHandlersItCut(t *testing.T) {
	t.Parallel()
	var s conns.Set
	stuck := &cutConn{set: &s}
	s.Add(stuck, addr("10.0.0.1"))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := s.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline", err)
	}
	if n := s.Len(); n != 0 {
		t.Errorf("Shutdown returned with %d handlers still running", n)
	}
}

// cutConn ignores Interrupt; when cut, its handler returns (a little
// later, in a goroutine of its own).
type cutConn struct{ set *conns.Set }

func (c *cutConn) Interrupt() {}
func (c *cutConn) Close() error {
	go c.set.Remove(c)
	return nil
}

func TestServeStopsOnClose(t *testing.T) {
	t.Parallel()
	var s conns.Set
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.Serve(l, func(nc net.Conn) { nc.Close(); served <- struct{}{} }, nil)
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	<-served
	s.Close()
	if err := <-done; !errors.Is(err, conns.ErrClosed) {
		t.Errorf("Serve = %v, want ErrClosed", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Error("the listener still accepts after Close")
	}
}
